#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The module and extensions as a package or make dkms-install put them on
# the host, seen from a booted kernel (tests/pkg/pkg-test.sh boots it with
# scripts/vm-run --host-modules; not in TESTS: the host must install first).
#
#   NF_PKG_VERSION   the version the install must have (NETFLOW_VERSION)
#   NF_PKG_MANDIR    where the man pages must be (/usr/share/man, ...)
#
# Asserts: `modprobe ipt_NETFLOW` (no path) loads the DKMS build from
# /lib/modules/<kver>/updates/dkms, of that version; iptables and
# ip6tables find the installed extensions (no XTABLES_LIBDIR, the system
# directory only) and take -j NETFLOW rules; `man -w` finds ipt_NETFLOW(8)
# and iptables-netflow(8) in NF_PKG_MANDIR; pings through the rules reach
# nfcapd as IPv4 and IPv6 IPFIX flows that nfdump reads back.
. "$(dirname "$0")/lib.sh"
# the installed extensions, not the checkout's build
unset XTABLES_LIBDIR

: "${NF_PKG_VERSION:?NF_PKG_VERSION unset}" "${NF_PKG_MANDIR:?NF_PKG_MANDIR unset}"
kver=$(uname -r)
nf_workdir

# --- the module: found by name, the DKMS build, the right version -------
path=$(modinfo -n ipt_NETFLOW 2>&1) || fail "modinfo ipt_NETFLOW: $path"
case $path in
"/lib/modules/$kver/updates/dkms/ipt_NETFLOW.ko"*) ;;
*) fail "modinfo -n ipt_NETFLOW is $path, not the DKMS build in" \
	"/lib/modules/$kver/updates/dkms" ;;
esac
v=$(modinfo -F version ipt_NETFLOW)
[ "$v" = "$NF_PKG_VERSION" ] || fail "modinfo version '$v', want '$NF_PKG_VERSION'"
say "modinfo: $path, version $v"

nf_loaded && fail "ipt_NETFLOW loaded before the test"
modprobe ipt_NETFLOW destination=127.0.0.1:2055 protocol=10 ||
	fail "modprobe ipt_NETFLOW failed"
nf_loaded || fail "modprobe ipt_NETFLOW loaded nothing"
[ "$(cat /sys/module/ipt_NETFLOW/version)" = "$NF_PKG_VERSION" ] ||
	fail "loaded module is version $(cat /sys/module/ipt_NETFLOW/version)"
[ "$(cat /sys/module/ipt_NETFLOW/srcversion)" = "$(modinfo -F srcversion ipt_NETFLOW)" ] ||
	fail "the loaded module is not the one modinfo names"
head -n 1 "$NF_STAT" | grep -q "^ipt_NETFLOW version $NF_PKG_VERSION," ||
	fail "/proc: $(head -n 1 "$NF_STAT")"
say "modprobe ipt_NETFLOW: loaded $(head -n 1 "$NF_STAT")"

# --- the extensions ----------------------------------------------------------
xt=$(pkg-config --variable=xtlibdir xtables 2>/dev/null)
: "${xt:=/usr/lib/x86_64-linux-gnu/xtables}"
for f in libipt_NETFLOW.so libip6t_NETFLOW.so; do
	[ -f "$xt/$f" ] || fail "$xt/$f not installed"
done
iptables -j NETFLOW -h 2>&1 | grep -q "NETFLOW target takes no options" ||
	fail "iptables does not know -j NETFLOW: $(iptables -j NETFLOW -h 2>&1 | tail -n 2)"
for ipt in iptables ip6tables; do
	$ipt -w -I OUTPUT -j NETFLOW || fail "$ipt -I OUTPUT -j NETFLOW"
	$ipt -w -I INPUT -j NETFLOW || fail "$ipt -I INPUT -j NETFLOW"
	$ipt -w -S OUTPUT | grep -q -- '-j NETFLOW' || fail "$ipt -S shows no rule"
done
say "iptables/ip6tables -j NETFLOW: the extensions in $xt"

# --- the man pages -----------------------------------------------------------
want=$(readlink -f "$NF_PKG_MANDIR")
for p in ipt_NETFLOW iptables-netflow; do
	m=$(man -w "$p" 2>&1) || fail "man -w $p: $m"
	# /usr/local/man is a link to /usr/local/share/man
	case $(readlink -f "$m") in
	"$want/man8/$p.8"*) ;;
	*) fail "man -w $p is $m, not in $NF_PKG_MANDIR/man8" ;;
	esac
	say "man -w $p: $m"
done
man ipt_NETFLOW 2>/dev/null | grep -q "PARAMETERS AND SYSCTLS" ||
	fail "man ipt_NETFLOW does not show the page"

# --- traffic to nfdump ---------------------------------------------------------
nf_nfcapd_start "$W/nfcapd" 2055
nf_net_up
nf_ping_exact 3 "$NF_B4"
nf_ping -6 -c 3 -i 0.2 -W 5 -q "$NF_B6" >/dev/null || fail "ping -6 $NF_B6"
nf_flush
nf_wait_snmp outFlows -ge 4 30 || fail "the module exported $(nf_snmp outFlows) flows"
# nfcapd has read every PDU once its socket's receive queue is empty
i=0
while awk '$2 ~ /:07F7$/ { split($5, q, ":"); if (q[2] != "00000000") busy = 1 }
	END { exit !busy }' /proc/net/udp; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "nfcapd does not read its socket"
	sleep 0.1
done
nf_nfcapd_stop
nfdump -r "$NF_NFCAPD_FILE" -q -o csv >"$W/nfdump.csv" 2>"$W/nfdump.err" ||
	fail "nfdump -r failed: $(cat "$W/nfdump.err")"
n4=$(awk -F, -v a="$NF_B4" '($4 == a || $5 == a) && $8 == "ICMP"' "$W/nfdump.csv" | wc -l)
n6=$(awk -F, -v a="$NF_B6" '($4 == a || $5 == a) && $8 == "ICMP6"' "$W/nfdump.csv" | wc -l)
[ "$n4" -ge 2 ] && [ "$n6" -ge 2 ] || {
	cat "$W/nfdump.csv" >&2
	fail "nfdump: $n4 ICMP flows of $NF_B4 and $n6 ICMP6 flows of $NF_B6, want 2 each (echo, reply)"
}
say "nfdump: $n4 ICMP flows of $NF_B4 and $n6 ICMP6 flows of $NF_B6"

nf_flush_all
nf_net_down
rmmod ipt_NETFLOW || fail "rmmod ipt_NETFLOW"
say "PASS"
