#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Ageing, measured on the export (nf-collect on 127.0.0.1:2056, rule in
# OUTPUT of iptables-legacy).  A record's delay after its due time is
# exact from the PDU itself: header sys_uptime minus the record's Last
# (idle) or First (age), all in the module's own milliseconds; the
# header's unix time, checked against the wall clock of sending, ties those
# to real time.  Every flow is due within 1 s (one full scan) of its time;
# LATE_MS more is allowed for TCG scheduling.
#  1. inactive: a flow idle for inactive_timeout=2 is exported 2..3 s after
#     its last packet, and not before;
#  2. active: a flow with a packet every 200 ms for 6 s with
#     active_timeout=3 gives an interim record exported 3..4 s after its
#     First while the flow still ran, and the records add up to the truth;
#  3. TCP FIN and RST: with inactive_timeout=30 such flows leave 2..3 s
#     after their last packet (the 2 s grace), while a TCP flow without
#     FIN/RST and a UDP flow sent alongside stay in the cache;
#  and after a flush, everything nf-collect got equals the truth exactly.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare
nf_workdir
ipt=iptables-legacy
LATE_MS=${NF_LATE_MS:-300}
SYSCTL=/proc/sys/net/netflow

nf_net_up
nf_load destination=127.0.0.1:2056 inactive_timeout=2 active_timeout=60
nf_collect_start "$W/collect.txt" 127.0.0.1:2056 --first-seq 0
nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:5000 >"$W/sink.txt"
nf_wait_udp 5000 $NF_NS
$ipt -w -I OUTPUT -o nfv0 -j NETFLOW || fail "$ipt -I OUTPUT failed"
B=$NF_B4:5000

# check_delay WHAT MATCH FIELD DUE: every record of MATCH was exported
# DUE..DUE+1000+LATE_MS ms after its FIELD (first or last); prints them
check_delay() {
	nf_v5_times "$W/collect.txt" "$2" >"$W/$1.times"
	[ -s "$W/$1.times" ] || fail "$1: no record"
	awk -v what="$1" -v f="$3" -v due="$4" -v late=$LATE_MS '{
		d = $2 - (f == "first" ? $3 : $4)
		printf "%s: exported %d ms after its %s (due %d)\n", what, d, f, due
		if (d < due || d > due + 1000 + late) bad = 1
	} END { exit bad }' "$W/$1.times" >"$W/$1.out" || {
		cat "$W/$1.out" >&2
		fail "$1: not exported within 1 s (+$LATE_MS ms) of its due time"
	}
	while read -r l; do sayt "$l"; done <"$W/$1.out"
}

# check_wall WHAT T0 T1: the records' Last, in wall-clock time, lies in
# [T0, T1] (the sending interval, 50 ms for rounding)
check_wall() {
	awk -v t0="$2" -v t1="$3" '{
		l = $1 - ($2 - $4)
		if (l < t0 - 50 || l > t1 + 50) {
			printf "Last at %+d ms from the start, %+d from the end of sending\n",
				l - t0, l - t1; bad = 1 }
	} END { exit bad }' "$W/$1.times" >&2 ||
		fail "$1: record times are not the wall-clock time of sending"
}

# --- 1. inactive timeout
t0=$(nf_now_ms)
"$NF_BIN/nf-send" udp $B count=3 size=10 sport=40100 >>"$W/truth.txt" ||
	fail "nf-send failed"
t1=$(nf_now_ms)
nf_wait_collected "$W/collect.txt" " sport=40100 " 3 8 ||
	fail "inactive: flow not exported 8 s after its last packet" \
		"(inactive_timeout=2)"
check_delay inactive " sport=40100 " last 2000
check_wall inactive "$t0" "$t1"

# --- 2. active timeout: 30 packets 200 ms apart
echo 3 >$SYSCTL/active_timeout || fail "active_timeout=3 refused"
t0=$(nf_now_ms)
"$NF_BIN/nf-send" --interval-ms 200 udp $B count=30 size=20 sport=40200 \
	>>"$W/truth.txt" || fail "nf-send failed"
