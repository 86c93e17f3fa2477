// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for connection records (ctflows) in the encoders: one
 * RFC 5103 biflow record in IPFIX, a record per direction in v9 and v5,
 * and the split of counts v5 cannot hold.
 *
 * Expected bytes are written out by hand from RFC 7011, RFC 5103 and the
 * IANA registry, not produced by the encoder.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "encoder.h"
#include "netflow_v5.h"
#include "template.h"
#include "test_enc.h"

/*
 * @r with no counts yet, started by its original direction's source,
 * from 10 s to 1 s before t0 (whose wall clock is 1700000000123 ms).
 */
static void ct_init(struct nfl_ct_record *r, u8 proto, u8 end_reason)
{
	memset(r, 0, sizeof(*r));
	r->start_ms = 1700000000123ULL - 10000;
	r->end_ms = 1700000000123ULL - 1000;
	r->proto = proto;
	r->end_reason = end_reason;
	r->biflow_dir = NFL_BIFLOW_INITIATOR;
}

/* One direction: IPv4 addresses and ports in host byte order, counts. */
static void ct_side4(struct nfl_ct_side *d, u32 saddr, u32 daddr,
		     u16 sport, u16 dport, u64 packets, u64 bytes)
{
	d->saddr = htonl(saddr);
	d->daddr = htonl(daddr);
	d->sport = htons(sport);
	d->dport = htons(dport);
	d->packets = packets;
	d->bytes = bytes;
}

/*
 * TCP through a DNAT and a MASQUERADE: the client 192.0.2.1:40000 asks
 * for 198.51.100.1:8080, which DNAT makes 198.51.100.7:80, and leaves as
 * 203.0.113.1:61000.  10 packets, 1500 bytes out, 8 and 4000 back, from
 * 10 s to 1 s before t0, ended by a TCP close.
 */
static void ct_tcp_nat(struct nfl_ct_record *r)
{
	ct_init(r, IPPROTO_TCP, NFL_END_DETECTED);
	r->nat = true;
	ct_side4(&r->dir[0], 0xc0000201, 0xc6336401, 40000, 8080, 10, 1500);
	/* the reply as it came in: from the server to the NAT address */
	ct_side4(&r->dir[1], 0xc6336407, 0xcb007101, 80, 61000, 8, 4000);
}

/* an echo request 192.0.2.1 -> 198.51.100.7, id 0x1234, no reply, timed out */
static void ct_icmp(struct nfl_ct_record *r)
{
	ct_init(r, IPPROTO_ICMP, NFL_END_IDLE);
	ct_side4(&r->dir[0], 0xc0000201, 0xc6336407, 0x1234, 8 << 8, 3, 252);
	ct_side4(&r->dir[1], 0xc6336407, 0xc0000201, 0x1234, 0, 0, 0);
}

/* A new encoder of @ops whose first PDU has @r in it (or the test ends). */
static struct nfl_enc *enc_ct(struct kunit *test,
			      const struct nfl_encoder *ops,
			      const struct nfl_ct_record *r)
{
	struct nfl_enc *e = nfl_test_enc(test, ops);

	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add_ct(e, r), 0);
	return e;
}

/*
 * Finish @e's first PDU: after the templates and system record (@off
 * bytes) come @tpl, the record's template set, and @data, its data set,
 * and nothing is written past them.
 */
static void expect_first_pdu(struct kunit *test, struct nfl_enc *e,
			     size_t off, const u8 *tpl, size_t tpl_len,
			     const u8 *data, size_t data_len)
{
	size_t end = off + tpl_len + data_len;

	KUNIT_ASSERT_EQ(test, e->ops->finish(e), end);
	nfl_test_expect_bytes(test, e->buf + off, tpl, tpl_len,
			      "template set");
	nfl_test_expect_bytes(test, e->buf + off + tpl_len, data, data_len,
			      "data set");
	KUNIT_EXPECT_EQ(test, e->buf[end], 0xa5);
}

