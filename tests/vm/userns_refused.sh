#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Security: a local user without privileges must not feed the operator's
# export.  The flow cache and its collectors are the host's (init_net),
# so a -j NETFLOW rule in a network namespace that an unprivileged user
# made with a user namespace of their own would put their made-up traffic
# into the operator's NetFlow.  The target is for callers with
# CAP_NET_ADMIN in the initial user namespace only.
#
# Set up: the module (protocol 5, long timeouts: flows leave on a flush
# only) exporting to nf-collect on 127.0.0.1:2056 in init_net; nf_tables
# and nft_compat loaded by root (nobody cannot modprobe); unprivileged
# user namespaces allowed (kernel.unprivileged_userns_clone=1 where the
# kernel has it, user.max_user_namespaces > 0).
# Asserts:
#  - control: root in init_net adds -j NETFLOW (OUTPUT -o lo, UDP to port
#    5999), and 5 packets from sport 47001 reach the collector after a flush;
#  - control: root (full capabilities in the initial user namespace) adds
#    -j NETFLOW in a separate netns (ip netns add);
#  - uid 65534 (nobody, no capabilities) in a new user + net namespace
#    (setpriv ... unshare -Urn): iptables-nft -A OUTPUT -j NETFLOW fails,
#    and the kernel log has a line from ipt_NETFLOW that says why (it
#    mentions the namespace);
#  - 7 UDP packets that nobody then sends on the namespace's lo
#    (127.0.0.1:5999, sport 47002, 211-byte payload) are not metered:
#    snmp inFlows and inPackets unchanged, and after a flush (and 5
#    packets of a second control flow, sport 47003, in the same flush,
#    which do arrive) no record with sport 47002 at the collector;
#  - no reference to the module is left (refcnt 0).
# All checks run; the test then fails with every one that did not hold.
. "$(dirname "$0")/lib.sh"

nf_need_tools nf-send nf-collect setpriv unshare
nf_workdir
P_COLLECT=2056 PORT=5999
errs=
# bad MESSAGE: note a failed check, go on with the others
bad() {
	say "FAIL: $*" >&2
	errs="$errs${errs:+; }$*"
}

# --- unprivileged user namespaces allowed
uclone=/proc/sys/kernel/unprivileged_userns_clone
[ ! -e $uclone ] || echo 1 >$uclone || fail "cannot set $uclone"
read -r maxns </proc/sys/user/max_user_namespaces
[ "$maxns" -gt 0 ] || echo 1000 >/proc/sys/user/max_user_namespaces ||
	fail "cannot set user.max_user_namespaces"
# nobody has no capabilities here
caps=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- \
	sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status) ||
	fail "setpriv --reuid=65534 failed"
[ "$caps" = 0000000000000000 ] || fail "uid 65534 has capabilities $caps"

nf_collect_start "$W/collect.txt" 127.0.0.1:$P_COLLECT --first-seq 0
# (nf_load also loads nf_tables and nft_compat: nobody cannot)
nf_load protocol=5 destination=127.0.0.1:$P_COLLECT inactive_timeout=600 \
	active_timeout=1800
modprobe -a nf_tables nft_compat || fail "modprobe nf_tables nft_compat"

# --- control: root in init_net.  Only UDP to PORT: the export itself goes
# over lo too and must not be metered.
rule="OUTPUT -o lo -p udp --dport $PORT -j NETFLOW"
# shellcheck disable=SC2086 # the rule is words
iptables-nft -w -A $rule || fail "root in init_net: iptables-nft -A $rule failed"
"$NF_BIN/nf-send" udp 127.0.0.1:$PORT count=5 size=50 sport=47001 \
	>"$W/truth-init.txt" || fail "nf-send failed"
nf_flush
nf_wait_collected "$W/collect.txt" " sport=47001 " 5 10 ||
	fail "control: init_net flow (sport 47001) not at the collector:" \
		"$(nf_collected "$W/collect.txt" " sport=47001 ") of 5 packets"
sayt "control: root in init_net adds the rule, its flow is exported"

