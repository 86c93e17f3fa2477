#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# snmp-rules=: exported interface indexes renumbered by name, in flow
# records and in the interface table (options template 263).
#
# The VM's namespace routes between A and B by two veths whose ends here
# are named ppp11 and eth7 (a ppp-like and an eth-like name); the rules
# are "ppp:200,eth:100", so they are exported as 211 and 107; nothing
# else matches (lo stays 1).  nf-send gives known counts A -> B and
# B -> A, metered by hooks=forward.  Asserts:
#  - IPFIX: nf-collect's records carry 211/107 as ingress/egress
#    interface, the right way round; the interface table (scope
#    interfaceName) gives ppp11 211 and eth7 107, lo 1, and no other
#    index for them;
#    tshark reads the same;
#  - egress: the same traffic metered at hooks=postrouting (flowDirection
#    1; the byte of the key that holds it holds the namespace tag too,
#    which snmp-rules must not mistake for another namespace): the
#    egressInterface by the rules, the ingressInterface 0 or by the rules,
#    never a real index;
#  - NetFlow v5: nfdump's input/output are 211/107;
#  - snmp-rules emptied at run time: the real indexes again;
#  - a bad rule is refused (EINVAL, the rule named), the rules kept.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nfcapd nfdump dumpcap tshark
nf_workdir
P=2055
SYSCTL=/proc/sys/net/netflow
B4=198.51.100.2 A4=192.0.2.2

sn_down() { nf_router_down fsna fsnb; }
NF_ON_EXIT=sn_down
nf_router_peer fsna ppp11 pa1 192.0.2.1 $A4 2001:db8:a::1 2001:db8:a::2
nf_router_peer fsnb eth7 pb1 198.51.100.1 $B4 2001:db8:b::1 2001:db8:b::2
nf_bg ip netns exec fsnb "$NF_BIN/nf-sink" udp $B4:7000
nf_bg ip netns exec fsna "$NF_BIN/nf-sink" udp $A4:7001
nf_wait_udp 7000 fsnb
nf_wait_udp 7001 fsna
IP=$(cat /sys/class/net/ppp11/ifindex) IE=$(cat /sys/class/net/eth7/ifindex)

# traffic BASE: A -> B 3 packets, B -> A 4, from ports BASE+1, BASE+2
traffic() {
	ip netns exec fsna "$NF_BIN/nf-send" udp $B4:7000 count=3 size=20 \
		sport=$(($1 + 1)) >/dev/null &&
	ip netns exec fsnb "$NF_BIN/nf-send" udp $A4:7001 count=4 size=20 \
		sport=$(($1 + 2)) >/dev/null || fail "nf-send failed"
}

# ifs FILE BASE: "SPORT IN OUT PACKETS" of nf-collect's records of a run
# ifs FILE BASE: "sport in_if out_if packets" of run BASE's flows, the
# packets of records with equal key and interfaces summed: a flow's first
# packet, held for ARP, may be sent on from the CPU the reply came to,
# and each CPU's cache gives its own record
ifs() {
	awk -v b=$2 '$1 == "flow" {
		delete f
		for (i = 2; i <= NF; i++) {
			j = index($i, "=")
			f[substr($i, 1, j - 1)] = substr($i, j + 1)
		}
		if (f["proto"] != 17 || f["sport"] <= b || f["sport"] > b + 2) next
		n[f["sport"] " " f["in_if"] " " f["out_if"]] += f["packets"]
	} END { for (k in n) print k, n[k] }' "$1" | sort
}

nf_capture_begin "$W/export.pcap" "udp port $P"
nf_load protocol=10 hooks=forward inactive_timeout=300 \
	snmp_rules=ppp:200,eth:100 destination=127.0.0.1:$P
nf_capture_wait "$W/export.pcap"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P
[ "$(cat $SYSCTL/snmp-rules)" = "ppp:200,eth:100" ] ||
	fail "sysctl snmp-rules reads $(cat $SYSCTL/snmp-rules)"

# a bad rule: refused, named, the rules kept
nf_kmsg_mark "snmp bad"
echo "ppp:200,eth" >$SYSCTL/snmp-rules 2>/dev/null && fail "snmp-rules=ppp:200,eth taken"
nf_dmesg_since "snmp bad" | grep -q 'snmp-rules: "eth" is not a rule' ||
	fail "no message naming the bad rule"
[ "$(cat $SYSCTL/snmp-rules)" = "ppp:200,eth:100" ] || fail "a refused write changed the rules"

