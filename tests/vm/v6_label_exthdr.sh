#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# flowLabelIPv6 (31) and ipv6ExtensionHeaders (64) in IPFIX.
#
# nf-send writes IPv6 packets on a raw socket with a chosen flow label and
# hop-by-hop / destination options headers before TCP or ICMPv6; the rule
# meters them in OUTPUT.  Asserts, for nf-collect and for tshark:
#  - every record carries the label its packets had (0 when none);
#  - ipv6ExtensionHeaders has HOP (bit 6, 0x02000000) and DST (bit 7,
#    0x01000000) exactly for the headers sent (RFC 5102 numbering, bit 0
#    the most significant), 0 for a flow without any.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-collect dumpcap tshark
nf_workdir
P=2056

nf_net_up
nf_capture_begin "$W/export.pcap" "udp port $P"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P --first-seq 0
# the templates leave a second after load: capture them
nf_capture_wait "$W/export.pcap"
nf_load protocol=10 destination=127.0.0.1:$P inactive_timeout=2 \
	active_timeout=120
ip6tables-nft -w -A OUTPUT -o nfv0 -p icmpv6 --icmpv6-type 135 -j RETURN &&
	ip6tables-nft -w -A OUTPUT -o nfv0 -p icmpv6 --icmpv6-type 136 -j RETURN &&
	ip6tables-nft -w -A OUTPUT -o nfv0 -s $NF_A6 -j NETFLOW ||
	fail "ip6tables -j NETFLOW failed"

B6="[$NF_B6]"
"$NF_BIN/nf-send" \
	tcp6 $B6:80 count=3 size=10 sport=42020 flowlabel=0x12345 \
		exthdr=hbh,dst \
	icmp6 "$NF_B6" count=2 size=8 id=4244 flowlabel=0xabcde exthdr=dst \
	tcp6 $B6:81 count=2 size=10 sport=42021 >"$W/truth.txt" ||
	fail "nf-send failed"
pkts=$(nf_sum "$W/truth.txt" packets)
nf_wait_snmp hashFlows -eq 0 10 ||
	fail "$(nf_snmp hashFlows) flows still in memory 10 s after sending"
nf_flush
nf_wait_collected "$W/collect.txt" " dst=" "$pkts" 5 ||
	fail "nf-collect got $(nf_collected "$W/collect.txt" " dst=") of $pkts packets"
ip6tables-nft -w -F OUTPUT
nf_capture_stop "$W/collect.txt"
nf_collect_stop "$W/collect.txt"

# want SPORT: "LABEL EXT" (ICMPv6 records have source port 0)
want() {
	case $1 in
	42020) echo "74565 50331648" ;;
	0) echo "703710 16777216" ;;
	42021) echo "0 0" ;;
	*) echo "? ?" ;;
	esac
}

n=0
while read -r sport label ext; do
	[ "$(want "$sport")" = "$label $ext" ] ||
		fail "nf-collect: sport $sport has label $label, ext $ext; want $(want "$sport")"
	n=$((n + 1))
done <<EOF
$(awk '$1 == "flow" {
	s = l = e = "-"
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "sport") s = kv[2]
		if (kv[1] == "flowlabel") l = kv[2]
		if (kv[1] == "ipv6_ext_headers") e = kv[2]
	}
	print s, l, e }' "$W/collect.txt")
EOF
[ $n -ge 3 ] || fail "nf-collect: $n records, want at least 3"
sayt "nf-collect: label and extension headers right in $n records"

tshark -r "$W/export.pcap" -d udp.port==$P,cflow -Y cflow -T fields \
	-E occurrence=a -E aggregator=, -e cflow.srcport \
	-e cflow.ipv6flowlabel -e cflow.ipv6_exthdr >"$W/tshark.txt" \
	2>"$W/tshark.err" || fail "tshark failed: $(cat "$W/tshark.err")"
awk -F '\t' '$1 != "" {
	ns = split($1, s, ","); nl = split($2, l, ","); ne = split($3, e, ",")
	if (ns != nl || ns != ne) { print "unaligned: " $0; exit 1 }
	for (i = 1; i <= ns; i++) print s[i], l[i], e[i] }' "$W/tshark.txt" \
	>"$W/tshark-recs.txt" || fail "tshark fields do not line up"
n=0
while read -r sport label ext; do
	ext=$(printf '%d' "$ext")
	[ "$(want "$sport")" = "$label $ext" ] ||
		fail "tshark: sport $sport has label $label, ext $ext; want $(want "$sport")"
	n=$((n + 1))
done <"$W/tshark-recs.txt"
[ $n -ge 3 ] || fail "tshark: $n records, want at least 3"
sayt "tshark: label and extension headers right in $n records"
sayt "OK"
