// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the flow cache's decisions (flow.h, flow.c): key hash
 * and compare, lookup and insert on a table built here, ageing, and the
 * counter split.  The clock is a plain u32 the tests move by hand, so
 * every boundary is checked to the jiffy, and across the wrap of jiffies.
 * Packets go through the same steps, in the same order, as the account
 * path of cache.c.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/tcp.h>

#include "flow.h"

#define ACTIVE		(30 * HZ)
#define INACTIVE	(15 * HZ)
#define GRACE		(2 * HZ)

/* A table, a clock and what left the table. */
struct tcache {
	struct kunit *test;
	struct nfl_htable t;
	struct nfl_ageing ag;
	u64 max_bytes;
	u32 max_packets;
	u32 now;
	struct nfl_flow_list gone;
};

static struct tcache *tc_new(struct kunit *test, unsigned int hsize, u32 t0)
{
	struct tcache *tc = kunit_kzalloc(test, sizeof(*tc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tc);
	tc->test = test;
	tc->t.buckets = kunit_kcalloc(test, hsize, sizeof(*tc->t.buckets),
				      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tc->t.buckets);
	tc->t.hsize = hsize;
	tc->t.seed = 0x5eed1234;
	tc->ag.active = ACTIVE;
	tc->ag.inactive = INACTIVE;
	tc->ag.end_grace = GRACE;
	tc->max_bytes = U64_MAX;
	tc->max_packets = U32_MAX;
	tc->now = t0;
	return tc;
}

/* UDP 10.0.0.1:1000+@n -> 10.0.0.2:53 on ifindex 2 */
static struct nfl_key key4(unsigned int n)
{
	struct nfl_key k = {};

	k.family = AF_INET;
	k.iif = 2;
	k.proto = IPPROTO_UDP;
	k.sport = htons(1000 + n);
	k.dport = htons(53);
	k.v4.saddr = htonl(0x0a000001);
	k.v4.daddr = htonl(0x0a000002);
	return k;
}

/* The same, from 2001:db8::1 to 2001:db8::2 */
static struct nfl_key key6(unsigned int n)
{
	struct nfl_key k = key4(n);

	k.family = AF_INET6;
	memset(&k.v6, 0, sizeof(k.v6));
	k.v6.saddr.s6_addr32[0] = htonl(0x20010db8);
	k.v6.saddr.s6_addr32[3] = htonl(1);
	k.v6.daddr.s6_addr32[0] = htonl(0x20010db8);
	k.v6.daddr.s6_addr32[3] = htonl(2);
	return k;
}

static struct nfl_flow *tc_lookup(struct tcache *tc, const struct nfl_key *key)
{
	u64 steps = 0;

