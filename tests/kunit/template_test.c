// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the NetFlow v9 and IPFIX encoders (template.c,
 * netflow_v9.c, ipfix.c).
 *
 * Expected bytes are written out from RFC 3954 / RFC 7011 and the IANA
 * element list by hand, not produced by the encoder, so a wrong id, size,
 * order, padding or byte order fails here.  Flow ages are whole multiples
 * of HZ so the millisecond values hold for any CONFIG_HZ.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "encoder.h"
#include "test_enc.h"
#include "test_flows.h"
#include "template.h"

/* Offset of templates 257, 258 and 259 in the template set. */
#define TPL257_OFF	(4 + 4 + 19 * 4)
#define TPL258_OFF	(TPL257_OFF + 4 + 19 * 4)
#define TPL259_OFF	(TPL258_OFF + 4 + 20 * 4)

/*
 * ICMPv6 echo 2001:db8::1 -> 2001:db8::2, label 0x12345, behind a
 * hop-by-hop and a destination options header; with its IPv6 tail.
 */
struct flow6 {
	struct nfl_flow f;
	struct nfl_flow6_tail tail;
};

static void flow6(struct flow6 *x, const struct nfl_export_time *t)
{
	static const struct in6_addr a = { { { 0x20, 0x01, 0x0d, 0xb8,
		[15] = 1 } } };
	static const struct in6_addr b = { { { 0x20, 0x01, 0x0d, 0xb8,
		[15] = 2 } } };
	static const struct in6_addr nh = { { { 0xfe, 0x80, [15] = 9 } } };

	memset(x, 0, sizeof(*x));
	x->f.key.family = AF_INET6;
	x->f.key.v6.saddr = a;
	x->f.key.v6.daddr = b;
	x->f.key.dport = htons(128 << 8);
	x->f.key.proto = 58;
	x->f.packets = 2;
	x->f.bytes = 208;
	x->f.first = t->jiffies - 10 * HZ;
	x->f.last = t->jiffies - 1 * HZ;
	x->f.end_reason = NFL_END_FORCED;
	*nfl_flow_nexthop6(&x->f) = nh;
	nfl_flow6_tail(&x->f)->flow_label = htonl(0x12345);
	nfl_flow6_tail(&x->f)->ext_hdrs = NFL_V6EH_HOP | NFL_V6EH_DST;
}

/* The IPv4 template (id 256), common to both but for the times. */
static void expect_tpl4(struct kunit *test, const u8 *p, bool ipfix)
{
	const u8 want[4 + 19 * 4] = {
		0x01, 0x00, 0x00, 0x13,		/* id 256, 19 fields */
		0x00, 0x08, 0x00, 0x04,		/* sourceIPv4Address */
		0x00, 0x0c, 0x00, 0x04,		/* destinationIPv4Address */
		0x00, 0x0f, 0x00, 0x04,		/* ipNextHopIPv4Address */
		0x00, 0x0a, 0x00, 0x04,		/* ingressInterface */
		0x00, 0x0e, 0x00, 0x04,		/* egressInterface */
		0x00, 0x02, 0x00, 0x08,		/* packetDeltaCount */
		0x00, 0x01, 0x00, 0x08,		/* octetDeltaCount */
		0x00, 0x07, 0x00, 0x02,		/* sourceTransportPort */
		0x00, 0x0b, 0x00, 0x02,		/* destinationTransportPort */
		0x00, 0x06, 0x00, 0x01,		/* tcpControlBits */
		0x00, 0x04, 0x00, 0x01,		/* protocolIdentifier */
		0x00, 0x05, 0x00, 0x01,		/* ipClassOfService */
		0x00, 0x88, 0x00, 0x01,		/* flowEndReason */
		0x00, 0x3c, 0x00, 0x01,		/* ipVersion */
		0x00, 0x3d, 0x00, 0x01,		/* flowDirection */
		/* FIRST/LAST_SWITCHED or flowStart/EndMilliseconds */
		0x00, ipfix ? 0x98 : 0x16, 0x00, ipfix ? 0x08 : 0x04,
		0x00, ipfix ? 0x99 : 0x15, 0x00, ipfix ? 0x08 : 0x04,
		0x00, 0xd0, 0x00, 0x04,		/* ipv4Options */
		0x00, 0xd1, 0x00, 0x08,		/* tcpOptions */
	};

	nfl_test_expect_bytes(test, p, want, sizeof(want), "template 256");
}

/* The records of nfl_test_flow4() in both protocols, up to the times. */
static const u8 rec4_head[] = {
	0xc0, 0x00, 0x02, 0x01,		/* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x07,		/* 198.51.100.7 */
	0xcb, 0x00, 0x71, 0xfe,		/* next hop 203.0.113.254 */
	0x00, 0x00, 0x00, 0x02,		/* in 2 */
	0x00, 0x00, 0x00, 0x03,		/* out 3 */
	0, 0, 0, 0, 0, 0, 0, 0x0a,	/* 10 packets */
	0, 0, 0, 0, 0, 0, 0x05, 0xdc,	/* 1500 bytes */
	0x9c, 0x40, 0x00, 0x50,		/* 40000 -> 80 */
	0x1b, 0x06, 0x28,		/* flags, TCP, TOS */
	0x01, 0x04, 0x00,		/* idle timeout, IPv4, ingress */
};

/* ... and after the times: no IPv4 options, TCP's with 34 at bit 34 */
static const u8 rec4_opts[12] = {
	0x00, 0x00, 0x00, 0x00,		/* ipv4Options */
	0x00, 0x00, 0x00, 0x04,		/* tcpOptions: Fast Open (34), */
	0x00, 0x00, 0x01, 0x1e,		/* TS 8, SACKOK 4, WS 3, MSS 2, NOP 1 */
};

/* The options templates in v9's layout (RFC 3954 6.1). */
static const u8 v9_opt_tpl[NFL_TEST_OPT_TPL_LEN] = {
	0x00, 0x01, 0x00, 0x28,		/* options flowset, 40 */
	0x01, 0x04,			/* template 260 */
	0x00, 0x04, 0x00, 0x18,		/* scope 4, options 24 bytes */
	0x00, 0x01, 0x00, 0x04,		/* scope System, 4 */
	0x00, 0xa0, 0x00, 0x08,		/* systemInitTimeMilliseconds */
	0x00, 0x29, 0x00, 0x08,		/* exportedMessageTotalCount */
	0x00, 0x2a, 0x00, 0x08,		/* exportedFlowRecordTotal.. */
	0x00, 0x28, 0x00, 0x08,		/* exportedOctetTotalCount */
	0x00, 0xa3, 0x00, 0x08,		/* observedFlowTotalCount */
	0x01, 0x2c, 0x00, 0x40,		/* observationDomainName, 64 */
	0x00, 0x00,			/* padding */

	0x00, 0x01, 0x00, 0x24,		/* options flowset, 36 */
	0x01, 0x06,			/* template 262 */
	0x00, 0x04, 0x00, 0x14,		/* scope 4, options 20 bytes */
	0x00, 0x01, 0x00, 0x04,		/* scope System, 4 */
	0x00, 0xa4, 0x00, 0x08,		/* ignoredPacketTotalCount */
	0x00, 0xa5, 0x00, 0x08,		/* ignoredOctetTotalCount */
	0x00, 0xa6, 0x00, 0x08,		/* notSentFlowTotalCount */
	0x00, 0xa7, 0x00, 0x08,		/* notSentPacketTotalCount */
	0x00, 0xa8, 0x00, 0x08,		/* notSentOctetTotalCount */
	0x00, 0x00,

	0x00, 0x01, 0x00, 0x18,		/* options flowset, 24 */
	0x01, 0x07,			/* template 263 */
	0x00, 0x04, 0x00, 0x08,		/* scope 4, options 8 bytes */
	0x00, 0x02, 0x00, 0x04,		/* scope Interface, 4 */
	0x00, 0x52, 0x00, 0x10,		/* interfaceName, 16 */
	0x00, 0x53, 0x00, 0x20,		/* interfaceDescription, 32 */
	0x00, 0x00,
};

/*
 * The same in IPFIX's (RFC 7011 3.4.2.2): the domain name variable-length,
 * the interface table fixed and scoped by its name, as nfdump reads it.
 */
static const u8 ipfix_opt_tpl[NFL_TEST_OPT_TPL_LEN] = {
	0x00, 0x03, 0x00, 0x28,		/* options template set, 40 */
	0x01, 0x04, 0x00, 0x07,		/* template 260, 7 fields */
	0x00, 0x01,			/* 1 scope field */
	0x00, 0x95, 0x00, 0x04,		/* observationDomainId */
	0x00, 0xa0, 0x00, 0x08,
	0x00, 0x29, 0x00, 0x08,
	0x00, 0x2a, 0x00, 0x08,
	0x00, 0x28, 0x00, 0x08,
	0x00, 0xa3, 0x00, 0x08,
	0x01, 0x2c, 0xff, 0xff,		/* observationDomainName, var */
	0x00, 0x00,			/* padding */

	0x00, 0x03, 0x00, 0x24,		/* options template set, 36 */
	0x01, 0x06, 0x00, 0x06,		/* template 262, 6 fields */
	0x00, 0x01,
	0x00, 0x95, 0x00, 0x04,
	0x00, 0xa4, 0x00, 0x08,
	0x00, 0xa5, 0x00, 0x08,
	0x00, 0xa6, 0x00, 0x08,
	0x00, 0xa7, 0x00, 0x08,
	0x00, 0xa8, 0x00, 0x08,
	0x00, 0x00,

	0x00, 0x03, 0x00, 0x18,		/* options template set, 24 */
	0x01, 0x07, 0x00, 0x03,		/* template 263, 3 fields */
	0x00, 0x01,
	0x00, 0x52, 0x00, 0x10,		/* scope interfaceName, 16 */
	0x00, 0x0a, 0x00, 0x04,		/* ingressInterface */
	0x00, 0x53, 0x00, 0x20,		/* interfaceDescription, 32 */
	0x00, 0x00,
};

