#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fields=mac: sourceMacAddress 56, destinationMacAddress 80 and
# ethernetType 256 in flow records, part of the flow key.
#
# The VM's namespace routes between A and B over veths whose four ends
# have MAC addresses set here.  Per run (IPFIX, fields=mac): A sends UDP
# to B and B to A (nf-send, known counts); A sends one more flow, then
# changes its MAC and sends the same 5-tuple again (two hosts behind one
# IP); the router itself sends to A.  Runs:
#  (a) hooks=forward,output: forwarded packets carry the frame they came
#      in (A's MAC to the router's port, both directions); the router's
#      own packet has no frame yet: zeros;
#  (b) ingress=hva,hvb: the same frames at the ports' ingress hook.
# A also sends IPv6 (an IPv6 flow's area in front of its larger entry).
# Asserts with nf-collect (every record: key, MACs, ethernetType 0x0800
# or 0x86dd, packets, exactly), nfdump (in src/dst MAC per flow and packets) and
# tshark (cflow.srcmac/dstmac/ethernet_type in each record): the same
# 5-tuple from two MACs is two records with their own counts.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nfcapd nfdump dumpcap tshark
nf_workdir
P=2055
A=fma B=fmb
RA=02:00:00:0a:00:01 MA=02:00:00:0a:00:02 MA2=02:00:00:0a:00:03
RB=02:00:00:0b:00:01 MB=02:00:00:0b:00:02
A4=192.0.2.2 B4=198.51.100.2
Z=00:00:00:00:00:00
SYSCTL=/proc/sys/net/netflow
PIN="taskset -c 0"

# peer NS DEV DEVMAC PEER PEERMAC ADDR PEERADDR ADDR6 PEERADDR6: netns NS
# behind DEV
peer() {
	ip netns add "$1" || fail "ip netns add $1"
	ip link add "$2" address "$3" type veth peer name "$4" address "$5" ||
		fail "veth $2"
	ip link set "$4" netns "$1"
	ip addr add "$6/24" dev "$2"
	ip link set "$2" up
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$7/24" dev "$4"
	ip -n "$1" link set "$4" up
	ip -n "$1" route add default via "$6"
	ip neigh replace "$7" lladdr "$5" dev "$2" nud permanent
	ip -n "$1" neigh replace "$6" lladdr "$3" dev "$4" nud permanent
	ip -6 addr add "$8/64" dev "$2" nodad
	ip -n "$1" -6 addr add "$9/64" dev "$4" nodad
	ip -n "$1" -6 route add default via "$8"
	ip -6 neigh replace "$9" lladdr "$5" dev "$2" nud permanent
	ip -n "$1" -6 neigh replace "$8" lladdr "$3" dev "$4" nud permanent
}
mac_down() {
	ip netns del $A 2>/dev/null
	ip netns del $B 2>/dev/null
	sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
	return 0
}
NF_ON_EXIT=mac_down
peer $A hva $RA hva1 $MA 192.0.2.1 $A4 2001:db8:a::1 2001:db8:a::2
peer $B hvb $RB hvb1 $MB 198.51.100.1 $B4 2001:db8:b::1 2001:db8:b::2
sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nf_bg ip netns exec $B "$NF_BIN/nf-sink" udp $B4:7000
nf_bg ip netns exec $A "$NF_BIN/nf-sink" udp $A4:7001
nf_bg ip netns exec $B "$NF_BIN/nf-sink" udp6 "[2001:db8:b::2]:7002"
nf_wait_udp 7000 $B
nf_wait_udp 7001 $A
nf_wait_udp6 7002 $B

# traffic BASE LOCAL: the run's flows; their records into $W/want-BASE as
# "SPORT SRCMAC DSTMAC ETHERTYPE PACKETS" (LOCAL=1: with the router's own)
traffic() {
	w=$W/want-$1
	: >"$w"
	ip -n $A link set hva1 address $MA
	ip netns exec $A $PIN "$NF_BIN/nf-send" \
		udp $B4:7000 count=3 size=20 sport=$(($1 + 1)) \
		udp $B4:7000 count=2 size=20 sport=$(($1 + 3)) \
		udp6 "[2001:db8:b::2]:7002" count=2 size=20 sport=$(($1 + 5)) \
		>/dev/null || fail "nf-send in A failed"
	ip netns exec $B $PIN "$NF_BIN/nf-send" \
		udp $A4:7001 count=4 size=30 sport=$(($1 + 2)) >/dev/null ||
		fail "nf-send in B failed"
	# another host, the same address and 5-tuple
	ip -n $A link set hva1 address $MA2
	ip netns exec $A $PIN "$NF_BIN/nf-send" \
		udp $B4:7000 count=5 size=20 sport=$(($1 + 3)) >/dev/null ||
		fail "nf-send in A (second MAC) failed"
	{
		echo "$(($1 + 1)) $MA $RA 2048 3"
		echo "$(($1 + 2)) $MB $RB 2048 4"
		echo "$(($1 + 3)) $MA $RA 2048 2"
		echo "$(($1 + 3)) $MA2 $RA 2048 5"
		echo "$(($1 + 5)) $MA $RA 34525 2"
	} >>"$w"
	if [ "$2" = 1 ]; then
		$PIN "$NF_BIN/nf-send" udp $A4:7001 count=1 size=10 \
			sport=$(($1 + 4)) >/dev/null || fail "nf-send here failed"
		echo "$(($1 + 4)) $Z $Z 2048 1" >>"$w"
	fi
	sort -o "$w" "$w"
}

