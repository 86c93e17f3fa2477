#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install ipt_NETFLOW on this host as a user would, check it in a booted
# kernel, remove it, and check that nothing is left (ctest pkg-deb and
# pkg-dkms; make check runs them as root, as CI does):
#
#   tests/pkg/pkg-test.sh deb OUT    make deb; apt-get install ./both.deb
#   tests/pkg/pkg-test.sh dkms OUT   make dkms-install (from this checkout)
#
# Then: DKMS built the module for every kernel whose headers are
# installed (/lib/modules/*/build); the extensions and man pages are in
# place; for each bench kernel (fetch-kernels.sh --list) a VM boots with
# the host's modules (scripts/vm-run --host-modules) and runs
# tests/vm/packaged.sh: modprobe ipt_NETFLOW by name, iptables/ip6tables
# -j NETFLOW with the installed extensions, man -w, traffic to nfdump.
# Last: apt-get purge (make dkms-uninstall), and no module, extension,
# man page, DKMS tree or package is left.  Any failed step fails.
#
# The host is changed only between install and removal, under a lock
# (/run/lock/ipt-netflow-pkg.lock), and removal also runs on failure.  A
# host that has ipt_NETFLOW installed some other way (Debian's
# iptables-netflow-dkms, make install) is not touched: the test fails and
# says so.  The VM boots need the VM lock like any other VM test: run it
# under flock /tmp/ipt-vm.lock, or set NF_VM_LOCK=/tmp/ipt-vm.lock to take
# it around each boot only (never both: that waits for itself).
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
mode=${1:-}
out=${2:-}
{ [ "$mode" = deb ] || [ "$mode" = dkms ]; } && [ -n "$out" ] || {
	sed -n '3,9s/^# \{0,1\}//p' "$0" >&2
	exit 2
}
me="pkg-test($mode)"
say() { echo "$me: $*"; }
fail() {
	echo "$me: FAIL: $*" >&2
	exit 1
}
step() { printf '\n===== %s: %s\n' "$me" "$*"; }

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
APT="$SUDO apt-get -y -q -o DPkg::Lock::Timeout=600"

version=$(make -s -C "$repo" version) || fail "make version"
name=ipt-netflow-ng
pkgs="$name-dkms $name-xtables"
xtdir=$(pkg-config --variable=xtlibdir xtables 2>/dev/null)
: "${xtdir:=/usr/lib/x86_64-linux-gnu/xtables}"
mkdir -p "$out" || fail "cannot create $out"
out=$(cd "$out" && pwd -P)
manifest=$out/install_manifest.txt
case $mode in
deb) mandir=/usr/share/man ;;
dkms) mandir=/usr/local/share/man ;;
esac

# every trace ipt_NETFLOW can leave on a host, one per line
traces() {
	for f in /lib/modules/*/updates/dkms/ipt_NETFLOW.ko* \
		/lib/modules/*/extra/ipt_NETFLOW.ko* \
		"$xtdir"/libipt_NETFLOW.so "$xtdir"/libip6t_NETFLOW.so \
		/usr/share/man/man8/ipt_NETFLOW.8* \
		/usr/share/man/man8/iptables-netflow.8* \
		/usr/local/share/man/man8/ipt_NETFLOW.8* \
		/usr/local/share/man/man8/iptables-netflow.8* \
		/usr/src/ipt-netflow-* /var/lib/dkms/ipt-netflow*; do
		[ -e "$f" ] && echo "$f"
	done
	for p in $pkgs iptables-netflow-dkms; do
		s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
		case $s in
		"" | un*) ;;
		*) echo "package $p ($s)" ;;
		esac
	done
	for k in $kernels_all; do
		[ -f "/lib/modules/$k/modules.dep" ] || continue
		m=$(modinfo -k "$k" -n ipt_NETFLOW 2>/dev/null) &&
			echo "modinfo -k $k ipt_NETFLOW: $m"
	done
	return 0
}

# every kernel DKMS must build for: those with headers
kernels_all=
for b in /lib/modules/*/build; do
	[ -f "$b/Makefile" ] || continue
	b=${b%/build}
	kernels_all="$kernels_all ${b##*/}"
done
[ -n "$kernels_all" ] || fail "no kernel headers installed"

