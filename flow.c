// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table walks that do not run per packet: ageing and resizing.
 * Pure like flow.h: the caller owns the tables and disables whatever must
 * not run meanwhile.
 */

#include "flow.h"

void nf_htable_expire(struct nf_htable *t, unsigned int from, unsigned int to,
		      u32 now, const struct nf_ageing *ag,
		      struct nf_flow_list *out)
{
	struct nf_flow **pp, *f;
	unsigned int i;
	u8 reason;

	for (i = from; i < to && i < t->hsize; i++) {
		pp = &t->buckets[i];
		while ((f = *pp)) {
			reason = ag ? nf_flow_expiry(f, now, ag) : NF_END_FORCED;
			if (!reason) {
				pp = &f->next;
				continue;
			}
			*pp = f->next;
			nf_flow_list_add(out, f, reason);
		}
	}
}

void nf_htable_move(struct nf_htable *dst, struct nf_htable *src)
{
	struct nf_flow *f, *next;
	unsigned int i;

	for (i = 0; i < src->hsize; i++) {
		for (f = src->buckets[i]; f; f = next) {
			next = f->next;
			nf_flow_link(nf_htable_bucket(dst, &f->key), f);
		}
		src->buckets[i] = NULL;
	}
}
