# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the VM tests, sourced by tests/vm/*.sh inside the bench VM
# (scripts/vm-run).  The guest sees the host root read-only; /tmp, /run and
# $VM_OUT are writable.
#
#   NF_BUILD   where the builds are (default $REPO/build): the module is
#              $NF_BUILD/$(uname -r)/ipt_NETFLOW.ko, the extensions are in
#              $NF_BUILD/xtables
#   NF_KO      the module file (overrides the above)

# A test whose first line asks for bash gets bash, whichever shell runs it
# (run-suite.sh starts every test with sh).
if [ -z "${BASH_VERSION:-}" ] && [ -f "$0" ] &&
	read -r nf_shebang <"$0" && [ "${nf_shebang#\#!*bash}" != "$nf_shebang" ]; then
	exec bash "$0" "$@"
fi

REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
NF_BUILD=${NF_BUILD:-$REPO/build}
NF_KO=${NF_KO:-$NF_BUILD/$(uname -r)/ipt_NETFLOW.ko}
NF_STAT=/proc/net/stat/ipt_netflow
export REPO NF_BUILD NF_KO

# NF_TIME_SCALE: factor on every time limit of the suite (a test's timeout
# in run-suite.sh, the nf_wait_* limits).  The debug kernel of make
# check-full (KASAN, lockdep, kmemleak, all under TCG) runs 5 to 10 times
# slower than the stock kernels: 8 there, 1 elsewhere.
case $(uname -r) in
*-debug) NF_TIME_SCALE=${NF_TIME_SCALE:-8} ;;
esac
NF_TIME_SCALE=${NF_TIME_SCALE:-1}
export NF_TIME_SCALE

sys_xtlibdir=$(pkg-config --variable=xtlibdir xtables 2>/dev/null)
: "${sys_xtlibdir:=/usr/lib/x86_64-linux-gnu/xtables}"
XTABLES_LIBDIR=$NF_BUILD/xtables:$sys_xtlibdir
export XTABLES_LIBDIR

# nf_rps_ok: the kernel may steer received packets to another CPU (RPS)
# without a warning of its own.  On PREEMPT_RT before 6.10, RPS's IPI
# raises NET_RX inside flush_smp_call_function_queue(), and when an idle
# CPU runs that queue from do_idle() the kernel warns (WARN_ON_ONCE in
# do_softirq_post_smp_call_flush, kernel/softirq.c; seen on 6.1-rt as
# cpu1 came back online).  6.10 moved RT's backlog into threads.
nf_rps_ok() {
	case $(uname -v) in *PREEMPT_RT*) ;; *) return 0 ;; esac
	set -- $(uname -r | tr '.-' '  ')
	[ $(($1 * 100 + $2)) -ge 610 ]
}

# both iptables back ends; tests loop over them
NF_BACKENDS="nft legacy"

say() { echo "${0##*/}: $*"; }
fail() {
	echo "${0##*/}: FAIL: $*" >&2
	exit 1
}

# kernel modules the tests need besides the module's own dependencies
# (the iptables-legacy tables load on demand, and are unloaded by
# nf_cleanup so that iptables-nft does not warn about them)
NF_KMODS="x_tables ip_tables ip6_tables nf_conntrack nf_nat nf_tables
	nft_compat veth"
NF_LEGACY_KMODS="iptable_filter iptable_mangle iptable_raw iptable_nat
	iptable_security ip6table_filter ip6table_mangle ip6table_raw
	ip6table_nat ip6table_security"

# (builtins only where cheap matters: every exec is slow under TCG)
nf_loaded() { [ -d /sys/module/ipt_NETFLOW ]; }

# nf_try_load [param=value...]: load the module under test (after what it
# needs); returns insmod's status
nf_try_load() {
	[ -f "$NF_KO" ] || fail "$NF_KO missing (make modules-all)"
	nf_loaded && nf_unload
	if [ -z "${nf_deps_done:-}" ]; then
		# shellcheck disable=SC2046 # lists
		modprobe -a $NF_KMODS $(modinfo -F depends "$NF_KO" | tr ',' ' ') ||
			fail "modprobe of the dependencies failed"
		nf_deps_done=1
	fi
	insmod "$NF_KO" "$@"
}

# nf_load [param=value...]: load the module under test, or fail
nf_load() {
	nf_try_load "$@" || fail "insmod $NF_KO $* failed"
	nf_loaded || fail "ipt_NETFLOW not in /proc/modules after insmod"
}

# nf_load_v6 [param=value...]: load with an export protocol that carries
# IPv6 (IPFIX, else v9): ip6tables rules are refused under protocol 5.
# Sets NF_V6=1; if the module takes neither yet, loads it with its default
# protocol and sets NF_V6=0: tests then check the refusal and skip the rest
# of their IPv6 part, saying so.
nf_load_v6() {
	for p in 10 9; do
		if nf_try_load protocol=$p "$@" 2>/dev/null; then
			NF_V6=1
			return 0
		fi
	done
	NF_V6=0
	nf_load "$@"
	say "SKIP IPv6 parts: the module takes neither protocol=10 nor" \
		"protocol=9 yet"
}

# nf_v6_refused IP6TABLES: under protocol 5 an ip6tables rule is refused
nf_v6_refused() {
	! $1 -w -I OUTPUT -j NETFLOW 2>/dev/null ||
		fail "$1 -j NETFLOW accepted under protocol 5"
}

# nf_unload: remove the module; rules referencing it must be gone first.
# nft_compat drops its module reference after the transaction commits,
# so allow a moment.
nf_unload() {
	nf_loaded || return 0
	local i=0
	while ! rmmod ipt_NETFLOW 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 50 ]; then
			rmmod ipt_NETFLOW ||
				fail "rmmod ipt_NETFLOW failed (refcnt" \
					"$(cat /sys/module/ipt_NETFLOW/refcnt))"
		fi
		sleep 0.1
	done
	! nf_loaded || fail "ipt_NETFLOW still loaded after rmmod"
}

# nf_refcnt: the module's reference count (rules using the target)
nf_refcnt() {
	read -r r </sys/module/ipt_NETFLOW/refcnt && echo "$r"
}

# nf_wait_refcnt N: wait (up to 5 s) until the refcount is N
nf_wait_refcnt() {
	local i=0
	while [ "$(nf_refcnt)" != "$1" ]; do
		i=$((i + 1))
		[ $i -lt $((50 * NF_TIME_SCALE)) ] || return 1
		sleep 0.1
	done
}

