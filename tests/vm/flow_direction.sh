#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# flowDirection (IE 61) in v9 and IPFIX records, a part of the flow key.
# The VM's namespace routes between client namespaces A and B (veths,
# IPv4 and IPv6); sinks in B and in the router take every packet.  Each
# kind of UDP traffic goes to its own destination port: forwarded
# (A -> B), received (A -> router), sent (router -> B).  Every record of
# it must carry the direction expected of its port, with every packet,
# as nf-collect decodes it, as nfdump stores it (the filters "flowdir
# ingress" and "flowdir egress", which match 0 and 1 exactly, and %dir)
# and as tshark dissects it (cflow.direction):
#  1. v9, hooks=input,forward,output: received and forwarded 0, sent 1;
#  2. IPFIX, hooks=prerouting,postrouting: each forwarded packet is
#     metered at both hooks, and its 5-tuple makes two flows, one 0 and
#     one 1, each with every packet; received 0, sent 1;
#  3. v9, -j NETFLOW rules of iptables-nft and ip6tables-nft in the
#     mangle table, each chain matching its own port: PREROUTING, INPUT
#     and FORWARD 0, OUTPUT and POSTROUTING 1.
# vm-timeout: 900
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nfcapd nfdump tshark dumpcap \
	iptables-nft ip6tables-nft
nf_workdir
A=nfda B=nfdb
P_NFCAPD=2055 P_COLLECT=2056
SYSCTL=/proc/sys/net/netflow

NF_ON_EXIT="nf_router_down $A $B"
nf_router_peer $A fda fda1 192.0.2.1 192.0.2.2 2001:db8:a::1 2001:db8:a::2
nf_router_peer $B fdb fdb1 198.51.100.1 198.51.100.2 2001:db8:b::1 \
	2001:db8:b::2
for p in 5000 5002 5010; do
	nf_bg ip netns exec $B "$NF_BIN/nf-sink" udp 198.51.100.2:$p >/dev/null
	nf_bg ip netns exec $B "$NF_BIN/nf-sink" udp6 "[2001:db8:b::2]:$p" \
		>/dev/null
	nf_wait_udp $p $B
	nf_wait_udp6 $p $B
done
for p in 5001 5011; do
	nf_bg "$NF_BIN/nf-sink" udp 192.0.2.1:$p >/dev/null
	nf_bg "$NF_BIN/nf-sink" udp6 "[2001:db8:a::1]:$p" >/dev/null
	nf_wait_udp $p
	nf_wait_udp6 $p
done

# forwarded to 5000, received on 5001, sent to 5002; IPv6 from port 41000
send3() {
	for f in 4 6; do
		if [ $f = 4 ]; then
			b=40000 pb=198.51.100.2 pr=192.0.2.1 u=udp
		else
			b=41000 pb="[2001:db8:b::2]" pr="[2001:db8:a::1]" u=udp6
		fi
		ip netns exec $A "$NF_BIN/nf-send" $u "$pb:5000" count=3 \
			size=100 ports=$b-$((b + 2)) \
			$u "$pr:5001" count=2 size=50 ports=$((b + 10))-$((b + 11)) \
			>>"$1" || fail "nf-send from A failed"
		"$NF_BIN/nf-send" $u "$pb:5002" count=4 size=20 \
			ports=$((b + 20))-$((b + 22)) >>"$1" ||
			fail "nf-send from the router failed"
	done
}

# The test's flows in a collector's terms, one "sport dport dir packets"
# line per (sport, dport, dir), packets summed over records (a flow may
# be split between the CPUs' caches), sorted.  $PORTS: the ports of the
# test's flows; a record without a direction gets "-".
sum_by() {
	awk -v ports=" $PORTS " 'index(ports, " " $2 " ") {
		k = $1 " " $2 " " $3; s[k] += $4
	} END { for (k in s) print k, s[k] }' | sort
}

