/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * From a packet to its flow key (packet.c): the entry points of every
 * capture point, the xtables target (target.c) and the netfilter hooks
 * (hooks.c).
 */
#ifndef _IPT_NETFLOW_PACKET_H
#define _IPT_NETFLOW_PACKET_H

struct nf_hook_state;
struct sk_buff;
struct xt_action_param;

/* Meter @skb; both return XT_CONTINUE, the packet goes on unchanged. */
unsigned int nfl_packet_ipv4(struct sk_buff *skb,
			    const struct xt_action_param *par);
unsigned int nfl_packet_ipv6(struct sk_buff *skb,
			    const struct xt_action_param *par);

/* The same as netfilter hooks (hooks.c); both return NF_ACCEPT. */
unsigned int nfl_hook_ipv4(void *priv, struct sk_buff *skb,
			   const struct nf_hook_state *st);
unsigned int nfl_hook_ipv6(void *priv, struct sk_buff *skb,
			   const struct nf_hook_state *st);

/* The netdev ingress hook (ingress.c); @priv: the device's u64 __percpu counter. */
unsigned int nfl_hook_ingress(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *st);

#endif /* _IPT_NETFLOW_PACKET_H */
