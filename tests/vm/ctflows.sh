#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Connection records from conntrack (ctflows=1): RFC 5103 biflows in IPFIX,
# a record per direction in v9 and v5, interim records, and the switch.
#
# The root namespace routes between a client netns (natc) and a server
# netns (nats), with MASQUERADE out to the server and a DNAT of ROUTER:8080
# to SERVER:5000 (lib.sh's nf_nat_router_up 4 dnat; the servers are the
# test's own: a TCP one that prints nothing, and a UDP echo).  No NETFLOW
# rule anywhere; the collectors' own traffic on lo is NOTRACKed, so
# conntrack holds only the test's connections.  The truth is what crossed
# the router, captured on both of its veths: the client's packets as they
# came in, and the replies as they came in (from the server, or the
# router's own echo replies).
# Per run (protocol 10 with natevents=1 and `conntrack -E` running, then 9,
# then 5; active_timeout 600): two TCP connections with handshake, data and
# close to the server, one through the DNAT, UDP with known counts both ways
# (3 x 100 bytes out, 3 echoed and 2 x 50 more back), an echo exchange
# through the NAT and one with the router itself (not NATed).  Asserts:
#  - nf-collect (IPFIX: --split-biflows) equals the truth for every
#    direction of every connection, the reply's key coming from the
#    record's post-NAT fields (so the translation is checked too); each
#    connection gives exactly one record (IPFIX) or one per direction (v9,
#    v5), the NATed ones with post-NAT fields 225-228 (IPFIX, v9);
#    flowEndReason 3 for TCP, 1 for ICMP (timed out), 4 for UDP (flushed);
#  - tshark decodes the reverse elements (PEN 29305) with the right sums
#    and biflowDirection; nfdump has the forward counts, the reverse ones
#    (out) and the NAT fields as nf-collect; v5 and v9 in nfdump too;
#  - IPFIX, then active_timeout 2: a long TCP connection and a long echo
#    exchange give interim records (flowEndReason 2) that, with their last
#    record, add up to the truth;
#  - nf_conntrack_acct and _timestamp go 0 -> 1 (logged) and back on
#    ctflows=0 and rmmod, nf_conntrack_events 2 -> 1 -> 2 with natevents
#    sharing the callback; NAT events still come with ctflows on;
#    `conntrack -E` sees every NEW and DESTROY; /proc's Ctflows line;
#  - rmmod with a live connection: its record goes out (flowEndReason 4),
#    no kernel warning, conntrack -E works afterwards.
# vm-timeout: 900
. "$(dirname "$0")/lib.sh"

nf_need_tools nfcapd nfdump dumpcap tshark conntrack nc ping nf-collect \
	nf-compare nf-send nf-sink
nf_workdir
modprobe nf_conntrack || fail "modprobe nf_conntrack"
P=2055
C4=$NF_NAT_C4 RC4=$NF_NAT_RC4 RS4=$NF_NAT_RS4 S4=$NF_NAT_S4
NS=/proc/sys/net/netfilter
OURS="--only-src 198.51.100.0/24 --only-src 203.0.113.0/24"
SAVED=$(for k in nf_conntrack_acct nf_conntrack_timestamp nf_conntrack_events \
	nf_conntrack_icmp_timeout nf_conntrack_udp_timeout \
	nf_conntrack_udp_timeout_stream; do echo "$k=$(cat $NS/$k)"; done)

# the NAT router (veths nc0 to the client, ns0 to the server), lo not
# tracked, conntrack timeouts of the test's, its servers
ct_up() {
	nf_nat_router_up 4 dnat
	iptables-nft -w -t raw -A PREROUTING -i lo -j NOTRACK &&
		iptables-nft -w -t raw -A OUTPUT -o lo -j NOTRACK ||
		fail "raw rules"
	# ICMP entries time out by themselves; UDP ones only by a flush
	echo 3 >$NS/nf_conntrack_icmp_timeout
	echo 600 >$NS/nf_conntrack_udp_timeout
	echo 600 >$NS/nf_conntrack_udp_timeout_stream
	nf_bg sh -c 'exec ip netns exec nats nc -lk 5000 >/dev/null 2>&1'
	nf_bg ip netns exec nats "$NF_BIN/nf-sink" -e udp 5001
	nf_wait_udp 5001 nats
	nf_wait_bound /proc/net/tcp 5000 nats
}
ct_down() {
	iptables-nft -w -t raw -F 2>/dev/null
	nf_nat_router_down 4
	for kv in $SAVED; do
		echo "${kv#*=}" >"$NS/${kv%%=*}" 2>/dev/null
	done
	return 0
}
NF_ON_EXIT=ct_down

