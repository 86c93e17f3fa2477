#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# aggregation=: netmask and port rules merge flows before they are
# metered, and records carry the prefix lengths applied.
#
# A sender netns (agn) behind a veth (aga/agb) has two hosts of one /16,
# 10.9.1.1 and 10.9.2.1 (IPv6: 2001:db8:9:1::1 and 2001:db8:9:2::1 of
# one /48), on its loopback; each sends UDP from ten source ports in
# 1000-1999 (3 packets each, nf-send: the ground truth) to a sink on the
# router, which meters at hooks=input.  Every run sends to addresses of
# its own on aga, so its flows are told apart by destination.  Traffic
# is pinned to CPU 0, so no flow is split over two CPUs' records.
#  (a) IPFIX, rules 10.9.0.0/16=16,2001:db8:9::/48=48,1000-1999=1000
#      given at load: per family the 20 flows are one record, src
#      10.9.0.0 (2001:db8:9::) port 1000, 60 packets, sourceIPv4/
#      IPv6PrefixLength 16/48, destination 32/128 (no rule matched it),
#      in nf-collect (nf-compare --aggregate --masks), nfdump (counts and
#      smk/dmk) and tshark (srcmask/dstmask per record); templates
#      640..643; /proc's aggr0..2 lines count 60, 60 and 120 packets;
#  (c) IPFIX, rules changed at run time to 10.9.0.0/16=24,
#      1000-1499=1000,2001:db8:9::/48=64 while the flows of the traffic
#      before are in memory: those are exported at the change, by the old
#      rules; the traffic after is merged by the new ones (per host a /24,
#      ports 1000-1444 one flow, the others their own); /proc shows the
#      new rules, counting only the traffic after them;
#  (b) NetFlow v5, the rules of (a) again: one record, src_mask 16,
#      dst_mask 32.
# Also: bad rules refused with EINVAL, a log line naming the rule, the
# value in force unchanged; a load with a bad rule fails.
# vm-timeout: 900
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare nfcapd nfdump dumpcap tshark
nf_workdir
P=2055
SYSCTL=/proc/sys/net/netflow
PIN="taskset -c 0"
H4="10.9.1.1 10.9.2.1"
H6="2001:db8:9:1::1 2001:db8:9:2::1"
PORTS="1000 1111 1222 1333 1444 1555 1666 1777 1888 1999"
RULES="10.9.0.0/16=16,2001:db8:9::/48=48,1000-1999=1000"
RULES2="10.9.0.0/16=24,1000-1499=1000,2001:db8:9::/48=64"

agg_down() {
	ip netns del agn 2>/dev/null
	ip link del aga 2>/dev/null
	return 0
}
NF_ON_EXIT=agg_down

# --- the sender, and the router's side
ip netns add agn || fail "ip netns add agn"
ip link add aga type veth peer name agb || fail "veth"
ip link set agb netns agn
ip -n agn link set lo up
for a in $H4; do ip -n agn addr add $a/32 dev lo; done
for a in $H6; do ip -n agn addr add $a/128 dev lo; done
ip -n agn addr add 10.8.0.2/24 dev agb
ip -n agn addr add 2001:db8:8::2/64 dev agb nodad
ip -n agn link set agb up
for n in 1 3 4 5; do ip addr add 10.8.0.$n/24 dev aga; done
for n in 1 3 5; do ip addr add 2001:db8:8::$n/64 dev aga nodad; done
ip link set aga up
ip -n agn route add default via 10.8.0.1
ip -n agn route add default via 2001:db8:8::1
ip route add 10.9.0.0/16 via 10.8.0.2 dev aga
ip route add 2001:db8:9::/48 via 2001:db8:8::2 dev aga
AMAC=$(cat /sys/class/net/aga/address)
BMAC=$(ip netns exec agn cat /sys/class/net/agb/address)
ip -n agn neigh replace 10.8.0.1 lladdr $AMAC dev agb nud permanent
ip -n agn neigh replace 2001:db8:8::1 lladdr $AMAC dev agb nud permanent
ip neigh replace 10.8.0.2 lladdr $BMAC dev aga nud permanent
ip neigh replace 2001:db8:8::2 lladdr $BMAC dev aga nud permanent
nf_bg $PIN "$NF_BIN/nf-sink" udp 7000
nf_wait_udp 7000
nf_bg $PIN "$NF_BIN/nf-sink" udp6 7000
nf_wait_udp6 7000

