/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * From a packet to its flow key (packet.c): the entry points of every
 * capture point, the xtables target (target.c) and the netfilter hooks
 * (hooks.c).
 */
#ifndef _IPT_NETFLOW_PACKET_H
#define _IPT_NETFLOW_PACKET_H

struct nf_hook_state;
struct nfl_aggr;
struct seq_file;
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

/*
 * aggregation=: the rules of @spec (checked by the caller) with their
 * packet counters, NULL if it has none, or an ERR_PTR().
 */
struct nfl_aggr *nfl_packet_aggr_make(const char *spec);
void nfl_packet_aggr_free(struct nfl_aggr *a);
/*
 * Put @a (nfl_packet_aggr_make()'s, or NULL) in force; those of before
 * are freed once no packet can read them.  The caller serialises, and
 * sees that NFL_FIELD_AGGR is in nfl_fields while there are rules.
 */
void nfl_packet_aggr_set(struct nfl_aggr *a);
/* NFL_FIELD_AGGR while rules are in force, else 0 */
unsigned int nfl_packet_aggr_fields(void);
/* The aggrN: lines of /proc/net/stat/ipt_netflow */
void nfl_packet_aggr_show(struct seq_file *m);

#endif /* _IPT_NETFLOW_PACKET_H */