/*
 * In the arrays below: flowStart 0x18bcfe5416b = 1699999990123 ms and
 * flowEnd 0x18bcfe56493 = 1699999999123 ms; PEN 0x7279 = 29305.
 */

/* IPFIX template 267 (IPv4, NAT): 16 IANA and 4 reverse elements */
static const u8 ipfix_tpl267[104] = {
	0x00, 0x02, 0x00, 0x68,		/* template set, 104 bytes */
	0x01, 0x0b, 0x00, 0x14,		/* id 267, 20 fields */
	0x00, 0x08, 0x00, 0x04,		/* sourceIPv4Address */
	0x00, 0x0c, 0x00, 0x04,		/* destinationIPv4Address */
	0x00, 0xe1, 0x00, 0x04,		/* postNATSourceIPv4Address */
	0x00, 0xe2, 0x00, 0x04,		/* postNATDestinationIPv4Address */
	0x00, 0x07, 0x00, 0x02,		/* sourceTransportPort */
	0x00, 0x0b, 0x00, 0x02,		/* destinationTransportPort */
	0x00, 0xe3, 0x00, 0x02,		/* postNAPTSourceTransportPort */
	0x00, 0xe4, 0x00, 0x02,		/* postNAPTDestinationTransportPort */
	0x00, 0x04, 0x00, 0x01,		/* protocolIdentifier */
	0x00, 0x3c, 0x00, 0x01,		/* ipVersion */
	0x00, 0x02, 0x00, 0x08,		/* packetDeltaCount */
	0x00, 0x01, 0x00, 0x08,		/* octetDeltaCount */
	0x00, 0x98, 0x00, 0x08,		/* flowStartMilliseconds */
	0x00, 0x99, 0x00, 0x08,		/* flowEndMilliseconds */
	/* reversePacketDeltaCount, reverseOctetDeltaCount */
	0x80, 0x02, 0x00, 0x08, 0x00, 0x00, 0x72, 0x79,
	0x80, 0x01, 0x00, 0x08, 0x00, 0x00, 0x72, 0x79,
	/* reverseFlowStartMilliseconds, reverseFlowEndMilliseconds */
	0x80, 0x98, 0x00, 0x08, 0x00, 0x00, 0x72, 0x79,
	0x80, 0x99, 0x00, 0x08, 0x00, 0x00, 0x72, 0x79,
	0x00, 0x88, 0x00, 0x01,		/* flowEndReason */
	0x00, 0xef, 0x00, 0x01,		/* biflowDirection */
};

/* ct_tcp_nat() as one biflow record: 92 bytes, no padding */
static const u8 ipfix_data267[96] = {
	0x01, 0x0b, 0x00, 0x60,		/* data set 267, 96 bytes */
	0xc0, 0x00, 0x02, 0x01,		/* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x01,		/* -> 198.51.100.1 */
	0xcb, 0x00, 0x71, 0x01,		/* leaves as 203.0.113.1 */
	0xc6, 0x33, 0x64, 0x07,		/* -> 198.51.100.7 */
	0x9c, 0x40, 0x1f, 0x90,		/* 40000 -> 8080 */
	0xee, 0x48, 0x00, 0x50,		/* as 61000 -> 80 */
	0x06, 0x04,			/* TCP, IPv4 */
	0, 0, 0, 0, 0, 0, 0, 10,	/* 10 packets */
	0, 0, 0, 0, 0, 0, 0x05, 0xdc,	/* 1500 bytes */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x41, 0x6b,
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x64, 0x93,
	0, 0, 0, 0, 0, 0, 0, 8,		/* 8 packets back */
	0, 0, 0, 0, 0, 0, 0x0f, 0xa0,	/* 4000 bytes back */
	/* the reply counted in the same span */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x41, 0x6b,
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x64, 0x93,
	0x03, 0x01,			/* end detected, initiator */
};

