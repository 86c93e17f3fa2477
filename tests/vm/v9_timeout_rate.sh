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
#    first alone may have reached no collector);
#  - the timeout runs from the last template send of that opening (a
#    send error or refusal then asks for one more): the PDUs of the next
#    60 s carry none, the first one past 60 s does again (and no other);
#  - the system options template goes with every template send;
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

# nf_tpl_times FILE: a line per PDU of FILE: its uptime (ms), "T" if it
# carries templates (else "-"), "D" if it carries flows (else "-")
nf_tpl_times() {
	awk 'function out() { if (u != "") print u, t, d }
	$1 == "pdu" { out(); d = "-"
		for (i = 2; i <= NF; i++) if (index($i, "uptime=") == 1) u = substr($i, 8)
		t = $0 ~ / template_records=0 / ? "-" : "T" }
	$1 == "flow" { d = "D" }
	END { out() }' "$1"
}
# nf_tpl_ref: on nf_tpl_times lines, the uptime of the last template send
# up to the first PDU with flows (empty if no PDU had flows yet)
nf_tpl_ref() {
	awk '$2 == "T" { r = $1 } $3 == "D" { print r; exit }'
}

# the trickle, until a PDU is 60 s past the opening's templates (or 90 s
# have passed)
i=0
: >"$W/truth.txt"
while [ $i -lt $((90 / PERIOD)) ]; do
	"$NF_BIN/nf-send" udp $NF_B4:5000 count=1 size=10 sport=$((40000 + i)) \
		>>"$W/truth.txt" || fail "nf-send failed"
	sleep $PERIOD
	i=$((i + 1))
	nf_tpl_times "$W/collect.txt" >"$W/times.txt"
	ref=$(nf_tpl_ref <"$W/times.txt")
	[ -n "$ref" ] && awk -v last=$((ref + TRATE_MS)) '$1 >= last { past = 1 }
		END { exit !past }' "$W/times.txt" && break
done
nf_wait_snmp hashFlows -eq 0 5 || fail "the last flow was not exported"
iptables-nft -w -D OUTPUT -o nfv0 -j NETFLOW
sleep 1
nf_collect_stop "$W/collect.txt"
nf_tpl_times "$W/collect.txt" >"$W/times.txt"
read -r t0 _ <"$W/times.txt" || fail "no PDU in $((i * PERIOD)) s of trickle"
sayt "trickle of $i flows; first PDU at uptime $t0 ms"

nf_compare trickle "$W/truth.txt" "$W/collect.txt"
ref=$(nf_tpl_ref <"$W/times.txt")
[ -n "$ref" ] || fail "no PDU with flows"
awk -v ref="$ref" -v trate=$TRATE_MS '
	NR == 1 && $2 != "T" { print "no templates in the first PDU"; bad = 1 }
	$3 == "D" && !data++ && $2 != "T" {
		print "no templates with the first data"; bad = 1 }
	$1 <= ref { next }
	$2 == "T" && !again && $1 < ref + trate {
		print "templates again at +" $1 - ref " ms, before the timeout"; bad = 1 }
	!again && $1 >= ref + trate {
		again = $1 - ref
		if ($2 != "T") { print "no templates in the first PDU past the timeout (+" again " ms)"; bad = 1 }
		next
	}
	$2 == "T" && again { print "templates again at +" $1 - ref " ms"; bad = 1 }
	END {
		if (!again) { print "no PDU past the timeout"; bad = 1 }
		printf "%d PDUs, templates again at +%d ms after the last of the opening (uptime %d)\n", NR, again, ref
		exit bad
	}' "$W/times.txt" >"$W/check.txt" || {
	cat "$W/check.txt" >&2
	# what went out first, and why a send may have been redone
	grep '^pdu' "$W/collect.txt" | head -n 5 >&2
	grep -E '^(sock|Export|Errors)' /proc/net/stat/ipt_netflow >&2
	fail "templates not re-sent on timeout-rate alone"
}
# the system options template (260) goes with every template send
n260=$(grep -c '^options_template .* id=260 ' "$W/collect.txt")
nt=$(grep -c ' T ' "$W/times.txt")
[ "$n260" = "$nt" ] ||
	fail "options template 260 in $n260 PDUs, templates in $nt"
[ "$nt" -ge 3 ] || fail "templates in $nt PDUs, want 3 or more"
sayt "$(tail -n 1 "$W/check.txt") (timeout-rate 1 min, refresh-rate 65535)"
sayt "OK"
