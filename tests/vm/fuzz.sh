#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Malformed packets through the metered path (tests/tools/nf-fuzz).
#
# nf-fuzz generates seeded, reproducible IPv4 and IPv6 packets of ~50
# classes (bad IHL and lengths, L4 headers cut at every offset, IPv4 and
# TCP options of every shape, IPv6 extension header chains, every kind of
# fragment, mutations, valid packets mixed in); class k comes from its own
# source prefix (10.99.k.0/24, 2001:db8:f1f:k::/64).
#  1. prerouting: from netns nfns, as Ethernet frames written with
#     AF_PACKET on nfv1: the host's stack gets them as built, and
#     -t raw PREROUTING -i nfv0 -j NETFLOW meters what ip_rcv/ipv6_rcv let
#     through;
#  2. output: from the host, on raw IP sockets to the netns: OUTPUT -o nfv0
#     -j NETFLOW meters them (the kernel checks less there).
# In each chain a rule per class counts that class, and a rule without a
# target right before NETFLOW, with the same match, counts what reaches the
# module.  nf-fuzz --truth predicts both from a model of the kernel's checks
# and of the module's parser.  Asserts, per phase:
#  - per class, packets and bytes at the hook == the prediction;
#  - inPackets + dropPackets == what reached the NETFLOW rules, in packets
#    and in bytes (every packet is either accounted or dropped);
#  - cache_trunc == dropPackets == the truncated ones predicted (their bytes
#    == dropBytes), cache_frag == the fragments predicted, no maxflows or
#    allocation drops;
#  - prerouting: the kernel's own drops before the hook: InTruncatedPkts,
#    InCsumErrors, Ip6InTruncatedPkts == predicted, In(6)HdrErrors at least
#    that (later errors add to them);
# then: /proc readable, a normal UDP flow (v4 and v6) afterwards is exported
# exactly; nf-collect decoded all the fuzz flows without a format or
# sequence error, and per class and phase the exported flows hold exactly
# what the module should have accounted (hook - trunc packets and bytes);
# the module unloads, and the kernel log since the start has no
# WARNING/BUG/KASAN/UBSAN/Oops.
#
# Later IPv6 fragments whose fragment header names an extension header
# (DST, AH...; RFC 8200 allows it) are fragments: ipv6_find_hdr() says
# -ENOENT, the module finds the fragment header itself
# (nfl_ipv6_later_frag) and accounts them in cache_frag; the test says how
# many there were (f_ext).
#
#   NF_FUZZ_SEED (default 1), NF_FUZZ_COUNT (default 20000 per phase: ~40 s
#   under TCG; ctest-vm.sh passes these through, so NF_FUZZ_COUNT=200000
#   make check runs a longer one; beyond ~300000 raise the vm-timeout),
#   NF_FUZZ_BACKEND (nft or legacy, default nft)
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

SEED=${NF_FUZZ_SEED:-1}
COUNT=${NF_FUZZ_COUNT:-20000}
BE=${NF_FUZZ_BACKEND:-nft}
P=2058

nf_need_tools nf-fuzz nf-collect nf-send nf-compare
nf_workdir
nf_kmsg_mark "fuzz start"
ipt=$(nf_ipt "$BE" 4) ip6t=$(nf_ipt "$BE" 6)

# Conntrack's defrag (priority -400, before raw) would hold IPv4/IPv6
# fragments back from PREROUTING; it is on in this namespace while any nat
# chain or ct rule is, and iptables-nft leaves its base chains behind.
command -v nft >/dev/null && nft flush ruleset

nf_net_up
MAC0=$(cat /sys/class/net/nfv0/address) || fail "no nfv0 MAC"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P --rcvbuf 33554432
nf_load_v6 destination=127.0.0.1:$P
FAMS="4 6" CLASSES=
if [ "$NF_V6" = 0 ]; then
	FAMS=4 CLASSES="--class 4"
	say "IPv4 classes only"
fi

