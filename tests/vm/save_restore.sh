#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# iptables-save | iptables-restore keeps -j NETFLOW rules as they were,
# with both back ends and both families.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# normalised save: no comments, no counters
save() {
	$1-save | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]/[-]/'
}

nf_load_v6

for be in $NF_BACKENDS; do
	for f in 4 6; do
		ipt=$(nf_ipt "$be" "$f")
		if [ $f = 6 ] && [ $NF_V6 = 0 ]; then
			nf_v6_refused "$ipt"
			say "$ipt: refused under protocol 5; SKIP"
			continue
		fi
		$ipt -w -t filter -A INPUT -j NETFLOW &&
			$ipt -w -t filter -A FORWARD -p tcp -j NETFLOW &&
			$ipt -w -t filter -A OUTPUT -o lo -j NETFLOW &&
			$ipt -w -t mangle -A PREROUTING -j NETFLOW &&
			$ipt -w -t mangle -A POSTROUTING -p udp -j NETFLOW &&
			$ipt -w -t raw -A PREROUTING -j NETFLOW &&
			$ipt -w -t filter -N nfchain &&
			$ipt -w -t filter -A nfchain -j NETFLOW &&
			$ipt -w -t filter -A INPUT -j nfchain ||
			fail "$ipt: adding rules failed"
		# (nf_count_rules below lists the nat table too, which makes
		# iptables-legacy load it: have it there in both saves)
		nf_count_rules "$ipt" >/dev/null
		save "$ipt" >"$tmp/before" || fail "$ipt-save failed"
		n=$(grep -c -- ' -j NETFLOW$' "$tmp/before")
		[ "$n" = 7 ] || {
			cat "$tmp/before" >&2
			fail "$ipt-save: $n rules ending in '-j NETFLOW', want 7"
		}
		# empty the tables, so that restore must really restore
		for t in raw mangle filter; do
			$ipt -w -t $t -F && $ipt -w -t $t -X
		done
		[ "$(nf_count_rules "$ipt")" = 0 ] || fail "$ipt: flush failed"
		$ipt-restore <"$tmp/before" || {
			cat "$tmp/before" >&2
			fail "$ipt-restore rejected the saved rules"
		}
		save "$ipt" >"$tmp/after" || fail "$ipt-save failed"
		diff -u "$tmp/before" "$tmp/after" ||
			fail "$ipt: save | restore | save differs"
		nf_wait_refcnt 7 || fail "$ipt: refcnt $(nf_refcnt), want 7"
		say "$ipt: 7 NETFLOW rules round-tripped"
		for t in raw mangle filter; do
			$ipt -w -t $t -F && $ipt -w -t $t -X
		done
		nf_wait_refcnt 0 || fail "$ipt: refcnt $(nf_refcnt) after flush"
	done
done
nf_unload
say "OK"