	return *nfl_flow_find(nfl_htable_bucket(&tc->t, key), key, &steps);
}

/* One packet of @len bytes at tc->now, accounted as cache.c does. */
static struct nfl_flow *tc_packet(struct tcache *tc, const struct nfl_key *key,
				 u32 len, u8 tcp_flags)
{
	struct nfl_pkt pkt = { .len = len, .segs = 1,
			      .tcp_or = nfl_tcp_or(tcp_flags, 0) };
	struct nfl_flow **bucket = nfl_htable_bucket(&tc->t, key), **pp, *f;
	u64 steps = 0;

	pp = nfl_flow_find(bucket, key, &steps);
	f = *pp;
	if (f && nfl_flow_must_split(f, &pkt, tc->max_bytes, tc->max_packets)) {
		*pp = f->next;
		nfl_flow_list_add(&tc->gone, f, NFL_END_RESOURCES);
		f = NULL;
	}
	if (!f) {
		f = kunit_kzalloc(tc->test, NFL_FLOW6_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(tc->test, f);
		nfl_flow_start(f, key, &pkt, tc->now);
		nfl_flow_link(bucket, f);
	}
	nfl_flow_count(f, key, &pkt, tc->now);
	return f;
}

/* An ageing pass over the whole table at tc->now. */
static void tc_scan(struct tcache *tc)
{
	nfl_htable_expire(&tc->t, 0, tc->t.hsize, UINT_MAX, tc->now, &tc->ag,
			  &tc->gone);
}

static unsigned int tc_flows(struct tcache *tc)
{
	unsigned int i, n = 0;
	struct nfl_flow *f;

	for (i = 0; i < tc->t.hsize; i++)
		for (f = tc->t.buckets[i]; f; f = f->next)
			n++;
	return n;
}

static void hash_stable_test(struct kunit *test)
{
	struct nfl_key a = key4(1), b = key4(1), c = key4(2);
	struct nfl_key a6 = key6(1), b6 = key6(1);

	KUNIT_EXPECT_EQ(test, nfl_key_hash(&a, 42), nfl_key_hash(&b, 42));
	KUNIT_EXPECT_EQ(test, nfl_key_hash(&a6, 42), nfl_key_hash(&b6, 42));
	KUNIT_EXPECT_NE(test, nfl_key_hash(&a, 42), nfl_key_hash(&c, 42));
	KUNIT_EXPECT_NE(test, nfl_key_hash(&a, 42), nfl_key_hash(&a6, 42));
	/* murmur3 over the key's bytes, cut to its family's length */
	KUNIT_EXPECT_EQ(test, nfl_key_hash(&a, 42),
			murmur3_32(&a, NFL_KEY4_WORDS * 4, 42));
	KUNIT_EXPECT_EQ(test, nfl_key_hash(&a6, 42),
			murmur3_32(&a6, NFL_KEY6_WORDS * 4, 42));
}

static void hash_seed_test(struct kunit *test)
{
	static const u32 seeds[] = { 0, 1, 2, 0x80000000, 0xffffffff };
	struct nfl_key k4 = key4(7), k6 = key6(7);
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(seeds); i++)
		for (j = i + 1; j < ARRAY_SIZE(seeds); j++) {
			KUNIT_EXPECT_NE(test, nfl_key_hash(&k4, seeds[i]),
					nfl_key_hash(&k4, seeds[j]));
			KUNIT_EXPECT_NE(test, nfl_key_hash(&k6, seeds[i]),
					nfl_key_hash(&k6, seeds[j]));
		}
}

static void key_equal_test(struct kunit *test)
{
	struct nfl_key a = key4(1), b = key4(1), x;

	KUNIT_EXPECT_TRUE(test, nfl_key_equal(&a, &b));
	/* a v4 key ends after its addresses; what follows is not compared */
	memset(&b.v6.saddr.s6_addr32[2], 0xa5, sizeof(b.v6) - 8);
	KUNIT_EXPECT_TRUE(test, nfl_key_equal(&a, &b));

	x = a;
	x.iif = 3;
	KUNIT_EXPECT_FALSE(test, nfl_key_equal(&a, &x));
	x = a;
	x.dport = htons(54);
	KUNIT_EXPECT_FALSE(test, nfl_key_equal(&a, &x));
	x = a;
	x.tos = 4;
	KUNIT_EXPECT_FALSE(test, nfl_key_equal(&a, &x));
	x = a;
	x.v4.daddr = htonl(0x0a000003);
	KUNIT_EXPECT_FALSE(test, nfl_key_equal(&a, &x));
}

/* A v6 key whose words equal a v4 key's, and more, is another flow. */
static void key_v4_v6_test(struct kunit *test)
{
	struct nfl_key k4 = key4(1), k6 = k4;

	k6.family = AF_INET6;
	KUNIT_EXPECT_FALSE(test, nfl_key_equal(&k4, &k6));
	KUNIT_EXPECT_FALSE(test, nfl_key_equal(&k6, &k4));

	/* in one table, each finds its own flow */
	{
		struct tcache *tc = tc_new(test, 1, 1000);
		struct nfl_flow *f4 = tc_packet(tc, &k4, 100, 0);
		struct nfl_flow *f6 = tc_packet(tc, &k6, 200, 0);

		KUNIT_EXPECT_PTR_NE(test, f4, f6);
		KUNIT_EXPECT_PTR_EQ(test, tc_lookup(tc, &k4), f4);
		KUNIT_EXPECT_PTR_EQ(test, tc_lookup(tc, &k6), f6);
		KUNIT_EXPECT_EQ(test, f4->bytes, 100);
		KUNIT_EXPECT_EQ(test, f6->bytes, 200);
	}
}

/*
 * flowDirection is part of the key: the same packet metered as it comes
 * in and as it goes out makes two flows, each with its own counts, in
 * either family; and the namespace tag sharing its byte is no direction.
 */
static void key_dir_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 4, 1000);
	struct nfl_key in4 = key4(5), out4 = in4, in6 = key6(5), out6 = in6;
	struct nfl_flow *fi4, *fo4, *fi6, *fo6;

	out4.ns_dir |= NFL_DIR_EGRESS;
	out6.ns_dir |= NFL_DIR_EGRESS;
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&in4), NFL_DIR_INGRESS);
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&out4), NFL_DIR_EGRESS);
	KUNIT_EXPECT_FALSE(test, nfl_key_equal(&in4, &out4));
	KUNIT_EXPECT_FALSE(test, nfl_key_equal(&in6, &out6));
	KUNIT_EXPECT_NE(test, nfl_key_hash(&in4, 42), nfl_key_hash(&out4, 42));

	fi4 = tc_packet(tc, &in4, 100, 0);
	fo4 = tc_packet(tc, &out4, 100, 0);
	fi6 = tc_packet(tc, &in6, 200, 0);
	fo6 = tc_packet(tc, &out6, 200, 0);
	tc_packet(tc, &out4, 100, 0);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 4U);
	KUNIT_EXPECT_PTR_NE(test, fi4, fo4);
	KUNIT_EXPECT_PTR_NE(test, fi6, fo6);
	KUNIT_EXPECT_EQ(test, fi4->packets, 1U);
	KUNIT_EXPECT_EQ(test, fo4->packets, 2U);
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&fi4->key), NFL_DIR_INGRESS);
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&fo4->key), NFL_DIR_EGRESS);
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&fo6->key), NFL_DIR_EGRESS);

	/* a namespace's flow: its tag is in the other bits */
	in4.ns_dir = 0xfe;
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&in4), NFL_DIR_INGRESS);
	in4.ns_dir |= NFL_DIR_EGRESS;
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&in4), NFL_DIR_EGRESS);
}

