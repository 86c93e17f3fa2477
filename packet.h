/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * From a packet to its flow key (packet.c): what the xtables target
 * (target.c) calls for each packet.
 */
#ifndef _IPT_NETFLOW_PACKET_H
#define _IPT_NETFLOW_PACKET_H

struct sk_buff;
struct xt_action_param;

/* Meter @skb; both return XT_CONTINUE, the packet goes on unchanged. */
unsigned int nfl_packet_ipv4(struct sk_buff *skb,
			    const struct xt_action_param *par);
unsigned int nfl_packet_ipv6(struct sk_buff *skb,
			    const struct xt_action_param *par);

#endif /* _IPT_NETFLOW_PACKET_H */
