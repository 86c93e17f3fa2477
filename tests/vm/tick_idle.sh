#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The ageing tick leaves CPUs with nothing to age asleep (issue 11 item
# 13: nohz_full and isolcpus users see every wakeup).  The tick runs on
# one CPU and queues a CPU's scan work only while that CPU's table or
# done list holds flows; snmp cache_scans counts the scan slices run (4 a
# second on a CPU that has flows).
#  1. flows made on cpu1: scans run (so the counter sees what it must);
#  2. after a flush, every table empty: no scan runs for 3 s.
# (The workqueue tracepoint would name the CPU, but enabling it patches
# kernel text, which under TCG with 2 vCPUs oopsed on a stale int3.)
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send taskset
nf_workdir

nf_net_up
nf_load inactive_timeout=60 active_timeout=120
iptables-nft -w -A OUTPUT -o nfv0 -j NETFLOW || fail "iptables -j NETFLOW failed"
s0=$(nf_snmp cache_scans)
taskset -c 1 "$NF_BIN/nf-send" udp $NF_B4:5000 count=1 ports=40000-40099 \
	>/dev/null || fail "nf-send on cpu1 failed"
nf_wait_snmp cache_scans -ge $((s0 + 4)) 10 ||
	fail "flows in the cache, but $(($(nf_snmp cache_scans) - s0)) scans in 10 s"
say "flows in the cache: scans run ($(($(nf_snmp cache_scans) - s0)) so far)"

nf_flush
nf_wait_snmp hashFlows -eq 0 10 || fail "flows left in the tables after a flush"
# a scan queued before the flush may still run: one tick period and more
sleep 1
s1=$(nf_snmp cache_scans)
sleep 3
s2=$(nf_snmp cache_scans)
say "tables empty: $((s2 - s1)) scans in 3 s"
[ "$s2" = "$s1" ] || fail "tables empty, but $((s2 - s1)) scans ran in 3 s"
iptables-nft -w -F OUTPUT
nf_unload
say OK