/* The system record as nfl_test_enc() sets it up, before any PDU: v9 ... */
static const u8 v9_sys_data[112] = {
	0x01, 0x04, 0x00, 0x70,		/* data set 260, 112 bytes */
	0x00, 0x00, 0x00, 0x07,		/* source 7 */
	/* init: 1700000000123 - 10000000 ms */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0x4c, 0xd1, 0xfb,
	0, 0, 0, 0, 0, 0, 0, 0,		/* messages before */
	0, 0, 0, 0, 0, 0, 0, 0,		/* flow records before */
	0, 0, 0, 0, 0, 0, 0, 0,		/* octets before */
	0, 0, 0, 0, 0, 0, 0, 9,		/* flows observed */
	'i', 'p', 't', '_', 'N', 'E', 'T', 'F', 'L', 'O', 'W', ' ',
	'0', '.', '1', ' ', 'o', 'n', ' ', 'h',
	/* 44 NULs up to 64 */
};

/* ... and IPFIX */
static const u8 ipfix_sys_data[72] = {
	0x01, 0x04, 0x00, 0x48,		/* data set 260, 72 bytes */
	0x00, 0x00, 0x00, 0x07,		/* domain 7 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0x4c, 0xd1, 0xfb,
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 9,
	20,				/* a 20-byte string */
	'i', 'p', 't', '_', 'N', 'E', 'T', 'F', 'L', 'O', 'W', ' ',
	'0', '.', '1', ' ', 'o', 'n', ' ', 'h',
	0, 0, 0,			/* padding */
};

static void v9_test_pdu_bytes(struct kunit *test)
{
	static const u8 hdr[20] = {
		0x00, 0x09, 0x00, 0x09,		/* v9, 4+3 templates, 2 data */
		0x00, 0x98, 0x96, 0x80,		/* sys_uptime 10000000 */
		0x65, 0x53, 0xf1, 0x00,		/* unix_secs */
		0x00, 0x00, 0x00, 0x05,		/* 5 packets before */
		0x00, 0x00, 0x00, 0x07,		/* source id */
	};
	static const u8 times[8] = {
		0x00, 0x98, 0x6f, 0x70,		/* first: 10000 s - 10 s */
		0x00, 0x98, 0x92, 0x98,		/* last: 10000 s - 1 s */
	};
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	size_t opt = 20 + NFL_TEST_TPL_SET_LEN, off = NFL_TEST_V9_FIRST;
	struct nfl_flow f;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_FALSE(test, e->resync);
	nfl_test_flow4(&f, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	/* data set: 4 + 66, padded to 72 */
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + 72);
	KUNIT_EXPECT_EQ(test, e->sequence, 6ULL);

	nfl_test_expect_bytes(test, p, hdr, sizeof(hdr), "header");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 20), 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 22), NFL_TEST_TPL_SET_LEN);
	expect_tpl4(test, p + 24, false);
	nfl_test_expect_bytes(test, p + opt, v9_opt_tpl, sizeof(v9_opt_tpl),
			      "options templates");
	nfl_test_expect_bytes(test, p + opt + NFL_TEST_OPT_TPL_LEN, v9_sys_data,
			      sizeof(v9_sys_data), "system record");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 256);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 2), 72);
	nfl_test_expect_bytes(test, p + off + 4, rec4_head, sizeof(rec4_head),
			      "record");
	nfl_test_expect_bytes(test, p + off + 4 + sizeof(rec4_head), times,
			      sizeof(times), "times");
	nfl_test_expect_bytes(test, p + off + 58, rec4_opts, sizeof(rec4_opts),
			      "options");
	/* 2 bytes of padding, then nothing written */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 70), 0);
	KUNIT_EXPECT_EQ(test, p[off + 72], 0xa5);
	nfl_test_enc_put(e);
}

static void ipfix_test_pdu_bytes(struct kunit *test)
{
	static const u8 hdr[16] = {
		0x00, 0x0a, 0x02, 0x58,		/* IPFIX, 600 bytes */
		0x65, 0x53, 0xf1, 0x00,		/* export time */
		0x00, 0x00, 0x00, 0x05,		/* 5 data records before */
		0x00, 0x00, 0x00, 0x07,		/* observation domain */
	};
	static const u8 times[16] = {
		/* 1700000000123 - 10000 and - 1000 ms */
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x41, 0x6b,
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x64, 0x93,
	};
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	size_t opt = 16 + NFL_TEST_TPL_SET_LEN, off = NFL_TEST_IPFIX_FIRST;
	struct nfl_flow f;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	nfl_test_flow4(&f, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	/* data set: 4 + 74, padded to 80 */
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + 80);
	/* the options record is a data record too */
	KUNIT_EXPECT_EQ(test, e->sequence, 7ULL);

	nfl_test_expect_bytes(test, p, hdr, sizeof(hdr), "header");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 16), 2);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 18), NFL_TEST_TPL_SET_LEN);
	expect_tpl4(test, p + 20, true);
	nfl_test_expect_bytes(test, p + opt, ipfix_opt_tpl,
			      sizeof(ipfix_opt_tpl), "options templates");
	nfl_test_expect_bytes(test, p + opt + NFL_TEST_OPT_TPL_LEN,
			      ipfix_sys_data, sizeof(ipfix_sys_data),
			      "system record");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 256);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 2), 80);
	nfl_test_expect_bytes(test, p + off + 4, rec4_head, sizeof(rec4_head),
			      "record");
	nfl_test_expect_bytes(test, p + off + 4 + sizeof(rec4_head), times,
			      sizeof(times), "times");
	nfl_test_expect_bytes(test, p + off + 66, rec4_opts, sizeof(rec4_opts),
			      "options");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 78), 0);
	KUNIT_EXPECT_EQ(test, p[off + 80], 0xa5);
	nfl_test_enc_put(e);
}

/*
 * An ICMPv6 flow: template 259 has flowLabelIPv6 (31) and
 * ipv6ExtensionHeaders (64) after the addresses and ends in
 * icmpTypeCodeIPv6 (139).
 */
static void ipfix_test_icmp6(struct kunit *test)
{
	static const u8 v6[] = {
		0x00, 0x3e, 0x00, 0x10,		/* ipNextHopIPv6Address */
		0x00, 0x1f, 0x00, 0x04,		/* flowLabelIPv6 */
		0x00, 0x40, 0x00, 0x04,		/* ipv6ExtensionHeaders */
		0x00, 0x0a, 0x00, 0x04,		/* ingressInterface */
	};
	static const u8 tail[] = {
		0x00, 0x99, 0x00, 0x08,		/* flowEndMilliseconds */
		0x00, 0x8b, 0x00, 0x02,		/* icmpTypeCodeIPv6 */
	};
	static const u8 rec[] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
		0x00, 0x01, 0x23, 0x45,		/* flow label */
		0x03, 0x00, 0x00, 0x00,		/* HOP (bit 6), DST (bit 7) */
		0, 0, 0, 0, 0, 0, 0, 0,		/* no interfaces */
		0, 0, 0, 0, 0, 0, 0, 2,		/* 2 packets */
		0, 0, 0, 0, 0, 0, 0, 0xd0,	/* 208 bytes */
		0x00, 0x00, 0x80, 0x00,		/* 0, echo request */
		0x00, 0x3a, 0x00,		/* flags, ICMPv6, TC */
		0x04, 0x06, 0x00,		/* forced end, IPv6, ingress */
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x41, 0x6b,
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x64, 0x93,
		0x80, 0x00,			/* type 128, code 0 */
	};
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	size_t tpl259 = 16 + TPL259_OFF, off;
	struct flow6 x;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	off = e->len;
	flow6(&x, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &x.f), 0);
	/* 108 bytes: no padding */
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + 4 + sizeof(rec));
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl259), 259);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl259 + 2), 20);
	nfl_test_expect_bytes(test, p + tpl259 + 4 + 2 * 4, v6, sizeof(v6),
			      "template 259, IPv6 elements");
	nfl_test_expect_bytes(test, p + tpl259 + 4 + 18 * 4, tail, sizeof(tail),
			      "template 259");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 259);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 2), 4 + sizeof(rec));
	nfl_test_expect_bytes(test, p + off + 4, rec, sizeof(rec),
			      "ICMPv6 record");
	nfl_test_enc_put(e);
}

/*
 * flowDirection (61) after ipVersion, 0 or 1 from the key's bit and
 * nothing of the namespace tag beside it: an egress IPv4 flow of a
 * namespace, then an ingress IPv6 one, in both protocols.
 */
static void tpl_test_direction(struct kunit *test,
			       const struct nfl_encoder *ops)
{
	struct nfl_enc *e = nfl_test_enc(test, ops);
	size_t hdr = ops->protocol == 10 ? 16 : 20, off;
	struct nfl_flow f;
	struct flow6 x;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	/* template 256: the 15th field, 1 byte */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + hdr + 4 + 4 + 14 * 4), 61);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + hdr + 4 + 4 + 14 * 4 + 2), 1);
	/* template 259: after the IPv6 elements, the 17th */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + hdr + TPL259_OFF + 4 + 16 * 4),
			61);
	off = e->len;
	nfl_test_flow4(&f, &nfl_test_t0);
	f.key.ns_dir = 0xa4 | NFL_DIR_EGRESS;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	/* the record of nfl_test_flow4() up to ipVersion, then direction */
	nfl_test_expect_bytes(test, p + off + 4, rec4_head,
			      sizeof(rec4_head) - 1, "record");
	KUNIT_EXPECT_EQ(test, p[off + 4 + sizeof(rec4_head) - 1], 1);
	flow6(&x, &nfl_test_t0);
	x.f.key.ns_dir = 0xa4;
	off = ALIGN(e->len, 4);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &x.f), 0);
	/* 48 + 8 + 8 + 16 + 4 + 5: flags, proto, TC, end, version */
	KUNIT_EXPECT_EQ(test, p[off + 4 + 88], 6);
	KUNIT_EXPECT_EQ(test, p[off + 4 + 89], 0);
	KUNIT_EXPECT_GT(test, e->ops->finish(e), (size_t)0);
	nfl_test_enc_put(e);
}

