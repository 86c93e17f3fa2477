#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Soak: a pktgen flood of new UDP flows (random source address and port,
# from netns nfns through the veth, RPS spreading it over both CPUs) far
# past maxflows, metered in raw PREROUTING of this side, for
# NF_SOAK_SECS, while a loop keeps changing hashsize (down to the least
# maxflows allows, and one value below it that must be refused), protocol
# (5, 9, 10), destination, active/inactive timeouts and natevents, flushes,
# makes NAT events (a DNAT on lo), and takes cpu1 offline and back.
# nf-collect on 127.0.0.1:2055 is in every destination value, so it gets
# every PDU (it sums the flow records: --totals); the other collectors
# come and go (nf-sink, so no send fails).
# Asserts:
#  - every setting write took (the bad hashsize was refused);
#  - maxflows held: hashFlows + exportHeld <= maxflows at every step, and
#    it was reached (packets refused by maxflows, counted as dropped);
#  - packets that reached the hook (a counting rule right before the
#    NETFLOW rule) = inPackets + dropPackets, exactly;
#  - packets exported: nf-collect's flow records + the module's not-sent
#    packets (lost_packets + skipped_packets, from the IPFIX reliability
#    record 262 after the last flush) = inPackets, exactly; nf-collect
#    finds no format error, no data without template, and no sequence
#    error but the restart (sequence 0) of a protocol's stream after a
#    protocol switch (nf-collect keys streams by exporter address, version
#    and engine id/domain; a new encoder starts at 0);
#  - flows are in memory before the final flush (the timeouts are 1800 s
#    by then), and after it hashFlows = 0 and exportHeld = 0;
#  - after rmmod the module's slab caches are gone (/proc/slabinfo; and
#    /sys/kernel/slab for those SLUB did not merge into others: make
#    check-full boots with slab_nomerge, so that a cache destroyed with
#    objects left logs "Objects remaining" and a warning; 6.1 also keeps
#    it listed), and the kernel log since the start shows no WARNING,
#    BUG, KASAN, UBSAN, kmemleak report... (scripts/dmesg-check; with
#    kmemleak in the kernel, a scan first).
# Environment (modest defaults for TCG):
#   NF_SOAK_SECS      seconds of flood and churn (default 150)
#   NF_SOAK_PPS       pktgen packets per second (default 3000; 1000 on
#                     the -debug and -rt kernels)
#   NF_SOAK_MAXFLOWS  maxflows (default 20000; 2000 on the -debug and
#                     -rt kernels, whose pktgen reaches ~200 pps under
#                     TCG: 30 s of inactive timeout hold ~6000 flows)
#   NF_SOAK_PAUSE     seconds between two churn steps (default 0.5)
# With NF_SOAK_SECS above ~600, raise NF_TEST_TIMEOUT (run-suite.sh) and
# vm-run's --timeout to match.
# vm-timeout: 1200
. "$(dirname "$0")/lib.sh"

SECS=${NF_SOAK_SECS:-150}
# (the debug and PREEMPT_RT kernels are slower: less, still past maxflows)
case $(uname -r) in
*-debug | *-rt*)
	PPS=${NF_SOAK_PPS:-1000}
	MAX=${NF_SOAK_MAXFLOWS:-2000} ;;
*)
	PPS=${NF_SOAK_PPS:-3000}
	MAX=${NF_SOAK_MAXFLOWS:-20000} ;;
esac
PAUSE=${NF_SOAK_PAUSE:-0.5}

nf_need_tools nf-send nf-sink nf-collect iptables-legacy iptables-nft
nf_workdir
ipt=iptables-legacy
SYS=/proc/sys/net/netflow
CPU1=/sys/devices/system/cpu/cpu1/online
PG=/proc/net/pktgen
A=127.0.0.1:2055 B=127.0.0.1:2056 C=127.0.0.1:2057
FLOOD_DST=192.0.2.99	# on nfv0's subnet, not local: dropped after the hook

[ -w $CPU1 ] || fail "no cpu1 that can go offline (the VM has 2 CPUs)"
modprobe pktgen || fail "modprobe pktgen failed"
soak_exit() {
	echo 1 >$CPU1 2>/dev/null
	ip netns exec $NF_NS sh -c "echo stop >$PG/pgctrl" 2>/dev/null
	iptables-nft -w -t nat -F OUTPUT 2>/dev/null
	nf_net_down
	rmmod pktgen 2>/dev/null
	return 0
}
NF_ON_EXIT=soak_exit
! nf_kmemleak_clear || say "kmemleak: cleared"
nf_kmsg_mark "soak start"