static void insert_lookup_test(struct kunit *test)
{
	/* 8 buckets for 100 flows: chains of many entries */
	struct tcache *tc = tc_new(test, 8, 1000);
	struct nfl_flow *flows[100];
	struct nfl_key k;
	unsigned int i;
	struct nfl_flow **pp;
	u64 steps = 0;

	k = key4(1000);
	pp = nfl_flow_find(nfl_htable_bucket(&tc->t, &k), &k, &steps);
	KUNIT_EXPECT_NULL(test, *pp);
	KUNIT_EXPECT_EQ(test, steps, 0);

	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		k = i & 1 ? key6(i) : key4(i);
		flows[i] = tc_packet(tc, &k, 10 + i, 0);
	}
	KUNIT_EXPECT_EQ(test, tc_flows(tc), ARRAY_SIZE(flows));
	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		k = i & 1 ? key6(i) : key4(i);
		KUNIT_EXPECT_PTR_EQ(test, tc_lookup(tc, &k), flows[i]);
		/* a second packet finds the flow, creates none */
		KUNIT_EXPECT_PTR_EQ(test, tc_packet(tc, &k, 1, 0), flows[i]);
		KUNIT_EXPECT_EQ(test, flows[i]->packets, 2);
		KUNIT_EXPECT_EQ(test, flows[i]->bytes, 11 + i);
		KUNIT_EXPECT_TRUE(test, nfl_key_equal(&flows[i]->key, &k));
	}
	KUNIT_EXPECT_EQ(test, tc_flows(tc), ARRAY_SIZE(flows));

	/* steps counts the entries passed over: here the whole chain */
	k = key4(1000);
	steps = 0;
	pp = nfl_flow_find(nfl_htable_bucket(&tc->t, &k), &k, &steps);
	KUNIT_EXPECT_NULL(test, *pp);
	KUNIT_EXPECT_GT(test, steps, 0);
}

static void flow_start_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 16, 5000);
	struct nfl_key k = key6(3);
	struct nfl_flow *f;

	f = tc_packet(tc, &k, 60, TCPHDR_SYN);
	tc->now += 7;
	tc_packet(tc, &k, 40, TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, f->first, 5000);
	KUNIT_EXPECT_EQ(test, f->last, 5007);
	KUNIT_EXPECT_EQ(test, f->packets, 2);
	KUNIT_EXPECT_EQ(test, f->bytes, 100);
	KUNIT_EXPECT_EQ(test, f->tcp_flags, TCPHDR_SYN | TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, f->end_reason, 0);
}

/*
 * The IPv4 entry is one cache line, and the option bits fit in it: tcp
 * options OR over packets, a flow keeping IPv4 options (its tail after
 * the IPv4 key) keeps its counts when it becomes one.
 */
static void flow_opts_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 16, 5000);
	struct nfl_pkt pkt = { .len = 52, .segs = 1,
			      .tcp_or = nfl_tcp_or(0, BIT(2)) };
	struct nfl_key k = key4(4);
	struct nfl_flow *f;

	KUNIT_EXPECT_EQ(test, NFL_FLOW4_SIZE, 64);
	KUNIT_EXPECT_EQ(test, NFL_FLOW4O_SIZE, 68);
	f = tc_packet(tc, &k, 40, 0);
	KUNIT_EXPECT_EQ(test, f->tcp_opts, 0U);
	KUNIT_EXPECT_EQ(test, f->flags, 0);
	nfl_flow_count(f, &k, &pkt, tc->now);
	pkt.tcp_or = nfl_tcp_or(TCPHDR_ACK, NFL_TCPOPT_FASTOPEN | BIT(1));
	f->end_reason = NFL_END_IDLE;	/* not a packet's to change */
	f->flags = NFL_FLOW_IP4_OPTS;
	nfl_flow_count(f, &k, &pkt, tc->now);
	KUNIT_EXPECT_EQ(test, f->tcp_opts, NFL_TCPOPT_FASTOPEN | BIT(1) | BIT(2));
	KUNIT_EXPECT_EQ(test, f->tcp_flags, TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, f->end_reason, NFL_END_IDLE);
	KUNIT_EXPECT_EQ(test, f->flags, NFL_FLOW_IP4_OPTS);
	f->end_reason = 0;
	f->flags = 0;
	KUNIT_EXPECT_EQ(test, nfl_flow_ip4_opts(f), 0U);
	nfl_flow_set_ip4o(f);
	KUNIT_EXPECT_EQ(test, nfl_flow_ip4_opts(f), 0U);
	nfl_flow4_tail(f)->ip4_opts |= BIT(20);
	KUNIT_EXPECT_EQ(test, nfl_flow_ip4_opts(f), (u32)BIT(20));
	KUNIT_EXPECT_EQ(test, f->packets, 3);
	KUNIT_EXPECT_EQ(test, f->bytes, 144);
	/* the tail lies just after the IPv4 key */
	KUNIT_EXPECT_PTR_EQ(test, (void *)nfl_flow4_tail(f),
			    (void *)&f->key.v4.daddr + 4);
}

/* Idle for exactly the inactive timeout: out; one jiffy less: kept. */
static void inactive_boundary_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 16, 100000);
	struct nfl_key k = key4(1);
	struct nfl_flow *f;

	f = tc_packet(tc, &k, 100, 0);
	tc->now += 5 * HZ;
	tc_packet(tc, &k, 100, 0);

	tc->now += INACTIVE - 1;
	KUNIT_EXPECT_EQ(test, nfl_flow_expiry(f, tc->now, &tc->ag), 0);
	tc_scan(tc);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 1);
	KUNIT_EXPECT_NULL(test, tc->gone.head);

	tc->now++;
	KUNIT_EXPECT_EQ(test, nfl_flow_expiry(f, tc->now, &tc->ag), NFL_END_IDLE);
	tc_scan(tc);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 0);
	KUNIT_EXPECT_NULL(test, tc_lookup(tc, &k));
	KUNIT_EXPECT_PTR_EQ(test, tc->gone.head, f);
	KUNIT_EXPECT_PTR_EQ(test, tc->gone.tail, f);
	KUNIT_EXPECT_NULL(test, f->next);
	KUNIT_EXPECT_EQ(test, f->end_reason, NFL_END_IDLE);
	KUNIT_EXPECT_EQ(test, tc->gone.flows, 1);
	KUNIT_EXPECT_EQ(test, tc->gone.flows6, 0);
	KUNIT_EXPECT_EQ(test, tc->gone.packets, 2);
	KUNIT_EXPECT_EQ(test, tc->gone.bytes, 200);
}

