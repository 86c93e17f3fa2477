/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow cache's decisions, apart from where its tables live: hashing
 * and comparing keys, finding and adding flows in a chain, counting
 * packets, when a flow must start anew and when it leaves.
 *
 * Nothing here owns memory, reads a global or a clock: the table, the
 * time ("now", low 32 bits of jiffies) and the settings are arguments.
 * cache.c keeps one table per CPU and calls this; KUnit builds tables of
 * its own and drives the clock by hand.  What the packet path calls is
 * static inline, so it costs what the code written in place did.
 */
#ifndef _IPT_NETFLOW_FLOW_H
#define _IPT_NETFLOW_FLOW_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <net/tcp.h>

#include "ipt_NETFLOW.h"
#include "murmur3.h"

/* A hash table of flows; its owner allocates and sizes @buckets. */
struct nf_htable {
	struct nf_flow **buckets;
	unsigned int hsize;		/* buckets, > 0 */
	u32 seed;
};

/* Flows that left a table, in order, with what they carried. */
struct nf_flow_list {
	struct nf_flow *head, *tail;
	unsigned int flows;
	unsigned int flows6;		/* of them IPv6 */
	unsigned int flows4o;		/* of them IPv4 with NF_FLOW_IP4_OPTS */
	u64 packets, bytes;
};

/* When flows leave, in jiffies. */
struct nf_ageing {
	u32 active;			/* since the first packet */
	u32 inactive;			/* since the latest packet */
	u32 end_grace;			/* since the latest, once FIN/RST seen */
};

/*
 * The packet path's helpers are __always_inline, and each has a _fam form
 * that takes the family apart from the key: the targets pass a constant,
 * so the hash, the compare and the count run over a fixed number of
 * words, unrolled, without reading the family back from the key.
 */
static __always_inline u32 nf_key_hash_fam(const struct nf_key *key,
					   u8 family, u32 seed)
{
	return murmur3_words((const u32 *)key, nf_family_words(family), seed);
}

static __always_inline u32 nf_key_hash(const struct nf_key *key, u32 seed)
{
	return nf_key_hash_fam(key, key->family, seed);
}

