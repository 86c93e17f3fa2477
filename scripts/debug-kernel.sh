#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build a debug kernel for the VM bench from Debian's linux-source-6.12:
# KASAN (generic, inline), lockdep (PROVE_LOCKING, PROVE_RCU), UBSAN
# (bounds, shift), kmemleak, debug objects, DEBUG_LIST, DEBUG_ATOMIC_SLEEP
# and fault injection (failslab, fail_page_alloc).  See README-bench.md.
#
#   debug-kernel.sh            build (cached), install, print the kernel dir
#   debug-kernel.sh --config   only (re)generate the build's .config
#   debug-kernel.sh --kver     print the kver of the built kernel
#   debug-kernel.sh --kdir     print the build dir, for out-of-tree modules:
#                              make -C "$(debug-kernel.sh --kdir)" M=DIR modules
#
# The kernel lands in $CACHE/kernels/<kver>/ in the layout of
# fetch-kernels.sh (boot/vmlinux-<kver>, boot/vmlinuz-<kver>,
# lib/modules/<kver>/ with build -> the build dir, .complete), with kver
# <version>-debug, so "scripts/vm-run --kernel debug" (or the full kver)
# boots it.  The config is Debian's own amd64 config (linux-config-6.12, of
# the same version as the source) with the debug options below, module
# signing and debug info off, and the modules trimmed to what the bench
# loads.  Everything else lives in $CACHE/debug-kernel/: the extracted
# source (never built in), the O= build dir, the build log build.log.
# CACHE is $IPT_NETFLOW_CACHE, by default
# ${XDG_CACHE_HOME:-$HOME/.cache}/ipt-netflow.  JOBS (default: nproc)
# make jobs, run under nice -n 19.  A full build takes hours on 2 cores;
# a rerun with nothing changed is a no-op, and a changed config or source
# rebuilds incrementally.
set -eu

SRCPKG=linux-source-6.12
CFGPKG=linux-config-6.12
TARBALL=/usr/src/linux-source-6.12.tar.xz
DEBCONFIG=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
DEPS="build-essential bc bison flex libelf-dev libssl-dev cpio kmod
xz-utils zstd python3"

SELF=$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")
CACHE=${IPT_NETFLOW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipt-netflow}
DK=$CACHE/debug-kernel
SRC=$DK/linux
BUILD=$DK/build
LOG=$DK/build.log
JOBS=${JOBS:-$(nproc)}

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# progress goes to stderr, and to the log once we hold the lock
tolog=
say() { echo "debug-kernel: $*" >&2; [ -z "$tolog" ] || echo "debug-kernel: $*" >>"$LOG"; }
die() { say "error: $*"; exit 1; }

# The debug options, applied on top of Debian's config (scripts/config
# syntax: y, n, a number or a "string").  All of them are checked after
# olddefconfig: an option kconfig refused stops the build.  The lockdown
# LSM goes because it selects MODULE_SIG (it only acts under EFI secure
# boot, which the bench's SeaBIOS VM has not).
OPTIONS='
LOCALVERSION="-debug"
LOCALVERSION_AUTO=n
DEBUG_INFO_NONE=y
DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=n
DEBUG_INFO_DWARF4=n
DEBUG_INFO_DWARF5=n
DEBUG_INFO=n
DEBUG_INFO_BTF=n
SECURITY_LOCKDOWN_LSM=n
MODULE_SIG=n
MODULE_SIG_ALL=n
SYSTEM_TRUSTED_KEYS=""
SYSTEM_REVOCATION_LIST=n
MODULE_COMPRESS=n
WERROR=n
IKCONFIG=y
IKCONFIG_PROC=y
DEBUG_KERNEL=y
KASAN=y
KASAN_GENERIC=y
KASAN_OUTLINE=n
KASAN_INLINE=y
KASAN_VMALLOC=y
PROVE_LOCKING=y
PROVE_RCU=y
LOCKDEP_BITS=16
LOCKDEP_CHAINS_BITS=17
LOCKDEP_STACK_TRACE_BITS=20
DEBUG_ATOMIC_SLEEP=y
DEBUG_LIST=y
DEBUG_OBJECTS=y
DEBUG_OBJECTS_FREE=y
DEBUG_OBJECTS_TIMERS=y
DEBUG_OBJECTS_WORK=y
UBSAN=y
UBSAN_BOUNDS=y
UBSAN_SHIFT=y
UBSAN_ALIGNMENT=n
UBSAN_TRAP=n
DEBUG_KMEMLEAK=y
DEBUG_KMEMLEAK_MEM_POOL_SIZE=32000
DEBUG_KMEMLEAK_DEFAULT_OFF=n
DEBUG_KMEMLEAK_AUTO_SCAN=y
FAULT_INJECTION=y
FAILSLAB=y
FAIL_PAGE_ALLOC=y
FAULT_INJECTION_DEBUG_FS=y
FAULT_INJECTION_STACKTRACE_FILTER=y
'