/*
 * A flow that never pauses leaves every ACTIVE, counting on in a new
 * entry; no packet is lost or counted twice across the records.
 */
static void active_interim_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 16, 2000);
	struct nfl_key k = key4(1);
	u32 t0 = tc->now, sent = 0, exported = 0;
	unsigned int records = 0;
	struct nfl_flow *f, *g;

	/* a scan and a packet every HZ/4, for 2.5 active timeouts */
	while (tc->now - t0 < ACTIVE * 5 / 2) {
		tc_scan(tc);
		tc_packet(tc, &k, 100, 0);
		sent++;
		tc->now += HZ / 4;
	}
	for (g = tc->gone.head; g; g = g->next) {
		KUNIT_EXPECT_EQ(test, g->end_reason, NFL_END_ACTIVE);
		KUNIT_EXPECT_GE(test, g->last - g->first, ACTIVE - HZ / 4);
		KUNIT_EXPECT_LT(test, g->last - g->first, ACTIVE);
		exported += g->packets;
		records++;
	}
	KUNIT_EXPECT_EQ(test, records, 2);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 1);
	f = tc_lookup(tc, &k);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_EQ(test, exported + f->packets, sent);
	KUNIT_EXPECT_EQ(test, f->first, t0 + 2 * ACTIVE);

	/* the boundary, to the jiffy, with a packet just before it */
	f->last = f->first + ACTIVE - 1;
	KUNIT_EXPECT_EQ(test, nfl_flow_expiry(f, f->first + ACTIVE - 1, &tc->ag),
			0);
	KUNIT_EXPECT_EQ(test, nfl_flow_expiry(f, f->first + ACTIVE, &tc->ag),
			NFL_END_ACTIVE);
}

/* FIN or RST: the flow leaves after the grace, not the inactive timeout. */
static void end_grace_test(struct kunit *test)
{
	static const u8 ends[] = { TCPHDR_FIN | TCPHDR_ACK, TCPHDR_RST };
	struct tcache *tc = tc_new(test, 16, 7000);
	struct nfl_key k = key4(1), plain = key4(2);
	struct nfl_flow *f, *p;
	unsigned int i;

	k.proto = IPPROTO_TCP;
	plain.proto = IPPROTO_TCP;
	for (i = 0; i < ARRAY_SIZE(ends); i++) {
		tc->gone = (struct nfl_flow_list){};
		f = tc_packet(tc, &k, 60, TCPHDR_SYN);
		p = tc_packet(tc, &plain, 60, TCPHDR_ACK);
		tc->now += HZ;
		tc_packet(tc, &k, 40, ends[i]);
		/* a retransmission restarts the grace */
		tc->now += GRACE - 1;
		tc_packet(tc, &k, 40, TCPHDR_ACK);
		tc->now += GRACE - 1;
		tc_scan(tc);
		KUNIT_EXPECT_EQ(test, tc_flows(tc), 2);

		tc->now++;
		tc_scan(tc);
		KUNIT_EXPECT_EQ(test, tc_flows(tc), 1);
		KUNIT_EXPECT_PTR_EQ(test, tc->gone.head, f);
		KUNIT_EXPECT_EQ(test, f->end_reason, NFL_END_DETECTED);
		KUNIT_EXPECT_EQ(test, f->packets, 3);
		KUNIT_EXPECT_PTR_EQ(test, tc_lookup(tc, &plain), p);

		/* the flow without FIN waits for the inactive timeout */
		tc->now = p->last + INACTIVE;
		tc_scan(tc);
		KUNIT_EXPECT_EQ(test, tc_flows(tc), 0);
		KUNIT_EXPECT_EQ(test, p->end_reason, NFL_END_IDLE);
		tc->now += HZ;
	}
}

/* Flows begun just before jiffies wrap age as any other. */
static void jiffies_wrap_test(struct kunit *test)
{
	u32 t0 = 0xffffffff - 5 * HZ;
	struct tcache *tc = tc_new(test, 16, t0);
	struct nfl_key idle = key4(1), busy = key4(2);
	struct nfl_flow *fi, *fb;
	unsigned int i;

	fi = tc_packet(tc, &idle, 100, 0);
	fb = tc_packet(tc, &busy, 100, 0);
	/* scans before the wrap, too, where now > last but last + t < now */
	for (i = 1; i <= 20; i++) {
		tc->now = t0 + i * HZ / 2;
		tc_packet(tc, &busy, 100, 0);
		tc_scan(tc);
	}
	tc->now = t0 + INACTIVE - 1;
	KUNIT_EXPECT_LT(test, tc->now, t0);	/* wrapped */
	tc_scan(tc);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 2);
	tc->now++;
	tc_scan(tc);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 1);
	KUNIT_EXPECT_PTR_EQ(test, tc->gone.head, fi);
	KUNIT_EXPECT_EQ(test, fi->end_reason, NFL_END_IDLE);

	tc->now = t0 + ACTIVE - 1;
	tc_packet(tc, &busy, 100, 0);
	tc_scan(tc);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 1);
	tc->now++;
	tc_scan(tc);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 0);
	KUNIT_EXPECT_EQ(test, fb->end_reason, NFL_END_ACTIVE);
	KUNIT_EXPECT_EQ(test, fb->first, t0);
}

