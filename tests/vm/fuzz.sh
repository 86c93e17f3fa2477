#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Malformed packets through the metered path (tests/tools/nf-fuzz).
#
# nf-fuzz generates seeded, reproducible IPv4 and IPv6 packets of ~50
# classes (bad IHL and lengths, L4 headers cut at every offset, IPv4 and
# TCP options of every shape, IPv6 extension header chains, every kind of
# fragment, mutations, valid packets mixed in) and 6 GSO classes (TCP and
# UDP GSO up to 16 kB as a VM's virtio NIC hands them over, and malformed
# packets of every class under GSO headers of any type, size and checksum
# offsets); class k comes from its own source prefix (10.99.k.0/24,
# 2001:db8:f1f:k::/64).
#  1. prerouting: from netns nfns, as Ethernet frames written with
#     AF_PACKET on nfv1: the host's stack gets them as built, and
#     -t raw PREROUTING -i nfv0 -j NETFLOW meters what ip_rcv/ipv6_rcv let
#     through;
#  2. output: from the host, on raw IP sockets to the netns: OUTPUT -o nfv0
#     -j NETFLOW meters them (the kernel checks less there);
#  3. tap: the GSO classes, written with a virtio_net_hdr to tap nftap
#     (vnet_hdr), as qemu does for a guest: PREROUTING -i nftap -j NETFLOW
#     meters GSO skbs whose segments nobody has counted yet (gso_segs 0);
#     headers the tap refuses (EINVAL) are counted, not predicted.
# In each chain a rule per class counts that class, and a rule without a
# target right before NETFLOW, with the same match (the fuzz prefixes, so
# that nothing else, like neighbour discovery, is metered), counts what
# reaches the module.  nf-fuzz --truth predicts both from a model of the
# kernel's checks and of the module's parser.  Asserts, per phase:
#  - per class, packets and bytes at the hook == the prediction;
#  - inPackets + dropPackets == what reached the NETFLOW rules, in packets
#    and in bytes (every packet is either accounted or dropped), but that a
#    GSO skb counts as its segments, each with its own headers: the rules'
#    figures plus the segments and header bytes the model adds;
#  - inPackets, inBytes == the accounted ones predicted;
#  - cache_trunc == dropPackets == the truncated ones predicted (their bytes
#    == dropBytes), cache_frag == the fragments predicted, no maxflows or
#    allocation drops;
#  - prerouting and tap: the kernel's own drops before the hook:
#    InTruncatedPkts, InCsumErrors, Ip6InTruncatedPkts == predicted,
#    In(6)HdrErrors at least that (later errors add to them);
# then: /proc readable, a normal UDP flow (v4 and v6) afterwards is exported
# exactly; nf-collect decoded all the fuzz flows without a format or
# sequence error, and per class and phase the exported flows hold exactly
# what the module should have accounted (packets and bytes); the module
# unloads, and the kernel log since the start has no
# WARNING/BUG/KASAN/UBSAN/Oops/lockdep/kmemleak report (scripts/dmesg-check).
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
#   NF_FUZZ_GSO_COUNT (tap phase, default NF_FUZZ_COUNT / 5: GSO packets
#   are large), NF_FUZZ_BACKEND (nft or legacy, default nft)
# vm-timeout: 900
. "$(dirname "$0")/lib.sh"

SEED=${NF_FUZZ_SEED:-1}
COUNT=${NF_FUZZ_COUNT:-20000}
GSO_COUNT=${NF_FUZZ_GSO_COUNT:-$((COUNT / 5))}
BE=${NF_FUZZ_BACKEND:-nft}
P=2058
TAP=nftap TAP4=198.51.100.1 TAP6=2001:db8:f11::1
SRC4=10.99.0.0/16 SRC6=2001:db8:f1f::/48	# every class's source

nf_need_tools nf-fuzz nf-collect nf-send nf-compare
nf_workdir
nf_kmsg_mark "fuzz start"
ipt=$(nf_ipt "$BE" 4) ip6t=$(nf_ipt "$BE" 6)
fuzz_exit() {
	ip link del $TAP 2>/dev/null
	return 0
}
NF_ON_EXIT=fuzz_exit

