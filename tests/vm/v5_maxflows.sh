#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# maxflows=50: 200 distinct UDP flows, two packets each (two rounds), over
# the veth (rule in OUTPUT, iptables-nft), inactive_timeout long enough
# that no flow leaves during the test.  Asserts:
#  - the cache never holds more than 50 flows: "Flows: active" polled
#    while sending, the peak the module reports, hashFlows, and every flow
#    ever created (inFlows, nothing left) <= 50;
#  - the cache fills up to at least MIN_FILL of the 50 (per-CPU shares
#    converge to the limit);
#  - drops are counted: maxflows column = dropPackets > 0, the Total
#    line's drop pkts too; accounted + dropped = sent exactly, in packets
#    and in bytes;
#  - memory stays bounded: the Flows line's mem <= hash + 50 flows;
#  - after a flush nf-collect gets exactly the accounted flows and packets,
#    each a flow that was sent with at most its packets, and new flows
#    are accepted again and exported exactly.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare
nf_workdir
ipt=iptables-nft
MAX=50 N=200 MIN_FILL=${NF_MIN_FILL:-40}

nf_net_up
nf_load destination=127.0.0.1:2056 maxflows=$MAX inactive_timeout=120 \
	active_timeout=300
nf_collect_start "$W/collect.txt" 127.0.0.1:2056 --first-seq 0
nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:5000 >"$W/sink.txt"
nf_wait_udp 5000 $NF_NS
$ipt -w -I OUTPUT -o nfv0 -j NETFLOW || fail "$ipt -I OUTPUT failed"

# watch "Flows: active N" while sending (builtins only: fast in TCG)
watch_flows() {
	while [ ! -e "$W/stop" ]; do
		while read -r a b c _; do
			[ "$a $b" = "Flows: active" ] && echo "$c" && break
		done <"$NF_STAT"
		sleep 0.05
	done
}
nf_bg watch_flows >"$W/active.log"
watch_pid=$NF_PID

for round in 1 2; do
	"$NF_BIN/nf-send" --interval-ms 5 \
		udp $NF_B4:5000 count=1 size=10 ports=40000-$((40000 + N - 1)) \
		>>"$W/truth.txt" || fail "nf-send failed"
	sayt "round $round: $N flows sent; active $(nf_snmp hashFlows)"
done
sleep 0.3
: >"$W/stop"
wait $watch_pid
cp "$NF_STAT" "$W/stat.txt"
cat /proc/net/stat/ipt_netflow_snmp >"$W/snmp.txt"
$ipt -w -D OUTPUT -o nfv0 -j NETFLOW

snmp() { awk -v k="$1" '$1 == k { print $2 }' "$W/snmp.txt"; }
pkts=$(nf_sum "$W/truth.txt" packets)
bytes=$(nf_sum "$W/truth.txt" bytes)
created=$(snmp inFlows) held=$(snmp hashFlows)
inp=$(snmp inPackets) inb=$(snmp inBytes)
dropp=$(snmp dropPackets) dropb=$(snmp dropBytes) mf=$(snmp cache_maxflows)
maxseen=$(sort -n "$W/active.log" | tail -n 1)
peak=$(sed -n 's/^Flows: active [0-9]* (peak \([0-9]*\) .*/\1/p' "$W/stat.txt")
sayt "sent $pkts packets; accounted $inp, dropped $dropp (maxflows $mf);" \
	"flows created $created, held $held, peak $peak, most seen $maxseen" \
	"in $(wc -l <"$W/active.log") samples"

# never more than MAX
for v in "created:$created" "held:$held" "peak:$peak" "polled:$maxseen"; do
	[ -n "${v#*:}" ] || fail "no ${v%%:*} figure"
	[ "${v#*:}" -le $MAX ] || fail "${v%%:*} ${v#*:} flows > maxflows $MAX"
done
[ "$created" = "$held" ] || fail "$created flows created but $held held"
[ "$held" -ge "$MIN_FILL" ] ||
	fail "only $held flows admitted under maxflows=$MAX (want >= $MIN_FILL)"