# sysctls ACCT TSTAMP EVENTS WHEN: the conntrack sysctls must be these
sysctls() {
	got="$(cat $NS/nf_conntrack_acct) $(cat $NS/nf_conntrack_timestamp) $(cat $NS/nf_conntrack_events)"
	[ "$got" = "$1 $2 $3" ] ||
		fail "$4: acct, timestamp, events are $got, want $1 $2 $3"
}

# ctline: /proc's Ctflows line
ctline() { grep '^Ctflows ' /proc/net/stat/ipt_netflow; }

# wire_start PCAPNG: capture the router's two veths (pcapng)
wire_start() {
	nf_bg dumpcap -q -i nc0 -i ns0 -f ip -w "$1" 2>"$1.log"
	WIRE_PID=$NF_PID
	nf_capture_wait "$1"
}

# truth PCAPNG: the flows that crossed the router, each direction with
# the addresses and ports its packets came in with, as flow lines
truth() {
	tshark -r "$1" -Y ip -T fields -E separator='|' -E occurrence=f \
		-e frame.interface_name -e ip.src -e ip.dst -e ip.proto \
		-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
		-e icmp.type -e icmp.code -e ip.len 2>"$1.tshark.err" |
		awk -F'|' -v c=$C4 -v rc=$RC4 -v rs=$RS4 '
	{
		p = $4; sp = dp = t = k = 0
		if (p == 6) { sp = $5; dp = $6 }
		if (p == 17) { sp = $7; dp = $8 }
		if (p == 1) { t = $9; k = $10; dp = t * 256 + k }
		# the client (original direction), the server (replies), and
		# the router answering an echo itself
		if (!(($1 == "nc0" && $2 == c) || ($1 == "ns0" && $3 == rs) ||
		      ($1 == "nc0" && p == 1 && ($2 == rc || $2 == rs))))
			next
		key = p " " $2 " " sp " " $3 " " dp " " t " " k
		n[key]++; b[key] += $11
	}
	END {
		for (x in n) {
			split(x, f, " ")
			printf "flow proto=%s src=%s sport=%s dst=%s dport=%s packets=%d bytes=%d tcpflags=0x00 icmp_type=%s icmp_code=%s\n",
				f[1], f[2], f[3], f[4], f[5], n[x], b[x], f[6], f[7]
		}
	}' | sort
}

# kv LINE KEY: the value of KEY=... in a flow line
kv() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# records FILE MATCH: connection records of FILE (flow lines, NAT events
# left out) that contain MATCH (a fixed string)
records() { grep -F -- "$2" "$1" | grep '^flow ' | grep -v ' nat_event='; }

# exits PID: wait (up to 30 s) until background job PID ended by itself
exits() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $((300 * NF_TIME_SCALE)) ] || fail "job $1 did not end"
		sleep 0.1
	done
	wait "$1"
}

# tcp_conn SPORT DST:PORT: a TCP connection from the client with a line of
# data each way... and a close (nc -N shuts down after stdin's end)
tcp_conn() {
	echo "hello from $1" | ip netns exec natc nc -N -w 5 -p "$1" \
		"${2%:*}" "${2#*:}" >/dev/null || fail "tcp to $2 from port $1 failed"
}

