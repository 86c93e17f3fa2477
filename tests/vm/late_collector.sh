#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A collector that starts after the module, or restarts, must not lose
# flows: v9 and IPFIX data is undecodable without its templates, so
# templates that went to a closed port (ICMP port unreachable) must go out
# again once the collector is there, not only after refresh-rate PDUs or
# timeout-rate minutes.
#
# For protocol 9, then 10: the module exports to 127.0.0.1:2055 (nfcapd,
# and a dumpcap capture for tshark), :2056 (nf-collect) and :2057
# (pmacct's nfacctd), with refresh_rate=65535 and timeout_rate=1440 (no
# template refresh can happen within the test) and long flow timeouts
# (flows leave on a flush only); iptables and ip6tables -j NETFLOW meter
# OUTPUT -o the veth (IPv6 neighbour discovery left out).  nf-send sends
# UDP, ICMP, UDPv6 and ICMPv6 flows into the netns, its output is the
# truth.
#  A. Late start: nothing listens when the module loads; the test waits
#     until its first PDU (the templates) has gone out (snmp outPackets)
#     and been refused at all three ports (Udp NoPorts, /proc/net/snmp).
#     Only then do the collectors and the capture start; traffic A,
#     flush.
#  B. Restart: nfcapd and nfacctd stop; traffic B, flush (refused at their
#     ports, NoPorts again: those flows are lost there, nothing is
#     asserted about them); nfcapd, nfacctd and a new capture start again;
#     traffic C, flush.
# Asserts:
#  - A: nfdump -o csv, tshark (pdml), nfacctd and nf-collect each show
#    exactly the packets and bytes of every flow of A;
#  - B: nfdump, tshark (the capture started after the restart) and nfacctd
#    show every flow of C exactly; nf-collect, which ran throughout, shows
#    A, B and C exactly, without sequence or format errors.
# Every check runs; the test then fails with each one that did not hold.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare nfcapd nfdump dumpcap \
	tshark nfacctd
nf_workdir
P_NFCAPD=2055 P_COLLECT=2056 P_NFACCTD=2057
errs=
# bad NAME MESSAGE: note a failed check, go on with the others
bad() {
	say "FAIL: $1: $2" >&2
	errs="$errs $1"
}

