#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# NAT events (natevents=1) from conntrack, NEL in v9/IPFIX, dummy flows
# in v5.
#
# The root namespace routes between a client netns (natc) and a server
# netns (nats), with MASQUERADE out to the server and a DNAT of
# ROUTER:8080 to SERVER:5000 (lib.sh: nf_nat_router_up 4 dnat tcp).  Per
# run the client opens and closes N TCP connections to the server, D
# through the DNAT, one UDP and one ICMP exchange; `conntrack -F` then
# deletes the entries.
# Asserts, for protocol 10, 9 (natEvent 1/2: natevents_legacy=1) and 5,
# each without and with a concurrent `conntrack -E`:
#  - nfdump shows exactly one create and one delete event per connection
#    with the right pre-/post-NAT addresses and ports (v5: pre-NAT source,
#    post-NAT destination, NAT address in nexthop, port in src/dst AS,
#    SYN|ACK / RST|FIN, no packets); tshark finds the NEL fields;
#  - `conntrack -E` printed every NEW and DESTROY meanwhile;
#  - /proc: Natevents enabled, start/stop counts, nothing dropped;
#  - with the default nf_conntrack_events=2 and no listener events still
#    flow (the module sets 1, logs it, restores 2 when natevents goes 0);
#  - natevents=0: no more events;
#  - rmmod with live conntrack entries: no kernel warning (vm-run checks
#    dmesg) and `conntrack -E` gets the events again (ctnetlink's
#    callback is back).
# Six NAT setups and three collectors are slow under TCG:
# vm-timeout: 900
. "$(dirname "$0")/lib.sh"

nf_need_tools nfcapd nfdump dumpcap tshark conntrack nc
nf_workdir
P=2055 N=3 D=2
C4=$NF_NAT_C4 RC4=$NF_NAT_RC4 RS4=$NF_NAT_RS4 S4=$NF_NAT_S4
EVSYS=/proc/sys/net/netfilter/nf_conntrack_events

NF_ON_EXIT="nf_nat_router_down 4"

# traffic BASE EXPECTED: N + D TCP connections with source ports BASE+i,
# one UDP, one ICMP; appends the events they must give to EXPECTED as
# "EVENT PROTO PRE_SRC:PORT PRE_DST:PORT POST_SRC:PORT POST_DST:PORT"
# (ICMP without ports)
traffic() {
	i=1
	while [ $i -le $((N + D)) ]; do
		sp=$(($1 + i))
		if [ $i -le $N ]; then
			dst=$S4:5000
		else
			dst=$RC4:8080
		fi
		ip netns exec natc nc -N -w 5 -p $sp ${dst%:*} ${dst#*:} \
			</dev/null || fail "tcp to $dst from port $sp failed"
		for ev in create delete; do
			echo "$ev 6 $C4:$sp $dst $RS4:$sp $S4:5000" >>"$2"
		done
		i=$((i + 1))
	done
	sp=$(($1 + 50))
	echo u | ip netns exec natc nc -u -w 1 -p $sp $S4 5001
	ping_ok=0
	ip netns exec natc ping -c 1 -W 5 $S4 >/dev/null && ping_ok=1
	[ $ping_ok = 1 ] || fail "ping through the NAT failed"
	for ev in create delete; do
		echo "$ev 17 $C4:$sp $S4:5001 $RS4:$sp $S4:5001" >>"$2"
		echo "$ev 1 $C4 $S4 $RS4 $S4" >>"$2"
	done
	# the TCP entries sit in TIME_WAIT: delete them all now
	conntrack -F >/dev/null 2>&1 || fail "conntrack -F failed"
}

# natline START STOP: the Natevents line must show these counts
natline() {
	l=$(grep '^Natevents ' /proc/net/stat/ipt_netflow | head -n 1)
	[ "$l" = "Natevents enabled, count start $1, stop $2." ] ||
		fail "want start $1 stop $2, /proc says: $l"
	grep -q '^Natevents queue: dropped 0\.$' /proc/net/stat/ipt_netflow ||
		fail "events dropped: $(grep '^Natevents queue' /proc/net/stat/ipt_netflow)"
}

# v5 EXPECTED: the dummy flows the events of EXPECTED give, as decode()
# prints them: pre-NAT source, post-NAT destination, nexthop the post-NAT
# source (SNAT) or the pre-NAT destination (DNAT, its port in dst AS),
# the post-NAT source port in src AS (ICMP: addresses only)
v5_want() {
	awk '{
		if ($2 != 6) $1 = "event"
		split($3, ps, ":"); split($4, pd, ":"); split($5, qs, ":")
		dnat = ($4 != $6)
		nh = dnat ? pd[1] : qs[1]
		if ($2 == 1)
			print $1, $2, $3, $6, nh
		else
			print $1, $2, $3, $6, nh, qs[2], (dnat ? pd[2] : 0)
	}' "$1"
}