# Conntrack's defrag (priority -400, before raw) would hold IPv4/IPv6
# fragments back from PREROUTING; it is on in this namespace while any nat
# chain or ct rule is, and iptables-nft leaves its base chains behind.
command -v nft >/dev/null && nft flush ruleset

nf_net_up
MAC0=$(cat /sys/class/net/nfv0/address) || fail "no nfv0 MAC"
# the tap, as a VM host has it (nf-fuzz attaches to it: carrier then)
modprobe tun 2>/dev/null
ip tuntap add dev $TAP mode tap vnet_hdr || fail "ip tuntap add $TAP"
ip addr add $TAP4/24 dev $TAP && ip -6 addr add $TAP6/64 dev $TAP nodad &&
	ip link set $TAP up || fail "$TAP addresses"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P --rcvbuf 33554432
nf_load_v6 destination=127.0.0.1:$P
FAMS="4 6" CLASSES=
if [ "$NF_V6" = 0 ]; then
	FAMS=4 CLASSES="--class 4"
	say "IPv4 classes only"
fi

# the rules: per class a counter (the classes of the interface's phases),
# then one counter for all the fuzz sources, then NETFLOW with that match
"$NF_BIN/nf-fuzz" --list-classes >"$W/classes.txt" || fail "nf-fuzz --list-classes"
for f in $FAMS; do
	if [ "$f" = 4 ]; then src=$SRC4; else src=$SRC6; fi
	awk -v f="$f" -v src="$src" -v tap=$TAP 'BEGIN { print "*raw" }
	$1 == "class" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["family"] != f)
			next
		if (v["mode"] == "tap")
			tp = tp "-A PREROUTING -i " tap " -s " v["src"] "\n"
		else {
			pre = pre "-A PREROUTING -i nfv0 -s " v["src"] "\n"
			out = out "-A OUTPUT -o nfv0 -s " v["src"] "\n"
		}
	}
	END {
		printf "%s-A PREROUTING -i nfv0 -s %s\n-A PREROUTING -i nfv0 -s %s -j NETFLOW\n", pre, src, src
		printf "%s-A OUTPUT -o nfv0 -s %s\n-A OUTPUT -o nfv0 -s %s -j NETFLOW\n", out, src, src
		printf "%s-A PREROUTING -i %s -s %s\n-A PREROUTING -i %s -s %s -j NETFLOW\nCOMMIT\n", tp, tap, src, tap, src
	}' "$W/classes.txt" >"$W/rules$f"
	if [ "$f" = 4 ]; then r=$ipt; else r=$ip6t; fi
	"$r-restore" -w -n <"$W/rules$f" || fail "$r-restore of $W/rules$f failed"
done
sayt "rules in raw PREROUTING/OUTPUT ($BE): $(grep -c '^-A' "$W/rules4") IPv4," \
	"$(grep -c '^-A' "$W/rules6" 2>/dev/null) IPv6"

