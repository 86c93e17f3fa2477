#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# CPU hotplug under traffic.  Received packets are steered to cpu1 (RPS on
# the veth; on PREEMPT_RT before 6.10, where RPS makes the kernel warn,
# the sender is pinned to cpu1 instead, and veth queues what it sends to
# the sending CPU's backlog), metered in raw PREROUTING there, and age out
# every second, so cpu1's scan work runs all the time; meanwhile cpu1 goes
# offline and back NF_CYCLES times.  Between the workqueue's teardown of a
# CPU and the CPU's own, its queued scan work may run on another CPU while
# the dying CPU still meters packets in softirq: two CPUs would edit one
# table.  The scan must notice and leave the table alone; the tick ages an
# offline CPU's table.  Asserts:
#  - every cycle's offline and online took;
#  - nothing lost, nothing twice: nf-collect's records add up to exactly
#    the truth of every flow sent, no packet dropped or cut short;
#  (the boot's dmesg check: no BUG, WARNING, list corruption, KASAN...;
#   this test is meant for the debug kernel of make check-full, where
#   KASAN and DEBUG_LIST catch what the stock kernels would not.)
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare taskset pgrep
nf_workdir
ipt=iptables-legacy
CPU1=/sys/devices/system/cpu/cpu1/online
NF_CYCLES=${NF_CYCLES:-20}
ROUNDS=${NF_ROUNDS:-12}

[ -w $CPU1 ] || fail "no cpu1 that can go offline (the VM has 2 CPUs)"
cpu1_back() { echo 1 >$CPU1 2>/dev/null; return 0; }
NF_ON_EXIT=cpu1_back

nf_net_up
# received on nfv0: processed on cpu1 while it is online
PIN=
if nf_rps_ok; then
	echo 2 >/sys/class/net/nfv0/queues/rx-0/rps_cpus ||
		fail "cannot steer nfv0's packets to cpu1 (RPS)"
else
	PIN=1
	say "no RPS on $(uname -r): the sender runs on cpu1"
fi
# the sender and the nf-send it runs go back to cpu1 once it is online
# again (going offline broke their affinity); a process that has just
# ended is no error
repin() {
	[ -n "$PIN" ] || return 0
	for p in "$@" $(pgrep -x nf-send); do
		taskset -p 2 "$p" >/dev/null 2>&1
	done
	return 0
}
nf_load destination=127.0.0.1:2056 inactive_timeout=1 active_timeout=60
nf_collect_start "$W/collect.txt" 127.0.0.1:2056 --first-seq 0
nf_bg "$NF_BIN/nf-sink" udp $NF_A4:5000 >"$W/sink.txt"
nf_wait_udp 5000
$ipt -w -t raw -I PREROUTING -i nfv0 -j NETFLOW ||
	fail "$ipt -t raw -I PREROUTING failed"

# traffic from the netns, ROUNDS rounds of 100 flows x 3 packets
sender() {
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		ip netns exec $NF_NS "$NF_BIN/nf-send" --interval-ms 1 \
			udp $NF_A4:5000 count=3 size=20 \
			ports=$((20000 + r * 100))-$((20000 + r * 100 + 99)) \
			>>"$W/truth.txt" || return 1
		r=$((r + 1))
	done
}
sender &
spid=$!
repin $spid

c=0
while [ $c -lt "$NF_CYCLES" ]; do
	echo 0 >$CPU1 || fail "cycle $c: cpu1 offline refused"
	[ "$(cat $CPU1)" = 0 ] || fail "cycle $c: cpu1 still online"
	echo 1 >$CPU1 || fail "cycle $c: cpu1 online refused"
	[ "$(cat $CPU1)" = 1 ] || fail "cycle $c: cpu1 still offline"
	repin $spid
	c=$((c + 1))
done
sayt "$NF_CYCLES offline/online cycles of cpu1"
wait $spid || fail "the sender failed"
sayt "sent $(nf_sum "$W/truth.txt" packets) packets in" \
	"$(wc -l <"$W/truth.txt") flows"

nf_flush
$ipt -w -t raw -D PREROUTING -i nfv0 -j NETFLOW
want=$(nf_sum "$W/truth.txt" packets)
nf_wait_collected "$W/collect.txt" " dport=5000 " "$want" 10 || {
	# (seen once in CI on 6.1, not reproduced: the module's view and
	# what every CPU and blocked task is doing, for the log)
	cat $NF_STAT /proc/net/stat/ipt_netflow_snmp >&2
	echo l >/proc/sysrq-trigger 2>/dev/null
	echo w >/proc/sysrq-trigger 2>/dev/null
	dmesg | tail -n 200 >&2
	fail "$(nf_collected "$W/collect.txt" " dport=5000 ") packets" \
		"exported, $want sent"
}
for k in dropPackets cache_trunc; do
	[ "$(nf_snmp $k)" = 0 ] || fail "$k is $(nf_snmp $k), want 0"
done
nf_collect_stop "$W/collect.txt"
nf_compare nf-collect "$W/truth.txt" "$W/collect.txt"
sayt "OK"
