#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Capture at netdev ingress: ingress= and promisc=.  The VM's namespace
# routes between A and B; M is a mirror port's far end, sending frames
# for other hosts.  Asserts (nf-collect, UDP):
#  1. an nft flowtable offloads a forwarded UDP connection (A sends 201
#     datagrams to B, which echoes each; conntrack shows [OFFLOAD]):
#     with hooks=forward the collector gets only the packets before the
#     offload (fewer than 10 of 201: the test proves the offload);
#  2. with ingress=hva,hvb instead, a new such connection is metered
#     exactly: 201 packets each way, bytes too;
#  3. mirror port (ingress=mira promisc=1): frames with a foreign
#     destination MAC, untagged, 802.1Q (tag in skb metadata), QinQ
#     (inner tag in the frame) and MPLS-labelled (two labels), each
#     metered exactly by its inner IP packet; mira is promiscuous while
#     listed and not after the unload;
#  4. devices followed: ingress=nflate before nflate exists; created:
#     hooked and metering; renamed away: unhooked; renamed back: hooked;
#     deleted: gone; a bad value refused; no warning (dmesg check).
# vm-timeout: 900
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare nft conntrack
nf_workdir
A=nfia B=nfib M=nfim
P_COLLECT=2056
SYSCTL=/proc/sys/net/netflow

ingress_down() {
	ip link del nflate 2>/dev/null
	ip link del nflate2 2>/dev/null
	ip link del mira 2>/dev/null
	nf_router_down $A $B $M
}
NF_ON_EXIT=ingress_down
nf_router_peer $A hva hva1 192.0.2.1 192.0.2.2 2001:db8:a::1 2001:db8:a::2
nf_router_peer $B hvb hvb1 198.51.100.1 198.51.100.2 2001:db8:b::1 \
	2001:db8:b::2
modprobe -a nf_flow_table nf_flow_table_inet nft_flow_offload 8021q \
	mpls_router mpls_iptunnel 2>/dev/null
nft -f - <<'NFT' || fail "nft flowtable refused"
table inet ft {
	flowtable f {
		hook ingress priority 0; devices = { hva, hvb };
	}
	chain c_fwd {
		type filter hook forward priority 0; policy accept;
		meta l4proto { tcp, udp } flow add @f
	}
}
NFT
# echoes that come back after nf-send is gone must not make ICMP
ip netns exec $A nft add table ip q '{ chain o { type filter hook output priority 0; icmp type destination-unreachable drop; }; }' ||
	fail "nft in A refused"
nf_bg ip netns exec $B "$NF_BIN/nf-sink" --echo udp 198.51.100.2:7000 >/dev/null
nf_wait_udp 7000 $B

nf_load protocol=10 inactive_timeout=120 destination=127.0.0.1:$P_COLLECT
nf_collect_start "$W/collect.txt" 127.0.0.1:$P_COLLECT

# offload SPORT: 201 datagrams A -> B with echoes, paced; the truth of
# both directions into $W/truth-SPORT.txt; the flow must be offloaded
offload() {
	ip netns exec $A "$NF_BIN/nf-send" --interval-ms 3 \
		udp 198.51.100.2:7000 count=201 size=32 sport=$1 \
		>"$W/truth-$1.txt" || fail "nf-send failed"
	awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		printf "flow proto=17 src=%s sport=%s dst=%s dport=%s packets=%s bytes=%s tcpflags=0x00 icmp_type=0 icmp_code=0\n",
			f["dst"], f["dport"], f["src"], f["sport"], f["packets"], f["bytes"]
	}' "$W/truth-$1.txt" >>"$W/truth-$1.txt"
	conntrack -L -p udp --sport $1 2>/dev/null | grep -q OFFLOAD ||
		fail "the connection from port $1 was not offloaded:" \
			"$(conntrack -L -p udp --sport $1 2>&1)"
}

# --- 1. hooks=forward sees only what came before the offload
echo forward >$SYSCTL/hooks || fail "hooks=forward refused"
offload 47000
nf_flush
nf_wait_collected "$W/collect.txt" " sport=47000 " 1 10 ||
	fail "hooks=forward metered nothing of the connection"
fwd=$(nf_collected "$W/collect.txt" " sport=47000 ")
[ "$fwd" -lt 10 ] ||
	fail "hooks=forward metered $fwd of 201 packets: no offload?"
sayt "flowtable: hooks=forward saw $fwd of 201 packets (offloaded)"
echo "" >$SYSCTL/hooks || fail "hooks= (off) refused"

# --- 2. ingress on the router's ports sees everything
echo hva,hvb >$SYSCTL/ingress || fail "ingress=hva,hvb refused"
grep -q '^Capture: ingress hva[ ,]' $NF_STAT || fail "no Capture line for hva"
offload 47100
nf_flush
nf_wait_collected "$W/collect.txt" " dport=47100 " 201 10 ||
	fail "ingress: $(nf_collected "$W/collect.txt" " dport=47100 ") of 201 echoes"