static void ipfix_test_biflow_nat(struct kunit *test)
{
	struct nfl_ct_record r;
	struct nfl_enc *e;
	u8 *p;

	ct_tcp_nat(&r);
	e = enc_ct(test, &nfl_ipfix_encoder, &r);
	p = e->buf;
	KUNIT_EXPECT_EQ(test, e->records, 1U);
	expect_first_pdu(test, e, NFL_TEST_IPFIX_FIRST,
			 ipfix_tpl267, sizeof(ipfix_tpl267),
			 ipfix_data267, sizeof(ipfix_data267));
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 2),
			NFL_TEST_IPFIX_FIRST + 104 + 96);
	/* the system record and the biflow are data records */
	KUNIT_EXPECT_EQ(test, e->sequence, 7ULL);

	/* next PDU: no templates due, none goes; the same record */
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add_ct(e, &r), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), 16 + 96);
	nfl_test_expect_bytes(test, p + 16, ipfix_data267,
			      sizeof(ipfix_data267),
			      "biflow record, no template");
	KUNIT_EXPECT_EQ(test, e->sequence, 8ULL);
	nfl_test_enc_put(e);
}

/* ICMP without NAT and without a reply: template 269, reverse all 0 */
static void ipfix_test_biflow_icmp(struct kunit *test)
{
	static const u8 tpl[92] = {
		0x00, 0x02, 0x00, 0x5c,	/* template set, 92 bytes */
		0x01, 0x0d, 0x00, 0x11,	/* id 269, 17 fields */
		0x00, 0x08, 0x00, 0x04, 0x00, 0x0c, 0x00, 0x04,
		0x00, 0x07, 0x00, 0x02, 0x00, 0x0b, 0x00, 0x02,
		0x00, 0x04, 0x00, 0x01, 0x00, 0x3c, 0x00, 0x01,
		0x00, 0x02, 0x00, 0x08, 0x00, 0x01, 0x00, 0x08,
		0x00, 0x98, 0x00, 0x08, 0x00, 0x99, 0x00, 0x08,
		0x80, 0x02, 0x00, 0x08, 0x00, 0x00, 0x72, 0x79,
		0x80, 0x01, 0x00, 0x08, 0x00, 0x00, 0x72, 0x79,
		0x80, 0x98, 0x00, 0x08, 0x00, 0x00, 0x72, 0x79,
		0x80, 0x99, 0x00, 0x08, 0x00, 0x00, 0x72, 0x79,
		0x00, 0x88, 0x00, 0x01, 0x00, 0xef, 0x00, 0x01,
		0x00, 0x20, 0x00, 0x02,	/* icmpTypeCodeIPv4 */
	};
	static const u8 data[88] = {
		0x01, 0x0d, 0x00, 0x58,	/* data set 269, 82 bytes and padding */
		0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07,
		0x12, 0x34, 0x08, 0x00,	/* id, echo request */
		0x01, 0x04,
		0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 0, 0, 0, 0, 0xfc,
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x41, 0x6b,
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x64, 0x93,
		0, 0, 0, 0, 0, 0, 0, 0,	/* no reply: counts ... */
		0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,	/* ... and times 0 */
		0, 0, 0, 0, 0, 0, 0, 0,
		0x01, 0x01,		/* idle timeout, initiator */
		0x08, 0x00,		/* icmpTypeCodeIPv4 */
		0x00, 0x00,		/* padding */
	};
	struct nfl_ct_record r;
	struct nfl_enc *e;

	ct_icmp(&r);
	e = enc_ct(test, &nfl_ipfix_encoder, &r);
	KUNIT_EXPECT_EQ(test, e->records, 1U);
	expect_first_pdu(test, e, NFL_TEST_IPFIX_FIRST, tpl, sizeof(tpl),
			 data, sizeof(data));
	nfl_test_enc_put(e);
}

/*
 * NAT66: template 268 names the IPv6 pre- and post-NAT addresses, and
 * two records of different kinds go in sets of their own.
 */
