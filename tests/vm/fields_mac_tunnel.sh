#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fields=mac on a tunnel endpoint: a packet forwarded into an ipip tunnel
# leaves as a packet of the router's own, which has no frame: zeros.
#
# The VM's namespace routes A's datagrams to 203.0.113.2 into an ipip
# tunnel to B (underlay 198.51.100.1 -> 198.51.100.2).  The inner packet
# keeps the mac_len of the frame it came in, and dev_queue_xmit() on the
# tunnel device sets its mac header to the inner IP header; the outer
# packet then passes OUTPUT and POSTROUTING.  With hooks=forward,output
# (IPFIX, fields=mac), A sends 5 datagrams (nf-send, one 5-tuple).
# Asserts with nf-collect:
#  - the forwarded inner flow: one record of 5 packets, A's MAC to the
#    router's port, ethernetType 0x0800 (the field works here);
#  - the outer flow (proto 4): one record of 5 packets, both MACs
#    00:00:00:00:00:00.  Read from a stale header they would be the inner
#    IP header's bytes (length, id, checksum): not zeros, and with the
#    id in the key, one flow per packet.
# vm-timeout: 300
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect
nf_workdir
P=2055
A=fta B=ftb
RA=02:00:00:0a:00:01 MA=02:00:00:0a:00:02
Z=00:00:00:00:00:00
SYSCTL=/proc/sys/net/netflow
PIN="taskset -c 0"

tun_down() {
	ip link del tun0 2>/dev/null
	ip netns del $A 2>/dev/null
	ip netns del $B 2>/dev/null
	sysctl -qw net.ipv4.ip_forward=0
	return 0
}
NF_ON_EXIT=tun_down
modprobe ipip || fail "modprobe ipip"
ip netns add $A && ip netns add $B || fail "ip netns add"
ip link add tva address $RA type veth peer name tva1 address $MA &&
	ip link add tvb type veth peer name tvb1 || fail "ip link add"
ip link set tva1 netns $A && ip link set tvb1 netns $B
ip addr add 192.0.2.1/24 dev tva && ip link set tva up
ip addr add 198.51.100.1/24 dev tvb && ip link set tvb up
ip -n $A addr add 192.0.2.2/24 dev tva1 && ip -n $A link set tva1 up
ip -n $A link set lo up
ip -n $A route add default via 192.0.2.1
ip -n $B addr add 198.51.100.2/24 dev tvb1 && ip -n $B link set tvb1 up
ip -n $B link set lo up
ip link add tun0 type ipip local 198.51.100.1 remote 198.51.100.2 &&
	ip link set tun0 up && ip route add 203.0.113.0/24 dev tun0 ||
	fail "tun0"
ip -n $B link add tun1 type ipip local 198.51.100.2 remote 198.51.100.1 &&
	ip -n $B link set tun1 up &&
	ip -n $B addr add 203.0.113.2/24 dev tun1 &&
	ip -n $B route add 192.0.2.0/24 dev tun1 || fail "tun1"
sysctl -qw net.ipv4.ip_forward=1
nf_bg ip netns exec $B "$NF_BIN/nf-sink" udp 203.0.113.2:7000
nf_wait_udp 7000 $B
# the tunnel works, neighbours resolved, before anything is metered
ip netns exec $A ping -c 1 -W 5 203.0.113.2 >/dev/null ||
	fail "ping through the tunnel failed"

nf_load protocol=10 fields=mac inactive_timeout=300 destination=127.0.0.1:$P
nf_collect_start "$W/collect.txt" 127.0.0.1:$P
echo forward,output >$SYSCTL/hooks || fail "hooks=forward,output refused"
ip netns exec $A $PIN "$NF_BIN/nf-send" udp 203.0.113.2:7000 count=5 \
	size=20 sport=45001 >/dev/null || fail "nf-send in A failed"
echo >$SYSCTL/hooks
nf_flush
n=$((100 * NF_TIME_SCALE))
until [ "$(grep -c '^flow ' "$W/collect.txt")" -ge "$(nf_snmp outFlows)" ]; do
	n=$((n - 1))
	[ $n -gt 0 ] || fail "nf-collect has not every record"
	sleep 0.1
done

# records FILE PROTO: "SRC_MAC DST_MAC ETHERTYPE PACKETS" of each record
# of the flow of PROTO (17: A's, inner; 4: the tunnel's, outer)
records() {
	awk -v p="$2" '$1 == "flow" {
		delete f
		for (i = 2; i <= NF; i++) {
			j = index($i, "=")
			f[substr($i, 1, j - 1)] = substr($i, j + 1)
		}
		if (f["proto"] != p)
			next
		if (p == 17 && f["sport"] != 45001)
			next
		if (p == 4 && (f["src"] != "198.51.100.1" ||
			       f["dst"] != "198.51.100.2"))
			next
		print f["src_mac"], f["dst_mac"], f["ethertype"], f["packets"]
	}' "$1"
}
records "$W/collect.txt" 17 >"$W/inner"
[ "$(cat "$W/inner")" = "$MA $RA 2048 5" ] ||
	fail "inner flow at forward: $(cat "$W/inner"), want one record: $MA $RA 2048 5"
sayt "inner flow: A's frame, one record"
records "$W/collect.txt" 4 >"$W/outer"
[ "$(cat "$W/outer")" = "$Z $Z 2048 5" ] ||
	fail "outer (ipip) flow at output: $(wc -l <"$W/outer") record(s): $(head -n 5 "$W/outer" | tr '\n' ';'), want one: $Z $Z 2048 5"
sayt "outer flow: no frame, zeros, one record"

nf_collect_stop "$W/collect.txt"
nf_unload
sayt "OK"