nf_wait_collected "$W/collect.txt" " sport=47100 " 201 5 ||
	fail "ingress: $(nf_collected "$W/collect.txt" " sport=47100 ") of 201 datagrams"
grep -e ' sport=47100 ' -e ' dport=47100 ' "$W/collect.txt" >"$W/c47100.txt"
nf_compare flowtable-ingress "$W/truth-47100.txt" "$W/c47100.txt"

# --- 3. a mirror port
echo "" >$SYSCTL/ingress || fail "ingress= (off) refused"
ip netns add $M || fail "ip netns add $M"
ip link add mira type veth peer name mirb || fail "veth mira"
ip link set mirb netns $M
ip link set mira up
ip -n $M link set lo up
ip -n $M link set mirb up
F=02:00:5e:00:53:99		# nobody's MAC: every frame is for another host
ip -n $M addr add 198.18.4.1/24 dev mirb
ip -n $M neigh replace 198.18.4.2 lladdr $F dev mirb nud permanent
ip -n $M link add link mirb name mirb.100 type vlan id 100 ||
	fail "802.1Q device"
ip -n $M link add link mirb name mirb.s200 type vlan proto 802.1ad id 200 &&
	ip -n $M link add link mirb.s200 name mirb.qq type vlan id 300 ||
	fail "QinQ devices"
ip -n $M link set mirb.s200 up
for d in mirb.100:198.18.1 mirb.qq:198.18.2; do
	ip -n $M link set ${d%%:*} up
	ip -n $M addr add ${d#*:}.1/24 dev ${d%%:*}
	ip -n $M neigh replace ${d#*:}.2 lladdr $F dev ${d%%:*} nud permanent
done
# MPLS: two labels pushed on the way to 198.18.3.0/24, via 198.18.4.2
ip -n $M route add 198.18.3.0/24 encap mpls 100/200 via inet 198.18.4.2 \
	dev mirb || fail "MPLS route (mpls_iptunnel)"
echo 1 >$SYSCTL/promisc || fail "promisc=1 refused"
echo mira >$SYSCTL/ingress || fail "ingress=mira refused"
[ $(($(cat /sys/class/net/mira/flags) & 0x100)) != 0 ] ||
	fail "mira is not promiscuous with promisc=1"
ip netns exec $M "$NF_BIN/nf-send" \
	udp 198.18.4.2:8000 count=3 size=10 sport=48000 \
	udp 198.18.1.2:8000 count=4 size=20 sport=48001 \
	udp 198.18.2.2:8000 count=5 size=30 sport=48002 \
	udp 198.18.3.2:8000 count=6 size=40 sport=48003 \
	>"$W/truth-mirror.txt" || fail "nf-send in $M failed"
nf_flush
nf_wait_collected "$W/collect.txt" " dport=8000 " 18 10 ||
	fail "mirror: $(nf_collected "$W/collect.txt" " dport=8000 ") of 18 packets"
grep ' dport=8000 ' "$W/collect.txt" >"$W/c-mirror.txt"
nf_compare mirror "$W/truth-mirror.txt" "$W/c-mirror.txt"

# --- 4. devices that come, change names and go
echo nflate >$SYSCTL/ingress || fail "ingress=nflate (absent) refused"
grep -q '^Capture: ingress' $NF_STAT && fail "a Capture line with no device"
nf_kmsg_mark ingress-follow
ip link add nflate type veth peer name nflate2 || fail "veth nflate"
ip link set nflate up
ip link set nflate2 up
grep -q '^Capture: ingress nflate[ ,]' $NF_STAT ||
	fail "nflate not hooked when it appeared"
ip link set nflate down
ip link set nflate name nfother
grep -q '^Capture: ingress' $NF_STAT && fail "still hooked once renamed away"
ip link set nfother name nflate
grep -q '^Capture: ingress nflate[ ,]' $NF_STAT ||
	fail "nflate not hooked again when renamed back"
ip link del nflate
grep -q '^Capture: ingress' $NF_STAT && fail "still hooked once deleted"
for bad in "a,,b" "eth0/1" "$(printf '%017d' 0)" "nfv0," ",nfv0"; do
	echo "$bad" >$SYSCTL/ingress 2>/dev/null && fail "ingress=$bad taken"
done
[ "$(cat $SYSCTL/ingress)" = nflate ] || fail "ingress changed by a bad write"
sayt "devices followed: created, renamed, deleted"

echo mira >$SYSCTL/ingress || fail "ingress=mira refused"
nf_collect_stop "$W/collect.txt"
nf_unload
[ $(($(cat /sys/class/net/mira/flags) & 0x100)) = 0 ] ||
	fail "mira still promiscuous after the unload"
sayt "OK"