# Modules (=m) to keep; every other =m of Debian's config is turned off,
# every =y stays.  All the symbols defined in NF_KCONFIGS are kept too
# (whatever of them kconfig can still build).  KEEP must end up y or m.
#   boot (mkinitramfs.sh, vm-run): virtio-pci, 9p over virtio, overlay
#   tests/vm: veth, dummy, pktgen, bridge, vlan, mpls, tunnels, netem, ss
KEEP='
VIRTIO_PCI NET_9P NET_9P_VIRTIO 9P_FS OVERLAY_FS
VETH DUMMY TUN MACVLAN NET_PKTGEN BRIDGE BRIDGE_NETFILTER VLAN_8021Q
MPLS MPLS_ROUTING MPLS_IPTUNNEL NET_IPIP NET_IPGRE_DEMUX NET_IPGRE
NET_SCH_NETEM INET_DIAG INET_TCP_DIAG INET_UDP_DIAG INET_RAW_DIAG
UNIX_DIAG PACKET_DIAG NETLINK_DIAG
NETFILTER_XTABLES NETFILTER_XT_TARGET_MASQUERADE NF_CONNTRACK
NF_CT_NETLINK NF_NAT NF_TABLES NF_TABLES_INET NFT_COMPAT NFT_NAT
NFT_MASQ NFT_CT NFT_FLOW_OFFLOAD NF_FLOW_TABLE NF_FLOW_TABLE_INET
IP_NF_IPTABLES IP_NF_FILTER IP_NF_RAW IP_NF_MANGLE IP_NF_NAT
IP6_NF_IPTABLES IP6_NF_FILTER IP6_NF_RAW IP6_NF_MANGLE IP6_NF_NAT
NF_DEFRAG_IPV4 NF_DEFRAG_IPV6 NF_LOG_SYSLOG NETFILTER_NETLINK_LOG
'
NF_KCONFIGS='net/netfilter/Kconfig net/ipv4/netfilter/Kconfig
net/ipv6/netfilter/Kconfig net/bridge/netfilter/Kconfig'

# --- packages -------------------------------------------------------------

inst() {	# installed version of a package ("" if not installed)
	dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
		sed -n 's/^install ok installed //p'
}

apt_install() {
	say "installing $*"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
		-o DPkg::Lock::Timeout=900 --no-install-recommends "$@" >&2
}