# short BASE: the short connections (see the top), then their ends: the
# echo exchanges time out by themselves (conntrack -L reaps them), the
# rest goes with a flush
short() {
	tcp_conn $(($1 + 1)) $S4:5000
	tcp_conn $(($1 + 2)) $S4:5000
	tcp_conn $(($1 + 3)) $RC4:8080
	usp=$(($1 + 50))
	nf_bg ip netns exec natc "$NF_BIN/nf-sink" udp $usp
	csink=$NF_PID
	nf_wait_udp $usp natc
	ip netns exec natc "$NF_BIN/nf-send" udp $S4:5001 count=3 size=100 \
		sport=$usp >/dev/null || fail "nf-send udp"
	# the server sends 2 more to where MASQUERADE put the client
	i=0
	until xp=$(conntrack -L -p udp --sport $usp 2>/dev/null |
		sed -n 's/.*src=[^ ]* dst=[^ ]* sport=5001 dport=\([0-9]*\).*/\1/p' |
		head -n 1) && [ -n "$xp" ]; do
		i=$((i + 1))
		[ $i -lt $((50 * NF_TIME_SCALE)) ] ||
			fail "no conntrack entry for the UDP exchange"
		sleep 0.1
	done
	ip netns exec nats "$NF_BIN/nf-send" udp $RS4:$xp count=2 size=50 \
		sport=5001 >/dev/null || fail "nf-send udp back"
	ip netns exec natc ping -c 3 -i 0.2 -W 5 -q $S4 >/dev/null ||
		fail "ping through the NAT failed"
	ip netns exec natc ping -c 2 -i 0.2 -W 5 -q $RC4 >/dev/null ||
		fail "ping of the router failed"
	# the UDP truth, known without the capture: 3 x 128 out, 3 x 128 + 2 x 78 back
	echo "flow proto=17 src=$C4 sport=$usp dst=$S4 dport=5001 packets=3 bytes=384" >>"$R/known"
	echo "flow proto=17 src=$S4 sport=5001 dst=$RS4 dport=$xp packets=5 bytes=540" >>"$R/known"
	ends 2 6
	nf_bg_stop $csink
}

# ends ICMP ALL: wait until the ICMP connections timed out (conntrack -L
# reaps an expired entry it meets), then flush the rest; ICMP and ALL
# connections must have been exported since CT0
ends() {
	i=0
	while conntrack -L -p icmp 2>/dev/null | grep -q "src=$C4 "; do
		i=$((i + 1))
		[ $i -lt $((240 * NF_TIME_SCALE)) ] ||
			fail "the echo exchanges did not time out"
		sleep 0.5
	done
	nf_wait_snmp ctConnections -ge $(($1 + CT0)) 10 ||
		fail "want $1 echo exchanges exported: $(ctline)"
	conntrack -F >/dev/null 2>&1 || fail "conntrack -F failed"
	nf_wait_snmp ctConnections -ge $(($2 + CT0)) 60 ||
		fail "want $2 connections exported: $(ctline)"
}

# check_known TRUTH: the capture's UDP truth is the one sent
check_known() {
	while read -r l; do
		grep -qxF "$l tcpflags=0x00 icmp_type=0 icmp_code=0" "$1" ||
			fail "the capture disagrees with what was sent: $l"
	done <"$R/known"
}

