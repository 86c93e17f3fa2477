#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The module loads and unloads cleanly, 20 times in a row, registering the
# NETFLOW target for IPv4 and IPv6 and its statistics file each time and
# leaving nothing behind.  (Few commands per round: exec is slow in TCG.)
. "$(dirname "$0")/lib.sh"

# targets FAMILY: is NETFLOW in /proc/net/ip{,6}_tables_targets?
targets() {
	while read -r t; do
		[ "$t" != NETFLOW ] || return 0
	done <"/proc/net/ip${1}_tables_targets"
	return 1
}

for i in $(seq 1 20); do
	nf_load
	targets "" || fail "round $i: no NETFLOW in /proc/net/ip_tables_targets"
	targets 6 || fail "round $i: no NETFLOW in /proc/net/ip6_tables_targets"
	[ -r "$NF_STAT" ] || fail "round $i: $NF_STAT missing"
	cat "$NF_STAT" >/dev/null || fail "round $i: cannot read $NF_STAT"
	[ "$(nf_refcnt)" = 0 ] || fail "round $i: refcnt $(nf_refcnt), not 0"
	nf_unload
	! targets "" || fail "round $i: NETFLOW still registered after rmmod"
	! targets 6 || fail "round $i: NETFLOW (IPv6) still registered after rmmod"
	[ ! -e "$NF_STAT" ] || fail "round $i: $NF_STAT left after rmmod"
done
say "20 load/unload rounds OK"
