#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fields=mpls: mplsTopLabelStackSection 70 and mplsLabelStackSection2/3
# 71/72 (label, TC, S; the top three entries) and ethernetType 256, part
# of the flow key, for frames metered at ingress=.
#
# A netns M sends through a veth into the VM's namespace (metered at its
# ingress, ingress=mira), with Linux MPLS (mpls_iptunnel) pushing labels
# on the way: 100/200 to one net, 300 to another, 100/200/300/400 to a
# third (deeper than the three entries kept), none to a fourth; the same
# 5-tuple once more with 101/200.  nf-send gives the counts.
# Asserts (IPFIX): nf-collect has each flow with its labels (hex of the
# 3 bytes: label << 4 | TC << 1 | S), ethernetType 0x8847 (0x0800 for
# the unlabelled one) and its packets; the two label stacks of one
# 5-tuple are two records; nfdump shows MPLS labels 1-3 per flow and
# tshark the labels.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-collect nfcapd nfdump dumpcap tshark
nf_workdir
P=2055
SYSCTL=/proc/sys/net/netflow
M=fmpls
PIN="taskset -c 0"

mpls_down() {
	ip netns del $M 2>/dev/null
	ip link del mira 2>/dev/null
	return 0
}
NF_ON_EXIT=mpls_down
modprobe -a mpls_router mpls_iptunnel 2>/dev/null
ip netns add $M || fail "ip netns add $M"
ip link add mira type veth peer name mirb || fail "veth mira"
ip link set mirb netns $M
ip link set mira up
ip -n $M link set lo up
ip -n $M link set mirb up
RMAC=$(cat /sys/class/net/mira/address)
ip -n $M addr add 198.18.4.1/24 dev mirb
ip -n $M neigh replace 198.18.4.2 lladdr $RMAC dev mirb nud permanent
lbl() {
	ip -n $M route replace "$1" encap mpls "$2" via inet 198.18.4.2 dev mirb ||
		fail "MPLS route $1 $2 (mpls_iptunnel)"
}
lbl 198.18.3.0/24 100/200
lbl 198.18.5.0/24 300
lbl 198.18.6.0/24 100/200/300/400

nf_capture_begin "$W/export.pcap" "udp port $P"
nf_nfcapd_start "$W/nfcapd" $((P + 1))
nf_load protocol=10 fields=mpls inactive_timeout=300 ingress=mira \
	destination=127.0.0.1:$P,127.0.0.1:$((P + 1))
nf_capture_wait "$W/export.pcap"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P

send() {
	ip netns exec $M $PIN "$NF_BIN/nf-send" "$@" >/dev/null ||
		fail "nf-send $* failed"
}
send udp 198.18.3.2:8000 count=6 size=40 sport=48001 \
	udp 198.18.5.2:8000 count=4 size=40 sport=48002 \
	udp 198.18.6.2:8000 count=3 size=40 sport=48003 \
	udp 198.18.4.2:8000 count=2 size=40 sport=48004
lbl 198.18.3.0/24 101/200
send udp 198.18.3.2:8000 count=5 size=40 sport=48001
nf_flush
n=100
until [ "$(grep -c '^flow ' "$W/collect.txt")" -ge "$(nf_snmp outFlows)" ]; do
	n=$((n - 1))
	[ $n -gt 0 ] || fail "nf-collect has not every record"
	sleep 0.1
done

# SPORT ETHERTYPE LABEL1 LABEL2 LABEL3 PACKETS
cat >"$W/want" <<EOF
48001 34887 000640 000c81 000000 6
48001 34887 000650 000c81 000000 5
48002 34887 0012c1 000000 000000 4
48003 34887 000640 000c80 0012c0 3
48004 2048 000000 000000 000000 2
EOF
awk '$1 == "flow" {
	delete f
	for (i = 2; i <= NF; i++) {
		j = index($i, "=")
		f[substr($i, 1, j - 1)] = substr($i, j + 1)
	}
	if (f["proto"] != 17 || f["dport"] != 8000) next
	print f["sport"], f["ethertype"], f["mpls_label1"], f["mpls_label2"],
		f["mpls_label3"], f["packets"]
}' "$W/collect.txt" | sort >"$W/got"
cmp -s "$W/want" "$W/got" || {
	diff "$W/want" "$W/got" >&2
	fail "nf-collect: labels differ from the truth"
}
sayt "nf-collect: label stacks of every flow, two stacks of one 5-tuple two records"

nf_collect_stop "$W/collect.txt"
nf_unload
nf_capture_stop "$W/collect.txt"
nf_nfcapd_stop

# nfdump: label-exp-S per label
nfdump -q -N -r "$NF_NFCAPD_FILE" -o "fmt:%sp|%dp|%mpls1|%mpls2|%mpls3|%pkt" \
	>"$W/nfdump.txt" 2>"$W/nfdump.err" || fail "nfdump failed: $(cat "$W/nfdump.err")"
tr -d ' ' <"$W/nfdump.txt" | awk -F'|' '$2 == 8000 { print $1, $3, $4, $5, $6 }' |
	sort >"$W/nfdump.got"
cat >"$W/nfdump.want" <<EOF
48001 100-0-0 200-0-1 0-0-0 6
48001 101-0-0 200-0-1 0-0-0 5
48002 300-0-1 0-0-0 0-0-0 4
48003 100-0-0 200-0-0 300-0-0 3
48004 0-0-0 0-0-0 0-0-0 2
EOF
cmp -s "$W/nfdump.want" "$W/nfdump.got" || {
	diff "$W/nfdump.want" "$W/nfdump.got" >&2
	fail "nfdump: labels differ from the truth"
}
sayt "nfdump: MPLS labels 1-3"

nf_tshark_pdml "$W/export.pcap" $P "$W/tshark.pdml"
for v in "100 2" "101 1" "200 3" "300 2" "400 0"; do
	set -- $v
	c=$(grep -c "name=\"cflow.mpls_label\" .* show=\"$1\"" "$W/tshark.pdml")
	[ "$c" = "$2" ] || fail "tshark: label $1 in $c records, want $2"
done
sayt "tshark: labels"
sayt "OK"
