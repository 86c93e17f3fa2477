#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# NetFlow v9 and IPFIX against the ground truth, IPv4 and IPv6.
#
# For protocol 9, then 10: nf-send sends UDP, TCP (SYN..FIN) and ICMP
# flows of both families over a veth into a netns; iptables and
# ip6tables -j NETFLOW meter them in OUTPUT (-o the veth; IPv6 neighbour
# discovery and link-local traffic are left out: they come and go on
# their own).  The module mirrors every PDU to nfcapd (also captured for
# tshark), nf-collect, pmacct's nfacctd and a second nf-collect that
# listens on [::1] (an IPv6 destination next to the IPv4 ones).
# Asserts:
#  - nfdump -o csv, tshark (pdml), nfacctd and nf-collect each show exactly
#    the packets, bytes, ports, TCP flags and ICMP type/code of every flow
#    (nfacctd: after nf_nfacctd_sync, see lib.sh and tests/tools/README.md);
#  - the collector on [::1] decodes the very same PDUs as the one on
#    127.0.0.1, and its sockN line shows it: [::1]:port, every PDU sent,
#    no errors (as the other live destinations);
#  - tshark decodes every options record (template 260: System scope in
#    v9, observationDomainId 149 in IPFIX; 160, 41, 42, 40) with plausible
#    values: the engine id, the boot time, and the messages, flow records
#    and bytes of the PDUs before it; the flow records in the capture are
#    the module's Export flows and nf-collect's;
#  - flowEndReason: 3 (end detected) for the records with a FIN, else 1;
#  - 0 sequence failures (nf-collect from sequence 0; nfdump -I and
#    nfcapd but for its IPFIX quirk with options records, see below);
#  - templates go out in the first PDU and again every refresh-rate PDUs
#    (3; timeout-rate 1440 min stays out of the way), with the options
#    record;
#  - a collector that starts after the exporter (refusing every PDU till
#    then) gets templates in the first PDU it takes and decodes every
#    flow without an error;
#  - sysctl switches 5 -> 9 -> 10 -> 5 at run time; ip6tables rules are
#    refused under 5 only.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare nfcapd nfdump dumpcap \
	tshark nfacctd
nf_workdir
P_NFCAPD=2055 P_COLLECT=2056 P_NFACCTD=2057 P_LATE=2058 P_COLLECT6=2059
REFRESH=3 ENGINE=70000

# nf_tpl_pdus FILE: "PDUS TEMPLATE_PDUS" of an nf-collect output
nf_tpl_pdus() {
	awk '$1 == "pdu" { n++; if ($0 !~ / template_records=0 /) t++ }
		END { printf "%d %d\n", n, t }' "$1"
}

# nf_pdml_options PDML ENGINE BOOT_MS: check every options record of a
# tshark pdml (all PDUs of one destination, from the first): scope =
# ENGINE, systemInitTimeMilliseconds = BOOT_MS (+-2 s, times
# NF_TIME_SCALE), exported messages, flow records and octets = those of
# the frames before it.  (The module takes the boot time as the wall
# clock minus the jiffies' uptime, the test as the wall clock minus
# /proc/uptime: jiffies start later in the boot, by 3.2 s on the debug
# kernel under TCG, 2026-12-07.  Absolute flow times are unaffected: the
# module adds the same jiffies' uptime back.)
# Prints one line per bad record and "options=N frames=N flows=N".
nf_pdml_options() {
	awk -v eng="$2" -v boot="$3" -v tol=$((2000 * NF_TIME_SCALE)) '
	BEGIN { msgs = flows = octets = 0 }
	function attr(k) {
		if (!match($0, " " k "=\"[^\"]*\"")) return ""
		return substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 4)
	}
	function hex(s,   i, v) {
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v + 0
	}
	function endrec(   id, init) {
		if (!inrec) return
		inrec = 0
		if ("cflow.protocol" in r) ff++
		if (!("cflow.flowsexp" in r)) { delete r; return }
		nopt++
		id = ("cflow.od_id" in r) ? r["cflow.od_id"] : hex(r["cflow.scope_system"])
		init = hex(r["cflow.sys_init_time"])
		if (id + 0 != eng + 0 || init < boot - tol || init > boot + tol ||
		    r["cflow.packetsexp"] + 0 != msgs || r["cflow.flowsexp"] + 0 != flows ||
		    r["cflow.octetsexp"] + 0 != octets) {
			printf "frame %d: options scope %s init %.0f messages %s flows %s octets %s;" \
				" want %s, %.0f (+-%d ms), %d, %d, %d\n", frame, id, init,
				r["cflow.packetsexp"], r["cflow.flowsexp"], r["cflow.octetsexp"],
				eng, boot, tol, msgs, flows, octets
			bad = 1
		}
		delete r
	}
	/<packet>/ {
		endrec()
		if (frame) { msgs++; flows += ff; octets += fb }
		ff = fb = 0
	}
	/name="frame.number"/ { frame = attr("show") }
	/name="udp.length"/ { fb = attr("show") - 8 }
	/name="cflow.flowset_id"/ { endrec() }
	/name="" show="Flow [0-9]/ { endrec(); inrec = 1; next }
	inrec && /name="cflow\./ {
		k = attr("name")
		if (k == "cflow.sys_init_time" || k == "cflow.scope_system")
			r[k] = attr("value")	# raw: a date, a byte string
		else
			r[k] = attr("show")
	}
	END {
		endrec(); flows += ff
		printf "options=%d frames=%d flows=%d\n", nopt, frame, flows
		exit bad
	}' "$1"
}

