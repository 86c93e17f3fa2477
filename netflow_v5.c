// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetFlow v5 encoder.
 *
 * Pure: it only writes into the buffer export.c lends it, so the KUnit
 * suite (tests/kunit/netflow_v5_test.c) runs this very file on UML.
 *
 * v5 has no room for what the cache keeps wider than the wire:
 *  - IPv6 flows cannot be carried at all (-EAFNOSUPPORT, counted by
 *    export.c as skipped).  They exist only while protocol is 9 or 10.
 *  - dOctets is 32 bits.  With protocol 5 the cache ends a flow before its
 *    bytes pass U32_MAX (nfl_cache_set_split), so the clamp below is only a
 *    safety net: a flow that slipped past reads U32_MAX, never a small
 *    wrapped count.  dPkts is as wide as the cache's counter.
 *  - engine_id is 8 bits.  The settings layer refuses a larger one while
 *    protocol is 5; should one get here anyway, its low byte is sent.
 *  - input/output are 16 bits, see nf5_ifindex().
 * src_mask and dst_mask say what aggregation= cut the addresses to (32:
 * not at all); they stay 0, "unknown", in flows metered without rules,
 * as v5 collectors have always seen them from this module.
 */
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "encoder.h"
#include "netflow_v5.h"

/*
 * An ifindex above 65535 is sent as 65535: cutting it to 16 bits would
 * name an unrelated interface (65536 would read as 0, "local"), whereas
 * the top value reads as "out of range" on any box with fewer interfaces.
 */
static __be16 nf5_ifindex(u32 ifindex)
{
	return htons(min_t(u32, ifindex, NF5_IFINDEX_MAX));
}

static void nf5_begin(struct nfl_enc *e, const struct nfl_export_time *t)
{
	e->t = *t;
	e->records = 0;
	/* The header is written by nf5_finish(), once count is known. */
	e->len = e->size >= sizeof(struct nf5_header) ?
		 sizeof(struct nf5_header) : 0;
}

static int nf5_add(struct nfl_enc *e, const struct nfl_flow *f)
{
	const struct nfl_export_time *t = &e->t;
	struct nf5_record *r;

	if (f->key.family != AF_INET)
		return -EAFNOSUPPORT;
	if (e->records >= NF5_MAX_RECORDS || !e->len ||
	    e->len + sizeof(*r) > e->size)
		return -ENOSPC;

	r = (struct nf5_record *)(e->buf + e->len);
	*r = (struct nf5_record) {
		.srcaddr = f->key.v4.saddr,
		.dstaddr = f->key.v4.daddr,
		.nexthop = f->nexthop4,
		.input = nf5_ifindex(f->key.iif),
		.output = nf5_ifindex(f->oif),
		.d_pkts = htonl(f->packets),
		.d_octets = htonl(min_t(u64, f->bytes, U32_MAX)),
		/* u32 arithmetic: sys_uptime wraps, and so must these */
		.first = htonl(t->uptime_ms - nfl_time_age_ms(t, f->first)),
		.last = htonl(t->uptime_ms - nfl_time_age_ms(t, f->last)),
		.srcport = f->key.sport,
		.dstport = f->key.dport,
		.tcp_flags = f->tcp_flags,
		.prot = f->key.proto,
		.tos = f->key.tos,
	};
	if (nfl_flow_fields(f) & NFL_FIELD_AGGR)
		nfl_flow_masks(f, &r->src_mask, &r->dst_mask);
	e->len += sizeof(*r);
	e->records++;
	return 0;
}

/*
 * A NAT event as a dummy flow v5 collectors already store: pre-NAT
 * source, post-NAT destination (what a FORWARD flow shows), no packets or
 * bytes, SYN|ACK for a create and RST|FIN for a delete.  The address the
 * translation gave goes in nexthop and its port in an AS field: the
 * post-NAT source and src_as for SNAT, the pre-NAT destination and
 * dst_as for DNAT (which wins nexthop when both happened).
 */
