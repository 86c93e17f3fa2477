#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# v9 and IPFIX options records, decoded by nf-collect, tshark, nfdump and
# nfacctd.
#
# For protocol 9, then 10: UDP flows out of the veth nfv0 (with an
# ifalias) are metered in OUTPUT; the module sends every PDU to nf-collect,
# nfcapd (captured for tshark) and nfacctd (its sequence checks on).
# Asserts:
#  - the first PDU carries the options templates 260, 262 and 263;
#  - every system record (260) names "ipt_NETFLOW <version> on <host>",
#    and its exported message, flow record and octet counts equal what
#    the collector received before that PDU; after the traffic, its
#    observed flow count equals the module's inFlows;
#  - the interface table (263) maps lo's and nfv0's ifindex to their
#    names and nfv0's alias, with the templates, in every refresh (IPFIX:
#    scope interfaceName, then ingressInterface, fixed-length strings);
#  - no reliability record (262) until packets were dropped at maxflows;
#    then one, whose ignored packets/octets equal dropPackets/dropBytes
#    and whose not-sent counts are the lost and skipped flows (0 here);
#  - tshark shows the same: domain name, interface names and description,
#    the ignored packets, the exported message counts;
#  - IPFIX only (v9 runs the same encoder code; KUnit covers both): with
#    no traffic at all, a PDU with a system record and no flow still
#    arrives within a minute of the last one (the test waits once);
#  - nfcapd reads every PDU (no bad packet) and logs no complaint (nfcapd
#    1.7.1 could not size the IPFIX interface table's variable-length
#    strings: "Process_ifvrf_option: nbar option size error"), nfdump's
#    flows of the first traffic equal the truth, and nfdump -I reports
#    only the IPFIX sequence "failures" of nf_nfdump_ipfix_seq (lib.sh):
#    nfdump leaves options records out of the sequence, RFC 7011 puts
#    them in;
#  - tshark and nfacctd, which count them as RFC 7011 does, find no
#    sequence number amiss (tshark: no "Unexpected flow sequence"; nfacctd:
#    no "expecting flow"), and nfacctd's flows of the first traffic equal
#    the truth.  (The VM's domain name is short: nfacctd miscounts a
#    system record whose name is 40 bytes or longer, see README.)
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-craft nfcapd nfdump dumpcap tshark \
	nfacctd
nf_workdir
P_NFCAPD=2055 P_COLLECT=2056 P_NFACCTD=2057 REFRESH=4
DEST=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT,127.0.0.1:$P_NFACCTD
ALIAS="uplink to nfns"

# opt_val LINE KEY: the value of KEY= in an nf-collect line (unquoted)
opt_val() {
	printf '%s\n' "$1" | awk -v k="$2" '{
		i = index($0, " " k "=")
		if (!i) exit 1
		s = substr($0, i + length(k) + 2)
		if (substr(s, 1, 1) == "\"") {
			s = substr(s, 2)
			print substr(s, 1, index(s, "\"") - 1)
		} else {
			j = index(s, " ")
			print j ? substr(s, 1, j - 1) : s
		}
	}'
}

# opts FILE TEMPLATE: the option lines of that template
opts() { grep "^option .* template=$2 " "$1"; }

# check_exported FILE: every system record's exported counts equal the
# PDUs, flow records and bytes that reached the collector before its PDU
check_exported() {
	awk '$1 == "pdu" {
		pm = np + 0; pf = nf + 0; pb = nb + 0; np++
		for (i = 2; i <= NF; i++)
			if (index($i, "length=") == 1) nb += substr($i, 8)
	}
	$1 == "flow" { nf++ }
	$1 == "option" && / template=260 / {
		n++
		want = " exported_messages=" pm " exported_flows=" pf \
			" exported_bytes=" pb " "
		if (!index($0, want)) { print "want" want ": " $0; bad = 1 }
	}
	END { if (!n) { print "no system record"; bad = 1 }; exit bad }' "$1" >&2
}