/* @family: @b's, which the caller has branched on. */
static __always_inline bool nf_key_equal_fam(const struct nf_key *a,
					     const struct nf_key *b, u8 family)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	unsigned int i, n;

	/* The head words hold the family: compare them before any address. */
	if ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]))
		return false;
	/* Same family now. */
	n = nf_family_words(family);
	for (i = NF_KEY_HEAD_WORDS; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

static __always_inline bool nf_key_equal(const struct nf_key *a,
					 const struct nf_key *b)
{
	return nf_key_equal_fam(a, b, b->family);
}

static __always_inline struct nf_flow **
nf_htable_bucket_fam(const struct nf_htable *t, const struct nf_key *key,
		     u8 family)
{
	return &t->buckets[reciprocal_scale(nf_key_hash_fam(key, family,
							    t->seed),
					    t->hsize)];
}

static __always_inline struct nf_flow **nf_htable_bucket(const struct nf_htable *t,
						const struct nf_key *key)
{
	return nf_htable_bucket_fam(t, key, key->family);
}

/*
 * The link in chain @pp that points to @key's flow, or to NULL at the end
 * if it is not there; *@passed grows by the entries passed over (examined
 * and not @key's), so a hit at the head counts nothing.
 */
static __always_inline struct nf_flow **
nf_flow_find_fam(struct nf_flow **pp, const struct nf_key *key, u8 family,
		 u64 *passed)
{
	struct nf_flow *f;

	for (; (f = *pp); pp = &f->next) {
		if (nf_key_equal_fam(&f->key, key, family))
			break;
		(*passed)++;
	}
	return pp;
}

static __always_inline struct nf_flow **nf_flow_find(struct nf_flow **pp,
						     const struct nf_key *key,
						     u64 *passed)
{
	return nf_flow_find_fam(pp, key, key->family, passed);
}

/* A new flow for @key at @now, with nothing counted yet. */
static inline void nf_flow_start(struct nf_flow *f, const struct nf_key *key,
				 const struct nf_pkt *pkt, u32 now)
{
	memcpy(&f->key, key, nf_key_words(key) * 4);
	f->bytes = 0;
	f->packets = 0;
	f->first = now;
	f->oif = pkt->oif;
	f->tcp_flags = 0;
	f->end_reason = 0;
	f->flags = 0;
	f->nexthop4 = pkt->nexthop4;
	f->tcp_opts = 0;
	if (key->family != AF_INET) {
		struct nf_flow6_tail *t = nf_flow6_tail(f);

		t->nexthop = pkt->nexthop6;
		t->flow_label = pkt->flow_label;
		t->ext_hdrs = 0;
	}
}

/*
 * Make IPv4 flow @f, whose memory holds NF_FLOW4O_SIZE bytes, one that
 * keeps ipv4Options: its counts so far stay, it has seen none yet.
 */
static inline void nf_flow_set_ip4o(struct nf_flow *f)
{
	f->flags |= NF_FLOW_IP4_OPTS;
	nf_flow4_tail(f)->ip4_opts = 0;
}

static inline void nf_flow_link(struct nf_flow **bucket, struct nf_flow *f)
{
	f->next = *bucket;
	*bucket = f;
}

/* @family: the packet's (see above). */
static __always_inline void nf_flow_count_fam(struct nf_flow *f,
					      const struct nf_pkt *pkt,
					      u32 now, u8 family)
{
	f->packets += pkt->segs;
	f->bytes += pkt->len;
	f->last = now;
	f->tcp_or |= pkt->tcp_or;		/* tcp_flags, tcp_opts */
	if (family == AF_INET6)
		nf_flow6_tail(f)->ext_hdrs |= pkt->ext_hdrs;
}

static __always_inline void nf_flow_count(struct nf_flow *f,
					  const struct nf_key *key,
					  const struct nf_pkt *pkt, u32 now)
{
	nf_flow_count_fam(f, pkt, now, key->family);
}

/*
 * @pkt would take a counter of @f past what the export format holds
 * (@max_bytes, @max_packets) or past its own width: @f must leave first
 * (NF_END_RESOURCES) and the packet start a new flow.  One 64-bit sum per
 * counter: @max_packets is at most U32_MAX, so it also catches a wrap of
 * the 32-bit packet count; the byte sum would need 16 EiB to wrap.
 */
static __always_inline bool nf_flow_must_split(const struct nf_flow *f,
					       const struct nf_pkt *pkt,
					       u64 max_bytes, u32 max_packets)
{
	return f->bytes + pkt->len > max_bytes ||
	       (u64)f->packets + pkt->segs > max_packets;
}

/*
 * Why @f leaves the cache at @now, or 0 if it stays.  Times are compared
 * as u32 differences, so they hold across the wrap of jiffies.
 */
static inline u8 nf_flow_expiry(const struct nf_flow *f, u32 now,
				const struct nf_ageing *ag)
{
	u32 idle = now - f->last, age = now - f->first;

	if ((f->tcp_flags & (TCPHDR_FIN | TCPHDR_RST)) &&
	    idle >= ag->end_grace)
		return NF_END_DETECTED;
	if (idle >= ag->inactive)
		return NF_END_IDLE;
	if (age >= ag->active)
		return NF_END_ACTIVE;
	return 0;
}

/* Append @f, already unlinked from its table, for @reason. */
static inline void nf_flow_list_add(struct nf_flow_list *l, struct nf_flow *f,
				    u8 reason)
{
	f->end_reason = reason;
	f->next = NULL;
	l->flows++;
	if (f->key.family != AF_INET)
		l->flows6++;
	if (f->flags & NF_FLOW_IP4_OPTS)
		l->flows4o++;
	l->packets += f->packets;
	l->bytes += f->bytes;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

/* Append all of @src, which is not empty, to @dst; @src is left as it was. */
static inline void nf_flow_list_splice(struct nf_flow_list *dst,
				       const struct nf_flow_list *src)
{
	if (dst->tail)
		dst->tail->next = src->head;
	else
		dst->head = src->head;
	dst->tail = src->tail;
	dst->flows += src->flows;
	dst->flows6 += src->flows6;
	dst->flows4o += src->flows4o;
	dst->packets += src->packets;
	dst->bytes += src->bytes;
}

/*
 * Move the flows of buckets [@from, @to) that are due at @now to @out.
 * @ag NULL: every flow is due, as NF_END_FORCED.
 */
void nf_htable_expire(struct nf_htable *t, unsigned int from, unsigned int to,
		      u32 now, const struct nf_ageing *ag,
		      struct nf_flow_list *out);

/* Move every flow of @src into the empty table @dst (a resize). */
void nf_htable_move(struct nf_htable *dst, struct nf_htable *src);

#endif /* _IPT_NETFLOW_FLOW_H */