# one_each FILE N [noreason]: every original direction of a connection in
# FILE (nf-collect, not split) has exactly N records that are not interim,
# each with the flowEndReason its protocol must have (v5 has none)
one_each() {
	awk -v c=$C4 -v n=$2 -v nr="${3:-}" '$1 == "flow" && index($0, " src=" c " ") &&
		!index($0, " nat_event=") {
		split("", v)
		for (i = 2; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
		if (v["end_reason"] == 2) next
		k = v["proto"] " " v["sport"] " " v["dst"] " " v["dport"]
		cnt[k]++
		want = v["proto"] == 6 ? 3 : v["proto"] == 1 ? 1 : 4
		if (nr == "" && v["end_reason"] != want)
			printf "%s: flowEndReason %s, want %s\n", k, v["end_reason"], want
	} END {
		for (k in cnt) if (cnt[k] != n) printf "%s: %d records, want %d\n", k, cnt[k], n
	}' "$1" >"$R/one_each.bad"
	[ ! -s "$R/one_each.bad" ] || {
		cat "$R/one_each.bad" >&2
		fail "p$proto: records per connection or flowEndReason wrong"
	}
}

# run PROTO BASE [PARAMS]: one protocol, the short connections
run() {
	proto=$1 base=$2
	shift 2
	R=$W/p$proto
	mkdir -p "$R"
	: >"$R/known"
	conntrack -F >/dev/null 2>&1
	wire_start "$R/wire.pcapng"
	nf_capture_begin "$R/export.pcap" "udp port $P"
	nf_nfcapd_start "$R/nfcapd" $P
	nf_capture_wait "$R/export.pcap"
	sysctls 0 0 2 "p$proto before load"
	nf_kmsg_mark "ct p$proto"
	nf_load protocol=$proto destination=127.0.0.1:$P ctflows=1 \
		active_timeout=600 "$@"
	sysctls 1 1 1 "p$proto ctflows=1"
	for s in 'nf_conntrack_acct 0 -> 1' 'nf_conntrack_timestamp 0 -> 1' \
		'nf_conntrack_events 2 -> 1'; do
		nf_dmesg_since "ct p$proto" | grep -q "$s" || fail "no log line '$s'"
	done
	[ "$(cat /proc/sys/net/netflow/ctflows)" = 1 ] || fail "sysctl ctflows is not 1"
	CT0=0
	[ $proto != 10 ] || nf_conntrack_listen "$R/conntrack-E.txt"
	short $base
	sayt "p$proto: short connections exported: $(ctline)"
	[ $proto != 10 ] || long $((base + 100))
}

# long BASE: active_timeout 2; a TCP connection writing a line every half
# second and an echo exchange with the router, until each has had
# interim records; then their ends
long() {
	echo 2 >/proc/sys/net/netflow/active_timeout
	CT0=$(nf_snmp ctConnections)
	i0=$(nf_snmp ctInterim)
	rm -f "$W/stop"
	nf_bg ip netns exec natc sh -c 'while [ ! -e "$1" ]; do echo tick; sleep 0.5; done |
		nc -N -p "$2" "$3" 5000 >/dev/null' sh "$W/stop" $(($1 + 1)) $S4
	LT=$NF_PID
	nf_bg ip netns exec natc ping -i 0.5 -q $RS4
	LP=$NF_PID
	nf_wait_snmp ctInterim -ge $((i0 + 8)) 120 ||
		fail "too few interim records: $(ctline)"
	touch "$W/stop"
	# its end as TCP ends: the writer stops, nc closes, the server too
	exits $LT || fail "the long TCP connection failed"
	nf_bg_stop $LP INT
	ends 1 2
	echo 600 >/proc/sys/net/netflow/active_timeout
	LONG_TCP=" sport=$(($1 + 1)) "
}

# end_run: switch off and on (the sysctls follow), unload, stop collectors
end_run() {
	echo 0 >/proc/sys/net/netflow/ctflows || fail "ctflows=0 refused"
	ctline | grep -q '^Ctflows disabled' || fail "/proc does not say disabled: $(ctline)"
	if [ $proto = 10 ]; then
		sysctls 0 0 1 "p$proto ctflows=0, natevents on"
		echo 0 >/proc/sys/net/netflow/natevents
		sysctls 0 0 2 "p$proto both off"
		echo 1 >/proc/sys/net/netflow/ctflows || fail "ctflows=1 refused"
		sysctls 1 1 1 "p$proto ctflows=1 again"
		echo 0 >/proc/sys/net/netflow/ctflows
	fi
	sysctls 0 0 2 "p$proto ctflows=0"
	[ "$(cat /proc/sys/net/netflow/ctflows)" = 0 ] || fail "sysctl ctflows is not 0"
	[ -z "${NF_CT_PID:-}" ] || { nf_bg_stop $NF_CT_PID; NF_CT_PID=; }
	nf_unload
	nf_capture_stop
	nf_bg_stop $WIRE_PID INT
	nf_nfcapd_stop
	truth "$R/wire.pcapng" >"$R/truth"
	[ -s "$R/truth" ] || fail "p$proto: no truth from the capture"
	check_known "$R/truth"
}

ct_up

# ---- IPFIX, with natevents and conntrack -E -----------------------------
run 10 41000 natevents=1
l=$(ctline)
echo "$l" | grep -q '^Ctflows enabled, connections exported [0-9]*, interim records [0-9]*, dropped 0, uncounted 0\.$' ||
	fail "/proc: $l"
grep -q '^Natevents enabled, count start 6, stop 6\.$' /proc/net/stat/ipt_netflow ||
	fail "natevents with ctflows: $(grep '^Natevents ' /proc/net/stat/ipt_netflow)"
end_run
"$NF_BIN/nf-collect" --pcap "$R/export.pcap" --port $P >"$R/collect.txt" ||
	fail "nf-collect: errors in the IPFIX export (see $R/collect.txt)"
nf_nfcapd_check_seq "$(nf_nfdump_ipfix_seq "$R/collect.txt")" "$R/nfdump-I.txt" p10
"$NF_BIN/nf-collect" --pcap "$R/export.pcap" --port $P --split-biflows \
	>"$R/split.txt" || fail "nf-collect --split-biflows failed"
nf_compare p10-nfcollect --ignore-flags $OURS "$R/truth" "$R/split.txt"
# one biflow per short connection; the long ones: interims, then one
grep -v -e "$LONG_TCP" -e " dst=$RS4 " "$R/collect.txt" >"$R/short.txt"
one_each "$R/short.txt" 1
for m in "$LONG_TCP" " dst=$RS4 "; do
	n=$(records "$R/collect.txt" "$m" | grep -c ' end_reason=2 ')
	[ "$n" -ge 2 ] || fail "long connection '$m': $n interim records, want 2 or more"
	f=$(records "$R/collect.txt" "$m" | grep -v ' end_reason=2 ')
	[ "$(echo "$f" | wc -l)" = 1 ] ||
		fail "long connection '$m': $(echo "$f" | wc -l) last records, want 1"
	case $m in *sport*) want=3 ;; *) want=1 ;; esac
	[ "$(kv "$f" end_reason)" = $want ] ||
		fail "long connection '$m' ended with flowEndReason $(kv "$f" end_reason), want $want"
