#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install and uninstall for the Makefile (make install, uninstall,
# dkms-install, dkms-uninstall, and the parts debian/rules uses).
#
#   install.sh install PART...        PART: module plugins man dkms-source
#   install.sh dkms-install PART...   PART: dkms plugins man
#   install.sh uninstall TAG          TAG: install or dkms-install
#
# Every path put in place is printed ("installed: ...").  With MANIFEST
# set, each is also recorded there as "TAG TYPE ARG...", TAG the command
# that installed it; "uninstall TAG" undoes exactly the lines of that TAG,
# last first, and drops them from the manifest:
#   file PATH            a file we installed: removed
#   dir PATH             a directory we created: removed if empty
#   module KVER PATH     a module file: removed, then depmod KVER
#   dkms NAME VERSION    a module registered with DKMS: dkms remove --all
#   tree PATH            a DKMS source tree we made: removed
# A file that another TAG also installed stays (its other owner needs it).
#
# The Makefile passes: REPO BUILD KVER KDIR INSTALL_MOD_PATH DESTDIR
# XTLIBDIR MANDIR MAN_PAGES PLUGINS_SO KSRCS VERSION DKMS_NAME DKMS_KERNELS
# MANIFEST.
set -eu

me=install.sh
die() { echo "$me: error: $*" >&2; exit 1; }
say() { echo "$me: $*"; }

[ $# -ge 1 ] || die "usage: $0 install|dkms-install PART... | uninstall TAG"
cmd=$1
shift
: "${MANIFEST:=}" "${DESTDIR:=}" "${INSTALL_MOD_PATH:=}"

# record TYPE ARG...: print it and, with a manifest, append it once
record() {
	case $1 in
	file) echo "installed: $2" ;;
	dir) echo "created:   $2/" ;;
	module) echo "installed: $3 (kernel $2)" ;;
	dkms) echo "installed: DKMS module $2/$3 ($(dkms_kernels_of "$2" "$3"))" ;;
	tree) echo "installed: $2/ (DKMS source)" ;;
	esac
	[ -n "$MANIFEST" ] || return 0
	line="$tag $*"
	if [ -f "$MANIFEST" ] && grep -qxF -- "$line" "$MANIFEST"; then
		return 0
	fi
	echo "$line" >>"$MANIFEST"
}

# mkdirs DIR: create DIR and missing parents, recording each created one
mkdirs() {
	[ -d "$1" ] && return 0
	mkdirs "$(dirname "$1")"
	mkdir "$1"
	record dir "$1"
}

# put MODE SRC DIR: install SRC into DIR
put() {
	mkdirs "$3"
	install -m "$1" "$2" "$3/"
	record file "$3/$(basename "$2")"
}

dkms_kernels_of() {
	dkms status -m "$1" -v "$2" 2>/dev/null |
		sed -n 's/^[^,]*, \([^,:]*\)[,:].*installed.*/\1/p' | tr '\n' ' ' |
		sed 's/ $//'
}

# --- parts ------------------------------------------------------------------
part_module() {
	[ -f "$BUILD/$KVER/ipt_NETFLOW.ko" ] || die "no $BUILD/$KVER/ipt_NETFLOW.ko (make module)"
	moddir=$INSTALL_MOD_PATH/lib/modules/$KVER/extra
	mkdirs "$moddir"
	log=$BUILD/$KVER/modules_install.log
	make -s -C "$KDIR" M="$BUILD/$KVER" INSTALL_MOD_DIR=extra \
		${INSTALL_MOD_PATH:+INSTALL_MOD_PATH="$INSTALL_MOD_PATH"} \
		modules_install >"$log" 2>&1 || {
		cat "$log" >&2
		die "modules_install failed"
	}
	# distribution headers have no signing key: kbuild says so at length
	! grep -q "sign-file" "$log" ||
		say "note: module not signed (no signing key in $KDIR; see $log)"
	n=0
	for f in "$moddir"/ipt_NETFLOW.ko*; do
		[ -f "$f" ] || continue
		record module "$KVER" "$f"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || die "modules_install put no ipt_NETFLOW.ko into $moddir"
	depmod ${INSTALL_MOD_PATH:+-b "$INSTALL_MOD_PATH"} -a "$KVER"
	say "depmod -a $KVER: modprobe ipt_NETFLOW finds it"
}

part_plugins() {
	[ -n "$PLUGINS_SO" ] || { say "extensions: disabled (./configure)"; return 0; }
	for f in $PLUGINS_SO; do
		[ -f "$f" ] || die "no $f (make plugins)"
		put 0644 "$f" "$DESTDIR$XTLIBDIR"
	done
}

part_man() {
	for f in $MAN_PAGES; do
		put 0644 "$f" "$DESTDIR$MANDIR/man8"
	done
}

# the module's sources as DKMS builds them: Kbuild, the C files and headers
srcdir() { echo "$DESTDIR/usr/src/$DKMS_NAME-$VERSION"; }
copy_sources() {
	d=$(srcdir)
	mkdir -p "$d"
	for f in $KSRCS; do
		install -m 0644 "$REPO/$f" "$d/"
	done
}

part_dkms_source() {
	copy_sources
	echo "installed: $(srcdir)/ (DKMS source, without dkms.conf)"
}

# kernels to build for: DKMS_KERNELS, else each one with headers
dkms_targets() {
	if [ -n "${DKMS_KERNELS:-}" ]; then
		echo "$DKMS_KERNELS"
		return
	fi
	for b in /lib/modules/*/build; do
		[ -f "$b/Makefile" ] || continue
		b=${b%/build}
		echo "${b##*/}"
	done
}

