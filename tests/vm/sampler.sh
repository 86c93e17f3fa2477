#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# sampler=: flow sampling (deterministic, random, hash) and packet
# sampling, and what the records tell collectors of it.
#
# The sender is pinned to one CPU, whose state decides: the rule meters
# UDP to port 5000 only, nothing else makes flows there.  Asserts:
#  - deterministic:4 over 100 new flows exports exactly the 4th, 8th...
#    (25), each whole (packets and bytes as sent);
#  - random:4 over 400 flows (1 to 8 packets, interleaved) exports one
#    flow of each 4 in a row, whole; 4 x the packets exported estimates
#    the packets sent within 180 of 1800 (4 standard deviations: the
#    choice in a window of sizes 1-4 or 5-8 has variance 1.25 x 16,
#    over 100 windows sd 44.7);
#  - hash:4 takes the same flows of the same 200 keys twice, 50 +- 25 of
#    them (4 sd of a binomial 200, 1/4), each whole, and keeps no flow
#    for the others (hashFlows);
#  - packet:10 over 10 flows of 500 packets in a row takes 49 to 51 of
#    each (the windows of 10 at the ends of a flow may be cut), 500 +- 1
#    in all; /proc's Sampler line counts them; at hooks=output and at
#    ingress= 100 +- 10 of 1000;
#  - IPFIX: the sampler's options record (selectorId 1, the algorithm and
#    its parameters) and selectorId 1 in each data record; v9 the same
#    with samplerId (48), samplerMode (49), samplerRandomInterval (50);
#    v5 the header's sampling mode and interval; tshark decodes them;
#  - bad values are refused (EINVAL) and change nothing; a change at run
#    time exports the flows of before first.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-collect nf-sink dumpcap tshark taskset
nf_workdir
SYSCTL=/proc/sys/net/netflow
P=2056

nf_net_up
nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:5000 >/dev/null
nf_wait_udp 5000 $NF_NS

# send NAME FLOW-SPEC...: nf-send on CPU 0, truth in $W/NAME.truth
send() {
	n=$1
	shift
	taskset -c 0 "$NF_BIN/nf-send" "$@" >"$W/$n.truth" ||
		fail "$n: nf-send failed"
}

# all_sent FILE: wait until nf-collect has every PDU the module sent
all_sent() {
	i=0
	until [ "$(grep -c '^pdu ' "$1")" -ge "$(nf_snmp outPackets)" ]; do
		i=$((i + 1))
		[ $i -lt $((100 * NF_TIME_SCALE)) ] ||
			fail "$(grep -c '^pdu ' "$1") PDUs collected, $(nf_snmp outPackets) sent"
		sleep 0.1
	done
}

# run NAME: flush (which returns once every flow is sent), wait for the
# collector, put the flows it got since the last run in $W/NAME.got
run() {
	nf_flush
	all_sent "$W/collect.txt"
	grep '^flow .* dport=5000 ' "$W/collect.txt" |
		awk -v from="${MARK:-0}" 'NR > from' >"$W/$1.got"
	MARK=$(grep -c '^flow .* dport=5000 ' "$W/collect.txt")
}

# whole NAME: every flow of $W/NAME.got is one of the truth, as sent;
# prints the source ports taken, one a line, to $W/NAME.ports
whole() {
	awk -v name="$1" '
	function kv(line, k,   i, a, n) {
		n = split(line, a, " ")
		for (i = 1; i <= n; i++)
			if (index(a[i], k "=") == 1)
				return substr(a[i], length(k) + 2)
		return ""
	}
	FNR == NR { if ($1 == "flow") t[kv($0, "sport")] = kv($0, "packets") " " kv($0, "bytes"); next }
	{
		s = kv($0, "sport")
		if (!(s in t)) { print name ": sport " s " not sent" > "/dev/stderr"; bad = 1 }
		else if (t[s] != kv($0, "packets") " " kv($0, "bytes")) {
			print name ": sport " s ": " kv($0, "packets") " packets " kv($0, "bytes") " bytes, sent " t[s] > "/dev/stderr"; bad = 1
		}
		if (seen[s]++) { print name ": sport " s " twice" > "/dev/stderr"; bad = 1 }
		print s
	}
	END { exit bad }' "$W/$1.truth" "$W/$1.got" | sort -n >"$W/$1.ports" ||
		fail "$1: a flow exported is not whole"
}

nf_collect_start "$W/collect.txt" 127.0.0.1:$P --first-seq 0
nf_capture_begin "$W/export.pcap" "udp port $P"
nf_capture_wait "$W/export.pcap"
nf_load protocol=10 destination=127.0.0.1:$P \
	inactive_timeout=600 active_timeout=600 sampler=deterministic:4