# traffic DST4 DST6 TRUTH: the hosts' flows to DST4 (and DST6, if not
# "-"), truth appended to TRUTH
traffic() {
	for h in $H4; do
		spec=
		for p in $PORTS; do
			spec="$spec udp $1:7000 count=3 size=20 sport=$p src=$h"
		done
		ip netns exec agn $PIN "$NF_BIN/nf-send" $spec >>"$3" ||
			fail "nf-send from $h failed"
	done
	[ "$2" != - ] || return 0
	for h in $H6; do
		spec=
		for p in $PORTS; do
			spec="$spec udp6 [$2]:7000 count=3 size=20 sport=$p src=$h"
		done
		ip netns exec agn $PIN "$NF_BIN/nf-send" $spec >>"$3" ||
			fail "nf-send from $h failed"
	done
}

# aggr_lines: /proc's aggrN: lines
aggr_lines() { grep '^aggr[0-9]*: ' $NF_STAT; }

# wait_all: until nf-collect has written every flow record sent so far
wait_all() {
	n=$((100 * NF_TIME_SCALE))
	until [ "$(grep -c '^flow ' "$W/collect.txt")" -ge "$(nf_snmp outFlows)" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# --- refusals: at load, and of a write, which leaves the rules in force
nf_kmsg_mark "load bogus"
nf_try_load aggregation=10.9.0.0/16=16,bogus 2>/dev/null &&
	fail "load with aggregation=...,bogus"
nf_dmesg_since "load bogus" | grep -q 'aggregation: "bogus" is not a rule' ||
	fail "a refused load: no message naming \"bogus\""

nf_capture_begin "$W/export.pcap" "udp port $P"
nf_nfcapd_start "$W/nfcapd" $((P + 1))
nf_load protocol=10 aggregation=$RULES inactive_timeout=300 \
	destination=127.0.0.1:$P,127.0.0.1:$((P + 1))
nf_capture_wait "$W/export.pcap"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P
[ "$(cat $SYSCTL/aggregation)" = "$RULES" ] ||
	fail "sysctl aggregation reads $(cat $SYSCTL/aggregation)"
[ "$(cat /sys/module/ipt_NETFLOW/parameters/aggregation)" = "$RULES" ] ||
	fail "parameter aggregation reads differently"

# bad value / the rule the log must name
for bad in "10.9.0.0/16=33|10.9.0.0/16=33" "10.9.1.0/16=16|10.9.1.0/16=16" \
	"80=80,bogus|bogus" "1999-1000=1000|1999-1000=1000" \
	"2001:db8:9::1/48=48|2001:db8:9::1/48=48" "$RULES,|1000-1999=1000,"; do
	val=${bad%|*} who=${bad#*|}
	nf_kmsg_mark "bad $val"
	# (bash, see the first line: dash's echo and printf say "I/O error"
	# whatever the errno)
	err=$(printf '%s' "$val" 2>&1 >$SYSCTL/aggregation) &&
		fail "aggregation=$val taken"
	case $err in
	*"Invalid argument"*) ;;
	*) fail "aggregation=$val: not EINVAL: $err" ;;
	esac
	nf_dmesg_since "bad $val" | grep -qF "aggregation: \"$who\" is not a rule" ||
		fail "aggregation=$val: no message naming \"$who\""
	[ "$(cat $SYSCTL/aggregation)" = "$RULES" ] ||
		fail "a refused write changed aggregation: $(cat $SYSCTL/aggregation)"
done
[ "$(aggr_lines | wc -l)" = 3 ] || fail "refusals changed the rules: $(aggr_lines)"
sayt "refusals: bad rules named, the rules in force kept"

echo input >$SYSCTL/hooks || fail "hooks=input refused"

# --- (a) IPFIX
traffic 10.8.0.1 2001:db8:8::1 "$W/truth-a"
aggr_lines >"$W/aggr-a"
printf '%s\n' "aggr0: 10.9.0.0/16=16, packets 60" \
	"aggr1: 2001:db8:9::/48=48, packets 60" \
	"aggr2: 1000-1999=1000, packets 120" >"$W/aggr-a.want"
cmp -s "$W/aggr-a.want" "$W/aggr-a" || {
	diff "$W/aggr-a.want" "$W/aggr-a" >&2
	fail "(a): /proc's aggr lines differ"
}
nf_flush
wait_all || fail "(a): nf-collect has not every record"
A="--only-dst 10.8.0.1/32 --only-dst 2001:db8:8::1/128"
# shellcheck disable=SC2086 # lists
nf_compare a-collect --aggregate "$RULES" --masks $A "$W/truth-a" "$W/collect.txt"
for s in 10.9.0.0 2001:db8:9::; do
	[ "$(grep -c "^flow .* src=$s .*" "$W/collect.txt")" = 1 ] ||
		fail "(a): not one record from $s: $(grep "src=$s " "$W/collect.txt")"
done
for id in 640 641 642 643; do
	grep -Eq "^template .* id=$id( |\$)" "$W/collect.txt" ||
		fail "(a): no template $id (aggregation)"
done
sayt "(a) IPFIX: 40 flows are 2 records, prefix lengths 16/32 and 48/128"

# --- (c) the rules changed with flows of before in memory
traffic 10.8.0.5 2001:db8:8::5 "$W/truth-c1"
out0=$(nf_snmp outFlows)
echo "$RULES2" >$SYSCTL/aggregation || fail "aggregation=$RULES2 refused"
# the write handed them to the exporter, before any packet of after
nf_wait_snmp outFlows -ge $((out0 + 2)) 10 ||
	fail "(c): the flows of the old rules were not exported at the change"
traffic 10.8.0.3 2001:db8:8::3 "$W/truth-c2"
aggr_lines >"$W/aggr-c"
printf '%s\n' "aggr0: 10.9.0.0/16=24, packets 60" \
	"aggr1: 1000-1499=1000, packets 60" \
	"aggr2: 2001:db8:9::/48=64, packets 60" >"$W/aggr-c.want"
cmp -s "$W/aggr-c.want" "$W/aggr-c" || {
	diff "$W/aggr-c.want" "$W/aggr-c" >&2
	fail "(c): /proc's aggr lines differ"
}
nf_flush
wait_all || fail "(c): nf-collect has not every record"
nf_compare c-old --aggregate "$RULES" --masks --only-dst 10.8.0.5/32 \
	--only-dst 2001:db8:8::5/128 "$W/truth-c1" "$W/collect.txt"
nf_compare c-new --aggregate "$RULES2" --masks --only-dst 10.8.0.3/32 \
	--only-dst 2001:db8:8::3/128 "$W/truth-c2" "$W/collect.txt"
sayt "(c) rules changed: the flows of before by the old rules, after by the new"

# --- (b) NetFlow v5, the rules of (a) again (last: a protocol change
# starts a new stream, whose sequence nf-collect would take for a replay)
echo "$RULES" >$SYSCTL/aggregation || fail "aggregation=$RULES refused"
echo 5 >$SYSCTL/protocol || fail "protocol=5 refused with aggregation"
traffic 10.8.0.4 - "$W/truth-b"
nf_flush
wait_all || fail "(b): nf-collect has not every record"
nf_compare b-collect --aggregate "$RULES" --masks --only-dst 10.8.0.4/32 \
	"$W/truth-b" "$W/collect.txt"
grep "^flow .* dst=10.8.0.4 " "$W/collect.txt" | grep -q " ver=5 " ||
	fail "(b): the record is not v5"
sayt "(b) v5: 20 flows are 1 record, src_mask 16, dst_mask 32"

echo >$SYSCTL/hooks
echo >$SYSCTL/aggregation || fail "aggregation= (none) refused"
[ -z "$(aggr_lines)" ] || fail "aggr lines without rules: $(aggr_lines)"

nf_collect_stop "$W/collect.txt"
nf_unload
nf_capture_stop "$W/collect.txt"
nf_nfcapd_stop

# --- nfdump: every run's counts; (a)'s prefix lengths (nfdump 1.7 reads
# no src_mask/dst_mask from v5: 0 there whatever was sent)
nfdump -r "$NF_NFCAPD_FILE" -o csv >"$W/nfdump.csv" 2>"$W/nfdump.err" ||
	fail "nfdump -r failed: $(cat "$W/nfdump.err")"
# shellcheck disable=SC2086 # lists
nf_compare a-nfdump --format nfdump-csv --aggregate "$RULES" $A \
	"$W/truth-a" "$W/nfdump.csv"
nf_compare b-nfdump --format nfdump-csv --aggregate "$RULES" \
	--only-dst 10.8.0.4/32 "$W/truth-b" "$W/nfdump.csv"
nf_compare c-nfdump --format nfdump-csv --aggregate "$RULES2" \
	--only-dst 10.8.0.3/32 --only-dst 2001:db8:8::3/128 \
	"$W/truth-c2" "$W/nfdump.csv"
awk -F, '
	$1 == "ts" { for (i = 1; i <= NF; i++) c[$i] = i; next }
	("sa" in c) && ($c["sa"] == "10.9.0.0" || $c["sa"] == "2001:db8:9::") &&
	($c["da"] ~ /^(10\.8\.0\.1|2001:db8:8::1)$/) {
		print $c["sa"], $c["sp"], $c["da"], $c["smk"], $c["dmk"], $c["ipkt"]
	}' "$W/nfdump.csv" | sort >"$W/nfdump.masks"
printf '%s\n' "10.9.0.0 1000 10.8.0.1 16 32 60" \
	"2001:db8:9:: 1000 2001:db8:8::1 48 128 60" | sort >"$W/nfdump.masks.want"
cmp -s "$W/nfdump.masks.want" "$W/nfdump.masks" || {
	diff "$W/nfdump.masks.want" "$W/nfdump.masks" >&2
	fail "nfdump: the prefix lengths (smk, dmk) differ"
}
sayt "nfdump: counts of every run, smk/dmk of (a) (its v5 reader leaves v5's masks out)"

# --- tshark: every flow record of (a) with its prefix lengths (IPFIX: the
# capture holds v5 too, which tshark decodes as well: the same fields)
nf_tshark_pdml "$W/export.pcap" $P "$W/tshark.pdml"
nf_pdml_flows "$W/tshark.pdml" | awk '{
	delete f
	for (i = 2; i <= NF; i++) {
		j = index($i, "=")
		f[substr($i, 1, j - 1)] = substr($i, j + 1)
	}
	if (f["dstaddr"] == "10.8.0.1" || f["dstaddrv6"] == "2001:db8:8::1")
		print f["srcaddr"] f["srcaddrv6"], f["srcport"],
			f["srcmask"] f["srcmaskv6"], f["dstmask"] f["dstmaskv6"],
			f["packets"]
}' | sort >"$W/tshark.got"
printf '%s\n' "10.9.0.0 1000 16 32 60" "2001:db8:9:: 1000 48 128 60" |
	sort >"$W/tshark.want"
