#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Capture without iptables: hooks= on an nftables-only router.  The VM's
# own namespace routes between client namespaces A and B (veths, IPv4 and
# IPv6); an nft ruleset marks UDP to port 6000; ip_tables is not loaded.
# Sinks in B and in the router take every packet (nothing comes back).
# Asserts, against nf-collect, nfdump and tshark (UDP only, IPv4 and
# IPv6: the neighbour discovery around it is not the truth's):
#  1. hooks=prerouting,output: forwarded (A -> B), received (A -> router)
#     and sent (router -> B) traffic each metered exactly once, with no
#     rule at all;
#  2. hooks=9 (the 2.8 fork's bitmask) at load: the same;
#  3. hooks_mark=16 hooks_mark_mask=16 at run time: only marked packets;
#  4. hooks changed at run time while A sends to the router: the
#     prerouting hook, kept in every set, loses and doubles nothing;
#  5. targets=0: iptables -j NETFLOW is refused; targets=1 again: taken;
#  6. /proc has a Capture line per hook with its packets; a bad hooks
#     value is refused with EINVAL and the old hooks stay.
# vm-timeout: 900
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare nfcapd nfdump nft \
	dumpcap tshark
nf_workdir
A=nfha B=nfhb
P_NFCAPD=2055 P_COLLECT=2056
SYSCTL=/proc/sys/net/netflow

hooks_down() { nf_router_down $A $B; }
NF_ON_EXIT=hooks_down
nf_router_peer $A hva hva1 192.0.2.1 192.0.2.2 2001:db8:a::1 2001:db8:a::2
nf_router_peer $B hvb hvb1 198.51.100.1 198.51.100.2 2001:db8:b::1 \
	2001:db8:b::2
nft -f - <<'NFT' || fail "nft ruleset refused"
table inet t {
	chain c_pre {
		type filter hook prerouting priority -150;
		udp dport 6000 meta mark set 0x10
	}
	chain c_out {
		type route hook output priority -150;
		udp dport 6000 meta mark set 0x10
	}
	chain c_fwd {
		type filter hook forward priority 0; policy accept;
	}
}
NFT
for p in 5000 5002 6000; do
	nf_bg ip netns exec $B "$NF_BIN/nf-sink" udp 198.51.100.2:$p >/dev/null
	nf_wait_udp $p $B
done
nf_bg ip netns exec $B "$NF_BIN/nf-sink" udp6 "[2001:db8:b::2]:6000" >/dev/null
nf_bg "$NF_BIN/nf-sink" udp 192.0.2.1:5001 >/dev/null
nf_wait_udp 5001

# the nft-only router: no ip_tables, only what the module needs itself
for m in $NF_LEGACY_KMODS ip_tables ip6_tables; do
	[ ! -d /sys/module/$m ] || rmmod $m 2>/dev/null
done
hload() {
	nf_loaded && nf_unload
	modprobe -a $(modinfo -F depends "$NF_KO" | tr ',' ' ') ||
		fail "modprobe of the dependencies failed"
	insmod "$NF_KO" protocol=10 inactive_timeout=120 \
		destination=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT "$@" ||
		fail "insmod $* failed"
	[ ! -d /sys/module/ip_tables ] || fail "ip_tables is loaded"
}

# UDP between the namespaces and the router: neighbour discovery and the
# PDUs to the collectors on this host (metered when received on lo, not
# when sent) are not the truth's
ONLY="--only-proto 17 --only-dst 192.0.2.0/24 --only-dst 198.51.100.0/24
	--only-dst 2001:db8::/32"

# run NAME: collectors up, "send" (defined by the caller) makes
# $D/truth.txt, then every collector must equal it (UDP only)
run() {
	D=$W/$1
	mkdir -p "$D"
	nf_capture_begin "$D/export.pcap" "udp port $P_NFCAPD"
	nf_nfcapd_start "$D/nfcapd" $P_NFCAPD
	nf_collect_start "$D/collect.txt" 127.0.0.1:$P_COLLECT
	nf_capture_wait "$D/export.pcap"
	# new collectors on a running stream: nothing told the module they
	# restarted (no PDU went out meanwhile); a destination write does
	cat $SYSCTL/destination >$SYSCTL/destination ||
		fail "destination rewrite refused"
	send "$D/truth.txt"
	pkts=$(nf_sum "$D/truth.txt" packets)
	nf_flush
	nf_wait_collected "$D/collect.txt" " proto=17 " "$pkts" 10 ||
		fail "$1: nf-collect got $(nf_collected "$D/collect.txt" " proto=17 ")" \
			"UDP packets, $pkts sent"
	nf_nfcapd_stop
	nf_capture_stop "$D/collect.txt"
	nf_collect_stop "$D/collect.txt"
	nf_compare $1-nf-collect $ONLY "$D/truth.txt" "$D/collect.txt"
	nf_nfdump_compare $1-nfdump "$D/truth.txt" "$D" $ONLY
	nf_tshark_pdml "$D/export.pcap" $P_NFCAPD "$D/tshark.pdml"
	nf_compare $1-tshark --format tshark-pdml $ONLY "$D/truth.txt" \
		"$D/tshark.pdml"
	return 0
}