static void ipfix_test_biflow_nat66(struct kunit *test)
{
	static const u8 head[20] = {
		0x00, 0x02, 0x00, 0x68,	/* template set, 104 bytes */
		0x01, 0x0c, 0x00, 0x14,	/* id 268, 20 fields */
		0x00, 0x1b, 0x00, 0x10,	/* sourceIPv6Address */
		0x00, 0x1c, 0x00, 0x10,	/* destinationIPv6Address */
		0x01, 0x19, 0x00, 0x10,	/* postNATSourceIPv6Address */
	};
	size_t off = NFL_TEST_IPFIX_FIRST;
	struct nfl_ct_record r;
	struct nfl_enc *e;
	u8 *p;

	ct_tcp_nat(&r);
	r.ipv6 = true;
	memset(&r.dir[0].saddr6, 0x11, 16);
	memset(&r.dir[0].daddr6, 0x22, 16);
	memset(&r.dir[1].saddr6, 0x33, 16);
	memset(&r.dir[1].daddr6, 0x44, 16);
	e = enc_ct(test, &nfl_ipfix_encoder, &r);
	p = e->buf;
	nfl_test_expect_bytes(test, p + off, head, sizeof(head),
			      "template 268");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 20), 282);
	/* data set 268: addresses in, then post-NAT: the reply's, swapped */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 104), 268);
	KUNIT_EXPECT_EQ(test, p[off + 108], 0x11);
	KUNIT_EXPECT_EQ(test, p[off + 108 + 16], 0x22);
	KUNIT_EXPECT_EQ(test, p[off + 108 + 32], 0x44);
	KUNIT_EXPECT_EQ(test, p[off + 108 + 48], 0x33);
	/* then an IPv4 one: its template, its own set */
	ct_tcp_nat(&r);
	KUNIT_ASSERT_EQ(test, e->ops->add_ct(e, &r), 0);
	KUNIT_EXPECT_EQ(test, e->records, 2U);
	nfl_test_enc_put(e);
}

/* v9 template 267: no reverse elements, uptime-based times */
static const u8 v9_tpl267[72] = {
	0x00, 0x00, 0x00, 0x48,		/* flowset 0, 72 bytes */
	0x01, 0x0b, 0x00, 0x10,		/* id 267, 16 fields */
	0x00, 0x08, 0x00, 0x04, 0x00, 0x0c, 0x00, 0x04,
	0x00, 0xe1, 0x00, 0x04, 0x00, 0xe2, 0x00, 0x04,
	0x00, 0x07, 0x00, 0x02, 0x00, 0x0b, 0x00, 0x02,
	0x00, 0xe3, 0x00, 0x02, 0x00, 0xe4, 0x00, 0x02,
	0x00, 0x04, 0x00, 0x01, 0x00, 0x3c, 0x00, 0x01,
	0x00, 0x02, 0x00, 0x08, 0x00, 0x01, 0x00, 0x08,
	0x00, 0x16, 0x00, 0x04,		/* FIRST_SWITCHED */
	0x00, 0x15, 0x00, 0x04,		/* LAST_SWITCHED */
	0x00, 0x88, 0x00, 0x01, 0x00, 0xef, 0x00, 0x01,
};

/* ct_tcp_nat() as two records of 52 bytes */
static const u8 v9_data267[108] = {
	0x01, 0x0b, 0x00, 0x6c,		/* flowset 267, 108 bytes */
	/* the original direction, as in the biflow */
	0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x01,
	0xcb, 0x00, 0x71, 0x01, 0xc6, 0x33, 0x64, 0x07,
	0x9c, 0x40, 0x1f, 0x90, 0xee, 0x48, 0x00, 0x50,
	0x06, 0x04,
	0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0x05, 0xdc,
	0x00, 0x98, 0x6f, 0x70,		/* first: 10000 s - 10 s */
	0x00, 0x98, 0x92, 0x98,		/* last: 10000 s - 1 s */
	0x03, 0x01,			/* end detected, initiator */
	/* the reply as it came in, and what NAT made of it */
	0xc6, 0x33, 0x64, 0x07,		/* 198.51.100.7 */
	0xcb, 0x00, 0x71, 0x01,		/* -> 203.0.113.1 */
	0xc6, 0x33, 0x64, 0x01,		/* leaves as from 198.51.100.1 */
	0xc0, 0x00, 0x02, 0x01,		/* to 192.0.2.1 */
	0x00, 0x50, 0xee, 0x48,		/* 80 -> 61000 */
	0x1f, 0x90, 0x9c, 0x40,		/* as 8080 -> 40000 */
	0x06, 0x04,
	0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x0f, 0xa0,
	0x00, 0x98, 0x6f, 0x70, 0x00, 0x98, 0x92, 0x98,
	0x03, 0x02,			/* its destination started it */
};

