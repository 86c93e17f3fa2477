#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run VM tests inside the bench VM (scripts/vm-run), each in a fresh shell:
#
#   tests/vm/run-suite.sh [TEST...]     default: every test in tests/vm/TESTS
#
# Writes $VM_OUT/results/<name>.rc and <name>.log (VM_OUT defaults to
# /tmp/vm-suite), cleans up (rules, netns, module) before and after each
# test, and exits 1 if any test failed.
#   NF_TEST_TIMEOUT   seconds one test may take (default 300; a test may
#                     ask for more with a line "# vm-timeout: SECONDS");
#                     multiplied by NF_TIME_SCALE (lib.sh: 8 on the debug
#                     kernel, 1 elsewhere)
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib.sh"

[ "$(id -u)" = 0 ] || fail "run me as root, inside the VM (scripts/vm-run)"
[ $# -gt 0 ] || set -- $(sed 's/#.*//' "$dir/TESTS")
res=${VM_OUT:-/tmp/vm-suite}/results
mkdir -p "$res" || fail "cannot create $res"

echo "vm suite on $(uname -r): $*"
echo "module: $NF_KO"
echo "XTABLES_LIBDIR=$XTABLES_LIBDIR"
passed=0 failed=
for t; do
	t=${t%.sh}
	rm -f "$res/$t.rc" "$res/$t.log"
	if [ ! -f "$dir/$t.sh" ]; then
		echo "no test $dir/$t.sh" >"$res/$t.log"
		echo 127 >"$res/$t.rc"
		failed="$failed $t"
		continue
	fi
	(nf_cleanup) >/dev/null 2>&1
	echo "=== $t"
	start=$(date +%s)
	to=$(sed -n 's/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$dir/$t.sh")
	[ -n "$to" ] && [ "$to" -gt "${NF_TEST_TIMEOUT:-300}" ] ||
		to=${NF_TEST_TIMEOUT:-300}
	to=$((to * NF_TIME_SCALE))	# lib.sh: slower on the debug kernel
	timeout -k 5 "$to" sh "$dir/$t.sh" \
		>"$res/$t.log" 2>&1 </dev/null
	rc=$?
	[ $rc = 124 ] && echo "TIMEOUT after $to s" >>"$res/$t.log"
	# leftovers are cleaned, and a module that will not unload fails
	if ! (nf_cleanup) >>"$res/$t.log" 2>&1; then
		echo "cleanup after $t failed" >>"$res/$t.log"
		[ $rc = 0 ] && rc=1
	fi
	echo $rc >"$res/$t.rc"
	sed 's/^/    /' "$res/$t.log"
	if [ $rc = 0 ]; then
		echo "--- $t: PASS ($(($(date +%s) - start)) s)"
		passed=$((passed + 1))
	else
		echo "--- $t: FAIL, exit $rc ($(($(date +%s) - start)) s)"
		failed="$failed $t"
	fi
done
# A kernel with kmemleak (the debug kernel of make check-full): scan now
# that the module is gone; a report lands in dmesg, which the boot's
# dmesg check fails on.
if [ -w /sys/kernel/debug/kmemleak ] ||
	{ mount -t debugfs none /sys/kernel/debug 2>/dev/null &&
	  [ -w /sys/kernel/debug/kmemleak ]; }; then
	echo "=== kmemleak scan"
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak	# a second pass confirms
	grep -c '^unreferenced object' /sys/kernel/debug/kmemleak |
		sed 's/^/--- kmemleak: suspected leaks: /'
fi
if [ -n "$failed" ]; then
	echo "vm suite on $(uname -r): $passed ok, FAILED:$failed"
	exit 1
fi
echo "vm suite on $(uname -r): all $passed ok"
