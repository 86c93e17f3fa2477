#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fields=vlan: vlanId 58, dot1qVlanId 243 and dot1qCustomerVlanId 245
# (and ethernetType 256) in flow records, part of the flow key.
#
# Three senders behind one veth port (mva) of the VM's namespace, each in
# a netns of its own with the same address 10.1.0.2: one on 802.1Q VLAN
# 10, one on VLAN 20, one on a QinQ stack (802.1ad S-VLAN 200, 802.1Q
# C-VLAN 300 on top); each sends UDP to 10.1.0.1:7000 from the same port
# (nf-send: 3, 4 and 5 packets).  The router has mva.10, mva.20 and
# mva.s200/mva.qq with 10.1.0.1, and a UDP sink.  Runs (IPFIX):
#  (a) ingress=mva: every frame comes in by mva, so only the VLAN tells
#      the three flows apart (the outer tag in skb metadata, QinQ's inner
#      one in the frame);
#  (b) hooks=input: the kernel has untagged them; the VLANs are known
#      from the devices they came in on (mva.qq over mva.s200 for QinQ).
# Asserts: three records per run, each with its packets, input interface,
# vlanId/dot1qVlanId (outer), dot1qCustomerVlanId (inner, QinQ only) and
# ethernetType 0x0800, in nf-collect; nfdump's src VLAN and packets per
# flow; tshark's three VLAN elements (and interface, ethernetType and
# packets) per record; and without fields=vlan, run (a)'s
# three VLANs make one flow of 12 packets.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nfcapd nfdump dumpcap tshark
nf_workdir
P=2055
SYSCTL=/proc/sys/net/netflow
PIN="taskset -c 0"

vlan_down() {
	for n in fv10 fv20 fvqq fvm; do ip netns del $n 2>/dev/null; done
	ip link del mva 2>/dev/null
	return 0
}
NF_ON_EXIT=vlan_down
for n in fvm fv10 fv20 fvqq; do
	ip netns add $n || fail "ip netns add $n"
	ip -n $n link set lo up
done
ip link add mva type veth peer name mvb || fail "veth"
ip link set mvb netns fvm
ip link set mva up
ip -n fvm link set mvb up
RMAC=$(cat /sys/class/net/mva/address)
# senders: the VLAN devices on mvb, each moved to a netns of its own
ip -n fvm link add link mvb name mvb.10 type vlan id 10 &&
	ip -n fvm link add link mvb name mvb.20 type vlan id 20 &&
	ip -n fvm link add link mvb name mvb.s200 type vlan proto 802.1ad id 200 &&
	ip -n fvm link set mvb.s200 up &&
	ip -n fvm link add link mvb.s200 name mvb.qq type vlan id 300 ||
	fail "VLAN devices"
