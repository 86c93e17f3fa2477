#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A protocol change holds the settings lock while every flow in memory is
# flushed and exported in the old protocol, seconds with many flows:
# reading a setting must not wait for it (sysctl -a, monitoring).  60 000
# flows in memory, export to 16 collectors (15 refusing, which makes the
# export slow), protocol 5 -> 9 in the background; meanwhile
# net.netflow.protocol and the destination are read.  Asserts: the reads
# returned while the change was still running, with the values in force;
# every flow was then exported.  (A flush alone holds the lock only while
# it moves the flows to the exporter, too short to tell a wait from none.)
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect
nf_workdir
ipt=iptables-legacy
SYSCTL=/proc/sys/net/netflow
N=60000

dests=$(nf_refusing_dests 127.0.0.1:2056 15)
nf_net_up
nf_load destination=$dests inactive_timeout=600 active_timeout=600
nf_collect_start "$W/collect.txt" 127.0.0.1:2056
nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:5000 >/dev/null
nf_wait_udp 5000 $NF_NS
$ipt -w -I OUTPUT -o nfv0 -j NETFLOW || fail "$ipt -I OUTPUT failed"
"$NF_BIN/nf-send" udp $NF_B4:5000 count=1 size=0 ports=1-$N \
	>"$W/truth.txt" || fail "nf-send failed"
$ipt -w -D OUTPUT -o nfv0 -j NETFLOW
[ "$(nf_snmp hashFlows)" = $N ] || fail "$(nf_snmp hashFlows) flows, want $N"

echo 9 >$SYSCTL/protocol &
fpid=$!
# the change has the lock once the cache has begun to empty
while [ "$(nf_snmp hashFlows)" = $N ] && kill -0 $fpid 2>/dev/null; do
	:
done
proto=$(cat $SYSCTL/protocol)
dest=$(cat $SYSCTL/destination)
kill -0 $fpid 2>/dev/null ||
	fail "the protocol change ended before the reads returned:" \
		"they waited for it (or it was too quick to tell)"
wait $fpid || fail "protocol change failed"
[ "$proto" = 5 ] || fail "protocol read '$proto' during the change"
[ "$dest" = "$dests" ] || fail "destination read '$dest' during the change"
[ "$(cat $SYSCTL/protocol)" = 9 ] || fail "protocol is not 9 after the change"
sayt "settings read while the protocol change ran"
nf_wait_collected "$W/collect.txt" " dport=5000 " $N 60 ||
	fail "$(nf_collected "$W/collect.txt" " dport=5000 ") of $N packets exported"
nf_collect_stop "$W/collect.txt"
sayt "OK"
