#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fields=nat: post-NAT addresses and ports in every flow record, from the
# packet's conntrack entry, whatever chain or hook meters it.
#
# The root namespace routes between a client netns (natc) and a server
# netns (nats), with MASQUERADE out to the server and a DNAT of
# ROUTER:8080 to SERVER:5000 (lib.sh: nf_nat_router_up).  Per run the
# client makes N TCP connections straight to the server and D through the
# DNAT, sends UDP datagrams to a sink on the server and pings it (nf-send:
# known counts).  Traffic is pinned to CPU 0, so no flow is split over
# two CPUs' records.  Runs, one capture point each, the flows of each
# exported by a flush before the next:
#   IPFIX, rules in mangle PREROUTING (before DNAT), filter FORWARD,
#   mangle POSTROUTING (before SNAT); NetFlow v9, hooks=postrouting
#   (priority last: after SNAT).
# Asserts, for every run:
#  - nf-collect: every flow of the traffic, both directions, has records,
#    and each record carries the addresses and ports as they came to the
#    router (sourceIPv4Address... : the client's, the DNAT'd 8080) and
#    postNATSource/DestinationIPv4Address 225/226 and postNAPTSource/
#    DestinationTransportPort 227/228 as they left it (ICMP: no ports);
#    UDP and ICMP packets exactly as sent; the template ids are those
#    of fields=nat (576.. = 512 + 16 * 4 + kind);
#  - nfdump shows the same translation (src/dst xlt ip and port) per
#    flow; tshark decodes the four elements in every flow record (one
#    capture per NetFlow version: see there);
#  - a flow without NAT (a datagram of the router's own to the client,
#    hooks run) carries zeros.
# Also: fields=bogus and fields=nat,mac... refused with EINVAL and a
# message naming the culprit, the value kept; protocol=5 refused while
# fields is set, and fields=nat refused under protocol 5.
# vm-timeout: 900
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nfcapd nfdump dumpcap tshark nc
nf_workdir
P=2055
N=2 D=1
C4=$NF_NAT_C4 RC4=$NF_NAT_RC4 RS4=$NF_NAT_RS4 S4=$NF_NAT_S4
SYSCTL=/proc/sys/net/netflow
PIN="taskset -c 0"

NF_ON_EXIT="nf_nat_router_down 4"

