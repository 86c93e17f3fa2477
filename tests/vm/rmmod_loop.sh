#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# rmmod/insmod NF_RMMOD_CYCLES times under NAT traffic with natevents=1.
# The root namespace routes between a client netns (natc) and a server
# netns (nats) with MASQUERADE (and a DNAT of ROUTER:8080 to SERVER:5000),
# lib.sh's nf_nat_router_up 4 dnat; NAT connections stay open all along:
# a TCP connection held by nc, and a UDP stream (a packet every 20 ms).  A
# `conntrack -E` listens all along.  Each cycle: insmod natevents=1
# (protocol 5, 9, 10 in turn, an engine id of its own so nf-collect sees a
# stream per cycle), a -j NETFLOW rule in FORWARD (iptables-nft and
# -legacy in turn), traffic metered, a new NATed TCP connection, rule
# deleted, rmmod.  Asserts:
#  - each insmod and each rmmod succeeds (rmmod at once, or within the
#    moment nft_compat takes to drop its reference);
#  - each cycle metered the traffic and saw its connection's create event;
#  - each cycle's stream reached nf-collect in full: its flow records
#    carry exactly the packets the module had metered when the rule went
#    away (unload exports everything), and its NAT event records include
#    the cycle's create; no format or sequence error;
#  - the `conntrack -E` that ran all along saw every cycle's connection,
#    new ones get events after the last rmmod too (ctnetlink has its
#    callback back), and nf_conntrack_events is 2 again;
#  - nf-collect: no format error but its zero-packet one for each v5 NAT
#    event record, no sequence error, no data without template;
#  - the module's slab caches are gone (see soak.sh), and the kernel log
#    since the start shows no WARNING, BUG, KASAN, UBSAN, kmemleak
#    report... (scripts/dmesg-check; with kmemleak, a scan first).
# Environment:
#   NF_RMMOD_CYCLES   load/unload cycles (default 100; 30 on the debug
#                     kernel, where KASAN and lockdep make a cycle ~5
#                     times longer)
# vm-timeout: 1800
. "$(dirname "$0")/lib.sh"

case $(uname -r) in
*-debug) CYCLES=${NF_RMMOD_CYCLES:-30} ;;
*) CYCLES=${NF_RMMOD_CYCLES:-100} ;;
esac

nf_need_tools nf-send nf-sink nf-collect conntrack nc
nf_workdir
P=2055
C4=$NF_NAT_C4 RC4=$NF_NAT_RC4 S4=$NF_NAT_S4
EVSYS=/proc/sys/net/netfilter/nf_conntrack_events

nat_down() {
	rm -f "$W/hold.fifo"	# (no FIFO in the copy to $VM_OUT: 9p refuses)
	nf_nat_router_down 4
}
NF_ON_EXIT=nat_down
! nf_kmemleak_clear || say "kmemleak: cleared"
nf_kmsg_mark "rmmod_loop start"

# (servers of its own, below)
nf_nat_router_up 4 dnat
[ "$(cat $EVSYS)" = 2 ] || fail "nf_conntrack_events is $(cat $EVSYS), want 2"
nf_bg ip netns exec nats nc -lk 5000 >/dev/null
nf_wait_bound /proc/net/tcp 5000 nats
# (the held connection has a server of its own: nc -lk serves one at a time)
nf_bg ip netns exec nats nc -l 5002 >/dev/null
nf_wait_bound /proc/net/tcp 5002 nats
nf_bg ip netns exec nats "$NF_BIN/nf-sink" udp $S4:5001 >"$W/sink.txt"
nf_wait_udp 5001 nats
nf_collect_start "$W/collect.txt" 127.0.0.1:$P --first-seq 0
nf_conntrack_listen "$W/conntrack-E.txt"

# NAT connections that stay open: TCP (nc reading a FIFO this shell holds
# open) and a UDP stream, both from the client through the MASQUERADE
mkfifo "$W/hold.fifo" || fail "mkfifo"
exec 7<>"$W/hold.fifo"
nf_bg ip netns exec natc nc -p 46000 $S4 5002 <"$W/hold.fifo" >/dev/null
nf_bg ip netns exec natc "$NF_BIN/nf-send" --interval-ms 20 \
	udp $S4:5001 count=10000000 size=50 sport=46001 >/dev/null
