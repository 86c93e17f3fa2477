#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fields= switched at run time, under traffic.
#
# The VM's namespace routes A -> B, metered by hooks=forward, IPFIX to
# nf-collect (from the start) and to a second destination where nothing
# listens yet.  A paced sender runs through every switch: "" -> mac ->
# mac,nat -> "" -> nat; after each switch a flow of its own is sent.
# Asserts:
#  - nothing lost: the paced flow's packets (over several records and
#    templates) add up to what was sent, nothing dropped;
#  - each phase's flow is in a record of its phase's template: 256 (no
#    fields), 516 (mac), 580 (mac,nat), 576 (nat), with source MAC and
#    post-NAT elements exactly where the fields say;
#  - /proc's bytes/flow follows: 64, 80, 96, 64, 80;
#  - the stream goes on: nf-collect finds no sequence error across the
#    switches;
#  - a collector started late (nfcapd, on the second destination, after
#    the last switch) decodes what it gets: nfdump shows the last flow.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nfcapd nfdump
nf_workdir
P=2055 P2=2056
SYSCTL=/proc/sys/net/netflow
B4=198.51.100.2

sw_down() { nf_router_down fsa fsb; }
NF_ON_EXIT=sw_down
nf_router_peer fsa hsa hsa1 192.0.2.1 192.0.2.2 2001:db8:a::1 2001:db8:a::2
nf_router_peer fsb hsb hsb1 198.51.100.1 $B4 2001:db8:b::1 2001:db8:b::2
MA=$(ip netns exec fsa cat /sys/class/net/hsa1/address)
nf_bg ip netns exec fsb "$NF_BIN/nf-sink" udp $B4:7000
nf_wait_udp 7000 fsb

nf_load protocol=10 hooks=forward inactive_timeout=300 \
	destination=127.0.0.1:$P,127.0.0.1:$P2
nf_collect_start "$W/collect.txt" 127.0.0.1:$P

# the paced flow, through every switch
nf_bg ip netns exec fsa "$NF_BIN/nf-send" --interval-ms 10 \
	udp $B4:7000 count=600 size=20 sport=49999
PACED=$NF_PID

i=0
for phase in "" mac mac,nat "" nat; do
	i=$((i + 1))
	echo "$phase" >$SYSCTL/fields || fail "fields=$phase refused"
	[ "$(cat $SYSCTL/fields)" = "$phase" ] || fail "fields reads $(cat $SYSCTL/fields)"
	case $phase in
	"") bpf=64 ;;
	mac | nat) bpf=80 ;;
	mac,nat) bpf=96 ;;
	esac
	grep -q " $bpf bytes/flow\.\$" $NF_STAT ||
		fail "fields=$phase: want $bpf bytes/flow: $(grep '^Flows:' $NF_STAT)"
	ip netns exec fsa "$NF_BIN/nf-send" udp $B4:7000 count=$((i + 2)) \
		size=20 sport=$((50000 + i)) >/dev/null || fail "nf-send failed"
	sayt "fields=\"$phase\": $bpf bytes/flow"
done
wait $PACED || fail "the paced nf-send failed"

# a collector that starts now, after the last switch
nf_nfcapd_start "$W/nfcapd" $P2
ip netns exec fsa "$NF_BIN/nf-send" udp $B4:7000 count=7 size=20 \
	sport=50010 >/dev/null || fail "nf-send failed"
nf_flush
nf_wait_collected "$W/collect.txt" " sport=50010 " 7 10 ||
	fail "nf-collect: the last flow is missing"
nf_wait_collected "$W/collect.txt" " sport=49999 " 600 10 ||
	fail "paced flow: $(nf_collected "$W/collect.txt" " sport=49999 ") of 600 packets"
[ "$(nf_collected "$W/collect.txt" " sport=49999 ")" = 600 ] ||
	fail "paced flow: $(nf_collected "$W/collect.txt" " sport=49999 ") of 600 packets"
[ "$(nf_snmp dropPackets)" = 0 ] || fail "$(nf_snmp dropPackets) packets dropped"
grep -c ' sport=49999 ' "$W/collect.txt" >"$W/paced.records"
# and it was metered through the switches: records in several templates
t=$(awk '$1 == "flow" && / sport=49999 / {
	for (i = 2; i <= NF; i++) if ($i ~ /^template=/) print $i }' \
	"$W/collect.txt" | sort -u | wc -l)
[ "$t" -ge 3 ] || fail "paced flow: records in $t templates, the switches came after it"
sayt "paced flow: 600 of 600 packets in $(cat "$W/paced.records") records, $t templates"

# each phase's flow, its template and its elements; its packets summed
# over its records (a flow whose packets two CPUs met is a record from
# each: seen on the debug kernel, 5 + 1)
i=0
for want in "256 - -" "516 $MA -" "580 $MA 0.0.0.0" "256 - -" "576 - 0.0.0.0"; do
	i=$((i + 1))
	got=$(awk -v sp=$((50000 + i)) '$1 == "flow" {
		delete f
		for (j = 2; j <= NF; j++) {
			k = index($j, "=")
			f[substr($j, 1, k - 1)] = substr($j, k + 1)
		}
		if (f["sport"] != sp) next
		m = ("src_mac" in f) ? f["src_mac"] : "-"
		n = ("post_nat_src" in f) ? f["post_nat_src"] : "-"
		sum[f["template"] " " m " " n] += f["packets"]
	} END { for (k in sum) print k, sum[k] }' "$W/collect.txt")
	[ "$got" = "$want $((i + 2))" ] ||
		fail "phase $i: record \"$got\", want \"$want $((i + 2))\""
done
sayt "every phase's flow in its own template"
nf_collect_stop "$W/collect.txt"
nf_nfcapd_stop
nfdump -q -N -r "$NF_NFCAPD_FILE" -o "fmt:%sp|%pkt" | tr -d ' ' |
	grep -qx '50010|7' ||
	fail "the late nfcapd did not decode the last flow: $(nfdump -q -N -r "$NF_NFCAPD_FILE" -o "fmt:%sp|%pkt" 2>&1 | head -n 5)"
sayt "late collector: nfdump reads the last flow"
nf_unload
sayt "OK"