done
sayt "p10: interim records add up (nf-compare above)"
# NATed records carry the translation: the client leaves as the router
n=$(records "$R/collect.txt" " src=$C4 " | grep -c " post_nat_src=$RS4 ")
[ "$n" -ge 6 ] || fail "p10: $n records with post_nat_src=$RS4, want 6 or more"
records "$R/collect.txt" " src=$C4 " | grep " dport=8080 " |
	grep -q " post_nat_dst=$S4 post_napt_sport=[0-9]* post_napt_dport=5000 " ||
	fail "p10: the DNAT connection lacks its post-NAT destination"
records "$R/collect.txt" " dst=$RC4 " | grep '^flow proto=1 ' >"$R/router-echo.txt"
[ "$(wc -l <"$R/router-echo.txt")" = 1 ] && ! grep -q post_nat "$R/router-echo.txt" ||
	fail "p10: the router's own echo exchange: not one record without NAT fields"
# natevents beside ctflows: a create and a delete per NATed connection
for e in 4 5; do
	n=$(grep -c "^flow .* src=$C4 .* nat_event=$e" "$R/collect.txt")
	[ "$n" = 6 ] || fail "p10: $n NAT events $e, want 6"
done
# conntrack -E saw every connection come and go
for e in NEW DESTROY; do
	n=$(grep -c "\[$e\].* src=$C4 " "$R/conntrack-E.txt")
	[ "$n" = 8 ] || fail "conntrack -E: $n $e, want 8"