static void v9_test_split_nat(struct kunit *test)
{
	struct nfl_ct_record r;
	struct nfl_enc *e;

	ct_tcp_nat(&r);
	e = enc_ct(test, &nfl_v9_encoder, &r);
	KUNIT_EXPECT_EQ(test, e->records, 2U);
	expect_first_pdu(test, e, NFL_TEST_V9_FIRST,
			 v9_tpl267, sizeof(v9_tpl267),
			 v9_data267, sizeof(v9_data267));
	/* 4+3 templates, 267, the system record, 2 records */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 2), 11);
	nfl_test_enc_put(e);
}

/* A direction without packets gives no record; no traffic, none at all. */
static void v9_test_split_quiet(struct kunit *test)
{
	struct nfl_ct_record r;
	struct nfl_enc *e;
	size_t len;
	u8 *p;

	ct_icmp(&r);
	e = enc_ct(test, &nfl_v9_encoder, &r);
	p = e->buf;
	KUNIT_EXPECT_EQ(test, e->records, 1U);
	len = e->len;
	r.dir[0].packets = 0;
	r.dir[0].bytes = 0;
	KUNIT_ASSERT_EQ(test, e->ops->add_ct(e, &r), 0);
	KUNIT_EXPECT_EQ(test, e->records, 1U);
	KUNIT_EXPECT_EQ(test, e->len, len);
	/* the reply alone: source and type are the reply's */
	r.dir[1].packets = 1;
	r.dir[1].bytes = 84;
	KUNIT_ASSERT_EQ(test, e->ops->add_ct(e, &r), 0);
	KUNIT_EXPECT_EQ(test, e->records, 2U);
	/* template 269 in v9: 13 fields, ICMP type/code last */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + NFL_TEST_V9_FIRST + 4), 269);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + NFL_TEST_V9_FIRST + 6), 13);
	p += len;
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p), 0xc633);	/* 198.51... */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 8), 0x1234);	/* id */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 10), 0);	/* echo reply */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 38), 0x0102);	/* idle, rev. */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 40), 0);	/* ICMP 0/0 */
	nfl_test_enc_put(e);
}

/* An interface table of NFL_IF_MAX rows, longer than a PDU holds. */
static void long_ifaces(struct kunit *test, struct nfl_enc *e)
{
	struct nfl_iface *rows;
	unsigned int i;

	rows = kunit_kcalloc(test, NFL_IF_MAX, sizeof(*rows), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rows);
	for (i = 0; i < NFL_IF_MAX; i++) {
		rows[i].ifindex = 1000 + i;
		snprintf(rows[i].name, sizeof(rows[i].name), "if%u", i);
		memset(rows[i].desc, 'd', IFALIASZ - 1);
	}
	e->opt.ifaces = rows;
	e->opt.n_ifaces = NFL_IF_MAX;
}

/* The largest connection record: NAT66 ICMP, both directions counted. */
static void ct_largest(struct nfl_ct_record *r)
{
	ct_icmp(r);
	r->ipv6 = true;
	r->nat = true;
	r->dir[1].packets = 3;
	r->dir[1].bytes = 252;
}

/*
 * After a long interface table, a fresh PDU still has room for the
 * largest connection record and its template (v9: two records of
 * NAT66 ICMP).
 */
static void v9_test_room_after_ifaces(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	struct nfl_ct_record r;

	long_ifaces(test, e);
	e->ops->begin(e, &nfl_test_t0);
	ct_largest(&r);
	KUNIT_EXPECT_EQ(test, e->ops->add_ct(e, &r), 0);
	KUNIT_EXPECT_EQ(test, e->records, 2U);
	nfl_test_enc_put(e);
}