static void v9_test_direction(struct kunit *test)
{
	tpl_test_direction(test, &nfl_v9_encoder);
}

static void ipfix_test_direction(struct kunit *test)
{
	tpl_test_direction(test, &nfl_ipfix_encoder);
}

/* v9 gives ICMPv6 element 32 as well: nfdump reads no 139 in v9. */
static void v9_test_icmp6(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	/* ICMP type/code last */
	size_t tpl259 = 20 + TPL259_OFF, off;
	struct flow6 x;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	off = e->len;
	flow6(&x, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &x.f), 0);
	/* 100 bytes: v6 record with 4-byte times and the ICMP element */
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + 4 + 100);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl259), 259);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl259 + 4 + 19 * 4), 32);
	/* label and extension headers as in IPFIX, after the next hop */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 4 + 48 + 1), 0x0123);
	KUNIT_EXPECT_EQ(test, p[off + 4 + 52], 0x03);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 4 + 98), 0x8000);
	nfl_test_enc_put(e);
}

/*
 * ipv4Options from the tail of an IPv4 flow that keeps them: template
 * 257 (ICMP) ends with it and has no tcpOptions; a flow without the tail
 * sends 0.  tcpOptions of an IPv6 TCP flow end template 258.
 */
static void ipfix_test_hdr_opts(struct kunit *test)
{
	static const u8 tpl257_tail[] = {
		0x00, 0x99, 0x00, 0x08,		/* flowEndMilliseconds */
		0x00, 0x20, 0x00, 0x02,		/* icmpTypeCodeIPv4 */
		0x00, 0xd0, 0x00, 0x04,		/* ipv4Options */
	};
	static const u8 tpl258_tail[] = {
		0x00, 0x99, 0x00, 0x08,		/* flowEndMilliseconds */
		0x00, 0xd1, 0x00, 0x08,		/* tcpOptions */
	};
	/* echo 8/0, then router alert (20), record route (7), EOOL (0) */
	static const u8 rec257_tail[] = { 0x08, 0x00, 0x00, 0x10, 0x00, 0x81 };
	/* Fast Open (34) and MSS (2) */
	static const u8 rec258_tail[] = { 0, 0, 0, 0x04, 0, 0, 0, 0x04 };
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	struct flow6 x;
	struct nfl_flow f;
	u8 *p = e->buf;
	size_t off;

	KUNIT_ASSERT_GE(test, sizeof(f), NFL_FLOW4O_SIZE);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 16 + TPL257_OFF), 257);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 16 + TPL257_OFF + 2), 19);
	nfl_test_expect_bytes(test, p + 16 + TPL257_OFF + 4 + 16 * 4,
			      tpl257_tail, sizeof(tpl257_tail), "template 257");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 16 + TPL258_OFF), 258);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 16 + TPL258_OFF + 2), 20);
	nfl_test_expect_bytes(test, p + 16 + TPL258_OFF + 4 + 18 * 4,
			      tpl258_tail, sizeof(tpl258_tail), "template 258");

	off = e->len;
	nfl_test_flow4(&f, &nfl_test_t0);
	f.key.proto = IPPROTO_ICMP;
	f.key.sport = 0;
	f.key.dport = htons(8 << 8);
	f.tcp_opts = 0;
	f.flags = NFL_FLOW_IP4_OPTS;
	nfl_flow4_tail(&f)->ip4_opts = BIT(20) | BIT(7) | BIT(0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	/* 46 + 16 of times, ICMP 2, ipv4Options 4 */
	KUNIT_ASSERT_EQ(test, e->len, off + 4 + 68);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 257);
	nfl_test_expect_bytes(test, p + off + 4 + 62, rec257_tail,
			      sizeof(rec257_tail), "ICMP record, ipv4Options");
	/* the same without the tail: 0, whatever lies after the key */
	f.flags = 0;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 4 + 68 + 64), 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 4 + 68 + 66), 0);

	flow6(&x, &nfl_test_t0);
	x.f.key.proto = IPPROTO_TCP;
	x.f.key.sport = htons(40000);
	x.f.key.dport = htons(443);
	x.f.tcp_opts = NFL_TCPOPT_FASTOPEN | BIT(2);
	off = ALIGN(e->len, 4);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &x.f), 0);
	/* 48 + 8 + 8 + 16 + 4 + 6 + 16 of times, tcpOptions 8 */
	KUNIT_ASSERT_EQ(test, e->len, off + 4 + 114);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 258);
	nfl_test_expect_bytes(test, p + off + 4 + 106, rec258_tail,
			      sizeof(rec258_tail),
			      "IPv6 TCP record, tcpOptions");
	KUNIT_EXPECT_GT(test, e->ops->finish(e), (size_t)0);
	nfl_test_enc_put(e);
}

static bool has_templates(struct nfl_enc *e, const struct nfl_export_time *t)
{
	bool v9 = e->ops->protocol == 9;
	struct nfl_flow f;
	bool with;

	e->ops->begin(e, t);
	nfl_test_flow4(&f, t);
	if (e->ops->add(e, &f))
		return false;
	/* the template set follows the header */
	with = nfl_test_be16(e->buf + (v9 ? 20 : 16)) == (v9 ? 0 : 2);
	e->ops->finish(e);
	return with;
}

/* Templates in the first PDU, then every refresh_rate PDUs. */
static void v9_test_refresh_rate(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	static const bool want[] = { 1, 0, 0, 1, 0, 0, 1 };
	unsigned int i;

	e->refresh_rate = 3;
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ_MSG(test, has_templates(e, &nfl_test_t0),
				    want[i], "PDU %u", i);
	/* sequence counts PDUs */
	KUNIT_EXPECT_EQ(test, e->sequence, 5ULL + ARRAY_SIZE(want));
	e->resync = true;		/* a new collector */
	KUNIT_EXPECT_TRUE(test, has_templates(e, &nfl_test_t0));
	KUNIT_EXPECT_FALSE(test, e->resync);
	nfl_test_enc_put(e);
}

/* ... and once timeout_rate minutes have passed. */
static void v9_test_timeout_rate(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	struct nfl_export_time t = nfl_test_t0;

	e->refresh_rate = 0;
	e->timeout_rate = 1;
	KUNIT_EXPECT_TRUE(test, has_templates(e, &t));
	t.uptime_ms += 59999;
	KUNIT_EXPECT_FALSE(test, has_templates(e, &t));
	t.uptime_ms += 1;
	KUNIT_EXPECT_TRUE(test, has_templates(e, &t));
	t.uptime_ms += 1000;
	KUNIT_EXPECT_FALSE(test, has_templates(e, &t));
	nfl_test_enc_put(e);
}

/*
 * Fill PDUs with flows of alternating families: never past the buffer,
 * every set padded and its length right, and IPFIX's length and count.
 */
static void ipfix_test_fill(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	unsigned int i, n = 0, recs = 0;
	struct flow6 x;
	struct nfl_flow f;
	size_t len, off;
	int err;

	nfl_test_flow4(&f, &nfl_test_t0);
	flow6(&x, &nfl_test_t0);
	e->ops->begin(e, &nfl_test_t0);
	for (i = 0; ; i++) {
		err = e->ops->add(e, i % 3 ? &f : &x.f);
		if (err)
			break;
		n++;
	}
	KUNIT_EXPECT_EQ(test, err, -ENOSPC);
	/*
	 * 1400 - 520 of header, templates and system record: three times an
	 * IPv6 set (4 + 108, 112) and a set of two IPv4 records (4 + 2 * 74,
	 * 152); the next IPv6 set does not fit in 88 bytes.
	 */
	KUNIT_EXPECT_EQ(test, n, 9U);
	len = e->ops->finish(e);
	KUNIT_EXPECT_LE(test, len, (size_t)NFL_TPL_PDU_SIZE);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 2), len);
	KUNIT_EXPECT_EQ(test, e->buf[NFL_TPL_PDU_SIZE], 0xa5);
	for (off = 16; off < len; off += nfl_test_be16(e->buf + off + 2)) {
		KUNIT_ASSERT_EQ(test, nfl_test_be16(e->buf + off + 2) % 4, 0);
		if (nfl_test_be16(e->buf + off) == 256)
			recs += (nfl_test_be16(e->buf + off + 2) - 4) / 74;
		else if (nfl_test_be16(e->buf + off) == 259)
			recs += (nfl_test_be16(e->buf + off + 2) - 4) / 108;
	}
	KUNIT_EXPECT_EQ(test, off, len);
	KUNIT_EXPECT_EQ(test, recs, n);
	/* the next PDU: no templates, sequence moved by n + 1 options */
	KUNIT_EXPECT_EQ(test, e->sequence, 5ULL + n + 1);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)16 + 80);
	nfl_test_enc_put(e);
}

/* Nothing to send: no PDU, no sequence step. */
static void v9_test_empty(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);

	KUNIT_EXPECT_TRUE(test, has_templates(e, &nfl_test_t0));
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)0);
	KUNIT_EXPECT_EQ(test, e->sequence, 6ULL);
	nfl_test_enc_put(e);
}

