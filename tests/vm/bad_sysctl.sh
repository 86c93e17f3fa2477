#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Every bad value is refused with EINVAL and changes nothing, whether it
# comes through net.netflow.* or /sys/module/ipt_NETFLOW/parameters, and a
# bad parameter at load fails the load.  The writes are in
# bad-sysctl.list.  bash: its printf names the errno of a failed write.
. "$(dirname "$0")/lib.sh"

LIST=$(dirname "$0")/bad-sysctl.list
SYSCTL=/proc/sys/net/netflow
PARAMS=/sys/module/ipt_NETFLOW/parameters

# try_write FILE VALUE: fail unless writing VALUE to FILE gives EINVAL and
# leaves FILE reading as before
try_write() {
	before=$(cat "$1") || fail "cannot read $1"
	# printf would not write an empty value at all: send echo's newline
	if [ -z "$2" ]; then
		err=$(printf '\n' 2>&1 >"$1")
	else
		err=$(printf '%s' "$2" 2>&1 >"$1")
	fi
	case $err in
	*"Invalid argument"*) ;;
	*) fail "$1 <- '$2': want EINVAL, got '${err:-success}'" ;;
	esac
	after=$(cat "$1")
	[ "$before" = "$after" ] ||
		fail "$1 <- '$2': value changed from '$before' to '$after'"
}

nf_load
n=0
while read -r name value; do
	case $name in '' | '#'*) continue ;; esac
	case $value in \"*\") value=${value#\"}; value=${value%\"} ;; esac
	[ -e "$SYSCTL/$name" ] || fail "no $SYSCTL/$name"
	try_write "$SYSCTL/$name" "$value"
	param=$(echo "$name" | tr - _)
	if [ "$name" != flush ]; then
		[ -e "$PARAMS/$param" ] || fail "no $PARAMS/$param"
		try_write "$PARAMS/$param" "$value"
	fi
	n=$((n + 1))
done <"$LIST"
[ $n -ge 20 ] || fail "only $n bad writes in $LIST"
say "$n bad writes refused through sysctl and /sys"

# Good writes still work and read back, with or without echo's newline.
echo 60 >$SYSCTL/active_timeout || fail "active_timeout 60 refused"
[ "$(cat $SYSCTL/active_timeout)" = 60 ] || fail "active_timeout not 60"
printf 120 >$PARAMS/active_timeout || fail "parameter active_timeout refused"
[ "$(cat $SYSCTL/active_timeout)" = 120 ] ||
	fail "parameter and sysctl disagree on active_timeout"
echo 1 >$SYSCTL/flush || fail "flush 1 refused"
nf_unload

for bad in protocol=6 protocol= active_timeout=0 inactive_timeout=x \
	hashsize=0 hashsize=16 maxflows=-1 sndbuf=-1 engine_id=256 debug=99 \
	refresh_rate=0 timeout-rate=0 destination=nowhere natevents=2 \
	natevents_legacy=-1; do
	if insmod "$NF_KO" "$bad" 2>/dev/null; then
		rmmod ipt_NETFLOW
		fail "insmod $bad loaded"
	fi
	nf_loaded && fail "ipt_NETFLOW loaded after insmod $bad"
done
say "bad parameters fail the load"