static int nf5_add_nat(struct nfl_enc *e, const struct nfl_nat_event *ev)
{
	const struct nfl_export_time *t = &e->t;
	struct nf5_record *r;
	__be32 up;

	/* v5 has no IPv6: skipped (and counted) as IPv6 flows are */
	if (ev->ipv6)
		return -EAFNOSUPPORT;
	if (e->records >= NF5_MAX_RECORDS || !e->len ||
	    e->len + sizeof(*r) > e->size)
		return -ENOSPC;

	up = htonl(t->uptime_ms - nfl_time_age_ms(t, ev->jiffies));
	r = (struct nf5_record *)(e->buf + e->len);
	*r = (struct nf5_record) {
		.srcaddr = ev->pre_saddr,
		.dstaddr = ev->post_daddr,
		.first = up,
		.last = up,
		.srcport = ev->pre_sport,
		.dstport = ev->post_dport,
		.tcp_flags = ev->destroy ? NF5_NAT_STOP_FLAGS : NF5_NAT_START_FLAGS,
		.prot = ev->proto,
	};
	if (ev->pre_saddr != ev->post_saddr) {
		r->nexthop = ev->post_saddr;
		r->src_as = ev->post_sport;
		r->src_mask = 32;
	}
	if (ev->pre_daddr != ev->post_daddr) {
		r->nexthop = ev->pre_daddr;
		r->dst_as = ev->pre_dport;
		r->dst_mask = 32;
	}
	e->len += sizeof(*r);
	e->records++;
	return 0;
}

/*
 * A connection record as a record per direction that counted packets,
 * each with the addresses and ports its packets came in with (v5 has no
 * NAT fields; ICMP without its echo id) and no TCP flags, interfaces or
 * next hop (conntrack keeps none).  The counters: ctflows.c splits a record whose counts would not
 * fit 32 bits; the clamps are a safety net, as in nf5_add().
 */
static int nf5_add_ct(struct nfl_enc *e, const struct nfl_ct_record *r)
{
	const struct nfl_export_time *t = &e->t;
	unsigned int dirs = nfl_ct_uni_dirs(r), d;
	const struct nfl_ct_side *s;
	struct nf5_record *rec;
	u32 first, last;

	if (r->ipv6)
		return -EAFNOSUPPORT;
	if (!dirs)
		return 0;		/* no traffic, no record */
	if (e->records + hweight32(dirs) > NF5_MAX_RECORDS || !e->len ||
	    e->len + hweight32(dirs) * sizeof(*rec) > e->size)
		return -ENOSPC;

	/* u32 arithmetic: sys_uptime wraps, and so must these */
	first = t->uptime_ms - nfl_wall_age_ms(t, r->start_ms);
	last = t->uptime_ms - nfl_wall_age_ms(t, r->end_ms);
	for (d = 0; d < 2; d++) {
		if (!(dirs & BIT(d)))
			continue;
		s = &r->dir[d];
		rec = (struct nf5_record *)(e->buf + e->len);
		*rec = (struct nf5_record) {
			.srcaddr = s->saddr,
			.dstaddr = s->daddr,
			.d_pkts = htonl(min_t(u64, s->packets, U32_MAX)),
			.d_octets = htonl(min_t(u64, s->bytes, U32_MAX)),
			.first = htonl(first),
			.last = htonl(last),
			/*
			 * ICMP: 0, as in flows; v5 collectors (nfdump) take
			 * a non-zero ICMP source port for the type and code
			 */
			.srcport = nfl_ct_icmp(r) ? 0 : s->sport,
			.dstport = s->dport,
			.prot = r->proto,
		};
		e->len += sizeof(*rec);
		e->records++;
	}
	return 0;
}

static size_t nf5_finish(struct nfl_enc *e)
{
	struct nf5_header *h = (struct nf5_header *)e->buf;

	if (!e->records)
		return 0;
	*h = (struct nf5_header) {
		.version = htons(NF5_VERSION),
		.count = htons(e->records),
		.sys_uptime = htonl(e->t.uptime_ms),
		.unix_secs = htonl((u32)e->t.wall.tv_sec),
		.unix_nsecs = htonl((u32)e->t.wall.tv_nsec),
		.flow_sequence = htonl((u32)e->sequence),
		.engine_type = 0,
		.engine_id = (u8)e->engine_id,
		.sampling_interval = htons(nfl_samp_v5(&e->sampler)),
	};
	e->sequence += e->records;
	return e->len;
}

const struct nfl_encoder nfl_v5_encoder = {
	.protocol = 5,
	.pdu_size = NF5_PDU_MAX,
	.max_octets = U32_MAX,		/* dOctets and dPkts are 32-bit */
	.max_packets = U32_MAX,
	.begin = nf5_begin,
	.add = nf5_add,
	.add_nat = nf5_add_nat,
	.add_ct = nf5_add_ct,
	.finish = nf5_finish,
};