/* The NEL template (id 261) after a set header with @set_id. */
static void expect_nel_tpl(struct kunit *test, const u8 *p, u16 set_id)
{
	const u8 want[52] = {
		0x00, set_id, 0x00, 0x34,	/* template set, 52 bytes */
		0x01, 0x05, 0x00, 0x0b,		/* id 261, 11 fields */
		0x01, 0x43, 0x00, 0x08,		/* observationTimeMilliseconds */
		0x00, 0x08, 0x00, 0x04,		/* sourceIPv4Address */
		0x00, 0x0c, 0x00, 0x04,		/* destinationIPv4Address */
		0x00, 0xe1, 0x00, 0x04,		/* postNATSourceIPv4Address */
		0x00, 0xe2, 0x00, 0x04,		/* postNATDestinationIPv4Address */
		0x00, 0x07, 0x00, 0x02,		/* sourceTransportPort */
		0x00, 0x0b, 0x00, 0x02,		/* destinationTransportPort */
		0x00, 0xe3, 0x00, 0x02,		/* postNAPTSourceTransportPort */
		0x00, 0xe4, 0x00, 0x02,		/* postNAPTDestinationTransportPort */
		0x00, 0x04, 0x00, 0x01,		/* protocolIdentifier */
		0x00, 0xe6, 0x00, 0x01,		/* natEvent */
	};

	nfl_test_expect_bytes(test, p, want, sizeof(want), "NEL template");
}

/* nfl_test_nat4() SNAT create, then DNAT delete, natEvent 4 and 5 */
static const u8 nel_data[4 + 2 * 34 + 0] = {
	0x01, 0x05, 0x00, 0x48,		/* data set 261, 72 bytes */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x60, 0xab,	/* 1699999998123 */
	0xc0, 0x00, 0x02, 0x01,		/* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x07,		/* -> 198.51.100.7 */
	0xcb, 0x00, 0x71, 0x01,		/* as 203.0.113.1 */
	0xc6, 0x33, 0x64, 0x07,		/* -> 198.51.100.7 */
	0x9c, 0x40, 0x00, 0x50,		/* 40000 -> 80 */
	0xee, 0x48, 0x00, 0x50,		/* as 61000 -> 80 */
	0x06, 0x04,			/* TCP, NAT44 session create */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x60, 0xab,
	0xc0, 0x00, 0x02, 0x01,		/* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x01,		/* -> 198.51.100.1 */
	0xcb, 0x00, 0x71, 0x01,		/* as 203.0.113.1 */
	0xc6, 0x33, 0x64, 0x07,		/* -> 198.51.100.7 */
	0x9c, 0x40, 0x1f, 0x90,		/* 40000 -> 8080 */
	0xee, 0x48, 0x00, 0x50,		/* as 61000 -> 80 */
	0x06, 0x05,			/* TCP, NAT44 session delete */
};

/*
 * NAT events: the NEL template goes in front of the first one after the
 * other templates (once), the records follow in one set.
 */
static void ipfix_test_nel(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	size_t off = NFL_TEST_IPFIX_FIRST;
	struct nfl_nat_event ev;
	struct nfl_flow f;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	nfl_test_flow4(&f, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	nfl_test_nat4(&ev, &nfl_test_t0, false, false);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	nfl_test_nat4(&ev, &nfl_test_t0, true, true);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + 80 + 52 + 72);
	/* options, flow and two NAT events are data records */
	KUNIT_EXPECT_EQ(test, e->sequence, 9ULL);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 2), off + 80 + 52 + 72);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 256);
	expect_nel_tpl(test, p + off + 80, 2);
	nfl_test_expect_bytes(test, p + off + 80 + 52, nel_data, 4 + 2 * 34,
			      "NEL data");
	/* 4 + 68 needs no padding: nothing written past it */
	KUNIT_EXPECT_EQ(test, p[off + 80 + 52 + 72], 0xa5);

	/* next PDU: no templates due, so no NEL template; historic codes */
	e->nat_legacy = true;
	e->ops->begin(e, &nfl_test_t0);
	nfl_test_nat4(&ev, &nfl_test_t0, false, false);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	nfl_test_nat4(&ev, &nfl_test_t0, true, true);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), 16 + 72);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 16), 261);
	KUNIT_EXPECT_EQ(test, p[16 + 4 + 33], 1);	/* translation create */
	KUNIT_EXPECT_EQ(test, p[16 + 4 + 67], 2);	/* translation delete */
	KUNIT_EXPECT_EQ(test, e->sequence, 11ULL);
	nfl_test_enc_put(e);
}

/* v9: the NEL template in flowset 0, counted in the header. */
static void v9_test_nel(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	size_t off = NFL_TEST_V9_FIRST;
	struct nfl_nat_event ev;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	nfl_test_nat4(&ev, &nfl_test_t0, false, false);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + 52 + 4 + 36);
	/* 4+3 templates, the NEL template, options, event */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 2), 10);
	expect_nel_tpl(test, p + off, 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 52), 261);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 54), 40);
	nfl_test_expect_bytes(test, p + off + 56, nel_data + 4, 34,
			      "NEL record");
	/* padding */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 56 + 34), 0);
	nfl_test_enc_put(e);
}

/* The NAT66 template (id 264) after a set header with @set_id. */
static void expect_nel6_tpl(struct kunit *test, const u8 *p, u16 set_id)
{
	const u8 want[52] = {
		0x00, set_id, 0x00, 0x34,	/* template set, 52 bytes */
		0x01, 0x08, 0x00, 0x0b,		/* id 264, 11 fields */
		0x01, 0x43, 0x00, 0x08,		/* observationTimeMilliseconds */
		0x00, 0x1b, 0x00, 0x10,		/* sourceIPv6Address */
		0x00, 0x1c, 0x00, 0x10,		/* destinationIPv6Address */
		0x01, 0x19, 0x00, 0x10,		/* postNATSourceIPv6Address */
		0x01, 0x1a, 0x00, 0x10,		/* postNATDestinationIPv6Address */
		0x00, 0x07, 0x00, 0x02,		/* sourceTransportPort */
		0x00, 0x0b, 0x00, 0x02,		/* destinationTransportPort */
		0x00, 0xe3, 0x00, 0x02,		/* postNAPTSourceTransportPort */
		0x00, 0xe4, 0x00, 0x02,		/* postNAPTDestinationTransportPort */
		0x00, 0x04, 0x00, 0x01,		/* protocolIdentifier */
		0x00, 0xe6, 0x00, 0x01,		/* natEvent */
	};

	nfl_test_expect_bytes(test, p, want, sizeof(want), "NEL6 template");
}

/* nfl_test_nat6() SNAT create, then DNAT delete: natEvent 1 and 2 */
static const u8 nel6_data[4 + 2 * 82] = {
	0x01, 0x08, 0x00, 0xa8,		/* data set 264, 168 bytes */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x60, 0xab,	/* 1699999998123 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,	/* 2001:db8:1::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00,	/* -> 2001:db8:2::7 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00,	/* as 2001:db8:2::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00,	/* -> 2001:db8:2::7 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
	0x9c, 0x40, 0x00, 0x50,		/* 40000 -> 80 */
	0xee, 0x48, 0x00, 0x50,		/* as 61000 -> 80 */
	0x06, 0x01,			/* TCP, translation create */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x60, 0xab,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,	/* 2001:db8:1::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,	/* -> 2001:db8:1::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00,	/* as 2001:db8:2::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00,	/* -> 2001:db8:2::7 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
	0x9c, 0x40, 0x1f, 0x90,		/* 40000 -> 8080 */
	0xee, 0x48, 0x00, 0x50,		/* as 61000 -> 80 */
	0x06, 0x02,			/* TCP, translation delete */
};

/*
 * NAT66 next to NAT44 in IPFIX: each template in front of the first
 * event of its family, one set each; NAT66 is 1/2 while NAT44 is 4/5.
 */
static void ipfix_test_nel6(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	size_t off = NFL_TEST_IPFIX_FIRST;
	size_t v6 = off + 52 + 40;	/* after the NAT44 template and set */
	struct nfl_nat_event ev;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	nfl_test_nat4(&ev, &nfl_test_t0, false, false);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	nfl_test_nat6(&ev, &nfl_test_t0, false, false);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	nfl_test_nat6(&ev, &nfl_test_t0, true, true);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), v6 + 52 + 168);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 2), v6 + 52 + 168);
	/* options and three NAT events are data records */
	KUNIT_EXPECT_EQ(test, e->sequence, 9ULL);
	expect_nel_tpl(test, p + off, 2);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 52), 261);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 54), 40);	/* 38, padded */
	KUNIT_EXPECT_EQ(test, p[off + 52 + 4 + 33], 4);	/* NAT44 create */
	/* padding */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 52 + 38), 0);
	expect_nel6_tpl(test, p + v6, 2);
	nfl_test_expect_bytes(test, p + v6 + 52, nel6_data, sizeof(nel6_data),
			      "NEL6 data");
	KUNIT_EXPECT_EQ(test, p[v6 + 52 + 168], 0xa5);

	/* next PDU: both templates already went, and legacy changes nothing */
	e->nat_legacy = true;
	e->ops->begin(e, &nfl_test_t0);
	nfl_test_nat6(&ev, &nfl_test_t0, false, false);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), 16 + 88);
	nfl_test_expect_bytes(test, p + 20, nel6_data + 4, 82,
			      "NEL6 record again");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 16), 264);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 18), 88);	/* 86, padded */
	nfl_test_enc_put(e);
}

/* v9: an ICMPv6 NAT66 event alone, its template in flowset 0. */
static void v9_test_nel6(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	size_t off = NFL_TEST_V9_FIRST;
	struct nfl_nat_event ev;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	nfl_test_nat6(&ev, &nfl_test_t0, false, true);
	/* echo id 7 -> 4711, echo request (128, code 0) */
	ev.proto = 58;
	ev.pre_sport = htons(7);
	ev.pre_dport = htons(128 << 8);
	ev.post_sport = htons(4711);
	ev.post_dport = htons(128 << 8);
	KUNIT_ASSERT_EQ(test, e->ops->add_nat(e, &ev), 0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + 52 + 4 + 84);
	/* 4+3 templates, the NEL6 template, options, event */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 2), 10);
	expect_nel6_tpl(test, p + off, 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 52), 264);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 54), 88);
	nfl_test_expect_bytes(test, p + off + 56, nel6_data + 4, 72,
			      "NEL6 addresses");
	nfl_test_expect_bytes(test, p + off + 56 + 72,
			      (const u8[]){ 0x00, 0x07, 0x80, 0x00, 0x12, 0x67,
					    0x80, 0x00, 58, 2 }, 10,
			      "NEL6 ICMPv6");
	/* padding */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 56 + 82), 0);
	nfl_test_enc_put(e);
}

