#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# NetFlow v5 against the ground truth, with real collectors.
#
# nf-send sends UDP (many ports, sizes, a TOS), TCP (SYN..FIN, lone SYN)
# and ICMP flows over a veth into a netns; -j NETFLOW meters them in
# OUTPUT (-o the veth: only what nf-send sends; one UDP flow goes to a
# network routed via the peer, which drops it).  The module mirrors every
# PDU to nfcapd (127.0.0.1:2055, also captured with dumpcap for tshark), to
# nf-collect (127.0.0.1:2056), to pmacct's nfacctd (127.0.0.1:2057) and to
# a second nf-collect on an IPv6 address ([::1]:2059).
# Asserts:
#  - the flows leave by the inactive timeout (2 s) without a flush;
#  - nfdump -o csv, tshark, nfacctd and nf-collect each show exactly the
#    packets, bytes and TCP flags of every flow of the truth, and nothing
#    else;
#  - 0 sequence failures (nfdump -I, nfcapd) and no format or sequence
#    error in nf-collect, which starts at sequence 0;
#  - the collector on [::1] gets the very PDUs of 127.0.0.1:2056;
#  - record fields: engine_id, output ifindex, input 0, TOS, next hop: the
#    gateway for a flow routed via one, 0.0.0.0 for the directly connected
#    peer, also for the TCP and ICMP flows, which nf-send sends on raw
#    IP_HDRINCL sockets;
#  - first/last of every record are the real wall-clock time of sending
#    (nf-collect, to 0.5 s) and nfdump's ts/te too (to its 1 s resolution);
#  - /proc: traffic = truth, Export totals = what the collectors got,
#    no errors, nothing lost, one sockN line per destination ([::1]:2059
#    for the IPv6 one).
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare nfcapd nfdump dumpcap \
	tshark nfacctd
nf_workdir
ipt=iptables-nft
P_NFCAPD=2055 P_COLLECT=2056 P_NFACCTD=2057 P_COLLECT6=2059 ENGINE=7 NDEST=4

# collectors and sinks start at once (each is slow to start in TCG)
nf_capture_begin "$W/export.pcap" "udp port $P_NFCAPD"
nf_nfacctd_start "$W/nfacctd" $P_NFACCTD
nf_nfcapd_start "$W/nfcapd" $P_NFCAPD
nf_collect_start "$W/collect6.txt" "[::1]:$P_COLLECT6" --first-seq 0
c6=$NF_COLLECT_PID
nf_collect_start "$W/collect.txt" 127.0.0.1:$P_COLLECT --first-seq 0
nf_net_up
# sinks, so that no port unreachable comes back (not that it would count)
for p in 5000 5001; do
	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:$p >"$W/sink$p.txt"
done
nf_load destination=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT,127.0.0.1:$P_NFACCTD,[::1]:$P_COLLECT6 \
	inactive_timeout=2 active_timeout=120 engine_id=$ENGINE
oif=$(cat /sys/class/net/nfv0/ifindex)
for p in 5000 5001; do nf_wait_udp $p $NF_NS; done
nf_wait_udp $P_NFACCTD
nf_capture_wait "$W/export.pcap"

sayt "collectors up"
ip route add 198.51.100.0/24 via $NF_B4 || fail "ip route add"
$ipt -w -I OUTPUT -o nfv0 -j NETFLOW || fail "$ipt -I OUTPUT failed"

B=$NF_B4
t0=$(nf_now_ms)
"$NF_BIN/nf-send" \
	udp $B:5000 count=10 size=100 sport=40000 \
	udp $B:5000 count=1 size=1 ports=41000-41039 \
	udp $B:5001 count=5 size=1400 sport=40001 \
	udp $B:5001 count=3 size=0 sport=40002 tos=16 \
	udp $B:5001 count=2 size=333 sport=40003 \
	udp 198.51.100.7:5000 count=2 size=50 sport=40004 \
	tcp $B:80 count=5 size=200 syn fin sport=42000 \
	tcp $B:81 count=0 syn sport=42001 \
	tcp $B:82 count=3 size=10 flags=0x10 sport=42002 \
	icmp $B count=3 size=56 id=4242 \
	icmp $B count=2 size=12 type=13 >"$W/truth.txt" ||
	fail "nf-send failed"
