#!/bin/bash
# End-to-end check of the test tools on the host's loopback, without the
# kernel module:
#
#   1. nf-send    -> wire (dumpcap on lo, tshark)      == nf-send ground truth
#   2. nf-craft   -> nfcapd -> nfdump -o csv           == ground truth (v5, v9, IPFIX)
#   3. same export capture -> tshark -T fields (v5) / -T pdml (all) == ground truth
#   4. nf-craft   -> nf-collect (live and --pcap)      == ground truth, no errors
#   5. nf-craft --gap -> nf-collect reports the sequence error and exits 1
#
# usage: e2e_host.sh [BINDIR]   (default: build/cmake/bin of this checkout)
# Needs root (capture on lo, raw sockets), nfdump, tshark/dumpcap, python3, ss.
# Exit: 0 ok, 1 failure, 77 skipped (missing root or tools).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/cmake/bin}
bin=$(cd "$bin" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
for t in nfcapd nfdump tshark dumpcap python3 ss; do
	command -v "$t" >/dev/null || skip "$t not installed"
done
for t in nf-send nf-sink nf-craft nf-collect nf-compare; do
	[ -x "$bin/$t" ] || { echo "FAIL: $bin/$t not built"; exit 1; }
done

work=$(mktemp -d /tmp/nf-e2e.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${KEEP:-}" ] && echo "work dir kept: $work" || rm -rf "$work"
}
trap cleanup EXIT

# Ports of this run (several sessions may share the machine).
base=$((20000 + $$ % 20000))
p_nfcapd=$base p_collect=$((base + 1)) p_sink=$((base + 2)) p_gap=$((base + 3))

passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { # check NAME CMD... : runs CMD, output to $work/NAME.out
	local name=$1; shift
	if "$@" >"$work/$name.out" 2>&1; then ok "$name"; else bad "$name"; sed 's/^/     /' "$work/$name.out"; fi
}

# start_capture FILE FILTER: dumpcap on lo in pcap format, waits until ready.
# dumpcap prints "Capturing on" before it opens the interface and "File:"
# only once the filter is attached and the file created: packets sent
# between the two were lost (CI saw the first exporter's PDUs missing).
start_capture() {
	dumpcap -i lo -f "$2" -P -w "$1" >"$1.log" 2>&1 &
	cap_pid=$!
	pids+=("$cap_pid")
	for _ in $(seq 100); do
		grep -q "^File: " "$1.log" && return 0
		sleep 0.1
	done
	echo "dumpcap did not start:"; cat "$1.log"; exit 1
}
# wait_udp PORT: until something listens on UDP PORT (nfcapd, nf-collect, nf-sink)
wait_udp() {
	for _ in $(seq 50); do
		ss -Hlun "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on udp port $1"; exit 1
}
stop_capture() {
	sleep 0.5
	kill -INT "$cap_pid"
	wait "$cap_pid" || true
}

echo "tools: $bin"
echo "nfdump $(nfdump -V 2>/dev/null | sed -n 's/.*Version: //p'), $(tshark --version 2>/dev/null | head -1)"

# ---------------------------------------------------------------- 1. nf-send
"$bin/nf-sink" udp "$p_sink" >"$work/sink.out" 2>"$work/sink.err" &
sink_pid=$!
pids+=("$sink_pid")
"$bin/nf-sink" udp6 "$p_sink" >"$work/sink6.out" 2>"$work/sink6.err" &
sink6_pid=$!
pids+=("$sink6_pid")
wait_udp "$p_sink"
start_capture "$work/send.pcap" "not udp port $p_nfcapd and not udp port $p_collect"
"$bin/nf-send" --interval-ms 0 \
	udp 127.0.0.2:$p_sink count=10 size=100 sport=40000 \
	udp 127.0.0.2:$p_sink count=2 size=1 ports=41000-41049 \
	tcp 127.0.0.2:9 count=5 size=200 syn fin sport=42000 \
	tcp 127.0.0.2:9 count=0 syn sport=42001 \
	icmp 127.0.0.2 count=3 size=56 id=77 \
	icmp 127.0.0.2 count=1 size=0 type=13 \
	udp6 [::1]:$p_sink count=4 size=10 sport=40001 \
	tcp6 [::1]:9 count=2 size=30 fin sport=42002 \
	icmp6 ::1 count=2 size=8 >"$work/send.truth"
stop_capture
kill "$sink_pid" "$sink6_pid"
wait "$sink_pid" "$sink6_pid" || true

# What crossed the wire, aggregated per flow in the truth format.
tshark -r "$work/send.pcap" -T fields -E separator=, -E occurrence=f \
	-e ip.proto -e ipv6.nxt -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
	-e tcp.srcport -e udp.srcport -e tcp.dstport -e udp.dstport \
	-e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code \
	-e ip.len -e ipv6.plen -e tcp.flags 2>/dev/null >"$work/wire.csv"
python3 - "$work/wire.csv" >"$work/wire.truth" <<'EOF'
import sys
flows = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split(",")
    if len(f) < 17:
        continue
    proto = int(f[0] or f[1])
    src, dst = f[2] or f[3], f[4] or f[5]
    sport, dport = int(f[6] or f[7] or 0), int(f[8] or f[9] or 0)
    it, ic = int(f[10] or f[12] or 0), int(f[11] or f[13] or 0)
    size = int(f[14]) if f[14] else int(f[15]) + 40
    if proto in (1, 58):
        sport, dport = 0, it * 256 + ic
    flags = int(f[16], 16) if f[16] else 0
    k = (proto, src, sport, dst, dport, it, ic)
    p, b, fl = flows.get(k, (0, 0, 0))
    flows[k] = (p + 1, b + size, fl | (flags & 0xff))
for (proto, src, sport, dst, dport, it, ic), (p, b, fl) in sorted(flows.items()):
    if proto not in (1, 58):
        it = ic = 0
    print(f"flow proto={proto} src={src} sport={sport} dst={dst} dport={dport} packets={p} bytes={b} "
          f"tcpflags=0x{fl:02x} icmp_type={it} icmp_code={ic}")
EOF
# replies (echo replies, RSTs) travel the other way: extra flows are fine
check send-vs-wire "$bin/nf-compare" --ignore-extra "$work/send.truth" "$work/wire.truth"
[ "$(grep -c '^flow ' "$work/send.truth")" = 58 ] && ok send-flow-count || bad "send-flow-count: $(grep -c '^flow ' "$work/send.truth") lines"
# the sinks saw every UDP datagram with the same IP-layer byte count
python3 - "$work/send.truth" "$work/sink.out" "$work/sink6.out" >"$work/sink-check.out" <<'EOF' && ok send-vs-sink || { bad send-vs-sink; cat "$work/sink-check.out"; }
import sys
def kv(l): return dict(x.split("=", 1) for x in l.split()[1:])
want = {}
for l in open(sys.argv[1]):
    d = kv(l)
    if d["proto"] == "17":
        want[(d["src"], d["sport"], d["dst"], d["dport"])] = (d["packets"], d["bytes"])
got = {}
for f in sys.argv[2:]:
    for l in open(f):
        d = kv(l)
        got[(d["src"], d["sport"], d["dst"], d["dport"])] = (d["packets"], d["bytes"])
if want != got:
    print("truth:", sorted(want.items())); print("sink:", sorted(got.items())); sys.exit(1)
EOF

# ---------------------------------------------------------------- export flows
# Ground truth for the export tests: nf-send --dry-run output (v4 + v6).
"$bin/nf-send" --dry-run --src 10.1.0.1 --src fd00:1::1 \
	udp 10.1.0.2:5000 count=10 size=100 sport=40000 \
	udp 10.1.0.2:5001 count=1 size=20 ports=30000-30039 \
	tcp 10.1.0.2:80 count=5 size=200 syn fin sport=40001 \
	icmp 10.1.0.2 count=3 size=56 \
	icmp 10.1.0.2 count=1 size=28 type=3 code=3 \
	udp6 [fd00:1::2]:5000 count=4 size=10 sport=40002 \
	tcp6 [fd00:1::2]:443 count=2 size=30 syn sport=40003 \
	icmp6 fd00:1::2 count=2 size=8 >"$work/export.truth"
grep -v 'src=fd00' "$work/export.truth" >"$work/export4.truth"
# what each collector must show: v5 carries the IPv4 flows, v9 and IPFIX all
cat "$work/export4.truth" "$work/export.truth" "$work/export.truth" >"$work/expected.truth"

# ---------------------------------------------------------------- 2. nfcapd
mkdir "$work/nfcapd"
nfcapd -p "$p_nfcapd" -b 127.0.0.1 -w "$work/nfcapd" >"$work/nfcapd.log" 2>&1 &
nfcapd_pid=$!
pids+=("$nfcapd_pid")
start_capture "$work/export.pcap" "udp port $p_nfcapd"
wait_udp "$p_nfcapd"
"$bin/nf-craft" -d 127.0.0.1:$p_nfcapd --split 2 "$work/export4.truth" >"$work/craft5.out"
"$bin/nf-craft" -V 9 -d 127.0.0.1:$p_nfcapd --engine-id 1 -n 20 "$work/export.truth" >"$work/craft9.out"
"$bin/nf-craft" -V 10 -d 127.0.0.1:$p_nfcapd --engine-id 2 -n 20 "$work/export.truth" >"$work/craft10.out"
stop_capture
kill -TERM "$nfcapd_pid"
wait "$nfcapd_pid" || true
nffile=$(ls "$work"/nfcapd/nfcapd.2* 2>/dev/null | head -1)
if [ -z "$nffile" ]; then
	bad "nfcapd wrote no file"; cat "$work/nfcapd.log"
else
	nfdump -r "$nffile" -o csv >"$work/nfdump.csv" 2>"$work/nfdump.err"
	check nfdump-csv "$bin/nf-compare" -f nfdump-csv "$work/expected.truth" "$work/nfdump.csv"
	grep -q "Sequence Errors: 0, Bad Packets: 0" "$work/nfcapd.log" && ok nfcapd-no-errors ||
		{ bad nfcapd-no-errors; tail -5 "$work/nfcapd.log"; }
fi

# ---------------------------------------------------------------- 3. tshark
tshark -r "$work/export.pcap" -d udp.port==$p_nfcapd,cflow -Y cflow.version==5 \
	-T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, \
	-e frame.number -e cflow.version -e cflow.srcaddr -e cflow.srcaddrv6 \
	-e cflow.dstaddr -e cflow.dstaddrv6 -e cflow.srcport -e cflow.dstport -e cflow.protocol \
	-e cflow.packets -e cflow.octets -e cflow.tcpflags -e cflow.icmp_type_code_ipv4 \
	-e cflow.icmp_ipv4_type -e cflow.icmp_ipv4_code -e cflow.icmp_ipv6_type -e cflow.icmp_ipv6_code \
	2>/dev/null >"$work/tshark-v5.txt"
check tshark-fields-v5 "$bin/nf-compare" -f tshark "$work/export4.truth" "$work/tshark-v5.txt"
tshark -r "$work/export.pcap" -d udp.port==$p_nfcapd,cflow -T pdml -Y cflow 2>/dev/null >"$work/tshark.pdml"
check tshark-pdml "$bin/nf-compare" -f tshark-pdml "$work/expected.truth" "$work/tshark.pdml"

# ---------------------------------------------------------------- 4. nf-collect
check nf-collect-pcap "$bin/nf-collect" --pcap "$work/export.pcap" --port "$p_nfcapd" -o "$work/collect-pcap.txt"
check nf-collect-pcap-compare "$bin/nf-compare" "$work/expected.truth" "$work/collect-pcap.txt"

"$bin/nf-collect" -l 127.0.0.1:$p_collect --timeout 3 --first-seq 0 -o "$work/collect.txt" 2>"$work/collect.err" &
collect_pid=$!
pids+=("$collect_pid")
wait_udp "$p_collect"
"$bin/nf-craft" -d 127.0.0.1:$p_collect --split 3 -n 7 "$work/export4.truth" >/dev/null
"$bin/nf-craft" -V 9 -d 127.0.0.1:$p_collect --engine-id 1 -n 9 --split 2 "$work/export.truth" >/dev/null
"$bin/nf-craft" -V 10 -d 127.0.0.1:$p_collect --engine-id 2 -n 11 "$work/export.truth" >/dev/null
if wait "$collect_pid"; then ok nf-collect-live-no-errors; else bad nf-collect-live-no-errors; grep -E '^(error|summary)' "$work/collect.txt" | head; fi
check nf-collect-live-compare "$bin/nf-compare" "$work/expected.truth" "$work/collect.txt"

# ---------------------------------------------------------------- 5. seq gap
"$bin/nf-collect" -l 127.0.0.1:$p_gap --count 2 --timeout 3 -q -o "$work/gap.txt" 2>/dev/null &
gap_pid=$!
pids+=("$gap_pid")
wait_udp "$p_gap"
"$bin/nf-craft" -d 127.0.0.1:$p_gap -n 30 --gap 5 "$work/export4.truth" >/dev/null
rc=0
wait "$gap_pid" || rc=$?
if [ $rc = 1 ] && grep -q 'kind=seq .*msg="sequence 35, expected 30 (5 missing)"' "$work/gap.txt"; then
	ok nf-collect-detects-gap
else
	bad "nf-collect-detects-gap (rc=$rc)"; cat "$work/gap.txt"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
