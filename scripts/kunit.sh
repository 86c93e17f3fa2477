#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run ipt_NETFLOW's KUnit suites (tests/kunit/) on UML with kunit.py from
# Debian's linux-source-6.1.  See tests/kunit/README.md.
#
#   scripts/kunit.sh [extra kunit.py run options]
#
# Environment:
#   KUNIT_CACHE   where the kernel tree and the build live
#                 (default ${XDG_CACHE_HOME:-$HOME/.cache}/ipt-netflow/kunit)
#   KUNIT_FILTER  suite/test glob (default ipt_netflow_*)
#   KUNIT_TARBALL kernel source (default /usr/src/linux-source-6.1.tar.xz)
#   JOBS          make jobs (default: nproc)
#   NF_PROGRESS_FD  a file descriptor open past ctest (make check: 3): a
#                 line a minute goes there while kunit.py builds and runs,
#                 the first build taking about ten minutes on 2 cores
#
# The kernel tree is extracted once and never built in: kunit.py builds
# with O=$KUNIT_CACHE/build, and kbuild refuses O= on a dirty source tree.
# Files are copied only when they differ, so a rerun rebuilds only what
# changed.  Exit status is non-zero if the build or any test fails.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=${KUNIT_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
CACHE=${KUNIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipt-netflow/kunit}
FILTER=${KUNIT_FILTER:-ipt_netflow_*}
JOBS=${JOBS:-$(nproc)}
SRC=$CACHE/linux
BUILD=$CACHE/build
SUBDIR=ipt_netflow_kunit
DEST=$SRC/net/$SUBDIR
TESTS=$REPO/tests/kunit

say() { printf 'kunit.sh: %s\n' "$*"; }
die() { say "error: $*" >&2; exit 1; }

if [ ! -f "$TARBALL" ]; then
	say "$TARBALL missing, running scripts/install-deps.sh"
	sh "$REPO/scripts/install-deps.sh"
	[ -f "$TARBALL" ] || die "$TARBALL still missing"
fi
for t in make gcc flex bison bc python3 tar xz; do
	command -v "$t" >/dev/null || die "$t not found (sh scripts/install-deps.sh)"
done

mkdir -p "$CACHE"
# The cache is per user, not per work tree: serialise concurrent runs.
exec 9>"$CACHE/lock"
if ! flock -n 9; then
	say "waiting for another kunit.sh run to finish"
	flock 9
fi

# --- kernel tree: extract once, again only if the package changed -------
stamp=$(stat -c '%n %s %Y' "$TARBALL")
if [ ! -d "$SRC" ] || [ "$(cat "$CACHE/linux.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "extracting $TARBALL into $SRC"
	rm -rf "$SRC" "$SRC.tmp" "$BUILD" "$CACHE/linux.stamp"
	mkdir "$SRC.tmp"
	tar -xJf "$TARBALL" -C "$SRC.tmp" --strip-components=1
	mv "$SRC.tmp" "$SRC"
	printf '%s\n' "$stamp" >"$CACHE/linux.stamp"
fi

# An in-tree build (e.g. someone ran make in $SRC) breaks every O= build.
if [ -e "$SRC/.config" ] || [ -d "$SRC/include/config" ]; then
	say "kernel tree $SRC was built in; cleaning it (make mrproper)"
	make -s -C "$SRC" ARCH=um mrproper
fi

# --- copy our sources into net/$SUBDIR -----------------------------------
mkdir -p "$DEST"
list=$CACHE/files.list
paths=$CACHE/paths.sed
: >"$list"
: >"$paths"

# Copy SRCFILE into $DEST unless an identical copy is already there, and
# map the copy's name back to the repository's in compiler messages.
put() {
	name=${1##*/}
	if grep -qxF "$name" "$list"; then
		die "two sources named $name (tests/kunit and top level?)"
	fi
	printf '%s\n' "$name" >>"$list"
	printf 's|%s/%s\\b|%s|g\n' "$DEST" "$name" "${1#"$REPO"/}" >>"$paths"
	cmp -s "$1" "$DEST/$name" || cp "$1" "$DEST/$name"
}

for f in "$TESTS"/*; do
	case ${f##*/} in
	*.c | *.h | Kconfig | Makefile) put "$f" ;;
	esac