# collected FILE BASE: nf-collect's records of a run, as traffic() writes
collected() {
	awk -v b="$2" '$1 == "flow" {
		delete f
		for (i = 2; i <= NF; i++) {
			j = index($i, "=")
			f[substr($i, 1, j - 1)] = substr($i, j + 1)
		}
		if (f["proto"] != 17 || f["sport"] <= b || f["sport"] > b + 5 ||
		    f["dport"] < 7000 || f["dport"] > 7002)
			next
		print f["sport"], f["src_mac"], f["dst_mac"], f["ethertype"],
			f["packets"]
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
nf_load protocol=10 fields=mac inactive_timeout=300 \
	destination=127.0.0.1:$P,127.0.0.1:$((P + 1))
nf_capture_wait "$W/export.pcap"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P
grep -q ' 80 bytes/flow\.$' $NF_STAT ||
	fail "fields=mac: want 80 bytes/flow (64 + 16), /proc says: $(grep '^Flows:' $NF_STAT)"

# (a) IP hooks
echo forward,output >$SYSCTL/hooks || fail "hooks=forward,output refused"
traffic 41000 1
echo >$SYSCTL/hooks
nf_flush
# (b) ingress of the router's ports
echo hva,hvb >$SYSCTL/ingress || fail "ingress=hva,hvb refused"
traffic 42000 0
echo >$SYSCTL/ingress
nf_flush
wait_all || fail "nf-collect has not every record"

for b in 41000 42000; do
	collected "$W/collect.txt" $b >"$W/got-$b"
	cmp -s "$W/want-$b" "$W/got-$b" || {
		diff "$W/want-$b" "$W/got-$b" >&2
		fail "run $b: nf-collect's records differ from the truth"
	}
done
sayt "nf-collect: MACs and ethernetType exact, two MACs two records"

nf_collect_stop "$W/collect.txt"
nf_unload
nf_capture_stop "$W/collect.txt"
nf_nfcapd_stop

# nfdump: in src/dst MAC, summed packets per (sport, MACs)
nfdump -q -N -r "$NF_NFCAPD_FILE" -o "fmt:%pr|%sp|%ismc|%idmc|%pkt|%dp" \
	>"$W/nfdump.txt" 2>"$W/nfdump.err" || fail "nfdump failed: $(cat "$W/nfdump.err")"
tr -d ' ' <"$W/nfdump.txt" | tr 'A-F' 'a-f' | awk -F'|' '
	($1 == 17 || $1 == "UDP") && $6 >= 7000 && $6 <= 7002 &&
	(($2 > 41000 && $2 <= 41005) || ($2 > 42000 && $2 <= 42005)) {
		print $2, $3, $4, $6 == 7002 ? 34525 : 2048, $5
	}' | sort >"$W/nfdump.got"
cat "$W/want-41000" "$W/want-42000" | sort >"$W/want.all"
cmp -s "$W/want.all" "$W/nfdump.got" || {
	diff "$W/want.all" "$W/nfdump.got" >&2
	fail "nfdump: MACs differ from the truth"
}
sayt "nfdump: in src/dst MAC of every flow"

# tshark: the three elements in every record of ours (one line a record:
# sport, MACs, ethernetType)
nf_tshark_pdml "$W/export.pcap" $P "$W/tshark.pdml"
awk '
function val(   v) {
	match($0, /show="[^"]*"/)
	return substr($0, RSTART + 6, RLENGTH - 7)
}
function emit() {
	if (rec && dp >= 7000 && dp <= 7002 &&
	    ((sp > 41000 && sp <= 41005) || (sp > 42000 && sp <= 42005)))
		print sp, sm, dm, et
	rec = 0; sp = dp = sm = dm = et = ""
}
/<field name="" show="Flow [0-9]/ { emit(); rec = 1; next }
/<proto name=/ { emit() }
/name="cflow.srcport"/ { sp = val() }
/name="cflow.dstport"/ { dp = val() }
/name="cflow.srcmac"/ { sm = val() }
/name="cflow.dstmac"/ { dm = val() }
/name="cflow.ethernet_type"/ { et = val() }
END { emit() }' "$W/tshark.pdml" | sort >"$W/tshark.got"
awk '{ print $1, $2, $3, $4 }' "$W/want.all" >"$W/tshark.want"
cmp -s "$W/tshark.want" "$W/tshark.got" || {
	diff "$W/tshark.want" "$W/tshark.got" >&2
	fail "tshark: MACs differ from the truth"
}
sayt "tshark: MACs and ethernetType decoded"
sayt "OK"
