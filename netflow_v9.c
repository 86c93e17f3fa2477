// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetFlow v9 encoder (RFC 3954): template.c does the sets, this file
 * the header and its sequence, which counts export packets.
 *
 * Times are FIRST/LAST_SWITCHED, sys_uptime based like v5's, because
 * that is what v9 collectors pair with the header.  ICMPv6 type and code
 * go in element 32 too: nfdump's v9 reader drops 139 and then reports
 * type and code 0 even though the port carries them.
 */
#include <linux/kernel.h>
#include <linux/limits.h>

#include "compat.h"
#include "encoder.h"
#include "template.h"

#define NF9_HDR_LEN	20

static void nf9_header(struct nfl_enc *e, unsigned int records)
{
	u8 *h = e->buf;

	put_unaligned_be16(9, h);
	put_unaligned_be16(records, h + 2);
	put_unaligned_be32(e->t.uptime_ms, h + 4);
	put_unaligned_be32((u32)e->t.wall.tv_sec, h + 8);
	put_unaligned_be32((u32)e->sequence, h + 12);
	put_unaligned_be32(e->engine_id, h + 16);
}

static void nf9_advance(struct nfl_enc *e, unsigned int data)
{
	e->sequence++;
}

static const struct nfl_tpl_proto nf9_proto = {
	.version = 9,
	.hdr_len = NF9_HDR_LEN,
	.tpl_set_id = 0,
	.opt_set_id = 1,
	.first_ie = NFL_IE_FIRST_UP,
	.last_ie = NFL_IE_LAST_UP,
	.icmp6_ie = NFL_IE_ICMP4,
	.v9_options = true,
	.header = nf9_header,
	.advance = nf9_advance,
};

static int nf9_init(struct nfl_enc *e)
{
	return nfl_tpl_init(e, &nf9_proto);
}

const struct nfl_encoder nfl_v9_encoder = NFL_TPL_ENCODER(9, nf9_init);
