/* SPDX-License-Identifier: GPL-2.0-only */
/* Flows shared by the encoder suites, so their expected bytes agree. */
#ifndef _IPT_NETFLOW_TEST_FLOWS_H
#define _IPT_NETFLOW_TEST_FLOWS_H

#include <linux/string.h>
#include "encoder.h"

/* TCP 192.0.2.1:40000 -> 198.51.100.7:80, 10 packets, 1500 bytes */
static inline void nfl_test_flow4(struct nfl_flow *f,
				 const struct nfl_export_time *t)
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
	/* NOP, MSS, window scale, SACK permitted, timestamps, Fast Open */
	f->tcp_opts = BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(8) |
		      NFL_TCPOPT_FASTOPEN;
	f->first = t->jiffies - 10 * HZ;
	f->last = t->jiffies - 1 * HZ;
	f->end_reason = NFL_END_IDLE;
}

/*
 * NAT events 2 s before @t (wall 1699999998123 ms at t0).  SNAT
 * (MASQUERADE): TCP 192.0.2.1:40000 -> 198.51.100.7:80 leaves as
 * 203.0.113.1:61000.  With @dnat the client asked for 198.51.100.1:8080,
 * which DNAT turned into 198.51.100.7:80.
 */
static inline void nfl_test_nat4(struct nfl_nat_event *ev,
				const struct nfl_export_time *t, bool dnat,
				bool destroy)
{
	memset(ev, 0, sizeof(*ev));
	ev->wall_ms = (u64)t->wall.tv_sec * 1000 +
		      t->wall.tv_nsec / 1000000 - 2000;
	ev->jiffies = t->jiffies - 2 * HZ;
	ev->destroy = destroy;
	ev->proto = 6;
	ev->pre_saddr = htonl(0xc0000201);
	ev->pre_daddr = htonl(dnat ? 0xc6336401 : 0xc6336407);
	ev->post_saddr = htonl(0xcb007101);
	ev->post_daddr = htonl(0xc6336407);
	ev->pre_sport = htons(40000);
	ev->pre_dport = htons(dnat ? 8080 : 80);
	ev->post_sport = htons(61000);
	ev->post_dport = htons(80);
}

/*
 * The same for NAT66: TCP [2001:db8:1::2]:40000 -> [2001:db8:2::7]:80
 * leaves as [2001:db8:2::1]:61000; with @dnat the client asked for
 * [2001:db8:1::1]:8080.
 */
static inline void nfl_test_nat6(struct nfl_nat_event *ev,
				const struct nfl_export_time *t, bool dnat,
				bool destroy)
{
	static const struct in6_addr net1 = {
		.s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } };
	static const struct in6_addr net2 = {
		.s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 2 } };

	nfl_test_nat4(ev, t, dnat, destroy);
	ev->ipv6 = true;
	ev->pre_saddr6 = net1;
	ev->pre_saddr6.s6_addr[15] = 2;
	ev->pre_daddr6 = dnat ? net1 : net2;
	ev->pre_daddr6.s6_addr[15] = dnat ? 1 : 7;
	ev->post_saddr6 = net2;
	ev->post_saddr6.s6_addr[15] = 1;
	ev->post_daddr6 = net2;
	ev->post_daddr6.s6_addr[15] = 7;
}

#endif /* _IPT_NETFLOW_TEST_FLOWS_H */