installed=
want=$kernels_all	# kernels DKMS must build for
remove() {
	case $mode in
	deb) $APT purge $pkgs ;;
	dkms) $SUDO make -s -C "$repo" dkms-uninstall MANIFEST="$manifest" ;;
	esac
}
cleanup() {
	rc=$?
	if [ -n "$installed" ]; then
		say "removing what the test installed (after a failure)"
		remove >"$out/cleanup.log" 2>&1 || cat "$out/cleanup.log"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# one test at a time changes the host
exec 9>/run/lock/ipt-netflow-pkg.lock || fail "cannot open the lock"
flock 9

step "host before: nothing of ipt_NETFLOW installed"
# leftovers of an earlier run of this test are ours to remove
if [ -n "$(dpkg-query -W -f='${db:Status-Abbrev}\n' $pkgs 2>/dev/null | grep -v '^un')" ]; then
	say "an earlier run left $pkgs installed: purging"
	$APT purge $pkgs >"$out/leftover.log" 2>&1
fi
before=$(traces)
[ -z "$before" ] || {
	echo "$before" | sed 's/^/    /' >&2
	fail "ipt_NETFLOW is already installed on this host (above); remove" \
		"it first (apt-get purge, make uninstall or make dkms-uninstall)"
}
say "clean; kernels with headers:$kernels_all"

step "install"
installed=1
case $mode in
deb)
	make -C "$repo" deb DEB_OUT="$out/deb" >"$out/deb.log" 2>&1 || {
		tail -n 40 "$out/deb.log"
		fail "make deb failed (log: $out/deb.log)"
	}
	sed -n '/lintian/,$p' "$out/deb.log"
	debs=
	for p in $pkgs; do
		f=$(ls "$out/deb/${p}_${version}_"*.deb 2>/dev/null) ||
			fail "make deb built no $p $version"
		debs="$debs $f"
	done
	# shellcheck disable=SC2086 # a list
	$APT install $debs >"$out/install.log" 2>&1
	rc=$?
	cat "$out/install.log"
	[ $rc = 0 ] || fail "apt-get install$debs failed ($rc)"
	for p in $pkgs; do
		s=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$p")
		[ "$s" = "ii  $version" ] || fail "$p: dpkg status '$s'"
	done
	say "installed:$debs"
	;;
dkms)
	# the bench kernels: make dkms-install's default, every kernel with
	# headers, is what the package does (pkg-deb); this saves builds
	want=$(sh "$repo/scripts/fetch-kernels.sh" --list | cut -d' ' -f2 |
		tr '\n' ' ')
	$SUDO make -C "$repo" dkms-install MANIFEST="$manifest" \
		DKMS_KERNELS="$want" >"$out/install.log" 2>&1
	rc=$?
	cat "$out/install.log"
	[ $rc = 0 ] || fail "make dkms-install failed ($rc)"
	grep -q "^installed: $xtdir/libipt_NETFLOW.so" "$out/install.log" ||
		fail "make dkms-install did not print what it installed"
	;;
esac

step "host after install"
st=$(dkms status -m "$name" -v "$version" 2>/dev/null)
echo "$st"
for k in $want; do
	echo "$st" | grep -q "^$name/$version, $k, [^:]*: installed" ||
		fail "DKMS has not installed $name/$version for $k (headers are there)"
	f=$(ls "/lib/modules/$k/updates/dkms"/ipt_NETFLOW.ko* 2>/dev/null | head -n 1)
	[ -n "$f" ] || fail "no /lib/modules/$k/updates/dkms/ipt_NETFLOW.ko"
	v=$(modinfo -F version "$f")
	[ "$v" = "$version" ] || fail "$f has version '$v', not $version"
	say "$k: $f, version $v"
done
for f in "$xtdir/libipt_NETFLOW.so" "$xtdir/libip6t_NETFLOW.so"; do
	[ -f "$f" ] || fail "no $f"
done
for p in ipt_NETFLOW iptables-netflow; do
	m=$(man -w "$p") || fail "man -w $p finds nothing"
	case $(readlink -f "$m") in
	"$(readlink -f "$mandir")"/*) ;;
	*) fail "man -w $p: $m, not in $mandir" ;;
	esac
	say "man -w $p: $m"
done

bench=$(sh "$repo/scripts/fetch-kernels.sh" --list) || fail "fetch-kernels.sh --list"
echo "$bench" | while read -r short kver; do
	step "VM: $short ($kver) with the host's modules"
	case " $kernels_all " in
	*" $kver "*) ;;
	*) fail "bench kernel $kver has no headers on the host" ;;
	esac
	${NF_VM_LOCK:+flock "$NF_VM_LOCK"} \
	"$repo/scripts/vm-run" --kernel "$short" --host-modules \
		--out "$out/vm-$short" --timeout 600 -- \
		"NF_PKG_VERSION='$version' NF_PKG_MANDIR='$mandir' sh '$repo/tests/vm/packaged.sh'" ||
		fail "tests/vm/packaged.sh on $short failed (see $out/vm-$short)"
done || exit 1

step "remove"
remove >"$out/remove.log" 2>&1
rc=$?
cat "$out/remove.log"
[ $rc = 0 ] || fail "removal failed ($rc)"
installed=

step "host after removal: nothing left"
after=$(traces)
[ -z "$after" ] || {
	echo "$after" | sed 's/^/    /' >&2
	fail "left behind after removal (above)"
}
[ ! -e "$manifest" ] || fail "$manifest still lists: $(cat "$manifest")"
say "nothing of ipt_NETFLOW is left"
say "PASS"