t1=$(nf_now_ms)
sayt "active: 30 packets in $((t1 - t0)) ms"
nf_wait_collected "$W/collect.txt" " sport=40200 " 30 8 ||
	fail "active: $(nf_collected "$W/collect.txt" " sport=40200 ") of 30" \
		"packets exported 8 s after the last one"
nf_v5_times "$W/collect.txt" " sport=40200 " >"$W/active.times"
# a record exported less than inactive_timeout after its Last left by the
# active timeout: due 3 s after First, and at least one must have left
# while the flow still ran (before nf-send ended); the others left idle,
# due 2 s after Last
awk -v late=$LATE_MS -v t1="$t1" '{
	idle = $2 - $4; age = $2 - $3
	if (idle < 2000) {
		interim++
		printf "interim record: exported %d ms after First (due 3000), %d packets\n", age, $5
		if (age < 3000 || age > 4000 + late) bad = 1
		if ($1 <= t1) running++
	} else {
		printf "final record: exported %d ms after Last (due 2000), %d packets\n", idle, $5
		if (idle > 3000 + late || age < idle) bad = 1
	}
} END {
	if (running < 1) { print "no interim record while the flow ran"; bad = 1 }
	exit bad
}' \
	"$W/active.times" >"$W/active.out" || {
	cat "$W/active.out" >&2
	fail "active timeout: no interim record within 1 s of its due time"
}
while read -r l; do sayt "active: $l"; done <"$W/active.out"
echo 60 >$SYSCTL/active_timeout

# --- 3. TCP FIN / RST leave early; the rest waits for inactive_timeout=30
echo 30 >$SYSCTL/inactive_timeout || fail "inactive_timeout=30 refused"
t0=$(nf_now_ms)
"$NF_BIN/nf-send" \
	tcp $NF_B4:80 count=2 size=10 syn fin sport=42100 \
	tcp $NF_B4:81 count=1 size=0 flags=0x14 sport=42101 \
	tcp $NF_B4:82 count=2 size=10 syn sport=42102 \
	udp $B count=2 size=10 sport=40300 >>"$W/truth.txt" ||
	fail "nf-send failed"
t1=$(nf_now_ms)
nf_wait_collected "$W/collect.txt" " sport=42100 " 4 6 ||
	fail "FIN: flow not exported within 6 s (inactive_timeout=30)"
nf_wait_collected "$W/collect.txt" " sport=42101 " 1 6 ||
	fail "RST: flow not exported within 6 s (inactive_timeout=30)"
check_delay fin " sport=42100 " last 2000
check_delay rst " sport=42101 " last 2000
check_wall fin "$t0" "$t1"
sleep 1
for m in " sport=42102 " " sport=40300 "; do
	[ "$(nf_collected "$W/collect.txt" "$m")" = 0 ] ||
		fail "flow with$m exported early (no FIN/RST, inactive_timeout=30)"
done
cat /proc/net/stat/ipt_netflow_flows >"$W/flows.txt"
for p in 42102 40300; do
	grep -q "^ipv4 [0-9]* $NF_A4 $p $NF_B4 " "$W/flows.txt" || {
		cat "$W/flows.txt" >&2
		fail "flow from port $p not in ipt_netflow_flows"
	}
done
sayt "TCP without FIN/RST and UDP flows still in the cache after 3 s"

# --- everything, exactly
nf_flush
$ipt -w -D OUTPUT -o nfv0 -j NETFLOW
nf_wait_collected "$W/collect.txt" " dst=$NF_B4 " \
	"$(nf_sum "$W/truth.txt" packets)" 5 || true
nf_collect_stop "$W/collect.txt"
nf_compare all "$W/truth.txt" "$W/collect.txt"
sayt "OK"