done
for f in "$REPO"/*.h; do
	[ -f "$f" ] && put "$f"
done
# top-level pure units: each foo.o named in tests/kunit/Makefile
units=$(sed 's/#.*//' "$TESTS/Makefile" | grep -o '[A-Za-z0-9_-]*\.o' | sort -u)
for o in $units; do
	c=${o%.o}.c
	[ "$o" = "$SUBDIR.o" ] && continue
	[ -f "$TESTS/$c" ] && continue
	[ -f "$REPO/$c" ] || die "tests/kunit/Makefile names $o but there is no $c"
	put "$REPO/$c"
done
# drop what was removed from the repo (object files live in $BUILD)
for f in "$DEST"/* "$DEST"/.[!.]*; do
	[ -e "$f" ] || continue
	grep -qxF "${f##*/}" "$list" || rm -rf "$f"
done

# --- hook net/$SUBDIR into the kernel's Kconfig and Makefile --------------
hook() {
	grep -qxF "$2" "$1" || printf '%s\n' "$2" >>"$1"
}
hook "$SRC/net/Kconfig" "source \"net/$SUBDIR/Kconfig\""
hook "$SRC/net/Makefile" "obj-\$(CONFIG_IPT_NETFLOW_KUNIT_TEST) += $SUBDIR/"

# --- build and run -------------------------------------------------------
log=$CACHE/kunit.log
rcfile=$CACHE/kunit.rc
say "kernel tree $SRC, build dir $BUILD, filter '$FILTER'"
start=$(date +%s)
fd=${NF_PROGRESS_FD:-}
case $fd in [3-9]) ;; *) fd='' ;; esac
ticker=
if [ -n "$fd" ]; then
	# objects built so far tell a first build from a rebuild
	(
		while sleep 60; do
			n=$(find "$BUILD" -name '*.o' 2>/dev/null | wc -l)
			printf 'kunit: %ss, %s objects in %s\n' \
				"$(($(date +%s) - start))" "$n" "$BUILD"
		done
	) >&"$fd" &
	ticker=$!
	echo "kunit: building the UML kernel and running the suites" >&"$fd"
fi
{
	rc=0
	# niced: under make check it builds beside a VM suite (ctest -j2)
	nice -n 19 python3 "$SRC/tools/testing/kunit/kunit.py" run \
		--arch=um \
		--build_dir="$BUILD" \
		--kunitconfig="$TESTS/.kunitconfig" \
		--jobs="$JOBS" \
		"$@" "$FILTER" </dev/null 2>&1 || rc=$?
	echo "$rc" >"$rcfile"
} | sed -u -f "$paths" | tee "$log"
rc=$(cat "$rcfile")
# (its sleep too, which holds the progress descriptor open)
[ -z "$ticker" ] || kill "$ticker" $(pgrep -P "$ticker") 2>/dev/null || true
say "kunit.py exited $rc after $(($(date +%s) - start))s (log: $log)"

# kunit.py: "Testing complete. Ran N tests: passed: P, failed: F, ..."
summary=$(grep -a 'Testing complete\.' "$log" | tail -n 1)
passed=$(printf '%s\n' "$summary" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
failed=$(printf '%s\n' "$summary" | sed -n 's/.*failed: \([0-9]*\).*/\1/p')
crashed=$(printf '%s\n' "$summary" | sed -n 's/.*crashed: \([0-9]*\).*/\1/p')
passed=${passed:-0}
failed=$((${failed:-0} + ${crashed:-0}))

if [ -z "$summary" ]; then
	say "no test ran: the config or the build failed, or the kernel crashed"
	[ "$rc" -ne 0 ] || rc=1
elif [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
	say "no test ran: is CONFIG_IPT_NETFLOW_KUNIT_TEST built and the filter right?"
	[ "$rc" -ne 0 ] || rc=1
fi
echo "kunit: $passed passed, $failed failed"
exit "$rc"