# --- the network, the flood's receiving side
nf_net_up
echo 0 >/proc/sys/net/ipv4/ip_forward
# (not on PREEMPT_RT before 6.10, where RPS makes the kernel warn: there
# the flood is metered on cpu0, pktgen's, and cpu1 meters the rest)
if nf_rps_ok; then
	echo 3 >/sys/class/net/nfv0/queues/rx-0/rps_cpus ||
		fail "cannot spread nfv0's packets over both CPUs (RPS)"
else
	say "no RPS on $(uname -r): the flood is metered on cpu0"
fi
mac0=$(cat /sys/class/net/nfv0/address)

# --- collectors: nf-collect (it sums the flow records of one packet or
# more, prints the rest: NAT events have none) and two sinks
nf_collect_start "$W/collect.txt" $A --first-seq 0 --rcvbuf 67108864 --totals
nf_bg "$NF_BIN/nf-sink" udp $B >"$W/sink-b.txt"
SINKS=$NF_PID
nf_bg "$NF_BIN/nf-sink" udp $C >"$W/sink-c.txt"
SINKS="$SINKS $NF_PID"
nf_wait_udp 2056
nf_wait_udp 2057

# --- the module and the rules: count, meter, keep conntrack out of it
# udp_errs: datagrams the UDP sockets here dropped (receive buffer full...)
udp_errs() {
	awk '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		$1 == "Udp:" { for (i = 2; i <= NF; i++) if (k[i] ~ /^(InErrors|RcvbufErrors)$/) s += $i }
		END { print s + 0 }' /proc/net/snmp
}
udp0=$(udp_errs)
sayt "collectors up"
nf_load maxflows=$MAX hashsize=1024 protocol=5 destination=$A \
	active_timeout=60 inactive_timeout=30 sndbuf=8388608
$ipt -w -t raw -A PREROUTING -i nfv0 &&
	$ipt -w -t raw -A PREROUTING -i nfv0 -j NETFLOW &&
	$ipt -w -t raw -A PREROUTING -i nfv0 -j CT --notrack ||
	fail "raw PREROUTING rules"
# hook_pkts: packets the counting rule (rule 1) saw
hook_pkts() {
	$ipt -w -t raw -L PREROUTING 1 -nvx |
		awk '$1 ~ /^[0-9]+$/ { print $1; f = 1; exit } END { if (!f) print "none" }'
}
[ "$(hook_pkts)" = 0 ] || fail "counting rule: '$(hook_pkts)', want 0"

# NAT events: a DNAT on lo, new connections now and then
iptables-nft -w -t nat -A OUTPUT -o lo -p udp -d 127.0.0.1 --dport 7777 \
	-j DNAT --to-destination 127.0.0.1:7778 || fail "nat OUTPUT rule"
nf_bg "$NF_BIN/nf-sink" udp 127.0.0.1:7778 >"$W/sink-nat.txt"
nf_wait_udp 7778

sayt "module and rules in place"
# --- pktgen in nfns: thread 0 sends on nfv1, new flows all the time
# (count 0: until stopped; clone_skb 0: a fresh skb each, as veth wants)
ip netns exec $NF_NS env PG=$PG PPS=$PPS DST=$FLOOD_DST MAC=$mac0 sh -c '
	pg() { echo "$2" >"$PG/$1" && grep -q "Result: OK" "$PG/$1" ||
		{ echo "pktgen $1: $2: $(grep Result "$PG/$1")" >&2; exit 1; }; }
	pg kpktgend_0 rem_device_all && pg kpktgend_0 "add_device nfv1" &&
	for c in "count 0" "clone_skb 0" "pkt_size 60" "ratep $PPS" \
		"dst $DST" "src_min 10.1.0.1" "src_max 10.1.255.254" \
		"dst_mac $MAC" "udp_src_min 1" "udp_src_max 65535" \
		"udp_dst_min 9" "udp_dst_max 9" "flag IPSRC_RND" \
		"flag UDPSRC_RND"; do
		pg nfv1 "$c" || exit 1
	done' || fail "pktgen setup failed"
nf_bg ip netns exec $NF_NS sh -c "echo start >$PG/pgctrl"
PG_PID=$NF_PID
sayt "pktgen started ($PPS pps asked), maxflows $MAX"
nf_wait_snmp inPackets -ge 100 60 ||
	fail "pktgen: only $(nf_snmp inPackets) packets metered after 60 s"