# nf_ipt BACKEND 4|6: the iptables binary of that back end and family
nf_ipt() {
	case $2 in
	4) echo "iptables-$1" ;;
	6) echo "ip6tables-$1" ;;
	esac
}

# nf_flush_all: remove every rule and user chain of both back ends, in
# the tables that exist (listing a legacy table would load it)
nf_flush_all() {
	for f in "" 6; do
		ipt=ip${f}tables-nft
		for t in $($ipt-save 2>/dev/null | sed -n 's/^\*//p'); do
			$ipt -w -t "$t" -F
			$ipt -w -t "$t" -X
		done
		ipt=ip${f}tables-legacy
		[ -r /proc/net/ip${f}_tables_names ] || continue
		for t in $(cat /proc/net/ip${f}_tables_names); do
			$ipt -w -t "$t" -F
			$ipt -w -t "$t" -X
		done
	done
	return 0
}

# nf_count_rules IPT: count "-j NETFLOW" rules in every table
nf_count_rules() {
	local n=0 t c
	for t in raw mangle filter nat; do
		c=$($1 -w -t "$t" -S 2>/dev/null | grep -c -- '-j NETFLOW')
		n=$((n + c))
	done
	echo "$n"
}

# nf_stat_pkts: packets the module counted ("Total" line, "traffic: <pkt,")
nf_stat_pkts() {
	local v
	[ -r "$NF_STAT" ] || fail "$NF_STAT missing"
	v=$(awk '/^Total/ && match($0, /traffic: *[0-9]+/) {
		s = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); print s
	}' "$NF_STAT")
	[ -n "$v" ] || {
		cat "$NF_STAT" >&2
		fail "no 'Total ... traffic: <pkt>, <bytes>' line in $NF_STAT"
	}
	echo "$v"
}

# nf_ping [ping args] HOST: ping with iputils if present, else busybox
nf_ping() {
	if command -v ping >/dev/null; then
		ping "$@"
	else
		busybox ping "$@"
	fi
}

# nf_ping_exact N HOST [NETNS]: send N echo requests, fail unless all N
# replies came back
nf_ping_exact() {
	out=$(nf_ping -c "$1" -i 0.2 -W 5 -q "$2" 2>&1)
	rx=$(echo "$out" | sed -n 's/.* \([0-9]*\) \(packets \)\{0,1\}received.*/\1/p')
	[ "$rx" = "$1" ] || {
		echo "$out" >&2
		fail "ping $2: sent $1, got ${rx:-no} replies"
	}
}

# nf_kmsg_mark TEXT: put a marker into the kernel log
nf_kmsg_mark() { echo "nf-test: $*" >/dev/kmsg; }

# nf_dmesg_since TEXT: kernel log after the last marker TEXT
nf_dmesg_since() {
	dmesg | awk -v m="nf-test: $1" 'index($0, m) { buf = ""; on = 1; next }
		on { buf = buf $0 "\n" } END { printf "%s", buf }'
}

# nf_dmesg_clean MARK: fail if the kernel log since marker MARK shows a
# problem (scripts/dmesg-check: BUG, WARNING, Oops, KASAN, UBSAN, kmemleak,
# lockups...); the log is kept in $W/dmesg.txt
nf_dmesg_clean() {
	nf_dmesg_since "$1" >"$W/dmesg.txt"
	"$REPO/scripts/dmesg-check" "$W/dmesg.txt" >"$W/dmesg-bad.txt" || {
		cat "$W/dmesg-bad.txt" >&2
		fail "the kernel log since '$1' shows a problem (above)"
	}
}

# kmemleak, where the kernel has it (the debug kernel): nf_kmemleak_clear
# forgets what it suspected so far, nf_kmemleak_scan scans now (a new
# suspect logs "kmemleak: N new suspected memory leaks", which
# nf_dmesg_clean finds); both return 1 without kmemleak
NF_KMEMLEAK=/sys/kernel/debug/kmemleak
nf_kmemleak() {
	[ -w $NF_KMEMLEAK ] ||
		{ mount -t debugfs none /sys/kernel/debug 2>/dev/null &&
			[ -w $NF_KMEMLEAK ]; } || return 1
	echo "$1" >$NF_KMEMLEAK
}
nf_kmemleak_clear() { nf_kmemleak clear; }
nf_kmemleak_scan() { nf_kmemleak scan; }

# The module's slab caches.  nf_slab_state (while loaded): "NAME:own" for
# a cache of its own (in /proc/slabinfo), "NAME:merged" for one SLUB merged
# into another (only an alias link in /sys/kernel/slab), "NAME:none".
# nf_slab_gone STATE (after rmmod): fail if /proc/slabinfo lists one, or
# one that was its own is still in /sys/kernel/slab.  (SLUB leaves the
# alias link of a merged cache behind, and does not check a merged cache
# for objects left on destroy: boot with slab_nomerge for that.  A cache
# of its own destroyed with objects left logs "Objects remaining" and a
# WARNING, which nf_dmesg_clean finds; 6.1 also keeps it listed, 6.12
# drops it from the lists.)
NF_SLABS="ipt_netflow4 ipt_netflow4o ipt_netflow6"
nf_slab_state() {
	for c in $NF_SLABS; do
		if [ -L /sys/kernel/slab/$c ]; then
			echo "$c:merged"
		elif [ -e /sys/kernel/slab/$c ] ||
			grep -q "^$c " /proc/slabinfo; then
			echo "$c:own"
		else
			echo "$c:none"
		fi
	done
}
nf_slab_gone() {
	! grep "^ipt_netflow" /proc/slabinfo >&2 ||
		fail "slab caches left in /proc/slabinfo after rmmod (above)"
	for c in $1; do
		[ "${c#*:}" != own ] || [ ! -e "/sys/kernel/slab/${c%:*}" ] ||
			fail "slab cache ${c%:*} left in /sys/kernel/slab after rmmod"
	done
}

