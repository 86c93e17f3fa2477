#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Show ipt_NETFLOW at work (`make demo` runs this after building):
#
#   scripts/demo.sh [--kernel 6.1|6.12]
#
# Boots the bench VM (scripts/vm-run) on the 6.1 kernel and, inside it:
# loads build/<kver>/ipt_NETFLOW.ko with destination=127.0.0.1:2055, starts
# nfcapd (nfdump's collector) on 127.0.0.1:2055, meters INPUT and OUTPUT
# with -j NETFLOW, pings over a veth into a network namespace and on lo,
# prints the module's statistics, flushes the flow cache and shows what
# the collector received (nfdump).  All traffic stays inside the VM.
#
# Environment: NF_DEMO_PROTOCOL (5, 9 or 10; default 5), NF_BUILD (see
# tests/vm/lib.sh).  The guest part is "demo.sh --guest".
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != --guest ]; then
	kernel=6.1
	case ${1:-} in
	--kernel) kernel=${2:?--kernel needs 6.1 or 6.12} ;;
	'') ;;
	*) sed -n '3,15s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
	kver=$(sh "$repo/scripts/fetch-kernels.sh" --kver "$kernel") || exit 1
	ko=${NF_BUILD:-$repo/build}/$kver/ipt_NETFLOW.ko
	[ -f "$ko" ] || {
		echo "demo: $ko missing: run 'make modules-all plugins'" >&2
		exit 1
	}
	out=$repo/build/demo/$kernel
	mkdir -p "$out"
	cmd="NF_DEMO_PROTOCOL=${NF_DEMO_PROTOCOL:-5}"
	[ -z "${NF_BUILD:-}" ] || cmd="$cmd NF_BUILD='$NF_BUILD'"
	exec "$repo/scripts/vm-run" --kernel "$kernel" --out "$out" \
		--timeout 600 -- "$cmd sh '$repo/scripts/demo.sh' --guest"
fi

# --- inside the VM --------------------------------------------------------
REPO=$repo
. "$repo/tests/vm/lib.sh"
# the demo goes on past what the module cannot do yet: no exit on failure
fail() { echo "demo: ERROR: $*" >&2; }
proto=${NF_DEMO_PROTOCOL:-5}
flowdir=/tmp/nfcapd
step() { printf '\n===== %s\n' "$*"; }
run() {
	if [ "$1" = nf_ping ]; then echo "# ping ${*#nf_ping }"; else echo "# $*"; fi
	"$@"
}

step "kernel $(uname -r): loading $NF_KO"
nf_load destination=127.0.0.1:2055 protocol="$proto"
nf_loaded || exit 1
modinfo -F version "$NF_KO" 2>/dev/null | sed 's/^/version: /'
dmesg | grep -i netflow | tail -n 5

step "collector: nfcapd on 127.0.0.1:2055, files in $flowdir"
mkdir -p "$flowdir"
nfcapd -b 127.0.0.1 -p 2055 -w "$flowdir" -t 60 >/tmp/nfcapd.log 2>&1 &
nfcapd_pid=$!
sleep 1
kill -0 $nfcapd_pid 2>/dev/null || { cat /tmp/nfcapd.log; fail "nfcapd died"; }

step "rules"
run iptables -I INPUT -j NETFLOW
run iptables -I OUTPUT -j NETFLOW
if [ "$proto" != 5 ]; then
	run ip6tables -I INPUT -j NETFLOW
	run ip6tables -I OUTPUT -j NETFLOW
fi

step "traffic: ping over veth into netns $NF_NS ($NF_B4, $NF_B6) and on lo"
nf_net_up
run nf_ping -c 5 -i 0.2 -q "$NF_B4"
run nf_ping -6 -c 5 -i 0.2 -q "$NF_B6"
run nf_ping -c 5 -i 0.2 -q 127.0.0.1

step "iptables counters"
run iptables -L INPUT -nvx
run iptables -L OUTPUT -nvx

step "module statistics"
run cat "$NF_STAT"

step "flush the flow cache"
if [ -e /proc/sys/net/netflow/flush ]; then
	run sysctl -w net.netflow.flush=1
else
	echo "(no net.netflow.flush yet: waiting for the inactive timeout)"
	t=$(cat /proc/sys/net/netflow/inactive_timeout 2>/dev/null || echo 15)
	sleep $((t + 2))
fi
sleep 3
run cat "$NF_STAT"

step "what the collector received"
kill -TERM $nfcapd_pid 2>/dev/null
wait $nfcapd_pid 2>/dev/null
cat /tmp/nfcapd.log
ls -l "$flowdir"
echo "# nfdump -R $flowdir -o long"
nfdump -R "$flowdir" -o long 2>&1 | head -n 60
n=$(nfdump -R "$flowdir" -q -o csv 2>/dev/null | grep -c '^[0-9]')
echo
if [ "${n:-0}" -gt 0 ]; then
	echo "demo: the collector received $n flows"
else
	echo "demo: the collector received no flows (yet)"
fi

step "clean up"
nf_kmsg_mark "demo: clean up"
iptables -F INPUT
iptables -F OUTPUT
ip6tables -F INPUT 2>/dev/null
ip6tables -F OUTPUT 2>/dev/null
nf_net_down
nf_unload
nf_dmesg_since "demo: clean up" | tail -n 5
exit 0
