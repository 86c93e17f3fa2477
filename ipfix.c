// SPDX-License-Identifier: GPL-2.0-only
/*
 * IPFIX encoder (RFC 7011): template.c does the sets, this file the
 * message header and its sequence, which counts data records sent before
 * the message in this observation domain (options records included: they
 * are data records too).
 *
 * Times are flowStart/EndMilliseconds, absolute, so a collector needs no
 * uptime to place them.
 */
#include <linux/kernel.h>
#include <linux/limits.h>

#include "compat.h"
#include "encoder.h"
#include "template.h"

#define NF10_HDR_LEN	16

static void nf10_header(struct nfl_enc *e, unsigned int records)
{
	u8 *h = e->buf;

	put_unaligned_be16(10, h);
	put_unaligned_be16(e->len, h + 2);
	put_unaligned_be32((u32)e->t.wall.tv_sec, h + 4);
	put_unaligned_be32((u32)e->sequence, h + 8);
	put_unaligned_be32(e->engine_id, h + 12);
}

static void nf10_advance(struct nfl_enc *e, unsigned int data)
{
	e->sequence += data;
}

static const struct nfl_tpl_proto nf10_proto = {
	.version = 10,
	.hdr_len = NF10_HDR_LEN,
	.tpl_set_id = 2,
	.opt_set_id = 3,
	.first_ie = NFL_IE_FIRST_MS,
	.last_ie = NFL_IE_LAST_MS,
	.icmp6_ie = NFL_IE_ICMP6,
	.varlen = true,
	.biflow = true,
	.header = nf10_header,
	.advance = nf10_advance,
};

static int nf10_init(struct nfl_enc *e)
{
	return nfl_tpl_init(e, &nf10_proto);
}

const struct nfl_encoder nfl_ipfix_encoder = NFL_TPL_ENCODER(10, nf10_init);