/* A later instant: @ms after t0 on both clocks (whole seconds). */
static struct nfl_export_time t_after(u32 ms)
{
	struct nfl_export_time t = nfl_test_t0;

	t.jiffies += msecs_to_jiffies(ms);
	t.uptime_ms += ms;
	t.wall.tv_sec += ms / 1000;
	return t;
}

/* What is due when: templates first, then statistics every minute. */
static void v9_test_opt_due(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	struct nfl_export_time t = t_after(59999);

	KUNIT_EXPECT_EQ(test, e->ops->opt_due(e, &nfl_test_t0),
			NFL_OPT_DUE_TEMPLATES | NFL_OPT_DUE_STATS);
	KUNIT_EXPECT_EQ(test, e->ops->opt_wait(e, &nfl_test_t0), 0U);
	KUNIT_EXPECT_TRUE(test, has_templates(e, &nfl_test_t0));
	KUNIT_EXPECT_EQ(test, e->ops->opt_due(e, &nfl_test_t0), 0U);
	KUNIT_EXPECT_EQ(test, e->ops->opt_wait(e, &nfl_test_t0), 60000U);
	KUNIT_EXPECT_EQ(test, e->ops->opt_due(e, &t), 0U);
	KUNIT_EXPECT_EQ(test, e->ops->opt_wait(e, &t), 1U);
	t = t_after(60000);
	KUNIT_EXPECT_EQ(test, e->ops->opt_due(e, &t), NFL_OPT_DUE_STATS);
	KUNIT_EXPECT_EQ(test, e->ops->opt_wait(e, &t), 0U);
	e->resync = true;
	KUNIT_EXPECT_EQ(test, e->ops->opt_due(e, &nfl_test_t0),
			NFL_OPT_DUE_TEMPLATES | NFL_OPT_DUE_STATS);
	nfl_test_enc_put(e);
}

/*
 * The options-only PDU: a minute after the last statistics and with no
 * flow, the system record alone, with the counts of what went before.
 */
static void ipfix_test_stats_alone(struct kunit *test)
{
	static const u8 want[16 + 72] = {
		0x00, 0x0a, 0x00, 0x58,		/* IPFIX, 88 bytes */
		0x65, 0x53, 0xf1, 0x3c,		/* export time + 60 s */
		0x00, 0x00, 0x00, 0x07,		/* 5 + 2 data records before */
		0x00, 0x00, 0x00, 0x07,
		0x01, 0x04, 0x00, 0x48,		/* data set 260, 72 bytes */
		0x00, 0x00, 0x00, 0x07,
		/* the same init time: both clocks moved by 60 s */
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0x4c, 0xd1, 0xfb,
		0, 0, 0, 0, 0, 0, 0, 1,		/* 1 message before */
		0, 0, 0, 0, 0, 0, 0, 1,		/* 1 flow record */
		0, 0, 0, 0, 0, 0, 0x02, 0x58,	/* of 600 bytes */
		0, 0, 0, 0, 0, 0, 0, 9,
		20,
		'i', 'p', 't', '_', 'N', 'E', 'T', 'F', 'L', 'O', 'W', ' ',
		'0', '.', '1', ' ', 'o', 'n', ' ', 'h',
		0, 0, 0,
	};
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	struct nfl_export_time t = t_after(59999);

	KUNIT_EXPECT_TRUE(test, has_templates(e, &nfl_test_t0));
	/* nothing due before the minute: no PDU */
	e->ops->begin(e, &t);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)0);
	KUNIT_EXPECT_EQ(test, e->sequence, 7ULL);
	t = t_after(60000);
	e->ops->begin(e, &t);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), sizeof(want));
	nfl_test_expect_bytes(test, e->buf, want, sizeof(want),
			      "options-only PDU");
	KUNIT_EXPECT_EQ(test, e->sequence, 8ULL);
	KUNIT_EXPECT_EQ(test, e->ops->opt_wait(e, &t), 60000U);
	nfl_test_enc_put(e);
}

/* v9: the same PDU counts 1 record and one export packet. */
static void v9_test_stats_alone(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	struct nfl_export_time t = t_after(60000);

	KUNIT_EXPECT_TRUE(test, has_templates(e, &nfl_test_t0));
	e->ops->begin(e, &t);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), (size_t)20 + 112);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 2), 1);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 20), 260);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 22), 112);
	/* exportedMessageTotalCount 1, then 1 flow, then octets */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 20 + 22), 1);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 20 + 30), 1);
	KUNIT_EXPECT_EQ(test, e->sequence, 7ULL);
	nfl_test_enc_put(e);
}

/* Reliability: after the system record once anything was lost. */
static void test_reliability(struct kunit *test, const struct nfl_encoder *ops,
			     size_t hdr, size_t sys)
{
	static const u8 want[48] = {
		0x01, 0x06, 0x00, 0x30,		/* data set 262, 48 bytes */
		0x00, 0x00, 0x00, 0x07,		/* domain / System 7 */
		0, 0, 0, 0, 0, 0, 0, 3,		/* ignored packets */
		0, 0, 0, 0, 0, 0, 0x01, 0x2c,	/* ignored octets 300 */
		0, 0, 0, 0, 0, 0, 0, 2,		/* flows not sent */
		0, 0, 0, 0, 0, 0, 0, 20,	/* their packets */
		0, 0, 0, 0, 0, 1, 0, 0,		/* their octets 65536 */
	};
	struct nfl_enc *e = nfl_test_enc(test, ops);
	size_t off = hdr + NFL_TEST_TPL_SET_LEN + NFL_TEST_OPT_TPL_LEN + sys;
	struct nfl_flow f;

	/* none yet: the flows follow the system record */
	KUNIT_EXPECT_TRUE(test, has_templates(e, &nfl_test_t0));
	e->opt.ignored_packets = 3;
	e->opt.ignored_octets = 300;
	e->opt.lost_flows = 2;
	e->opt.lost_packets = 20;
	e->opt.lost_octets = 65536;
	e->resync = true;
	e->ops->begin(e, &nfl_test_t0);
	nfl_test_flow4(&f, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &f), 0);
	KUNIT_ASSERT_GT(test, e->ops->finish(e), off + sizeof(want));
	nfl_test_expect_bytes(test, e->buf + off, want, sizeof(want),
			      "reliability");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + off + sizeof(want)), 256);
	nfl_test_enc_put(e);
}

static void v9_test_reliability(struct kunit *test)
{
	test_reliability(test, &nfl_v9_encoder, 20, 112);
}

static void ipfix_test_reliability(struct kunit *test)
{
	test_reliability(test, &nfl_ipfix_encoder, 16, 72);
}

/* Any one count is a loss. */
static void ipfix_test_reliability_any(struct kunit *test)
{
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	u64 *counts[] = {
		&e->opt.ignored_packets, &e->opt.ignored_octets,
		&e->opt.lost_flows, &e->opt.lost_packets, &e->opt.lost_octets,
	};
	size_t off = NFL_TEST_IPFIX_FIRST;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		if (i)
			*counts[i - 1] = 0;
		*counts[i] = 1;
		e->resync = true;
		e->ops->begin(e, &nfl_test_t0);
		KUNIT_EXPECT_EQ_MSG(test, nfl_test_be16(e->buf + off), 262,
				    "count %u", i);
		e->ops->finish(e);
	}
	nfl_test_enc_put(e);
}

static const struct nfl_iface test_rows[] = {
	{ .ifindex = 1, .name = "lo" },
	{ .ifindex = 5, .name = "nfv0", .desc = "uplink" },
};

/*
 * The interface table after the system record, only with templates:
 * 16 + 4 + 32 bytes a row, the strings NUL-padded, so that nfdump 1.7.1
 * (which takes a row for the scope's bytes + 4 + the description's) and
 * later (the sum of the field lengths) both find each row where it is.
 */
static void ipfix_test_ifaces(struct kunit *test)
{
	static const u8 want[4 + 2 * 52] = {
		0x01, 0x07, 0x00, 0x6c,		/* data set 263, 108 bytes */
		'l', 'o', [4 + 16 - 1] = 0,	/* scope interfaceName */
		0x00, 0x00, 0x00, 0x01,		/* ingressInterface 1 */
		[4 + 52 - 1] = 0,		/* no description */
		'n', 'f', 'v', '0', [4 + 52 + 16 - 1] = 0,
		0x00, 0x00, 0x00, 0x05,
		'u', 'p', 'l', 'i', 'n', 'k', [4 + 2 * 52 - 1] = 0,
	};
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	size_t off = NFL_TEST_IPFIX_FIRST;

	e->opt.ifaces = test_rows;
	e->opt.n_ifaces = ARRAY_SIZE(test_rows);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + sizeof(want));
	nfl_test_expect_bytes(test, e->buf + off, want, sizeof(want),
			      "interfaces");
	/* 1 system record and 2 rows */
	KUNIT_EXPECT_EQ(test, e->sequence, 8ULL);
	KUNIT_EXPECT_EQ(test, e->ops->opt_wait(e, &nfl_test_t0), 60000U);
	/* not again until the templates are */
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), (size_t)0);
	nfl_test_enc_put(e);
}