run() {
	proto=$1
	D=$W/p$proto
	mkdir -p "$D"
	scope=scope.domain_id
	[ $proto = 10 ] || scope=scope.system
	nf_capture_begin "$D/export.pcap" "udp port $P_NFCAPD"
	nf_nfcapd_start "$D/nfcapd" $P_NFCAPD
	nf_nfacctd_start "$D/nfacctd" $P_NFACCTD "nfacctd_disable_checks: false"
	nf_collect_start "$D/collect.txt" 127.0.0.1:$P_COLLECT --first-seq 0
	nf_wait_udp $P_NFACCTD
	nf_capture_wait "$D/export.pcap"
	nf_load protocol=$proto engine_id=4242 destination=$DEST \
		inactive_timeout=2 active_timeout=120 refresh_rate=$REFRESH \
		timeout_rate=1440 maxflows=0
	iptables-nft -w -I OUTPUT -o nfv0 -j NETFLOW ||
		fail "iptables -j NETFLOW failed"

	"$NF_BIN/nf-send" udp $NF_B4:5000 count=2 size=10 ports=41000-41059 \
		>"$D/truth1.txt" || fail "nf-send failed"
	nf_wait_snmp hashFlows -eq 0 10 || fail "flows not exported"
	nf_flush
	nf_wait_collected "$D/collect.txt" " dport=5000 " 120 5 ||
		fail "nf-collect got $(nf_collected "$D/collect.txt" " dport=5000 ") of 120 packets"

	# --- templates, system records, interface table
	for t in 260 262 263; do
		grep -q "^options_template .* id=$t " "$D/collect.txt" ||
			fail "v$proto: no options template $t"
	done
	grep -m 1 '^pdu ' "$D/collect.txt" | grep -q ' template_records=7 ' ||
		fail "v$proto: the first PDU has not all 7 templates"
	host=$(cat /proc/sys/kernel/hostname)
	name="ipt_NETFLOW $(modinfo -F version "$NF_KO") on $host"
	opts "$D/collect.txt" 260 >"$D/sys.txt" || fail "v$proto: no system record"
	while read -r l; do
		[ "$(opt_val "$l" domain_name)" = "$name" ] ||
			fail "v$proto: domain name '$(opt_val "$l" domain_name)', want '$name'"
		[ "$(opt_val "$l" $scope)" = 4242 ] ||
			fail "v$proto: system scope $(opt_val "$l" $scope), want 4242"
	done <"$D/sys.txt"
	check_exported "$D/collect.txt" ||
		fail "v$proto: exported counts differ from what the collector got"
	lo=$(cat /sys/class/net/lo/ifindex) veth=$(cat /sys/class/net/nfv0/ifindex)
	ntpl=$(grep -c '^pdu .* template_records=7 ' "$D/collect.txt")
	if [ $proto = 10 ]; then
		rlo="scope.if_name=lo in_if=$lo "
		rveth="scope.if_name=nfv0 in_if=$veth if_desc=\"$ALIAS\""
	else
		rlo="scope.interface=$lo if_name=lo "
		rveth="scope.interface=$veth if_name=nfv0 if_desc=\"$ALIAS\""
	fi
	nlo=$(opts "$D/collect.txt" 263 | grep -c " $rlo")
	nveth=$(opts "$D/collect.txt" 263 | grep -c " $rveth")
	[ "$nlo" = "$ntpl" ] && [ "$nveth" = "$ntpl" ] ||
		fail "v$proto: $ntpl template PDUs, lo in $nlo and nfv0 in $nveth tables"
	! opts "$D/collect.txt" 262 >/dev/null ||
		fail "v$proto: a reliability record before any loss"
	sayt "v$proto: $(wc -l <"$D/sys.txt") system records, $ntpl interface tables, no loss"

	# --- no traffic: the minute's statistics still come (once, IPFIX)
	if [ $proto = 10 ]; then
		n0=$(grep -c '^pdu ' "$D/collect.txt")
		i=0
		until [ "$(grep -c '^pdu ' "$D/collect.txt")" -gt "$n0" ]; do
			i=$((i + 1))
			[ $i -lt 90 ] || fail "no PDU in 90 s without traffic"
			sleep 1
		done
		sleep 1
		# no flow, a system record (templates too, if a refresh is due)
		awk -v n0="$n0" '$1 == "pdu" { n++ } n <= n0 { next }
			$1 == "flow" { bad = 1 } / template=260 / { sys++ }
			END { exit bad || sys != 1 }' "$D/collect.txt" || {
			awk -v n0="$n0" '$1 == "pdu" { n++ } n > n0' \
				"$D/collect.txt" >&2
			fail "the PDU without traffic has flows or no system record"
		}
		sayt "v$proto: a system record without flows after ${i} s without traffic"
	fi

	# --- observed flows: all of them, as the module counts
	want=$(nf_snmp inFlows)
	echo "$DEST" >/proc/sys/net/netflow/destination ||
		fail "destination write"
	sleep 2
	l=$(opts "$D/collect.txt" 260 | tail -n 1)
	[ "$(opt_val "$l" observed_flows)" = "$want" ] ||
		fail "v$proto: observed flows $(opt_val "$l" observed_flows), want $want"

	# --- maxflows drops: now a reliability record
	echo 1 >/proc/sys/net/netflow/maxflows || fail "maxflows=1 refused"
	# the CPUs take their share of the new limit at the next 250 ms tick
	sleep 2
	"$NF_BIN/nf-send" udp $NF_B4:5001 count=1 size=10 ports=42000-42049 \
		>"$D/truth2.txt" || fail "nf-send failed"
	echo 0 >/proc/sys/net/netflow/maxflows
	dp=$(nf_snmp dropPackets) db=$(nf_snmp dropBytes)
	[ "$dp" -gt 0 ] || fail "maxflows=1 dropped nothing"
	nf_wait_snmp hashFlows -eq 0 10 || fail "flows not exported"
	nf_flush
	lost=$(($(nf_snmp lostFlows) + $(nf_snmp skippedFlows)))
	# a destination write re-sends templates and the statistics
	echo "$DEST" >/proc/sys/net/netflow/destination ||
		fail "destination write"
	sleep 2
	l=$(opts "$D/collect.txt" 262 | tail -n 1)
	[ -n "$l" ] || fail "v$proto: no reliability record after $dp drops"
	[ "$(opt_val "$l" $scope)" = 4242 ] &&
		[ "$(opt_val "$l" ignored_packets)" = "$dp" ] &&
		[ "$(opt_val "$l" ignored_bytes)" = "$db" ] &&
		[ "$(opt_val "$l" not_sent_flows)" = "$lost" ] &&
		[ "$(opt_val "$l" not_sent_packets)" = 0 ] &&
		[ "$(opt_val "$l" not_sent_bytes)" = 0 ] ||
		fail "v$proto: reliability '$l', want $dp packets, $db bytes ignored, $lost flows lost"
	sayt "v$proto: reliability record: $dp packets, $db bytes ignored"

	iptables-nft -w -D OUTPUT -o nfv0 -j NETFLOW
	nf_unload
	nf_capture_stop "$D/collect.txt"
	nf_nfcapd_stop
	nf_collect_stop "$D/collect.txt"
	nf_nfacctd_sync "$D/nfacctd" $P_NFACCTD ||
		sayt "v$proto: nfacctd shows no marker flow in 10 s"
	nf_nfacctd_stop "$D/nfacctd"
	check_exported "$D/collect.txt" ||
		fail "v$proto: exported counts differ from what the collector got"

	# --- tshark decodes the same
	nf_tshark_pdml "$D/export.pcap" $P_NFCAPD "$D/tshark.pdml"
	grep -q "name=\"cflow.observation_domain_name\" showname=\"Observation Domain Name: $name\"" \
		"$D/tshark.pdml" || fail "v$proto: tshark shows no domain name '$name'"
	grep -q 'name="cflow.if_name" showname="IfName: nfv0"' "$D/tshark.pdml" &&
		grep -q 'name="cflow.if_name" showname="IfName: lo"' "$D/tshark.pdml" &&
		grep -q "name=\"cflow.if_descr\" showname=\"IfDescr: $ALIAS\"" "$D/tshark.pdml" ||
		fail "v$proto: tshark shows no interface names or alias"
	grep -q "name=\"cflow.ignore_packets\" showname=\"Ignored Packets: $dp\"" \
		"$D/tshark.pdml" || fail "v$proto: tshark shows no $dp ignored packets"
	ts=$(grep -o 'name="cflow.packetsexp" showname="PacketsExp: [0-9]*"' \
		"$D/tshark.pdml" | grep -o '[0-9]*"$' | tr -d '"' | tr '\n' ' ')
	nc=$(opts "$D/collect.txt" 260 | while read -r l; do
		printf '%s ' "$(opt_val "$l" exported_messages)"; done)
	[ "$ts" = "$nc" ] ||
		fail "v$proto: exported messages: tshark '$ts', nf-collect '$nc'"
	! grep -m 3 'Unexpected flow sequence' "$D/tshark.pdml" >&2 ||
		fail "v$proto: tshark finds sequence numbers amiss (above)"

	# --- nfacctd: no sequence number amiss, the flows
	! grep -m 3 'expecting flow' "$D/nfacctd.log" >&2 ||
		fail "v$proto: nfacctd finds sequence numbers amiss (above)"
	nf_nfacctd_compare p$proto-nfacctd --ignore-extra "$D/truth1.txt" \
		"$D/nfacctd/flows.txt"

	# --- nfcapd, nfdump -r and -I
	nf_nfcapd_check_log v$proto
	nf_nfdump_compare p$proto-nfdump "$D/truth1.txt" "$D" --ignore-extra
	want=0
	[ $proto = 9 ] || want=$(nf_nfdump_ipfix_seq "$D/collect.txt")
	nf_nfcapd_check_seq $want "$D/nfdump-I.txt" v$proto
	sayt "v$proto: tshark and nfacctd agree; nfdump: $want options-only mismatches"
}

nf_net_up
ip link set nfv0 alias "$ALIAS" || fail "ip link set alias"
for p in 5000 5001; do
	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:$p >"$W/sink$p.txt"
done
for p in 5000 5001; do nf_wait_udp $p $NF_NS; done
run 9
run 10
sayt "OK"