# nf-collect output (stdin): flow lines of UDP
collect_view() {
	awk '$1 == "flow" {
		delete v
		for (i = 2; i <= NF; i++) {
			j = index($i, "=")
			v[substr($i, 1, j - 1)] = substr($i, j + 1)
		}
		if (v["proto"] != 17)
			next
		print v["sport"], v["dport"],
			("direction" in v ? v["direction"] : "-"), v["packets"]
	}' | sum_by
}

# phase NAME "PORT:DIRS ...": collectors up, "send" (set by the caller)
# makes $D/truth.txt; each collector must then show the truth's flow to
# PORT once per direction of DIRS (a comma list), with all its packets.
phase() {
	D=$W/$1 map=$2
	PORTS=$(echo "$map" | sed 's/:[0-9,]*//g')
	mkdir -p "$D"
	nf_capture_begin "$D/cap.pcap" "udp dst port $P_COLLECT"
	nf_nfcapd_start "$D/nfcapd" $P_NFCAPD
	nf_collect_start "$D/collect.txt" 127.0.0.1:$P_COLLECT
	nf_capture_wait "$D/cap.pcap"
	# templates in the next PDU: the collectors came up after the load
	cat $SYSCTL/destination >$SYSCTL/destination ||
		fail "destination rewrite refused"
	send "$D/truth.txt"
	awk -v map=" $map " '$1 == "flow" {
		delete v
		for (i = 2; i <= NF; i++) {
			j = index($i, "=")
			v[substr($i, 1, j - 1)] = substr($i, j + 1)
		}
		if (!match(map, " " v["dport"] ":[0-9,]*"))
			next
		n = split(substr(map, RSTART + length(v["dport"]) + 2,
				 RLENGTH - length(v["dport"]) - 2), d, ",")
		for (i = 1; i <= n; i++)
			print v["sport"], v["dport"], d[i], v["packets"]
	}' "$D/truth.txt" | sum_by >"$D/want.txt"
	[ -s "$D/want.txt" ] || fail "$1: no flows sent"
	cut -d' ' -f1-3 "$D/want.txt" >"$D/want-dirs.txt"
	nf_flush
	i=0
	until collect_view <"$D/collect.txt" >"$D/collect-view.txt" &&
		cmp -s "$D/want.txt" "$D/collect-view.txt"; do
		i=$((i + 1))
		[ $i -lt $((200 * ${NF_TIME_SCALE:-1})) ] || {
			diff "$D/want.txt" "$D/collect-view.txt" >&2
			fail "$1: nf-collect: records or directions differ" \
				"(want <, got >)"
		}
		sleep 0.1
	done
	nf_nfcapd_stop
	nf_collect_stop "$D/collect.txt"
	nf_capture_stop "$D/collect.txt"
	sayt "$1: nf-collect: $(wc -l <"$D/want.txt") flows," \
		"directions as expected"

	# nfdump: its filters match 0 and 1 exactly (255 is in neither)
	for fd in ingress egress; do
		nfdump -r "$NF_NFCAPD_FILE" -q -N -o 'fmt:%sp %dp %pkt' \
			"proto udp and flowdir $fd" >"$D/nfdump-$fd.txt" \
			2>"$D/nfdump.err" ||
			fail "nfdump failed: $(cat "$D/nfdump.err")"
	done
	{
		awk 'NF == 3 { print $1, $2, 0, $3 }' "$D/nfdump-ingress.txt"
		awk 'NF == 3 { print $1, $2, 1, $3 }' "$D/nfdump-egress.txt"
	} | sum_by >"$D/nfdump-view.txt"
	diff "$D/want.txt" "$D/nfdump-view.txt" >&2 ||
		fail "$1: nfdump: records or directions differ (want <, got >)"
	# %dir: I for 0, E for anything else
	nfdump -r "$NF_NFCAPD_FILE" -q -N -o 'fmt:%sp %dp %dir' 'proto udp' \
		>"$D/nfdump-dir.txt" 2>"$D/nfdump.err" ||
		fail "nfdump failed: $(cat "$D/nfdump.err")"
	awk '$3 == "I" || $3 == "E" { print $1, $2, ($3 == "E"), 0 }' \
		"$D/nfdump-dir.txt" | sum_by | cut -d' ' -f1-3 >"$D/nfdump-dirs.txt"
	diff "$D/want-dirs.txt" "$D/nfdump-dirs.txt" >&2 ||
		fail "$1: nfdump %dir differs (want <, got >)"
	sayt "$1: nfdump: the same, flowdir filters and %dir"

	# tshark: one comma list per field and frame; every flow template
	# has all four fields, the options records none
	tshark -r "$D/cap.pcap" -d "udp.port==$P_COLLECT,cflow" -Y cflow \
		-T fields -E occurrence=a -E aggregator=, -e cflow.protocol \
		-e cflow.srcport -e cflow.dstport -e cflow.direction \
		>"$D/tshark.txt" 2>"$D/tshark.err" ||
		fail "tshark failed: $(cat "$D/tshark.err")"
	awk -F '\t' 'NF == 4 {
		n = split($1, pr, ","); split($2, sp, ","); split($3, dp, ",")
		if (split($4, dir, ",") != n) {
			print "unpaired", NR, 0, 0
			next
		}
		for (i = 1; i <= n; i++)
			if (pr[i] == 17)
				print sp[i], dp[i], dir[i], 0
	}' "$D/tshark.txt" | sum_by | cut -d' ' -f1-3 >"$D/tshark-view.txt"
	diff "$D/want-dirs.txt" "$D/tshark-view.txt" >&2 ||
		fail "$1: tshark: records or directions differ (want <, got >)"
	sayt "$1: tshark: the same directions"
}

