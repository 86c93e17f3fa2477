#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# natevents and ctnetlink (nf_conntrack_netlink) in either load order.
#
# A network namespace has one conntrack event callback; ctnetlink takes it
# when it loads and the kernel WARNs if it is taken already.  The root
# namespace routes with a MASQUERADE between a client netns (natc) and a
# server netns (nats), no DNAT (lib.sh: nf_nat_router_up 4 tcp);
# nf-collect takes the IPFIX export.
#  1. ctnetlink absent and its loading blocked (an `install ... /bin/false`
#     line in /run/modprobe.d), the module loaded with natevents=1: the log
#     says it could not load ctnetlink, events reach the collector; the
#     block goes and `modprobe nf_conntrack_netlink` loads it.
#  2. The same with natevents=1 written at run time, and ctnetlink loaded
#     on demand by `conntrack -E` (nfnetlink's asynchronous autoload).
#  3. The reverse: ctnetlink loaded first, then the module with
#     natevents=1; `rmmod nf_conntrack_netlink` is refused while natevents
#     is on and works after natevents=0.
# Asserts after every step:
#  - no kernel warning since the step began;
#  - /proc's Natevents line and net.netflow.natevents agree, and when they
#    say enabled the events really come: /proc's start/stop counts and the
#    create/delete records nf-collect decodes (pre-NAT source port,
#    post-NAT source address and port) match the connections made;
#  - once ctnetlink is up natevents is still enabled (chained to it) and
#    `conntrack -E` prints every NEW and DESTROY of the same connections.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools conntrack nc nf-collect
nf_workdir
P=2055 N=3
C4=$NF_NAT_C4 RS4=$NF_NAT_RS4 S4=$NF_NAT_S4
CTNL=nf_conntrack_netlink
BLOCK=/run/modprobe.d/nf-test-ctnetlink.conf
NATSYS=/proc/sys/net/netflow/natevents
# what scripts/dmesg-check counts as a kernel problem (the part that fits)
BAD='BUG:|WARNING:|Oops|Call Trace:|refcount_t:|UBSAN:|KASAN:'

grep -q "/$CTNL\.ko" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null &&
	fail "$CTNL is built in here: nothing to test"

nat_down() {
	rm -f $BLOCK
	nf_nat_router_down 4
}
NF_ON_EXIT=nat_down

ctnl_loaded() { [ -d /sys/module/$CTNL ]; }
ctnl_unload() {
	ctnl_loaded || return 0
	rmmod $CTNL || fail "cannot unload $CTNL (holders:" \
		"$(ls /sys/module/$CTNL/holders 2>/dev/null))"
}
block() {
	mkdir -p /run/modprobe.d &&
		echo "install $CTNL /bin/false" >$BLOCK || fail "cannot block $CTNL"
	! modprobe $CTNL 2>/dev/null || fail "the block does not stop modprobe"
}

# Problems are collected (in a file: they come from subshells too) and
# fail the test at the end of each scenario, so that one run shows them
# all.
problem() {
	echo "${0##*/}: PROBLEM: $*" >&2
	echo "$*" >>"$W/problems"
}
verdict() {
	[ ! -s "$W/problems" ] || fail "$(wc -l <"$W/problems") problem(s) in $1"
	sayt "$1: OK"
}

# step NAME: a new step; nowarn: no kernel warning since it began
step() {
	STEP=$1
	nf_kmsg_mark "step $STEP"
	sayt "step $STEP"
}
nowarn() {
	w=$(nf_dmesg_since "step $STEP" | grep -E "$BAD")
	[ -z "$w" ] || {
		nf_dmesg_since "step $STEP" >&2
		problem "$STEP: kernel warning: $(echo "$w" | head -n 1)"
	}
}

# state: "enabled" or "disabled" as /proc says; net.netflow.natevents
# must say the same
state() {
	l=$(grep '^Natevents ' $NF_STAT)
	s=$(cat $NATSYS)
	case $l in
	"Natevents enabled,"*) st=enabled want=1 ;;
	"Natevents disabled,"*) st=disabled want=0 ;;
	*) problem "$STEP: no Natevents line in $NF_STAT: $l"; st=unknown want=none ;;
	esac
	[ "$s" = "$want" ] ||
		problem "$STEP: /proc says $st, net.netflow.natevents $s"
	echo $st
}
counts() {
	sed -n 's/^Natevents [a-z]*, count start \([0-9]*\), stop \([0-9]*\)\..*/\1 \2/p' $NF_STAT
}

