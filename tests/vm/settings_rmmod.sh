#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Settings written while the module loads or unloads never leave a hook
# into its text.  /sys/module/ipt_NETFLOW/parameters exists from before
# mod_init() until after mod_exit(), and applying hooks= or ingress=
# registers hooks; so settings apply only once every unit is up and stop
# applying before the first unit goes (main.c).  A writer toggles hooks=
# and ingress= through /sys as fast as it can while the module is loaded
# and unloaded 30 times.  Asserts, after every rmmod:
#  - the hooks nft lists (ip, ip6, netdev on lo) are the ones there were
#    before the first load: none left behind;
#  - a ping on lo crosses prerouting and lo's ingress, where a hook left
#    behind would run freed code (an oops: the boot's dmesg check).
# (Before the fix, settings stopped applying only after ingress, hooks
# and the target were gone: an ingress= write landing during the hooks'
# unregistration, which waits for an RCU grace period, hooked lo again.)
. "$(dirname "$0")/lib.sh"

# NF_ROUNDS: rounds of insmod and rmmod (default 30; 10 on the debug
# kernel, where a round takes ~8 times longer; before the fix the first
# round already left a hook behind on 6.12)
case $(uname -r) in
*-debug) ROUNDS=${NF_ROUNDS:-10} ;;
*) ROUNDS=${NF_ROUNDS:-30} ;;
esac
P=/sys/module/ipt_NETFLOW/parameters

hooks_now() {
	nft list hooks ip 2>&1
	nft list hooks ip6 2>&1
	nft list hooks netdev device lo 2>&1
}

nf_workdir
hooks_now >"$W/base.txt" || fail "nft list hooks failed: $(head -n 3 "$W/base.txt")"
! grep -q -i 'error' "$W/base.txt" ||
	fail "nft cannot list hooks here: $(grep -m 1 -i error "$W/base.txt")"

# the writer: every write fails while the module is not there
writer() {
	while [ ! -e "$W/stop" ]; do
		{
			echo prerouting >$P/hooks
			echo lo >$P/ingress
			echo 0 >$P/hooks
			echo >$P/ingress
		} 2>/dev/null
	done
}
nf_bg writer
wpid=$NF_PID
sayt "writer started; $ROUNDS rounds"

round=0
while [ $round -lt "$ROUNDS" ]; do
	round=$((round + 1))
	nf_load
	sleep 0.1
	nf_unload
	hooks_now >"$W/now.txt"
	cmp -s "$W/base.txt" "$W/now.txt" || {
		diff "$W/base.txt" "$W/now.txt" >&2
		fail "round $round: hooks left behind after rmmod (above)"
	}
	ping -c 1 -W 1 127.0.0.1 >/dev/null ||
		fail "round $round: ping on lo failed"
	sayt "round $round: loaded, unloaded, no hook left"
done
: >"$W/stop"
nf_bg_stop $wpid
say "$ROUNDS rounds of load and rmmod under hooks=/ingress= writes: no hook left behind"