run() {
	proto=$1
	D=$W/p$proto
	mkdir -p "$D"
	nf_capture_begin "$D/export.pcap" "udp port $P_NFCAPD"
	nf_nfacctd_start "$D/nfacctd" $P_NFACCTD
	nf_nfcapd_start "$D/nfcapd" $P_NFCAPD
	nf_collect_start "$D/collect6.txt" "[::1]:$P_COLLECT6" --first-seq 0
	c6=$NF_COLLECT_PID
	nf_collect_start "$D/collect.txt" 127.0.0.1:$P_COLLECT --first-seq 0
	# the first PDU (templates, system record) leaves a second after load
	nf_capture_wait "$D/export.pcap"
	nf_wait_udp $P_NFACCTD
	nf_load protocol=$proto engine_id=$ENGINE \
		destination=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT,127.0.0.1:$P_LATE,127.0.0.1:$P_NFACCTD,[::1]:$P_COLLECT6 \
		inactive_timeout=2 active_timeout=120 refresh_rate=$REFRESH \
		timeout_rate=1440
	[ "$(cat /proc/sys/net/netflow/protocol)" = "$proto" ] ||
		fail "protocol is $(cat /proc/sys/net/netflow/protocol), not $proto"
	iptables-nft -w -I OUTPUT -o nfv0 -j NETFLOW ||
		fail "iptables -j NETFLOW failed"
	ip6tables-nft -w -A OUTPUT -o nfv0 -p icmpv6 --icmpv6-type 135 -j RETURN &&
		ip6tables-nft -w -A OUTPUT -o nfv0 -p icmpv6 --icmpv6-type 136 -j RETURN &&
		ip6tables-nft -w -A OUTPUT -o nfv0 -s $NF_A6 -j NETFLOW ||
		fail "ip6tables -j NETFLOW refused under protocol $proto"

	B=$NF_B4 B6="[$NF_B6]"
	"$NF_BIN/nf-send" \
		udp $B:5000 count=10 size=100 sport=40000 \
		udp $B:5001 count=3 size=0 sport=40002 tos=16 \
		udp $B:5000 count=1 size=1 ports=41000-41119 \
		tcp $B:80 count=5 size=200 syn fin sport=42000 \
		icmp $B count=3 size=56 id=4242 \
		udp6 $B6:5000 count=7 size=300 sport=40010 \
		udp6 $B6:5001 count=1 size=1 ports=43000-43079 \
		tcp6 $B6:80 count=4 size=100 syn fin sport=42010 \
		icmp6 "$NF_B6" count=2 size=24 id=4243 >"$D/truth.txt" ||
		fail "nf-send failed"
	pkts=$(nf_sum "$D/truth.txt" packets)
	sayt "v$proto: sent $(grep -c '^flow ' "$D/truth.txt") flows, $pkts packets"
	nf_wait_snmp hashFlows -eq 0 10 ||
		fail "$(nf_snmp hashFlows) flows still in memory 10 s after sending"
	nf_flush
	nf_wait_collected "$D/collect.txt" " dst=" "$pkts" 5 ||
		fail "nf-collect got $(nf_collected "$D/collect.txt" " dst=") of $pkts packets"

	# a collector that comes up late: it refused every PDU so far, so
	# the next one brings templates (and so did every one before)
	n0=$(grep -c '^pdu ' "$D/collect.txt")
	nf_bg "$NF_BIN/nf-collect" -l 127.0.0.1:$P_LATE -o "$D/late.txt"
	late=$NF_PID
	nf_wait_udp $P_LATE
	"$NF_BIN/nf-send" udp $B:5000 count=1 size=1 ports=44000-44299 \
		>"$D/truth2.txt" || fail "nf-send failed"
	nf_wait_snmp hashFlows -eq 0 10 || fail "second batch not exported"
	nf_flush
	sleep 1
	nf_bg_stop $late || fail "late nf-collect found errors"
	grep -q '^summary .* seq_errors=0 format_errors=0 ' "$D/late.txt" ||
		fail "late collector: $(tail -n 1 "$D/late.txt")"
	nlate=$(grep -c '^flow ' "$D/late.txt")
	[ "$nlate" = 300 ] ||
		fail "a collector started late decoded only $nlate of 300 flows"
	sayt "v$proto: late collector decoded $nlate of 300 flows"

	iptables-nft -w -D OUTPUT -o nfv0 -j NETFLOW
	ip6tables-nft -w -F OUTPUT
	cat "$D/truth.txt" "$D/truth2.txt" >"$D/truth-all.txt"
	nf_nfacctd_sync "$D/nfacctd" $P_NFACCTD ||
		sayt "v$proto: nfacctd shows no marker flow in 10 s"
	nf_capture_stop "$D/collect.txt"
	nf_nfcapd_stop
	nf_collect_stop "$D/collect.txt"
	nf_collect_stop "$D/collect6.txt" $c6
	nf_nfacctd_stop "$D/nfacctd"
	cp "$NF_STAT" "$D/stat.txt"

	# --- every collector shows exactly the truth
	nf_compare p$proto-nf-collect "$D/truth-all.txt" "$D/collect.txt"
	nf_nfacctd_compare p$proto-nfacctd "$D/truth-all.txt" "$D/nfacctd/flows.txt"
	nf_nfdump_compare p$proto-nfdump "$D/truth-all.txt" "$D"
	nf_tshark_pdml "$D/export.pcap" $P_NFCAPD "$D/tshark.pdml"
	nf_compare p$proto-tshark --format tshark-pdml "$D/truth-all.txt" \
		"$D/tshark.pdml"

	# --- the IPv6 destination: the same PDUs as 127.0.0.1, sockN lines
	sed 's/ exporter=[^ ]*//' "$D/collect.txt" >"$D/collect.cmp"
	sed 's/ exporter=[^ ]*//' "$D/collect6.txt" >"$D/collect6.cmp"
	cmp -s "$D/collect.cmp" "$D/collect6.cmp" || {
		diff "$D/collect.cmp" "$D/collect6.cmp" | head -n 10 >&2
		fail "v$proto: the collector on [::1] got other PDUs than 127.0.0.1"
	}
	pdus=$(grep -c '^pdu ' "$D/collect.txt")
	for s in "0: 127\.0\.0\.1:$P_NFCAPD" "1: 127\.0\.0\.1:$P_COLLECT" \
		"3: 127\.0\.0\.1:$P_NFACCTD" "4: \[::1\]:$P_COLLECT6"; do
		grep -q "^sock$s, .*err: sndbuf reached 0, connect 0, cberr 0, other 0; sent $pdus pkt " "$D/stat.txt" || {
			grep '^sock' "$D/stat.txt" >&2
			fail "v$proto: want sock$s with $pdus PDUs sent, no errors"
		}
	done
	sayt "v$proto: [::1]:$P_COLLECT6 got the same $pdus PDUs as 127.0.0.1"

	# --- options records as tshark decodes them
	read -r up _ </proc/uptime
	boot=$(($(nf_now_ms) - ${up%.*}${up#*.}0))
	nf_pdml_options "$D/tshark.pdml" $ENGINE $boot >"$D/options.txt" || {
		cat "$D/options.txt" >&2
		fail "v$proto: tshark shows wrong options record values"
	}
	set -- $(tail -n 1 "$D/options.txt" | tr '=' ' ')
	# the system records (260); the other options tshark does not check
	nopt=$(grep -c '^option .* template=260 ' "$D/collect.txt")
	nflows=$(grep -c '^flow ' "$D/collect.txt")
	xflows=$(sed -n 's/^Export: .* \([0-9]*\) flows; .*/\1/p' "$D/stat.txt")
	[ "$2 $4 $6" = "$nopt $pdus $nflows" ] && [ "$6" = "$xflows" ] ||
		fail "v$proto: tshark: $2 options records, $4 PDUs, $6 flows;" \
			"nf-collect: $nopt, $pdus, $nflows; Export: $xflows flows"
	sayt "v$proto: tshark decodes $2 options records, values ok"

	# --- flowEndReason: FIN seen ends a flow (3), the rest went idle (1).
	# A TCP flow whose packets went through both CPUs is two records;
	# only the one with the FIN has 3.
	awk '$1 == "flow" {
		fin = match($0, / tcpflags=0x[0-9a-f]*[13579bdf] /)
		want = (fin ? 3 : 1)
		if (!index($0, " end_reason=" want " ")) {
			print "want end_reason " want ": " $0; bad = 1
		}
	} END { exit bad }' "$D/collect.txt" >&2 ||
		fail "v$proto: wrong flowEndReason"

	# --- sequence numbers
	# nfdump 1.7.1 leaves options data records out of the IPFIX
	# sequence, which RFC 7011 (3.1) counts: a message after one with
	# them is a "failure" (see nf_nfdump_ipfix_seq), nothing else may be
	nfseq=0
	[ $proto = 9 ] || nfseq=$(nf_nfdump_ipfix_seq "$D/collect.txt")
	nf_nfcapd_check_seq $nfseq "$D/nfdump-I.txt" v$proto

	# --- templates: the late collector's first PDU brought them; from
	# then on every REFRESH PDUs.  Before it, while P_LATE refused, each
	# PDU begun after a refusal was known carried them: the ICMP error
	# comes in a softirq, on a loaded host often only after the next PDU
	# or two went out, so which ones is not for the test to say.
	grep -m 1 '^pdu ' "$D/late.txt" | grep -q ' template_records=[1-9]' ||
		fail "v$proto: the late collector's first PDU had no templates"
	awk -v n0="$n0" -v r=$REFRESH '$1 == "pdu" {
		n++; t = $0 !~ / template_records=0 /
		if (n <= n0) { if (t) last = n; next }
		if (t && seen && n - last != r) { print "templates in PDU " n; bad = 1 }
		if (!t && n - last >= r) { print "none in PDU " n; bad = 1 }
		if (t) { seen = 1; last = n }
	} END { exit bad }' "$D/collect.txt" >&2 ||
		fail "v$proto: templates not every $REFRESH PDUs once the late" \
			"collector took them"
	set -- $(nf_tpl_pdus "$D/collect.txt")
	grep -m 1 '^pdu ' "$D/collect.txt" | grep -q ' template_records=[1-9]' ||
		fail "v$proto: no templates in the first PDU"
	grep -q '^option ' "$D/collect.txt" ||
		fail "v$proto: no options record decoded"
	sayt "v$proto: templates in $2 of $1 PDUs, sequence ok" \
		"(nfdump: $nfseq options-only mismatches)"
	nf_unload
}

nf_net_up
# sinks, so that no port unreachable comes back
for p in 5000 5001; do
	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:$p >"$W/sink$p.txt"
	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp6 "[$NF_B6]:$p" \
		>"$W/sink6-$p.txt"
done
for p in 5000 5001; do nf_wait_udp $p $NF_NS; done
run 9
run 10

# run-time switches: 5 refuses ip6tables rules, 9 and 10 take them
nf_load
nf_v6_refused ip6tables-nft
for p in 9 10 5; do
	echo $p >/proc/sys/net/netflow/protocol ||
		fail "sysctl net.netflow.protocol=$p failed"
	[ "$(cat /proc/sys/net/netflow/protocol)" = $p ] ||
		fail "protocol reads $(cat /proc/sys/net/netflow/protocol), not $p"
	[ $p = 5 ] && break
	ip6tables-nft -w -I OUTPUT -j NETFLOW ||
		fail "ip6tables -j NETFLOW refused under protocol $p"
	ip6tables-nft -w -D OUTPUT -j NETFLOW
done
sayt "OK"