t1=$(nf_now_ms)
nflows=$(grep -c '^flow ' "$W/truth.txt")
pkts=$(nf_sum "$W/truth.txt" packets)
bytes=$(nf_sum "$W/truth.txt" bytes)
sayt "sent $nflows flows, $pkts packets, $bytes bytes in $((t1 - t0)) ms"

# The inactive timeout alone exports them: 2 s + a 1 s scan + slack.
nf_wait_snmp hashFlows -eq 0 10 ||
	fail "$(nf_snmp hashFlows) flows still in memory 10 s after sending" \
		"(inactive_timeout=2)"
nf_flush
t2=$(nf_now_ms)
sayt "cache empty by inactive timeout within $((t2 - t1)) ms of the last send"
$ipt -w -D OUTPUT -o nfv0 -j NETFLOW

[ "$(nf_snmp inPackets)" = "$pkts" ] ||
	fail "module counted $(nf_snmp inPackets) packets, sent $pkts"
[ "$(nf_snmp inBytes)" = "$bytes" ] ||
	fail "module counted $(nf_snmp inBytes) bytes, sent $bytes"
[ "$(nf_stat_pkts)" = "$pkts" ] ||
	fail "Total line: $(nf_stat_pkts) packets, sent $pkts"

nf_wait_collected "$W/collect.txt" " dst=" "$pkts" 5 ||
	fail "nf-collect got $(nf_collected "$W/collect.txt" " dst=") of $pkts packets"
nf_nfacctd_wait "$W/nfacctd" "$pkts" 5 || sayt "nfacctd has not all (yet)"
nf_capture_stop "$W/collect.txt"
nf_nfcapd_stop
nf_collect_stop "$W/collect.txt"
nf_collect_stop "$W/collect6.txt" $c6
nf_nfacctd_stop "$W/nfacctd"
cp "$NF_STAT" "$W/stat.txt"
cat /proc/net/stat/ipt_netflow_snmp >"$W/snmp.txt"

# --- every collector shows exactly the truth
nf_compare nf-collect "$W/truth.txt" "$W/collect.txt"
sed 's/ exporter=[^ ]*//' "$W/collect.txt" >"$W/collect.cmp"
sed 's/ exporter=[^ ]*//' "$W/collect6.txt" >"$W/collect6.cmp"
cmp -s "$W/collect.cmp" "$W/collect6.cmp" || {
	diff "$W/collect.cmp" "$W/collect6.cmp" | head -n 10 >&2
	fail "the collector on [::1] got other PDUs than 127.0.0.1"
}
nf_nfdump_compare nfdump "$W/truth.txt" "$W"
nf_nfacctd_compare nfacctd "$W/truth.txt" "$W/nfacctd/flows.txt"
nf_tshark_fields "$W/export.pcap" $P_NFCAPD >"$W/tshark.txt" 2>"$W/tshark.err" ||
	fail "tshark failed: $(cat "$W/tshark.err")"
nf_compare tshark --format tshark "$W/truth.txt" "$W/tshark.txt"

# --- sequence numbers
nf_nfcapd_check_seq 0 "$W/nfdump-I.txt"
recs=$(grep -c '^flow ' "$W/collect.txt")
pdus=$(grep -c '^pdu ' "$W/collect.txt")
nfrecs=$(sed -n 's/^Flows: //p' "$W/nfdump-I.txt")
[ "$nfrecs" = "$recs" ] ||
	fail "nfcapd stored $nfrecs records, nf-collect decoded $recs"
[ "$pdus" -ge $(((recs + 29) / 30)) ] || fail "$recs records in $pdus PDUs?"
sayt "$recs records in $pdus PDUs, 0 sequence failures (nfdump -I, nf-collect)"