part_dkms() {
	command -v dkms >/dev/null || die "dkms not installed (apt-get install dkms)"
	[ -z "$DESTDIR" ] || die "dkms-install does not take DESTDIR"
	d=$(srcdir)
	if owner=$(dpkg -S "$d" 2>/dev/null); then
		die "$d belongs to the package ${owner%%:*}: apt-get purge it first"
	fi
	# a new build of the same version replaces the old one
	if [ -n "$(dkms status -m "$DKMS_NAME" -v "$VERSION" 2>/dev/null)" ]; then
		say "removing the $DKMS_NAME/$VERSION already in DKMS"
		dkms remove -m "$DKMS_NAME" -v "$VERSION" --all >/dev/null 2>&1
	fi
	rm -rf "$d"
	copy_sources
	sed "s/#MODULE_VERSION#/$VERSION/" "$REPO/dkms.conf" >"$d/dkms.conf"
	record tree "$d"
	dkms add -m "$DKMS_NAME" -v "$VERSION" >/dev/null 2>&1 ||
		die "dkms add -m $DKMS_NAME -v $VERSION failed"
	record dkms "$DKMS_NAME" "$VERSION" >/dev/null
	kernels=$(dkms_targets)
	mkdir -p "$BUILD"
	[ -n "$kernels" ] || die "no kernel headers installed (/lib/modules/*/build)"
	for k in $kernels; do
		say "DKMS: building $DKMS_NAME $VERSION for $k"
		dkms install -m "$DKMS_NAME" -v "$VERSION" -k "$k" >"$BUILD/dkms-$k.log" 2>&1 || {
			cat "$BUILD/dkms-$k.log" >&2
			die "dkms install for $k failed (make dkms-uninstall undoes the rest)"
		}
		for f in "/lib/modules/$k/updates/dkms"/ipt_NETFLOW.ko*; do
			[ -f "$f" ] && echo "installed: $f (DKMS, kernel $k)"
		done
	done
	echo "installed: DKMS module $DKMS_NAME/$VERSION ($(dkms_kernels_of "$DKMS_NAME" "$VERSION"));" \
		"AUTOINSTALL builds it for new kernels"
}

# --- uninstall --------------------------------------------------------------
undo() {	# undo TYPE ARG...
	case $1 in
	file)
		if [ "$(grep -c -x -F -e "install file $2" -e "dkms-install file $2" "$MANIFEST")" -gt 1 ]; then
			echo "kept:      $2 (also installed by the other of make install / dkms-install)"
		elif [ -e "$2" ] || [ -L "$2" ]; then
			rm -f "$2"
			echo "removed:   $2"
		else
			echo "gone:      $2"
		fi ;;
	dir)
		if rmdir "$2" 2>/dev/null; then
			echo "removed:   $2/"
		elif [ -d "$2" ]; then
			echo "kept:      $2/ (not empty)"
		fi ;;
	module)
		if [ -e "$3" ]; then
			rm -f "$3"
			echo "removed:   $3"
		else
			echo "gone:      $3"
		fi
		;;
	dkms)
		if [ -n "$(dkms status -m "$2" -v "$3" 2>/dev/null)" ]; then
			dkms remove -m "$2" -v "$3" --all >"$MANIFEST.log" 2>&1 || {
				cat "$MANIFEST.log" >&2
				rm -f "$MANIFEST.log"
				die "dkms remove -m $2 -v $3 --all failed"
			}
			rm -f "$MANIFEST.log"
			echo "removed:   DKMS module $2/$3 (every kernel)"
		else
			echo "gone:      DKMS module $2/$3"
		fi ;;
	tree)
		rm -rf "$2"
		echo "removed:   $2/" ;;
	esac
}

do_uninstall() {
	t=$1
	[ -n "$MANIFEST" ] || die "no MANIFEST"
	if [ ! -s "$MANIFEST" ] || ! grep -q "^$t " "$MANIFEST"; then
		say "nothing to remove: $MANIFEST lists nothing that make $t put in place"
		return 0
	fi
	# last first; a line is "TAG TYPE ARG...", no ARG has spaces
	grep "^$t " "$MANIFEST" | sed -n '1!G;h;$p' | while read -r _ type a b; do
		undo "$type" "$a" ${b:+"$b"}
		[ "$type" != module ] || echo "$a" >>"$MANIFEST.depmod"
	done
	if [ -f "$MANIFEST.depmod" ]; then
		for k in $(sort -u "$MANIFEST.depmod"); do
			depmod ${INSTALL_MOD_PATH:+-b "$INSTALL_MOD_PATH"} -a "$k" &&
				echo "depmod -a $k"
		done
		rm -f "$MANIFEST.depmod"
	fi
	grep -v "^$t " "$MANIFEST" >"$MANIFEST.tmp" || :
	if [ -s "$MANIFEST.tmp" ]; then
		mv "$MANIFEST.tmp" "$MANIFEST"
	else
		rm -f "$MANIFEST.tmp" "$MANIFEST"
	fi
	say "make $t undone"
}

case $cmd in
install | dkms-install)
	tag=$cmd
	for p; do
		case $p in
		module) part_module ;;
		plugins) part_plugins ;;
		man) part_man ;;
		dkms) part_dkms ;;
		dkms-source) part_dkms_source ;;
		*) die "unknown part $p" ;;
		esac
	done
	[ -z "$MANIFEST" ] || say "listed in $MANIFEST; 'make ${cmd%install}uninstall' removes exactly that"
	;;
uninstall)
	[ $# = 1 ] || die "usage: $0 uninstall install|dkms-install"
	do_uninstall "$1"
	;;
*) die "unknown command $cmd" ;;
esac
