// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the NetFlow v5 encoder (netflow_v5.c).
 *
 * Expected PDUs are written out byte by byte from the v5 format, not
 * produced by the encoder or its structs, so a layout or byte-order slip
 * in netflow_v5.h fails here.  Flow ages are whole multiples of HZ so the
 * millisecond values hold for any CONFIG_HZ (UML uses 100, Debian 250).
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "encoder.h"
#include "test_enc.h"
#include "test_flows.h"
#include "netflow_v5.h"

#define HDR	24
#define REC	48
/* offsets inside a record, from the format */
#define R_INPUT		12
#define R_OUTPUT	14
#define R_PKTS		16
#define R_OCTETS	20
#define R_FIRST		24
#define R_LAST		28
#define R_SPORT		32
#define R_DPORT		34
#define R_FLAGS		37
#define R_PROT		38

struct v5_ctx {
	struct nfl_enc e;
	u8 buf[NF5_PDU_MAX + 16];
};

static struct nfl_enc *v5_enc(struct kunit *test, size_t size)
{
	struct v5_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_LE(test, size, sizeof(c->buf));
	c->e.ops = &nfl_v5_encoder;
	c->e.buf = c->buf;
	c->e.size = size;
	/* Bytes past the PDU must stay untouched: see v5_test_limit. */
	memset(c->buf, 0xa5, sizeof(c->buf));
	return &c->e;
}

static const u8 *rec(const struct nfl_enc *e, unsigned int i)
{
	return e->buf + HDR + i * REC;
}

static void v5_test_pdu_bytes(struct kunit *test)
{
	static const u8 want[HDR + REC] = {
		/* header */
		0x00, 0x05,			/* version */
		0x00, 0x01,			/* count */
		0x00, 0x98, 0x96, 0x80,		/* sys_uptime 10000000 ms */
		0x65, 0x53, 0xf1, 0x00,		/* unix_secs 1700000000 */
		0x07, 0x5b, 0xcd, 0x15,		/* unix_nsecs 123456789 */
		0x00, 0x00, 0x03, 0xe8,		/* flow_sequence 1000 */
		0x00,				/* engine_type */
		0x07,				/* engine_id */
		0x00, 0x00,			/* sampling_interval */
		/* record */
		0xc0, 0x00, 0x02, 0x01,		/* srcaddr 192.0.2.1 */
		0xc6, 0x33, 0x64, 0x07,		/* dstaddr 198.51.100.7 */
		0xcb, 0x00, 0x71, 0xfe,		/* nexthop 203.0.113.254 */
		0x00, 0x02,			/* input */
		0x00, 0x03,			/* output */
		0x00, 0x00, 0x00, 0x0a,		/* dPkts 10 */
		0x00, 0x00, 0x05, 0xdc,		/* dOctets 1500 */
		0x00, 0x98, 0x6f, 0x70,		/* First 9990000: 10 s ago */
		0x00, 0x98, 0x92, 0x98,		/* Last 9999000: 1 s ago */
		0x9c, 0x40,			/* srcport 40000 */
		0x00, 0x50,			/* dstport 80 */
		0x00,				/* pad1 */
		0x1b,				/* tcp_flags */
		0x06,				/* prot */
		0x28,				/* tos */
		0x00, 0x00,			/* src_as */
		0x00, 0x00,			/* dst_as */
		0x00,				/* src_mask */
		0x00,				/* dst_mask */
		0x00, 0x00,			/* pad2 */
	};
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_flow f;

	e->sequence = 1000;
	e->engine_id = 7;
	nfl_test_flow4(&f, &nfl_test_t0);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), sizeof(want));
	nfl_test_expect_bytes(test, e->buf, want, sizeof(want), "PDU");
	KUNIT_EXPECT_EQ(test, e->records, 1U);
	KUNIT_EXPECT_EQ(test, e->sequence, 1001ULL);
}