# test network: veth nfv0 (here) <-> nfv1 (netns nfns), documentation
# prefixes only
NF_NS=nfns
NF_A4=192.0.2.1 NF_B4=192.0.2.2
NF_A6=2001:db8:f10::1 NF_B6=2001:db8:f10::2
nf_net_up() {
	ip netns add $NF_NS || fail "ip netns add"
	ip link add nfv0 type veth peer name nfv1 || fail "ip link add veth"
	ip link set nfv1 netns $NF_NS
	ip -n $NF_NS link set lo up
	ip addr add $NF_A4/24 dev nfv0
	ip -6 addr add $NF_A6/64 dev nfv0 nodad
	ip -n $NF_NS addr add $NF_B4/24 dev nfv1
	ip -n $NF_NS -6 addr add $NF_B6/64 dev nfv1 nodad
	ip link set nfv0 up
	ip -n $NF_NS link set nfv1 up
	# first contact resolves neighbours; tests then count only echo
	nf_ping -c 1 -W 5 $NF_B4 >/dev/null 2>&1
	nf_ping -6 -c 1 -W 5 $NF_B6 >/dev/null 2>&1
	return 0
}
nf_net_down() {
	ip link del nfv0 2>/dev/null
	ip netns del $NF_NS 2>/dev/null
	return 0
}

# nf_router_peer NS DEV PEERDEV ADDR4 PEER4 ADDR6 PEER6: netns NS joined
# to this namespace (the router) by veth DEV <-> PEERDEV, ADDR4/ADDR6 here,
# PEER4/PEER6 there, NS's default routes via here; static neighbours both
# ways, so no ARP or ND runs during a test.  nf_router_down NS... undoes.
nf_router_peer() {
	ip netns add "$1" || fail "ip netns add $1"
	ip link add "$2" type veth peer name "$3" || fail "veth $2"
	ip link set "$3" netns "$1"
	ip addr add "$4/24" dev "$2"
	ip -6 addr add "$6/64" dev "$2" nodad
	ip -n "$1" addr add "$5/24" dev "$3"
	ip -n "$1" -6 addr add "$7/64" dev "$3" nodad
	ip link set "$2" up
	ip -n "$1" link set lo up
	ip -n "$1" link set "$3" up
	ip -n "$1" route add default via "$4"
	ip -n "$1" -6 route add default via "$6"
	m=$(cat /sys/class/net/"$2"/address)
	p=$(ip netns exec "$1" cat /sys/class/net/"$3"/address)
	ip neigh replace "$5" lladdr "$p" dev "$2" nud permanent
	ip -6 neigh replace "$7" lladdr "$p" dev "$2" nud permanent
	ip -n "$1" neigh replace "$4" lladdr "$m" dev "$3" nud permanent
	ip -n "$1" -6 neigh replace "$6" lladdr "$m" dev "$3" nud permanent
	sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}
nf_router_down() {
	for ns; do
		ip netns del "$ns" 2>/dev/null
	done
	nft flush ruleset 2>/dev/null
	sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
	return 0
}

