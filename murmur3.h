/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MurmurHash3 x86_32 (Austin Appleby's public-domain algorithm).
 *
 * Header-only so the module and the KUnit suites share one definition
 * with no linkage.  murmur3_32() must stay byte-exact with the reference
 * so the published test vectors apply; murmur3_words() is the flow-cache
 * fast path for keys that are already an array of u32.
 */
#ifndef _IPT_NETFLOW_MURMUR3_H
#define _IPT_NETFLOW_MURMUR3_H

#include <linux/types.h>
#include <linux/bitops.h>
#include "compat.h"		/* get_unaligned_le32() */

#define MURMUR3_C1 0xcc9e2d51U
#define MURMUR3_C2 0x1b873593U

static inline u32 murmur3_scramble(u32 k)
{
	k *= MURMUR3_C1;
	k = rol32(k, 15);
	return k * MURMUR3_C2;
}

static inline u32 murmur3_round(u32 h, u32 k)
{
	h ^= murmur3_scramble(k);
	h = rol32(h, 13);
	return h * 5 + 0xe6546b64U;
}

/* Final avalanche; @len is the input length in bytes, truncated as in the reference. */
static inline u32 murmur3_fmix(u32 h, u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* Reference MurmurHash3_x86_32: @data may be unaligned, any length. */
static inline u32 murmur3_32(const void *data, size_t len, u32 seed)
{
	const u8 *p = data;
	size_t nblocks = len / 4;
	u32 h = seed;
	u32 k = 0;
	size_t i;

	for (i = 0; i < nblocks; i++, p += 4)
		h = murmur3_round(h, get_unaligned_le32(p));

	switch (len & 3) {
	case 3:
		k ^= (u32)p[2] << 16;
		fallthrough;
	case 2:
		k ^= (u32)p[1] << 8;
		fallthrough;
	case 1:
		k ^= p[0];
		h ^= murmur3_scramble(k);
	}

	return murmur3_fmix(h, (u32)len);
}

/*
 * Hash @nwords native-endian words: no tail, no byte loads.  The words are
 * taken as values, so the result equals murmur3_32() over their
 * little-endian encoding.  On a little-endian CPU that is the words' own
 * memory, i.e. murmur3_words(w, n, s) == murmur3_32(w, n * 4, s); on a
 * big-endian CPU the two differ, which is fine for a per-host hash table
 * but means the value must not be compared across hosts.
 */
static inline u32 murmur3_words(const u32 *words, unsigned int nwords, u32 seed)
{
	u32 h = seed;
	unsigned int i;

	/* Unrolled when @nwords is a constant (the flow cache inlines it). */
#pragma GCC unroll 16
	for (i = 0; i < nwords; i++)
		h = murmur3_round(h, words[i]);

	return murmur3_fmix(h, nwords * 4);
}

#endif /* _IPT_NETFLOW_MURMUR3_H */
