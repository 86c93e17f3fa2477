#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# NAT66 events (natevents=1): NEL template 264 in v9/IPFIX, skipped in v5.
#
# The root namespace routes IPv6 between a client netns (nat6c) and a
# server netns (nat6s), with ip6tables MASQUERADE out to the server and a
# DNAT of [ROUTER]:8080 to [SERVER]:5000 (lib.sh: nf_nat_router_up 6
# dnat tcp).  Per run the client opens and closes N TCP connections to the
# server, D through the DNAT, one UDP and one ICMPv6 echo; `conntrack -F
# -f ipv6` then deletes the entries.
# Asserts, for protocol 10 and 9 (natevents_legacy=0: NAT66 is natEvent
# 1/2 whatever it says):
#  - nf-collect (pcap) finds exactly one create and one delete per
#    connection with the right pre-/post-NAT IPv6 addresses and ports, in
#    records of template 264 whose template it was sent;
#  - nfdump (which does not decode 281/282) agrees on the pre-NAT
#    addresses, ports, post-NAT ports and natEvent;
#  - tshark counts natEvent 1 and 2 and the post-NAT IPv6 addresses;
#  - /proc: start/stop counts, nothing dropped.
# Protocol 5: the events are counted but skipped (skippedFlows), none sent.
# vm-timeout: 600
. "$(dirname "$0")/lib.sh"

nf_need_tools nfcapd nfdump dumpcap tshark conntrack nc nf-collect
nf_workdir
P=2055 N=3 D=2
C6=$NF_NAT_C6 RC6=$NF_NAT_RC6 RS6=$NF_NAT_RS6 S6=$NF_NAT_S6

NF_ON_EXIT="nf_nat_router_down 6"

# traffic BASE EXPECTED: N + D TCP connections with source ports BASE+i,
# one UDP, one ICMPv6 echo; appends the events they must give to EXPECTED
# as "EVENT PROTO PRE_SRC PORT PRE_DST PORT POST_SRC PORT POST_DST PORT"
# (ICMPv6: the echo id is the kernel's, so "-" ports and type 128 after)
traffic() {
	i=1
	while [ $i -le $((N + D)) ]; do
		sp=$(($1 + i))
		if [ $i -le $N ]; then
			dst=$S6 dp=5000
		else
			dst=$RC6 dp=8080
		fi
		ip netns exec nat6c nc -6 -N -w 5 -p $sp $dst $dp </dev/null ||
			fail "tcp to [$dst]:$dp from port $sp failed"
		for ev in create delete; do
			echo "$ev 6 $C6 $sp $dst $dp $RS6 $sp $S6 5000" >>"$2"
		done
		i=$((i + 1))
	done
	sp=$(($1 + 50))
	echo u | ip netns exec nat6c nc -6 -u -w 1 -p $sp $S6 5001
	ip netns exec nat6c ping -6 -c 1 -W 5 $S6 >/dev/null ||
		fail "ping through the NAT66 failed"
	for ev in create delete; do
		echo "$ev 17 $C6 $sp $S6 5001 $RS6 $sp $S6 5001" >>"$2"
		echo "$ev 58 $C6 - $S6 - $RS6 - $S6 128" >>"$2"
	done
	# the TCP entries sit in TIME_WAIT: delete them all now
	conntrack -F -f ipv6 >/dev/null 2>&1 || fail "conntrack -F failed"
}

# collected FILE: the NAT66 events of nf-collect's output, as traffic()
# writes them (natEvent 1/2 as create/delete)
collected() {
	awk '$1 == "flow" && / template=264 / {
		delete f
		for (i = 2; i <= NF; i++) {
			k = $i; sub(/=.*/, "", k)
			v = $i; sub(/^[^=]*=/, "", v)
			f[k] = v
		}
		ev = "natEvent" f["nat_event"]
		if (f["nat_event"] == 1) ev = "create"
		if (f["nat_event"] == 2) ev = "delete"
		if (f["proto"] == 58)
			print ev, 58, f["src"], "-", f["dst"], "-",
				f["post_nat_src"], "-", f["post_nat_dst"],
				int(f["post_napt_dport"] / 256)
		else
			print ev, f["proto"], f["src"], f["sport"], f["dst"],
				f["dport"], f["post_nat_src"], f["post_napt_sport"],
				f["post_nat_dst"], f["post_napt_dport"]
	}' "$1"
}

# nfdump_events: what nfdump shows of the same events (no post-NAT
# addresses: nfdump 1.7.1 does not decode 281/282); nfdump_want EXPECTED:
# the same cut of the truth
nfdump_events() {
	nfdump -q -N -R "$NF_NFCAPD_DIR" -o raw | awk '
		function flush() {
			if (!have) return
			ev = "natEvent" f["nat event"]
			if (f["nat event"] == 1) ev = "create"
			if (f["nat event"] == 2) ev = "delete"
			if (f["proto"] == 58)
				print ev, 58, f["src addr"], f["dst addr"]
			else
				print ev, f["proto"], f["src addr"], f["src port"],
					f["dst addr"], f["dst port"],
					f["src xlt port"], f["dst xlt port"]
			have = 0; delete f
		}
		/^Flow Record/ { flush(); have = 1; next }
		/=/ {
			k = $0; sub(/ *=.*/, "", k); sub(/^ */, "", k)
			v = $0; sub(/^[^=]*= */, "", v); sub(/ .*/, "", v)
			if (k == "nat event") sub(/:.*/, "", v)	# "1: ADD"
			f[k] = v
		}
		END { flush() }'
}
nfdump_want() {
	awk '{
		if ($2 == 58) print $1, $2, $3, $5
		else print $1, $2, $3, $4, $5, $6, $8, $10
	}' "$1"
}