# progress, every 15 s: the log shows how far it got, whatever happens
beat() {
	while sleep 15; do
		s=$(awk '$1 ~ /^(inPackets|dropPackets|hashFlows|exportHeld|outFlows)$/ {
			printf "%s=%s ", $1, $2 }' /proc/net/stat/ipt_netflow_snmp)
		sayt "$s load $(cut -d' ' -f1-3 /proc/loadavg)"
	done
}
nf_bg beat
NF_PID_BEAT=$NF_PID
# far past maxflows from the start (inactive_timeout 30: it fills up)
nf_wait_snmp cache_maxflows -ge 1 180 ||
	fail "maxflows not reached after 180 s of flood:" \
		"$(nf_snmp hashFlows) flows, $(nf_snmp inPackets) packets"
sayt "flood metered, maxflows reached"

# --- the churn
HMIN=$((MAX / 65 + 1))		# least hashsize with maxflows/hashsize <= 64
[ $HMIN -ge 16 ] || HMIN=16
HS="4099 $HMIN 32768 1024 65536 $HMIN"
PROTOS="9 10 5 10 9 5"
DESTS="$A,$B $B,$A,$C $C;$A $A"
TMOS="60/30 5/2 1800/60 300/30 10/5"
sysw() {
	echo "$2" >$SYS/$1 || fail "step $step: $1=$2 refused"
}
rot() {	# rot N LIST: the Nth word of LIST, round and round
	set -- $(($1)) $2
	shift $(($1 % ($# - 1) + 1))
	echo "$1"
}
# Eight kinds of step, one after the other; every third step also takes
# cpu1 offline or back, so each kind runs with cpu1 offline now and then.
worst=0 switches=0 offline=0 flushes=0 natb=0 resizes=0 nat=0
read -r t0 _ </proc/uptime
t0=${t0%.*}
step=0
while :; do
	read -r now _ </proc/uptime
	[ $((${now%.*} - t0)) -lt "$SECS" ] || break
	k=$((step / 8))
	case $((step % 8)) in
	0)	h=$(rot $k "$HS")
		sysw hashsize "$h"
		[ "$(cat $SYS/hashsize)" = "$h" ] ||
			fail "hashsize reads $(cat $SYS/hashsize), $h written"
		! echo $((HMIN - 1)) >$SYS/hashsize 2>/dev/null ||
			fail "hashsize=$((HMIN - 1)) accepted with maxflows=$MAX"
		[ "$(cat $SYS/hashsize)" = "$h" ] ||
			fail "a refused hashsize changed it to $(cat $SYS/hashsize)"
		resizes=$((resizes + 1)) ;;
	1)	p=$(rot $k "$PROTOS")
		[ "$(cat $SYS/protocol)" = "$p" ] || switches=$((switches + 1))
		sysw protocol "$p" ;;
	2)	sysw destination "$(rot $k "$DESTS")" ;;
	3)	tm=$(rot $k "$TMOS")
		sysw active_timeout "${tm%/*}"
		sysw inactive_timeout "${tm#*/}" ;;
	4)	nat=$((1 - nat))
		sysw natevents $nat ;;
	5)	b=$((20000 + natb % 4000 * 10))
		"$NF_BIN/nf-send" udp 127.0.0.1:7777 count=1 size=10 \
			ports=$b-$((b + 9)) >/dev/null || fail "nf-send (nat)"
		natb=$((natb + 1)) ;;
	6)	# every other round: the tables fill up again between flushes
		if [ $((k % 2)) = 1 ]; then
			sysw flush 1
			flushes=$((flushes + 1))
		fi ;;
	7)	;;	# a step of traffic only
	esac
	if [ $((step % 3)) = 2 ]; then
		if [ "$(cat $CPU1)" = 1 ]; then
			echo 0 >$CPU1 || fail "step $step: cpu1 offline refused"
			offline=$((offline + 1))
		else
			echo 1 >$CPU1 || fail "step $step: cpu1 online refused"
		fi
	fi
	# maxflows bounds every flow in memory (one read: held first)
	h='' f=''
	while read -r key v; do
		case $key in
		exportHeld) h=$v ;;
		hashFlows) f=$v ;;
		esac
	done </proc/net/stat/ipt_netflow_snmp
	[ $((h + f)) -le "$worst" ] || worst=$((h + f))
	[ "$worst" -le "$MAX" ] ||
		fail "step $step: hashFlows $f + exportHeld $h > maxflows $MAX"
	step=$((step + 1))
	sleep "$PAUSE"
done
echo 1 >$CPU1 || fail "cpu1 online refused"
[ "$(cat $CPU1)" = 1 ] || fail "cpu1 not back online"
sayt "churn: $step steps: $resizes resizes, $switches protocol switches," \
	"$offline cpu1 offline, $flushes flushes, $natb NAT bursts;" \
	"at most $worst flows in memory"
