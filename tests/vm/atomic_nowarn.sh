#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Allocations that traffic drives fail quietly (issue 11 item 10): under
# memory pressure a router drops flows and NAT events by the thousand a
# second, and each failure must be counted, not logged.
#
# Every atomic allocation made from the module's text fails (failslab and
# fail_page_alloc, ignore-gfp-wait: GFP_KERNEL ones are left alone, the
# stack filter on the module's text) with the fault-injection report on
# (verbose=2): the kernel prints "FAULT_INJECTION: forcing a failure" for
# each failed allocation that lacks __GFP_NOWARN, and "page allocation
# failure" for a page allocation without it, each with a stack dump.
# The filter also fails other code's atomic allocations while the
# module's text is on the stack (a softirq run on top of it: an ICMP, a
# neighbour entry): only a report whose first caller past the allocator
# is the module's own code counts.  Traffic: new IPv4, IPv6 and TCP flows
# sent (process context) and received (softirq), flows that gain IPv4
# options (the move to a larger object), NAT events.  Asserts that no
# report names the module as the allocating caller, and that failures
# happened and were counted (flow allocations in cache_alloc, NAT events
# in natDropped), so that a run where nothing failed cannot pass.
# A kernel with CONFIG_FAULT_INJECTION only: tests/vm/TESTS.debug.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fi.sh"

nf_need_tools nf-send nf-sink conntrack
nf_workdir
NF_ON_EXIT=fi_off
fi_setup
fi_all verbose 2	# the report, and its stack dump
fi_all ignore-gfp-wait Y
nf_net_up
ip addr add 192.0.2.3/32 dev nfv0 || fail "ip addr add"
iptables-nft -w -t nat -A POSTROUTING -o nfv0 -p udp --dport 6000 \
	-j SNAT --to-source 192.0.2.3 || fail "SNAT rule"
# a collector that takes the PDUs: no ICMP error to build meanwhile
nf_bg "$NF_BIN/nf-sink" udp 127.0.0.1:2055 >/dev/null
nf_wait_udp 2055
nf_load protocol=10 destination=127.0.0.1:2055 natevents=1 \
	inactive_timeout=60 active_timeout=120
iptables-nft -w -I OUTPUT -o nfv0 -j NETFLOW &&
	iptables-nft -w -t raw -I PREROUTING -i nfv0 -j NETFLOW &&
	ip6tables-nft -w -I OUTPUT -o nfv0 -j NETFLOW ||
	fail "iptables -j NETFLOW failed"
fi_text_range
fi_range "$TEXT_START" "$TEXT_END"
sayt "module text $TEXT_START-$TEXT_END; atomic allocations from it fail"

B=$NF_B4 B6="[$NF_B6]"
fi_window
# a bound on the failures, whatever else runs meanwhile: each report
# with its stack takes ~3 KB of the kernel's 8 MB log, whose start must
# survive until it is read (few flows of each kind for the same reason)
fi_all times 2000
fi_all probability 100
"$NF_BIN/nf-send" \
	udp $B:5000 count=2 ports=40000-40019 \
	tcp $B:80 count=2 ports=41000-41009 syn fin \
	udp6 $B6:5000 count=2 ports=42000-42019 \
	udp $B:6000 count=1 ports=43000-43019 \
	>/dev/null || fail "nf-send failed"
ip netns exec $NF_NS "$NF_BIN/nf-send" udp $NF_A4:7000 count=2 ports=44000-44019 \
	>/dev/null || fail "nf-send in $NF_NS failed"
# flows that exist first, then gain IPv4 options: only the move fails
fi_all probability 0
"$NF_BIN/nf-send" udp $B:5001 count=1 ports=45000-45019 >/dev/null ||
	fail "nf-send failed"
fi_all probability 100
"$NF_BIN/nf-send" udp $B:5001 count=1 ports=45000-45019 ipopts=94040000 \
	>/dev/null || fail "nf-send with IPv4 options failed"
conntrack -F >/dev/null 2>&1 || fail "conntrack -F failed"
fi_off
sayt "traffic sent, fault injection off"

dmesg | grep -q "nf-test: fault injection on" ||
	fail "the kernel log lost the start of the window: reports not judged"
nf_dmesg_since "fault injection on" | sed '/nf-test: fault injection off/,$d' >"$W/dmesg.txt"
# each report: its first stack frame past the allocator and the fault
# injection itself; "M" if that is the module's, "-" otherwise
awk '/FAULT_INJECTION: forcing a failure|page allocation failure/ {
		if (on) print "-"; on = 1; tr = 0; next }
	on && /Call Trace:/ { tr = 1; next }
	on && tr && /^ *\[? *[0-9.]*\]? *[a-zA-Z_.0-9]+\+0x/ {
		f = $0; sub(/^ *\[ *[0-9.]+\] */, "", f); sub(/^ */, "", f)
		if (f ~ /^(\? |dump_stack|fail_dump|should_fail|__should_fail|should_failslab|warn_alloc|kasan|kmemleak|slab_|__slab|___slab|kmem_cache_alloc|kmalloc|__kmalloc|alloc_pages|__alloc_pages|alloc_slab|new_slab|allocate_slab|prepare_alloc|__alloc_frozen|_raw_spin)/)
			next
		print (index(f, "[ipt_NETFLOW]") ? "M " f : "- " f); on = 0 }
	END { if (on) print "-" }' "$W/dmesg.txt" >"$W/reports.txt"
reports=$(wc -l <"$W/reports.txt")
ours=$(grep -c '^M' "$W/reports.txt")
af=$(nf_snmp cache_alloc) nd=$(nf_snmp natDropped)
say "failed and counted: flow allocations $af, NAT events $nd;" \
	"allocation failure reports: $reports, of the module's own allocations: $ours"
[ "$ours" = 0 ] || {
	grep '^M' "$W/reports.txt" | sort | uniq -c >&2
	fail "$ours allocation failure reports of the module's own allocations (above): __GFP_NOWARN missing"
}
# 40 + 20 + 40 + 20 packets sent and 40 received, each failing to make a
# flow; 20 moves; 20 NAT connections, each a start and a stop
[ "$af" -ge 180 ] || fail "only $af flow allocations failed and were counted (want >= 180)"
[ "$nd" -ge 40 ] || fail "only $nd NAT events dropped and counted (want >= 40)"

iptables-nft -w -F OUTPUT
iptables-nft -w -t raw -F PREROUTING
ip6tables-nft -w -F OUTPUT
iptables-nft -w -t nat -F
nf_unload
say OK