static void v5_test_limit(struct kunit *test)
{
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_flow f;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, NF5_PDU_MAX, (size_t)(24 + 30 * 48));
	nfl_test_flow4(&f, &nfl_test_t0);
	e->ops->begin(e, &nfl_test_t0);
	for (i = 0; i < 30; i++) {
		f.key.sport = htons(1000 + i);
		KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	}
	KUNIT_EXPECT_EQ(test, e->ops->add(e, &f), -ENOSPC);
	KUNIT_EXPECT_EQ(test, e->records, 30U);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)1464);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 2), 30);
	/* first and last records in order, nothing written past the PDU */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(rec(e, 0) + R_SPORT), 1000);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(rec(e, 29) + R_SPORT), 1029);
	KUNIT_EXPECT_EQ(test, e->buf[1464], 0xa5);

	/* a smaller buffer is full sooner, never overrun */
	e = v5_enc(test, 24 + 2 * 48 + 47);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, e->ops->add(e, &f), 0);
	KUNIT_EXPECT_EQ(test, e->ops->add(e, &f), 0);
	KUNIT_EXPECT_EQ(test, e->ops->add(e, &f), -ENOSPC);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)120);
	KUNIT_EXPECT_EQ(test, e->buf[120], 0xa5);

	/* too small for a header: nothing fits, nothing to send */
	e = v5_enc(test, 23);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, e->ops->add(e, &f), -ENOSPC);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)0);
	KUNIT_EXPECT_EQ(test, e->buf[0], 0xa5);
}

static void v5_test_sequence(struct kunit *test)
{
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_flow f;
	unsigned int i;

	nfl_test_flow4(&f, &nfl_test_t0);

	e->ops->begin(e, &nfl_test_t0);
	for (i = 0; i < 30; i++)
		KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	e->ops->finish(e);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(e->buf + 16), 0U);
	KUNIT_EXPECT_EQ(test, e->sequence, 30ULL);

	e->ops->begin(e, &nfl_test_t0);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	e->ops->finish(e);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(e->buf + 16), 30U);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 2), 5);
	KUNIT_EXPECT_EQ(test, e->sequence, 35ULL);

	/* an empty PDU is not sent and does not count */
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)0);
	KUNIT_EXPECT_EQ(test, e->sequence, 35ULL);

	/* the 32-bit field wraps; the stream counter does not */
	e->sequence = 0xfffffffeULL;
	e->ops->begin(e, &nfl_test_t0);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	e->ops->finish(e);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(e->buf + 16), 0xfffffffeU);
	KUNIT_EXPECT_EQ(test, e->sequence, 0x100000001ULL);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	e->ops->finish(e);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(e->buf + 16), 1U);
}

static void v5_test_icmp(struct kunit *test)
{
	/* srcport, dstport, pad1, tcp_flags, prot of the two records */
	static const u8 unreach[] = { 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x01 };
	static const u8 echo[] = { 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01 };
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_flow f;

	nfl_test_flow4(&f, &nfl_test_t0);
	f.key.proto = 1;
	f.tcp_flags = 0;
	f.key.sport = 0;
	f.key.dport = htons(3 << 8 | 1);	/* host unreachable */
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	f.key.dport = htons(8 << 8 | 0);	/* echo request */
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	e->ops->finish(e);
	nfl_test_expect_bytes(test, rec(e, 0) + R_SPORT, unreach,
			      sizeof(unreach), "host unreachable");
	nfl_test_expect_bytes(test, rec(e, 1) + R_SPORT, echo, sizeof(echo),
			      "echo");
}

static void v5_test_clamp(struct kunit *test)
{
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_flow f;

	nfl_test_flow4(&f, &nfl_test_t0);
	e->ops->begin(e, &nfl_test_t0);

	f.bytes = 0x100000005ULL;		/* would wrap to 5 */
	f.packets = 0xffffffffU;
	f.key.iif = 65536;			/* would wrap to 0 */
	f.oif = 70000;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);

	f.bytes = 0xffffffffULL;
	f.packets = 1;
	f.key.iif = 65535;
	f.oif = 65534;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);

	f.bytes = 0xfffffffeULL;
	f.key.iif = 0;				/* locally sent */
	f.oif = 0;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);

	e->engine_id = 0x1ff;
	e->ops->finish(e);

	KUNIT_EXPECT_EQ(test, nfl_test_be32(rec(e, 0) + R_OCTETS), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(rec(e, 0) + R_PKTS), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(rec(e, 0) + R_INPUT), 0xffff);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(rec(e, 0) + R_OUTPUT), 0xffff);

	KUNIT_EXPECT_EQ(test, nfl_test_be32(rec(e, 1) + R_OCTETS), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(rec(e, 1) + R_PKTS), 1U);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(rec(e, 1) + R_INPUT), 0xffff);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(rec(e, 1) + R_OUTPUT), 0xfffe);

	KUNIT_EXPECT_EQ(test, nfl_test_be32(rec(e, 2) + R_OCTETS), 0xfffffffeU);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(rec(e, 2) + R_INPUT), 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(rec(e, 2) + R_OUTPUT), 0);

	/* engine_id: the low 8 bits */
	KUNIT_EXPECT_EQ(test, e->buf[21], 0xff);
	e->engine_id = 0x100;
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	e->ops->finish(e);
	KUNIT_EXPECT_EQ(test, e->buf[21], 0x00);
	KUNIT_EXPECT_EQ(test, e->buf[20], 0x00);	/* engine_type */
}