# forwarded, received and sent, from port base $2
send3() {
	b=$2
	ip netns exec $A "$NF_BIN/nf-send" udp 198.51.100.2:5000 count=5 \
		size=100 ports=$b-$((b + 9)) >>"$1" || fail "nf-send A->B failed"
	ip netns exec $A "$NF_BIN/nf-send" udp 192.0.2.1:5001 count=3 \
		size=50 ports=$((b + 10))-$((b + 14)) >>"$1" ||
		fail "nf-send A->router failed"
	"$NF_BIN/nf-send" udp 198.51.100.2:5002 count=4 size=20 \
		ports=$((b + 20))-$((b + 24)) >>"$1" ||
		fail "nf-send router->B failed"
}

# --- 1. names
hload hooks=prerouting,output
send() { send3 "$1" 40000; }
run names
grep -q '^Capture: hook prerouting priority 2147483647, IPv4 [1-9]' $NF_STAT ||
	fail "no Capture line for prerouting: $(grep Capture $NF_STAT)"
grep -q '^Capture: hook output ' $NF_STAT || fail "no Capture line for output"
grep -q '^Capture: hook forward ' $NF_STAT && fail "a Capture line for forward"

# --- 6. a bad value changes nothing
for bad in prerouting,bogus 32 "input;output" x prerouting, ,output; do
	echo "$bad" >$SYSCTL/hooks 2>/dev/null &&
		fail "hooks=$bad taken"
done
[ "$(cat $SYSCTL/hooks)" = prerouting,output ] ||
	fail "hooks reads $(cat $SYSCTL/hooks) after bad writes"
sayt "bad hooks values refused, the old ones kept"

# --- 2. the fork's bitmask
hload hooks=9
send() { send3 "$1" 41000; }
run bitmask

# --- 3. the mark filter, set at run time
echo 16 >$SYSCTL/hooks_mark || fail "hooks_mark=16 refused"
echo 16 >$SYSCTL/hooks_mark_mask || fail "hooks_mark_mask=16 refused"
send() {
	# marked: port 6000 (IPv4 forwarded and sent, IPv6 forwarded)
	ip netns exec $A "$NF_BIN/nf-send" udp 198.51.100.2:6000 count=2 \
		size=10 ports=43000-43004 \
		udp6 "[2001:db8:b::2]:6000" count=3 size=10 ports=43010-43012 \
		>>"$1" || fail "nf-send marked failed"
	"$NF_BIN/nf-send" udp 198.51.100.2:6000 count=2 size=10 \
		ports=43020-43022 >>"$1" || fail "nf-send marked failed"
	# not marked: not in the truth, must not be exported
	ip netns exec $A "$NF_BIN/nf-send" udp 198.51.100.2:5000 count=2 \
		size=10 ports=43100-43104 >/dev/null || fail "nf-send failed"
}
run mark
echo 0 >$SYSCTL/hooks_mark_mask || fail "hooks_mark_mask=0 refused"

# --- 4. hooks changed under traffic: prerouting stays in every set
send() {
	ip netns exec $A "$NF_BIN/nf-send" --interval-ms 5 \
		udp 192.0.2.1:5001 count=40 size=10 ports=44000-44009 \
		>>"$1" &
	s=$!
	for h in prerouting prerouting,forward prerouting,output,postrouting \
		1 prerouting,forward,output 9; do
		echo $h >$SYSCTL/hooks || fail "hooks=$h refused"
		sleep 0.2
	done
	wait $s || fail "nf-send failed"
}
run change

# --- 5. targets
echo 0 >$SYSCTL/targets || fail "targets=0 refused"
iptables-nft -w -A OUTPUT -o hvb -j NETFLOW 2>"$W/ipt.err" &&
	fail "iptables -j NETFLOW taken with targets=0"
sayt "targets=0: iptables says: $(head -n 1 "$W/ipt.err")"
grep -q 'target NETFLOW not registered' $NF_STAT ||
	fail "/proc does not say the target is not registered"
echo 1 >$SYSCTL/targets || fail "targets=1 refused"
iptables-nft -w -A OUTPUT -o hvb -j NETFLOW ||
	fail "iptables -j NETFLOW refused with targets=1"
iptables-nft -w -D OUTPUT -o hvb -j NETFLOW
nf_unload
sayt "OK"
