#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ipv4Options (208) and tcpOptions (209) in NetFlow v9 and IPFIX.
# vm-timeout: 600
#
# For protocol 9, then 10: nf-send (pinned to one CPU, so every flow is
# one record) sends, over a veth into a netns, UDP with IPv4 options set
# by IP_OPTIONS (router alert, timestamp, record route), raw TCP and ICMP
# with IPv4 and TCP option bytes chosen exactly (assigned, unassigned and
# malformed IPv4 types; TCP kinds 0-4, 30, 34, 64), flows without any,
# and flows whose options come only with later packets (the move into
# the larger flow object); and one such UDP flow from the netns, metered
# in PREROUTING (softirq, where the others are metered in the sender's
# process context).  Asserts:
#  - nf-collect and tshark (pdml) show, per flow, exactly the expected
#    ipv4Options (bit X for assigned option number X) and tcpOptions (bit
#    k for kind k <= 63; kind 34 at bit 34, kind 64 nowhere); 208 is in the
#    IPv4 templates only, 209 in those with ports only;
#  - nf-collect, nfdump and tshark count exactly the packets and bytes
#    sent (option bytes included), nf-collect and nfdump/nfcapd see no
#    sequence failure (IPFIX: but nfdump's options-record quirk);
#  - /proc: 400 IPv4 flows take 64 bytes each in "mem", the same 400
#    flows 72 bytes once their later packets carried options (moved, not
#    doubled), and nothing once flushed.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare nfcapd nfdump dumpcap \
	tshark taskset
nf_workdir
P_NFCAPD=2055 P_COLLECT=2056

# want SPORT: "IPV4OPTIONS TCPOPTIONS" in decimal, "-" where the template
# has no such element.  ICMP (sport 0) carries router alert only.
want() {
	case $1 in
	40300) echo "1048721 0" ;;		# RA 20, RR 7, TS 4, EOOL 0
	40301) echo "1048576 0" ;;		# RA, from the 3rd packet on
	40302) echo "0 0" ;;
	42300) echo "0 17179869215" ;;		# 34, 4, 3, 2, 1, 0; not 64
	42301) echo "0 258" ;;			# NOP NOP TS
	42302) echo "1073743875 0" ;;		# EXP 30, MTUP 11, NOP, EOOL
	42303) echo "2048 0" ;;			# MTUP; CIPSO of length 0 stops
	42304) echo "1048576 2" ;;		# RA and NOPs from the 3rd on
	42310) echo "- 18253611009" ;;		# IPv6: 34, 30, 0
	40400) echo "1048576 0" ;;		# received: RA from the 3rd on
	0) echo "1048576 -" ;;			# ICMP: RA
	*) echo "? ?" ;;
	esac
}
NFLOWS=11

# The flows; the same sport twice is one flow whose later packets differ.
# IPv4 options: 94 RA, 44 TS (pointer 5, 2 slots), 07 RR (pointer 4, one
# address), 00 EOOL; 0b MTUP, 9a unassigned (number 26), de EXP, 01 NOP,
# 86 CIPSO with length 0.  TCP: 02 MSS, 01 NOP, 03 WS, 22 (34) Fast Open,
# 40 (64), 04 SACK permitted, 00 EOL, 08 timestamps, 1e (30) MPTCP.
send_flows() {
	B=$NF_B4 B6="[$NF_B6]"
	taskset -c 0 "$NF_BIN/nf-send" \
		udp $B:5000 count=3 size=20 sport=40300 \
			ipopts=94040000440c050000000000000000000707040000000000 \
		udp $B:5001 count=2 size=10 sport=40301 \
		udp $B:5001 count=2 size=10 sport=40301 ipopts=94040000 \
		udp $B:5001 count=1 size=10 sport=40301 \
		udp $B:5002 count=2 size=10 sport=40302 \
		tcp $B:80 count=2 size=10 sport=42300 syn fin \
			tcpopts=020405b401030307220201014004000004020000 \
		tcp $B:81 count=3 size=10 sport=42301 \
			tcpopts=0101080a0000000100000002 \
		tcp $B:82 count=2 size=5 sport=42302 \
			ipopts=0b04ffff9a040000de04000001010100 \
		tcp $B:83 count=2 size=5 sport=42303 ipopts=0b04ffff86000000 \
		tcp $B:84 count=1 size=5 sport=42304 syn \
		tcp $B:84 count=2 size=5 sport=42304 ipopts=94040000 \
			tcpopts=01010101 \
		icmp $B count=2 size=8 id=4245 ipopts=94040000 \
		tcp6 $B6:80 count=2 size=10 sport=42310 tcpopts=1e04000022020000 \
		>"$1" || fail "nf-send failed"
	ip netns exec $NF_NS taskset -c 0 "$NF_BIN/nf-send" \
		udp $NF_A4:5004 count=2 size=10 sport=40400 \
		udp $NF_A4:5004 count=2 size=10 sport=40400 ipopts=94040000 \
		>>"$1" || fail "nf-send in $NF_NS failed"
}