/* Encode @f alone in a PDU begun at @t; return its record. */
static const u8 *v5_one(struct kunit *test, const struct nfl_export_time *t,
			const struct nfl_flow *f)
{
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);

	e->ops->begin(e, t);
	KUNIT_EXPECT_EQ(test, e->ops->add(e, f), 0);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)(HDR + REC));
	KUNIT_EXPECT_EQ(test, nfl_test_be32(e->buf + 4), t->uptime_ms);
	return rec(e, 0);
}

static void v5_test_time_wrap(struct kunit *test)
{
	struct nfl_export_time t = nfl_test_t0;
	struct nfl_flow f;
	const u8 *r;

	nfl_test_flow4(&f, &t);

	/* jiffies wrapped between the first packet and now */
	t.jiffies = 3 * HZ;
	t.uptime_ms = 1000000;
	f.first = 0U - 7 * HZ;			/* 10 s before now */
	f.last = 1 * HZ;			/* 2 s before now */
	KUNIT_ASSERT_GT(test, f.first, t.jiffies);
	r = v5_one(test, &t, &f);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(r + R_FIRST), 990000U);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(r + R_LAST), 998000U);

	/* sys_uptime itself wrapped since the first packet */
	t.jiffies = 0x80000000U;
	t.uptime_ms = 5000;
	f.first = t.jiffies - 10 * HZ;
	f.last = t.jiffies - 1 * HZ;
	r = v5_one(test, &t, &f);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(r + R_FIRST), 0xffffec78U);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(r + R_LAST), 4000U);

	/* stamped after the PDU was begun: reads as "now", not 49 days ago */
	f.first = t.jiffies;
	f.last = t.jiffies + 2;
	r = v5_one(test, &t, &f);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(r + R_FIRST), 5000U);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(r + R_LAST), 5000U);
}

static void v5_test_ipv6_skipped(struct kunit *test)
{
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_flow f;

	nfl_test_flow4(&f, &nfl_test_t0);
	f.key.family = AF_INET6;
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, e->ops->add(e, &f), -EAFNOSUPPORT);
	KUNIT_EXPECT_EQ(test, e->records, 0U);
	KUNIT_EXPECT_EQ(test, e->len, (size_t)24);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)0);
	KUNIT_EXPECT_EQ(test, e->sequence, 0ULL);

	/* a v4 flow after it lands in the first record slot */
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, e->ops->add(e, &f), -EAFNOSUPPORT);
	f.key.family = AF_INET;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)72);
	KUNIT_EXPECT_EQ(test, nfl_test_be32(rec(e, 0)), 0xc0000201U);
}

/*
 * NAT events as dummy flows: pre-NAT source, post-NAT destination, the
 * NAT address in nexthop and its port in an AS field, no counts.
 */
static void v5_test_nat(struct kunit *test)
{
	static const u8 snat_create[REC] = {
		0xc0, 0x00, 0x02, 0x01,		/* pre-NAT src 192.0.2.1 */
		0xc6, 0x33, 0x64, 0x07,		/* post-NAT dst 198.51.100.7 */
		0xcb, 0x00, 0x71, 0x01,		/* nexthop: post-NAT src */
		0x00, 0x00, 0x00, 0x00,		/* input, output */
		0x00, 0x00, 0x00, 0x00,		/* dPkts 0 */
		0x00, 0x00, 0x00, 0x00,		/* dOctets 0 */
		0x00, 0x98, 0x8e, 0xb0,		/* First 9998000: 2 s ago */
		0x00, 0x98, 0x8e, 0xb0,		/* Last the same */
		0x9c, 0x40,			/* pre-NAT sport 40000 */
		0x00, 0x50,			/* post-NAT dport 80 */
		0x00,				/* pad1 */
		0x12,				/* SYN|ACK: create */
		0x06,				/* TCP */
		0x00,				/* tos */
		0xee, 0x48,			/* src_as: post-NAT sport 61000 */
		0x00, 0x00,			/* dst_as */
		0x20,				/* src_mask 32 */
		0x00,				/* dst_mask */
		0x00, 0x00,			/* pad2 */
	};
	static const u8 dnat_delete[REC] = {
		0xc0, 0x00, 0x02, 0x01,		/* pre-NAT src */
		0xc6, 0x33, 0x64, 0x07,		/* post-NAT dst */
		0xc6, 0x33, 0x64, 0x01,		/* nexthop: pre-NAT dst */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x98, 0x8e, 0xb0,
		0x00, 0x98, 0x8e, 0xb0,
		0x9c, 0x40,
		0x00, 0x50,
		0x00,
		0x05,				/* RST|FIN: delete */
		0x06,
		0x00,
		0xee, 0x48,			/* src_as: post-NAT sport */
		0x1f, 0x90,			/* dst_as: pre-NAT dport 8080 */
		0x20, 0x20,			/* masks */
		0x00, 0x00,
	};
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_nat_event ev;

	e->ops->begin(e, &nfl_test_t0);
	nfl_test_nat4(&ev, &nfl_test_t0, false, false);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	nfl_test_nat4(&ev, &nfl_test_t0, true, true);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), HDR + 2 * REC);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 2), 2);
	nfl_test_expect_bytes(test, rec(e, 0), snat_create, REC,
			      "SNAT create");
	nfl_test_expect_bytes(test, rec(e, 1), dnat_delete, REC,
			      "DNAT delete");
	/* dummy flows count as flows in the sequence */
	KUNIT_EXPECT_EQ(test, e->sequence, 2ULL);
}

