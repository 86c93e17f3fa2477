#!/bin/sh
# Guest-side smoke test of the VM bench:
#   scripts/vm-run --kernel 6.1 -- tests/vm/smoke.sh
set -eu

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
ok() { echo "smoke: ok: $*"; }

kver=$(uname -r)
echo "smoke: kernel $kver (VM_KVER=${VM_KVER:-unset})"
[ "${VM_KVER:-}" = "$kver" ] || fail "VM_KVER is not uname -r"
[ -f "/lib/modules/$kver/modules.dep" ] || fail "/lib/modules/$kver missing"
ok "/lib/modules/$kver"

for m in veth pktgen nf_conntrack x_tables ip_tables ip6_tables iptable_filter; do
	modprobe "$m" || fail "modprobe $m"
done
ok "modprobe veth pktgen nf_conntrack x_tables ip_tables ip6_tables iptable_filter"

iptables-legacy -w -A OUTPUT -o lo -j ACCEPT || fail "iptables-legacy"
iptables-legacy -w -D OUTPUT -o lo -j ACCEPT
ok "iptables-legacy"

ip netns add smoke || fail "ip netns add"
ip link add sm0 type veth peer name sm1 netns smoke || fail "veth"
ip addr add 10.211.0.1/24 dev sm0
ip link set sm0 up
ip -n smoke addr add 10.211.0.2/24 dev sm1
ip -n smoke link set sm1 up
ip -n smoke link set lo up
PING=ping
command -v ping >/dev/null || PING="busybox ping"
$PING -c 1 -W 5 10.211.0.2 >/dev/null || fail "ping across the veth pair"
ip netns del smoke
ok "netns + veth + ping"

echo tmp >/tmp/smoke.$$ || fail "/tmp not writable"
[ "$(cat /tmp/smoke.$$)" = tmp ] || fail "/tmp read back"
rm -f /tmp/smoke.$$
ok "/tmp writable"

[ -n "${VM_OUT:-}" ] || fail "VM_OUT unset"
echo "$kver" >"$VM_OUT/smoke.txt" || fail "cannot write into VM_OUT=$VM_OUT"
[ "$(cat "$VM_OUT/smoke.txt")" = "$kver" ] || fail "VM_OUT read back"
ok "VM_OUT=$VM_OUT writable"
echo "smoke: PASS"
