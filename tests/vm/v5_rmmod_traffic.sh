#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# rmmod while traffic runs, with both iptables back ends.  The netns sends
# UDP to this side (one long flow, a packet a millisecond at most, and a
# sweep of 500 ports; two senders, so both CPUs) and pings; -j NETFLOW in
# INPUT meters it, flows stay in memory (long timeouts).  Under that traffic the rule is deleted
# and the module removed at once.  Asserts:
#  - rmmod succeeds at once (no lingering reference) and no kernel warning
#    (vm-run's dmesg check, and the kernel log since the rule went away);
#  - what the module had accounted when the rule went away (snmp
#    inPackets, which can no longer change) reaches nf-collect in full on
#    unload: every accounted packet and byte, no format or sequence error.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect
PING=$(command -v ping) || PING="busybox ping"
nf_workdir

nf_net_up
nf_bg "$NF_BIN/nf-sink" udp $NF_A4:5000 >"$W/sink.txt"
nf_wait_udp 5000
for be in $NF_BACKENDS; do
	ipt=$(nf_ipt "$be" 4)
	out=$W/collect-$be.txt
	nf_load destination=127.0.0.1:2056 inactive_timeout=120 active_timeout=300
	nf_collect_start "$out" 127.0.0.1:2056 --first-seq 0
	$ipt -w -I INPUT -i nfv0 -j NETFLOW || fail "$ipt -I INPUT failed"

	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-send" --interval-ms 1 \
		udp $NF_A4:5000 count=1000000 size=100 sport=40000 >/dev/null
	s1=$NF_PID
	nf_bg ip netns exec $NF_NS "$NF_BIN/nf-send" --interval-ms 2 \
		udp $NF_A4:5000 count=1 size=10 ports=41000-41499 \
		udp $NF_A4:5000 count=1000000 size=10 sport=42000 >/dev/null
	s2=$NF_PID
	nf_bg ip netns exec $NF_NS sh -c "exec $PING -q -i 0.01 $NF_A4" \
		>/dev/null 2>&1
	s3=$NF_PID
	# until the cache holds a good part of the sweep
	nf_wait_snmp hashFlows -ge 100 30 ||
		fail "$be: only $(nf_snmp hashFlows) flows after 30 s of traffic"
	flows=$(nf_snmp hashFlows)

	nf_kmsg_mark "rmmod-$be"
	$ipt -w -D INPUT -i nfv0 -j NETFLOW || fail "$ipt -D INPUT failed"
	pkts=$(nf_snmp inPackets) bytes=$(nf_snmp inBytes)
	t0=$(nf_now_ms)
	tries=1
	rmmod ipt_NETFLOW 2>"$W/rmmod.err" || {
		tries="1 ($(cat "$W/rmmod.err")), retried"
		nf_unload
	}
	t1=$(nf_now_ms)
	! nf_loaded || fail "$be: still loaded after rmmod"
	sayt "$be: rule deleted and module removed under traffic," \
		"$flows flows / $pkts packets in memory; rmmod: $((t1 - t0)) ms," \
		"attempts: $tries"
	kill -0 $s1 2>/dev/null && kill -0 $s2 2>/dev/null &&
		kill -0 $s3 2>/dev/null ||
		fail "$be: the traffic had stopped before rmmod"
	nf_bg_stop $s1
	nf_bg_stop $s2
	nf_bg_stop $s3

	nf_wait_collected "$out" " dport=5000 " 1 5 || true
	nf_collect_stop "$out"
	got=$(nf_sum "$out" packets) gotb=$(nf_sum "$out" bytes)
	[ "$got $gotb" = "$pkts $bytes" ] ||
		fail "$be: exported $got packets / $gotb bytes on unload," \
			"$pkts / $bytes accounted"
	recs=$(grep -c '^flow ' "$out")
	[ "$recs" -ge "$flows" ] || fail "$be: $recs records for $flows flows"
	sayt "$be: unload exported $recs records, $got packets, $gotb bytes: all"
	bad=$(nf_dmesg_since "rmmod-$be" | grep -E 'WARNING|BUG|Oops|Call Trace')
	[ -z "$bad" ] || fail "$be: kernel log after rmmod: $bad"
done
sayt "OK"