i=0
until conntrack -L 2>/dev/null | grep -q "ESTABLISHED src=$C4 .*sport=46000 "; do
	i=$((i + 1))
	[ $i -lt $((100 * NF_TIME_SCALE)) ] ||
		fail "the held TCP connection is not established"
	sleep 0.1
done
conntrack -L 2>/dev/null | grep -q "udp .*sport=46001 " ||
	fail "no conntrack entry for the UDP stream"
sayt "NAT up, a TCP connection and a UDP stream open"

c=0
while [ $c -lt "$CYCLES" ]; do
	be=$(echo $NF_BACKENDS | cut -d' ' -f$((c % 2 + 1)))
	ipt=$(nf_ipt "$be" 4)
	proto=$(echo "5 9 10" | cut -d' ' -f$((c % 3 + 1)))
	# an engine id per cycle (v5: 0..255), so a stream per cycle
	eng=$c
	[ "$proto" != 5 ] || eng=$((c % 256))
	nf_kmsg_mark "rmmod_loop cycle $c"
	nf_load natevents=1 protocol=$proto engine_id=$eng \
		destination=127.0.0.1:$P active_timeout=1800 inactive_timeout=600
	$ipt -w -I FORWARD -j NETFLOW || fail "cycle $c: $ipt -I FORWARD failed"
	# traffic metered, and a new NAT connection (direct or through the DNAT)
	nf_wait_snmp inPackets -ge 10 30 ||
		fail "cycle $c: only $(nf_snmp inPackets) packets metered in 30 s"
	sp=$((47000 + c))
	if [ $((c % 2)) = 0 ]; then
		dst="$S4 5000"
	else
		dst="$RC4 8080"
	fi
	# shellcheck disable=SC2086 # two words
	ip netns exec natc nc -N -w $((5 * NF_TIME_SCALE)) -p $sp $dst </dev/null ||
		fail "cycle $c: tcp from port $sp to $dst failed"
	nf_wait_snmp natStart -ge 1 10 ||
		fail "cycle $c: no NAT create event for the new connection"
	$ipt -w -D FORWARD -j NETFLOW || fail "cycle $c: $ipt -D FORWARD failed"
	# what was metered, once no packet is left inside the rule
	pkts=$(nf_snmp inPackets) i=0
	while sleep 0.2; p2=$(nf_snmp inPackets); [ "$p2" != "$pkts" ]; do
		pkts=$p2 i=$((i + 1))
		[ $i -lt $((50 * NF_TIME_SCALE)) ] ||
			fail "cycle $c: still metering after the rule went"
	done
	ns=$(nf_snmp natStart)
	slabs=$(nf_slab_state)
	echo "$c $proto $eng $pkts $ns $sp" >>"$W/cycles.txt"
	tries=1
	if ! rmmod ipt_NETFLOW 2>"$W/rmmod.err"; then
		# nft_compat drops its reference once the transaction commits
		tries="1 ($(cat "$W/rmmod.err")), then nf_unload"
		nf_unload
	fi
	! nf_loaded || fail "cycle $c: still loaded after rmmod"
	[ "$(cat $EVSYS)" = 2 ] ||
		fail "cycle $c: rmmod left nf_conntrack_events at $(cat $EVSYS)"
	echo "$c $tries" >>"$W/rmmod.txt"
	c=$((c + 1))
	[ $((c % 10)) != 0 ] || sayt "$c cycles done ($pkts packets metered in the last)"
done
sayt "$CYCLES cycles of insmod, traffic, NAT connection, rmmod;" \
	"rmmod retried in $(grep -c then "$W/rmmod.txt")"

# the held connections are still there, and got no extra events
conntrack -L 2>/dev/null | grep -q "sport=46000 " ||
	fail "the held TCP connection is gone"