/*
 * fields= is the cache's: a change of it (new flow templates, sent again
 * with the others) leaves connection records' template as it was, and
 * with every combination of fields the largest record and its template
 * still fit after the templates and a long interface table.
 */
static void test_fields_keep_ct(struct kunit *test)
{
	static const struct nfl_encoder *const ops[] = {
		&nfl_v9_encoder, &nfl_ipfix_encoder,
	};
	u8 ref[4 + 4 + 8 * NFL_TPL_MAX_FIELDS];
	struct nfl_ct_record r;
	unsigned int i, f, len;
	struct nfl_enc *e;
	size_t at;
	u8 *p;

	ct_largest(&r);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		e = nfl_test_enc(test, ops[i]);
		p = e->buf;
		long_ifaces(test, e);
		for (f = 0; f <= NFL_FIELDS_ALL; f++) {
			e->fields = f;
			e->ops->set_fields(e);
			e->ops->begin(e, &nfl_test_t0);
			/* templates due: at first, then after each change */
			KUNIT_ASSERT_FALSE(test, e->resync);
			at = e->len;
			KUNIT_ASSERT_EQ(test, e->ops->add_ct(e, &r), 0);
			KUNIT_EXPECT_EQ(test, e->records, i ? 1U : 2U);
			/* the template set in front of the data set */
			KUNIT_ASSERT_EQ(test, nfl_test_be16(p + at + 4),
					NFL_TPL_ID_CT + 7);
			len = nfl_test_be16(p + at + 2);
			KUNIT_ASSERT_LE(test, len, (unsigned int)sizeof(ref));
			if (!f)
				memcpy(ref, p + at, len);
			else
				nfl_test_expect_bytes(test, p + at, ref, len,
					     "template 272, fields");
			KUNIT_EXPECT_GT(test, e->ops->finish(e), (size_t)0);
		}
		nfl_test_enc_put(e);
	}
}

static void v5_test_split(struct kunit *test)
{
	static const u8 rec[2][48] = { {
		0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x01,
		0, 0, 0, 0,		/* no next hop */
		0, 0, 0, 0,		/* no interfaces */
		0, 0, 0, 10, 0, 0, 0x05, 0xdc,
		0x00, 0x98, 0x6f, 0x70, 0x00, 0x98, 0x92, 0x98,
		0x9c, 0x40, 0x1f, 0x90,
		0, 0, 6, 0,		/* pad, no flags, TCP, tos */
		0, 0, 0, 0, 0, 0, 0, 0,
	}, {
		0xc6, 0x33, 0x64, 0x07, 0xcb, 0x00, 0x71, 0x01,
		0, 0, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, 8, 0, 0, 0x0f, 0xa0,
		0x00, 0x98, 0x6f, 0x70, 0x00, 0x98, 0x92, 0x98,
		0x00, 0x50, 0xee, 0x48,
		0, 0, 6, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
	} };
	struct nfl_ct_record r;
	struct nfl_enc *e;
	unsigned int i;
	u8 *p;

	ct_tcp_nat(&r);
	e = enc_ct(test, &nfl_v5_encoder, &r);
	p = e->buf;
	KUNIT_ASSERT_EQ(test, e->records, 2U);
	nfl_test_expect_bytes(test, p + 24, rec[0], 48, "v5 original");
	nfl_test_expect_bytes(test, p + 72, rec[1], 48, "v5 reply");
	/* v5 has no IPv6 */
	r.ipv6 = true;
	KUNIT_EXPECT_EQ(test, e->ops->add_ct(e, &r), -EAFNOSUPPORT);
	/* 28 more: the PDU holds 30 records, a connection's 2 at once */
	r.ipv6 = false;
	for (i = 0; i < 14; i++)
		KUNIT_ASSERT_EQ(test, e->ops->add_ct(e, &r), 0);
	KUNIT_EXPECT_EQ(test, e->records, 30U);
	e->records = 29;
	e->len -= 48;
	KUNIT_EXPECT_EQ(test, e->ops->add_ct(e, &r), -ENOSPC);
	KUNIT_EXPECT_EQ(test, e->records, 29U);
	/* one direction fits in the last slot */
	r.dir[1].packets = 0;
	r.dir[1].bytes = 0;
	KUNIT_EXPECT_EQ(test, e->ops->add_ct(e, &r), 0);
	KUNIT_EXPECT_EQ(test, e->records, 30U);

	/* ICMP: source port 0 (nfdump reads a non-zero one as type/code) */
	e->ops->begin(e, &nfl_test_t0);
	ct_icmp(&r);
	KUNIT_ASSERT_EQ(test, e->ops->add_ct(e, &r), 0);
	KUNIT_ASSERT_EQ(test, e->records, 1U);
	/* the record's srcport, then dstport: echo request */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 24 + 32), 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 24 + 34), 0x0800);
	nfl_test_enc_put(e);
}