done
# tshark: reverse elements (PEN 29305) and biflowDirection
nf_tshark_pdml "$R/export.pcap" $P "$R/tshark.pdml"
awk -v c=$C4 '
	function show(   s) { match($0, / show="[^"]*"/); s = substr($0, RSTART + 7, RLENGTH - 8); return s }
	/name="cflow.srcaddr"/ { src = show(); bi = 1 }
	/name="cflow.packets"/ && src == c { if (index($0, "(Reverse")) rp += show(); else fp += show() }
	/name="cflow.octets"/ && src == c { if (index($0, "(Reverse")) rb += show(); else fb += show() }
	/name="cflow.biflow_direction"/ && src == c && show() == 1 { nb++ }
	END { printf "%d %d %d %d %d\n", fp, fb, rp, rb, nb }' "$R/tshark.pdml" >"$R/tshark.sums"
records "$R/collect.txt" " src=$C4 " | wc -l >"$R/records.n"
awk -v c=$C4 '{ for (i = 2; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	if (v["src"] == c) { fp += v["packets"]; fb += v["bytes"] } else { rp += v["packets"]; rb += v["bytes"] } }
	END { printf "%d %d %d %d", fp, fb, rp, rb }' "$R/truth" >"$R/truth.sums"
want="$(cat "$R/truth.sums") $(cat "$R/records.n")"
[ "$(cat "$R/tshark.sums")" = "$want" ] ||
	fail "tshark: packets, bytes, reverse packets, reverse bytes, initiators $(cat "$R/tshark.sums"), want $want"
sayt "p10: tshark: $(cat "$R/tshark.sums") (forward, reverse, biflowDirection 1)"
# nfdump: forward and reverse (out) counts and the translation, as nf-collect
nfdump -r "$NF_NFCAPD_FILE" -q -N -o \
	"fmt:%pr|%sa|%sp|%da|%dp|%ipkt|%ibyt|%opkt|%obyt|%xsa|%xsp|%xda|%xdp" |
	tr -d ' ' | awk -F'|' -v c=$C4 '$2 == c && $6 + $7 + $8 + $9 > 0 {
		dp = $5; sp = $3; xs = $11; xd = $13
		if ($1 == 1) { split(dp, t, "."); dp = t[1] * 256 + t[2]; sp = xs = xd = 0 }
		k = $1 "|" $2 "|" sp "|" $4 "|" dp "|" $10 "|" xs "|" $12 "|" xd
		for (i = 6; i <= 9; i++) s[k, i] += $i; keys[k]
	} END { for (k in keys) print k "|" s[k, 6] "|" s[k, 7] "|" s[k, 8] "|" s[k, 9] }' |
	sort >"$R/nfdump.sums"
awk -v c=$C4 '$1 == "flow" && index($0, " src=" c " ") && !index($0, "nat_event=") {
		split("", v)
		for (i = 2; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
		if (v["packets"] + v["bytes"] + v["rev_packets"] + v["rev_bytes"] == 0) next
		xa = "post_nat_src" in v ? v["post_nat_src"] : "0.0.0.0"
		xb = "post_nat_dst" in v ? v["post_nat_dst"] : "0.0.0.0"
		xs = "post_napt_sport" in v ? v["post_napt_sport"] : 0
		xd = "post_napt_dport" in v ? v["post_napt_dport"] : 0
		sp = v["sport"]
		if (v["proto"] == 1) sp = xs = xd = 0
		k = v["proto"] "|" v["src"] "|" sp "|" v["dst"] "|" v["dport"] "|" xa "|" xs "|" xb "|" xd
		p[k] += v["packets"]; b[k] += v["bytes"]; rp[k] += v["rev_packets"]; rb[k] += v["rev_bytes"]
	} END { for (k in p) print k "|" p[k] "|" b[k] "|" rp[k] "|" rb[k] }' \
	"$R/collect.txt" | sort >"$R/collect.sums"
cmp -s "$R/collect.sums" "$R/nfdump.sums" || {
	diff "$R/collect.sums" "$R/nfdump.sums" >&2
	fail "p10: nfdump differs from nf-collect"
}
sayt "p10: nfdump: forward, out and NAT fields as nf-collect ($(wc -l <"$R/nfdump.sums") connections)"