[ "$(cat $SYSCTL/sampler)" = deterministic:4 ] ||
	fail "sysctl sampler reads '$(cat $SYSCTL/sampler)'"
iptables-nft -w -I OUTPUT -o nfv0 -p udp --dport 5000 -j NETFLOW ||
	fail "iptables -j NETFLOW failed"

# --- deterministic:4
send det udp $NF_B4:5000 count=3 size=20 ports=41000-41099
run det
whole det
[ "$(wc -l <"$W/det.ports")" = 25 ] ||
	fail "deterministic:4: $(wc -l <"$W/det.ports") of 100 flows exported, want 25"
seq 41003 4 41099 | cmp -s - "$W/det.ports" ||
	fail "deterministic:4: not each 4th flow: $(tr '\n' ' ' <"$W/det.ports")"
grep -q '^Sampler: deterministic:4 (id 1); packets taken 0, skipped 0; flows taken 25, skipped 75 with 225 packets\.$' $NF_STAT ||
	fail "deterministic:4: /proc says '$(grep '^Sampler' $NF_STAT)'"
sayt "deterministic:4: flows 4, 8 ... 100 of 100 exported, whole"

# --- random:4 (a change at run time: the flows of before leave first)
send before udp $NF_B4:5000 count=2 size=10 ports=42000-42003
echo random:4 >$SYSCTL/sampler || fail "sampler=random:4 refused"
run before
whole before
[ "$(wc -l <"$W/before.ports")" = 1 ] ||
	fail "the change exported $(wc -l <"$W/before.ports") flows of before, want 1 (deterministic:4)"
: >"$W/random.spec"
for i in $(seq 0 399); do
	echo "udp $NF_B4:5000 sport=$((43000 + i)) count=$((i % 8 + 1)) size=10"
done >"$W/random.spec"
send random -f "$W/random.spec"
run random
whole random
[ "$(wc -l <"$W/random.ports")" = 100 ] ||
	fail "random:4: $(wc -l <"$W/random.ports") of 400 flows exported, want 100"
awk '{ w[int(($1 - 43000) / 4)]++ } END { for (i = 0; i < 100; i++) if (w[i] != 1) exit 1 }' \
	"$W/random.ports" || fail "random:4: not one flow of each 4 in a row"