# drops counted, and nothing lost or counted twice
[ "$dropp" -gt 0 ] || fail "no drop counted"
[ "$mf" = "$dropp" ] || fail "maxflows column $mf != dropPackets $dropp"
[ $((inp + dropp)) = "$pkts" ] ||
	fail "accounted $inp + dropped $dropp packets != sent $pkts"
[ $((inb + dropb)) = "$bytes" ] ||
	fail "accounted $inb + dropped $dropb bytes != sent $bytes"
tot=$(grep '^Total ' "$W/stat.txt")
echo "$tot" | grep -q ", *[0-9]* *[0-9]* *[0-9]* *$mf, traffic: $inp, [0-9]* MB, drop: $dropp, " ||
	fail "Total line does not show maxflows $mf, traffic $inp, drop $dropp: $tot"
# memory: the bucket arrays plus at most MAX flow entries
set -- $(sed -n 's/^Flows: .*, mem \([0-9]*\)K, .*, \([0-9]*\) bytes\/flow\.$/\1 \2/p' "$W/stat.txt")
mem=$1 per=$2
hmem=$(sed -n 's/^Hash: size [0-9]* (mem \([0-9]*\)K).*/\1/p' "$W/stat.txt")
[ -n "$mem" ] && [ -n "$per" ] && [ -n "$hmem" ] || fail "no mem figures in Flows/Hash lines"
[ "$mem" -le $((hmem + (MAX * per + 1023) / 1024)) ] ||
	fail "mem ${mem}K > hash ${hmem}K + $MAX x $per bytes"
sayt "cache bounded: mem ${mem}K (hash ${hmem}K, $per bytes/flow)"

# --- the export: exactly what was accounted
nf_flush
nf_wait_collected "$W/collect.txt" " dport=5000 " "$inp" 5 ||
	fail "$(nf_collected "$W/collect.txt" " dport=5000 ") packets" \
		"exported, $inp accounted"
awk '$1 == "flow" {
	k = $2 " " $3 " " $4 " " $5 " " $6
	p = $7; sub(/packets=/, "", p); b = $8; sub(/bytes=/, "", b)
	if (FILENAME ~ /truth/) { tp[k] += p; tb[k] += b; next }
	if (!(k in tp)) { print "not sent: " $0; bad = 1 }
	gp[k] += p; gb[k] += b; n++
} END {
	for (k in gp)
		if (gp[k] > tp[k] || gb[k] != gp[k] * tb[k] / tp[k]) {
			print "more than sent: " k " " gp[k] "/" tp[k] " packets"; bad = 1 }
	printf "%d records\n", n; exit bad
}' "$W/truth.txt" "$W/collect.txt" >"$W/subset.txt" || {
	cat "$W/subset.txt" >&2
	fail "exported flows are not a part of what was sent"
}
[ "$(nf_collected "$W/collect.txt" " dport=5000 ")" = "$inp" ] ||
	fail "exported $(nf_collected "$W/collect.txt" " dport=5000 ") packets," \
		"accounted $inp"
[ "$(grep -c '^flow ' "$W/collect.txt")" -ge "$created" ] ||
	fail "fewer records than the $created flows created"
sayt "flush: exported $inp packets in $(cat "$W/subset.txt"), all sent ones"

# --- room again: new flows are accepted and exported
$ipt -w -I OUTPUT -o nfv0 -j NETFLOW || fail "$ipt -I OUTPUT failed"
d0=$(nf_snmp dropPackets)
"$NF_BIN/nf-send" udp $NF_B4:5000 count=3 size=20 ports=45000-45009 \
	>"$W/truth2.txt" || fail "nf-send failed"
[ "$(nf_snmp dropPackets)" = "$d0" ] ||
	fail "packets of new flows dropped after the flush emptied the cache"
nf_flush
$ipt -w -D OUTPUT -o nfv0 -j NETFLOW
nf_wait_collected "$W/collect.txt" " sport=4500" 30 5 || true
nf_collect_stop "$W/collect.txt"
nf_compare after-flush --ignore-extra "$W/truth2.txt" "$W/collect.txt"
sayt "OK"