# decode PROTO [CREATE DELETE]: the events nfdump read, one a line as in
# traffic() (v5: as v5_want prints them); CREATE and DELETE are the
# natEvent values wanted
decode() {
	if [ "$1" = 5 ]; then
		nfdump -q -N -R "$NF_NFCAPD_DIR" -o \
			"fmt:%pr|%sa|%sp|%da|%dp|%nh|%sas|%das|%flg|%pkt|%byt" |
			tr -d ' ' | awk -F'|' '
			{
				p = $1
				ev = "flags:" $9
				if ($9 ~ /S/ && $9 ~ /A/ && $9 !~ /[RF]/) ev = "create"
				if ($9 ~ /R/ && $9 ~ /F/ && $9 !~ /[SA]/) ev = "delete"
				# nfdump keeps TCP flags of TCP flows only: tshark
				# counts the others (run())
				if (p != 6) ev = "event"
				if ($10 != 0 || $11 != 0) ev = "counts:" $10 "/" $11
				if (p == 1)
					print ev, p, $2, $4, $6
				else
					print ev, p, $2 ":" $3, $4 ":" $5, $6, $7, $8
			}'
		return
	fi
	# natEvent as a number: nfdump 1.7.1 names only the historic 1/2
	nfdump -q -N -R "$NF_NFCAPD_DIR" -o raw | awk -v c=$2 -v d=$3 '
		function flush() {
			if (!have) return
			ev = "natEvent" f["nat event"]
			if (f["nat event"] == c) ev = "create"
			if (f["nat event"] == d) ev = "delete"
			if (f["proto"] == 1)
				print ev, 1, f["src addr"], f["dst addr"],
					f["src xlt ip"], f["dst xlt ip"]
			else
				print ev, f["proto"], f["src addr"] ":" f["src port"],
					f["dst addr"] ":" f["dst port"],
					f["src xlt ip"] ":" f["src xlt port"],
					f["dst xlt ip"] ":" f["dst xlt port"]
			have = 0; delete f
		}
		/^Flow Record/ { flush(); have = 1; next }
		/=/ {
			k = $0; sub(/ *=.*/, "", k); sub(/^ */, "", k)
			v = $0; sub(/^[^=]*= */, "", v); sub(/[ :].*/, "", v)
			f[k] = v
		}
		END { flush() }'
}