# traffic BASE WANT: the run's connections from ports BASE+i; appends
# "PROTO SRC:SPORT DST:DPORT > PSRC:PSPORT PDST:PDPORT" per flow to WANT,
# both directions (ICMP: ports 0 and type << 8 | code, post ports 0)
traffic() {
	i=1
	while [ $i -le $((N + D)) ]; do
		sp=$(($1 + i))
		if [ $i -le $N ]; then
			dst=$S4:5000
		else
			dst=$RC4:8080
		fi
		ip netns exec natc $PIN nc -N -w 5 -p $sp ${dst%:*} ${dst#*:} \
			</dev/null || fail "tcp to $dst from port $sp failed"
		echo "6 $C4:$sp $dst > $RS4:$sp $S4:5000" >>"$2"
		echo "6 $S4:5000 $RS4:$sp > $dst $C4:$sp" >>"$2"
		i=$((i + 1))
	done
	sp=$(($1 + 50))
	ip netns exec natc $PIN "$NF_BIN/nf-send" \
		udp $S4:5001 count=3 size=20 sport=$sp \
		icmp $S4 count=2 size=8 type=8 >>"$W/truth-$1.txt" ||
		fail "nf-send failed"
	echo "17 $C4:$sp $S4:5001 > $RS4:$sp $S4:5001" >>"$2"
	echo "1 $C4:0 $S4:2048 > $RS4:0 $S4:0" >>"$2"
	echo "1 $S4:0 $RS4:0 > $S4:0 $C4:0" >>"$2"
}

# got COLLECT BASE: what nf-collect decoded of a run, as traffic() writes
# it, one line per record (a flow split over records would show twice):
# TCP and UDP by the run's ports, ICMP of the client and server (the
# run's slice of the output holds no other ICMP)
got() {
	awk -v b="$2" -v c=$C4 -v s=$S4 '
	$1 == "flow" {
		delete f
		for (i = 2; i <= NF; i++) {
			j = index($i, "=")
			f[substr($i, 1, j - 1)] = substr($i, j + 1)
		}
		if (f["proto"] == 1) {
			if (f["src"] != c && f["src"] != s) next
		} else if (!(f["sport"] > b && f["sport"] <= b + 50) &&
			   !(f["dport"] > b && f["dport"] <= b + 50)) {
			next
		}
		print f["proto"], f["src"] ":" f["sport"], f["dst"] ":" f["dport"],
			">", f["post_nat_src"] ":" f["post_napt_sport"],
			f["post_nat_dst"] ":" f["post_napt_dport"]
	}' "$1"
}

# wait_all: until nf-collect has written every flow record sent so far
wait_all() {
	n=100
	until [ "$(grep -c '^flow ' "$W/collect.txt")" -ge "$(nf_snmp outFlows)" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# run NAME PROTO BASE SETUP UNDO: one capture point
run() {
	name=$1 proto=$2 base=$3
	R=$W/$name
	mkdir -p "$R"
	: >"$R/want"
	echo "$proto" >$SYSCTL/protocol || fail "protocol=$proto refused"
	nf_flush
	mark=$(wc -l <"$W/collect.txt")
	eval "$4" || fail "$name: setup failed"
	traffic "$base" "$R/want"
	eval "$5" || fail "$name: undo failed"
	nf_flush
	wait_all || fail "$name: nf-collect has not every record yet"
	tail -n +$((mark + 1)) "$W/collect.txt" >"$R/collect.txt"
	got "$R/collect.txt" "$base" | sort >"$R/got"
	sort "$R/want" >"$R/want.sorted"
	cmp -s "$R/want.sorted" "$R/got" || {
		diff "$R/want.sorted" "$R/got" >&2
		fail "$name: records differ from the truth (one line per record)"
	}
	u=$(nf_collected "$R/collect.txt" " sport=$((base + 50)) ")
	ic=$(awk '$1 == "flow" && / proto=1 / && / src='$C4' / {
		for (i = 2; i <= NF; i++) if ($i ~ /^packets=/) s += substr($i, 9)
	} END { print s + 0 }' "$R/collect.txt")
	[ "$u" = 3 ] && [ "$ic" = 2 ] ||
		fail "$name: UDP $u of 3, ICMP requests $ic of 2 packets"
	sayt "$name: $(wc -l <"$R/got") flows, each with its translation"
}

# --- refusals
nf_load protocol=10 destination=127.0.0.1:$P
for bad in bogus nat,bogus "nat,"; do
	nf_kmsg_mark "bad $bad"
	echo "$bad" >$SYSCTL/fields 2>/dev/null && fail "fields=$bad taken"
	want=${bad#nat,}
	[ -n "$want" ] || want="nat,"
	nf_dmesg_since "bad $bad" | grep -q "fields: \"$want\" is not a field name" ||
		fail "fields=$bad: no message naming \"$want\""
done
[ -z "$(cat $SYSCTL/fields)" ] || fail "a refused write changed fields"
echo 5 >$SYSCTL/protocol || fail "protocol=5 refused"
echo nat >$SYSCTL/fields 2>/dev/null && fail "fields=nat taken under protocol 5"
echo 10 >$SYSCTL/protocol || fail "protocol=10 refused"
echo nat >$SYSCTL/fields || fail "fields=nat refused"
echo 5 >$SYSCTL/protocol 2>/dev/null && fail "protocol=5 taken with fields=nat"
[ "$(cat $SYSCTL/protocol)" = 10 ] || fail "protocol changed by a refused write"
nf_unload
nf_try_load protocol=5 fields=nat 2>/dev/null && fail "load with protocol=5 fields=nat"
sayt "refusals: bad names, v5"

# --- the runs
# (servers pinned like the traffic; neighbours resolved before any run)
nf_nat_router_up 4 dnat tcp udp ping pin
nf_capture_begin "$W/export.pcap" "udp port $P"
nf_nfcapd_start "$W/nfcapd" $((P + 1))
nf_load protocol=10 fields=nat inactive_timeout=300 \
	destination=127.0.0.1:$P,127.0.0.1:$((P + 1))
nf_capture_wait "$W/export.pcap"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P
[ "$(cat $SYSCTL/fields)" = nat ] || fail "sysctl fields reads $(cat $SYSCTL/fields)"

run prerouting 10 41000 \
	'iptables-nft -w -t mangle -A PREROUTING -i nc0 -j NETFLOW &&
	 iptables-nft -w -t mangle -A PREROUTING -i ns0 -j NETFLOW' \
	'iptables-nft -w -t mangle -F PREROUTING'
run forward 10 42000 \
	'iptables-legacy -w -A FORWARD -j NETFLOW' \
	'iptables-legacy -w -F FORWARD'
run postrouting 10 43000 \
	'iptables-nft -w -t mangle -A POSTROUTING -o nc0 -j NETFLOW &&
	 iptables-nft -w -t mangle -A POSTROUTING -o ns0 -j NETFLOW' \
	'iptables-nft -w -t mangle -F POSTROUTING'
# (and, there, one datagram of the router's own to the client: no NAT)
run hooks 9 44000 'echo postrouting >$SYSCTL/hooks' \
	'"$NF_BIN/nf-send" udp $C4:9 count=1 size=10 sport=44099 >/dev/null &&
	 echo >$SYSCTL/hooks'

# the router's own datagram, not translated: zeros
grep '^flow proto=17 ' "$W/hooks/collect.txt" | grep " sport=44099 " |
	grep -q ' post_nat_src=0\.0\.0\.0 post_nat_dst=0\.0\.0\.0 post_napt_sport=0 post_napt_dport=0' ||
	fail "a flow without NAT does not carry zeros: $(grep " sport=44099 " "$W/hooks/collect.txt")"
# templates: fields=nat's ids, in IPFIX and v9
for id in 576 577 578 579; do
	grep -Eq "^template .* id=$id( |\$)" "$W/collect.txt" ||
		fail "no template $id (fields=nat)"
done
grep -Eq "^template .* id=256( |\$)" "$W/collect.txt" &&
	fail "template 256 (no fields) while fields=nat"

nf_collect_stop "$W/collect.txt"
nf_unload
nf_capture_stop "$W/collect.txt"
nf_nfcapd_stop

# nfdump: src/dst, their translation, per flow of the runs
nfdump -q -N -r "$NF_NFCAPD_FILE" -o raw >"$W/nfdump.raw" 2>"$W/nfdump.err" ||
	fail "nfdump failed: $(cat "$W/nfdump.err")"
awk '
	function flush() {
		if (have && f["proto"] != 1)
			printf "%s %s:%s %s:%s > %s:%s %s:%s\n", f["proto"],
				f["src addr"], f["src port"], f["dst addr"],
				f["dst port"], f["src xlt ip"], f["src xlt port"],
				f["dst xlt ip"], f["dst xlt port"]
		have = 0
		delete f
	}
	/^Flow Record/ { flush(); have = 1; next }
	/=/ {
		k = $0; sub(/ *=.*/, "", k); sub(/^ */, "", k)
		v = $0; sub(/^[^=]*= */, "", v); sub(/[ :].*/, "", v)
		f[k] = v
	}
	END { flush() }' "$W/nfdump.raw" | sort -u >"$W/nfdump.got"
cat "$W"/*/want | sort -u >"$W/want.all"
# nfdump shows ICMP type and code its own way: the others
grep -v '^1 ' "$W/want.all" >"$W/want.noicmp"
grep -F -x -f "$W/want.noicmp" "$W/nfdump.got" >"$W/nfdump.match"
cmp -s "$W/want.noicmp" "$W/nfdump.match" || {
	diff "$W/want.noicmp" "$W/nfdump.match" >&2
	head -n 40 "$W/nfdump.raw" >&2
	fail "nfdump: translations differ from the truth"
}
sayt "nfdump: $(wc -l <"$W/nfdump.match") TCP/UDP flows with their translation"

# tshark: the four elements, in each flow record of the runs, as got()
# writes them (every run's records once: its ICMP lines repeat per run).
# One exporter socket sends IPFIX, then v9 with the same template ids
# 576.. (other fields); tshark 4.0 keys its templates by addresses,
# ports, domain and id, not version, and keeps the first definition, so
# it would read the v9 records by the IPFIX layout: each version is
# decoded from a capture of its own.
cat "$W"/*/want | sort >"$W/tshark.want"
for v in 9 10; do
	tshark -r "$W/export.pcap" -d "udp.port==$P,cflow" -Y "cflow.version == $v" \
		-w "$W/export-v$v.pcap" 2>"$W/export-v$v.err" ||
		fail "tshark (v$v split) failed: $(cat "$W/export-v$v.err")"
	nf_tshark_pdml "$W/export-v$v.pcap" $P "$W/tshark-v$v.pdml"
done
cat "$W/tshark-v9.pdml" "$W/tshark-v10.pdml" | awk -v c=$C4 -v s=$S4 '
function val(   v) {
	match($0, /show="[^"]*"/)
	return substr($0, RSTART + 6, RLENGTH - 7)
}
function ours(p,   b) {
	for (b = 41000; b <= 44000; b += 1000)
		if (p > b && p <= b + 50) return 1
	return 0
}
function emit(   keep) {
	if (f["protocol"] == 1)
		keep = f["srcaddr"] == c || f["srcaddr"] == s
	else
		keep = ours(f["srcport"]) || ours(f["dstport"])
	if (rec && keep)
		print f["protocol"], f["srcaddr"] ":" f["srcport"],
			f["dstaddr"] ":" f["dstport"], ">",
			f["post_natsource_ipv4_address"] ":" f["post_naptsource_transport_port"],
			f["post_natdestination_ipv4_address"] ":" f["post_naptdestination_transport_port"]
	rec = 0
	delete f
}
/<field name="" show="Flow [0-9]/ { emit(); rec = 1; next }
/<proto name=/ { emit() }
/name="cflow\.[a-z0-9_]*" / {
	k = $0
	sub(/^.*name="cflow\./, "", k)
	sub(/".*$/, "", k)
	f[k] = val()
}
END { emit() }' | sort >"$W/tshark.got"
cmp -s "$W/tshark.want" "$W/tshark.got" || {
	diff "$W/tshark.want" "$W/tshark.got" >&2
	fail "tshark: translations differ from the truth (one line per record)"
}
sayt "tshark: $(wc -l <"$W/tshark.got") records with their translation"
sayt "OK"