nf_load protocol=9 inactive_timeout=120 hooks=input,forward,output \
	destination=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT
send() { send3 "$1"; }
phase v9-hooks "5000:0 5001:0 5002:1"

nf_load protocol=10 inactive_timeout=120 hooks=prerouting,postrouting \
	destination=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT
phase ipfix-hooks "5000:0,1 5001:0 5002:1"

nf_load protocol=9 inactive_timeout=120 \
	destination=127.0.0.1:$P_NFCAPD,127.0.0.1:$P_COLLECT
for f in 4 6; do
	ipt=$(nf_ipt nft $f)
	for r in PREROUTING:5001 INPUT:5011 FORWARD:5000 OUTPUT:5002 \
		POSTROUTING:5010; do
		$ipt -w -t mangle -A ${r%:*} -p udp --dport ${r#*:} -j NETFLOW ||
			fail "$ipt -t mangle -A ${r%:*} ... -j NETFLOW failed"
	done
done
send() {
	ip netns exec $A "$NF_BIN/nf-send" \
		udp 198.51.100.2:5000 count=3 size=10 ports=42000-42001 \
		udp 192.0.2.1:5001 count=2 size=10 ports=42010-42011 \
		udp 192.0.2.1:5011 count=2 size=10 ports=42020-42021 \
		udp 198.51.100.2:5010 count=3 size=10 ports=42030-42031 \
		udp6 "[2001:db8:b::2]:5000" count=3 size=10 ports=43000-43001 \
		udp6 "[2001:db8:a::1]:5001" count=2 size=10 ports=43010-43011 \
		udp6 "[2001:db8:a::1]:5011" count=2 size=10 ports=43020-43021 \
		udp6 "[2001:db8:b::2]:5010" count=3 size=10 ports=43030-43031 \
		>>"$1" || fail "nf-send from A failed"
	"$NF_BIN/nf-send" udp 198.51.100.2:5002 count=4 size=10 \
		ports=42040-42041 udp6 "[2001:db8:b::2]:5002" count=4 \
		size=10 ports=43040-43041 >>"$1" ||
		fail "nf-send from the router failed"
}
phase v9-rules "5001:0 5011:0 5000:0 5002:1 5010:1"
for f in 4 6; do
	$(nf_ipt nft $f) -w -t mangle -F
done
nf_unload
sayt "OK"
