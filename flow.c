// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table walks that do not run per packet: ageing and resizing.
 * Pure like flow.h: the caller owns the tables and disables whatever must
 * not run meanwhile.
 */

#include "flow.h"

void nfl_htable_expire(struct nfl_htable *t, unsigned int from, unsigned int to,
		      u32 now, const struct nfl_ageing *ag,
		      struct nfl_flow_list *out)
{
	struct nfl_flow **pp, *f;
	unsigned int i;
	u8 reason;

	for (i = from; i < to && i < t->hsize; i++) {
		pp = &t->buckets[i];
		while ((f = *pp)) {
			reason = ag ? nfl_flow_expiry(f, now, ag) : NFL_END_FORCED;
			if (!reason) {
				pp = &f->next;
				continue;
			}
			*pp = f->next;
			nfl_flow_list_add(out, f, reason);
		}
	}
}

void nfl_htable_move(struct nfl_htable *dst, struct nfl_htable *src)
{
	struct nfl_flow *f, *next;
	unsigned int i;

	for (i = 0; i < src->hsize; i++) {
		for (f = src->buckets[i]; f; f = next) {
			next = f->next;
			nfl_flow_link(nfl_htable_bucket(dst, &f->key), f);
		}
		src->buckets[i] = NULL;
	}
}