for d in 10:fv10 20:fv20 qq:fvqq; do
	ip -n fvm link set mvb.${d%%:*} netns ${d#*:} || fail "move mvb.${d%%:*}"
	ip -n ${d#*:} addr add 10.1.0.2/24 dev mvb.${d%%:*}
	ip -n ${d#*:} link set mvb.${d%%:*} up
	ip -n ${d#*:} neigh replace 10.1.0.1 lladdr $RMAC dev mvb.${d%%:*} nud permanent
done
# the router's side: the same stack, 10.1.0.1 on each
ip link add link mva name mva.10 type vlan id 10 &&
	ip link add link mva name mva.20 type vlan id 20 &&
	ip link add link mva name mva.s200 type vlan proto 802.1ad id 200 &&
	ip link add link mva.s200 name mva.qq type vlan id 300 ||
	fail "router VLAN devices"
for d in mva.10 mva.20 mva.s200 mva.qq; do
	ip link set $d up
done
for d in mva.10 mva.20 mva.qq; do
	ip addr add 10.1.0.1/24 dev $d
done
nf_bg $PIN "$NF_BIN/nf-sink" udp 7000
nf_wait_udp 7000
ifx() { cat /sys/class/net/$1/ifindex; }

# traffic BASE: the three senders, from port BASE
traffic() {
	ip netns exec fv10 $PIN "$NF_BIN/nf-send" udp 10.1.0.1:7000 count=3 \
		size=20 sport=$1 >/dev/null &&
	ip netns exec fv20 $PIN "$NF_BIN/nf-send" udp 10.1.0.1:7000 count=4 \
		size=20 sport=$1 >/dev/null &&
	ip netns exec fvqq $PIN "$NF_BIN/nf-send" udp 10.1.0.1:7000 count=5 \
		size=20 sport=$1 >/dev/null || fail "nf-send failed"
}

# records COLLECT SPORT: "IN_IF VLAN DOT1Q INNER ETHERTYPE PACKETS"
records() {
	awk -v sp=$2 '$1 == "flow" {
		delete f
		for (i = 2; i <= NF; i++) {
			j = index($i, "=")
			f[substr($i, 1, j - 1)] = substr($i, j + 1)
		}
		if (f["proto"] != 17 || f["sport"] != sp) next
		n = split("in_if vlan vlan_id inner_vlan_id ethertype packets", k, " ")
		line = ""
		for (i = 1; i <= n; i++)
			line = line (i > 1 ? " " : "") ((k[i] in f) ? f[k[i]] : "-")
		print line
	}' "$1" | sort
}

wait_all() {
	n=100
	until [ "$(grep -c '^flow ' "$W/collect.txt")" -ge "$(nf_snmp outFlows)" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

nf_capture_begin "$W/export.pcap" "udp port $P"
nf_nfcapd_start "$W/nfcapd" $((P + 1))
nf_load protocol=10 fields=vlan inactive_timeout=300 \
	destination=127.0.0.1:$P,127.0.0.1:$((P + 1))
nf_capture_wait "$W/export.pcap"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P

# (a) at mva's ingress: the VLANs alone tell the flows apart
echo mva >$SYSCTL/ingress || fail "ingress=mva refused"
traffic 41000
echo >$SYSCTL/ingress
nf_flush
# (b) at the IP hooks: from the devices
echo input >$SYSCTL/hooks || fail "hooks=input refused"
traffic 42000
echo >$SYSCTL/hooks
nf_flush
# (c) without the field: one flow at mva's ingress
echo >$SYSCTL/fields || fail "fields= (none) refused"
echo mva >$SYSCTL/ingress || fail "ingress=mva refused"
traffic 43000
echo >$SYSCTL/ingress
nf_flush
wait_all || fail "nf-collect has not every record"

M=$(ifx mva)
printf '%s\n' "$M 10 10 0 2048 3" "$M 20 20 0 2048 4" "$M 200 200 300 2048 5" |
	sort >"$W/want-a"
printf '%s\n' "$(ifx mva.10) 10 10 0 2048 3" "$(ifx mva.20) 20 20 0 2048 4" \
	"$(ifx mva.qq) 200 200 300 2048 5" | sort >"$W/want-b"
records "$W/collect.txt" 41000 >"$W/got-a"
records "$W/collect.txt" 42000 >"$W/got-b"
for r in a b; do
	cmp -s "$W/want-$r" "$W/got-$r" || {
		diff "$W/want-$r" "$W/got-$r" >&2
		fail "run $r: nf-collect's records differ from the truth"
	}
done
[ "$(records "$W/collect.txt" 43000)" = "$M - - - - 12" ] ||
	fail "without fields=vlan: $(records "$W/collect.txt" 43000), want one flow of 12"
sayt "nf-collect: VLAN ids of every flow, three VLANs three flows (one without the field)"

nf_collect_stop "$W/collect.txt"
nf_unload
nf_capture_stop "$W/collect.txt"
nf_nfcapd_stop

nfdump -q -N -r "$NF_NFCAPD_FILE" -o "fmt:%sp|%in|%svln|%pkt" \
	>"$W/nfdump.txt" 2>"$W/nfdump.err" || fail "nfdump failed: $(cat "$W/nfdump.err")"
tr -d ' ' <"$W/nfdump.txt" | awk -F'|' '$1 == 41000 || $1 == 42000 {
	print $1, $2, $3, $4 }' | sort >"$W/nfdump.got"
awk '{ print 41000, $1, $2, $6 }' "$W/want-a" >"$W/nfdump.want"
awk '{ print 42000, $1, $2, $6 }' "$W/want-b" >>"$W/nfdump.want"
sort -o "$W/nfdump.want" "$W/nfdump.want"
cmp -s "$W/nfdump.want" "$W/nfdump.got" || {
	diff "$W/nfdump.want" "$W/nfdump.got" >&2
	fail "nfdump: VLANs differ from the truth"
}
sayt "nfdump: src VLAN and packets of every flow"

# tshark: every record of runs (a) and (b), as records() writes them
# (other traffic, such as the MLD reports of mvb.s200 with VLAN 200, is
# in the export too: only the test's flows are compared)
nf_tshark_pdml "$W/export.pcap" $P "$W/tshark.pdml"
awk '
function val(   v) {
	match($0, /show="[^"]*"/)
	return substr($0, RSTART + 6, RLENGTH - 7)
}
function emit() {
	if (rec && pr == 17 && dp == 7000 && (sp == 41000 || sp == 42000))
		print sp, f["inputint"], f["vlanid"], f["dot1q_vlan_id"],
			f["dot1q_customer_vlan_id"], f["ethernet_type"], f["packets"]
	rec = 0; sp = dp = pr = ""
	delete f
}
/<field name="" show="Flow [0-9]/ { emit(); rec = 1; next }
/<proto name=/ { emit() }
/name="cflow.srcport"/ { sp = val() }
/name="cflow.dstport"/ { dp = val() }
/name="cflow.protocol"/ { pr = val() }
/name="cflow.(inputint|vlanid|dot1q_vlan_id|dot1q_customer_vlan_id|ethernet_type|packets)"/ {
	k = $0
	sub(/^.*name="cflow\./, "", k)
	sub(/".*$/, "", k)
	f[k] = val()
}
END { emit() }' "$W/tshark.pdml" | sort >"$W/tshark.got"
{
	sed 's/^/41000 /' "$W/want-a"
	sed 's/^/42000 /' "$W/want-b"
} | sort >"$W/tshark.want"
cmp -s "$W/tshark.want" "$W/tshark.got" || {
	diff "$W/tshark.want" "$W/tshark.got" >&2
	fail "tshark: VLAN elements differ from the truth"
}
sayt "tshark: vlanId, dot1qVlanId, dot1qCustomerVlanId in every record"
sayt "OK"