# from now on no flow ages out: the final flush must empty the tables
sysw active_timeout 1800
sysw inactive_timeout 1800

# --- stop the flood; wait until the last packets have passed the hook
nf_bg_stop $NF_PID_BEAT
ip netns exec $NF_NS sh -c "echo stop >$PG/pgctrl" || fail "pktgen stop"
wait $PG_PID
NF_BG=$(echo "$NF_BG" | tr ' ' '\n' | grep -vx "$PG_PID" | tr '\n' ' ')
sent=$(ip netns exec $NF_NS cat $PG/nfv1 | sed -n 's/.*pkts-sofar: *\([0-9]*\).*/\1/p')
hook=$(hook_pkts) i=0
while sleep 0.5; h2=$(hook_pkts); [ "$h2" != "$hook" ]; do
	hook=$h2 i=$((i + 1))
	[ $i -lt $((60 * NF_TIME_SCALE)) ] ||
		fail "the hook counter is still moving $((30 * NF_TIME_SCALE)) s after the stop"
done
sayt "pktgen sent $sent packets, $hook reached the hook"

# --- books at the hook: metered + dropped = seen
inp=$(nf_snmp inPackets) dropp=$(nf_snmp dropPackets) mxd=$(nf_snmp cache_maxflows)
[ $((inp + dropp)) = "$hook" ] ||
	fail "metered $inp + dropped $dropp = $((inp + dropp)) packets," \
		"$hook reached the hook"
[ "$dropp" -gt 0 ] && [ "$mxd" -gt 0 ] ||
	fail "maxflows never reached (dropped $dropp, refused by maxflows $mxd)"
sayt "metered $inp + dropped $dropp ($mxd refused by maxflows) = $hook at the hook"

# --- final flush in IPFIX: nothing left in memory
f=$(nf_snmp hashFlows)
[ "$f" -gt 0 ] || fail "no flows in memory for the final flush to take"
sayt "$f flows in memory before the final flush"
[ "$(cat $SYS/protocol)" = 10 ] || switches=$((switches + 1))
sysw protocol 10
sysw flush 1
f=$(nf_snmp hashFlows) h=$(nf_snmp exportHeld)
[ "$f $h" = "0 0" ] ||
	fail "after the final flush: hashFlows $f, exportHeld $h; want 0 0"
# A destination write sends templates and the statistics records, the
# reliability one (262: drops happened) with the not-sent packets; a flush
# returns once the exporter has sent it.  Then an end marker (a v5 PDU
# from 127.0.0.2, its own stream): once nf-collect shows it, it has
# decoded every PDU the module sent before.
sysw destination "$A,$B"
sysw flush 1
echo "flow proto=17 src=198.18.0.1 sport=9 dst=198.18.0.2 dport=9 packets=1 bytes=28" |
	"$NF_BIN/nf-craft" -V 5 -s 127.0.0.2 -d $A >/dev/null ||
	fail "nf-craft (end marker) failed"
i=0
until grep -q '^pdu version=5 exporter=127\.0\.0\.2:' "$W/collect.txt"; do
	i=$((i + 1))
	[ $i -lt $((1200 * NF_TIME_SCALE)) ] ||
		fail "nf-collect has not decoded all after $((120 * NF_TIME_SCALE)) s"
	sleep 0.1