/* The split decision at the limits, then in the table. */
static void split_test(struct kunit *test)
{
	struct nfl_flow f = {};
	struct nfl_pkt pkt = { .segs = 1 };
	struct tcache *tc;
	struct nfl_flow *a, *b;
	struct nfl_key k = key4(1);

	f.bytes = 990;
	f.packets = 9;
	pkt.len = 10;
	KUNIT_EXPECT_FALSE(test, nfl_flow_must_split(&f, &pkt, 1000, 10));
	pkt.len = 11;
	KUNIT_EXPECT_TRUE(test, nfl_flow_must_split(&f, &pkt, 1000, 10));
	pkt.len = 10;
	pkt.segs = 2;
	KUNIT_EXPECT_TRUE(test, nfl_flow_must_split(&f, &pkt, 1000, 10));

	/* no limit but the counters' own width */
	f.bytes = 0;
	f.packets = U32_MAX - 1;
	pkt.segs = 1;
	KUNIT_EXPECT_FALSE(test, nfl_flow_must_split(&f, &pkt, U64_MAX, U32_MAX));
	pkt.segs = 2;
	KUNIT_EXPECT_TRUE(test, nfl_flow_must_split(&f, &pkt, U64_MAX, U32_MAX));
	f.packets = 1;
	f.bytes = U32_MAX - 10;
	pkt.segs = 1;
	pkt.len = 10;
	KUNIT_EXPECT_FALSE(test, nfl_flow_must_split(&f, &pkt, U32_MAX, U32_MAX));
	pkt.len = 11;
	KUNIT_EXPECT_TRUE(test, nfl_flow_must_split(&f, &pkt, U32_MAX, U32_MAX));

	/* in the table: the full flow leaves, the packet starts a new one */
	tc = tc_new(test, 16, 3000);
	tc->max_packets = 3;
	a = tc_packet(tc, &k, 100, 0);
	tc_packet(tc, &k, 100, 0);
	tc_packet(tc, &k, 100, 0);
	KUNIT_EXPECT_NULL(test, tc->gone.head);
	tc->now += 5;
	b = tc_packet(tc, &k, 50, 0);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_EQ(test, tc->gone.head, a);
	KUNIT_EXPECT_EQ(test, a->end_reason, NFL_END_RESOURCES);
	KUNIT_EXPECT_EQ(test, a->packets, 3);
	KUNIT_EXPECT_EQ(test, b->packets, 1);
	KUNIT_EXPECT_EQ(test, b->bytes, 50);
	KUNIT_EXPECT_EQ(test, b->first, 3005);
	KUNIT_EXPECT_PTR_EQ(test, tc_lookup(tc, &k), b);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 1);
}

/* A flush (no ageing settings) takes every flow, each FORCED, in order. */
static void flush_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 4, 100);
	struct nfl_key k;
	struct nfl_flow *f;
	unsigned int i, n = 0;

	for (i = 0; i < 20; i++) {
		k = i < 5 ? key6(i) : key4(i);
		tc_packet(tc, &k, 10, 0);
	}
	KUNIT_EXPECT_EQ(test, nfl_htable_expire(&tc->t, 0, 2, UINT_MAX, tc->now,
						NULL, &tc->gone), 2);
	KUNIT_EXPECT_EQ(test, tc_flows(tc) + tc->gone.flows, 20);
	nfl_htable_expire(&tc->t, 2, 100, UINT_MAX, tc->now, NULL, &tc->gone);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 0);
	for (f = tc->gone.head; f; f = f->next) {
		KUNIT_EXPECT_EQ(test, f->end_reason, NFL_END_FORCED);
		n++;
		if (!f->next)
			KUNIT_EXPECT_PTR_EQ(test, tc->gone.tail, f);
	}
	KUNIT_EXPECT_EQ(test, n, 20);
	KUNIT_EXPECT_EQ(test, tc->gone.flows, 20);
	KUNIT_EXPECT_EQ(test, tc->gone.flows6, 5);
	KUNIT_EXPECT_EQ(test, tc->gone.packets, 20);
	KUNIT_EXPECT_EQ(test, tc->gone.bytes, 200);
}

/* A resize moves every flow, still found, and leaves the old table empty. */
static void move_test(struct kunit *test)
{
	struct tcache *small = tc_new(test, 4, 100), *big = tc_new(test, 64, 100);
	struct nfl_flow_list merged = {};
	struct nfl_flow *flows[50];
	struct nfl_key k;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		k = i % 3 ? key4(i) : key6(i);
		flows[i] = tc_packet(small, &k, 1, 0);
	}
	KUNIT_EXPECT_EQ(test, nfl_htable_move(&big->t, &small->t, 0, UINT_MAX,
					      U64_MAX, U32_MAX, &merged), 4);
	KUNIT_EXPECT_EQ(test, merged.flows, 0);
	KUNIT_EXPECT_EQ(test, tc_flows(small), 0);
	KUNIT_EXPECT_EQ(test, tc_flows(big), ARRAY_SIZE(flows));
	for (i = 0; i < ARRAY_SIZE(flows); i++) {
		k = i % 3 ? key4(i) : key6(i);
		KUNIT_EXPECT_PTR_EQ(test, tc_lookup(big, &k), flows[i]);
	}
}

