#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fields=physdev: ingressPhysicalInterface 252 and egressPhysicalInterface
# 253 for bridged traffic (br_netfilter).
#
# A bridge br-fp in the VM's namespace with two ports, each a veth to a
# netns (A 10.2.0.2, B 10.2.0.3, one subnet); br_netfilter passes the
# bridged IPv4 packets through the IP hooks, where a FORWARD rule
# (iptables-nft, then iptables-legacy) meters them with the bridge as in
# and out interface.  A sends UDP to B and B to A (nf-send, known counts).
# Asserts (IPFIX): nf-collect has each flow with ingress/egress interface
# the bridge and the two ports as 252/253 the right way round, and its
# packets; tshark decodes 252/253; nfdump reads the records (packets).
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nfcapd nfdump dumpcap tshark
nf_workdir
P=2055
PIN="taskset -c 0"

br_down() {
	ip netns del fpa 2>/dev/null
	ip netns del fpb 2>/dev/null
	ip link del br-fp 2>/dev/null
	return 0
}
NF_ON_EXIT=br_down
modprobe br_netfilter || fail "modprobe br_netfilter"
sysctl -qw net.bridge.bridge-nf-call-iptables=1 ||
	fail "net.bridge.bridge-nf-call-iptables"
ip link add br-fp type bridge || fail "bridge"
ip link set br-fp up
for n in a:10.2.0.2 b:10.2.0.3; do
	x=${n%%:*}
	ip netns add fp$x || fail "ip netns add fp$x"
	ip link add fpp$x type veth peer name fpv$x || fail "veth fpp$x"
	ip link set fpv$x netns fp$x
	ip link set fpp$x master br-fp
	ip link set fpp$x up
	ip -n fp$x link set lo up
	ip -n fp$x addr add ${n#*:}/24 dev fpv$x
	ip -n fp$x link set fpv$x up
done
MA=$(ip netns exec fpa cat /sys/class/net/fpva/address)
MB=$(ip netns exec fpb cat /sys/class/net/fpvb/address)
ip -n fpa neigh replace 10.2.0.3 lladdr $MB dev fpva nud permanent
ip -n fpb neigh replace 10.2.0.2 lladdr $MA dev fpvb nud permanent
nf_bg ip netns exec fpb "$NF_BIN/nf-sink" udp 10.2.0.3:7000
nf_bg ip netns exec fpa "$NF_BIN/nf-sink" udp 10.2.0.2:7001
nf_wait_udp 7000 fpb
nf_wait_udp 7001 fpa
ifx() { cat /sys/class/net/$1/ifindex; }
BR=$(ifx br-fp) PA=$(ifx fppa) PB=$(ifx fppb)

nf_capture_begin "$W/export.pcap" "udp port $P"
nf_nfcapd_start "$W/nfcapd" $((P + 1))
nf_load protocol=10 fields=physdev inactive_timeout=300 \
	destination=127.0.0.1:$P,127.0.0.1:$((P + 1))
nf_capture_wait "$W/export.pcap"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P

: >"$W/want"
base=41000
for b in $NF_BACKENDS; do
	ipt=$(nf_ipt "$b" 4)
	$ipt -w -A FORWARD -j NETFLOW || fail "$ipt FORWARD rule"
	ip netns exec fpa $PIN "$NF_BIN/nf-send" udp 10.2.0.3:7000 count=3 \
		size=20 sport=$((base + 1)) >/dev/null || fail "nf-send in A"
	ip netns exec fpb $PIN "$NF_BIN/nf-send" udp 10.2.0.2:7001 count=4 \
		size=20 sport=$((base + 2)) >/dev/null || fail "nf-send in B"
	$ipt -w -F FORWARD
	echo "$((base + 1)) $BR $BR $PA $PB 3" >>"$W/want"
	echo "$((base + 2)) $BR $BR $PB $PA 4" >>"$W/want"
	base=$((base + 1000))
done
nf_flush
n=100
until [ "$(grep -c '^flow ' "$W/collect.txt")" -ge "$(nf_snmp outFlows)" ]; do
	n=$((n - 1))
	[ $n -gt 0 ] || fail "nf-collect has not every record"
	sleep 0.1
done
# SPORT IN_IF OUT_IF IN_PHYS OUT_PHYS PACKETS
awk '$1 == "flow" {
	delete f
	for (i = 2; i <= NF; i++) {
		j = index($i, "=")
		f[substr($i, 1, j - 1)] = substr($i, j + 1)
	}
	if (f["proto"] != 17 || (f["dport"] != 7000 && f["dport"] != 7001))
		next
	print f["sport"], f["in_if"], f["out_if"], f["in_phys_if"],
		f["out_phys_if"], f["packets"]
}' "$W/collect.txt" | sort >"$W/got"
sort -o "$W/want" "$W/want"
cmp -s "$W/want" "$W/got" || {
	diff "$W/want" "$W/got" >&2
	fail "nf-collect: bridge ports differ from the truth"
}
sayt "nf-collect: both bridge ports of every flow, both back ends"

nf_collect_stop "$W/collect.txt"
nf_unload
nf_capture_stop "$W/collect.txt"
nf_nfcapd_stop

nfdump -q -N -r "$NF_NFCAPD_FILE" -o "fmt:%sp|%dp|%in|%out|%pkt" \
	>"$W/nfdump.txt" 2>"$W/nfdump.err" || fail "nfdump failed: $(cat "$W/nfdump.err")"
tr -d ' ' <"$W/nfdump.txt" | awk -F'|' '$2 == 7000 || $2 == 7001 {
	print $1, $3, $4, $5 }' | sort >"$W/nfdump.got"
awk '{ print $1, $2, $3, $6 }' "$W/want" >"$W/nfdump.want"
cmp -s "$W/nfdump.want" "$W/nfdump.got" || {
	diff "$W/nfdump.want" "$W/nfdump.got" >&2
	fail "nfdump: records differ"
}
nf_tshark_pdml "$W/export.pcap" $P "$W/tshark.pdml"
for v in "ingress $PA 2" "egress $PB 2" "ingress $PB 2" "egress $PA 2"; do
	set -- $v
	c=$(grep -c "name=\"cflow.$1_physical_interface\" .* show=\"$2\"" "$W/tshark.pdml")
	[ "$c" = "$3" ] || fail "tshark: $1 port $2 in $c records, want $3"
done
sayt "nfdump reads them; tshark: ingress/egressPhysicalInterface"
sayt "OK"