/* NAT66 events have no v5 form: skipped, as IPv6 flows are. */
static void v5_test_nat6_skipped(struct kunit *test)
{
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_nat_event ev;

	nfl_test_nat6(&ev, &nfl_test_t0, false, false);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, e->ops->add_nat(e, &ev), -EAFNOSUPPORT);
	KUNIT_EXPECT_EQ(test, e->records, 0U);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)0);
	KUNIT_EXPECT_EQ(test, e->buf[24], 0xa5);
}

/* A full PDU takes no more NAT events either. */
static void v5_test_nat_full(struct kunit *test)
{
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	struct nfl_nat_event ev;
	unsigned int i;

	nfl_test_nat4(&ev, &nfl_test_t0, false, false);
	e->ops->begin(e, &nfl_test_t0);
	for (i = 0; i < NF5_MAX_RECORDS; i++)
		KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	KUNIT_EXPECT_EQ(test, e->ops->add_nat(e, &ev), -ENOSPC);
	KUNIT_EXPECT_EQ(test, e->buf[NF5_PDU_MAX], 0xa5);
}

/*
 * aggregation=: src_mask and dst_mask carry the prefix lengths the rules
 * left; a flow metered without rules keeps 0 there.
 */
static void v5_test_aggr_masks(struct kunit *test)
{
	struct nfl_enc *e = v5_enc(test, NF5_PDU_MAX);
	u8 buf[NFL_EXT_MAX + sizeof(struct nfl_flow)] __aligned(8);
	struct nfl_ext_aggr *ag = (struct nfl_ext_aggr *)buf;
	struct nfl_ext_layout l;
	struct nfl_flow *f, plain;

	nfl_ext_layout(&l, NFL_FIELD_AGGR, AF_INET);
	f = (struct nfl_flow *)(buf + l.size);
	nfl_test_flow4(f, &nfl_test_t0);
	f->flags = NFL_FIELD_AGGR << NFL_FLOW_FIELDS_SHIFT;
	ag->smask = 16;
	ag->dmask = 32;
	nfl_test_flow4(&plain, &nfl_test_t0);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &plain), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), (size_t)(24 + 2 * 48));
	KUNIT_EXPECT_EQ(test, rec(e, 0)[44], 16);
	KUNIT_EXPECT_EQ(test, rec(e, 0)[45], 32);
	KUNIT_EXPECT_EQ(test, rec(e, 1)[44], 0);
	KUNIT_EXPECT_EQ(test, rec(e, 1)[45], 0);
	/* the rest of the record as without */
	KUNIT_EXPECT_EQ(test, memcmp(rec(e, 0), rec(e, 1), 44), 0);
}

static struct kunit_case v5_test_cases[] = {
	KUNIT_CASE(v5_test_pdu_bytes),
	KUNIT_CASE(v5_test_limit),
	KUNIT_CASE(v5_test_sequence),
	KUNIT_CASE(v5_test_icmp),
	KUNIT_CASE(v5_test_clamp),
	KUNIT_CASE(v5_test_time_wrap),
	KUNIT_CASE(v5_test_ipv6_skipped),
	KUNIT_CASE(v5_test_nat),
	KUNIT_CASE(v5_test_nat_full),
	KUNIT_CASE(v5_test_nat6_skipped),
	KUNIT_CASE(v5_test_aggr_masks),
	{}
};

static struct kunit_suite v5_test_suite = {
	.name = "ipt_netflow_v5",
	.test_cases = v5_test_cases,
};

kunit_test_suite(v5_test_suite);