/* v9: fixed 16 and 32 bytes, NUL-padded; a longer description is cut. */
static void v9_test_ifaces(struct kunit *test)
{
	static const struct nfl_iface rows[] = {
		{ .ifindex = 1, .name = "lo" },
		{ .ifindex = 5, .name = "nfv0",
		  .desc = "0123456789abcdef0123456789ABCDEF-cut" },
	};
	static const u8 want[4 + 2 * 52] = {
		0x01, 0x07, 0x00, 0x6c,		/* data set 263, 108 bytes */
		0x00, 0x00, 0x00, 0x01,		/* scope Interface 1 */
		'l', 'o', [4 + 52 - 1] = 0,
		0x00, 0x00, 0x00, 0x05,
		'n', 'f', 'v', '0', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		'0', '1', '2', '3', '4', '5', '6', '7',
		'8', '9', 'a', 'b', 'c', 'd', 'e', 'f',
		'0', '1', '2', '3', '4', '5', '6', '7',
		'8', '9', 'A', 'B', 'C', 'D', 'E', 'F',
	};
	struct nfl_enc *e = nfl_test_enc(test, &nfl_v9_encoder);
	size_t off = NFL_TEST_V9_FIRST;

	e->opt.ifaces = rows;
	e->opt.n_ifaces = ARRAY_SIZE(rows);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_ASSERT_EQ(test, e->ops->finish(e), off + sizeof(want));
	nfl_test_expect_bytes(test, e->buf + off, want, sizeof(want),
			      "interfaces");
	/* 7 templates, the system record, 2 rows */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(e->buf + 2), 10);
	nfl_test_enc_put(e);
}

/*
 * Rows of the 263 sets of an IPFIX PDU (16-byte name, ifindex, 32-byte
 * description), appended to @idx; the count.
 */
static unsigned int ipfix_rows(struct kunit *test, const u8 *p, size_t len,
			       u32 *idx, unsigned int n)
{
	size_t off, end, q;

	for (off = 16; off + 4 <= len; off += nfl_test_be16(p + off + 2)) {
		if (nfl_test_be16(p + off + 2) < 4)
			break;
		if (nfl_test_be16(p + off) != 263)
			continue;
		end = off + nfl_test_be16(p + off + 2);
		for (q = off + 4; q + 52 <= end && n < NFL_IF_MAX + 1; n++) {
			idx[n] = (u32)nfl_test_be16(p + q + 16) << 16 |
				 nfl_test_be16(p + q + 18);
			q += 52;
		}
		KUNIT_EXPECT_LT(test, end - q, (size_t)4);
	}
	return n;
}

/*
 * A table of NFL_IF_MAX rows with 255-byte descriptions (cut to 32): it
 * goes on over PDUs (across a template refresh), every row once and in
 * order, and always leaves room for the largest flow record.
 */
static void ipfix_test_ifaces_long(struct kunit *test)
{
	struct nfl_iface *rows = kunit_kcalloc(test, NFL_IF_MAX, sizeof(*rows),
					      GFP_KERNEL);
	u32 *idx = kunit_kcalloc(test, NFL_IF_MAX + 1, sizeof(*idx),
				 GFP_KERNEL);
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	unsigned int i, pdus, n = 0;
	struct flow6 x;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, rows);
	KUNIT_ASSERT_NOT_NULL(test, idx);
	for (i = 0; i < NFL_IF_MAX; i++) {
		rows[i].ifindex = 1000 + i;
		snprintf(rows[i].name, sizeof(rows[i].name), "if%u", i);
		memset(rows[i].desc, 'd', IFALIASZ - 1);
	}
	e->refresh_rate = 4;
	e->opt.ifaces = rows;
	e->opt.n_ifaces = NFL_IF_MAX;
	flow6(&x, &nfl_test_t0);
	for (pdus = 0; pdus < 100; pdus++) {
		e->ops->begin(e, &nfl_test_t0);
		KUNIT_ASSERT_EQ(test, e->ops->add(e, &x.f), 0);
		len = e->ops->finish(e);
		KUNIT_ASSERT_LE(test, len, (size_t)NFL_TPL_PDU_SIZE);
		if (pdus == 0)	/* the description cut: 32 'd', no NUL */
			KUNIT_EXPECT_PTR_EQ(test, memchr_inv(e->buf +
				NFL_TEST_IPFIX_FIRST + 4 + 20, 'd', 32),
				(void *)NULL);
		n = ipfix_rows(test, e->buf, len, idx, n);
		if (e->ops->opt_wait(e, &nfl_test_t0))
			break;
	}
	KUNIT_EXPECT_GT(test, pdus, 4U);	/* past a refresh */
	KUNIT_ASSERT_EQ(test, n, (unsigned int)NFL_IF_MAX);
	for (i = 0; i < NFL_IF_MAX; i++)
		KUNIT_EXPECT_EQ(test, idx[i], 1000 + i);
	nfl_test_enc_put(e);
}

/*
 * Interfaces go away while a table of NFL_IF_MAX rows goes out over
 * several PDUs: at the refresh that takes the table anew, the three
 * rows first sent are gone.  The pass goes on after the last ifindex it
 * sent, not at its old position: every other row once, in order (by
 * position it would skip three).
 */
static void ipfix_test_ifaces_change(struct kunit *test)
{
	struct nfl_iface *rows = kunit_kcalloc(test, NFL_IF_MAX, sizeof(*rows),
					      GFP_KERNEL);
	u32 *idx = kunit_kcalloc(test, NFL_IF_MAX + 1, sizeof(*idx),
				 GFP_KERNEL);
	struct nfl_enc *e = nfl_test_enc(test, &nfl_ipfix_encoder);
	unsigned int i, pdus, n = 0;
	struct flow6 x;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, rows);
	KUNIT_ASSERT_NOT_NULL(test, idx);
	for (i = 0; i < NFL_IF_MAX; i++) {
		rows[i].ifindex = 1000 + 2 * i;
		snprintf(rows[i].name, sizeof(rows[i].name), "if%u", i);
		memset(rows[i].desc, 'd', IFALIASZ - 1);
	}
	e->refresh_rate = 4;
	e->opt.ifaces = rows;
	e->opt.n_ifaces = NFL_IF_MAX;
	flow6(&x, &nfl_test_t0);
	for (pdus = 0; pdus < 100; pdus++) {
		if (pdus == 4) {	/* the refresh: export.c takes it anew */
			KUNIT_ASSERT_GT(test, n, 3U);
			KUNIT_ASSERT_LT(test, n, (unsigned int)NFL_IF_MAX);
			memmove(rows, rows + 3, (NFL_IF_MAX - 3) * sizeof(*rows));
			e->opt.n_ifaces = NFL_IF_MAX - 3;
		}
		e->ops->begin(e, &nfl_test_t0);
		KUNIT_ASSERT_EQ(test, e->ops->add(e, &x.f), 0);
		len = e->ops->finish(e);
		n = ipfix_rows(test, e->buf, len, idx, n);
		if (e->ops->opt_wait(e, &nfl_test_t0))
			break;
	}
	KUNIT_ASSERT_EQ(test, n, (unsigned int)NFL_IF_MAX);
	for (i = 0; i < NFL_IF_MAX; i++)
		KUNIT_EXPECT_EQ(test, idx[i], 1000 + 2 * i);
	nfl_test_enc_put(e);
}

/*
 * systemInitTimeMilliseconds (160) after 49.7 days of uptime: the boot
 * time comes from the 64-bit uptime, not the 32-bit one that wrapped.
 */
static void export_time_wrap_test(struct kunit *test)
{
	const u64 up_ms = 50ULL * 24 * 3600 * 1000;	/* 50 days */
	const struct timespec64 wall = { .tv_sec = 1700000000,
					 .tv_nsec = 123456789 };
	struct nfl_export_time t;

	nfl_export_time_set(&t, INITIAL_JIFFIES + div_u64(up_ms * HZ, MSEC_PER_SEC),
			    &wall);
	KUNIT_EXPECT_EQ(test, t.uptime_ms, (u32)up_ms);
	KUNIT_EXPECT_EQ(test, t.boot_ms, 1700000000123ULL - up_ms);
	nfl_export_time_set(&t, INITIAL_JIFFIES, &wall);
	KUNIT_EXPECT_EQ(test, t.uptime_ms, 0);
	KUNIT_EXPECT_EQ(test, t.boot_ms, 1700000000123ULL);
}

/* An encoder whose templates have the fields @fields. */
static struct nfl_enc *tpl_enc_fields(struct kunit *test,
				      const struct nfl_encoder *ops,
				      unsigned int fields)
{
	struct nfl_enc *e = nfl_test_enc(test, ops);

	e->fields = fields;
	ops->set_fields(e);
	KUNIT_EXPECT_TRUE(test, e->resync);
	return e;
}

/* nfl_test_flow4() with a fields area in front: @buf holds both. */
static struct nfl_flow *flow4_fields(u8 *buf, unsigned int fields,
				     const struct nfl_export_time *t)
{
	struct nfl_ext_layout l;
	struct nfl_flow *f;

	nfl_ext_layout(&l, fields, AF_INET);
	memset(buf, 0, l.size);
	f = (struct nfl_flow *)(buf + l.size);
	nfl_test_flow4(f, t);
	f->flags = fields << NFL_FLOW_FIELDS_SHIFT;
	return f;
}

/*
 * fields=nat: templates under their own ids (512 + 16 * 4 + kind) end in
 * postNATSource/DestinationIPv4Address 225/226 and postNAPTSource/
 * DestinationTransportPort 227/228 (IPv6: 281/282); a record carries the
 * flow's, and a flow made before the change (no area) zeros.
 */