# udp_noports: Udp NoPorts of /proc/net/snmp (datagrams to a closed port,
# each answered with an ICMP port unreachable)
udp_noports() {
	awk '$1 == "Udp:" {
		if (!c) { for (i = 2; i <= NF; i++) if ($i == "NoPorts") c = i; next }
		print $c; exit
	}' /proc/net/snmp
}
# wait_noports N SECS: wait until Udp NoPorts is at least N
wait_noports() {
	n=$(($2 * 10 * NF_TIME_SCALE))
	until [ "$(udp_noports)" -ge "$1" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# check NAME TRUTH OBSERVED [nf-compare options]: OBSERVED must equal
# TRUTH (nf-compare, output in $W/NAME.cmp); a difference is noted by bad
check() {
	n=$1 t=$2 o=$3
	shift 3
	if "$NF_BIN/nf-compare" "$@" "$t" "$o" >"$W/$n.cmp" 2>&1; then
		sayt "$n: $(tail -n 1 "$W/$n.cmp")"
	elif [ "${n%-nfacctd}" != "$n" ] &&
		d=$(nf_nfacctd_doubled "$W/$n.cmp") && [ -n "$d" ]; then
		grep '^mismatch' "$W/$n.cmp" >&2
		sayt "$n: nfacctd counted $d flow(s) twice or more, all else" \
			"exact (pmacct's own, see nf_nfacctd_compare)"
	else
		grep -E '^(missing|extra|mismatch)' "$W/$n.cmp" | head -n 3 >&2
		m=$(sed -n 's/^compare truth_flows=\([0-9]*\) .* matched=\([0-9]*\) missing=\([0-9]*\) extra=\([0-9]*\) mismatched=\([0-9]*\) .*/\2 of \1 flows exact (missing \3, extra \4, mismatched \5)/p' "$W/$n.cmp")
		bad "$n" "${m:-$(tail -n 1 "$W/$n.cmp")}"
	fi
}

# send PART SPEC...: nf-send SPEC, its truth in $D/truth-PART.txt; flush
send() {
	part=$1
	shift
	"$NF_BIN/nf-send" "$@" >"$D/truth-$part.txt" || fail "nf-send failed"
	sayt "v$proto $part: sent $(grep -c '^flow ' "$D/truth-$part.txt")" \
		"flows, $(nf_sum "$D/truth-$part.txt" packets) packets"
	nf_flush
}

# collectors_start TAG: nfacctd, nfcapd and a capture of 2055 (into
# $D/*TAG); returns when each one listens
collectors_start() {
	nf_capture_begin "$D/export$1.pcap" "udp port $P_NFCAPD"
	nf_nfacctd_start "$D/nfacctd$1" $P_NFACCTD
	nf_nfcapd_start "$D/nfcapd$1" $P_NFCAPD
	nf_wait_udp $P_NFACCTD
	nf_capture_wait "$D/export$1.pcap"
}

# collectors_check TAG TRUTH: stop what collectors_start TAG started and
# compare what each decoded with TRUTH
collectors_check() {
	nf_nfacctd_sync "$D/nfacctd$1" $P_NFACCTD ||
		sayt "v$proto $1: nfacctd shows no marker flow in 10 s"
	nf_capture_stop
	nf_nfcapd_stop
	nf_nfacctd_stop "$D/nfacctd$1"
	nfdump -r "$NF_NFCAPD_FILE" -o csv >"$D/nfdump$1.csv" 2>"$D/nfdump$1.err" ||
		fail "nfdump -r failed: $(cat "$D/nfdump$1.err")"
	check p$proto-$1-nfdump "$2" "$D/nfdump$1.csv" --format nfdump-csv
	nf_tshark_pdml "$D/export$1.pcap" $P_NFCAPD "$D/tshark$1.pdml"
	check p$proto-$1-tshark "$2" "$D/tshark$1.pdml" --format tshark-pdml
	check p$proto-$1-nfacctd "$2" "$D/nfacctd$1/flows.txt"
}

run() {
	proto=$1
	D=$W/p$proto
	mkdir -p "$D"
	B=$NF_B4 B6="[$NF_B6]"

	# --- A. the module first, nobody listening
	np0=$(udp_noports)
	nf_load protocol="$proto" \
		destination=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT,127.0.0.1:$P_NFACCTD \
		inactive_timeout=600 active_timeout=1800 refresh_rate=65535 \
		timeout_rate=1440
	nf_wait_snmp outPackets -ge 3 30 ||
		fail "v$proto: no first PDU within 30 s of loading" \
			"(outPackets $(nf_snmp outPackets), errTotal $(nf_snmp errTotal))"
	wait_noports $((np0 + 3)) 10 ||
		fail "v$proto: the first PDU was not refused at the 3 closed ports" \
			"(Udp NoPorts $np0 -> $(udp_noports))"
	sayt "v$proto: first PDU sent ($(nf_snmp outPackets) to 3 collectors)," \
		"refused: Udp NoPorts $np0 -> $(udp_noports)"
	grep '^sock' "$NF_STAT" >"$D/sock-before.txt"

	iptables-nft -w -I OUTPUT -o nfv0 -j NETFLOW ||
		fail "iptables -j NETFLOW failed"
	ip6tables-nft -w -A OUTPUT -o nfv0 -p icmpv6 --icmpv6-type 135 -j RETURN &&
		ip6tables-nft -w -A OUTPUT -o nfv0 -p icmpv6 --icmpv6-type 136 -j RETURN &&
		ip6tables-nft -w -A OUTPUT -o nfv0 -s $NF_A6 -j NETFLOW ||
		fail "ip6tables -j NETFLOW refused under protocol $proto"

	collectors_start A
	nf_collect_start "$D/collect.txt" 127.0.0.1:$P_COLLECT
	sayt "v$proto A: collectors up"
	send A \
		udp $B:5000 count=10 size=100 sport=40000 \
		udp $B:5001 count=3 size=0 sport=40002 \
		udp $B:5000 count=1 size=1 ports=41000-41019 \
		icmp $B count=3 size=56 id=4242 \
		udp6 $B6:5000 count=7 size=300 sport=40010 \
		udp6 $B6:5001 count=1 size=1 ports=43000-43009 \
		icmp6 "$NF_B6" count=2 size=24 id=4243
	pa=$(nf_sum "$D/truth-A.txt" packets)
	nf_wait_collected "$D/collect.txt" " dst=" "$pa" 10 ||
		sayt "v$proto A: nf-collect decoded $(nf_collected "$D/collect.txt" " dst=")" \
			"of $pa packets within 10 s"
	cp "$D/collect.txt" "$D/collect-A.txt"
	collectors_check A "$D/truth-A.txt"
	check p$proto-A-nf-collect "$D/truth-A.txt" "$D/collect-A.txt"

	# --- B. nfcapd and nfacctd are down (collectors_check stopped them)
	np0=$(udp_noports)
	send B \
		udp $B:5000 count=2 size=20 ports=45000-45009 \
		icmp $B count=2 size=40 id=4244 \
		udp6 $B6:5000 count=3 size=30 sport=45010
	wait_noports $((np0 + 2)) 10 ||
		fail "v$proto B: no PDU refused at nfcapd's and nfacctd's ports" \
			"(Udp NoPorts $np0 -> $(udp_noports))"
	sayt "v$proto B: refused by the stopped nfcapd and nfacctd:" \
		"Udp NoPorts $np0 -> $(udp_noports)"

	collectors_start C
	sayt "v$proto C: nfcapd, nfacctd and the capture up again"
	send C \
		udp $B:5000 count=4 size=40 sport=46000 \
		udp $B:5001 count=1 size=3 ports=46100-46119 \
		icmp $B count=2 size=30 id=4245 \
		udp6 $B6:5001 count=5 size=60 sport=46010 \
		icmp6 "$NF_B6" count=3 size=16 id=4246
	cat "$D/truth-A.txt" "$D/truth-B.txt" "$D/truth-C.txt" >"$D/truth-all.txt"
	pall=$(nf_sum "$D/truth-all.txt" packets)
	nf_wait_collected "$D/collect.txt" " dst=" "$pall" 10 ||
		sayt "v$proto C: nf-collect decoded $(nf_collected "$D/collect.txt" " dst=")" \
			"of $pall packets (A+B+C) within 10 s"
	collectors_check C "$D/truth-C.txt"
	nf_collect_stop "$D/collect.txt"
	check p$proto-ABC-nf-collect "$D/truth-all.txt" "$D/collect.txt"
	grep '^summary' "$D/collect.txt"

	iptables-nft -w -D OUTPUT -o nfv0 -j NETFLOW
	ip6tables-nft -w -F OUTPUT
	cp "$NF_STAT" "$D/stat.txt"
	grep '^sock' "$D/stat.txt"
	nf_unload
}

nf_net_up
# sinks, so that no port unreachable comes back from the peer
for p in 5000 5001; do
	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:$p >"$W/sink$p.txt"
	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp6 "[$NF_B6]:$p" \
		>"$W/sink6-$p.txt"
done
for p in 5000 5001; do
	nf_wait_udp $p $NF_NS
	nf_wait_udp6 $p $NF_NS
done
run 9
run 10
[ -z "$errs" ] || fail "$(echo $errs | wc -w) checks failed:$errs"
sayt "OK"
