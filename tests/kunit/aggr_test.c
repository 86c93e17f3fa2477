// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for aggregation= (aggr.c): which values are taken, which
 * refused and whom a refusal names; what the rules do to a flow key, in
 * which order, and what they report.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "aggr.h"
#include "flow.h"

/* @s parsed into a fresh @a (freed with the test); the culprit in @bad */
static int parse(struct kunit *test, const char *s, struct nfl_aggr **a,
		 char *bad)
{
	const char *b = NULL;
	size_t n = 0;
	int err;

	*a = kunit_kzalloc(test, sizeof(**a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *a);
	bad[0] = '\0';
	err = nfl_aggr_parse(s, *a, &b, &n);
	if (err < 0 && b)
		snprintf(bad, 64, "%.*s", (int)n, b);
	return err;
}

/* Rule @idx of @a, as /proc shows it */
static const char *fmt(struct nfl_aggr *a, unsigned int idx, char *buf)
{
	nfl_aggr_format(a, idx, buf, NFL_AGGR_RULE_TEXT);
	return buf;
}

static void aggr_parse_test(struct kunit *test)
{
	char bad[64], buf[NFL_AGGR_RULE_TEXT];
	struct nfl_aggr *a;

	KUNIT_EXPECT_EQ(test, parse(test, "", &a, bad), 0);
	KUNIT_EXPECT_EQ(test, a->n, 0U);
	KUNIT_EXPECT_EQ(test, parse(test, "198.51.100.0/24=16", &a, bad), 1);
	KUNIT_EXPECT_EQ(test, a->n4, 1U);
	KUNIT_EXPECT_EQ(test, a->net4[0].net, htonl(0xc6336400));
	KUNIT_EXPECT_EQ(test, a->net4[0].mask, htonl(0xffffff00));
	KUNIT_EXPECT_EQ(test, a->net4[0].to, htonl(0xffff0000));
	KUNIT_EXPECT_STREQ(test, fmt(a, 0, buf), "198.51.100.0/24=16");

	/* the example, every kind; idx in the order written */
	KUNIT_EXPECT_EQ(test, parse(test, "10.0.0.0/8=16,2001:db8::/32=48,80-89=80,3128=80",
				    &a, bad), 4);
	KUNIT_EXPECT_EQ(test, a->n4, 1U);
	KUNIT_EXPECT_EQ(test, a->n6, 1U);
	KUNIT_EXPECT_EQ(test, a->np, 2U);
	KUNIT_EXPECT_EQ(test, a->net6[0].idx, 1);
	KUNIT_EXPECT_EQ(test, a->port[1].idx, 3);
	KUNIT_EXPECT_EQ(test, a->port[0].lo, 80);
	KUNIT_EXPECT_EQ(test, a->port[0].hi, 89);
	KUNIT_EXPECT_EQ(test, a->port[1].lo, 3128);
	KUNIT_EXPECT_EQ(test, a->port[1].hi, 3128);
	KUNIT_EXPECT_STREQ(test, fmt(a, 0, buf), "10.0.0.0/8=16");
	KUNIT_EXPECT_STREQ(test, fmt(a, 1, buf), "2001:db8::/32=48");
	KUNIT_EXPECT_STREQ(test, fmt(a, 2, buf), "80-89=80");
	KUNIT_EXPECT_STREQ(test, fmt(a, 3, buf), "3128=80");

	/* the edges: everything, nothing cut, a length past the network's */
	KUNIT_EXPECT_EQ(test, parse(test, "0.0.0.0/0=0,::/0=128,0-65535=0,1.2.3.4/32=32,10.0.0.0/8=24",
				    &a, bad), 5);
	KUNIT_EXPECT_STREQ(test, fmt(a, 1, buf), "::/0=128");
	KUNIT_EXPECT_STREQ(test, fmt(a, 2, buf), "0-65535=0");
	/* the longest rule fits its buffer */
	KUNIT_EXPECT_EQ(test, parse(test, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128=128",
				    &a, bad), 1);
	KUNIT_EXPECT_STREQ(test, fmt(a, 0, buf),
			   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128=128");
}

#define RULES32	"1=1,2=2,3=3,4=4,5=5,6=6,7=7,8=8,9=9,10=10,11=11,12=12,13=13," \
		"14=14,15=15,16=16,17=17,18=18,19=19,20=20,21=21,22=22,23=23," \
		"24=24,25=25,26=26,27=27,28=28,29=29,30=30,31=31,32=32"

/* Refused whole, the culprit named. */
static void aggr_refuse_test(struct kunit *test)
{
	static const struct {
		const char *s, *bad;
	} cases[] = {
		{ "bogus", "bogus" },
		{ "10.0.0.0/8=16,bogus", "bogus" },
		{ "10.0.0.0/8", "10.0.0.0/8" },		/* no length */
		{ "10.0.0.0/8=", "10.0.0.0/8=" },
		{ "10.0.0.0=8", "10.0.0.0=8" },		/* no prefix */
		{ "10.0.0.0/33=16", "10.0.0.0/33=16" },
		{ "10.0.0.0/8=33", "10.0.0.0/8=33" },
		{ "10.1.0.0/8=16", "10.1.0.0/8=16" },	/* host bits */
		{ "10.0.0/8=16", "10.0.0/8=16" },
		{ "10.0.0.0.0/8=16", "10.0.0.0.0/8=16" },
		{ "10.0.0.0/8=16=1", "10.0.0.0/8=16=1" },
		{ "10.0.0.0/-8=16", "10.0.0.0/-8=16" },
		{ "10.0.0.0/8=+16", "10.0.0.0/8=+16" },
		{ " 10.0.0.0/8=16", " 10.0.0.0/8=16" },
		{ "2001:db8::/129=48", "2001:db8::/129=48" },
		{ "2001:db8::/32=129", "2001:db8::/32=129" },
		{ "2001:db8::1/32=48", "2001:db8::1/32=48" },
		{ "2001:db8:::/32=48", "2001:db8:::/32=48" },
		{ "89-80=80", "89-80=80" },		/* backwards */
		{ "80-89", "80-89" },
		{ "80=65536", "80=65536" },
		{ "65536=80", "65536=80" },
		{ "80-=80", "80-=80" },
		{ "-89=80", "-89=80" },
		{ "80-89-90=80", "80-89-90=80" },
		{ "=80", "=80" },
		{ "80=", "80=" },
		{ "http=80", "http=80" },
		/* empty items: the separator is shown */
		{ "80=8,", "80=8," },
		{ ",80=8", "" },
		{ "80=8,,81=8", "" },
		/* one rule too many */
		{ RULES32 ",33=33", "33=33" },
	};
	char bad[64];
	struct nfl_aggr *a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, parse(test, cases[i].s, &a, bad),
				    -EINVAL, "%s", cases[i].s);
		KUNIT_EXPECT_STREQ_MSG(test, bad, cases[i].bad, "%s",
				       cases[i].s);
	}
	KUNIT_EXPECT_EQ(test, parse(test, RULES32, &a, bad), 32);
}