# check WHAT FILE: FILE has "SPORT IP4 TCP" per record; every flow once,
# with want()'s values
check() {
	n=0
	while read -r sport ip4 tcp; do
		[ "$(want "$sport")" = "$ip4 $tcp" ] ||
			fail "$1: sport $sport has ipv4Options $ip4, tcpOptions $tcp; want $(want "$sport")"
		n=$((n + 1))
	done <"$2"
	[ $n = $NFLOWS ] || fail "$1: $n records, want $NFLOWS (one per flow)"
	[ "$(sort -u "$2" | wc -l)" = $NFLOWS ] || fail "$1: a flow twice"
	sayt "$1: ipv4Options and tcpOptions right in $n records"
}

# memory: "mem NK" of the Flows: line; flows: "active N"
nf_mem() { sed -n 's/^Flows: active .* mem \([0-9]*\)K,.*/\1/p' "$NF_STAT"; }
nf_active() { sed -n 's/^Flows: active \([0-9]*\) .*/\1/p' "$NF_STAT"; }

run() {
	proto=$1
	D=$W/p$proto
	mkdir -p "$D"
	nf_capture_begin "$D/export.pcap" "udp port $P_NFCAPD"
	nf_nfcapd_start "$D/nfcapd" $P_NFCAPD
	nf_collect_start "$D/collect.txt" 127.0.0.1:$P_COLLECT --first-seq 0
	nf_capture_wait "$D/export.pcap"
	nf_load protocol=$proto \
		destination=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT \
		inactive_timeout=60 active_timeout=120
	iptables-nft -w -I OUTPUT -o nfv0 -j NETFLOW &&
		iptables-nft -w -t raw -I PREROUTING -i nfv0 -p udp --dport 5004 \
			-j NETFLOW || fail "iptables -j NETFLOW failed"
	ip6tables-nft -w -A OUTPUT -o nfv0 -p icmpv6 --icmpv6-type 135 -j RETURN &&
		ip6tables-nft -w -A OUTPUT -o nfv0 -p icmpv6 --icmpv6-type 136 -j RETURN &&
		ip6tables-nft -w -A OUTPUT -o nfv0 -s $NF_A6 -j NETFLOW ||
		fail "ip6tables -j NETFLOW failed"

	send_flows "$D/truth.txt"
	pkts=$(nf_sum "$D/truth.txt" packets)
	sayt "v$proto: sent $(grep -c '^flow ' "$D/truth.txt") flow lines, $pkts packets"
	cp "$NF_STAT" "$D/stat-held.txt"
	nf_flush
	nf_wait_collected "$D/collect.txt" " dst=" "$pkts" 10 ||
		fail "nf-collect got $(nf_collected "$D/collect.txt" " dst=") of $pkts packets"

	iptables-nft -w -D OUTPUT -o nfv0 -j NETFLOW
	iptables-nft -w -t raw -F PREROUTING
	ip6tables-nft -w -F OUTPUT
	nf_capture_stop "$D/collect.txt"
	nf_nfcapd_stop
	nf_collect_stop "$D/collect.txt"

	# --- packets and bytes, option bytes included
	nf_compare p$proto-nf-collect "$D/truth.txt" "$D/collect.txt"
	nf_nfdump_compare p$proto-nfdump "$D/truth.txt" "$D"
	nf_tshark_pdml "$D/export.pcap" $P_NFCAPD "$D/tshark.pdml"
	nf_compare p$proto-tshark --format tshark-pdml "$D/truth.txt" \
		"$D/tshark.pdml"

	# --- the option bits, nf-collect
	awk '$1 == "flow" && / dst=192\.0\.2\.[12] | dst=2001:db8:f10::2 / {
		s = 0; i4 = t = "-"
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "sport") s = kv[2]
			if (kv[1] == "ipv4_options") i4 = kv[2]
			if (kv[1] == "tcp_options") t = kv[2]
		}
		print s, i4, t }' "$D/collect.txt" >"$D/collect-opts.txt"
	check "v$proto nf-collect" "$D/collect-opts.txt"

	# --- the same in tshark: cflow.option_map (208) and
	# cflow.tcp_option_map (209) are raw bytes, shown in hex
	awk '
	function attr(k) {
		if (!match($0, " " k "=\"[^\"]*\"")) return ""
		return substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 4)
	}
	function num(s,   i, v) {
		if (s == "") return "-"
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return sprintf("%.0f", v)
	}
	function endrec() {
		if (inrec && proto != "")
			print (sport == "" ? 0 : sport), num(i4), num(t)
		inrec = 0; proto = sport = i4 = t = ""
	}
	/name="cflow.flowset_id"/ { endrec() }
	/name="" show="Flow [0-9]/ { endrec(); inrec = 1; next }
	inrec && /name="cflow.protocol"/ { proto = attr("show") }
	inrec && /name="cflow.srcport"/ { sport = attr("show") }
	inrec && /name="cflow.option_map"/ { i4 = attr("value") }
	inrec && /name="cflow.tcp_option_map"/ { t = attr("value") }
	END { endrec() }' "$D/tshark.pdml" >"$D/tshark-opts.txt"
	check "v$proto tshark" "$D/tshark-opts.txt"

	# --- sequence numbers: nf-collect checked them; nfdump and nfcapd
	nfseq=0
	[ $proto = 9 ] || nfseq=$(nf_nfdump_ipfix_seq "$D/collect.txt")
	nf_nfcapd_check_seq $nfseq "$D/nfdump-I.txt" v$proto
	sayt "v$proto: nfdump sequence failures $nfseq, as expected"
	nf_unload
}