# the rules: per class a counter, then one counter for all, then NETFLOW
"$NF_BIN/nf-fuzz" --list-classes >"$W/classes.txt" || fail "nf-fuzz --list-classes"
for f in $FAMS; do
	awk -v f="$f" 'BEGIN { print "*raw" }
	$1 == "class" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["family"] == f) { pre = pre "-A PREROUTING -i nfv0 -s " v["src"] "\n"
			out = out "-A OUTPUT -o nfv0 -s " v["src"] "\n" }
	}
	END { printf "%s-A PREROUTING -i nfv0\n-A PREROUTING -i nfv0 -j NETFLOW\n", pre
		printf "%s-A OUTPUT -o nfv0\n-A OUTPUT -o nfv0 -j NETFLOW\nCOMMIT\n", out }' \
		"$W/classes.txt" >"$W/rules$f"
	if [ "$f" = 4 ]; then r=$ipt; else r=$ip6t; fi
	"$r-restore" -w -n <"$W/rules$f" || fail "$r-restore of $W/rules$f failed"
done
sayt "rules in raw PREROUTING/OUTPUT ($BE): $(grep -c '^-A' "$W/rules4") IPv4," \
	"$(grep -c '^-A' "$W/rules6" 2>/dev/null) IPv6"

# snapshot FILE: "rule CHAIN SRC PKTS BYTES" (SRC: a class prefix, all4
# or all6 for the counter before NETFLOW, netflow4 or netflow6), "snmp - KEY N 0" (module),
# "kern - KEY N 0" (the kernel's drops before the hook)
snapshot() {
	{
		for f in $FAMS; do
			if [ "$f" = 4 ]; then "$ipt-save" -c -t raw; else "$ip6t-save" -c -t raw; fi |
				awk -v f="$f" '/^\[/ && / nfv0/ {
				split(substr($1, 2, length($1) - 2), c, ":")
				src = "all" f
				for (i = 3; i < NF; i++) {
					if ($i == "-s") src = $(i + 1)
					if ($i == "-j" && $(i + 1) == "NETFLOW") src = "netflow" f
				}
				print "rule", $3, src, c[1], c[2]
			}'
		done
		awk '$1 ~ /^(inPackets|inBytes|dropPackets|dropBytes|cache_trunc|cache_frag|cache_maxflows|cache_alloc)$/ {
			print "snmp - " $1, $2, 0 }' /proc/net/stat/ipt_netflow_snmp
		awk '$1 == "IpExt:" || $1 == "Ip:" {
			if (!(($1) in h)) { for (i = 2; i <= NF; i++) k[$1, i] = $i; h[$1] = 1; next }
			for (i = 2; i <= NF; i++)
				if (k[$1, i] ~ /^(InHdrErrors|InTruncatedPkts|InCsumErrors)$/)
					print "kern -", k[$1, i], $i, 0 }' /proc/net/snmp /proc/net/netstat
		awk '$1 ~ /^Ip6In(HdrErrors|TruncatedPkts)$/ { print "kern -", $1, $2, 0 }' /proc/net/snmp6
	} >"$1"
}

# settle FILE: a snapshot once the counters stand still (softirq may still
# be working through the backlog when the sender returns)
settle() {
	snapshot "$1.prev"
	i=0
	while :; do
		sleep 0.5
		snapshot "$1"
		cmp -s "$1" "$1.prev" && return 0
		i=$((i + 1))
		[ $i -lt 60 ] || fail "counters still moving 30 s after the last packet"
		mv "$1" "$1.prev"
	done
}

# delta BEFORE AFTER: the second's numbers minus the first's
delta() {
	awk 'NR == FNR { p[$1 " " $2 " " $3] = $4; b[$1 " " $2 " " $3] = $5; next }
		{ k = $1 " " $2 " " $3; print k, $4 - p[k], $5 - b[k] }' "$1" "$2"
}