# snapshot FILE: "rule CHAIN@IF SRC PKTS BYTES" (SRC: a class prefix, all4
# or all6 for the counter before NETFLOW, netflow4 or netflow6), "snmp - KEY
# N 0" (module), "kern - KEY N 0" (the kernel's drops before the hook)
snapshot() {
	{
		for f in $FAMS; do
			if [ "$f" = 4 ]; then "$ipt-save" -c -t raw; else "$ip6t-save" -c -t raw; fi |
				awk -v f="$f" -v tap=$TAP '/^\[/ && (/ nfv0/ || $0 ~ " " tap) {
				split(substr($1, 2, length($1) - 2), c, ":")
				src = "all" f; dev = ""
				for (i = 3; i < NF; i++) {
					if ($i == "-i" || $i == "-o") dev = $(i + 1)
					if ($i == "-s" && $(i + 1) !~ /\/(16|48)$/) src = $(i + 1)
					if ($i == "-j" && $(i + 1) == "NETFLOW") src = "netflow" f
				}
				print "rule", $3 "@" dev, src, c[1], c[2]
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
		[ $i -lt $((60 * NF_TIME_SCALE)) ] ||
			fail "counters still moving $((30 * NF_TIME_SCALE)) s after the last packet"
		mv "$1" "$1.prev"
	done
}

# delta BEFORE AFTER: the second's numbers minus the first's
delta() {
	awk 'NR == FNR { p[$1 " " $2 " " $3] = $4; b[$1 " " $2 " " $3] = $5; next }
		{ k = $1 " " $2 " " $3; print k, $4 - p[k], $5 - b[k] }' "$1" "$2"
}

# check PHASE CHAIN@IF TRUTH DELTA: the assertions above; the table and any
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
		printf "%-18s %6s %6s %6s %8s %6s %6s %5s %5s %7s  %s\n", "class", "sent", "hook", "rule",
			"bytes", "trunc", "frag", "f_ext", "gso", "acc", "kernel drops (hdr csum short) / rejected"
		for (i = 1; i <= n; i++) {
			c = order[i]; s = t[c, "src"]; got = r[chain, s] + 0; gotb = rb[chain, s] + 0
			printf "%-18s %6d %6d %6d %8d %6d %6d %5d %5d %7d  %d %d %d / %d\n", c, t[c, "sent"],
				t[c, "hook"], got, gotb, t[c, "trunc"], t[c, "frag"], t[c, "frag_ext"], t[c, "gso"],
				t[c, "accounted"], t[c, "drop_hdr"], t[c, "drop_csum"], t[c, "drop_short"], t[c, "rejected"]
			if (got != t[c, "hook"] || gotb != t[c, "bytes"])
				bad(sprintf("%s: %s %s counted %d packets, %d bytes; the model says %d, %d",
					c, chain, s, got, gotb, t[c, "hook"], t[c, "bytes"]))
		}
		T = "total"
		# GSO: what the segments add to the packets and bytes at the rules
		xp = t[T, "accounted"] - (t[T, "hook"] - t[T, "trunc"])
		xb = t[T, "accounted_bytes"] - (t[T, "bytes"] - t[T, "trunc_bytes"])
		printf "%s: sent %d, rejected %d, predicted at the hook %d (%d bytes), truncated %d, fragments %d (of which later IPv6 fragments with an extension header next: %d), GSO %d (%d more packets, %d more bytes as segments)\n",
			phase, t[T, "sent"], t[T, "rejected"], t[T, "hook"], t[T, "bytes"], t[T, "trunc"], t[T, "frag"],
			t[T, "frag_ext"], t[T, "gso"], xp, xb
		printf "%s: rules before NETFLOW (all chains) %d packets %d bytes; NETFLOW rules %d packets %d bytes\n",
			phase, all, allb, nf, nfb
		printf "%s: module inPackets %d + dropPackets %d = %d; inBytes %d + dropBytes %d = %d; cache_trunc %d cache_frag %d maxflows %d alloc %d\n",
			phase, v["inPackets"], v["dropPackets"], v["inPackets"] + v["dropPackets"],
			v["inBytes"], v["dropBytes"], v["inBytes"] + v["dropBytes"], v["cache_trunc"],
			v["cache_frag"], v["cache_maxflows"], v["cache_alloc"]
		if (all != nf || allb != nfb)
			bad(sprintf("the counting rules saw %d packets, the NETFLOW rules %d", all, nf))
		if (v["inPackets"] + v["dropPackets"] != all + xp)
			bad(sprintf("inPackets + dropPackets = %d, but %d packets reached the NETFLOW rules (+ %d GSO segments)",
				v["inPackets"] + v["dropPackets"], all, xp))
		if (v["inBytes"] + v["dropBytes"] != allb + xb)
			bad(sprintf("inBytes + dropBytes = %d, but %d bytes reached the NETFLOW rules (+ %d of GSO segments)",
				v["inBytes"] + v["dropBytes"], allb, xb))
		if (v["inPackets"] != t[T, "accounted"] || v["inBytes"] != t[T, "accounted_bytes"])
			bad(sprintf("inPackets %d, inBytes %d; the model says %d, %d", v["inPackets"], v["inBytes"],
				t[T, "accounted"], t[T, "accounted_bytes"]))
		if (v["cache_trunc"] != t[T, "trunc"])
			bad(sprintf("cache_trunc %d, the model says %d", v["cache_trunc"], t[T, "trunc"]))
		if (v["dropPackets"] != v["cache_trunc"] || v["dropBytes"] != t[T, "trunc_bytes"])
			bad(sprintf("dropPackets %d, dropBytes %d: want the truncated ones only, %d packets, %d bytes",
				v["dropPackets"], v["dropBytes"], t[T, "trunc"], t[T, "trunc_bytes"]))
		if (v["cache_frag"] != t[T, "frag"])
			bad(sprintf("cache_frag %d, the model says %d", v["cache_frag"], t[T, "frag"]))
		if (v["cache_maxflows"] || v["cache_alloc"])
			bad(sprintf("cache_maxflows %d, cache_alloc %d: flows refused", v["cache_maxflows"], v["cache_alloc"]))
		if (phase == "prerouting" || phase == "tap") {
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

# phase NAME CHAIN@IF COUNT NF-FUZZ-ARGS...: send, wait, check
phase() {
	n=$1 ch=$2 cnt=$3
	shift 3
	settle "$W/$n.0"
	sayt "$n: nf-fuzz --seed $SEED --count $cnt $*"
	# shellcheck disable=SC2086 # CLASSES: none or two words
	"$@" --seed "$SEED" --count "$cnt" --truth $CLASSES >"$W/$n.truth" 2>"$W/$n.err" ||
		fail "$n: nf-fuzz failed: $(tail -n 5 "$W/$n.err")"
	sayt "$n: sent ($(grep '^total' "$W/$n.truth"))"
	settle "$W/$n.1"
	delta "$W/$n.0" "$W/$n.1" >"$W/$n.delta"
	check "$n" "$ch" "$W/$n.truth" "$W/$n.delta"
	sayt "$n: OK"
}

phase prerouting PREROUTING@nfv0 "$COUNT" ip netns exec "$NF_NS" "$NF_BIN/nf-fuzz" \
	-m packet -I nfv1 --dst-mac "$MAC0" --dst4 "$NF_A4" --dst6 "$NF_A6"
phase output OUTPUT@nfv0 "$COUNT" "$NF_BIN/nf-fuzz" -m raw -I nfv0 \
	--dst4 "$NF_B4" --dst6 "$NF_B6"
phase tap PREROUTING@$TAP "$GSO_COUNT" "$NF_BIN/nf-fuzz" -m tap -I $TAP \
	--dst4 $TAP4 --dst6 $TAP6

# still alive: /proc, and a normal flow afterwards is exported exactly
cat /proc/net/stat/ipt_netflow >"$W/stat.txt" || fail "/proc/net/stat/ipt_netflow unreadable"
cat /proc/net/stat/ipt_netflow_snmp >"$W/snmp.txt" || fail "ipt_netflow_snmp unreadable"
$ipt -w -t raw -A PREROUTING -i nfv0 -s $NF_B4 -p udp -j NETFLOW &&
	{ [ "$NF_V6" = 0 ] ||
	  $ip6t -w -t raw -A PREROUTING -i nfv0 -s $NF_B6 -p udp -j NETFLOW; } ||
	fail "NETFLOW rules for the normal flows"
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
		n += t["accounted"] } END { printf "%d\n", n }' \
		"$W/prerouting.truth" "$W/output.truth" "$W/tap.truth")
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
slabs=$(nf_slab_state)
nf_unload
nf_slab_gone "$slabs"

# exported PHASE TRUTH DST4 DST6: per class, the flows from the class's
# sources to the phase's destinations hold what the module accounted
# (the module's own per class numbers, through the export)
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
		printf "%s: per class, accounted and exported packets, bytes\n", phase
		for (i = 1; i <= n; i++) {
			c = order[i]
			w = t[c, "accounted"]
			wb = t[c, "accounted_bytes"]
			printf "  %-18s %7d %7d %9d %9d\n", c, w, ep[c], wb, eb[c]
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
exported tap "$W/tap.truth" $TAP4 $TAP6

nf_dmesg_clean "fuzz start"
sayt "OK (seed $SEED, $COUNT packets per phase, $GSO_COUNT GSO packets on the tap)"
