#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The nat table refuses -j NETFLOW, with both back ends and both families,
# and the kernel log says why.
. "$(dirname "$0")/lib.sh"

nf_load_v6

for be in $NF_BACKENDS; do
	for f in 4 6; do
		ipt=$(nf_ipt "$be" "$f")
		for c in POSTROUTING PREROUTING; do
			nf_kmsg_mark "nat $ipt $c"
			if $ipt -w -t nat -A $c -j NETFLOW 2>/dev/null; then
				fail "$ipt -t nat -A $c -j NETFLOW was accepted"
			fi
			log=$(nf_dmesg_since "nat $ipt $c")
			echo "$log" | grep -i netflow | grep -qi nat || {
				echo "kernel log after the attempt:" >&2
				echo "$log" >&2
				fail "$ipt -t nat $c: no kernel message about NETFLOW and nat"
			}
		done
		[ "$($ipt -w -t nat -S | grep -c NETFLOW)" = 0 ] ||
			fail "$ipt: a NETFLOW rule is in the nat table"
		say "$ipt: nat refused: $(echo "$log" | grep -i netflow | head -n1)"
	done
done
[ "$(nf_refcnt)" = 0 ] || fail "refcnt $(nf_refcnt) after refused rules"
nf_unload
say "OK"