# ---- v9 and v5: a record per direction --------------------------------
for proto in 9 5; do
	run $proto $((40000 + proto * 100))
	end_run
	"$NF_BIN/nf-collect" --pcap "$R/export.pcap" --port $P >"$R/collect.txt" ||
		fail "nf-collect: errors in the v$proto export (see $R/collect.txt)"
	nf_nfcapd_check_seq 0 "$R/nfdump-I.txt" p$proto
	nf_compare p$proto-nfcollect --ignore-flags $OURS "$R/truth" "$R/collect.txt"
	# one record per direction: the reply's as the original's
	if [ $proto = 5 ]; then
		one_each "$R/collect.txt" 1 noreason
	else
		one_each "$R/collect.txt" 1
	fi
	n=$(records "$R/collect.txt" " src=$S4 " | wc -l)
	[ "$n" = 5 ] || fail "p$proto: $n records from the server, want 5 (3 TCP, UDP, echo)"
	if [ $proto = 9 ]; then
		n=$(records "$R/collect.txt" " src=$C4 " | grep -c " post_nat_src=$RS4 ")
		[ "$n" = 5 ] || fail "p9: $n records with post_nat_src=$RS4, want 5"
	fi
	nfdump -r "$NF_NFCAPD_FILE" -o csv >"$R/nfdump.csv" ||
		fail "nfdump -r failed"
	nf_compare p$proto-nfdump --ignore-flags --format nfdump-csv $OURS \
		"$R/truth" "$R/nfdump.csv"
done

# ---- rmmod with a live connection ---------------------------------------
R=$W/rmmod
mkdir -p "$R"
proto=10
conntrack -F >/dev/null 2>&1
nf_capture_start "$R/export.pcap" "udp port $P"
nf_load protocol=10 destination=127.0.0.1:$P ctflows=1
rm -f "$W/stop"
nf_bg ip netns exec natc sh -c '{ echo live; while [ ! -e "$1" ]; do sleep 0.2; done; } |
	nc -N -p 47001 "$2" 5000 >/dev/null' sh "$W/stop" $S4
LT=$NF_PID
i=0
until conntrack -L -p tcp --sport 47001 2>/dev/null | grep -q ESTABLISHED; do
	i=$((i + 1))
	[ $i -lt $((100 * NF_TIME_SCALE)) ] || fail "no live connection to unload with"
	sleep 0.1
done
nf_kmsg_mark "ct rmmod"
nf_unload
sysctls 0 0 2 "after rmmod"
nf_dmesg_clean "ct rmmod"
touch "$W/stop"
nf_bg_stop $LT
nf_capture_stop
"$NF_BIN/nf-collect" --pcap "$R/export.pcap" --port $P >"$R/collect.txt" ||
	fail "nf-collect: errors in the export at rmmod"
l=$(records "$R/collect.txt" " sport=47001 ")
[ -n "$l" ] && [ "$(echo "$l" | wc -l)" = 1 ] &&
	[ "$(kv "$l" end_reason)" = 4 ] && [ "$(kv "$l" packets)" -ge 3 ] &&
	[ "$(kv "$l" rev_packets)" -ge 2 ] || {
	echo "$l" >&2
	fail "rmmod: want one record of the live connection, flowEndReason 4"
}
sayt "rmmod with a live connection: its record went out, no warning"
# ctnetlink has its callback back
nf_conntrack_listen "$R/conntrack-E.txt"
tcp_conn 47002 $S4:5000
conntrack -F >/dev/null 2>&1
i=0
until grep -q "\[NEW\].* src=$C4 .*sport=47002 " "$R/conntrack-E.txt" &&
	grep -q "\[DESTROY\].* src=$C4 .*sport=47002 " "$R/conntrack-E.txt"; do
	i=$((i + 1))
	[ $i -lt $((100 * NF_TIME_SCALE)) ] || {
		cat "$R/conntrack-E.txt" >&2
		fail "conntrack -E got no events after rmmod"
	}
	sleep 0.1
done
nf_bg_stop $NF_CT_PID
sayt "after rmmod: conntrack -E sees NEW and DESTROY"
ct_down
nf_cleanup
sayt "OK"
