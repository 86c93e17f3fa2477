#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# net.netflow.hashsize changed at run time with flows in memory loses no
# flow and no packet.  Load with hashsize=64, meter 300 UDP flows + ICMP
# (senders pinned to CPU 0, so each flow has one entry), then:
#  - resize 64 -> 4096 -> 16 (idle): after each, /proc shows the new size,
#    and hashFlows, hashPackets and ipt_netflow_flows (lines, packets) are
#    what they were;
#  - a packet more for every flow after the resizes finds its entry (no new
#    flow created);
#  - resize 1024 -> 32 -> 2048 -> 128 while 200 more flows are being sent;
#  - flush: nf-collect gets exactly the truth (every flow, packet and byte).
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare taskset
nf_workdir
ipt=iptables-legacy
SYSCTL=/proc/sys/net/netflow
send() { taskset -c 0 "$NF_BIN/nf-send" "$@" >>"$W/truth.txt" || fail "nf-send failed"; }

nf_net_up
# maxflows 1000: hashsize may go down to 16 (chains of 64 at most)
nf_load destination=127.0.0.1:2056 hashsize=64 maxflows=1000 inactive_timeout=120 \
	active_timeout=300
nf_collect_start "$W/collect.txt" 127.0.0.1:2056 --first-seq 0
nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:5000 >"$W/sink.txt"
nf_wait_udp 5000 $NF_NS
$ipt -w -I OUTPUT -o nfv0 -j NETFLOW || fail "$ipt -I OUTPUT failed"

send udp $NF_B4:5000 count=2 size=10 ports=40000-40299 \
	icmp $NF_B4 count=3 size=20
# state: "hashsize flows packets dumplines dumppackets"
state() {
	hs=$(sed -n 's/^Hash: size \([0-9]*\) .*/\1/p' "$NF_STAT")
	awk -v hs="$hs" -v f="$(nf_snmp hashFlows)" -v p="$(nf_snmp hashPackets)" '
		/^ipv4 / { n++; s += $10 }
		END { printf "%s %s %s %d %d\n", hs, f, p, n, s }' \
		/proc/net/stat/ipt_netflow_flows
}
s0=$(state)
set -- $s0
[ "$2" = 301 ] && [ "$3" = 603 ] && [ "$4" = 301 ] && [ "$5" = 603 ] ||
	fail "before resizing: '$s0', want '64 301 603 301 603'" \
		"(size flows packets dump-lines dump-packets)"
sayt "hashsize $1: $2 flows, $3 packets in memory"
for hs in 4096 16; do
	echo $hs >$SYSCTL/hashsize || fail "hashsize=$hs refused"
	s=$(state)
	[ "$s" = "$hs ${s0#* }" ] || fail "after hashsize=$hs: '$s', want '$hs ${s0#* }'"
	[ "$(cat $SYSCTL/hashsize)" = $hs ] || fail "sysctl hashsize reads $(cat $SYSCTL/hashsize)"
	sayt "hashsize $hs: $s (size flows packets dump-lines dump-packets)"
done

f0=$(nf_snmp inFlows)
send udp $NF_B4:5000 count=1 size=10 ports=40000-40299
[ "$(nf_snmp inFlows)" = "$f0" ] ||
	fail "$(($(nf_snmp inFlows) - f0)) new flows for packets of existing ones" \
		"after resizing"
[ "$(nf_snmp hashPackets)" = 903 ] || fail "$(nf_snmp hashPackets) packets held, want 903"
sayt "300 more packets all found their flows (inFlows stays $f0)"

# resize under traffic
taskset -c 0 "$NF_BIN/nf-send" --interval-ms 2 \
	udp $NF_B4:5000 count=5 size=30 ports=46000-46199 >"$W/truth-bg.txt" &
bg=$!
for hs in 1024 32 2048 128; do
	echo $hs >$SYSCTL/hashsize || fail "hashsize=$hs refused under traffic"
	sleep 0.2
done
kill -0 $bg 2>/dev/null && sayt "resized 4 times while sending" ||
	sayt "WARNING: the sender ended before the last resize"
wait $bg || fail "background nf-send failed"
cat "$W/truth-bg.txt" >>"$W/truth.txt"
pkts=$(nf_sum "$W/truth.txt" packets)
[ "$(nf_snmp hashPackets)" = "$pkts" ] ||
	fail "$(nf_snmp hashPackets) packets held, $pkts sent"
[ "$(nf_snmp hashFlows)" = 501 ] || fail "$(nf_snmp hashFlows) flows held, want 501"
sayt "$(state) after resizing under traffic"

nf_flush
$ipt -w -D OUTPUT -o nfv0 -j NETFLOW
nf_wait_collected "$W/collect.txt" " dst=$NF_B4 " "$pkts" 5 ||
	fail "$(nf_collected "$W/collect.txt" " dst=$NF_B4 ") of $pkts packets exported"
nf_collect_stop "$W/collect.txt"
nf_compare export "$W/truth.txt" "$W/collect.txt"
[ "$(grep -c '^flow ' "$W/collect.txt")" = 501 ] ||
	fail "$(grep -c '^flow ' "$W/collect.txt") records for 501 flows"
sayt "OK"