# check PHASE CHAIN TRUTH DELTA: the assertions above; the table and any
# "FAIL ..." lines in $W/PHASE.check
check() {
	awk -v phase="$1" -v chain="$2" '
	FILENAME == ARGV[1] {
		if ($1 != "truth")
			next
		c = ""
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "class") { c = kv[2]; if (c !~ /^total/) order[++n] = c }
			else t[c, kv[1]] = kv[2]
		}
		next
	}
	$1 == "rule" { r[$2, $3] = $4; rb[$2, $3] = $5
		if ($3 ~ /^all/) { all += $4; allb += $5 }
		if ($3 ~ /^netflow/) { nf += $4; nfb += $5 }
		next }
	{ v[$3] = $4 }
	function bad(msg) { print "FAIL " msg; fails++ }
	END {
		printf "%-18s %6s %6s %6s %8s %6s %6s %5s  %s\n", "class", "sent", "hook", "rule",
			"bytes", "trunc", "frag", "f_ext", "kernel drops (hdr csum short) / rejected"
		for (i = 1; i <= n; i++) {
			c = order[i]; s = t[c, "src"]; got = r[chain, s] + 0; gotb = rb[chain, s] + 0
			printf "%-18s %6d %6d %6d %8d %6d %6d %5d  %d %d %d / %d\n", c, t[c, "sent"],
				t[c, "hook"], got, gotb, t[c, "trunc"], t[c, "frag"], t[c, "frag_ext"],
				t[c, "drop_hdr"], t[c, "drop_csum"], t[c, "drop_short"], t[c, "rejected"]
			if (got != t[c, "hook"] || gotb != t[c, "bytes"])
				bad(sprintf("%s: %s %s counted %d packets, %d bytes; the model says %d, %d",
					c, chain, s, got, gotb, t[c, "hook"], t[c, "bytes"]))
		}
		T = "total"
		wtrunc = t[T, "trunc"]; wfrag = t[T, "frag"]; wtb = t[T, "trunc_bytes"]
		printf "%s: sent %d, predicted at the hook %d (%d bytes), truncated %d, fragments %d (of which later IPv6 fragments with an extension header next: %d)\n",
			phase, t[T, "sent"], t[T, "hook"], t[T, "bytes"], t[T, "trunc"], t[T, "frag"], t[T, "frag_ext"]
		printf "%s: rules before NETFLOW (all chains) %d packets %d bytes; NETFLOW rules %d packets %d bytes\n",
			phase, all, allb, nf, nfb
		printf "%s: module inPackets %d + dropPackets %d = %d; inBytes %d + dropBytes %d = %d; cache_trunc %d cache_frag %d maxflows %d alloc %d\n",
			phase, v["inPackets"], v["dropPackets"], v["inPackets"] + v["dropPackets"],
			v["inBytes"], v["dropBytes"], v["inBytes"] + v["dropBytes"], v["cache_trunc"],
			v["cache_frag"], v["cache_maxflows"], v["cache_alloc"]
		if (all != nf || allb != nfb)
			bad(sprintf("the counting rules saw %d packets, the NETFLOW rules %d", all, nf))
		if (v["inPackets"] + v["dropPackets"] != all)
			bad(sprintf("inPackets + dropPackets = %d, but %d packets reached the NETFLOW rules",
				v["inPackets"] + v["dropPackets"], all))
		if (v["inBytes"] + v["dropBytes"] != allb)
			bad(sprintf("inBytes + dropBytes = %d, but %d bytes reached the NETFLOW rules",
				v["inBytes"] + v["dropBytes"], allb))
		if (v["cache_trunc"] != wtrunc)
			bad(sprintf("cache_trunc %d, the model says %d", v["cache_trunc"], wtrunc))
		if (v["dropPackets"] != v["cache_trunc"] || v["dropBytes"] != wtb)
			bad(sprintf("dropPackets %d, dropBytes %d: want the truncated ones only, %d packets, %d bytes",
				v["dropPackets"], v["dropBytes"], wtrunc, wtb))
		if (v["cache_frag"] != wfrag)
			bad(sprintf("cache_frag %d, the model says %d", v["cache_frag"], wfrag))
		if (v["cache_maxflows"] || v["cache_alloc"])
			bad(sprintf("cache_maxflows %d, cache_alloc %d: flows refused", v["cache_maxflows"], v["cache_alloc"]))
		if (phase == "prerouting") {
			printf "%s: kernel InHdrErrors %d (model >= %d), InCsumErrors %d (%d), InTruncatedPkts %d (%d), Ip6InHdrErrors %d (>= %d), Ip6InTruncatedPkts %d (%d)\n",
				phase, v["InHdrErrors"], t["total4", "drop_hdr"], v["InCsumErrors"],
				t["total4", "drop_csum"], v["InTruncatedPkts"], t["total4", "drop_short"],
				v["Ip6InHdrErrors"], t["total6", "drop_hdr"], v["Ip6InTruncatedPkts"],
				t["total6", "drop_short"]
			if (v["InCsumErrors"] != t["total4", "drop_csum"] + 0 ||
			    v["InTruncatedPkts"] != t["total4", "drop_short"] + 0 ||
			    v["Ip6InTruncatedPkts"] != t["total6", "drop_short"] + 0 ||
			    v["InHdrErrors"] < t["total4", "drop_hdr"] + 0 ||
			    v["Ip6InHdrErrors"] < t["total6", "drop_hdr"] + 0)
				bad("the kernel dropped other packets before the hook than the model says (see the line above)")
		}
	}' "$3" "$4" >"$W/$1.check"
	cat "$W/$1.check"
	! grep -q '^FAIL' "$W/$1.check" ||
		fail "$1: $(grep -c '^FAIL' "$W/$1.check") check(s) failed (seed $SEED count $COUNT): $(grep '^FAIL' "$W/$1.check" | head -n 5 | tr '\n' ';')"
}