static void key4(struct nfl_key *k, u8 proto, u32 s, u16 sp, u32 d, u16 dp)
{
	memset(k, 0, sizeof(*k));
	k->family = AF_INET;
	k->proto = proto;
	k->v4.saddr = htonl(s);
	k->v4.daddr = htonl(d);
	k->sport = htons(sp);
	k->dport = htons(dp);
}

static void aggr_key4_test(struct kunit *test)
{
	struct nfl_key k, want;
	struct nfl_aggr *a;
	u8 sm, dm;
	char bad[64];
	u32 hits;

	/* first match of each kind: 10.1/16 wins over 10/8 for 10.1.x */
	KUNIT_ASSERT_EQ(test, parse(test, "10.1.0.0/16=24,10.0.0.0/8=16,1000-1999=1000,1500=1,53=53",
				    &a, bad), 5);
	key4(&k, IPPROTO_UDP, 0x0a010203, 1500, 0x0a020304, 2000);
	hits = nfl_aggr_key(a, &k, &sm, &dm);
	key4(&want, IPPROTO_UDP, 0x0a010200, 1000, 0x0a020000, 2000);
	KUNIT_EXPECT_EQ(test, memcmp(&k, &want, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, sm, 24);
	KUNIT_EXPECT_EQ(test, dm, 16);
	KUNIT_EXPECT_EQ(test, hits, (u32)(BIT(0) | BIT(1) | BIT(2)));

	/* nothing matches: the key as it was, full lengths, no hits */
	key4(&k, IPPROTO_TCP, 0xc0000201, 80, 0xc6336401, 443);
	want = k;
	hits = nfl_aggr_key(a, &k, &sm, &dm);
	KUNIT_EXPECT_EQ(test, memcmp(&k, &want, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, sm, 32);
	KUNIT_EXPECT_EQ(test, dm, 32);
	KUNIT_EXPECT_EQ(test, hits, 0U);

	/* both sides by one rule: one bit */
	key4(&k, IPPROTO_TCP, 0x0a090909, 53, 0x0a080808, 53);
	hits = nfl_aggr_key(a, &k, &sm, &dm);
	KUNIT_EXPECT_EQ(test, k.v4.saddr, htonl(0x0a090000));
	KUNIT_EXPECT_EQ(test, k.v4.daddr, htonl(0x0a080000));
	KUNIT_EXPECT_EQ(test, hits, (u32)(BIT(1) | BIT(4)));

	/* ICMP's type and code are no ports: 1500 = type 5, code 220 */
	key4(&k, IPPROTO_ICMP, 0x0a010203, 0, 0x01010101, 1500);
	hits = nfl_aggr_key(a, &k, &sm, &dm);
	KUNIT_EXPECT_EQ(test, k.dport, htons(1500));
	KUNIT_EXPECT_EQ(test, hits, (u32)BIT(0));
	/* nor has GRE any */
	key4(&k, IPPROTO_GRE, 0x01010101, 0, 0x01010101, 0);
	want = k;
	KUNIT_EXPECT_EQ(test, nfl_aggr_key(a, &k, &sm, &dm), 0U);
	KUNIT_EXPECT_EQ(test, memcmp(&k, &want, sizeof(k)), 0);
	/* but SCTP, DCCP and UDP-Lite have */
	key4(&k, IPPROTO_SCTP, 0x01010101, 1999, 0x01010101, 53);
	nfl_aggr_key(a, &k, &sm, &dm);
	KUNIT_EXPECT_EQ(test, k.sport, htons(1000));

	/* /0=0: every address is 0.0.0.0/0 */
	KUNIT_ASSERT_EQ(test, parse(test, "0.0.0.0/0=0", &a, bad), 1);
	key4(&k, IPPROTO_UDP, 0xc0000201, 1, 0xffffffff, 2);
	nfl_aggr_key(a, &k, &sm, &dm);
	KUNIT_EXPECT_EQ(test, k.v4.saddr, 0U);
	KUNIT_EXPECT_EQ(test, k.v4.daddr, 0U);
	KUNIT_EXPECT_EQ(test, sm, 0);
	KUNIT_EXPECT_EQ(test, dm, 0);
}

static void key6(struct nfl_key *k, const char *s, const char *d)
{
	memset(k, 0, sizeof(*k));
	k->family = AF_INET6;
	k->proto = IPPROTO_UDP;
	in6_pton(s, -1, k->v6.saddr.s6_addr, -1, NULL);
	in6_pton(d, -1, k->v6.daddr.s6_addr, -1, NULL);
	k->sport = htons(1234);
	k->dport = htons(5000);
}

static void aggr_key6_test(struct kunit *test)
{
	struct nfl_key k, want;
	struct nfl_aggr *a;
	char bad[64];
	u8 sm, dm;
	u32 hits;

	/* IPv4 rules leave IPv6 alone, and the other way round */
	KUNIT_ASSERT_EQ(test, parse(test, "0.0.0.0/0=8,2001:db8:1::/48=56,2001:db8::/32=48,fd00::/8=7",
				    &a, bad), 4);
	key6(&k, "2001:db8:1:2345::1", "2001:db8:ffff:1::2");
	hits = nfl_aggr_key(a, &k, &sm, &dm);
	key6(&want, "2001:db8:1:2300::", "2001:db8:ffff::");
	KUNIT_EXPECT_EQ(test, memcmp(&k, &want, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, sm, 56);
	KUNIT_EXPECT_EQ(test, dm, 48);
	KUNIT_EXPECT_EQ(test, hits, (u32)(BIT(1) | BIT(2)));

	/* an odd length cuts within a byte: fd12:: /7 -> fc00:: */
	key6(&k, "fd12:3456::1", "2001:db9::1");
	hits = nfl_aggr_key(a, &k, &sm, &dm);
	key6(&want, "fc00::", "2001:db9::1");
	KUNIT_EXPECT_EQ(test, memcmp(&k, &want, sizeof(k)), 0);
	KUNIT_EXPECT_EQ(test, sm, 7);
	KUNIT_EXPECT_EQ(test, dm, 128);
	KUNIT_EXPECT_EQ(test, hits, (u32)BIT(3));

	/* and an IPv4 key by the /0 rule only */
	key4(&k, IPPROTO_UDP, 0x0a010203, 1, 0x0b010203, 2);
	KUNIT_EXPECT_EQ(test, nfl_aggr_key(a, &k, &sm, &dm), (u32)BIT(0));
	KUNIT_EXPECT_EQ(test, k.v4.saddr, htonl(0x0a000000));
	KUNIT_EXPECT_EQ(test, sm, 8);
}

/* What an encoder reads of a flow: its own lengths, else the full ones */
static void aggr_masks_test(struct kunit *test)
{
	struct nfl_ext_layout l;
	struct nfl_ext_aggr *ag;
	struct nfl_flow *f;
	u8 *obj, sm, dm;

	obj = kunit_kzalloc(test, NFL_EXT_MAX + NFL_FLOW6_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	nfl_ext_layout(&l, NFL_FIELD_NAT | NFL_FIELD_AGGR, AF_INET);
	f = (struct nfl_flow *)(obj + l.size);
	f->key.family = AF_INET;
	KUNIT_EXPECT_FALSE(test, nfl_flow_masks(f, &sm, &dm));
	KUNIT_EXPECT_EQ(test, sm, 32);
	KUNIT_EXPECT_EQ(test, dm, 32);
	f->flags = (NFL_FIELD_NAT | NFL_FIELD_AGGR) << NFL_FLOW_FIELDS_SHIFT;
	ag = (struct nfl_ext_aggr *)(obj + l.aggr);
	ag->smask = 16;
	ag->dmask = 24;
	KUNIT_EXPECT_TRUE(test, nfl_flow_masks(f, &sm, &dm));
	KUNIT_EXPECT_EQ(test, sm, 16);
	KUNIT_EXPECT_EQ(test, dm, 24);
	f->flags = 0;
	f->key.family = AF_INET6;
	KUNIT_EXPECT_FALSE(test, nfl_flow_masks(f, &sm, &dm));
	KUNIT_EXPECT_EQ(test, sm, 128);
}

static struct kunit_case aggr_cases[] = {
	KUNIT_CASE(aggr_parse_test),
	KUNIT_CASE(aggr_refuse_test),
	KUNIT_CASE(aggr_key4_test),
	KUNIT_CASE(aggr_key6_test),
	KUNIT_CASE(aggr_masks_test),
	{}
};

static struct kunit_suite aggr_suite = {
	.name = "ipt_netflow_aggr",
	.test_cases = aggr_cases,
};

kunit_test_suite(aggr_suite);
