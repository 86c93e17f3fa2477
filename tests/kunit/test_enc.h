/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture the encoder suites share: one export instant, an encoder
 * over a poisoned buffer, the layout of a first v9/IPFIX PDU, and byte
 * checks.
 */
#ifndef _IPT_NETFLOW_TEST_ENC_H
#define _IPT_NETFLOW_TEST_ENC_H

#include <kunit/test.h>
#include <linux/string.h>
#include "encoder.h"
#include "netflow_v5.h"
#include "template.h"

/*
 * A first v9/IPFIX PDU of nfl_test_enc(), with the default fields:
 * v4 templates have 17 fields, then ipv4Options and tcpOptions (19);
 * ICMP has its type/code and ipv4Options (19).  v6 ones add
 * flowLabelIPv6 and ipv6ExtensionHeaders, then tcpOptions or ICMP: 20
 * and 20.  Each with id and count.  The options template sets 260, 262,
 * 263 take 40, 36 and 24 bytes either way, and the system record 112
 * (v9) or 72 (IPFIX) bytes with its set header; the first data set
 * starts after the PDU header (20 or 16 bytes) and all of those.
 */
#define NFL_TEST_TPL_SET_LEN	(4 + 4 + 19 * 4 + 4 + 19 * 4 + \
				 4 + 20 * 4 + 4 + 20 * 4)
#define NFL_TEST_OPT_TPL_LEN	(40 + 36 + 24)
#define NFL_TEST_V9_FIRST	(20 + NFL_TEST_TPL_SET_LEN + \
				 NFL_TEST_OPT_TPL_LEN + 112)
#define NFL_TEST_IPFIX_FIRST	(16 + NFL_TEST_TPL_SET_LEN + \
				 NFL_TEST_OPT_TPL_LEN + 72)

/* A fixed export instant: uptime 10000 s, wall 1700000000.123456789 */
static const struct nfl_export_time nfl_test_t0 = {
	.jiffies = 1000000,
	.uptime_ms = 10000000,
	.wall = { .tv_sec = 1700000000, .tv_nsec = 123456789 },
	.boot_ms = 1700000000123ULL - 10000000,
};

/* The largest PDU of any encoder: v5's of 30 records */
#define NFL_TEST_PDU_MAX	NF5_PDU_MAX
static_assert(NFL_TPL_PDU_SIZE <= NFL_TEST_PDU_MAX);

struct nfl_test_enc_buf {
	struct nfl_enc e;
	u8 buf[NFL_TEST_PDU_MAX + 16];
};

/*
 * An encoder of @ops, freed with the test: engine id 7, refresh rate 20,
 * timeout rate 30, sequence 5, templates due, the system record of a
 * 20-character host name and 9 observed flows; bytes past the PDU are
 * 0xa5 and must stay so.  nfl_test_enc_put() releases it.
 */
static inline struct nfl_enc *nfl_test_enc(struct kunit *test,
					   const struct nfl_encoder *ops)
{
	struct nfl_test_enc_buf *c = kunit_kzalloc(test, sizeof(*c),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_LE(test, ops->pdu_size, (size_t)NFL_TEST_PDU_MAX);
	c->e.ops = ops;
	c->e.buf = c->buf;
	c->e.size = ops->pdu_size;
	c->e.engine_id = 7;
	c->e.refresh_rate = 20;
	c->e.timeout_rate = 30;
	c->e.resync = true;
	c->e.sequence = 5;
	strscpy(c->e.opt.domain_name, "ipt_NETFLOW 0.1 on h",
		sizeof(c->e.opt.domain_name));
	c->e.opt.observed_flows = 9;
	memset(c->buf, 0xa5, sizeof(c->buf));
	if (ops->init)
		KUNIT_ASSERT_EQ(test, ops->init(&c->e), 0);
	return &c->e;
}

static inline void nfl_test_enc_put(struct nfl_enc *e)
{
	if (e->ops->release)
		e->ops->release(e);
}

/* The @n bytes at @got are @want's; the first that is not fails @what. */
static inline void nfl_test_expect_bytes(struct kunit *test, const u8 *got,
					 const u8 *want, size_t n,
					 const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			KUNIT_FAIL(test, "%s byte %zu: got %#04x, want %#04x",
				   what, i, got[i], want[i]);
			return;
		}
	}
}

static inline u16 nfl_test_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 nfl_test_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

#endif /* _IPT_NETFLOW_TEST_ENC_H */