static void ipfix_test_fields_nat(struct kunit *test)
{
	static const u8 nat_tpl[16] = {
		0x00, 0xe1, 0x00, 0x04,		/* postNATSourceIPv4Address */
		0x00, 0xe2, 0x00, 0x04,		/* postNATDestinationIPv4.. */
		0x00, 0xe3, 0x00, 0x02,		/* postNAPTSourceTransportPort */
		0x00, 0xe4, 0x00, 0x02,		/* postNAPTDestinationTrans.. */
	};
	static const u8 nat_rec[12] = {
		0xcb, 0x00, 0x71, 0x01,		/* 203.0.113.1 */
		0xc6, 0x33, 0x64, 0x07,		/* 198.51.100.7 */
		0xee, 0x48, 0x00, 0x50,		/* 61000, 80 */
	};
	struct nfl_enc *e = tpl_enc_fields(test, &nfl_ipfix_encoder,
					   NFL_FIELD_NAT);
	u8 buf[NFL_EXT_MAX + sizeof(struct nfl_flow)] __aligned(8);
	struct nfl_ext_nat *nat = (struct nfl_ext_nat *)buf;
	size_t tpl = 20, tset, off;
	struct nfl_flow *f, plain;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	/* 4 templates of 19/19/20/20 fields, 4 more each */
	tset = 4 + 4 + 23 * 4 + 4 + 23 * 4 + 4 + 24 * 4 + 4 + 24 * 4;
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 18), tset);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl), 576);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl + 2), 23);
	nfl_test_expect_bytes(test, p + tpl + 4 + 19 * 4, nat_tpl,
			      sizeof(nat_tpl), "template 576 nat");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl + 4 + 23 * 4), 577);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl + 2 * (4 + 23 * 4)), 578);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl + 2 * (4 + 23 * 4) + 2),
			24);
	/* IPv6: 281/282 of 16 bytes, then the ports */
	KUNIT_EXPECT_EQ(test,
			nfl_test_be16(p + tpl + 2 * (4 + 23 * 4) + 4 + 20 * 4),
			281);
	KUNIT_EXPECT_EQ(test,
			nfl_test_be16(p + tpl + 2 * (4 + 23 * 4) + 6 + 20 * 4),
			16);
	KUNIT_EXPECT_EQ(test,
			nfl_test_be16(p + tpl + 2 * (4 + 23 * 4) + 4 + 24 * 4),
			579);

	f = flow4_fields(buf, NFL_FIELD_NAT, &nfl_test_t0);
	nat->v4.saddr = htonl(0xcb007101);
	nat->v4.daddr = htonl(0xc6336407);
	nat->sport = htons(61000);
	nat->dport = htons(80);
	nfl_test_flow4(&plain, &nfl_test_t0);
	off = e->len;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &plain), 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 576);
	/* the base record (74 bytes) unchanged, then the NAT fields */
	nfl_test_expect_bytes(test, p + off + 4, rec4_head, sizeof(rec4_head),
			      "record");
	nfl_test_expect_bytes(test, p + off + 66, rec4_opts, sizeof(rec4_opts),
			      "options");
	nfl_test_expect_bytes(test, p + off + 78, nat_rec, sizeof(nat_rec),
			      "nat");
	nfl_test_expect_bytes(test, p + off + 90, rec4_head, sizeof(rec4_head),
			      "record 2");
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(p + off + 90 + 74, 0, 12), NULL);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), off + ALIGN(4 + 2 * 86, 4));
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 2), ALIGN(4 + 2 * 86, 4));

	/* back to no fields: the ids of before, the stream goes on */
	e->fields = 0;
	e->ops->set_fields(e);
	KUNIT_EXPECT_TRUE(test, e->resync);
	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 18), NFL_TEST_TPL_SET_LEN);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 20), 256);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
	KUNIT_EXPECT_GT(test, e->ops->finish(e), (size_t)0);
	KUNIT_EXPECT_EQ(test, e->sequence, 5ULL + 2 + 1 + 2);
	nfl_test_enc_put(e);
}

/*
 * aggregation=: templates 640.. (512 + 32 * 4 + kind) end in
 * sourceIPv4PrefixLength 9 and destinationIPv4PrefixLength 13 (IPv6: 29,
 * 30); a record carries the lengths the rules left, and a flow metered
 * before them (no area) the full ones.
 */
static void ipfix_test_fields_aggr(struct kunit *test)
{
	static const u8 aggr_tpl[8] = {
		0x00, 0x09, 0x00, 0x01,		/* sourceIPv4PrefixLength */
		0x00, 0x0d, 0x00, 0x01,		/* destinationIPv4PrefixLength */
	};
	static const u8 aggr6_tpl[8] = {
		0x00, 0x1d, 0x00, 0x01,		/* sourceIPv6PrefixLength */
		0x00, 0x1e, 0x00, 0x01,		/* destinationIPv6PrefixLength */
	};
	struct nfl_enc *e = tpl_enc_fields(test, &nfl_ipfix_encoder,
					   NFL_FIELD_AGGR);
	u8 buf[NFL_EXT_MAX + sizeof(struct nfl_flow)] __aligned(8);
	struct nfl_ext_aggr *ag = (struct nfl_ext_aggr *)buf;
	size_t tpl = 20, off, t6 = tpl + 2 * (4 + 21 * 4);
	struct nfl_flow *f, plain;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl), 640);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + tpl + 2), 21);
	nfl_test_expect_bytes(test, p + tpl + 4 + 19 * 4, aggr_tpl,
			      sizeof(aggr_tpl), "template 640 aggr");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + t6), 642);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + t6 + 2), 22);
	nfl_test_expect_bytes(test, p + t6 + 4 + 20 * 4, aggr6_tpl,
			      sizeof(aggr6_tpl), "template 642 aggr");

	f = flow4_fields(buf, NFL_FIELD_AGGR, &nfl_test_t0);
	ag->smask = 16;
	ag->dmask = 24;
	nfl_test_flow4(&plain, &nfl_test_t0);
	off = e->len;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
	KUNIT_ASSERT_EQ(test, e->ops->add(e, &plain), 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 640);
	nfl_test_expect_bytes(test, p + off + 4, rec4_head, sizeof(rec4_head),
			      "record");
	KUNIT_EXPECT_EQ(test, p[off + 4 + 74], 16);
	KUNIT_EXPECT_EQ(test, p[off + 4 + 75], 24);
	nfl_test_expect_bytes(test, p + off + 80, rec4_head, sizeof(rec4_head),
			      "record 2");
	KUNIT_EXPECT_EQ(test, p[off + 80 + 74], 32);
	KUNIT_EXPECT_EQ(test, p[off + 80 + 75], 32);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), off + ALIGN(4 + 2 * 76, 4));
	nfl_test_enc_put(e);
}

/* v9 too: the same ids and fields, FIRST/LAST_SWITCHED for times. */
static void v9_test_fields_nat(struct kunit *test)
{
	struct nfl_enc *e = tpl_enc_fields(test, &nfl_v9_encoder,
					   NFL_FIELD_NAT);
	u8 buf[NFL_EXT_MAX + sizeof(struct nfl_flow)] __aligned(8);
	struct nfl_ext_nat *nat = (struct nfl_ext_nat *)buf;
	struct nfl_flow *f;
	size_t off;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 24), 576);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 24 + 4 + 19 * 4), 225);
	f = flow4_fields(buf, NFL_FIELD_NAT, &nfl_test_t0);
	nat->v4.saddr = htonl(0xcb007101);
	off = e->len;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
	/* v9's record: 66 bytes, then 225 */
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 4 + 66), 0xcb00);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), off + ALIGN(4 + 78, 4));
	nfl_test_enc_put(e);
}

/*
 * fields=mac,nat: sourceMacAddress 56, destinationMacAddress 80 and
 * ethernetType 256 after the base fields, then the NAT ones; template
 * ids 512 + 17 * 4 + kind.
 */
static void ipfix_test_fields_mac(struct kunit *test)
{
	static const u8 mac_tpl[12] = {
		0x00, 0x38, 0x00, 0x06,		/* sourceMacAddress */
		0x00, 0x50, 0x00, 0x06,		/* destinationMacAddress */
		0x01, 0x00, 0x00, 0x02,		/* ethernetType */
	};
	static const u8 mac_rec[14] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,	/* src 02:00:00:00:00:0a */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x0b,	/* dst 02:00:00:00:00:0b */
		0x08, 0x00,				/* IPv4 */
	};
	unsigned int fl = NFL_FIELD_MAC | NFL_FIELD_NAT;
	struct nfl_enc *e = tpl_enc_fields(test, &nfl_ipfix_encoder, fl);
	u8 buf[NFL_EXT_MAX + sizeof(struct nfl_flow)] __aligned(8);
	struct nfl_ext_layout l;
	struct nfl_ext_mac *mac;
	struct nfl_flow *f;
	size_t off;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 20), 580);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 22), 19 + 3 + 4);
	nfl_test_expect_bytes(test, p + 24 + 19 * 4, mac_tpl, sizeof(mac_tpl),
			      "template 580 mac");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 24 + 22 * 4), 225);

	f = flow4_fields(buf, fl, &nfl_test_t0);
	nfl_ext_layout(&l, fl, AF_INET);
	KUNIT_EXPECT_EQ(test, l.size, 32);	/* 12 + 4 + 12, 8-aligned */
	mac = (struct nfl_ext_mac *)(buf + l.mac);
	mac->src[0] = 2;
	mac->src[5] = 0x0a;
	mac->dst[0] = 2;
	mac->dst[5] = 0x0b;
	((struct nfl_ext_l2 *)(buf + l.l2))->ethertype = htons(0x0800);
	((struct nfl_ext_nat *)(buf + l.nat))->v4.saddr = htonl(0xcb007101);
	off = e->len;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 580);
	nfl_test_expect_bytes(test, p + off + 4, rec4_head, sizeof(rec4_head),
			      "record");
	nfl_test_expect_bytes(test, p + off + 78, mac_rec, sizeof(mac_rec),
			      "mac");
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off + 92), 0xcb00);
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), off + ALIGN(4 + 74 + 14 + 12, 4));
	nfl_test_enc_put(e);
}

/*
 * fields=vlan: ethernetType 256, then vlanId 58 (outer), dot1qVlanId 243
 * (outer) and dot1qCustomerVlanId 245 (inner) after the base fields, in
 * template 512 + 2 * 4 + kind; v9 the same.
 */