/*
 * Work with BH off is bounded by flows: a chunk stops at the end of the
 * bucket in which the budget ran out, and the next goes on from there.
 */
static void budget_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 1, 100), *big = tc_new(test, 8, 100);
	struct nfl_flow_list merged = {};
	unsigned int i, pos;
	struct nfl_key k;

	/* one bucket: a chain of 30, walked whole even on a budget of 10 */
	for (i = 0; i < 30; i++) {
		k = key4(i);
		tc_packet(tc, &k, 1, 0);
	}
	pos = nfl_htable_move(&big->t, &tc->t, 0, 10, U64_MAX, U32_MAX,
			      &merged);
	KUNIT_EXPECT_EQ(test, pos, 1);
	KUNIT_EXPECT_EQ(test, tc_flows(big), 30);
	/* eight buckets, budget 1: one bucket (with anything in it) a call */
	for (pos = 0, i = 0; pos < big->t.hsize; i++)
		pos = nfl_htable_expire(&big->t, pos, big->t.hsize, 1, big->now,
					NULL, &big->gone);
	KUNIT_EXPECT_EQ(test, i, 8);
	KUNIT_EXPECT_EQ(test, big->gone.flows, 30);
}

/*
 * A resize under traffic: a packet made a new flow for a key the old
 * table still held.  The move merges the two, the older one first.
 */
static void move_merge_test(struct kunit *test)
{
	struct tcache *old = tc_new(test, 4, 100), *new = tc_new(test, 4, 100);
	struct nfl_flow_list merged = {};
	struct nfl_flow *f, *g, *h;
	struct nfl_key k4 = key4(1), k6 = key6(2), k5 = key4(3);

	f = tc_packet(old, &k4, 100, TCPHDR_SYN);
	tc_packet(old, &k6, 60, 0);
	h = tc_packet(old, &k5, 10, 0);
	old->now += 5 * HZ;
	new->now = old->now;
	g = tc_packet(new, &k4, 40, TCPHDR_FIN);
	tc_packet(new, &k6, 60, 0);
	/* k5's sum would pass the format's packet limit: kept apart */
	tc_packet(new, &k5, 10, 0);
	h->packets = U32_MAX;
	nfl_htable_move(&new->t, &old->t, 0, UINT_MAX, U64_MAX, U32_MAX,
			&merged);
	KUNIT_EXPECT_EQ(test, merged.flows, 2);
	KUNIT_EXPECT_EQ(test, merged.flows6, 1);
	KUNIT_EXPECT_EQ(test, tc_flows(new), 4);
	KUNIT_EXPECT_PTR_EQ(test, tc_lookup(new, &k4), g);
	KUNIT_EXPECT_EQ(test, g->packets, 2);
	KUNIT_EXPECT_EQ(test, g->bytes, 140);
	KUNIT_EXPECT_EQ(test, g->first, f->first);
	KUNIT_EXPECT_EQ(test, g->tcp_flags, TCPHDR_SYN | TCPHDR_FIN);
	KUNIT_EXPECT_EQ(test, tc_lookup(new, &k6)->packets, 2);
}

/* The two lists a scan chunk and the packet path fill become one. */
static void list_splice_test(struct kunit *test)
{
	struct nfl_flow a = {}, b = {}, c = {};
	struct nfl_flow_list x = {}, y = {};

	a.key.family = AF_INET;
	b.key.family = AF_INET6;
	c.key.family = AF_INET;
	c.flags = NFL_FLOW_IP4_OPTS;
	a.packets = 1;
	b.packets = 2;
	c.packets = 4;
	nfl_flow_list_add(&x, &a, NFL_END_IDLE);
	nfl_flow_list_add(&y, &b, NFL_END_ACTIVE);
	nfl_flow_list_add(&y, &c, NFL_END_DETECTED);
	nfl_flow_list_splice(&x, &y);
	KUNIT_EXPECT_PTR_EQ(test, x.head, &a);
	KUNIT_EXPECT_PTR_EQ(test, a.next, &b);
	KUNIT_EXPECT_PTR_EQ(test, b.next, &c);
	KUNIT_EXPECT_NULL(test, c.next);
	KUNIT_EXPECT_PTR_EQ(test, x.tail, &c);
	KUNIT_EXPECT_EQ(test, x.flows, 3);
	KUNIT_EXPECT_EQ(test, x.flows6, 1);
	KUNIT_EXPECT_EQ(test, x.flows4o, 1);
	KUNIT_EXPECT_EQ(test, x.packets, 7);

	x = (struct nfl_flow_list){};
	nfl_flow_list_splice(&x, &y);
	KUNIT_EXPECT_PTR_EQ(test, x.head, &b);
	KUNIT_EXPECT_PTR_EQ(test, x.tail, &c);
}

/*
 * fields=: a packet with VLAN id @vid (VLAN field) and post-NAT source
 * @nat (NAT field, 0: the packet has none), as packet.c lays it out.
 */
static void xpkt(struct nfl_xpkt *x, unsigned int fields, u8 family, u16 vid,
		 __be32 nat)
{
	u8 *w = (u8 *)x->w;

	memset(x, 0, sizeof(*x));
	x->fields = fields;
	nfl_ext_layout(&x->l, fields, family);
	if (fields & NFL_FIELD_VLAN)
		((struct nfl_ext_vlan *)(w + x->l.vlan))->outer = vid;
	if ((fields & NFL_FIELD_NAT) && nat) {
		((struct nfl_ext_nat *)(w + x->l.nat))->v4.saddr = nat;
		x->nat = true;
	}
}