# phase NAME CHAIN NF-FUZZ-ARGS...: send, wait, check
phase() {
	n=$1 ch=$2
	shift 2
	snapshot "$W/$n.0"
	sayt "$n: nf-fuzz --seed $SEED --count $COUNT $*"
	# shellcheck disable=SC2086 # CLASSES: none or two words
	"$@" --seed "$SEED" --count "$COUNT" --truth $CLASSES >"$W/$n.truth" 2>"$W/$n.err" ||
		fail "$n: nf-fuzz failed: $(tail -n 5 "$W/$n.err")"
	sayt "$n: sent ($(grep '^total' "$W/$n.truth"))"
	settle "$W/$n.1"
	delta "$W/$n.0" "$W/$n.1" >"$W/$n.delta"
	check "$n" "$ch" "$W/$n.truth" "$W/$n.delta"
	sayt "$n: OK"
}

phase prerouting PREROUTING ip netns exec "$NF_NS" "$NF_BIN/nf-fuzz" -m packet -I nfv1 \
	--dst-mac "$MAC0" --dst4 "$NF_A4" --dst6 "$NF_A6"
phase output OUTPUT "$NF_BIN/nf-fuzz" -m raw -I nfv0 --dst4 "$NF_B4" --dst6 "$NF_B6"

# still alive: /proc, and a normal flow afterwards is exported exactly
cat /proc/net/stat/ipt_netflow >"$W/stat.txt" || fail "/proc/net/stat/ipt_netflow unreadable"
cat /proc/net/stat/ipt_netflow_snmp >"$W/snmp.txt" || fail "ipt_netflow_snmp unreadable"
normal="udp $NF_A4:5000 count=5 size=100 sport=45000"
[ "$NF_V6" = 0 ] || normal="$normal udp6 [$NF_A6]:5000 count=3 size=60 sport=45001"
# shellcheck disable=SC2086 # the specs are words
ip netns exec "$NF_NS" "$NF_BIN/nf-send" $normal >"$W/normal.truth" ||
	fail "nf-send of the normal flows failed"
nf_flush
for src in $NF_B4 $NF_B6; do
	m=" src=$src sport=4500"
	want=$(nf_collected "$W/normal.truth" "$m")
	nf_wait_collected "$W/collect.txt" "$m" "$want" 20 ||
		fail "nf-collect got $(nf_collected "$W/collect.txt" "$m") of $want packets from $src"
done
# the fuzz flows went with the same flush
for f in $FAMS; do
	if [ "$f" = 4 ]; then m=" src=10.99."; else m=" src=2001:db8:f1f:"; fi
	want=$(awk -v c="total$f" '$1 == "truth" && $2 == "class=" c {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); t[kv[1]] = kv[2] }
		n += t["accounted"] } END { print n + 0 }' \
		"$W/prerouting.truth" "$W/output.truth")
	nf_wait_collected "$W/collect.txt" "$m" "$want" 30 ||
		say "nf-collect got $(nf_collected "$W/collect.txt" "$m") of $want IPv$f fuzz packets (see below)"
