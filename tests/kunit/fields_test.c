// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for fields= (fields.c) and the area a flow with fields
 * carries in front of it (flow.h's nfl_ext_layout()): which values are
 * taken, which refused and whom a refusal names; where each part goes
 * and what it costs.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "fields.h"
#include "flow.h"

static int parse(const char *s, unsigned int *fields, char *bad)
{
	const char *b = NULL;
	size_t n = 0;
	int err;

	*fields = 0xdead;
	bad[0] = '\0';
	err = nfl_fields_parse(s, fields, &b, &n);
	if (err && b)
		snprintf(bad, 32, "%.*s", (int)n, b);
	return err;
}

static void fields_parse_test(struct kunit *test)
{
	unsigned int f;
	char bad[32];

	KUNIT_EXPECT_EQ(test, parse("", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, 0U);
	KUNIT_EXPECT_EQ(test, parse("nat", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)NFL_FIELD_NAT);
	KUNIT_EXPECT_EQ(test, parse("nat,nat", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)NFL_FIELD_NAT);
	KUNIT_EXPECT_EQ(test, parse("mac,nat", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)(NFL_FIELD_MAC | NFL_FIELD_NAT));
	KUNIT_EXPECT_EQ(test, parse("nat,mac", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)(NFL_FIELD_MAC | NFL_FIELD_NAT));
	KUNIT_EXPECT_EQ(test, parse("physdev", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)NFL_FIELD_PHYSDEV);
	KUNIT_EXPECT_EQ(test, parse("mac,vlan,mpls,physdev,nat", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)NFL_FIELDS_NAMED);
	/* aggregation's is no name of fields= */
	KUNIT_EXPECT_EQ(test, parse("aggr", &f, bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse("mpls", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)NFL_FIELD_MPLS);
	KUNIT_EXPECT_EQ(test, parse("vlan,mac,nat", &f, bad), 0);
	KUNIT_EXPECT_EQ(test, f, (unsigned int)(NFL_FIELD_MAC | NFL_FIELD_VLAN |
						NFL_FIELD_NAT));
}

/* Refused whole, the old value untouched, the culprit named. */
static void fields_refuse_test(struct kunit *test)
{
	unsigned int f;
	char bad[32];

	KUNIT_EXPECT_EQ(test, parse("nat,bogus", &f, bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "bogus");
	KUNIT_EXPECT_EQ(test, f, 0xdeadU);
	KUNIT_EXPECT_EQ(test, parse("mac,MAC", &f, bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "MAC");
	KUNIT_EXPECT_EQ(test, parse("NAT", &f, bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "NAT");
	KUNIT_EXPECT_EQ(test, parse("na", &f, bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "na");
	KUNIT_EXPECT_EQ(test, parse("nat ", &f, bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "nat ");
	/* empty items: the separator is shown */
	KUNIT_EXPECT_EQ(test, parse("nat,", &f, bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "nat,");
	KUNIT_EXPECT_EQ(test, parse(",nat", &f, bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "");
	KUNIT_EXPECT_EQ(test, parse("nat,,nat", &f, bad), -EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "");
	KUNIT_EXPECT_EQ(test, f, 0xdeadU);
}

/* Each part where it belongs, the key ones first, each at its own cost. */
static void layout_test(struct kunit *test)
{
	struct nfl_ext_layout l;

	nfl_ext_layout(&l, 0, AF_INET);
	KUNIT_EXPECT_EQ(test, l.size, 0);
	KUNIT_EXPECT_EQ(test, l.key_words, 0);

	nfl_ext_layout(&l, NFL_FIELD_NAT, AF_INET);
	KUNIT_EXPECT_EQ(test, l.size, 16);	/* 12, 8-aligned */
	KUNIT_EXPECT_EQ(test, l.key_words, 0);
	KUNIT_EXPECT_EQ(test, l.nat, 0);
	nfl_ext_layout(&l, NFL_FIELD_NAT, AF_INET6);
	KUNIT_EXPECT_EQ(test, l.size, 40);	/* 36 */

	nfl_ext_layout(&l, NFL_FIELD_MAC, AF_INET);
	KUNIT_EXPECT_EQ(test, l.size, 16);	/* MACs 12, EtherType 4 */
	KUNIT_EXPECT_EQ(test, l.key_words, 4);
	KUNIT_EXPECT_EQ(test, l.l2, 12);

	nfl_ext_layout(&l, NFL_FIELD_VLAN | NFL_FIELD_NAT, AF_INET);
	KUNIT_EXPECT_EQ(test, l.l2, 0);
	KUNIT_EXPECT_EQ(test, l.vlan, 4);
	KUNIT_EXPECT_EQ(test, l.key_words, 2);
	KUNIT_EXPECT_EQ(test, l.nat, 8);
	KUNIT_EXPECT_EQ(test, l.size, 24);	/* 20 */

	/* the bench's row: mac,vlan,nat is 96 bytes an IPv4 flow */
	nfl_ext_layout(&l, NFL_FIELD_MAC | NFL_FIELD_VLAN | NFL_FIELD_NAT,
		       AF_INET);
	KUNIT_EXPECT_EQ(test, l.key_words, 5);
	KUNIT_EXPECT_EQ(test, l.size + NFL_FLOW4_SIZE, 96);

	nfl_ext_layout(&l, NFL_FIELDS_NAMED, AF_INET6);
	KUNIT_EXPECT_EQ(test, l.mac, 0);
	KUNIT_EXPECT_EQ(test, l.l2, 12);
	KUNIT_EXPECT_EQ(test, l.vlan, 16);
	KUNIT_EXPECT_EQ(test, l.mpls, 20);
	KUNIT_EXPECT_EQ(test, l.key_words, 8);
	KUNIT_EXPECT_EQ(test, l.phys, 32);
	KUNIT_EXPECT_EQ(test, l.nat, 40);
	KUNIT_EXPECT_EQ(test, l.size, 80);	/* 76 */

	/* aggregation's prefix lengths: a key part, after the others */
	nfl_ext_layout(&l, NFL_FIELDS_ALL, AF_INET6);
	KUNIT_EXPECT_EQ(test, l.mpls, 20);
	KUNIT_EXPECT_EQ(test, l.aggr, 32);
	KUNIT_EXPECT_EQ(test, l.key_words, 9);
	KUNIT_EXPECT_EQ(test, l.phys, 36);
	KUNIT_EXPECT_EQ(test, l.nat, 44);
	KUNIT_EXPECT_EQ(test, l.size, NFL_EXT_MAX);
	KUNIT_EXPECT_EQ(test, NFL_EXT_MAX, 80);

	/* alone, an IPv4 flow of 72 bytes: 4, 8-aligned, in front */
	nfl_ext_layout(&l, NFL_FIELD_AGGR, AF_INET);
	KUNIT_EXPECT_EQ(test, l.aggr, 0);
	KUNIT_EXPECT_EQ(test, l.key_words, 1);
	KUNIT_EXPECT_EQ(test, l.size, 8);
}

/* Every layout: 8-aligned (the flow after it is), and within the maximum. */
static void layout_all_test(struct kunit *test)
{
	struct nfl_ext_layout l;
	unsigned int f;

	for (f = 0; f <= NFL_FIELDS_ALL; f++) {
		nfl_ext_layout(&l, f, AF_INET);
		KUNIT_EXPECT_EQ(test, l.size % 8, 0);
		KUNIT_EXPECT_LE(test, l.size, NFL_EXT_MAX);
		KUNIT_EXPECT_EQ(test, !!l.key_words,
				!!(f & (NFL_FIELDS_KEY | NFL_FIELD_AGGR)));
		nfl_ext_layout(&l, f, AF_INET6);
		KUNIT_EXPECT_EQ(test, l.size % 8, 0);
		KUNIT_EXPECT_LE(test, l.size, NFL_EXT_MAX);
	}
}

#define RULES16	"a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9,j:10,k:11,l:12,m:13,n:14,o:15,p:16"

/* snmp-rules: fprobe-ulog's form, a bad rule named, the old one kept */
static void snmp_parse_test(struct kunit *test)
{
	struct nfl_snmp_rule r[NFL_SNMP_RULES_MAX];
	const char *bad = NULL;
	size_t n = 0;

	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("", r, &bad, &n), 0);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("ppp:200,eth:100", r, &bad, &n), 2);
	KUNIT_EXPECT_STREQ(test, r[0].prefix, "ppp");
	KUNIT_EXPECT_EQ(test, r[0].len, 3U);
	KUNIT_EXPECT_EQ(test, r[0].base, 200U);
	KUNIT_EXPECT_STREQ(test, r[1].prefix, "eth");
	KUNIT_EXPECT_EQ(test, r[1].base, 100U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("ppp:200,eth", r, &bad, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, strncmp(bad, "eth", 3), 0);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("ppp:", r, &bad, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse(":200", r, &bad, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("ppp:2x", r, &bad, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("ppp:-1", r, &bad, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("ppp:1000000001", r, &bad, &n),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("ppp:1000000000", r, &bad, &n), 1);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("ppp:1,", r, &bad, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, n, 6U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("a b:1", r, &bad, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse("0123456789abcdef:1", r, &bad, &n),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse(RULES16, r, &bad, &n), 16);
	KUNIT_EXPECT_EQ(test, nfl_snmp_parse(RULES16 ",q:17", r, &bad, &n),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, bad, "q:17");
}

/* ppp11 is 211; eth0.100 (not prefix + digits alone) keeps its index */
static void snmp_index_test(struct kunit *test)
{
	struct nfl_snmp_rule r[NFL_SNMP_RULES_MAX];
	const char *bad;
	size_t n;
	int c = nfl_snmp_parse("ppp:200,eth:100,e:5000", r, &bad, &n);

	KUNIT_ASSERT_EQ(test, c, 3);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "ppp11", 7), 211U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "ppp0", 7), 200U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "eth7", 3), 107U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "eth0.100", 9), 9U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "eth", 9), 9U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "ethx1", 9), 9U);
	/* the first rule that matches: "e" takes what "eth" does not */
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "e1", 9), 5001U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "lo", 1), 1U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, 0, "ppp11", 7), 7U);
	c = nfl_snmp_parse("x:1000000000", r, &bad, &n);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "x99999999999", 4), 4U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "x3294967295", 4),
			4294967295U);
	KUNIT_EXPECT_EQ(test, nfl_snmp_index(r, c, "x3294967296", 4), 4U);
}

static struct kunit_case fields_cases[] = {
	KUNIT_CASE(fields_parse_test),
	KUNIT_CASE(fields_refuse_test),
	KUNIT_CASE(layout_test),
	KUNIT_CASE(layout_all_test),
	KUNIT_CASE(snmp_parse_test),
	KUNIT_CASE(snmp_index_test),
	{}
};

static struct kunit_suite fields_suite = {
	.name = "ipt_netflow_fields",
	.test_cases = fields_cases,
};

kunit_test_suite(fields_suite);