packages() {
	missing=
	for p in $DEPS; do [ -n "$(inst "$p")" ] || missing="$missing $p"; done
	# the config must come from the very source version that is built
	sv=$(inst $SRCPKG) cv=$(inst $CFGPKG)
	if [ -z "$sv" ] || [ "$sv" != "$cv" ]; then
		apt-cache show $SRCPKG >/dev/null 2>&1 || {
			say "no $SRCPKG in the apt lists: apt-get update"
			$SUDO apt-get update -q -o DPkg::Lock::Timeout=900 >&2
		}
		[ -n "$sv" ] || missing="$missing $SRCPKG"
		# linux-config of the installed source's version, or both new
		if [ -n "$sv" ]; then
			missing="$missing $CFGPKG=$sv"
		else
			missing="$missing $CFGPKG"
		fi
	fi
	# shellcheck disable=SC2086 # a list of packages
	[ -z "$missing" ] || apt_install $missing ||
		die "cannot install$missing"
	[ "$(inst $SRCPKG)" = "$(inst $CFGPKG)" ] ||
		die "$SRCPKG $(inst $SRCPKG) and $CFGPKG $(inst $CFGPKG) differ"
	[ -f "$TARBALL" ] || die "$TARBALL missing after installing $SRCPKG"
	[ -f "$DEBCONFIG" ] || die "$DEBCONFIG missing after installing $CFGPKG"
}

# --- source ---------------------------------------------------------------

# extract the tarball once, again when the package changed (with a fresh
# build dir: a new version rebuilds everything anyway)
source_tree() {
	stamp="$(inst $SRCPKG) $(stat -c '%s %Y' "$TARBALL")"
	if [ ! -f "$SRC/Makefile" ] ||
		[ "$(cat "$DK/linux.stamp" 2>/dev/null)" != "$stamp" ]; then
		say "extracting $TARBALL into $SRC"
		rm -rf "$SRC" "$SRC.tmp" "$BUILD" "$DK/linux.stamp"
		mkdir "$SRC.tmp"
		tar -xJf "$TARBALL" -C "$SRC.tmp" --strip-components=1
		mv "$SRC.tmp" "$SRC"
		printf '%s\n' "$stamp" >"$DK/linux.stamp"
	fi
	# an in-tree build (make run in $SRC) breaks every O= build
	if [ -e "$SRC/.config" ] || [ -d "$SRC/include/config" ]; then
		say "$SRC was built in; cleaning it (make mrproper)"
		make -s -C "$SRC" mrproper
	fi
}

# --- config ---------------------------------------------------------------

# kconfig in a scratch O= dir, so that the build dir's .config only
# changes (and triggers rebuilds) when the result differs
CONF=$DK/config

kconf() { make -s -C "$SRC" O="$CONF" "$@" </dev/null >>"$LOG" 2>&1; }
sconf() { "$SRC/scripts/config" --file "$CONF/.config" "$@"; }

apply_options() {
	echo "$OPTIONS" | while IFS='=' read -r sym val; do
		case $val in
		'') ;;
		y) sconf --enable "$sym" ;;
		n) sconf --disable "$sym" ;;
		\"*) val=${val#\"}; sconf --set-str "$sym" "${val%\"}" ;;
		*) sconf --set-val "$sym" "$val" ;;
		esac
	done
}

# value of CONFIG_<sym> in the scratch .config: y, m, a value or n
cval() {
	v=$(sed -n "s/^CONFIG_$1=//p" "$CONF/.config")
	echo "${v:-n}"
}