# The truth of a scenario: STARTS, STOPS (the counts /proc must show),
# $R/want (the events the collector must have), $R/live (source ports of
# NATed connections not yet flushed), CTN, CTD (NEW and DESTROY conntrack
# -E must have printed).  ON=1 while events are to be delivered, LISTEN=1
# while conntrack -E runs.

# conns BASE: N TCP connections through the MASQUERADE from source ports
# BASE+1..BASE+N
conns() {
	i=1
	while [ $i -le $N ]; do
		sp=$(($1 + i))
		ip netns exec natc nc -N -w 5 -p $sp $S4 5000 </dev/null ||
			fail "tcp from port $sp failed"
		echo $sp >>"$R/live"
		if [ $ON = 1 ]; then
			echo "create $sp $RS4 $sp" >>"$R/want"
			STARTS=$((STARTS + 1))
		fi
		[ $LISTEN = 0 ] || CTN=$((CTN + 1))
		i=$((i + 1))
	done
}
# flush: conntrack -F (needs ctnetlink) deletes the entries
flush() {
	conntrack -F >/dev/null 2>&1 || fail "conntrack -F failed"
	while read -r sp; do
		if [ $ON = 1 ]; then
			echo "delete $sp $RS4 $sp" >>"$R/want"
			STOPS=$((STOPS + 1))
		fi
		[ $LISTEN = 0 ] || CTD=$((CTD + 1))
	done <"$R/live"
	: >"$R/live"
}

# collected: the NAT events nf-collect decoded, as conns/flush write them
collected() {
	awk '$1 == "flow" && / template=261 / {
		delete f
		for (i = 2; i <= NF; i++) {
			k = $i; sub(/=.*/, "", k)
			v = $i; sub(/^[^=]*=/, "", v)
			f[k] = v
		}
		ev = "natEvent" f["nat_event"]
		if (f["nat_event"] == 4) ev = "create"
		if (f["nat_event"] == 5) ev = "delete"
		print ev, f["sport"], f["post_nat_src"], f["post_napt_sport"]
	}' "$R/collect.txt"
}

# truth: /proc and the sysctl agree and, while they say enabled, the
# counts and the collector's records are what the connections gave
truth() {
	st=$(state)
	want=disabled
	[ $ON = 0 ] || want=enabled
	[ "$st" = $want ] || problem "$STEP: /proc says natevents $st, want $want"
	i=0
	until [ "$(counts)" = "$STARTS $STOPS" ]; do
		i=$((i + 1))
		[ $i -lt $((50 * NF_TIME_SCALE)) ] || break
		sleep 0.1
	done
	[ "$(counts)" = "$STARTS $STOPS" ] ||
		problem "$STEP: /proc says natevents $st with counts $(counts), want $STARTS $STOPS"
	n=$(wc -l <"$R/want")
	i=0
	until [ "$(collected | wc -l)" -ge "$n" ]; do
		i=$((i + 1))
		[ $i -lt $((100 * NF_TIME_SCALE)) ] || break
		sleep 0.1
	done
	sort "$R/want" >"$R/want.sorted"
	collected | sort >"$R/got"
	cmp -s "$R/want.sorted" "$R/got" || {
		diff "$R/want.sorted" "$R/got" >&2
		problem "$STEP: the collector's NAT events differ from the truth (want $n)"
	}
	nowarn
}