done
nf_flush_all
nf_wait_refcnt 0 || fail "refcnt $(nf_refcnt) after the rules are gone"
nf_collect_stop "$W/collect.txt"
nf_compare normal4 --only-src "$NF_B4" --only-proto 17 "$W/normal.truth" "$W/collect.txt"
[ "$NF_V6" = 0 ] ||
	nf_compare normal6 --only-src "$NF_B6" --only-proto 17 "$W/normal.truth" "$W/collect.txt"
sayt "nf-collect: $(tail -n 1 "$W/collect.txt")"
nf_unload

# exported PHASE TRUTH DST4 DST6: per class, the flows from the class's
# sources to the phase's destinations hold what the module accounted:
# hook - trunc packets, bytes - trunc_bytes bytes (the module's own per
# class numbers, through the export)
exported() {
	awk -v phase="$1" -v d4="$3" -v d6="$4" '
	function kv(s, k) { return index(s, k "=") == 1 ? substr(s, length(k) + 2) : "" }
	FILENAME == ARGV[1] {
		if ($1 != "truth" || $2 ~ /^class=total/)
			next
		c = kv($2, "class"); order[++n] = c
		for (i = 3; i <= NF; i++) { split($i, a, "="); t[c, a[1]] = a[2] }
		p = t[c, "src"]; sub(/\/[0-9]+$/, "", p); if (p ~ /\.0$/) sub(/0$/, "", p)
		pfx[c] = p
		next
	}
	$1 == "flow" {
		src = dst = ""; pk = by = 0
		for (i = 2; i <= NF; i++) {
			if (kv($i, "src") != "") src = kv($i, "src")
			if (kv($i, "dst") != "") dst = kv($i, "dst")
			if (kv($i, "packets") != "") pk = kv($i, "packets")
			if (kv($i, "bytes") != "") by = kv($i, "bytes")
		}
		if (dst != d4 && dst != d6)
			next
		for (i = 1; i <= n; i++)
			if (index(src, pfx[order[i]]) == 1) { ep[order[i]] += pk; eb[order[i]] += by; break }
	}
	END {
		printf "%s: per class, accounted (hook - trunc) and exported packets, bytes\n", phase
		for (i = 1; i <= n; i++) {
			c = order[i]
			w = t[c, "accounted"]
			wb = t[c, "bytes"] - t[c, "trunc_bytes"]
			printf "  %-18s %6d %6d %8d %8d\n", c, w, ep[c], wb, eb[c]
			if (w != ep[c] + 0 || wb != eb[c] + 0)
				printf "FAIL %s %s: the module exported %d packets, %d bytes of the class; want %d, %d\n",
					phase, c, ep[c], eb[c], w, wb
			tp += ep[c]; tb += eb[c]
		}
		printf "%s: exported per class: %d packets, %d bytes in all (table in %s.exported)\n",
			phase, tp, tb, phase
	}' "$2" "$W/collect.txt" >"$W/$1.exported"
	tail -n 1 "$W/$1.exported"
	! grep -q '^FAIL' "$W/$1.exported" ||
		fail "$(grep -c '^FAIL' "$W/$1.exported") class(es) exported other counts than the module accounted: $(grep '^FAIL' "$W/$1.exported" | head -n 3 | tr '\n' ';')"
}
exported prerouting "$W/prerouting.truth" "$NF_A4" "$NF_A6"
exported output "$W/output.truth" "$NF_B4" "$NF_B6"

dmesg_bad=$(nf_dmesg_since "fuzz start" |
	grep -E 'WARNING|BUG|KASAN|UBSAN|Oops|general protection|Call Trace|refcount_t')
[ -z "$dmesg_bad" ] || {
	nf_dmesg_since "fuzz start" | tail -n 60 >&2
	fail "kernel log since the start: $(echo "$dmesg_bad" | head -n 3)"
}
sayt "OK (seed $SEED, $COUNT packets per phase)"