/* The area of @f, read as @x's layout says. */
static struct nfl_ext_nat *f_nat(struct nfl_flow *f, const struct nfl_xpkt *x)
{
	return (struct nfl_ext_nat *)(nfl_flow_ext(f, &x->l) + x->l.nat);
}

static struct nfl_flow **tc_bucket_ext(struct tcache *tc,
				       const struct nfl_key *key,
				       const struct nfl_xpkt *x)
{
	u32 h = nfl_key_hash_ext(key, x->w, x->l.key_words, tc->t.seed);

	return &tc->t.buckets[reciprocal_scale(h, tc->t.hsize)];
}

static struct nfl_flow *tc_lookup_ext(struct tcache *tc,
				      const struct nfl_key *key,
				      const struct nfl_xpkt *x)
{
	u64 steps = 0;

	return *nfl_flow_find_ext(tc_bucket_ext(tc, key, x), key, x, &steps);
}

/* One packet with fields, as nfl_cache_account_ext() takes it. */
static struct nfl_flow *tc_packet_ext(struct tcache *tc,
				      const struct nfl_key *key, u32 len,
				      const struct nfl_xpkt *x)
{
	struct nfl_pkt pkt = { .len = len, .segs = 1 };
	struct nfl_flow **bucket = tc_bucket_ext(tc, key, x), *f;
	u64 steps = 0;
	u8 *obj;

	f = *nfl_flow_find_ext(bucket, key, x, &steps);
	if (f) {
		nfl_flow_ext_update(f, x);
	} else {
		obj = kunit_kzalloc(tc->test, x->l.size + NFL_FLOW6_SIZE,
				    GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(tc->test, obj);
		f = (struct nfl_flow *)(obj + x->l.size);
		nfl_flow_start_ext(f, key, &pkt, tc->now, x);
		nfl_flow_link(bucket, f);
	}
	nfl_flow_count(f, key, &pkt, tc->now);
	return f;
}

/*
 * A key field splits flows of one key (two VLANs, same addresses); an
 * attribute does not, and a packet without it leaves the flow's.
 */
static void ext_key_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 1, 100);
	unsigned int fl = NFL_FIELD_VLAN | NFL_FIELD_NAT;
	struct nfl_key k = key4(1);
	struct nfl_flow *a, *b, *base;
	struct nfl_xpkt x10, x20, x10n;

	xpkt(&x10, fl, AF_INET, 10, 0);
	xpkt(&x20, fl, AF_INET, 20, 0);
	xpkt(&x10n, fl, AF_INET, 10, htonl(0xcb007101));
	/* a flow of the same key without fields (made before a change) */
	base = tc_packet(tc, &k, 5, 0);
	a = tc_packet_ext(tc, &k, 100, &x10);
	b = tc_packet_ext(tc, &k, 200, &x20);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_NE(test, a, base);
	KUNIT_EXPECT_EQ(test, nfl_flow_fields(a), fl);
	KUNIT_EXPECT_EQ(test, nfl_flow_fields(base), 0U);
	KUNIT_EXPECT_EQ(test, f_nat(a, &x10)->v4.saddr, 0U);
	KUNIT_EXPECT_PTR_EQ(test, tc_packet_ext(tc, &k, 100, &x10n), a);
	KUNIT_EXPECT_EQ(test, f_nat(a, &x10)->v4.saddr, htonl(0xcb007101));
	KUNIT_EXPECT_PTR_EQ(test, tc_packet_ext(tc, &k, 100, &x10), a);
	KUNIT_EXPECT_EQ(test, f_nat(a, &x10)->v4.saddr, htonl(0xcb007101));
	KUNIT_EXPECT_EQ(test, a->packets, 3U);
	KUNIT_EXPECT_EQ(test, a->bytes, 300ULL);
	KUNIT_EXPECT_EQ(test, b->packets, 1U);
	KUNIT_EXPECT_EQ(test, base->packets, 1U);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 3);
	/* other fields, same values: another flow */
	xpkt(&x10, NFL_FIELD_VLAN, AF_INET, 10, 0);
	KUNIT_EXPECT_PTR_EQ(test, tc_lookup_ext(tc, &k, &x10), NULL);
}

/*
 * flowDirection stays in the key of a flow with fields: the same
 * packet metered in (prerouting) and out (postrouting) is two flows, on
 * the path with fields as on the one without.
 */
static void ext_dir_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 16, 100);
	struct nfl_key in = key4(1), out = key4(1);
	struct nfl_flow *a, *b;
	struct nfl_xpkt x;

	out.ns_dir |= NFL_DIR_EGRESS;
	xpkt(&x, NFL_FIELD_VLAN | NFL_FIELD_NAT, AF_INET, 10, 0);
	a = tc_packet_ext(tc, &in, 100, &x);
	b = tc_packet_ext(tc, &out, 100, &x);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&a->key), NFL_DIR_INGRESS);
	KUNIT_EXPECT_EQ(test, nfl_key_dir(&b->key), NFL_DIR_EGRESS);
	KUNIT_EXPECT_PTR_EQ(test, tc_packet_ext(tc, &out, 100, &x), b);
	KUNIT_EXPECT_EQ(test, a->packets, 1U);
	KUNIT_EXPECT_EQ(test, b->packets, 2U);
	KUNIT_EXPECT_EQ(test, tc_flows(tc), 2);
}