# NAT router: this namespace routes between a client netns and a server
# netns and translates what goes out to the server (nat_events.sh,
# fields_nat.sh...).  Documentation prefixes; the server has no route back
# to the client: only the MASQUERADE lets replies return.
#   family 4: netns natc (client NF_NAT_C4) and nats (server NF_NAT_S4),
#     veth nc0 (here, NF_NAT_RC4) <-> nc1 (natc) and ns0 (here,
#     NF_NAT_RS4) <-> ns1 (nats), /24; iptables-nft; net.ipv4.ip_forward
#   family 6: netns nat6c, nat6s, veth n6c0 <-> n6c1, n6s0 <-> n6s1, the
#     NF_NAT_*6 addresses, /64 nodad; ip6tables-nft;
#     net.ipv6.conf.all.forwarding
# nf_nat_router_up 4|6 [OPTION...]: builds that, lo up in both netns, the
# client's default route via RC, forwarding 1, and in the nat table
# "POSTROUTING -o ns0 (n6s0) -j MASQUERADE" (the server sees RS as the
# source).  Options:
#   dnat  also "PREROUTING -i nc0 (n6c0) -p tcp --dport 8080 -j DNAT" to
#         SERVER:5000 (the client reaches the server at RC:8080)
#   tcp   a TCP server in the server netns, nc -lk on port 5000 (nf_bg; its
#         pid in NF_NAT_SRV; not waited for)
#   udp   nf-sink on SERVER:5001 in the server netns (nf_bg), bound when
#         this returns
#   ping  then one echo from the client to the server through the NAT
#         (neighbours resolved), or fail
#   pin   those servers run on CPU 0 (taskset -c 0)
# Fails if it cannot add a netns, a veth or a rule.  Without "ping" no
# packet has crossed yet (neighbours unresolved).  Its variables are
# nfn_*; "udp" also sets i (nf_wait_bound).
# nf_nat_router_down 4|6: flushes that family's nat table, forwarding 0,
# veths and netns gone; stops no server (nf_bg_stop, or nf_workdir's exit
# trap); safe after a partial setup or none.
NF_NAT_C4=198.51.100.2 NF_NAT_RC4=198.51.100.1
NF_NAT_RS4=203.0.113.1 NF_NAT_S4=203.0.113.2
NF_NAT_C6=2001:db8:1::2 NF_NAT_RC6=2001:db8:1::1
NF_NAT_RS6=2001:db8:2::1 NF_NAT_S6=2001:db8:2::2
# nf_nat_family 4|6: the names and addresses of that family, in nfn_*
nf_nat_family() {
	case $1 in
	4)
		nfn_c=natc nfn_s=nats nfn_cd=nc nfn_sd=ns
		nfn_rc=$NF_NAT_RC4 nfn_rs=$NF_NAT_RS4
		nfn_cl=$NF_NAT_C4 nfn_sv=$NF_NAT_S4 nfn_svp=$NF_NAT_S4
		nfn_len=24 nfn_nodad='' nfn_x='' nfn_udp=udp
		nfn_ipt=iptables-nft nfn_fwd=/proc/sys/net/ipv4/ip_forward
		;;
	6)
		nfn_c=nat6c nfn_s=nat6s nfn_cd=n6c nfn_sd=n6s
		nfn_rc=$NF_NAT_RC6 nfn_rs=$NF_NAT_RS6
		nfn_cl=$NF_NAT_C6 nfn_sv=$NF_NAT_S6 nfn_svp="[$NF_NAT_S6]"
		nfn_len=64 nfn_nodad=nodad nfn_x=-6 nfn_udp=udp6
		nfn_ipt=ip6tables-nft
		nfn_fwd=/proc/sys/net/ipv6/conf/all/forwarding
		;;
	*) fail "NAT router: family 4 or 6, not '$1'" ;;
	esac
}
# (nfn_nodad, nfn_x and nfn_pin are empty or words: unquoted on purpose)
# shellcheck disable=SC2086
nf_nat_router_up() {
	nf_nat_family "$1"
	shift
	nfn_dnat=0 nfn_tcp=0 nfn_sink=0 nfn_ping=0 nfn_pin=''
	for nfn_o; do
		case $nfn_o in
		dnat) nfn_dnat=1 ;;
		tcp) nfn_tcp=1 ;;
		udp) nfn_sink=1 ;;
		ping) nfn_ping=1 ;;
		pin) nfn_pin="taskset -c 0" ;;
		*) fail "nf_nat_router_up: no option '$nfn_o'" ;;
		esac
	done
	{ ip netns add $nfn_c && ip netns add $nfn_s; } || fail "ip netns add"
	{ ip link add ${nfn_cd}0 type veth peer name ${nfn_cd}1 &&
		ip link add ${nfn_sd}0 type veth peer name ${nfn_sd}1; } ||
		fail "ip link add"
	ip link set ${nfn_cd}1 netns $nfn_c && ip link set ${nfn_sd}1 netns $nfn_s
	ip addr add $nfn_rc/$nfn_len dev ${nfn_cd}0 $nfn_nodad &&
		ip addr add $nfn_rs/$nfn_len dev ${nfn_sd}0 $nfn_nodad
	ip link set ${nfn_cd}0 up && ip link set ${nfn_sd}0 up
	ip -n $nfn_c addr add $nfn_cl/$nfn_len dev ${nfn_cd}1 $nfn_nodad &&
		ip -n $nfn_c link set ${nfn_cd}1 up
	ip -n $nfn_c link set lo up
	ip -n $nfn_c $nfn_x route add default via $nfn_rc
	ip -n $nfn_s addr add $nfn_sv/$nfn_len dev ${nfn_sd}1 $nfn_nodad &&
		ip -n $nfn_s link set ${nfn_sd}1 up
	ip -n $nfn_s link set lo up
	echo 1 >$nfn_fwd
	$nfn_ipt -w -t nat -A POSTROUTING -o ${nfn_sd}0 -j MASQUERADE ||
		fail "$nfn_ipt: MASQUERADE rule"
	[ $nfn_dnat = 0 ] ||
		$nfn_ipt -w -t nat -A PREROUTING -i ${nfn_cd}0 -p tcp --dport 8080 \
			-j DNAT --to-destination "$nfn_svp:5000" ||
		fail "$nfn_ipt: DNAT rule"
	if [ $nfn_tcp = 1 ]; then
		nf_bg ip netns exec $nfn_s $nfn_pin nc $nfn_x -lk 5000
		NF_NAT_SRV=$NF_PID
	fi
	if [ $nfn_sink = 1 ]; then
		nf_bg ip netns exec $nfn_s $nfn_pin "$NF_BIN/nf-sink" \
			$nfn_udp "$nfn_svp:5001"
		nf_wait_bound /proc/net/$nfn_udp 5001 $nfn_s
	fi
	[ $nfn_ping = 0 ] ||
		ip netns exec $nfn_c ping $nfn_x -c 1 -W 5 $nfn_sv >/dev/null ||
		fail "ping through the NAT failed"
	return 0
}
# shellcheck disable=SC2086
nf_nat_router_down() {
	nf_nat_family "$1"
	$nfn_ipt -w -t nat -F 2>/dev/null
	echo 0 >$nfn_fwd
	ip link del ${nfn_cd}0 2>/dev/null
	ip link del ${nfn_sd}0 2>/dev/null
	ip netns del $nfn_c 2>/dev/null
	ip netns del $nfn_s 2>/dev/null
	return 0
}

# nf_conntrack_listen FILE: `conntrack -E` in the background (nf_bg), every
# event a line of FILE as it comes; returns once its NETLINK_NETFILTER
# socket has joined the event groups (/proc/net/netlink: protocol 12,
# groups, its inode), so it misses no event after this, or fails after
# 10 s.  Its pid in NF_CT_PID (nf_bg_stop).  (It may load
# nf_conntrack_netlink on demand.)
nf_conntrack_listen() {
	nf_bg sh -c 'exec stdbuf -oL conntrack -E >"$1" 2>&1' sh "$1"
	NF_CT_PID=$NF_PID
	local i=0
	while :; do
		nfc_ino=$(ls -l /proc/$NF_CT_PID/fd 2>/dev/null |
			sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
		awk -v ino=" $nfc_ino" '$2 == 12 && $4 != "00000000" &&
			index(ino, " " $10 " ") { f = 1 } END { exit !f }' \
			/proc/net/netlink && return 0
		i=$((i + 1))
		[ $i -lt $((100 * NF_TIME_SCALE)) ] ||
			fail "conntrack -E did not subscribe to conntrack events"
		sleep 0.1
	done
}

# nf_refusing_dests FIRST N: a destination list of FIRST and N collectors
# on 127.0.0.1:30001.. where nothing listens (they refuse every PDU with
# an ICMP port unreachable, which makes the export slow)
nf_refusing_dests() {
	d=$1 p=30001
	while [ $p -le $((30000 + $2)) ]; do
		d="$d,127.0.0.1:$p"
		p=$((p + 1))
	done
	echo "$d"
}

# nf_cleanup: leave nothing behind for the next test
nf_cleanup() {
	nf_flush_all
	nf_net_down
	nf_unload
	for m in $NF_LEGACY_KMODS; do
		[ ! -d "/sys/module/$m" ] || rmmod "$m" 2>/dev/null
	done
	return 0
}

# ---- export tests (v5_*.sh): collectors, tools, statistics -------------
# The test tools (tests/tools, built by cmake into build/cmake/bin)
NF_BIN=${NF_BIN:-$REPO/build/cmake/bin}

# nf_need_tools TOOL...: fail unless our tools / collectors are there
nf_need_tools() {
	for t; do
		case $t in
		nf-*) [ -x "$NF_BIN/$t" ] ||
			fail "$NF_BIN/$t missing (cmake -S tests -B build/cmake &&" \
				"cmake --build build/cmake)" ;;
		*) command -v "$t" >/dev/null || fail "$t not installed" ;;
		esac
	done
}