cmp -s "$W/tshark.want" "$W/tshark.got" || {
	diff "$W/tshark.want" "$W/tshark.got" >&2
	fail "tshark: (a)'s records differ (srcmask, dstmask, packets)"
}
# and (b)'s v5 record: per packet, lists of every record's fields
tshark -r "$W/export.pcap" -d "udp.port==$P,cflow" -Y "cflow.version == 5" \
	-T fields -E occurrence=a -E aggregator=, -e cflow.srcaddr \
	-e cflow.dstaddr -e cflow.srcmask -e cflow.dstmask -e cflow.packets \
	2>"$W/tshark-v5.err" >"$W/tshark-v5.txt" ||
	fail "tshark (v5) failed: $(cat "$W/tshark-v5.err")"
awk -F'\t' '{
	n = split($2, d, ","); split($1, s, ","); split($3, sm, ",")
	split($4, dm, ","); split($5, p, ",")
	for (i = 1; i <= n; i++)
		if (d[i] == "10.8.0.4") print s[i], d[i], sm[i], dm[i], p[i]
}' "$W/tshark-v5.txt" >"$W/tshark-v5.got"
[ "$(cat "$W/tshark-v5.got")" = "10.9.0.0 10.8.0.4 16 32 60" ] ||
	fail "tshark: (b)'s v5 record reads '$(cat "$W/tshark-v5.got")'"
sayt "tshark: (a)'s 2 records and (b)'s v5 record with their prefix lengths"
sayt "OK"