# --- ctnetlink after the last rmmod: a new connection gives events
ip netns exec natc nc -N -w $((5 * NF_TIME_SCALE)) -p 46999 $S4 5000 </dev/null || fail "tcp failed"
i=0
until grep -q "\[NEW\].* src=$C4 .*sport=46999 " "$W/conntrack-E.txt"; do
	i=$((i + 1))
	[ $i -lt $((100 * NF_TIME_SCALE)) ] ||
		fail "conntrack -E got no event after the last rmmod"
	sleep 0.1
done
n_ct=0
while read -r c proto eng pkts ns sp; do
	grep -q "\[NEW\].* src=$C4 .*sport=$sp " "$W/conntrack-E.txt" ||
		fail "conntrack -E missed cycle $c's connection (port $sp)"
	n_ct=$((n_ct + 1))
done <"$W/cycles.txt"
nf_bg_stop $NF_CT_PID
sayt "conntrack -E saw every cycle's connection ($n_ct) and one after the last rmmod"

# --- every cycle's stream in nf-collect: all metered packets, its event
# (all was sent before each rmmod returned; wait until it is read)
want=$(awk '{ s += $4 } END { printf "%d\n", s }' "$W/cycles.txt")
nf_wait_collected "$W/collect.txt" "flow " "$want" 20 || true
nf_bg_stop "$NF_COLLECT_PID"
# nf-collect counts a v5 record of 0 packets as a format error: that is
# what a v5 NAT event is (README, NAT events).  Those errors only, one per
# v5 NAT event record (TCP: SYN|ACK or RST|FIN; UDP, ICMP: no packets).
sum=$(grep '^summary ' "$W/collect.txt")
zerr=$(grep -c '^error kind=format version=5 .* msg="v5: record [0-9]*: zero packets"$' "$W/collect.txt")
z5=$(grep -c '^flow .* packets=0 .* ver=5 ' "$W/collect.txt")
echo "$sum" | grep -q " seq_errors=0 format_errors=$zerr .* no_template=0 " &&
	[ "$zerr" = "$z5" ] || {
	grep -E '^(error|notice)' "$W/collect.txt" | grep -v 'zero packets"$' | head -n 20 >&2
	fail "nf-collect: ${sum:-no summary}; $zerr zero-packet v5 errors," \
		"$z5 v5 NAT event records"
}
# one pass: per cycle (its version and engine id / domain), the packets
# of its flow records, and whether its connection's create event is there
# (v5: a dummy flow of 0 packets; v9/IPFIX: a record with nat_event)
awk -v C4=$C4 '
	function kv(k,   i) {
		for (i = 2; i <= NF; i++)
			if (index($i, k "=") == 1) return substr($i, length(k) + 2)
		return ""
	}
	FILENAME == ARGV[1] { c[$2 " " $3] = $1; want[$1] = $4; port[$1] = $6; next }
	$1 != "flow" { next }
	{
		v = kv("ver"); id = v == 5 ? kv("engine_id") : kv("domain")
		if (!((v " " id) in c)) next
		k = c[v " " id]; got[k] += kv("packets")
		if (kv("proto") == 6 && kv("src") == C4 && kv("sport") == port[k] &&
		    (v == 5 ? kv("packets") == 0 : kv("nat_event") != ""))
			ev[k]++
	}
	END {
		for (k in want) {
			if (got[k] + 0 != want[k])
				printf "FAIL cycle %s: %d packets exported, %s metered\n", k, got[k], want[k]
			if (!ev[k])
				printf "FAIL cycle %s: no NAT event record for port %s\n", k, port[k]
		}
	}' "$W/cycles.txt" "$W/collect.txt" >"$W/export-check.txt"
! grep -q '^FAIL' "$W/export-check.txt" ||
	fail "$(grep -c '^FAIL' "$W/export-check.txt") problem(s): $(sort -n -k3 "$W/export-check.txt" | head -n 5 | tr '\n' ';')"
sayt "each cycle's export: every metered packet, the connection's event"

# --- nothing left behind
nf_slab_gone "$slabs"
sayt "slab caches gone (while loaded:" $slabs")"
! nf_kmemleak_scan || sayt "kmemleak: scanned"
nf_dmesg_clean "rmmod_loop start"
sayt "OK"
