#!/bin/sh
# Fetch the Debian kernels the VM bench boots, without installing them.
#
#   fetch-kernels.sh [NAME...]     fetch (cached) and print each kernel's dir
#   fetch-kernels.sh --list        print "<short> <kver>" for the bench kernels
#   fetch-kernels.sh --list-full   the same for make check-full's kernels:
#                                  these, the PREEMPT_RT ones and debug
#   fetch-kernels.sh --kver NAME   print the full kver of NAME
#
# NAME is a short name (6.1, 6.12, debug) or a full kver (6.1.0-56-amd64).
# The short names follow the Debian meta packages, resolved at run time:
#   6.1   -> whatever linux-image-amd64      depends on
#   6.12  -> whatever linux-image-6.12-amd64 depends on
#   6.1-rt  -> whatever linux-image-rt-amd64      depends on (PREEMPT_RT)
#   6.12-rt -> whatever linux-image-6.12-rt-amd64 depends on (PREEMPT_RT)
#   debug -> the kernel scripts/debug-kernel.sh built (never built here)
# The image .deb is extracted (dpkg -x) into $CACHE/kernels/<kver>/ (vmlinuz
# at boot/vmlinuz-<kver>, modules at lib/modules/<kver>/) and depmod'ed;
# the ELF kernel is unpacked to boot/vmlinux-<kver> for a fast PVH boot.
# The matching linux-headers-<kver> is installed if missing; a version skew
# between an image and the installed headers is reported (and is fatal when
# it cannot be fixed).  CACHE is $IPT_NETFLOW_CACHE, by default
# ${XDG_CACHE_HOME:-$HOME/.cache}/ipt-netflow.
set -eu

CACHE=${IPT_NETFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipt-netflow}
BENCH="6.1 6.12"
FULL="6.1-rt 6.12-rt debug"

die() { echo "fetch-kernels: $*" >&2; exit 1; }
say() { echo "fetch-kernels: $*" >&2; }

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

meta() {	# meta <short> <image|headers>
	case $1 in
	6.1) echo "linux-$2-amd64" ;;
	6.12) echo "linux-$2-6.12-amd64" ;;
	6.1-rt) echo "linux-$2-rt-amd64" ;;
	6.12-rt) echo "linux-$2-6.12-rt-amd64" ;;
	*) return 1 ;;
	esac
}

# installed version of a package ("" if not installed)
inst() {
	dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
		sed -n 's/^install ok installed //p'
}

# resolve <NAME>: print "<kver> <image package version>"
resolve() {
	if [ "$1" = debug ]; then	# no package: whatever was built
		k=$(cat "$CACHE/debug-kernel/kver" 2>/dev/null) || k=none
		[ -e "$CACHE/kernels/$k/.complete" ] || die "no debug kernel" \
			"built yet: run scripts/debug-kernel.sh (takes hours)"
		echo "$k $(cat "$CACHE/kernels/$k/.complete")"
		return
	fi
	if ! m=$(meta "$1" image); then
		case $1 in *-*) ;; *) die "unknown kernel '$1'" \
			"(use 6.1, 6.12, debug or a full kver)" ;; esac
		if [ -e "$CACHE/kernels/$1/.complete" ]; then
			echo "$1 $(cat "$CACHE/kernels/$1/.complete")"
			return
		fi
		v=$(apt-cache show --no-all-versions "linux-image-$1" \
			2>/dev/null | sed -n 's/^Version: //p')
		[ -n "$v" ] || die "no package linux-image-$1 (apt-get update?)"
		echo "$1 $v"
		return
	fi
	# the meta package depends on "linux-image-<kver> (= <version>)";
	# the answer is cached until the apt/dpkg databases change
	c=$CACHE/kernels/.resolved-$1
	if [ -s "$c" ] && [ -z "$(find /var/lib/apt/lists /var/lib/dpkg/status \
		/etc/apt -maxdepth 2 -newer "$c" 2>/dev/null | head -n1)" ]; then
		set -- "$1" "$m" "$(cat "$c")"
	else
		set -- "$1" "$m" "$(apt-cache show --no-all-versions "$m" \
			2>/dev/null | sed -n 's/^Depends: //p' | tr ',' '\n' |
			sed -n 's/^ *linux-image-\([^ ]*\) *(= *\([^)]*\)).*/\1 \2/p' |
			head -n1)"
		[ -n "$3" ] || die "cannot resolve $2 (apt-get update needed?)"
		echo "$3" >"$c.$$" && mv "$c.$$" "$c"
	fi
	# report skew between the image candidate and the installed headers
	hm=$(meta "$1" headers)
	hv=$(inst "$hm")
	[ "${3#* }" = "$hv" ] || say "VERSION SKEW ($1): $2 candidate is" \
		"${3#* } (kver ${3% *}) but installed $hm is ${hv:-none};" \
		"linux-headers-${3% *} will be installed on fetch"
	echo "$3"
}

