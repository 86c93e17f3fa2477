/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Capture on netfilter hooks, without rules (hooks.c): for nftables-only
 * systems, or to meter a router without touching its ruleset.  The hook
 * functions are packet.c's; what is here decides which packets they
 * take and counts them per capture point.
 */
#ifndef _IPT_NETFLOW_HOOKS_H
#define _IPT_NETFLOW_HOOKS_H

#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>

#include "socket.h"

/* Packets each hook metered, per CPU: [0] IPv4, [1] IPv6. */
struct nfl_hook_count {
	u64 pkts[2][NF_INET_NUMHOOKS];
};
DECLARE_PER_CPU(struct nfl_hook_count, nfl_hook_counts);

/* hooks_mark and hooks_mark_mask, read as one word */
union nfl_hooks_mark {
	struct {
		u32 mark;
		u32 mask;
	};
	u64 word;
};
extern u64 nfl_hooks_mark_word;

/*
 * Whether a hook meters @skb: its mark must match (as the 2.8 fork's
 * hooks_mark: (mark & mask) == (hooks_mark & mask); a mask of 0 takes
 * every packet).  A packet taken is counted for its capture point.
 */
static __always_inline bool nfl_hooks_want(const struct sk_buff *skb,
					   const struct nf_hook_state *st)
{
	union nfl_hooks_mark m = { .word = READ_ONCE(nfl_hooks_mark_word) };

	if ((skb->mark ^ m.mark) & m.mask)
		return false;
	/* a request or timewait socket has no sk_user_data */
	if (unlikely(skb->sk) && sk_fullsock(skb->sk) && nfl_dest_own(skb->sk))
		return false;
	this_cpu_inc(nfl_hook_counts.pkts[st->pf == NFPROTO_IPV6][st->hook]);
	return true;
}

/* The hooks= value: comma names or the fork's bitmask; 0 or -EINVAL. */
int nfl_hooks_parse(const char *s, unsigned int *mask);
/* hooks_priority: "first", "last" or a number; 0 or -EINVAL. */
int nfl_hooks_parse_prio(const char *s, int *prio);

/*
 * Meter at the hooks of @mask (bit 1 << NF_INET_*) of init_net, IPv4 and
 * IPv6, at priority @prio; 0 or -errno with the old hooks kept.  Hooks
 * in both the old and the new set stay as they are, so a change loses
 * or doubles nothing there; a priority change moves every hook (a packet
 * in flight at that instant may be missed).  Serialised by the caller.
 */
int nfl_hooks_set(unsigned int mask, int prio);
void nfl_hooks_set_mark(u32 mark, u32 mask);
/* Last in the module's init, first in its exit. */
int nfl_hooks_init(unsigned int mask, int prio);
void nfl_hooks_uninit(void);
/* /proc: one line per hook in use, with its packets. */
void nfl_hooks_show(struct seq_file *m);
/* Packets the hooks metered, both families, all hooks. */
u64 nfl_hooks_packets(void);

#endif /* _IPT_NETFLOW_HOOKS_H */