# nf_workdir: W=/tmp/<test>, fresh; background jobs started with nf_bg
# are stopped at exit, then NF_ON_EXIT (shell code) runs, and W is copied
# to $VM_OUT/work/<test> for a look after the run
nf_workdir() {
	W=/tmp/${0##*/}
	W=${W%.sh}
	rm -rf "$W"
	mkdir -p "$W" || fail "cannot create $W"
	NF_BG=
	read -r NF_T0 _ </proc/uptime
	NF_T0=${NF_T0%.*}${NF_T0#*.}	# centiseconds
	trap nf_exit_trap EXIT
}
nf_exit_trap() {
	rc=$?
	nf_bg_stop_all
	[ -z "${NF_ON_EXIT:-}" ] || eval "$NF_ON_EXIT"
	if [ -n "${VM_OUT:-}" ] && [ -d "$W" ]; then
		rm -rf "$VM_OUT/work/${W##*/}"
		mkdir -p "$VM_OUT/work" && cp -r "$W" "$VM_OUT/work/" 2>/dev/null
	fi
	exit $rc
}

# nf_bg CMD...: start CMD in the background, remember it in NF_BG; its pid
# is in $NF_PID
nf_bg() {
	"$@" &
	NF_PID=$!
	NF_BG="$NF_BG $NF_PID"
}
# nf_bg_stop PID [SIGNAL]: stop one background job, wait for it, return its
# exit status (a job killed by our signal counts as 0)
nf_bg_stop() {
	local r
	kill -"${2:-TERM}" "$1" 2>/dev/null
	wait "$1" 2>/dev/null	# (no "Terminated" from the shell)
	r=$?
	NF_BG=$(echo "$NF_BG" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
	case $r in 143 | 130) r=0 ;; esac
	return $r
}
nf_bg_stop_all() {
	# nfacctd ends on SIGINT only (it ignores SIGTERM)
	case " $NF_BG " in
	*" ${NF_NFACCTD_PID:-none} "*) kill -INT "$NF_NFACCTD_PID" 2>/dev/null ;;
	esac
	for p in $NF_BG; do kill "$p" 2>/dev/null; done
	for p in $NF_BG; do wait "$p" 2>/dev/null; done
	NF_BG=
}

# sayt MESSAGE: say, with the seconds since nf_workdir (no exec)
sayt() {
	read -r t _ </proc/uptime
	t=$((${t%.*}${t#*.} - ${NF_T0:-0}))
	echo "${0##*/} [+$((t / 100)).$((t / 10 % 10))s]: $*"
}

# nf_now_ms: wall-clock time in milliseconds
nf_now_ms() { date +%s%3N; }

# nf_wait_udp PORT [NETNS]: wait (up to 10 s) until a socket is bound to UDP
# PORT (in NETNS); nf_wait_udp6 the same for an IPv6 socket
nf_wait_udp() { nf_wait_bound /proc/net/udp "$@"; }
nf_wait_udp6() { nf_wait_bound /proc/net/udp6 "$@"; }
nf_wait_bound() {
	local hex i=0
	hex=$(printf ':%04X ' "$2")
	while :; do
		if [ -n "${3:-}" ]; then
			ip netns exec "$3" cat "$1"
		else
			cat "$1"
		fi | grep -q "^ *[0-9]*: [0-9A-F]*$hex" && return 0
		i=$((i + 1))
		[ $i -lt $((100 * NF_TIME_SCALE)) ] ||
			fail "nothing listens on udp port $2 ${3:-}"
		sleep 0.1
	done
}

# nf_collect_start OUT ADDR:PORT [ARGS]: nf-collect writing to OUT (ADDR
# may be [v6]); pid in NF_COLLECT_PID.  nf_collect_stop OUT [PID]: end it
# (or the one with PID); fails on decoding or sequence errors.
nf_collect_start() {
	o=$1 a=$2
	shift 2
	nf_bg "$NF_BIN/nf-collect" -l "$a" -o "$o" "$@"
	NF_COLLECT_PID=$NF_PID
	case $a in
	\[*) nf_wait_udp6 "${a##*:}" ;;
	*) nf_wait_udp "${a##*:}" ;;
	esac
}
nf_collect_stop() {
	nf_bg_stop "${2:-$NF_COLLECT_PID}" || {
		grep -E '^(error|warning|summary)' "$1" | head -n 20 >&2
		fail "nf-collect found format or sequence errors (see above)"
	}
	grep -q '^summary .* seq_errors=0 format_errors=0 ' "$1" || {
		tail -n 3 "$1" >&2
		fail "nf-collect: no clean summary line in $1"
	}
}

# nf_nfcapd_start DIR PORT: nfcapd on 127.0.0.1:PORT writing into DIR, its
# messages into DIR.log
# nf_nfcapd_stop: SIGTERM closes the file; its name is in NF_NFCAPD_FILE
nf_nfcapd_start() {
	mkdir -p "$1"
	# nfcapd starts a new file at each multiple of -t (UTC): with a day,
	# a test no longer splits its records over two files at the hour
	nf_bg nfcapd -p "$2" -b 127.0.0.1 -w "$1" -t 86400 >"$1.log" 2>&1
	NF_NFCAPD_PID=$NF_PID NF_NFCAPD_DIR=$1
	nf_wait_udp "$2"
}
nf_nfcapd_stop() {
	nf_bg_stop "$NF_NFCAPD_PID"
	NF_NFCAPD_FILE=$(ls "$NF_NFCAPD_DIR"/nfcapd.2* 2>/dev/null | head -n 1)
	[ -n "$NF_NFCAPD_FILE" ] || fail "nfcapd wrote no file in $NF_NFCAPD_DIR"
	[ "$(ls "$NF_NFCAPD_DIR"/nfcapd.2* | wc -l)" = 1 ] ||
		fail "nfcapd split its records over several files (midnight UTC?)"
}

# nf_nfcapd_check_seq WANT OUT [WHAT]: after nf_nfcapd_stop, nfdump -I
# (its report kept in OUT) and nfcapd's log both count exactly WANT
# sequence failures, and nfcapd no bad packet; WHAT prefixes the failure
nf_nfcapd_check_seq() {
	nfdump -I -r "$NF_NFCAPD_FILE" >"$2" 2>&1 || fail "nfdump -I failed"
	grep -q "^Sequence failures: $1\$" "$2" || {
		cat "$2" >&2
		fail "${3:+$3: }nfdump -I: sequence failures, want $1"
	}
	grep -q "Sequence Errors: $1, Bad Packets: 0" "$NF_NFCAPD_DIR.log" || {
		cat "$NF_NFCAPD_DIR.log" >&2
		fail "${3:+$3: }nfcapd: sequence errors or bad packets, want $1"
	}
}

# nf_nfcapd_check_log [WHAT]: after nf_nfcapd_stop, nfcapd logged nothing
# but its start, new exporters and its summary: a decoding complaint (an
# options record it cannot size, a bad set) fails; WHAT prefixes it
nf_nfcapd_check_log() {
	grep -Ev '^(Add flow source: |Bound to |Init (v1|v5/v7|v9|IPFIX)|Startup nfcapd\.|Terminating nfcapd\.|Ident: |Process_(ipfix|v9): New (ipfix|v9) exporter: |$)' \
		"$NF_NFCAPD_DIR.log" >"$NF_NFCAPD_DIR.complaints"
	[ ! -s "$NF_NFCAPD_DIR.complaints" ] || {
		head -n 5 "$NF_NFCAPD_DIR.complaints" >&2
		fail "${1:+$1: }nfcapd logged $(wc -l <"$NF_NFCAPD_DIR.complaints") complaints (above)"
	}
}

# nf_nfdump_compare NAME TRUTH DIR [NF-COMPARE OPTIONS]: after
# nf_nfcapd_stop, nfdump's CSV of what nfcapd stored (kept in
# DIR/nfdump.csv) must equal TRUTH
nf_nfdump_compare() {
	local n=$1 t=$2 d=$3
	shift 3
	nfdump -r "$NF_NFCAPD_FILE" -o csv >"$d/nfdump.csv" 2>"$d/nfdump.err" ||
		fail "nfdump -r failed: $(cat "$d/nfdump.err")"
	nf_compare "$n" --format nfdump-csv "$@" "$t" "$d/nfdump.csv"
}

# nf_tshark_pdml PCAP PORT OUT: tshark's decoding of the NetFlow/IPFIX
# packets to UDP PORT in PCAP, as PDML in OUT
nf_tshark_pdml() {
	tshark -r "$1" -d "udp.port==$2,cflow" -T pdml -Y cflow >"$3" \
		2>"$3.err" || fail "tshark failed: $(cat "$3.err")"
}

# nf_pdml_flows PDML: one line per flow record of tshark's PDML (what
# nf_tshark_pdml writes): "flow" and the record's cflow fields as
# name=value (the name after "cflow."; spaces in a value become _), for
# awk or grep to pick from
nf_pdml_flows() {
	awk '
	function emit(   k) {
		if (rec)
			print "flow" line
		rec = 0
		line = ""
	}
	/<field name="" show="Flow [0-9]/ { emit(); rec = 1; next }
	/<proto name=/ { emit() }
	rec && /name="cflow\.[a-z0-9_]*" / {
		k = $0
		sub(/^.*name="cflow\./, "", k)
		sub(/".*$/, "", k)
		match($0, /show="[^"]*"/)
		v = substr($0, RSTART + 6, RLENGTH - 7)
		gsub(/ /, "_", v)
		line = line " " k "=" v
	}
	END { emit() }' "$1"
}

# nf_nfdump_ipfix_seq FILE: the IPFIX sequence "failures" nfdump 1.7 reports
# for the stream in nf-collect output FILE.  nfdump leaves options data
# records out of the count that RFC 7011 (3.1) puts them in (as tshark and
# nfacctd do), so the message after one with options records fails; but it
# reports none until it has seen a flow data set, and resyncs on every
# failure.
nf_nfdump_ipfix_seq() {
	awk '$1 == "pdu" { if (opt && flows) n++; opt = 0 }
		$1 == "option" { opt = 1 } $1 == "flow" { flows = 1 }
		END { print n + 0 }' "$1"
}

# nf_capture_start FILE FILTER: dumpcap on lo (classic pcap), waits until
# it captures; nf_capture_stop ends it.  nf_capture_begin FILE FILTER and
# nf_capture_wait FILE do the same in two steps (dumpcap is slow to start).
nf_capture_begin() {
	nf_bg dumpcap -q -i lo -f "$2" -P -w "$1" 2>"$1.log"
	NF_CAP_PID=$NF_PID
	NF_CAP_FILE=$1
	NF_CAP_FILTER=$2
}
# "File:" and not "Capturing on": dumpcap prints the latter before it has
# opened the interface, the former once the filter is attached.
nf_capture_wait() {
	local i=0
	until grep -q "^File: " "$1.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $((300 * NF_TIME_SCALE)) ] || { cat "$1.log" >&2; fail "dumpcap did not start"; }
		sleep 0.1
	done
}
nf_capture_start() {
	nf_capture_begin "$@"
	nf_capture_wait "$1"
}
# nf_capture_stop [COLLECT]: stop dumpcap once the file holds every packet
# sent so far.  dumpcap gets the packets from the kernel's ring in blocks,
# a block once it is full or its timeout has passed, and SIGINT does not
# wait for the last one: seen in make check, the last PDU missing from the
# file though nf-collect had it.  With COLLECT (nf-collect's output, its
# collector's port in the filter) wait (up to 10 s) until the file holds
# the PDUs nf-collect got; without, send a marker datagram the filter
# takes ("udp port N" only), wait until the file holds it and then drop
# it from the file.  A block holds packets in the order they came, so
# once the marker is in the file, all that went before it is too.
NF_CAP_MARK="udp.srcport == 9 && ip.dst == 127.0.0.2"
nf_capture_stop() {
	if [ -n "${1:-}" ]; then
		nf_capture_holds "$NF_CAP_FILE" "$(grep -c '^pdu ' "$1")" 10 ||
			say "the capture has fewer PDUs than nf-collect got"
		nf_bg_stop "$NF_CAP_PID" INT
		return
	fi
	nf_capture_mark
	nf_bg_stop "$NF_CAP_PID" INT
	tshark -r "$NF_CAP_FILE" -Y "!($NF_CAP_MARK)" -F pcap \
		-w "$NF_CAP_FILE.tmp" 2>"$NF_CAP_FILE.err" &&
		mv "$NF_CAP_FILE.tmp" "$NF_CAP_FILE" ||
		fail "tshark could not drop the marker: $(cat "$NF_CAP_FILE.err")"
}
# the marker: an empty datagram from 127.0.0.1:9 to 127.0.0.2 (where no
# collector listens), to the filter's port
nf_capture_mark() {
	local port=${NF_CAP_FILTER#udp port } i=0
	case $port in
	'' | *[!0-9]*) fail "nf_capture_stop without COLLECT needs a" \
		"filter 'udp port N', not '$NF_CAP_FILTER'" ;;
	esac
	"$NF_BIN/nf-send" udp 127.0.0.2:$port sport=9 src=127.0.0.1 count=1 \
		size=0 >/dev/null || fail "nf-send of the capture marker failed"
	until tshark -r "$NF_CAP_FILE" -Y "$NF_CAP_MARK" 2>/dev/null |
		grep -q .; do
		i=$((i + 1))
		[ $i -lt $((20 * NF_TIME_SCALE)) ] ||
			fail "the capture marker is not in $NF_CAP_FILE after 10 s"
		sleep 0.5
	done
}
# nf_capture_holds PCAP N SECS: wait until PCAP holds N packets
nf_capture_holds() {
	local i=0 n
	while :; do
		n=$(capinfos -c -M "$1" 2>/dev/null |
			sed -n 's/^Number of packets: *//p')
		[ "${n:-0}" -lt "$2" ] || return 0
		i=$((i + 1))
		[ $i -lt $((10 * $3 * NF_TIME_SCALE)) ] || return 1
		sleep 0.1
	done
}

# nf_snmp KEY: a value of /proc/net/stat/ipt_netflow_snmp
nf_snmp() {
	local v
	v=$(awk -v k="$1" '$1 == k { print $2 }' /proc/net/stat/ipt_netflow_snmp)
	[ -n "$v" ] || fail "no $1 in /proc/net/stat/ipt_netflow_snmp"
	echo "$v"
}

# nf_wait_snmp KEY OP VALUE SECS: wait until "KEY OP VALUE" holds (OP as
# in test(1): -eq -ge -le ...); returns 1 if it did not within SECS
nf_wait_snmp() {
	local n=$(($4 * 10 * NF_TIME_SCALE)) v
	while :; do
		v=$(nf_snmp "$1")
		[ "$v" "$2" "$3" ] && return 0
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# nf_flush: net.netflow.flush=1 (returns when the flows are handed to the
# sockets)
nf_flush() {
	echo 1 >/proc/sys/net/netflow/flush || fail "net.netflow.flush=1 failed"
}

# nf_sum FILE KEY: sum of KEY=N over the "flow" lines of FILE
nf_sum() {
	awk -v k="$2" '$1 == "flow" {
		for (i = 2; i <= NF; i++)
			if (index($i, k "=") == 1) s += substr($i, length(k) + 2)
	} END { printf "%d\n", s }' "$1"
}

# nf_compare NAME ARGS...: nf-compare ARGS, output in $W/NAME.cmp; fail on
# a difference
nf_compare() {
	local n=$1
	shift
	"$NF_BIN/nf-compare" "$@" >"$W/$n.cmp" 2>&1 || {
		cat "$W/$n.cmp" >&2
		fail "$n: the export differs from the ground truth"
	}
	sayt "$n: $(tail -n 1 "$W/$n.cmp")"
}

# nf_nfacctd_compare NAME TRUTH FLOWS [OPTION...]: nf_compare for what
# nfacctd printed (nf_nfacctd_stop's flows.txt), with one allowance, told
# in the log when used: pmacct's nfacctd 1.7.7 now and then counts a
# record twice.  Seen on the debug kernel (2026-12-07, v9_ipfix_truth):
# every socket of the module had sent 65 PDUs, and nfcapd, tshark and
# nf-collect held the record once, nfacctd's CSV twice; and in
# v9_ipfix_options, whose nfacctd checks sequence numbers, with no
# complaint from it: no PDU reached it twice.
# nf_nfacctd_doubled CMP: how many flows the nf-compare output CMP shows
# counted a whole number of times over (packets and bytes both exactly k
# times the truth's, k >= 2, TCP flags equal), if that is all that is
# wrong and they are at most two; empty otherwise.  Every caller also
# compares the same PDUs through nf-collect and nfdump or tshark, so a
# record the module sent twice still fails there.
nf_nfacctd_doubled() {
	awk '
	$1 == "mismatch" {
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			split(kv[2], v, "/")
			if (kv[1] == "packets") { pe = v[1] + 0; pg = v[2] + 0 }
			if (kv[1] == "bytes") { be = v[1] + 0; bg = v[2] + 0 }
			if (kv[1] == "tcpflags" && v[1] != v[2]) bad = 1
		}
		if (pe < 1 || pg % pe || pg / pe < 2 || bg != be * (pg / pe))
			bad = 1
		d++
	}
	$1 == "missing" || $1 == "extra" { bad = 1 }
	END { if (!bad && d >= 1 && d <= 2) print d }' "$1"
}
nf_nfacctd_compare() {
	local n=$1 d
	shift
	if "$NF_BIN/nf-compare" "$@" >"$W/$n.cmp" 2>&1; then
		sayt "$n: $(tail -n 1 "$W/$n.cmp")"
		return 0
	fi
	d=$(nf_nfacctd_doubled "$W/$n.cmp")
	cat "$W/$n.cmp" >&2
	[ -n "$d" ] || fail "$n: the export differs from the ground truth"
	sayt "$n: nfacctd counted $d flow(s) twice or more, all else exact" \
		"(pmacct's own, see nf_nfacctd_compare)"
}

# nf_tshark_fields PCAP PORT: the v5 records of a capture, for
# nf-compare --format tshark
nf_tshark_fields() {
	tshark -r "$1" -d "udp.port==$2,cflow" -Y cflow -T fields -E header=y \
		-E separator=/t -E occurrence=a -E aggregator=, \
		-e frame.number -e cflow.version -e cflow.srcaddr \
		-e cflow.srcaddrv6 -e cflow.dstaddr -e cflow.dstaddrv6 \
		-e cflow.srcport -e cflow.dstport -e cflow.protocol \
		-e cflow.packets -e cflow.octets -e cflow.tcpflags \
		-e cflow.icmp_type_code_ipv4 -e cflow.icmp_ipv4_type \
		-e cflow.icmp_ipv4_code -e cflow.icmp_ipv6_type \
		-e cflow.icmp_ipv6_code
}

# nf_collected FILE MATCH: packets of the "flow" lines of FILE that contain
# MATCH (a fixed string, e.g. " sport=40000 ")
nf_collected() {
	awk -v m="$2" '$1 == "flow" && index($0, m) {
		for (i = 2; i <= NF; i++)
			if (index($i, "packets=") == 1) s += substr($i, 9)
	} END { printf "%d\n", s }' "$1"
}

# nf_wait_collected FILE MATCH PACKETS SECS: wait until nf-collect wrote
# PACKETS packets of flows matching MATCH; 1 if not within SECS
nf_wait_collected() {
	local n=$(($4 * 10 * NF_TIME_SCALE))
	until [ "$(nf_collected "$1" "$2")" -ge "$3" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# nf_v5_times FILE MATCH: one line per v5 record of nf-collect output FILE
# that contains MATCH: "export_ms uptime first last packets", export_ms the
# header's unix time in ms, the others the header's and record's
# sys_uptime values (ms)
nf_v5_times() {
	awk -v m="$2" '
	function kv(k,   i) {
		for (i = 2; i <= NF; i++)
			if (index($i, k "=") == 1) return substr($i, length(k) + 2)
	}
	$1 == "pdu" { now = kv("unix_secs") * 1000 + int(kv("unix_nsecs") / 1e6); up = kv("uptime") }
	$1 == "flow" && index($0, m) {
		printf "%.0f %d %d %d %d\n", now, up, kv("first"), kv("last"), kv("packets")
	}' "$1"
}

# nf_nfacctd_start DIR PORT [LINE...]: pmacct's nfacctd on 127.0.0.1:PORT,
# print plugin appending CSV to DIR/flows.csv each second (messages:
# DIR.log); LINEs are added to its configuration
# ("nfacctd_disable_checks: false": it logs "expecting flow" for a
# sequence number it did not expect)
# nf_nfacctd_stop DIR: SIGINT (it purges its cache and exits; see
# nf_nfacctd_wait), then the CSV as flow lines in DIR/flows.txt, for
# nf-compare (ICMP and ICMPv6: type and code from the destination port,
# which is how nfacctd shows them for v5, v9 and IPFIX alike)
nf_nfacctd_start() {
	mkdir -p "$1"
	cat >"$1/nfacctd.conf" <<-EOC
	daemonize: false
	nfacctd_ip: 127.0.0.1
	nfacctd_port: $2
	plugins: print
	aggregate: src_host, dst_host, src_port, dst_port, proto, tcpflags${NF_NFACCTD_AGGREGATE:+, $NF_NFACCTD_AGGREGATE}
	print_output: csv
	print_output_file: $1/flows.csv
	print_output_file_append: true
	print_refresh_time: 1
	print_num_protos: true
	EOC
	nfa_dir=$1
	shift 2
	for l in "$@"; do echo "$l"; done >>"$nfa_dir/nfacctd.conf"
	nf_bg nfacctd -f "$nfa_dir/nfacctd.conf" >"$nfa_dir.log" 2>&1
	NF_NFACCTD_PID=$NF_PID
}
nf_nfacctd_stop() {
	nf_bg_stop "$NF_NFACCTD_PID" INT
	[ -f "$1/flows.csv" ] || { tail -n 5 "$1.log" >&2; fail "nfacctd wrote no $1/flows.csv"; }
	awk -F, '$1 == "SRC_IP" {
		for (i = 1; i <= NF; i++) c[$i] = i; next
	} NF > 1 && $c["SRC_IP"] !~ /^198\.18\./ {
		p = $c["PROTOCOL"]; sp = $c["SRC_PORT"]; dp = $c["DST_PORT"]; t = k = 0
		if (p == 1 || p == 58) { t = int(dp / 256); k = dp % 256; sp = 0 }
		printf "flow proto=%d src=%s sport=%d dst=%s dport=%d packets=%d bytes=%d tcpflags=0x%02x icmp_type=%d icmp_code=%d\n",
			p, $c["SRC_IP"], sp, $c["DST_IP"], dp, $c["PACKETS"], $c["BYTES"],
			$c["TCP_FLAGS"], t, k
	}' "$1/flows.csv" >"$1/flows.txt"
}
# nf_nfacctd_sync DIR PORT: make nfacctd hand all it has decoded to its
# print plugin.  nfacctd 1.7.7 may sit on the last records it decoded until
# more data comes (seen for minutes in the VM; and its SIGINT purge then
# garbles them), so: send it marker flows (v5, nf-craft from 127.0.0.2,
# src 198.18.0.1) until one shows in the CSV: all before it is there too.
# nf_nfacctd_stop leaves the markers out.  1 if none shows within ~10 s.
nf_nfacctd_sync() {
	local n=0
	until grep -q '^198\.18\.0\.1,' "$1/flows.csv" 2>/dev/null; do
		[ $n -lt $((20 * NF_TIME_SCALE)) ] || return 1
		echo "flow proto=17 src=198.18.0.1 sport=9 dst=198.18.0.2 dport=9 packets=1 bytes=28" |
			"$NF_BIN/nf-craft" -V 5 -s 127.0.0.2 -d 127.0.0.1:$2 --seq $n \
			>/dev/null || return 1
		n=$((n + 1))
		sleep 0.5
	done
}
# nf_nfacctd_wait DIR PACKETS SECS: wait until nfacctd's CSV holds PACKETS
# packets (it writes once a second, and drops what its core still buffers
# when it is stopped); 1 if not within SECS
nf_nfacctd_wait() {
	local n=$(($3 * 10 * NF_TIME_SCALE)) v
	# (no flows.csv before nfacctd's first print: 0)
	while v=$(awk -F, '$1 == "SRC_IP" { for (i = 1; i <= NF; i++) c[$i] = i; next }
		NF > 1 { s += $c["PACKETS"] } END { printf "%d\n", s }' \
		"$1/flows.csv" 2>/dev/null); [ "${v:-0}" -lt "$2" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}