done
rel=$(grep '^option .* template=262 ' "$W/collect.txt" | tail -n 1)
kv() { echo "$rel" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
notsent=$(kv not_sent_packets) ign=$(kv ignored_packets)
[ -n "$notsent" ] || fail "no reliability record (262) with not_sent_packets: '$rel'"
[ "$ign" = "$dropp" ] ||
	fail "reliability record: ignored_packets $ign, dropPackets $dropp"
snmp_end=$(cat /proc/net/stat/ipt_netflow_snmp)

# --- what nf-collect got
nf_bg_stop "$NF_COLLECT_PID"
sum=$(grep '^summary ' "$W/collect.txt")
[ -n "$sum" ] || fail "nf-collect gave no summary"
sv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# per version: records, packets (the end marker's 1 taken off v5), and of
# the zero-packet records, our NAT events (the DNAT on lo): v5 has the
# post-NAT port and SYN|ACK or RST|FIN, v9/IPFIX the pre-NAT port
awk '
	function kv(k,   i) {
		for (i = 2; i <= NF; i++)
			if (index($i, k "=") == 1) return substr($i, length(k) + 2)
	}
	$1 == "totals" { v = kv("ver"); n[v] += kv("flows"); pk[v] += kv("packets") }
	$1 == "flow" && kv("packets") == 0 {
		v = kv("ver"); n[v]++; z[v]++
		if (v == 5)
			ev[v] += kv("dport") == 7778 && (kv("tcpflags") == "0x12" || kv("tcpflags") == "0x05")
		else
			ev[v] += kv("dport") == 7777
	}
	$1 == "pdu" { pdus++ }
	END {
		n[5]--; pk[5]--; pdus--	# the end marker
		for (v in n) {
			printf "records ver=%s flows=%d packets=%.0f zero=%d nat=%d\n",
				v, n[v], pk[v], z[v], ev[v]
			tf += n[v]; tp += pk[v]
		}
		printf "total pdus=%d flows=%d packets=%.0f zero5=%d nat=%d\n",
			pdus, tf, tp, z[5], ev[5] + ev[9] + ev[10]
	}' "$W/collect.txt" >"$W/records.txt"
tot=$(grep '^total ' "$W/records.txt")
# nf-collect counts a v5 record of 0 packets as a format error: that is
# what a v5 NAT event is (README, NAT events).  Those errors only, one per
# such record, and every such record one of our NAT events.
zerr=$(grep -c '^error kind=format version=5 .* msg="v5: record [0-9]*: zero packets"$' "$W/collect.txt")
z5=$(sv zero5 "$tot") n5=$(grep '^records ver=5 ' "$W/records.txt" | sed -n 's/.* nat=//p')
[ "$(sv format_errors "$sum")" = "$zerr" ] && [ "$zerr" = "$z5" ] &&
	[ "$z5" = "${n5:-0}" ] && [ "$(sv no_template "$sum")" = 0 ] || {
	grep -E '^(error|notice)' "$W/collect.txt" | grep -v 'zero packets"$' | head -n 20 >&2
	fail "nf-collect: format errors or data without template: $sum;" \
		"$zerr zero-packet v5 errors, $z5 such records, ${n5:-0} NAT events"
}
seqe=$(sv seq_errors "$sum")
restarts=$(grep -c '^error kind=seq .* msg="sequence 0, expected ' "$W/collect.txt")
[ "$seqe" = "$restarts" ] && [ "$restarts" -le "$switches" ] || {
	grep '^error kind=seq' "$W/collect.txt" | grep -v 'msg="sequence 0, ' | head -n 20 >&2
	fail "nf-collect: $seqe sequence errors, of which $restarts restarts" \
		"at 0 ($switches protocol switches)"
}
got=$(sv packets "$tot")
echo "$snmp_end" | awk '$1 ~ /^(inFlows|outFlows|outPackets|lostFlows|lostPackets|errTotal|skippedFlows|natStart|natStop|natDropped|bhOffMaxUs|cache_maxflows|cache_alloc)$/ { printf "%s=%s ", $1, $2 } END { print "" }' >"$W/snmp-end.txt"
sayt "snmp: $(cat "$W/snmp-end.txt")"
for p in $SINKS; do nf_bg_stop $p; done
udperr=$(($(udp_errs) - udp0))
sayt "UDP receive errors here during the test: $udperr;" \
	"PDUs to the other collectors: $(awk '{ for (i = 1; i <= NF; i++)
		if (index($i, "packets=") == 1) s += substr($i, 9) }
		END { print s + 0 }' "$W"/sink-[bc].txt)"
# (nf-collect decodes slower than the module exports, under TCG: its
# 64 MB receive buffer holds the backlog; if that ever overflows, the
# test, not the module, lost PDUs)
[ "$udperr" = 0 ] ||
	fail "$udperr datagrams dropped by UDP sockets here: a collector" \
		"of the test could not keep up (lower NF_SOAK_PPS)"
[ $((got + notsent)) = "$inp" ] ||
	fail "exported: nf-collect $got + not sent $notsent =" \
		"$((got + notsent)) packets, $inp metered"
sayt "exported: nf-collect $got + not sent $notsent = $inp metered;" \
	"$(sv flows "$tot") records in $(sv pdus "$tot") PDUs;" \
	"$restarts stream restarts for $switches protocol switches;" \
	"$(sv nat "$tot") NAT event records"
grep '^records ' "$W/records.txt" | while read -r l; do sayt "  $l"; done

# --- unload: nothing left behind
$ipt -w -t raw -F PREROUTING
iptables-nft -w -t nat -F OUTPUT
slabs=$(nf_slab_state)
nf_unload
nf_slab_gone "$slabs"
sayt "rmmod: slab caches gone (while loaded:" $slabs")"
! nf_kmemleak_scan || sayt "kmemleak: scanned"
nf_dmesg_clean "soak start"
sayt "OK"