static void test_fields_vlan(struct kunit *test)
{
	static const u8 vlan_tpl[16] = {
		0x01, 0x00, 0x00, 0x02,		/* ethernetType */
		0x00, 0x3a, 0x00, 0x02,		/* vlanId */
		0x00, 0xf3, 0x00, 0x02,		/* dot1qVlanId */
		0x00, 0xf5, 0x00, 0x02,		/* dot1qCustomerVlanId */
	};
	static const u8 vlan_rec[8] = {
		0x08, 0x00,			/* IPv4 */
		0x00, 0xc8,			/* 200 */
		0x00, 0xc8,			/* 200 */
		0x01, 0x2c,			/* 300 */
	};
	static const struct nfl_encoder *const ops[] = {
		&nfl_v9_encoder, &nfl_ipfix_encoder,
	};
	u8 buf[NFL_EXT_MAX + sizeof(struct nfl_flow)] __aligned(8);
	struct nfl_ext_layout l;
	struct nfl_ext_vlan *v;
	struct nfl_enc *e;
	struct nfl_flow *f;
	size_t off, hdr, rec;
	unsigned int i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		e = tpl_enc_fields(test, ops[i], NFL_FIELD_VLAN);
		p = e->buf;
		hdr = i ? 16 : 20;
		rec = i ? 74 : 66;
		e->ops->begin(e, &nfl_test_t0);
		KUNIT_EXPECT_EQ(test, nfl_test_be16(p + hdr + 4), 520);
		KUNIT_EXPECT_EQ(test, nfl_test_be16(p + hdr + 6), 19 + 4);
		nfl_test_expect_bytes(test, p + hdr + 8 + 19 * 4, vlan_tpl,
				      sizeof(vlan_tpl), "template 520 vlan");
		f = flow4_fields(buf, NFL_FIELD_VLAN, &nfl_test_t0);
		nfl_ext_layout(&l, NFL_FIELD_VLAN, AF_INET);
		KUNIT_EXPECT_EQ(test, l.size, 8);
		((struct nfl_ext_l2 *)(buf + l.l2))->ethertype = htons(0x0800);
		((struct nfl_ext_l2 *)(buf + l.l2))->flags = NFL_L2_QINQ;
		v = (struct nfl_ext_vlan *)(buf + l.vlan);
		v->outer = 200;
		v->inner = 300;
		off = e->len;
		KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
		KUNIT_EXPECT_EQ(test, nfl_test_be16(p + off), 520);
		nfl_test_expect_bytes(test, p + off + 4 + rec, vlan_rec,
				      sizeof(vlan_rec), "vlan");
		KUNIT_EXPECT_EQ(test, e->ops->finish(e),
				off + ALIGN(4 + rec + 8, 4));
		nfl_test_enc_put(e);
	}
}

/*
 * fields=mpls: ethernetType, then mplsTopLabelStackSection 70 and
 * mplsLabelStackSection2/3 71/72 of 3 bytes (label, TC, S), in template
 * 512 + 4 * 4 + kind.
 */
static void ipfix_test_fields_mpls(struct kunit *test)
{
	static const u8 mpls_tpl[16] = {
		0x01, 0x00, 0x00, 0x02,		/* ethernetType */
		0x00, 0x46, 0x00, 0x03,		/* mplsTopLabelStackSection */
		0x00, 0x47, 0x00, 0x03,		/* mplsLabelStackSection2 */
		0x00, 0x48, 0x00, 0x03,		/* mplsLabelStackSection3 */
	};
	static const u8 mpls_rec[11] = {
		0x88, 0x47,			/* MPLS unicast */
		0x00, 0x06, 0x4a,		/* label 100, TC 5, S 0 */
		0x00, 0x0c, 0x81,		/* label 200, TC 0, S 1 */
		0x00, 0x00, 0x00,		/* none */
	};
	struct nfl_enc *e = tpl_enc_fields(test, &nfl_ipfix_encoder,
					   NFL_FIELD_MPLS);
	u8 buf[NFL_EXT_MAX + sizeof(struct nfl_flow)] __aligned(8);
	struct nfl_ext_layout l;
	struct nfl_ext_mpls *m;
	struct nfl_flow *f;
	size_t off;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 20), 528);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 22), 19 + 4);
	nfl_test_expect_bytes(test, p + 24 + 19 * 4, mpls_tpl, sizeof(mpls_tpl),
			      "template 528 mpls");
	f = flow4_fields(buf, NFL_FIELD_MPLS, &nfl_test_t0);
	nfl_ext_layout(&l, NFL_FIELD_MPLS, AF_INET);
	KUNIT_EXPECT_EQ(test, l.size, 16);
	((struct nfl_ext_l2 *)(buf + l.l2))->ethertype = htons(0x8847);
	m = (struct nfl_ext_mpls *)(buf + l.mpls);
	m->lse[0] = htonl(100 << 12 | 5 << 9);
	m->lse[1] = htonl(200 << 12 | 1 << 8);
	off = e->len;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
	nfl_test_expect_bytes(test, p + off + 4 + 74, mpls_rec,
			      sizeof(mpls_rec), "mpls");
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), off + ALIGN(4 + 74 + 11, 4));
	nfl_test_enc_put(e);
}

/*
 * fields=physdev: ingressPhysicalInterface 252 and egressPhysicalInterface
 * 253 after the base fields (no ethernetType: no key field), template
 * 512 + 8 * 4 + kind.
 */
static void ipfix_test_fields_phys(struct kunit *test)
{
	static const u8 phys_tpl[8] = {
		0x00, 0xfc, 0x00, 0x04,		/* ingressPhysicalInterface */
		0x00, 0xfd, 0x00, 0x04,		/* egressPhysicalInterface */
	};
	static const u8 phys_rec[8] = {
		0x00, 0x00, 0x00, 0x07,		/* in 7 */
		0x00, 0x00, 0x01, 0x09,		/* out 265 */
	};
	struct nfl_enc *e = tpl_enc_fields(test, &nfl_ipfix_encoder,
					   NFL_FIELD_PHYSDEV);
	u8 buf[NFL_EXT_MAX + sizeof(struct nfl_flow)] __aligned(8);
	struct nfl_ext_layout l;
	struct nfl_ext_phys *ph;
	struct nfl_flow *f;
	size_t off;
	u8 *p = e->buf;

	e->ops->begin(e, &nfl_test_t0);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 20), 544);
	KUNIT_EXPECT_EQ(test, nfl_test_be16(p + 22), 19 + 2);
	nfl_test_expect_bytes(test, p + 24 + 19 * 4, phys_tpl, sizeof(phys_tpl),
			      "template 544 physdev");
	f = flow4_fields(buf, NFL_FIELD_PHYSDEV, &nfl_test_t0);
	nfl_ext_layout(&l, NFL_FIELD_PHYSDEV, AF_INET);
	KUNIT_EXPECT_EQ(test, l.size, 8);
	ph = (struct nfl_ext_phys *)(buf + l.phys);
	ph->in = 7;
	ph->out = 265;
	off = e->len;
	KUNIT_ASSERT_EQ(test, e->ops->add(e, f), 0);
	nfl_test_expect_bytes(test, p + off + 4 + 74, phys_rec,
			      sizeof(phys_rec), "physdev");
	KUNIT_EXPECT_EQ(test, e->ops->finish(e), off + ALIGN(4 + 74 + 8, 4));
	nfl_test_enc_put(e);
}

/*
 * Every combination of fields, both protocols: templates, the options
 * records and one flow of the largest kind fit in a PDU.
 */
static void test_fields_all_fit(struct kunit *test)
{
	static const struct nfl_encoder *const ops[] = {
		&nfl_v9_encoder, &nfl_ipfix_encoder,
	};
	struct flow6 x;
	struct nfl_enc *e;
	unsigned int f, i;

	flow6(&x, &nfl_test_t0);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		for (f = 0; f <= NFL_FIELDS_ALL; f++) {
			e = tpl_enc_fields(test, ops[i], f);
			e->ops->begin(e, &nfl_test_t0);
			KUNIT_EXPECT_EQ(test, e->ops->add(e, &x.f), 0);
			KUNIT_EXPECT_GT(test, e->ops->finish(e), (size_t)0);
			nfl_test_enc_put(e);
		}
	}
}

static struct kunit_case template_cases[] = {
	KUNIT_CASE(export_time_wrap_test),
	KUNIT_CASE(v9_test_pdu_bytes),
	KUNIT_CASE(ipfix_test_pdu_bytes),
	KUNIT_CASE(ipfix_test_icmp6),
	KUNIT_CASE(v9_test_icmp6),
	KUNIT_CASE(v9_test_direction),
	KUNIT_CASE(ipfix_test_direction),
	KUNIT_CASE(ipfix_test_hdr_opts),
	KUNIT_CASE(v9_test_refresh_rate),
	KUNIT_CASE(v9_test_timeout_rate),
	KUNIT_CASE(ipfix_test_fill),
	KUNIT_CASE(v9_test_empty),
	KUNIT_CASE(ipfix_test_nel),
	KUNIT_CASE(v9_test_nel),
	KUNIT_CASE(ipfix_test_nel6),
	KUNIT_CASE(v9_test_nel6),
	KUNIT_CASE(v9_test_opt_due),
	KUNIT_CASE(ipfix_test_stats_alone),
	KUNIT_CASE(v9_test_stats_alone),
	KUNIT_CASE(v9_test_reliability),
	KUNIT_CASE(ipfix_test_reliability),
	KUNIT_CASE(ipfix_test_reliability_any),
	KUNIT_CASE(ipfix_test_ifaces),
	KUNIT_CASE(v9_test_ifaces),
	KUNIT_CASE(ipfix_test_ifaces_long),
	KUNIT_CASE(ipfix_test_ifaces_change),
	KUNIT_CASE(ipfix_test_fields_nat),
	KUNIT_CASE(v9_test_fields_nat),
	KUNIT_CASE(ipfix_test_fields_aggr),
	KUNIT_CASE(ipfix_test_fields_mac),
	KUNIT_CASE(test_fields_vlan),
	KUNIT_CASE(ipfix_test_fields_mpls),
	KUNIT_CASE(ipfix_test_fields_phys),
	KUNIT_CASE(test_fields_all_fit),
	{}
};

static struct kunit_suite template_suite = {
	.name = "ipt_netflow_template",
	.test_cases = template_cases,
};
kunit_test_suite(template_suite);