# 400 flows without options, then the same 400 with: /proc's mem grows by
# 400 * 64 bytes, then by 400 * 8 more (72-byte objects, moved), and the
# flush gives it all back.  "mem" is in K, rounded down: +-1.
mem_check() {
	nf_collect_start "$W/collect-mem.txt" 127.0.0.1:$P_COLLECT
	nf_load protocol=10 destination=127.0.0.1:$P_COLLECT \
		inactive_timeout=60 active_timeout=120
	iptables-nft -w -I OUTPUT -o nfv0 -j NETFLOW ||
		fail "iptables -j NETFLOW failed"
	m0=$(nf_mem)
	[ "$(nf_active)" = 0 ] || fail "flows still active after the flush"
	taskset -c 0 "$NF_BIN/nf-send" udp $NF_B4:5003 count=1 size=1 \
		ports=41000-41399 >/dev/null || fail "nf-send failed"
	m1=$(nf_mem) a1=$(nf_active)
	taskset -c 0 "$NF_BIN/nf-send" udp $NF_B4:5003 count=1 size=1 \
		ports=41000-41399 ipopts=94040000 >/dev/null ||
		fail "nf-send failed"
	m2=$(nf_mem) a2=$(nf_active)
	cp "$NF_STAT" "$W/stat-wide.txt"
	nf_flush
	m3=$(nf_mem) a3=$(nf_active)
	sayt "mem ${m0}K, 400 flows ${m1}K ($a1 active), with options ${m2}K" \
		"($a2 active), flushed ${m3}K ($a3 active)"
	[ "$a1 $a2 $a3" = "400 400 0" ] ||
		fail "active flows $a1, $a2, $a3; want 400, 400, 0"
	d1=$((m1 - m0)) d2=$((m2 - m0))
	# 400 * 64 = 25600 bytes = 25K; 400 * 72 = 28800 = 28.1K
	[ $d1 -ge 24 ] && [ $d1 -le 26 ] ||
		fail "400 IPv4 flows add ${d1}K to mem, want 25K (+-1)"
	[ $d2 -ge 27 ] && [ $d2 -le 29 ] ||
		fail "400 IPv4 flows with options add ${d2}K to mem, want 28K (+-1)"
	[ "$m3" = "$m0" ] || fail "mem ${m3}K after the flush, ${m0}K before"
	iptables-nft -w -D OUTPUT -o nfv0 -j NETFLOW
	nf_collect_stop "$W/collect-mem.txt"
	# moved, not doubled: one record per flow, 2 packets each
	n=$(awk '$1 == "flow" && / dport=5003 / && / packets=2 / &&
		/ ipv4_options=1048576 /' "$W/collect-mem.txt" | wc -l)
	[ "$n" = 400 ] ||
		fail "$n records of 2 packets with router alert, want 400"
	nf_unload
}

nf_net_up
nf_bg "$NF_BIN/nf-sink" udp $NF_A4:5004 >/dev/null
nf_wait_udp 5004
for p in 5000 5001 5002 5003; do
	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:$p >/dev/null
done
for p in 5000 5001 5002 5003; do nf_wait_udp $p $NF_NS; done
run 9
run 10
mem_check
grep -E '^(Flows|Total|cpu)' "$W/stat-wide.txt" | head -n 4
sayt "OK"
