/* SPDX-License-Identifier: GPL-2.0-only */
/* Flows shared by the encoder suites, so their expected bytes agree. */
#ifndef _IPT_NETFLOW_TEST_FLOWS_H
#define _IPT_NETFLOW_TEST_FLOWS_H

#include <linux/string.h>
#include "ipt_NETFLOW.h"

/* TCP 192.0.2.1:40000 -> 198.51.100.7:80, 10 packets, 1500 bytes */
static inline void nf_test_flow4(struct nf_flow *f,
				 const struct nf_export_time *t)
{
	memset(f, 0, sizeof(*f));
	f->key.family = AF_INET;
	f->key.iif = 2;
	f->key.v4.saddr = htonl(0xc0000201);
	f->key.v4.daddr = htonl(0xc6336407);
	f->key.sport = htons(40000);
	f->key.dport = htons(80);
	f->key.proto = 6;
	f->key.tos = 0x28;
	f->oif = 3;
	f->nexthop4 = htonl(0xcb0071fe);
	f->packets = 10;
	f->bytes = 1500;
	f->tcp_flags = 0x1b;
	f->first = t->jiffies - 10 * HZ;
	f->last = t->jiffies - 1 * HZ;
	f->end_reason = NF_END_IDLE;
}

#endif /* _IPT_NETFLOW_TEST_FLOWS_H */