traffic 41000
nf_flush
nf_wait_collected "$W/collect.txt" " sport=41002 " 4 10 || fail "run 41000 not collected"
printf '%s\n' "41001 211 107 3" "41002 107 211 4" >"$W/want-41000"
ifs "$W/collect.txt" 41000 >"$W/got-41000"
cmp -s "$W/want-41000" "$W/got-41000" || {
	diff "$W/want-41000" "$W/got-41000" >&2
	fail "IPFIX: interface indexes differ from the rules"
}
# the interface table: the new numbering, and only it (whichever of
# interfaceName and ingressInterface is the scope: IPFIX's is the name)
tbl() {
	awk -v n="$1" '$1 == "option" {
		delete f
		for (i = 2; i <= NF; i++) {
			j = index($i, "=")
			k = substr($i, 1, j - 1)
			sub(/^scope\./, "", k)
			f[k] = substr($i, j + 1)
		}
		if (f["if_name"] == n && ("in_if" in f)) print f["in_if"]
	}' "$W/collect.txt" | sort -u | tr '\n' ' '
}
[ "$(tbl ppp11)" = "211 " ] || fail "interface table: ppp11 as '$(tbl ppp11)', want 211"
[ "$(tbl eth7)" = "107 " ] || fail "interface table: eth7 as '$(tbl eth7)', want 107"
[ "$(tbl lo)" = "1 " ] || fail "interface table: lo as '$(tbl lo)', want 1"
sayt "IPFIX: records and interface table in the rules' numbering"

# egress: "SPORT IN OUT PACKETS DIRECTION" of the run's records
echo postrouting >$SYSCTL/hooks || fail "hooks=postrouting refused"
traffic 44000
echo forward >$SYSCTL/hooks || fail "hooks=forward refused"
nf_flush
nf_wait_collected "$W/collect.txt" " sport=44002 " 4 10 || fail "run 44000 not collected"
awk '$1 == "flow" {
	delete f
	for (i = 2; i <= NF; i++) {
		j = index($i, "=")
		f[substr($i, 1, j - 1)] = substr($i, j + 1)
	}
	if (f["proto"] != 17 || f["sport"] <= 44000 || f["sport"] > 44002) next
	n[f["sport"] " " f["in_if"] " " f["out_if"] " " f["direction"]] += f["packets"]
} END { for (k in n) print k, n[k] }' "$W/collect.txt" | sort >"$W/got-44000"
awk '$1 == 44001 && $3 == 107 && ($2 == 0 || $2 == 211) && $4 == 1 && $5 == 3 { a++; next }
	$1 == 44002 && $3 == 211 && ($2 == 0 || $2 == 107) && $4 == 1 && $5 == 4 { b++; next }
	{ bad++ }
	END { exit !(a == 1 && b == 1 && !bad) }' "$W/got-44000" || {
	cat "$W/got-44000" >&2
	fail "IPFIX egress (postrouting): interface indexes differ from the rules (want 44001 out 107, 44002 out 211, direction 1)"
}
sayt "IPFIX egress: out by the rules"

# emptied at run time: the real indexes
echo >$SYSCTL/snmp-rules || fail "snmp-rules= (none) refused"
traffic 42000
nf_flush
nf_wait_collected "$W/collect.txt" " sport=42002 " 4 10 || fail "run 42000 not collected"
printf '%s\n' "42001 $IP $IE 3" "42002 $IE $IP 4" >"$W/want-42000"
ifs "$W/collect.txt" 42000 >"$W/got-42000"
cmp -s "$W/want-42000" "$W/got-42000" || {
	diff "$W/want-42000" "$W/got-42000" >&2
	fail "without rules: the real indexes expected"
}
sayt "rules emptied: real indexes ($IP, $IE)"
nf_collect_stop "$W/collect.txt"
nf_unload
nf_capture_stop "$W/collect.txt"
nf_tshark_pdml "$W/export.pcap" $P "$W/tshark.pdml"
grep -q 'name="cflow.inputint" .* show="211"' "$W/tshark.pdml" &&
	grep -q 'name="cflow.outputint" .* show="107"' "$W/tshark.pdml" ||
	fail "tshark: no record with input 211 and output 107"
sayt "tshark: 211 and 107"

# NetFlow v5
nf_nfcapd_start "$W/nfcapd" $P
nf_load protocol=5 hooks=forward inactive_timeout=300 \
	snmp_rules=ppp:200,eth:100 destination=127.0.0.1:$P
traffic 43000
nf_flush
nf_unload
nf_nfcapd_stop
nfdump -q -N -r "$NF_NFCAPD_FILE" -o "fmt:%sp|%in|%out|%pkt" | tr -d ' ' |
	awk -F'|' '$1 == 43001 || $1 == 43002 { print $1, $2, $3, $4 }' |
	sort >"$W/got-43000"
printf '%s\n' "43001 211 107 3" "43002 107 211 4" >"$W/want-43000"
cmp -s "$W/want-43000" "$W/got-43000" || {
	diff "$W/want-43000" "$W/got-43000" >&2
	fail "v5 (nfdump): input/output differ from the rules"
}
sayt "v5: nfdump input/output 211/107"
sayt "OK"
