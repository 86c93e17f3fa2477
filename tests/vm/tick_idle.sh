#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The ageing tick leaves CPUs with nothing to age asleep (issue 11 item
# 13: nohz_full and isolcpus users see every wakeup).  The tick runs on
# one CPU; it queues a CPU's scan work only while that CPU's table or
# done list holds flows.  With the workqueue tracepoint on, counts the
# module's scan work runs per CPU (they happen 4 times a second where
# they happen):
#  1. flows made on cpu1 only: its scan work runs there, and not on cpu0
#     (so the tracing sees what it must);
#  2. after a flush, both tables empty: no scan work runs at all for 3 s.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send taskset
nf_workdir
T=/sys/kernel/tracing
EV=$T/events/workqueue/workqueue_execute_start
[ -d $T/events ] || mount -t tracefs none $T 2>/dev/null
[ -d $EV ] || fail "no workqueue tracepoint in $T"
trace_off() {
	echo 0 >$EV/enable 2>/dev/null
	echo 0 >$T/tracing_on 2>/dev/null
	return 0
}
NF_ON_EXIT=trace_off

# runs CPU SECONDS: scan work runs on CPU during the next SECONDS
# (the tracepoint prints the work's function by name)
runs_on() {
	echo 0 >$T/tracing_on
	: >$T/trace
	echo 1 >$EV/enable
	echo 1 >$T/tracing_on
	sleep "$2"
	echo 0 >$T/tracing_on
	cp $T/trace "$W/trace-$3.txt"
	awk -v cpu="$(printf '[%03d]' "$1")" '$0 ~ /function nfl_scan_work/ &&
		index($0, cpu) { n++ } END { print n + 0 }' "$W/trace-$3.txt"
}

nf_net_up
nf_load inactive_timeout=60 active_timeout=120
iptables-nft -w -A OUTPUT -o nfv0 -j NETFLOW || fail "iptables -j NETFLOW failed"
taskset -c 1 "$NF_BIN/nf-send" udp $NF_B4:5000 count=1 ports=40000-40099 \
	>/dev/null || fail "nf-send on cpu1 failed"
on1=$(runs_on 1 2 busy)
on0=$(grep -c 'function nfl_scan_work' "$W/trace-busy.txt")
on0=$((on0 - on1))
say "flows on cpu1: scan work ran $on1 times on cpu1, $on0 on cpu0 in 2 s"
[ "$on1" -ge 2 ] || fail "cpu1 holds flows, but its scan work ran $on1 times in 2 s"
[ "$on0" = 0 ] || fail "cpu0 holds no flow, but its scan work ran $on0 times"

nf_flush
nf_wait_snmp hashFlows -eq 0 10 || fail "flows left in the tables after a flush"
idle=$(runs_on 0 3 idle)
all=$(grep -c 'function nfl_scan_work' "$W/trace-idle.txt")
say "tables empty: scan work ran $all times in 3 s"
[ "$all" = 0 ] || fail "tables empty, but scan work ran $all times in 3 s ($idle on cpu0)"
iptables-nft -w -F OUTPUT
nf_unload
say OK