/*
 * physdev: the port in is known from PREROUTING on, the port out from
 * FORWARD on; a packet that knows one leaves the other as it was.
 */
static void ext_phys_test(struct kunit *test)
{
	struct tcache *tc = tc_new(test, 16, 100);
	struct nfl_key k = key4(1);
	struct nfl_ext_phys *xp, *fp;
	struct nfl_xpkt x;
	struct nfl_flow *f;

	xpkt(&x, NFL_FIELD_PHYSDEV, AF_INET, 0, 0);
	KUNIT_EXPECT_EQ(test, x.l.key_words, 0);
	xp = (struct nfl_ext_phys *)((u8 *)x.w + x.l.phys);
	xp->in = 7;
	x.phys = true;
	f = tc_packet_ext(tc, &k, 10, &x);
	fp = (struct nfl_ext_phys *)(nfl_flow_ext(f, &x.l) + x.l.phys);
	KUNIT_EXPECT_EQ(test, fp->in, 7U);
	KUNIT_EXPECT_EQ(test, fp->out, 0U);
	xp->in = 0;
	xp->out = 9;
	KUNIT_EXPECT_PTR_EQ(test, tc_packet_ext(tc, &k, 10, &x), f);
	KUNIT_EXPECT_EQ(test, fp->in, 7U);
	KUNIT_EXPECT_EQ(test, fp->out, 9U);
	/* an attribute, not a key part: another port, the same flow */
	xp->in = 8;
	KUNIT_EXPECT_PTR_EQ(test, tc_packet_ext(tc, &k, 10, &x), f);
	KUNIT_EXPECT_EQ(test, fp->in, 8U);
	KUNIT_EXPECT_EQ(test, f->packets, 3U);
}

/*
 * A resize keeps flows with fields apart by their key parts, finds
 * them again, and merges one only into a flow with the same parts.
 */
static void ext_move_test(struct kunit *test)
{
	struct tcache *old = tc_new(test, 4, 100), *new = tc_new(test, 64, 100);
	unsigned int fl = NFL_FIELD_VLAN;
	struct nfl_flow_list merged = {};
	struct nfl_flow *a, *b, *c, *f;
	unsigned int n = 0;
	struct nfl_xpkt x10, x20;
	struct nfl_key k = key4(1), k6 = key6(1);

	xpkt(&x10, fl, AF_INET, 10, 0);
	xpkt(&x20, fl, AF_INET, 20, 0);
	tc_packet_ext(old, &k, 100, &x10);
	b = tc_packet_ext(old, &k, 200, &x20);
	c = tc_packet(old, &k, 7, 0);
	/* meanwhile a packet of VLAN 10 came to the new table */
	a = tc_packet_ext(new, &k, 50, &x10);
	xpkt(&x10, fl, AF_INET6, 10, 0);
	tc_packet_ext(old, &k6, 60, &x10);
	nfl_htable_move(&new->t, &old->t, 0, UINT_MAX, U64_MAX, U32_MAX,
			&merged);
	KUNIT_EXPECT_EQ(test, merged.flows, 1);
	KUNIT_EXPECT_EQ(test, tc_flows(new), 4);
	xpkt(&x10, fl, AF_INET, 10, 0);
	KUNIT_EXPECT_PTR_EQ(test, tc_lookup_ext(new, &k, &x10), a);
	KUNIT_EXPECT_EQ(test, a->packets, 2U);
	KUNIT_EXPECT_EQ(test, a->bytes, 150ULL);
	KUNIT_EXPECT_PTR_EQ(test, tc_lookup_ext(new, &k, &x20), b);
	KUNIT_EXPECT_EQ(test, b->bytes, 200ULL);
	/* the flow without fields: in the chain of its key, alone */
	for (f = *nfl_htable_bucket(&new->t, &k); f; f = f->next)
		if (!nfl_flow_fields(f) && nfl_key_equal(&f->key, &k)) {
			KUNIT_EXPECT_PTR_EQ(test, f, c);
			n++;
		}
	KUNIT_EXPECT_EQ(test, n, 1);
	xpkt(&x10, fl, AF_INET6, 10, 0);
	KUNIT_EXPECT_EQ(test, tc_lookup_ext(new, &k6, &x10)->bytes, 60ULL);
}

static struct kunit_case cache_cases[] = {
	KUNIT_CASE(budget_test),
	KUNIT_CASE(move_merge_test),
	KUNIT_CASE(hash_stable_test),
	KUNIT_CASE(hash_seed_test),
	KUNIT_CASE(key_equal_test),
	KUNIT_CASE(key_v4_v6_test),
	KUNIT_CASE(key_dir_test),
	KUNIT_CASE(insert_lookup_test),
	KUNIT_CASE(flow_start_test),
	KUNIT_CASE(flow_opts_test),
	KUNIT_CASE(inactive_boundary_test),
	KUNIT_CASE(active_interim_test),
	KUNIT_CASE(end_grace_test),
	KUNIT_CASE(jiffies_wrap_test),
	KUNIT_CASE(split_test),
	KUNIT_CASE(flush_test),
	KUNIT_CASE(move_test),
	KUNIT_CASE(list_splice_test),
	KUNIT_CASE(ext_key_test),
	KUNIT_CASE(ext_dir_test),
	KUNIT_CASE(ext_move_test),
	KUNIT_CASE(ext_phys_test),
	{}
};

static struct kunit_suite cache_suite = {
	.name = "ipt_netflow_flow",
	.test_cases = cache_cases,
};
kunit_test_suite(cache_suite);