# --- timestamps: a record's first/last in wall-clock time (uptime-based
# offsets from the header's unix time) lie within the sending interval
awk -v t0="$t0" -v t1="$t1" -v slack=500 '
	function kv(k,   i) {
		for (i = 2; i <= NF; i++)
			if (index($i, k "=") == 1) return substr($i, length(k) + 2)
	}
	$1 == "pdu" { now = kv("unix_secs") * 1000 + int(kv("unix_nsecs") / 1e6); up = kv("uptime") }
	$1 == "flow" {
		f = now - (up - kv("first")); l = now - (up - kv("last"))
		if (f < t0 - slack || l > t1 + slack || f > l) {
			printf "first %+d ms, last %+d ms of the sending interval [%d, %d]: %s\n",
				f - t0, l - t1, t0, t1, $0
			bad = 1
		}
		if (f - t0 < mn || !n++) mn = f - t0
		if (l - t1 > mx || n == 1) mx = l - t1
	}
	END { printf "first-t0 >= %d ms, last-t1 <= %d ms\n", mn, mx; exit bad }' \
	"$W/collect.txt" >"$W/times.txt" || {
	cat "$W/times.txt" >&2
	fail "record times are not the wall-clock time of sending"
}
sayt "record times vs sending interval: $(tail -n 1 "$W/times.txt")"
awk -F, -v t0=$((t0 / 1000)) -v t1=$(((t1 + 999) / 1000)) '
	NR == 1 || !/^[0-9][0-9][0-9][0-9]-/ { next }
	{
		ts = $1; te = $2; gsub(/[-:]/, " ", ts); gsub(/[-:]/, " ", te)
		ts = mktime(ts); te = mktime(te)
		if (ts < t0 - 2 || te > t1 + 2 || ts > te) {
			print "nfdump ts/te " $1 " / " $2 " outside the sending interval" \
				" (+-2 s): " strftime("%F %T", t0) " .. " strftime("%F %T", t1)
			bad = 1
		}
		n++
	}
	END { if (!n) { print "no records in the csv"; bad = 1 }; exit bad }' \
	"$W/nfdump.csv" >&2 || fail "nfdump shows times other than the real ones"

# --- the module's own export figures
exp=$(sed -n 's/^Export: .*Total \([0-9]*\) pkts, [0-9]* MB, \([0-9]*\) flows; Errors \([0-9]*\) pkts; Lost \([0-9]*\) pkts, \([0-9]*\) flows\.$/\1 \2 \3 \4 \5/p' "$W/stat.txt")
[ -n "$exp" ] || { cat "$W/stat.txt" >&2; fail "no Export: line"; }
set -- $exp
[ "$1 $2 $3 $4 $5" = "$((NDEST * pdus)) $recs 0 0 0" ] || {
	grep -E '^(Export|sock)' "$W/stat.txt" >&2
	fail "Export: '$exp', want $((NDEST * pdus)) pkts ($NDEST collectors)," \
		"$recs flows, no errors, nothing lost"
}
for s in "0: 127\.0\.0\.1:$P_NFCAPD" "1: 127\.0\.0\.1:$P_COLLECT" \
	"2: 127\.0\.0\.1:$P_NFACCTD" "3: \[::1\]:$P_COLLECT6"; do
	grep -q "^sock$s, .*err: sndbuf reached 0, connect 0, cberr 0, other 0; sent $pdus pkt " "$W/stat.txt" || {
		grep '^sock' "$W/stat.txt" >&2
		fail "sock$s: want no errors and $pdus PDUs sent"
	}
done
[ "$(awk '$1 == "outFlows" { print $2 }' "$W/snmp.txt")" = "$recs" ] ||
	fail "snmp outFlows is not $recs"

# --- record fields (last: the other checks run whatever these say).
# Next hop: the gateway for the routed flow, 0.0.0.0 for the directly
# connected peer whatever socket sent it; the kernel also sets rt_gw4 (to
# the destination itself) on routes it does not cache (raw IP_HDRINCL
# sockets' "known next hop" routes, routes bound to a PMTU/redirect
# exception), where rt_uses_gateway stays 0.
awk -v eng=$ENGINE -v oif="$oif" -v peer=$NF_B4 '
	$1 == "pdu" && $0 !~ (" engine_type=0 engine_id=" eng " ") {
		print "bad engine in: " $0; bad = 1 }
	$1 == "flow" {
		tos = (index($0, " sport=40002 ") ? 16 : 0)
		nh = index($0, " dst=198.51.100.7 ") ? peer : "0.0.0.0"
		if (!index($0, " nexthop=" nh " in_if=0 out_if=" oif " tos=" tos " ")) {
			print "bad fields (want nexthop " nh ", in_if 0, out_if " oif ", tos " tos "): " $0
			bad = 1
		}
	}
	END { exit bad }' "$W/collect.txt" >"$W/fields.txt" || {
	cat "$W/fields.txt" >&2
	fail "wrong engine_id, interfaces, next hop or TOS in $(grep -c . "$W/fields.txt") records"
}

sayt "OK"
