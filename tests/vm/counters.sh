#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# After N pings over a veth into a netns (IPv4, IPv6) and on lo, the
# iptables rule counters and the module's own packet counter agree, and
# equal what was sent; every ping is answered (the target drops nothing);
# the lookup stats add up (search >= found).
. "$(dirname "$0")/lib.sh"

N=10

# rule_pkts IPT CHAIN: packets counted by the chain's NETFLOW rules
rule_pkts() {
	$1 -w -L "$2" -nvx | awk '$3 == "NETFLOW" { s += $1 } END { print s + 0 }'
}

# check WHAT IPT EXPECT BEFORE: rule counters and module counter
check() {
	r=$(($(rule_pkts "$2" INPUT) + $(rule_pkts "$2" OUTPUT)))
	m=$(nf_stat_pkts) || exit 1
	m=$((m - $4))
	say "$1: sent $3, iptables rules $r, module $m"
	[ "$r" = "$3" ] || fail "$1: iptables rules counted $r packets, want $3"
	[ "$m" = "$3" ] || fail "$1: module counted $m packets, want $3"
}

# check_search: every lookup that found its flow examined at least that
# entry, so the Total line's "search" is at least its "found" (> 0 here)
check_search() {
	# shellcheck disable=SC2046 # two words
	set -- $(awk '/^Total/ { split($0, a, ";"); split(a[2], b, " ")
		print b[1], b[2]; exit }' "$NF_STAT")
	say "lookups: search ${1:-?}, found ${2:-?}"
	[ -n "${2:-}" ] && [ "$2" -gt 0 ] && [ "$1" -ge "$2" ] ||
		fail "search ${1:-?} < found ${2:-?} (or none found)"
}

nf_net_up
for be in $NF_BACKENDS; do
	nf_load_v6
	ipt=$(nf_ipt "$be" 4) ip6t=$(nf_ipt "$be" 6)

	# IPv4 over the veth: N requests out, N replies in
	$ipt -w -I OUTPUT -o nfv0 -p icmp --icmp-type echo-request -j NETFLOW &&
		$ipt -w -I INPUT -i nfv0 -p icmp --icmp-type echo-reply -j NETFLOW ||
		fail "$ipt: adding rules failed"
	m0=$(nf_stat_pkts) || exit 1
	nf_ping_exact $N $NF_B4
	check "$ipt veth" "$ipt" $((2 * N)) "$m0"
	$ipt -w -F INPUT && $ipt -w -F OUTPUT

	# IPv6 over the veth
	if [ $NF_V6 = 0 ]; then
		nf_v6_refused "$ip6t"
		say "$ip6t: refused under protocol 5; SKIP IPv6 counters"
	else
		$ip6t -w -I OUTPUT -o nfv0 -p ipv6-icmp --icmpv6-type echo-request -j NETFLOW &&
			$ip6t -w -I INPUT -i nfv0 -p ipv6-icmp --icmpv6-type echo-reply -j NETFLOW ||
			fail "$ip6t: adding rules failed"
		m0=$(nf_stat_pkts) || exit 1
		nf_ping_exact $N $NF_B6
		check "$ip6t veth" "$ip6t" $((2 * N)) "$m0"
		$ip6t -w -F INPUT && $ip6t -w -F OUTPUT
	fi

	# IPv4 on lo: each request and reply goes out and comes back in.
	# Echo only: flows that expire meanwhile go to a collector port
	# nobody listens on, and its port-unreachables cross lo too.
	for type in echo-request echo-reply; do
		$ipt -w -I OUTPUT -o lo -p icmp --icmp-type $type -j NETFLOW &&
			$ipt -w -I INPUT -i lo -p icmp --icmp-type $type -j NETFLOW ||
			fail "$ipt: adding rules failed"
	done
	m0=$(nf_stat_pkts) || exit 1
	nf_ping_exact $N 127.0.0.1
	check "$ipt lo" "$ipt" $((4 * N)) "$m0"
	$ipt -w -F INPUT && $ipt -w -F OUTPUT
	check_search

	nf_wait_refcnt 0 || fail "refcnt $(nf_refcnt) after flush"
	nf_unload
done
nf_net_down
say "OK"