# headers <kver> <image version>: make sure matching headers are installed
headers() {
	p=linux-headers-$1
	hv=$(inst "$p")
	if [ "$hv" != "$2" ]; then
		if [ -z "$hv" ]; then
			say "installing $p=$2"
		else
			say "VERSION SKEW: $p is $hv, image is $2; installing $2"
		fi
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
			--no-install-recommends "$p=$2" >&2 ||
			die "cannot install $p=$2: headers and image would" \
				"not match (run apt-get update?)"
	fi
	[ -e "/usr/src/linux-headers-$1/Makefile" ] ||
		die "/usr/src/linux-headers-$1 missing after installing $p"
}

# vmlinux <bzImage> <out>: unpack the ELF vmlinux from a bzImage, so qemu
# can boot it directly (PVH entry): no decompression under TCG, much faster
vmlinux() {
	for z in '\xfd7zXZ\x00 xz' '\x28\xb5\x2f\xfd zstd' '\x1f\x8b\x08\x00 gzip'; do
		offs=$(LC_ALL=C grep -aboP "${z% *}" "$1" | cut -d: -f1)
		for off in $offs; do
			# trailing data after the stream makes the tools fail
			tail -c +$((off + 1)) "$1" | ${z#* } -dc >"$2.$$" 2>/dev/null || :
			if [ "$(head -c4 "$2.$$" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]
			then
				mv "$2.$$" "$2"
				return 0
			fi
		done
	done
	rm -f "$2.$$"
	say "cannot unpack vmlinux from $1 (will boot the bzImage, slower)"
}

# fetch <NAME>: extract the kernel into the cache, print its directory
fetch() {
	r=$(resolve "$1") || exit 1
	# shellcheck disable=SC2086 # split "<kver> <version>"
	set -- $r
	k=$1 v=$2 d=$CACHE/kernels/$1 pkg=linux-image-$1
	# built by debug-kernel.sh: no package, no headers, taken as it is
	if [ -e "$d/.local" ] && [ -e "$d/.complete" ]; then
		echo "$d"
		return
	fi
	headers "$k" "$v"
	if [ -e "$d/.complete" ] && [ "$(cat "$d/.complete")" = "$v" ]; then
		[ -e "$d/boot/vmlinux-$k" ] ||
			vmlinux "$d/boot/vmlinuz-$k" "$d/boot/vmlinux-$k"
		echo "$d"
		return
	fi
	say "downloading $pkg $v"
	tmp=$(mktemp -d "$CACHE/kernels/.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"$pkg=$v" >&2) || die "apt-get download $pkg=$v failed"
	dpkg -x "$tmp"/*.deb "$tmp/root"
	r=$tmp/root
	# merged-/usr packages ship usr/lib/modules; normalise to lib/modules
	if [ ! -d "$r/lib/modules/$k" ] && [ -d "$r/usr/lib/modules/$k" ]; then
		mkdir -p "$r/lib/modules"
		mv "$r/usr/lib/modules/$k" "$r/lib/modules/"
	fi
	[ -f "$r/boot/vmlinuz-$k" ] || die "$pkg has no boot/vmlinuz-$k"
	[ -d "$r/lib/modules/$k/kernel" ] || die "$pkg has no lib/modules/$k"
	rm -rf "${r:?}/usr/share"
	vmlinux "$r/boot/vmlinuz-$k" "$r/boot/vmlinux-$k"
	depmod -b "$r" "$k"
	# in the guest, /usr/src is the host's one (shared over 9p)
	ln -sfn "/usr/src/linux-headers-$k" "$r/lib/modules/$k/build"
	echo "$v" >"$r/.complete"
	rm -rf "$d"
	mv "$r" "$d"
	rm -rf "$tmp"
	trap - EXIT
	say "$k ready in $d"
	echo "$d"
}

mkdir -p "$CACHE/kernels"
case ${1:-} in
--list)
	for s in $BENCH; do r=$(resolve "$s") || exit 1; echo "$s ${r% *}"; done ;;
--list-full)
	for s in $BENCH $FULL; do r=$(resolve "$s") || exit 1; echo "$s ${r% *}"; done ;;
--kver)
	[ $# = 2 ] || die "usage: $0 --kver NAME"
	r=$(resolve "$2") || exit 1
	echo "${r% *}" ;;
-h | --help)
	sed -n '2,20s/^# \{0,1\}//p' "$0" ;;
-*)
	die "unknown option $1" ;;
*)
	# shellcheck disable=SC2086 # a list of names
	[ $# -gt 0 ] || set -- $BENCH
	exec 9>"$CACHE/kernels/.lock"
	flock 9	# one fetcher at a time (concurrent vm-run calls)
	for n; do fetch "$n"; done ;;
esac
