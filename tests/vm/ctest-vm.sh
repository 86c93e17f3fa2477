#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Host side of the VM suites, for ctest (tests/vm/CMakeLists.txt):
#
#   ctest-vm.sh boot KERNEL OUT TEST...   one boot: run-suite.sh TEST... in
#                                         a VM of KERNEL, results in OUT
#   ctest-vm.sh result OUT TEST           pass iff TEST passed in that boot
#   ctest-vm.sh dmesg OUT                 pass iff the kernel log is clean
#
# "boot" passes whenever the suite ran to its end, so that each test
# reports on its own; it fails only if the VM gave no result at all.
#   VM_TIMEOUT   seconds the suite may take in the VM (default 1500)
#   NF_BUILD     test the builds in this directory instead of build/
#   NF_PROGRESS_FD  a file descriptor open past ctest (make check: 3, to
#                its stdout): "boot" writes each test's start and result
#                there as it happens, ctest showing a test's output only
#                once it has ended, a quarter of an hour later
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)

case ${1:-} in
boot)
	[ $# -ge 4 ] || { echo "usage: $0 boot KERNEL OUT TEST..." >&2; exit 2; }
	kernel=$2 out=$3
	shift 3
	rm -rf "$out/results"
	mkdir -p "$out"
	# NF_BUILD (another build tree, see lib.sh) is passed to the guest
	cmd="'$repo/tests/vm/run-suite.sh' $*"
	[ -z "${NF_BUILD:-}" ] || cmd="NF_BUILD='$NF_BUILD' $cmd"
	# and fuzz.sh's knobs (NF_FUZZ_COUNT=200000 make check: a longer run)
	for v in NF_FUZZ_COUNT NF_FUZZ_GSO_COUNT NF_FUZZ_SEED NF_FUZZ_BACKEND; do
		eval "val=\${$v:-}"
		[ -z "$val" ] || cmd="$v='$val' $cmd"
	done
	fd=${NF_PROGRESS_FD:-}
	case $fd in [3-9]) ;; *) fd='' ;; esac
	{
		"$repo/scripts/vm-run" --kernel "$kernel" --out "$out" \
			--timeout "${VM_TIMEOUT:-2400}" -- "$cmd"
		echo $? >"$out/vm-run.rc"
	} | while IFS= read -r line; do
		printf '%s\n' "$line"
		[ -n "$fd" ] || continue
		case $line in
		"vm suite on "* | "=== "* | "--- "* | "vm-run: "*)
			printf 'vm-%s: %s\n' "${out##*/}" "$line" >&"$fd" ;;
		esac
	done
	rc=$(cat "$out/vm-run.rc" 2>/dev/null || echo '?')
	echo "ctest-vm: vm-run --kernel $kernel exited $rc"
	if [ ! -s "$out/rc" ]; then
		echo "ctest-vm: the VM gave no result (see $out/console.log)"
		exit 1
	fi
	exit 0
	;;
result)
	[ $# = 3 ] || { echo "usage: $0 result OUT TEST" >&2; exit 2; }
	out=$2 t=$3
	if [ ! -f "$out/results/$t.rc" ]; then
		echo "$t: no result in $out/results (VM failed or timed out?)"
		[ -f "$out/output.log" ] && tail -n 40 "$out/output.log"
		exit 1
	fi
	rc=$(cat "$out/results/$t.rc")
	cat "$out/results/$t.log"
	if [ "$rc" != 0 ]; then
		echo "$t: FAILED (exit $rc)"
		exit 1
	fi
	echo "$t: passed"
	;;
dmesg)
	[ $# = 2 ] || { echo "usage: $0 dmesg OUT" >&2; exit 2; }
	[ -s "$2/dmesg.log" ] || { echo "no $2/dmesg.log"; exit 1; }
	"$repo/scripts/dmesg-check" "$2/dmesg.log" || exit 1
	echo "kernel log clean: $2/dmesg.log"
	;;
*)
	sed -n '3,11s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
