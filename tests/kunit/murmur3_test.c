// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for murmur3.h.
 *
 * The expected values are published MurmurHash3_x86_32 vectors; each was
 * re-checked on the host against two independent implementations before
 * being written down here.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "murmur3.h"

struct murmur3_vector {
	const char *data;
	size_t len;
	u32 seed;
	u32 hash;
};

/* sizeof, not strlen: some inputs contain NUL bytes */
#define VEC(str, s, h) { .data = str, .len = sizeof(str) - 1, .seed = s, .hash = h }

static const struct murmur3_vector murmur3_vectors[] = {
	/* empty input: only the seed and the finaliser */
	VEC("", 0, 0),
	VEC("", 1, 0x514e28b7),
	VEC("", 0xffffffff, 0x81f16f39),
	/* one block, no tail */
	VEC("\xff\xff\xff\xff", 0, 0x76293b50),
	VEC("\x21\x43\x65\x87", 0, 0xf55b516b),
	VEC("\x21\x43\x65\x87", 0x5082edee, 0x2362f9de),
	VEC("\0\0\0\0", 0, 0x2362f9de),
	/* tails of 3, 2 and 1 bytes */
	VEC("\x21\x43\x65", 0, 0x7e4a8634),
	VEC("\x21\x43", 0, 0xa0f7b07a),
	VEC("\x21", 0, 0x72661cf4),
	VEC("\0\0\0", 0, 0x85f0b427),
	VEC("\0\0", 0, 0x30f4c306),
	VEC("\0", 0, 0x514e28b7),
	VEC("a", 0x9747b28c, 0x7fa09ea6),
	VEC("aa", 0x9747b28c, 0x5d211726),
	VEC("aaa", 0x9747b28c, 0x283e0130),
	VEC("aaaa", 0x9747b28c, 0x5a97808a),
	VEC("ab", 0x9747b28c, 0x74875592),
	VEC("abc", 0x9747b28c, 0xc84a62dd),
	VEC("abcd", 0x9747b28c, 0xf0478627),
	/* several blocks plus a tail, text and UTF-8 ("π" x 8) */
	VEC("Hello, world!", 0x9747b28c, 0x24884cba),
	VEC("Hello, world!", 0, 0xc0363e43),
	VEC("\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80",
	    0x9747b28c, 0xd58063c1),
	VEC("The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd),
	VEC("The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723),
};

static void murmur3_vector_desc(const struct murmur3_vector *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "len=%zu seed=%#x data=%*phN",
		 v->len, v->seed, (int)min_t(size_t, v->len, 8), v->data);
}

KUNIT_ARRAY_PARAM(murmur3_vectors, murmur3_vectors, murmur3_vector_desc);

static void murmur3_test_vector(struct kunit *test)
{
	const struct murmur3_vector *v = test->param_value;
	u32 got = murmur3_32(v->data, v->len, v->seed);

	KUNIT_EXPECT_EQ_MSG(test, got, v->hash, "got %#010x, want %#010x", got, v->hash);
}

/* get_unaligned_le32() must give the same blocks at every misalignment. */
static void murmur3_test_unaligned(struct kunit *test)
{
	static const char msg[] = "The quick brown fox jumps over the lazy dog";
	const size_t len = sizeof(msg) - 1;
	char *buf;
	int off;

	buf = kunit_kmalloc(test, len + 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	for (off = 0; off < 4; off++) {
		memcpy(buf + off, msg, len);
		KUNIT_EXPECT_EQ_MSG(test, murmur3_32(buf + off, len, 0x9747b28c),
				    0x2fa826cdU, "offset %d", off);
	}
}

/*
 * murmur3_words() hashes word values, so it must match murmur3_32() over
 * their little-endian encoding on any CPU, and over the words' own memory
 * on a little-endian one.
 */
static void murmur3_test_words(struct kunit *test)
{
	static const u32 seeds[] = { 0, 1, 0x9747b28c, 0xffffffff };
	u32 words[12];
	u8 le[sizeof(words)];
	unsigned int n, i, s;
	u32 w;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		/* arbitrary but fixed, with high and low bits set */
		words[i] = 0x01234567U * (i + 1) ^ 0x80000001U;
		put_unaligned_le32(words[i], le + 4 * i);
	}

	for (s = 0; s < ARRAY_SIZE(seeds); s++) {
		for (n = 0; n <= ARRAY_SIZE(words); n++) {
			w = murmur3_words(words, n, seeds[s]);
			KUNIT_EXPECT_EQ_MSG(test, w, murmur3_32(le, n * 4, seeds[s]),
					    "nwords %u seed %#x", n, seeds[s]);
#ifdef __LITTLE_ENDIAN
			KUNIT_EXPECT_EQ_MSG(test, w, murmur3_32(words, n * 4, seeds[s]),
					    "nwords %u seed %#x", n, seeds[s]);
#endif
		}
	}
}

/* A known vector through the words path: "\x21\x43\x65\x87" is 0x87654321. */
static void murmur3_test_words_vector(struct kunit *test)
{
	static const u32 word = 0x87654321U;
	static const u32 zero;

	KUNIT_EXPECT_EQ(test, murmur3_words(&word, 1, 0), 0xf55b516bU);
	KUNIT_EXPECT_EQ(test, murmur3_words(&word, 1, 0x5082edee), 0x2362f9deU);
	KUNIT_EXPECT_EQ(test, murmur3_words(&zero, 1, 0), 0x2362f9deU);
	KUNIT_EXPECT_EQ(test, murmur3_words(NULL, 0, 1), 0x514e28b7U);
}

static struct kunit_case murmur3_test_cases[] = {
	KUNIT_CASE_PARAM(murmur3_test_vector, murmur3_vectors_gen_params),
	KUNIT_CASE(murmur3_test_unaligned),
	KUNIT_CASE(murmur3_test_words),
	KUNIT_CASE(murmur3_test_words_vector),
	{}
};

static struct kunit_suite murmur3_test_suite = {
	.name = "ipt_netflow_murmur3",
	.test_cases = murmur3_test_cases,
};

kunit_test_suite(murmur3_test_suite);
