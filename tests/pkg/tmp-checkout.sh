#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A checkout under /tmp (where many clone to try something; the VM
# guest's /tmp is a tmpfs) runs `make demo` to the end (ctest
# checkout-tmp):
#
#   tests/pkg/tmp-checkout.sh OUT
#
# Copies this checkout's files (git ls-files: what a clone has, with the
# working tree's changes) to a fresh /tmp/ipt-netflow-clone.XXXXXX, runs
# make demo there (configure, build for the bench kernels, boot 6.1) and
# passes if the demo ran in the VM and nfdump received flows.  The copy
# is removed afterwards.  The boot needs the VM lock like any other VM
# test.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd -P)
out=${1:?usage: $0 OUT}
mkdir -p "$out" && out=$(cd "$out" && pwd -P)
fail() { echo "tmp-checkout: FAIL: $*" >&2; exit 1; }

clone=$(mktemp -d /tmp/ipt-netflow-clone.XXXXXX) || fail "mktemp"
trap 'rm -rf "$clone"' EXIT
trap 'exit 130' INT TERM HUP
if [ -e "$repo/.git" ] && command -v git >/dev/null; then
	(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		cpio -0 -pdm --quiet "$clone") || fail "copying the checkout"
else
	(cd "$repo" && tar -c --exclude=./build --exclude=./config.mk . |
		tar -x -C "$clone") || fail "copying the checkout"
fi
echo "tmp-checkout: checkout copied to $clone"
cd "$clone" || fail "cd $clone"
make demo >"$out/demo.log" 2>&1
rc=$?
cat "$out/demo.log"
[ $rc = 0 ] || fail "make demo in $clone exited $rc"
grep -q "^vm-guest-init: booted" "$out/demo.log" ||
	fail "the demo's VM did not boot into the checkout"
grep -Eq '^demo: the collector received [1-9][0-9]* flows' "$out/demo.log" ||
	fail "the demo ran, but the collector received no flows"
echo "tmp-checkout: make demo ran to the end in $clone: PASS"
