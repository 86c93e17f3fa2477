#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fields=nat with NAT66: postNATSource/DestinationIPv6Address 281/282 and
# the ports 227/228 in IPv6 flow records.
#
# The root namespace routes IPv6 between a client netns (nat6c) and a
# server netns (nat6s) with ip6tables MASQUERADE out to the server and a
# DNAT of [ROUTER]:8080 to [SERVER]:5000 (lib.sh: nf_nat_router_up 6).
# The client makes two TCP connections straight to the server and one
# through the DNAT and sends UDP to a sink on the server, pinned to CPU 0;
# a FORWARD rule (ip6tables-nft) meters them (IPFIX).
# Asserts: nf-collect has every flow, both directions, with the
# addresses and ports as they came to the router and 281/282/227/228 as
# they left it; tshark decodes the post-NAT IPv6 source in every record
# of the client's flows.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect dumpcap tshark nc
nf_workdir
P=2055
C6=$NF_NAT_C6 RC6=$NF_NAT_RC6 RS6=$NF_NAT_RS6 S6=$NF_NAT_S6
PIN="taskset -c 0"

nat6_down() {
	ip6tables-nft -w -F FORWARD 2>/dev/null
	nf_nat_router_down 6
}
NF_ON_EXIT=nat6_down

# (servers pinned like the traffic; neighbours resolved before it)
nf_nat_router_up 6 dnat tcp udp ping pin
nf_load protocol=10 fields=nat inactive_timeout=300 destination=127.0.0.1:$P
nf_capture_start "$W/export.pcap" "udp port $P"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P
ip6tables-nft -w -A FORWARD -j NETFLOW || fail "ip6tables FORWARD rule"

: >"$W/want"
for i in 1 2 3; do
	sp=$((41000 + i))
	if [ $i -le 2 ]; then dst=$S6 dp=5000; else dst=$RC6 dp=8080; fi
	ip netns exec nat6c $PIN nc -6 -N -w 5 -p $sp $dst $dp </dev/null ||
		fail "tcp to [$dst]:$dp from port $sp failed"
	echo "6 $C6 $sp $dst $dp > $RS6 $sp $S6 5000" >>"$W/want"
	echo "6 $S6 5000 $RS6 $sp > $dst $dp $C6 $sp" >>"$W/want"
done
ip netns exec nat6c $PIN "$NF_BIN/nf-send" udp6 "[$S6]:5001" count=3 size=20 \
	sport=41050 >/dev/null || fail "nf-send failed"
echo "17 $C6 41050 $S6 5001 > $RS6 41050 $S6 5001" >>"$W/want"
ip6tables-nft -w -F FORWARD
nf_flush
nf_wait_collected "$W/collect.txt" " sport=41050 " 3 10 || fail "UDP not collected"
n=100
until [ "$(grep -c '^flow ' "$W/collect.txt")" -ge "$(nf_snmp outFlows)" ]; do
	n=$((n - 1))
	[ $n -gt 0 ] || fail "nf-collect has not every record"
	sleep 0.1
done
awk '$1 == "flow" {
	delete f
	for (i = 2; i <= NF; i++) {
		j = index($i, "=")
		f[substr($i, 1, j - 1)] = substr($i, j + 1)
	}
	if ((f["proto"] != 6 && f["proto"] != 17) || f["ipver"] != 6) next
	if (!(f["sport"] > 41000 && f["sport"] <= 41050) &&
	    !(f["dport"] > 41000 && f["dport"] <= 41050)) next
	print f["proto"], f["src"], f["sport"], f["dst"], f["dport"], ">",
		f["post_nat_src"], f["post_napt_sport"], f["post_nat_dst"],
		f["post_napt_dport"]
}' "$W/collect.txt" | sort >"$W/got"
sort -o "$W/want" "$W/want"
cmp -s "$W/want" "$W/got" || {
	diff "$W/want" "$W/got" >&2
	fail "nf-collect: NAT66 translations differ from the truth"
}
sayt "nf-collect: $(wc -l <"$W/got") IPv6 flows with their translation (281/282)"
nf_collect_stop "$W/collect.txt"
nf_unload
nf_capture_stop "$W/collect.txt"
nf_tshark_pdml "$W/export.pcap" $P "$W/tshark.pdml"
c=$(grep -c 'name="cflow.post_nat_source_ipv6_address" .* show="'$RS6'"' "$W/tshark.pdml")
[ "$c" = 4 ] || fail "tshark: post-NAT source $RS6 in $c records, want 4"
sayt "tshark: postNATSourceIPv6Address"
sayt "OK"