# same WHAT WANT GOT
same() {
	cmp -s "$2" "$3" || {
		diff "$2" "$3" >&2
		fail "$1 differs from the truth"
	}
}

# run PROTO BASE [PARAMS]
run() {
	proto=$1 base=$2
	shift 2
	R=$W/p$proto
	mkdir -p "$R"
	: >"$R/expected"
	nf_capture_begin "$R/export.pcap" "udp port $P"
	# v5 sends nothing here: nfcapd would have no file to show
	[ $proto = 5 ] || nf_nfcapd_start "$R/nfcapd" $P
	nf_load protocol=$proto destination=127.0.0.1:$P natevents=1 "$@"
	nf_capture_wait "$R/export.pcap"
	traffic "$base" "$R/expected"
	want=$(($(wc -l <"$R/expected") / 2))
	i=0
	until grep -q "count start $want, stop $want\." /proc/net/stat/ipt_netflow; do
		i=$((i + 1))
		[ $i -lt $((50 * NF_TIME_SCALE)) ] || break
		sleep 0.1
	done
	l=$(grep '^Natevents ' /proc/net/stat/ipt_netflow | head -n 1)
	[ "$l" = "Natevents enabled, count start $want, stop $want." ] ||
		fail "want start $want stop $want, /proc says: $l"
	grep -q '^Natevents queue: dropped 0\.$' /proc/net/stat/ipt_netflow ||
		fail "events dropped: $(grep '^Natevents queue' /proc/net/stat/ipt_netflow)"
	if [ $proto = 5 ]; then
		# v5 cannot carry IPv6: every event skipped, counted
		i=0
		until [ "$(nf_snmp skippedFlows)" = $((want * 2)) ]; do
			i=$((i + 1))
			[ $i -lt $((50 * NF_TIME_SCALE)) ] || break
			sleep 0.1
		done
		[ "$(nf_snmp skippedFlows)" = $((want * 2)) ] ||
			fail "v5: skippedFlows $(nf_snmp skippedFlows), want $((want * 2))"
	fi
	nf_unload
	nf_capture_stop
	[ $proto = 5 ] || nf_nfcapd_stop

	"$NF_BIN/nf-collect" --pcap "$R/export.pcap" --port $P >"$R/collect.txt" ||
		fail "nf-collect found errors in $R/export.pcap"
	if [ $proto = 5 ]; then
		n=$(grep -c '^flow ' "$R/collect.txt")
		[ "$n" = 0 ] || fail "v5: $n records exported for NAT66 events"
		sayt "p5: $want NAT66 events counted, skipped, none sent"
		return
	fi
	grep -q "^template .* id=264 fields=323:8,27:16,28:16,281:16,282:16,7:2,11:2,227:2,228:2,4:1,230:1 " \
		"$R/collect.txt" || fail "p$proto: no NEL6 template 264 as specified"
	sort "$R/expected" >"$R/want"
	collected "$R/collect.txt" | sort >"$R/got"
	same "p$proto: nf-collect" "$R/want" "$R/got"
	nfdump_want "$R/expected" | sort >"$R/want.nfdump"
	nfdump_events | sort >"$R/got.nfdump"
	same "p$proto: nfdump" "$R/want.nfdump" "$R/got.nfdump"
	nf_tshark_pdml "$R/export.pcap" $P "$R/tshark.pdml"
	nc_=$(grep -c 'name="cflow.nat_event" .* show="1"' "$R/tshark.pdml")
	nd_=$(grep -c 'name="cflow.nat_event" .* show="2"' "$R/tshark.pdml")
	ns=$(grep -c 'name="cflow.post_nat_source_ipv6_address" .* show="'$RS6'"' "$R/tshark.pdml")
	nd=$(grep -c 'name="cflow.post_nat_destination_ipv6_address" .* show="'$S6'"' "$R/tshark.pdml")
	[ "$nc_" = $want ] && [ "$nd_" = $want ] && [ "$ns" = $((want * 2)) ] &&
		[ "$nd" = $((want * 2)) ] ||
		fail "tshark: natEvent 1 x$nc_, 2 x$nd_, post-NAT source $RS6 x$ns, destination $S6 x$nd; want $want, $want, $((want * 2)), $((want * 2))"
	sayt "p$proto: $want create and $want delete NAT66 events, right addresses"
}

nf_nat_router_up 6 dnat tcp
run 10 41000
run 9 43000
run 5 45000
nf_bg_stop $NF_NAT_SRV
nf_nat_router_down 6
nf_cleanup
sayt "OK"
