#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A collector that is not there, then comes back, without reloading the
# module.  Each round sends 5 one-packet UDP flows over the veth (rule in
# OUTPUT) and flushes them: one PDU of 5 records.
#  A. 127.0.0.1:2058, nobody listening: the PDUs draw ICMP port
#     unreachables, which the socket reports on the next send: sock0's
#     cberr counts them (>= rounds - 1).  Then nf-collect starts on 2058:
#     the next round arrives exactly (a pending ICMP error costs no PDU),
#     with flow_sequence = the flows sent before (15).
#  B. destination 10.98.0.1:2059 (sysctl), no route: the socket cannot
#     connect; sock0 shows it unconnected with its attempts, and Export:
#     counts the PDU and its 5 flows as errors and lost (also snmp
#     lostFlows).  Then a dummy interface with 10.98.0.1 and nf-collect
#     appear: after the retry interval the socket connects on its own and
#     the next round arrives exactly.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare
nf_workdir
NF_ON_EXIT='ip link del nfdummy 2>/dev/null'
ipt=iptables-nft
SYSCTL=/proc/sys/net/netflow

nf_net_up
nf_load destination=127.0.0.1:2058 inactive_timeout=120 active_timeout=300
nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:5000 >"$W/sink.txt"
nf_wait_udp 5000 $NF_NS
$ipt -w -I OUTPUT -o nfv0 -j NETFLOW || fail "$ipt -I OUTPUT failed"

# round N: 5 new flows (ports 400N0..400N4), flushed: one PDU
round() {
	"$NF_BIN/nf-send" udp $NF_B4:5000 count=1 size=$((10 * $1)) \
		ports=40${1}00-40${1}04 >"$W/truth$1.txt" || fail "nf-send failed"
	nf_flush
}
# export_fig: "pkts flows errors lostpkts lostflows" of the Export: line
export_fig() {
	sed -n 's/^Export: .*Total \([0-9]*\) pkts, [0-9]* MB, \([0-9]*\) flows; Errors \([0-9]*\) pkts; Lost \([0-9]*\) pkts, \([0-9]*\) flows\.$/\1 \2 \3 \4 \5/p' "$NF_STAT"
}
sock0() { grep '^sock0: ' "$NF_STAT"; }

# --- A. no listener
for r in 1 2 3; do
	round $r
	sleep 0.3	# the ICMP error comes back
done
s=$(sock0)
sayt "no listener, 3 PDUs: $s"
sayt "Export: $(export_fig) (pkts flows errors lost-pkts lost-flows)"
cberr=$(echo "$s" | sed -n 's/.* cberr \([0-9]*\),.*/\1/p')
[ -n "$cberr" ] || fail "no cberr figure in: $s"
[ "$cberr" -ge 2 ] || fail "sock0 cberr $cberr after 3 PDUs to a closed port"

nf_collect_start "$W/collectA.txt" 127.0.0.1:2058
round 4
nf_wait_collected "$W/collectA.txt" " dport=5000 " 5 5 ||
	fail "collector back on 2058: round 4 did not arrive"
nf_collect_stop "$W/collectA.txt"
nf_compare recovered-A "$W/truth4.txt" "$W/collectA.txt"
seq=$(sed -n 's/^pdu .* seq=\([0-9]*\) .*/\1/p' "$W/collectA.txt" | head -n 1)
[ "$seq" = 15 ] ||
	fail "first PDU after recovery has flow_sequence $seq, want 15 (flows before)"
sayt "recovered: round 4 exact, flow_sequence $seq; $(sock0)"

# --- B. unreachable collector: cannot connect
echo 10.98.0.1:2059 >$SYSCTL/destination || fail "destination write refused"
set -- $(export_fig)
e0=$3 lp0=$4 lf0=$5
lost0=$(nf_snmp lostFlows)
round 5
s=$(sock0)
sayt "no route: $s"
echo "$s" | grep -q '^sock0: 10\.98\.0\.1:2059 unconnected ([1-9][0-9]* attempts)\.$' ||
	fail "sock0 not shown unconnected with its attempts: $s"
set -- $(export_fig)
sayt "Export: $*"
[ "$3 $4 $5" = "$((e0 + 1)) $((lp0 + 1)) $((lf0 + 5))" ] ||
	fail "Export: errors/lost pkts/lost flows '$3 $4 $5', want" \
		"'$((e0 + 1)) $((lp0 + 1)) $((lf0 + 5))' (one PDU of 5 flows lost)"
[ "$(nf_snmp lostFlows)" = $((lost0 + 5)) ] ||
	fail "snmp lostFlows $(nf_snmp lostFlows), want $((lost0 + 5))"

ip link add nfdummy type dummy && ip addr add 10.98.0.1/24 dev nfdummy &&
	ip link set nfdummy up || fail "dummy interface"
nf_collect_start "$W/collectB.txt" 10.98.0.1:2059
sleep 1.2	# the retry interval (1 s) since the last attempt
round 6
nf_wait_collected "$W/collectB.txt" " dport=5000 " 5 5 ||
	fail "collector reachable: round 6 did not arrive; $(sock0)"
nf_collect_stop "$W/collectB.txt"
nf_compare recovered-B "$W/truth6.txt" "$W/collectB.txt"
s=$(sock0)
sayt "reconnected: $s"
echo "$s" | grep -q '^sock0: 10\.98\.0\.1:2059, .* connect [1-9][0-9]*, cberr [0-9]*, other 0; sent 1 pkt ' ||
	fail "sock0 after reconnecting: want failed connects counted, 1 PDU sent: $s"
$ipt -w -D OUTPUT -o nfv0 -j NETFLOW
sayt "OK"