est=$(($(nf_sum "$W/random.got" packets) * 4))
sent=$(nf_sum "$W/random.truth" packets)
d=$((est - sent))
[ ${d#-} -le 180 ] ||
	fail "random:4: 4 x $((est / 4)) packets estimates $est, sent $sent (bound 180)"
sayt "random:4: one flow of each 4, whole; estimate $est packets of $sent"

# --- hash:4: the same flows for the same keys, and no memory for others
echo hash:4 >$SYSCTL/sampler || fail "sampler=hash:4 refused"
run skip
for r in 1 2; do
	send hash$r udp $NF_B4:5000 count=2 size=10 ports=44000-44199
	held=$(nf_snmp hashFlows)
	run hash$r
	whole hash$r
	[ "$held" = "$(wc -l <"$W/hash$r.ports")" ] ||
		fail "hash:4: $held flows in memory, $(wc -l <"$W/hash$r.ports") taken"
done
cmp -s "$W/hash1.ports" "$W/hash2.ports" ||
	fail "hash:4: other flows taken the second time"
n=$(wc -l <"$W/hash1.ports")
[ "$n" -ge 25 ] && [ "$n" -le 75 ] ||
	fail "hash:4: $n of 200 flows taken, want 50 +- 25"
sayt "hash:4: the same $n of 200 flows both times, whole"

# --- packet:10
echo packet:10 >$SYSCTL/sampler || fail "sampler=packet:10 refused"
run skip2
send packet udp $NF_B4:5000 count=500 size=10 ports=45000-45009
run packet
awk '{ for (i = 2; i <= NF; i++) if (index($i, "packets=") == 1) p = substr($i, 9)
	if (p < 49 || p > 51) { print; bad = 1 } } END { exit bad }' \
	"$W/packet.got" >&2 || fail "packet:10: a flow of 500 packets has not 49-51"
[ "$(wc -l <"$W/packet.got")" = 10 ] || fail "packet:10: not 10 flows"
taken=$(nf_sum "$W/packet.got" packets)
[ "$taken" -ge 499 ] && [ "$taken" -le 501 ] ||
	fail "packet:10: $taken packets of 5000 taken, want 500 +- 1"
grep -q "^Sampler: packet:10 (id 1); packets taken $taken, skipped $((5000 - taken)); " $NF_STAT ||
	fail "packet:10: /proc says '$(grep '^Sampler' $NF_STAT)', taken $taken"
sayt "packet:10: $taken of 5000 packets, 49-51 of each flow"

# --- what the IPFIX records say (nf-collect)
grep -q '^option .*selector_id=1 .*flow_selector_algorithm=1 .*sampling_flow_interval=1 sampling_flow_spacing=3' "$W/collect.txt" ||
	fail "IPFIX: no deterministic:4 options record"
grep -q '^option .*selector_id=1 .*flow_selector_algorithm=3 .*sampling_size=1 sampling_population=4' "$W/collect.txt" ||
	fail "IPFIX: no random:4 options record"
grep -q '^option .*selector_id=1 .*flow_selector_algorithm=6 .*hash_output_max=3' "$W/collect.txt" ||
	fail "IPFIX: no hash:4 options record"
grep -q '^option .*selector_id=1 .*selector_algorithm=3 .*sampling_size=1 sampling_population=10' "$W/collect.txt" ||
	fail "IPFIX: no packet:10 options record"
n=$(grep -c '^flow .* dport=5000 ' "$W/collect.txt")
[ "$(grep '^flow .* dport=5000 ' "$W/collect.txt" | grep -c ' selector_id=1')" = "$n" ] ||
	fail "IPFIX: not every record carries selectorId 1"
sayt "IPFIX: options records of each sampler, selectorId in $n records"

# --- bad values change nothing
for bad in packet:1 packet:16384 packet: hash:x bogus:4 packet:10:1 ":4" "packet 10"; do
	if echo "$bad" >$SYSCTL/sampler 2>/dev/null; then
		fail "sampler=$bad accepted"
	fi
	[ "$(cat $SYSCTL/sampler)" = packet:10 ] ||
		fail "sampler=$bad changed it to '$(cat $SYSCTL/sampler)'"
done
sayt "bad values refused"

# --- packet:10 at the capture points without rules: hooks=output and
# ingress= (the netns sends to us); other packets (neighbour discovery)
# may share a window, so 100 +- 10 of 1000
iptables-nft -w -F OUTPUT
nf_bg "$NF_BIN/nf-sink" udp $NF_A4:5001 >/dev/null
nf_wait_udp 5001
echo output >$SYSCTL/hooks || fail "hooks=output refused"
run skip3
send hooks udp $NF_B4:5000 count=500 size=10 ports=47000-47001
echo >$SYSCTL/hooks
run hooks
echo nfv0 >$SYSCTL/ingress || fail "ingress=nfv0 refused"
ip netns exec $NF_NS taskset -c 0 "$NF_BIN/nf-send" udp $NF_A4:5001 \
	count=500 size=10 ports=47100-47101 >"$W/ingress.truth" ||
	fail "nf-send from the namespace failed"
echo >$SYSCTL/ingress
nf_flush
all_sent "$W/collect.txt"
for cp in hooks:5000 ingress:5001; do
	t=$(grep '^flow .* dport='${cp#*:}' ' "$W/collect.txt" |
		awk -v lo=${cp%:*} 'BEGIN { lo = lo == "hooks" ? 47000 : 47100 }
		{ for (i = 2; i <= NF; i++) { if (index($i, "sport=") == 1) s = substr($i, 7)
			if (index($i, "packets=") == 1) p = substr($i, 9) }
		  if (s == lo || s == lo + 1) t += p } END { print t + 0 }')
	[ "$t" -ge 90 ] && [ "$t" -le 110 ] ||
		fail "packet:10 at ${cp%:*}: $t of 1000 packets taken, want 100 +- 10"
	sayt "packet:10 at ${cp%:*}: $t of 1000 packets taken"
done

nf_unload
nf_capture_stop "$W/collect.txt"
nf_collect_stop "$W/collect.txt"

# --- tshark reads the same
tshark -r "$W/export.pcap" -d udp.port==$P,cflow -T fields \
	-e cflow.selector_id -e cflow.flow_selector_algorithm \
	-e cflow.sampling_population >"$W/tshark.txt" 2>"$W/tshark.err" ||
	fail "tshark failed: $(cat "$W/tshark.err")"
# options records: selectorId, flowSelectorAlgorithm, samplingPopulation
T=$(printf '\t')
for want in "1${T}1$T" "1${T}3${T}4" "1${T}6$T" "1$T${T}10"; do
	grep -qx "$want" "$W/tshark.txt" ||
		fail "tshark: no options record '$want': $(sort -u "$W/tshark.txt" | head -8 | tr '\t\n' ' |')"
done
grep -q '^1,1,1' "$W/tshark.txt" || fail "tshark: no selectorId in data records"
sayt "tshark: the four options records and selectorId in data records"

# --- each protocol, and what the collectors do with it (packet:4; 12
# packets a flow, so 2 to 4 of each are taken)
PC=2055 PA=2057
NF_NFACCTD_AGGREGATE=sampling_rate
for proto in 10 9 5; do
	D=$W/p$proto
	mkdir -p "$D"
	nf_capture_begin "$D/export.pcap" "udp port $P"
	nf_collect_start "$D/collect.txt" 127.0.0.1:$P --first-seq 0
	nf_nfcapd_start "$D/nfcapd" $PC
	nf_nfacctd_start "$D/nfacctd" $PA
	nf_wait_udp $PA
	nf_capture_wait "$D/export.pcap"
	nf_load protocol=$proto sampler=packet:4 \
		destination=127.0.0.1:$P,127.0.0.1:$PC,127.0.0.1:$PA
	iptables-nft -w -I OUTPUT -o nfv0 -p udp --dport 5000 -j NETFLOW
	send v$proto udp $NF_B4:5000 count=12 size=10 ports=46000-46004
	nf_flush
	i=0
	until [ "$(grep -c '^pdu ' "$D/collect.txt")" -ge $(($(nf_snmp outPackets) / 3)) ]; do
		i=$((i + 1))
		[ $i -lt $((100 * NF_TIME_SCALE)) ] || fail "v$proto: PDUs not collected"
		sleep 0.1
	done
	pk=$(nf_collected "$D/collect.txt" " dport=5000 ")
	nf_nfacctd_wait "$D/nfacctd" "$pk" 10 || sayt "v$proto: nfacctd has not all"
	iptables-nft -w -F OUTPUT
	nf_unload
	nf_capture_stop "$D/collect.txt"
	nf_collect_stop "$D/collect.txt"
	nf_nfcapd_stop
	nf_nfacctd_stop "$D/nfacctd"
	[ "$pk" -ge 10 ] && [ "$pk" -le 20 ] ||
		fail "v$proto: packet:4 took $pk of 60 packets"
	# nfdump scales by samplingInterval (v5: the header's interval)
	nd=$(nfdump -r "$NF_NFCAPD_FILE" -q -N -o 'fmt:%pkt' 'dst port 5000' |
		awk '{ s += $1 } END { print s + 0 }')
	[ "$nd" = $((pk * 4)) ] ||
		fail "v$proto: nfdump shows $nd packets, want 4 x $pk"
	nfdump -E "$NF_NFCAPD_FILE" 2>&1 | grep -q 'Sampler' ||
		fail "v$proto: nfdump -E lists no sampler"
	# nfacctd tells the rate of each flow
	rates=$(awk -F, '$1 == "SRC_IP" { for (i = 1; i <= NF; i++) c[$i] = i; next }
		NF > 1 && $c["DST_PORT"] == 5000 { print $c["SAMPLING_RATE"] }' \
		"$D/nfacctd/flows.csv" | sort -u | tr '\n' ' ')
	[ "$rates" = "4 " ] || fail "v$proto: nfacctd sampling rates '$rates', want 4"
	sayt "v$proto: nfdump scales to $nd packets (4 x $pk), nfacctd rate 4"
done
C9=$W/p9/collect.txt
grep -q '^option .*sampler_id=1 sampler_mode=2 sampler_random_interval=4 sampling_interval=4' "$C9" ||
	fail "v9: no sampler options record: $(grep '^option' "$C9" | head -3)"
[ "$(grep -c '^flow .* dport=5000 .* sampler_id=1' "$C9")" = 5 ] ||
	fail "v9: not every record carries samplerId"
grep -q '^pdu .* sampling=32772' "$W/p5/collect.txt" ||
	fail "v5: header: $(grep '^pdu' "$W/p5/collect.txt" | head -1)"
tshark -r "$W/p9/export.pcap" -d udp.port==$P,cflow -T fields \
	-e cflow.sampler_id -e cflow.sampler_mode \
	-e cflow.sampler_random_interval 2>/dev/null | grep -qx "1${T}2${T}4" ||
	fail "v9: tshark shows no sampler options record"
tshark -r "$W/p5/export.pcap" -d udp.port==$P,cflow -T fields \
	-e cflow.samplingmode -e cflow.samplerate 2>/dev/null | grep -qx "2${T}4" ||
	fail "v5: tshark shows no sampling mode 2, rate 4"
sayt "v9 options and samplerId, v5 header mode 2 interval 4, in tshark too"
sayt "OK"
