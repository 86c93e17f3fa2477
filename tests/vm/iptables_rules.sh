#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# -j NETFLOW rules go into every hook of the filter, mangle and raw tables,
# with iptables-nft and iptables-legacy, IPv4 and IPv6; they list (-S and
# -L), hold a module reference each, and once deleted the module unloads.
# (Few commands: every exec is slow under TCG.)
. "$(dirname "$0")/lib.sh"

# table:chain for every hook each table has
HOOKS="filter:INPUT filter:FORWARD filter:OUTPUT
	mangle:PREROUTING mangle:INPUT mangle:FORWARD mangle:OUTPUT
	mangle:POSTROUTING raw:PREROUTING raw:OUTPUT"

# ip6tables rules are refused under protocol 5 (SPEC): IPFIX or v9
nf_load_v6

for be in $NF_BACKENDS; do
	for f in 4 6; do
		ipt=$(nf_ipt "$be" "$f")
		command -v "$ipt" >/dev/null || fail "$ipt not installed"
		$ipt -j NETFLOW -h 2>&1 | grep -q 'NETFLOW target' ||
			fail "$ipt -j NETFLOW -h prints no help (extension not found?)"
		if [ $f = 6 ] && [ $NF_V6 = 0 ]; then
			nf_v6_refused "$ipt"
			say "$ipt: refused under protocol 5; SKIP the rest"
			continue
		fi
		n=0
		for h in $HOOKS; do
			t=${h%%:*} c=${h#*:}
			$ipt -w -t "$t" -I "$c" -j NETFLOW ||
				fail "$ipt -t $t -I $c -j NETFLOW failed"
			n=$((n + 1))
		done
		for t in filter mangle raw; do
			rules=$($ipt -w -t $t -S) || fail "$ipt -t $t -S failed"
			list=$($ipt -w -t $t -L -n) || fail "$ipt -t $t -L failed"
			for h in $HOOKS; do
				[ "${h%%:*}" = $t ] || continue
				c=${h#*:}
				got=$(echo "$rules" | grep -cx -- "-A $c -j NETFLOW")
				[ "$got" = 1 ] || {
					echo "$rules" >&2
					fail "$ipt -t $t -S: $got NETFLOW rules in $c, want 1"
				}
			done
			want=$(echo "$HOOKS" | grep -o "$t:" | wc -l)
			got=$(echo "$list" | grep -c '^NETFLOW ')
			[ "$got" = "$want" ] || {
				echo "$list" >&2
				fail "$ipt -t $t -L: $got NETFLOW rules, want $want"
			}
		done
		nf_wait_refcnt $n ||
			fail "$ipt: module refcnt $(nf_refcnt) with $n rules"
		say "$ipt: a rule in each of $n chains, refcnt $n"

		for h in $HOOKS; do
			t=${h%%:*} c=${h#*:}
			$ipt -w -t "$t" -D "$c" -j NETFLOW ||
				fail "$ipt -t $t -D $c -j NETFLOW failed"
		done
		[ "$(nf_count_rules "$ipt")" = 0 ] ||
			fail "$ipt: rules left after deleting them all"
		nf_wait_refcnt 0 ||
			fail "$ipt: module refcnt $(nf_refcnt) after deleting all rules"
	done
done
nf_unload
say "OK"