config() {
	say "config: Debian's $(basename "$DEBCONFIG") ($(inst $CFGPKG)) + debug options"
	mkdir -p "$CONF"
	xz -dc "$DEBCONFIG" >"$CONF/.config"
	apply_options
	kconf olddefconfig || die "olddefconfig failed, see $LOG"

	# the =m to keep: KEEP and every symbol of the netfilter Kconfigs
	keep=$(for f in $NF_KCONFIGS; do
		sed -n 's/^\(menu\)\{0,1\}config[ \t]\{1,\}\([A-Za-z0-9_]*\).*/\2/p' \
			"$SRC/$f"
	done; echo "$KEEP" | tr -s ' \t' '\n')
	echo "$keep" | sed '/^$/d' | sort -u >"$CONF/keep.list"
	sed -n 's/^CONFIG_\([A-Za-z0-9_]*\)=m$/\1/p' "$CONF/.config" | sort \
		>"$CONF/m.before"
	comm -23 "$CONF/m.before" "$CONF/keep.list" >"$CONF/m.dropped"
	say "config: $(wc -l <"$CONF/m.before") modules in Debian's config," \
		"turning off $(wc -l <"$CONF/m.dropped")"
	awk 'NR == FNR { drop[$0] = 1; next }
	/^CONFIG_[A-Za-z0-9_]*=m$/ {
		s = substr($0, 8, length($0) - 9)
		if (s in drop) { print "# CONFIG_" s " is not set"; next }
	}
	{ print }' "$CONF/m.dropped" "$CONF/.config" >"$CONF/.config.new"
	mv "$CONF/.config.new" "$CONF/.config"
	# again: an =m that something =y selects comes back, which is right
	apply_options
	kconf olddefconfig || die "olddefconfig failed, see $LOG"

	bad=
	for sym in $KEEP; do
		case $(cval "$sym") in
		y | m) ;;
		*) bad="$bad $sym" ;;
		esac
	done
	[ -z "$bad" ] || die "config: not built any more:$bad" \
		"(a dependency was turned off: add it to KEEP)"
	echo "$OPTIONS" | while IFS='=' read -r sym val; do
		[ -n "$val" ] || continue
		got=$(cval "$sym")
		[ "$got" = "$val" ] && continue
		# "" strings: absent when their dependency is off
		[ "$val" = '""' ] && [ "$got" = n ] && continue
		die "config: CONFIG_$sym is $got, not $val (a missing dependency?)"
	done || exit 1
	for sym in MODULE_SIG_KEY SYSTEM_REVOCATION_KEYS; do
		case $(cval "$sym") in
		n | '""') ;;
		*) die "config: CONFIG_$sym=$(cval "$sym") left set" ;;
		esac
	done
	say "config: $(grep -c '=m$' "$CONF/.config") modules," \
		"$(grep -c '=y$' "$CONF/.config") built-in options"

	mkdir -p "$BUILD"
	if cmp -s "$CONF/.config" "$BUILD/.config"; then
		say "config: unchanged"
	else
		say "config: written to $BUILD/.config"
		cp "$CONF/.config" "$BUILD/.config"
	fi
}

# --- build and install ----------------------------------------------------

# run make in the background, with a progress line every minute
build() {
	say "building with nice -n 19 make -j$JOBS in $BUILD (log $LOG)"
	start=$(date +%s)
	nice -n 19 make -C "$SRC" O="$BUILD" -j"$JOBS" all </dev/null \
		>>"$LOG" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null; exit 130' INT TERM HUP
	n=0
	while kill -0 $pid 2>/dev/null; do
		sleep 5
		n=$((n + 1))
		[ $((n % 12)) = 0 ] || continue
		say "building: $(($(date +%s) - start))s," \
			"$(grep -c '^  CC ' "$LOG") files compiled so far;" \
			"last: $(grep '^  [A-Z]' "$LOG" | tail -n 1 | tr -s ' ')"
	done
	rc=0
	wait $pid || rc=$?
	trap - INT TERM HUP
	if [ $rc != 0 ]; then
		grep -n -E 'error|Error' "$LOG" | tail -n 20 >&2
		die "make failed ($rc) after $(($(date +%s) - start))s, see $LOG"
	fi
	say "build done in $(($(date +%s) - start))s"
}

