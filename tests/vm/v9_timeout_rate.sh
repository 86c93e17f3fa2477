#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# v9 templates are re-sent after timeout-rate minutes, whatever the
# refresh-rate.
#
# protocol=9 with refresh_rate 65535 (never reached here) and
# timeout_rate=1; a trickle of one UDP flow every 3 s (inactive_timeout=1)
# makes a small PDU every few seconds, until a PDU of uptime 60 s past the
# first has gone out (about 65 s).  nf-collect listens from sequence 0.
# Asserts:
#  - the first PDU (sent alone a second after load) carries the templates
#    and the options template, and so does the first with data (the
#    first alone may have reached no collector); the PDUs of the next
#    60 s do not, the first one past 60 s does again (and no other);
#  - no format or sequence error; every flow of the trickle arrives.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-sink nf-collect nf-compare
nf_workdir
P_COLLECT=2056 TRATE_MS=60000 PERIOD=3

nf_net_up
nf_bg ip netns exec $NF_NS "$NF_BIN/nf-sink" udp $NF_B4:5000 >"$W/sink.txt"
nf_collect_start "$W/collect.txt" 127.0.0.1:$P_COLLECT --first-seq 0
nf_load protocol=9 destination=127.0.0.1:$P_COLLECT inactive_timeout=1 \
	active_timeout=120 refresh_rate=65535 timeout_rate=1
nf_wait_udp 5000 $NF_NS
iptables-nft -w -I OUTPUT -o nfv0 -j NETFLOW || fail "iptables -j NETFLOW failed"

# nf_tpl_times FILE: the uptime (ms) of every PDU of FILE, then "T" if it
# carries templates
nf_tpl_times() {
	awk '$1 == "pdu" { for (i = 2; i <= NF; i++) if (index($i, "uptime=") == 1)
		print substr($i, 8) ($0 ~ / template_records=0 / ? "" : " T") }' "$1"
}

# the trickle, until a PDU is 60 s past the first (or 90 s have passed)
i=0
: >"$W/truth.txt"
while [ $i -lt $((90 / PERIOD)) ]; do
	"$NF_BIN/nf-send" udp $NF_B4:5000 count=1 size=10 sport=$((40000 + i)) \
		>>"$W/truth.txt" || fail "nf-send failed"
	sleep $PERIOD
	i=$((i + 1))
	awk -v trate=$TRATE_MS '$1 == "pdu" {
		for (k = 2; k <= NF; k++) if (index($k, "uptime=") == 1) u = substr($k, 8) + 0
		if (t0 == "") t0 = u; else if (u >= t0 + trate) past = 1
	} END { exit !past }' "$W/collect.txt" && break
done
nf_wait_snmp hashFlows -eq 0 5 || fail "the last flow was not exported"
iptables-nft -w -D OUTPUT -o nfv0 -j NETFLOW
sleep 1
nf_collect_stop "$W/collect.txt"
nf_tpl_times "$W/collect.txt" >"$W/times.txt"
read -r t0 _ <"$W/times.txt" || fail "no PDU in $((i * PERIOD)) s of trickle"
sayt "trickle of $i flows; first PDU at uptime $t0 ms"

nf_compare trickle "$W/truth.txt" "$W/collect.txt"
awk -v t0="$t0" -v trate=$TRATE_MS '
	NR == 1 && $2 != "T" { print "no templates in the first PDU"; bad = 1 }
	# the first PDU with data (the trickle begins at once: the second)
	NR == 2 && $2 != "T" { print "no templates with the first data"; bad = 1 }
	NR == 2 { t0 = $1; next }
	NR > 1 && $2 == "T" && !again && $1 < t0 + trate {
		print "templates again at +" $1 - t0 " ms, before the timeout"; bad = 1 }
	NR > 1 && !again && $1 >= t0 + trate {
		again = $1 - t0
		if ($2 != "T") { print "no templates in the first PDU past the timeout (+" again " ms)"; bad = 1 }
		next
	}
	NR > 1 && $2 == "T" && again { print "templates again at +" $1 - t0 " ms"; bad = 1 }
	END {
		if (!again) { print "no PDU past the timeout"; bad = 1 }
		printf "%d PDUs, templates again at +%d ms\n", NR, again
		exit bad
	}' "$W/times.txt" >"$W/check.txt" || {
	cat "$W/check.txt" >&2
	fail "templates not re-sent on timeout-rate alone"
}
# the system options template (260) goes with every template send
n260=$(grep -c '^options_template .* id=260 ' "$W/collect.txt")
[ "$n260" = 3 ] || fail "want options template 260 three times, got $n260"
sayt "$(tail -n 1 "$W/check.txt") (timeout-rate 1 min, refresh-rate 65535)"
sayt "OK"