/* Counts v5 cannot hold go as pieces that add up to them. */
static void ct_test_pieces(struct kunit *test)
{
	struct nfl_ct_record r, piece;
	u64 k, i, sum[4] = { };

	ct_tcp_nat(&r);
	KUNIT_EXPECT_EQ(test, nfl_ct_pieces(&r, U32_MAX, U32_MAX), 1ULL);
	KUNIT_EXPECT_EQ(test, nfl_ct_pieces(&r, U64_MAX, U32_MAX), 1ULL);
	r.dir[1].bytes = 3ULL * U32_MAX;
	KUNIT_EXPECT_EQ(test, nfl_ct_pieces(&r, U32_MAX, U32_MAX), 3ULL);
	r.dir[1].bytes = 3ULL * U32_MAX + 1;
	k = nfl_ct_pieces(&r, U32_MAX, U32_MAX);
	KUNIT_ASSERT_EQ(test, k, 4ULL);
	KUNIT_EXPECT_EQ(test, nfl_ct_pieces(&r, U64_MAX, U32_MAX), 1ULL);
	for (i = 0; i < k; i++) {
		piece = r;
		nfl_ct_piece(&piece, &r, k, i);
		KUNIT_EXPECT_LE(test, piece.dir[1].bytes, (u64)U32_MAX);
		KUNIT_EXPECT_EQ(test, piece.start_ms, r.start_ms);
		sum[0] += piece.dir[0].packets;
		sum[1] += piece.dir[0].bytes;
		sum[2] += piece.dir[1].packets;
		sum[3] += piece.dir[1].bytes;
	}
	KUNIT_EXPECT_EQ(test, sum[0], 10ULL);
	KUNIT_EXPECT_EQ(test, sum[1], 1500ULL);
	KUNIT_EXPECT_EQ(test, sum[2], 8ULL);
	KUNIT_EXPECT_EQ(test, sum[3], 3ULL * U32_MAX + 1);
	/* the last piece may be the record itself */
	nfl_ct_piece(&r, &r, k, k - 1);
	KUNIT_EXPECT_EQ(test, r.dir[1].bytes, (3ULL * U32_MAX + 1) / 4);
}

static struct kunit_case ctrecord_cases[] = {
	KUNIT_CASE(ipfix_test_biflow_nat),
	KUNIT_CASE(ipfix_test_biflow_icmp),
	KUNIT_CASE(ipfix_test_biflow_nat66),
	KUNIT_CASE(v9_test_split_nat),
	KUNIT_CASE(v9_test_split_quiet),
	KUNIT_CASE(v9_test_room_after_ifaces),
	KUNIT_CASE(test_fields_keep_ct),
	KUNIT_CASE(v5_test_split),
	KUNIT_CASE(ct_test_pieces),
	{}
};

static struct kunit_suite ctrecord_suite = {
	.name = "ipt_netflow_ctrecord",
	.test_cases = ctrecord_cases,
};

kunit_test_suite(ctrecord_suite);