# install into $CACHE/kernels/<kver>/, the layout of fetch-kernels.sh
install_kernel() {
	kver=$(cat "$BUILD/include/config/kernel.release")
	case $kver in *-debug) ;; *) die "kver $kver does not end in -debug" ;; esac
	for f in vmlinux arch/x86/boot/bzImage System.map Module.symvers; do
		[ -s "$BUILD/$f" ] || die "$BUILD/$f missing after the build"
	done
	mkdir -p "$CACHE/kernels"
	tmp=$(mktemp -d "$CACHE/kernels/.tmp-debug.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	say "installing $kver (modules_install, depmod)"
	make -s -C "$SRC" O="$BUILD" INSTALL_MOD_PATH="$tmp" modules_install \
		</dev/null >>"$LOG" 2>&1 || die "modules_install failed, see $LOG"
	m=$tmp/lib/modules/$kver
	[ -d "$m/kernel" ] || die "no $m/kernel after modules_install"
	mkdir -p "$tmp/boot"
	cp "$BUILD/vmlinux" "$tmp/boot/vmlinux-$kver"
	cp "$BUILD/arch/x86/boot/bzImage" "$tmp/boot/vmlinuz-$kver"
	cp "$BUILD/System.map" "$tmp/boot/System.map-$kver"
	cp "$BUILD/.config" "$tmp/boot/config-$kver"
	# the guest sees the host's / over 9p: the build dir is valid there too
	rm -f "$m/build" "$m/source"
	ln -s "$BUILD" "$m/build"
	depmod -b "$tmp" "$kver"
	# no package: fetch-kernels.sh takes the dir as it is
	echo "built by scripts/debug-kernel.sh from $SRCPKG $(inst $SRCPKG)" \
		>"$tmp/.local"
	echo "$1" >"$tmp/.complete"
	d=$CACHE/kernels/$kver
	old=$(cat "$DK/kver" 2>/dev/null || :)
	# shellcheck disable=SC2016 # $1 and $2 are sh -c's
	flock "$CACHE/kernels/.lock" sh -c 'rm -rf "$1" && mv "$2" "$1"' \
		_ "$d" "$tmp"
	trap - EXIT
	echo "$kver" >"$DK/kver"
	# an older debug kver (previous source version) is not needed any more
	if [ -n "$old" ] && [ "$old" != "$kver" ] &&
		[ -e "$CACHE/kernels/$old/.local" ]; then
		say "removing the previous debug kernel $old"
		rm -rf "${CACHE:?}/kernels/$old"
	fi
	say "$kver ready in $d ($(du -sh "$d" | cut -f1)," \
		"build dir $(du -sh "$BUILD" | cut -f1))"
}

# --- main -----------------------------------------------------------------

built_kver() {
	k=$(cat "$DK/kver" 2>/dev/null) || k=none
	[ -e "$CACHE/kernels/$k/.complete" ] ||
		die "no debug kernel built yet (run $SELF)"
	echo "$k"
}

case ${1:-} in
--kver)
	built_kver; exit ;;
--kdir)
	built_kver >/dev/null
	[ -s "$BUILD/Module.symvers" ] || die "$BUILD has no Module.symvers"
	echo "$BUILD"; exit ;;
-h | --help)
	sed -n '3,28s/^# \{0,1\}//p' "$0"; exit ;;
--config | '') ;;
*)
	die "unknown argument $1 (see --help)" ;;
esac

mkdir -p "$DK"
exec 9>"$DK/lock"
if ! flock -n 9; then
	say "waiting for another debug-kernel.sh run to finish"
	flock 9
fi
tolog=1

# the recipe: this script, the source and config packages; a cached kernel
# of the same recipe is up to date
packages
recipe=$(inst $SRCPKG)+$(cat "$SELF" "$DEBCONFIG" | sha256sum | cut -c1-16)
if [ -z "${1:-}" ] && k=$(cat "$DK/kver" 2>/dev/null) &&
	[ "$(cat "$CACHE/kernels/$k/.complete" 2>/dev/null)" = "$recipe" ]; then
	echo "$CACHE/kernels/$k"
	exit 0
fi

[ ! -s "$LOG" ] || mv "$LOG" "$LOG.old"
say "$(date '+%F %T') start ($recipe)"
source_tree
config
[ -z "${1:-}" ] || exit 0
build
install_kernel "$recipe"
echo "$CACHE/kernels/$(cat "$DK/kver")"