# listen / unlisten: conntrack -E in the background, subscribed before
# anything else happens
listen() {
	nf_conntrack_listen "$R/conntrack-E.txt"
	LISTEN=1 CTN=0 CTD=0
}
unlisten() {
	i=0
	until [ "$(grep -c "\[NEW\].* src=$C4 " "$R/conntrack-E.txt")" -ge $CTN ] &&
		[ "$(grep -c "\[DESTROY\].* src=$C4 " "$R/conntrack-E.txt")" -ge $CTD ]; do
		i=$((i + 1))
		[ $i -lt $((50 * NF_TIME_SCALE)) ] || break
		sleep 0.1
	done
	nf_bg_stop $NF_CT_PID
	LISTEN=0
	nn=$(grep -c "\[NEW\].* src=$C4 " "$R/conntrack-E.txt")
	nd=$(grep -c "\[DESTROY\].* src=$C4 " "$R/conntrack-E.txt")
	[ "$nn" = $CTN ] && [ "$nd" = $CTD ] ||
		problem "$STEP: conntrack -E printed $nn NEW and $nd DESTROY, want $CTN and $CTD"
}

# begin NAME PARAMS...: collector up, module loaded with PARAMS
begin() {
	R=$W/$1
	shift
	mkdir -p "$R"
	: >"$R/want"
	: >"$R/live"
	STARTS=0 STOPS=0 LISTEN=0 ON=0
	nf_collect_start "$R/collect.txt" 127.0.0.1:$P
	nf_load protocol=10 destination=127.0.0.1:$P "$@"
}
end() {
	nf_unload
	nf_collect_stop "$R/collect.txt"
	nowarn
}

# expect_log TEXT: the module's log since the step mentions TEXT
expect_log() {
	nf_dmesg_since "step $STEP" | grep 'ipt_NETFLOW' | grep -q "$1" ||
		problem "$STEP: no log line about $1"
}

nf_nat_router_up 4 tcp
ctnl_unload

# 1. natevents=1 at load without ctnetlink, which is then loaded
step "1 load, $CTNL blocked"
block
begin s1 natevents=1
ctnl_loaded && problem "$STEP: $CTNL loaded despite the block"
ON=1
expect_log $CTNL
conns 40000
truth
step "1 modprobe $CTNL"
rm -f $BLOCK
modprobe $CTNL || fail "modprobe $CTNL failed"
truth
step "1 events with $CTNL"
listen
conns 40100
flush
truth
unlisten
step "1 natevents=0"
echo 0 >$NATSYS || fail "natevents=0 refused"
ON=0
conns 40200
flush
truth
ctnl_unload
end
verdict "1 (natevents=1 at load, $CTNL later)"

# 2. natevents=1 at run time without ctnetlink, then conntrack -E loads it
step "2 natevents=1, $CTNL blocked"
block
begin s2
echo 1 >$NATSYS || fail "natevents=1 refused"
ctnl_loaded && problem "$STEP: $CTNL loaded despite the block"
ON=1
expect_log $CTNL
conns 41000
truth
step "2 conntrack -E autoloads $CTNL"
rm -f $BLOCK
listen
i=0
until [ "$(cat /sys/module/$CTNL/initstate 2>/dev/null)" = live ] &&
	grep -q '^Natevents enabled' $NF_STAT; do
	i=$((i + 1))
	[ $i -lt $((100 * NF_TIME_SCALE)) ] || break
	sleep 0.1
done
ctnl_loaded || fail "conntrack -E did not load $CTNL"
conns 41100
flush
truth
unlisten
step "2 natevents=0"
echo 0 >$NATSYS || fail "natevents=0 refused"
ON=0
truth
end
verdict "2 (natevents=1 at run time, $CTNL by conntrack -E)"

# 3. the reverse: ctnetlink first, then natevents
step "3 $CTNL first, natevents=1"
modprobe $CTNL || fail "modprobe $CTNL failed"
begin s3 natevents=1
ON=1
listen
conns 42000
flush
truth
unlisten
step "3 rmmod $CTNL while natevents=1"
rmmod $CTNL 2>/dev/null && problem "$STEP: rmmod $CTNL worked under natevents"
listen
conns 42100
flush
truth
unlisten
step "3 natevents=0, rmmod $CTNL"
echo 0 >$NATSYS || fail "natevents=0 refused"
ON=0
truth
ctnl_unload
nowarn
end
verdict "3 ($CTNL first, then natevents=1)"

nf_bg_stop $NF_NAT_SRV
nat_down
nf_cleanup
sayt "OK"
