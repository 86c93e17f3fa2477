// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table walks that do not run per packet: ageing and resizing.
 * Pure like flow.h: the caller owns the tables and disables whatever must
 * not run meanwhile.
 */

#include "flow.h"

unsigned int nfl_htable_expire(struct nfl_htable *t, unsigned int from,
			       unsigned int to, unsigned int budget, u32 now,
			       const struct nfl_ageing *ag,
			       struct nfl_flow_list *out)
{
	struct nfl_flow **pp, *f;
	unsigned int i, seen = 0;
	u8 reason;

	for (i = from; i < to && i < t->hsize && seen < budget; i++) {
		pp = &t->buckets[i];
		while ((f = *pp)) {
			seen++;
			reason = ag ? nfl_flow_expiry(f, now, ag) : NFL_END_FORCED;
			if (!reason) {
				pp = &f->next;
				continue;
			}
			*pp = f->next;
			nfl_flow_list_add(out, f, reason);
		}
	}
	return i;
}

/*
 * The link in @t to the flow with @f's key, fields and key parts, or to
 * NULL at the end of the chain @f belongs in (*@bucket).
 */
static struct nfl_flow **nfl_htable_find_like(const struct nfl_htable *t,
					      const struct nfl_flow *f,
					      struct nfl_flow ***bucket,
					      u64 *passed)
{
	struct nfl_xpkt x;

	if (!nfl_flow_fields(f)) {
		*bucket = nfl_htable_bucket(t, &f->key);
		return nfl_flow_find(*bucket, &f->key, passed);
	}
	nfl_flow_xkey(f, &x);
	*bucket = &t->buckets[reciprocal_scale(nfl_key_hash_ext(&f->key, x.w,
								x.l.key_words,
								t->seed),
					       t->hsize)];
	return nfl_flow_find_ext(*bucket, &f->key, &x, passed);
}

unsigned int nfl_htable_move(struct nfl_htable *dst, struct nfl_htable *src,
			     unsigned int from, unsigned int budget,
			     u64 max_bytes, u32 max_packets,
			     struct nfl_flow_list *merged)
{
	struct nfl_flow *f, *g, *next, **bucket;
	unsigned int i, seen = 0;
	u64 passed = 0;

	for (i = from; i < src->hsize && seen < budget; i++) {
		for (f = src->buckets[i]; f; f = next) {
			next = f->next;
			seen++;
			g = *nfl_htable_find_like(dst, f, &bucket, &passed);
			if (g && nfl_flow_mergeable(g, f, max_bytes, max_packets)) {
				nfl_flow_merge(g, f);
				nfl_flow_list_add(merged, f, 0);
			} else {
				nfl_flow_link(bucket, f);
			}
		}
		src->buckets[i] = NULL;
	}
	return i;
}