# --- control: root in another netns
ip netns add $NF_NS || fail "ip netns add $NF_NS"
if ip netns exec $NF_NS iptables-nft -w -A OUTPUT -j NETFLOW; then
	ip netns exec $NF_NS iptables-nft -w -D OUTPUT -j NETFLOW ||
		fail "root in netns $NF_NS: cannot delete the rule"
	sayt "control: root (init user ns) adds the rule in netns $NF_NS"
else
	bad "root (init user ns, all capabilities) in netns $NF_NS:" \
		"iptables-nft -A OUTPUT -j NETFLOW refused"
fi
ip netns del $NF_NS

# --- nobody in a user + net namespace of their own
flows0=$(nf_snmp inFlows)
pkts0=$(nf_snmp inPackets)
nf_kmsg_mark "userns nobody"
# prints "uid 0", "rule accepted|refused RC" and nf-send's flow line; the
# rule (if accepted) is deleted at the end, which drops its module
# reference at once (the namespace itself goes away later, asynchronously)
# shellcheck disable=SC2016 # expanded by the inner shell
setpriv --reuid=65534 --regid=65534 --clear-groups -- unshare -Urn sh -c '
	echo "uid $(id -u)"
	iptables-nft -A OUTPUT -j NETFLOW 2>&1
	rc=$?
	if [ $rc = 0 ]; then echo "rule accepted"; else echo "rule refused $rc"; fi
	ip link set lo up || echo "lo down"
	"$1" udp 127.0.0.1:$2 count=7 size=211 sport=47002 || echo "nf-send failed"
	[ $rc != 0 ] || iptables-nft -D OUTPUT -j NETFLOW
' sh "$NF_BIN/nf-send" $PORT >"$W/userns.txt" 2>&1
cat "$W/userns.txt"
grep -qx 'uid 0' "$W/userns.txt" ||
	fail "no user namespace for uid 65534 (unshare -Urn failed)"
grep -q '^flow .* sport=47002 .* packets=7 ' "$W/userns.txt" ||
	fail "nobody's namespace: nf-send did not send its 7 packets"
log=$(nf_dmesg_since "userns nobody")
if grep -qx 'rule accepted' "$W/userns.txt"; then
	bad "uid 65534 in its own user+net namespace: iptables-nft -A OUTPUT" \
		"-j NETFLOW was accepted"
else
	echo "$log" | grep -i netflow | grep -Eqi 'namespace|netns' || {
		echo "kernel log after the attempt:" >&2
		echo "$log" >&2
		bad "refused, but no kernel message from ipt_NETFLOW about the" \
			"namespace"
	}
	sayt "refused: $(echo "$log" | grep -i netflow | head -n 1)"
fi
flows1=$(nf_snmp inFlows)
pkts1=$(nf_snmp inPackets)
[ "$flows1 $pkts1" = "$flows0 $pkts0" ] ||
	bad "nobody's traffic was metered: snmp inFlows $flows0 -> $flows1," \
		"inPackets $pkts0 -> $pkts1"

# a second control flow in the same flush: once it is at the collector,
# anything of nobody's that the flush exported is too
"$NF_BIN/nf-send" udp 127.0.0.1:$PORT count=5 size=50 sport=47003 \
	>>"$W/truth-init.txt" || fail "nf-send failed"
# shellcheck disable=SC2086
iptables-nft -w -D $rule
nf_flush
nf_wait_collected "$W/collect.txt" " sport=47003 " 5 10 ||
	fail "control: second init_net flow (sport 47003) not at the collector"
leak=$(nf_collected "$W/collect.txt" " sport=47002 ")
[ "$leak" = 0 ] || {
	grep '^flow .* sport=47002 ' "$W/collect.txt" >&2
	bad "nobody's traffic reached the operator's collector: $leak packets" \
		"(sport 47002)"
}
nf_collect_stop "$W/collect.txt"
nf_compare init-flows --only-dst 127.0.0.1 --ignore-extra \
	"$W/truth-init.txt" "$W/collect.txt"

nf_wait_refcnt 0 || bad "refcnt $(nf_refcnt) after every rule was deleted"
[ -z "$errs" ] || fail "$errs"
sayt "OK"
