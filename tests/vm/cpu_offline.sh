#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Flows of a CPU that goes offline still age and leave.  Each CPU meters
# into its own table and only that CPU's scan work ages it; an offline
# CPU's table is scanned by the ageing tick instead.  Rule in OUTPUT, the
# sender pinned to cpu1, export mirrored to nf-collect and nfcapd:
#  1. flows made on cpu1 (its own counters in /proc say so), then cpu1
#     offline: they are exported within inactive_timeout + 1 s (+ slack)
#     of their last packet, not at the next flush or unload;
#  2. with cpu1 offline and flows in its table: hashsize changes and a
#     flush reach that table (nothing lost, nothing twice);
#  3. cpu1 back online meters and ages as before;
#  and nf-collect and nfdump each equal the truth exactly, 0 sequence
#  failures.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare nfcapd nfdump taskset
nf_workdir
ipt=iptables-legacy
SYSCTL=/proc/sys/net/netflow
CPU1=/sys/devices/system/cpu/cpu1/online
B=$NF_B4:5000

[ -w $CPU1 ] || fail "no cpu1 that can go offline (the VM has 2 CPUs)"
cpu1_set() {
	echo "$1" >$CPU1 || fail "cpu1 online=$1 refused"
	[ "$(cat $CPU1)" = "$1" ] || fail "cpu1 online is not $1"
}
cpu1_back() { echo 1 >$CPU1 2>/dev/null; return 0; }
NF_ON_EXIT=cpu1_back

# created1: flows created so far on cpu1, from its line in /proc
created1() {
	awk '$1 == "cpu1" { print $5 + 0; f = 1 } END { if (!f) print 0 }' \
		/proc/net/stat/ipt_netflow
}

# send1 SPORT COUNT: COUNT UDP packets from SPORT, sent from cpu1
send1() {
	taskset -c 1 "$NF_BIN/nf-send" udp $B count="$2" size=10 sport="$1" \
		>>"$W/truth.txt" || fail "nf-send on cpu1 failed"
}

nf_net_up
nf_load destination=127.0.0.1:2055,127.0.0.1:2056 maxflows=200000 inactive_timeout=2 \
	active_timeout=60
nf_nfcapd_start "$W/nfcapd" 2055
nf_collect_start "$W/collect.txt" 127.0.0.1:2056 --first-seq 0
nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $B >"$W/sink.txt"
nf_wait_udp 5000 $NF_NS
$ipt -w -I OUTPUT -o nfv0 -j NETFLOW || fail "$ipt -I OUTPUT failed"

# --- 1. ageing of an offline CPU's table
c0=$(created1)
send1 41100 3
send1 41101 4
[ "$(created1)" -ge $((c0 + 2)) ] ||
	fail "the flows were not made on cpu1 ($c0 -> $(created1) created)"
cpu1_set 0
sayt "2 flows on cpu1, cpu1 offline"
nf_wait_collected "$W/collect.txt" " sport=41101 " 4 8 ||
	fail "a flow of offline cpu1 not exported 8 s after its last packet" \
		"(inactive_timeout=2)"
nf_wait_collected "$W/collect.txt" " sport=41100 " 3 2 ||
	fail "flow 41100 of offline cpu1 not exported"
sayt "offline cpu1's flows aged out"

# --- 2. resize and flush reach the offline table
cpu1_set 1
echo 60 >$SYSCTL/inactive_timeout || fail "inactive_timeout=60 refused"
c0=$(created1)
send1 41200 5
send1 41201 6
[ "$(created1)" -ge $((c0 + 2)) ] || fail "flows 412xx not made on cpu1"
cpu1_set 0
hs=$(cat $SYSCTL/hashsize)
echo 4099 >$SYSCTL/hashsize || fail "hashsize=4099 refused, cpu1 offline"
echo "$hs" >$SYSCTL/hashsize || fail "hashsize=$hs refused, cpu1 offline"
sleep 1
[ "$(nf_collected "$W/collect.txt" " sport=4120")" = 0 ] ||
	fail "flows of offline cpu1 left before inactive_timeout=60"
grep -q " 41201 $NF_B4 " /proc/net/stat/ipt_netflow_flows ||
	fail "flow 41201 lost from offline cpu1's table by the resizes"
nf_flush
nf_wait_collected "$W/collect.txt" " sport=4120" 11 5 ||
	fail "flush did not export offline cpu1's flows"
sayt "resize kept and flush exported offline cpu1's flows"

# --- 3. back online
cpu1_set 1
echo 2 >$SYSCTL/inactive_timeout || fail "inactive_timeout=2 refused"
c0=$(created1)
send1 41300 2
[ "$(created1)" -ge $((c0 + 1)) ] || fail "flow 41300 not made on cpu1"
nf_wait_collected "$W/collect.txt" " sport=41300 " 2 8 ||
	fail "cpu1 back online: flow not exported 8 s after its last packet"
sayt "cpu1 online again meters and ages"

# --- everything, exactly, in both collectors
nf_flush
$ipt -w -D OUTPUT -o nfv0 -j NETFLOW
nf_wait_collected "$W/collect.txt" " dst=$NF_B4 " \
	"$(nf_sum "$W/truth.txt" packets)" 5 || true
nf_collect_stop "$W/collect.txt"
nf_compare nf-collect "$W/truth.txt" "$W/collect.txt"
nf_unload
nf_nfcapd_stop
nf_nfdump_compare nfdump "$W/truth.txt" "$W"
nf_nfcapd_check_seq 0 "$W/nfdump-I.txt"
sayt "OK"