# run PROTO BASE LISTEN(0|1) [PARAMS]
run() {
	proto=$1 base=$2 listen=$3
	shift 3
	R=$W/p$proto-l$listen
	mkdir -p "$R"
	: >"$R/expected"
	nf_capture_begin "$R/export.pcap" "udp port $P"
	nf_nfcapd_start "$R/nfcapd" $P
	[ "$(cat $EVSYS)" = 2 ] || fail "nf_conntrack_events is $(cat $EVSYS) before load, want 2"
	nf_kmsg_mark "nat p$proto l$listen"
	nf_load protocol=$proto destination=127.0.0.1:$P natevents=1 "$@"
	[ "$(cat $EVSYS)" = 1 ] || fail "natevents=1 left nf_conntrack_events at $(cat $EVSYS)"
	nf_dmesg_since "nat p$proto l$listen" | grep -q 'nf_conntrack_events 2 -> 1' ||
		fail "no log line for nf_conntrack_events 2 -> 1"
	nf_capture_wait "$R/export.pcap"
	[ $listen = 0 ] || nf_conntrack_listen "$R/conntrack-E.txt"
	traffic "$base" "$R/expected"
	want=$(($(wc -l <"$R/expected") / 2))
	i=0
	until grep -q "count start $want, stop $want\." /proc/net/stat/ipt_netflow; do
		i=$((i + 1))
		[ $i -lt $((50 * NF_TIME_SCALE)) ] || break
		sleep 0.1
	done
	natline $want $want
	echo 0 >/proc/sys/net/netflow/natevents ||
		fail "natevents=0 refused"
	[ "$(cat $EVSYS)" = 2 ] || fail "natevents=0 left nf_conntrack_events at $(cat $EVSYS)"
	grep -q '^Natevents disabled' /proc/net/stat/ipt_netflow ||
		fail "/proc does not say disabled"
	# off: these give nothing
	: >"$R/ignored"
	n0=$N d0=$D
	N=1 D=0
	traffic $((base + 200)) "$R/ignored"
	N=$n0 D=$d0
	[ $listen = 0 ] || { sleep 1; nf_bg_stop $NF_CT_PID; }
	nf_unload
	nf_capture_stop
	nf_nfcapd_stop

	c=4 d=5
	case "$*" in *natevents_legacy=1*) c=1 d=2 ;; esac
	decode $proto $c $d | sort >"$R/got"
	if [ $proto = 5 ]; then
		v5_want "$R/expected" | sort >"$R/want"
	else
		sort "$R/expected" >"$R/want"
	fi
	cmp -s "$R/want" "$R/got" || {
		diff "$R/want" "$R/got" >&2
		fail "p$proto listen=$listen: nfdump events differ from the truth"
	}
	nf_tshark_pdml "$R/export.pcap" $P "$R/tshark.pdml"
	if [ $proto = 5 ]; then
		nc_=$(grep -c 'name="cflow.tcpflags" .* show="0x12"' "$R/tshark.pdml")
		nd_=$(grep -c 'name="cflow.tcpflags" .* show="0x05"' "$R/tshark.pdml")
		nx=$(grep -c 'name="cflow.packets" .* show="0"' "$R/tshark.pdml")
		[ "$nc_" = $want ] && [ "$nd_" = $want ] && [ "$nx" = $((want * 2)) ] ||
			fail "tshark: SYN|ACK x$nc_, RST|FIN x$nd_, 0 packets x$nx; want $want, $want, $((want * 2))"
	else
		nc_=$(grep -c 'name="cflow.nat_event" .* show="'$c'"' "$R/tshark.pdml")
		nd_=$(grep -c 'name="cflow.nat_event" .* show="'$d'"' "$R/tshark.pdml")
		nx=$(grep -c 'name="cflow.post_natsource_ipv4_address" .* show="'$RS4'"' "$R/tshark.pdml")
		[ "$nc_" = $want ] && [ "$nd_" = $want ] && [ "$nx" = $((want * 2)) ] ||
			fail "tshark: natEvent $c x$nc_, $d x$nd_, post-NAT source $RS4 x$nx; want $want, $want, $((want * 2))"
	fi
	if [ $listen = 1 ]; then
		nn=$(grep -c "\[NEW\].* src=$C4 " "$R/conntrack-E.txt")
		nd=$(grep -c "\[DESTROY\].* src=$C4 " "$R/conntrack-E.txt")
		# both halves of the run, natevents on and off
		all=$((want + $(wc -l <"$R/ignored") / 2))
		[ "$nn" = $all ] && [ "$nd" = $all ] ||
			fail "conntrack -E saw $nn NEW and $nd DESTROY, want $all each"
	fi
	sayt "p$proto listen=$listen: $want create and $want delete events, right addresses"
}

nf_nat_router_up 4 dnat tcp
# (conntrack -E does not care about our protocol: one run each of 9 and 5)
run 10 41000 0
run 10 42000 1
run 9 43000 1 natevents_legacy=1
run 5 45000 0

# unload with live entries: ctnetlink must get events again afterwards
nf_kmsg_mark "nat rmmod"
nf_load natevents=1
ip netns exec natc nc -N -w 5 -p 47001 $S4 5000 </dev/null || fail "tcp failed"
ip netns exec natc ping -c 1 -W 5 $S4 >/dev/null || fail "ping failed"
conntrack -L 2>/dev/null | grep -q "src=$C4 " || fail "no live entry to unload with"
nf_unload
[ "$(cat $EVSYS)" = 2 ] || fail "rmmod left nf_conntrack_events at $(cat $EVSYS)"
nf_conntrack_listen "$W/after-rmmod.txt"
conntrack -F >/dev/null 2>&1
ip netns exec natc nc -N -w 5 -p 47002 $S4 5000 </dev/null || fail "tcp failed"
sleep 1
nf_bg_stop $NF_CT_PID
grep -q "\[DESTROY\].* src=$C4 .*sport=47001 " "$W/after-rmmod.txt" &&
	grep -q "\[NEW\].* src=$C4 .*sport=47002 " "$W/after-rmmod.txt" || {
	cat "$W/after-rmmod.txt" >&2
	fail "conntrack -E got no events after rmmod"
}
sayt "after rmmod: conntrack -E sees DESTROY and NEW"
nf_bg_stop $NF_NAT_SRV
nf_nat_router_down 4
nf_cleanup
sayt "OK"
