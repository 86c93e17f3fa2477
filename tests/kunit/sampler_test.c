// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for sampler= (sampler.c): the parser, and the decisions of
 * each mode on this CPU.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/socket.h>

#include "flow.h"
#include "sampler.h"

static void sampler_parse_test(struct kunit *test)
{
	static const struct {
		const char *s;
		enum nfl_samp_mode mode;
		u32 n;
	} ok[] = {
		{ "", NFL_SAMP_OFF, 0 },
		{ "deterministic:2", NFL_SAMP_DETERMINISTIC, 2 },
		{ "random:100", NFL_SAMP_RANDOM, 100 },
		{ "hash:16383", NFL_SAMP_HASH, 16383 },
		{ "packet:10", NFL_SAMP_PACKET, 10 },
	};
	static const char *const bad[] = {
		"packet:1", "packet:16384", "packet:", "packet", ":4", "hash:x",
		"hash:4x", "bogus:4", "packet:10:1", "Packet:10", "packet:-2",
		"packet: 10", "packet:99999999999", "deterministic:0",
	};
	struct nfl_sampler smp;
	const char *why;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		KUNIT_EXPECT_EQ_MSG(test, nfl_sampler_parse(ok[i].s, &smp, &why),
				    0, "%s", ok[i].s);
		KUNIT_EXPECT_EQ(test, smp.mode, ok[i].mode);
		KUNIT_EXPECT_EQ(test, smp.interval, ok[i].n);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		KUNIT_EXPECT_EQ_MSG(test, nfl_sampler_parse(bad[i], &smp, &why),
				    -EINVAL, "%s", bad[i]);
		KUNIT_EXPECT_NOT_NULL(test, why);
	}
	KUNIT_EXPECT_STREQ(test, nfl_samp_mode_name(NFL_SAMP_HASH), "hash");
}

static void sampler_v5_test(struct kunit *test)
{
	struct nfl_sampler s = { NFL_SAMP_OFF, 0 };

	KUNIT_EXPECT_EQ(test, nfl_samp_v5(&s), 0);
	s = (struct nfl_sampler){ NFL_SAMP_DETERMINISTIC, 4 };
	KUNIT_EXPECT_EQ(test, nfl_samp_v5(&s), 0x4004);
	s = (struct nfl_sampler){ NFL_SAMP_PACKET, 16383 };
	KUNIT_EXPECT_EQ(test, nfl_samp_v5(&s), 0xbfff);
}

/* packet:10 over 1000 packets of this CPU: one in each 10 in a row */
static void sampler_packet_test(struct kunit *test)
{
	struct nfl_sampler s = { NFL_SAMP_PACKET, 10 };
	struct nfl_samp_stats st;
	unsigned int i, taken = 0, in_window = 0;

	nfl_sampler_set(&s);
	local_bh_disable();
	for (i = 0; i < 1000; i++) {
		bool t = nfl_samp_take();

		taken += t;
		in_window += t;
		if (i % 10 == 9) {
			KUNIT_EXPECT_EQ_MSG(test, in_window, 1, "window %u", i / 10);
			in_window = 0;
		}
	}
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, taken, 100);
	nfl_samp_stats(&st);
	KUNIT_EXPECT_EQ(test, st.pkts_taken + st.pkts_skipped, 1000);
	s = (struct nfl_sampler){ NFL_SAMP_OFF, 0 };
	nfl_sampler_set(&s);
	KUNIT_EXPECT_EQ(test, READ_ONCE(nfl_samp_packets), 0);
}

static void sampler_flow_test(struct kunit *test)
{
	struct nfl_key key = { .family = AF_INET, .proto = 17 };
	struct nfl_sampler s = { NFL_SAMP_DETERMINISTIC, 4 };
	unsigned int i, taken = 0, hashed = 0;
	enum nfl_samp_verdict v;

	nfl_sampler_set(&s);
	local_bh_disable();
	for (i = 1; i <= 100; i++) {
		v = nfl_samp_flow(&key, 1);
		KUNIT_EXPECT_EQ_MSG(test, v, i % 4 ? NFL_SAMP_SKIP : NFL_SAMP_TAKE,
				    "flow %u", i);
	}
	local_bh_enable();

	s = (struct nfl_sampler){ NFL_SAMP_RANDOM, 5 };
	nfl_sampler_set(&s);
	local_bh_disable();
	for (i = 0; i < 500; i++)
		taken += nfl_samp_flow(&key, 1) == NFL_SAMP_TAKE;
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, taken, 100);

	/* hash: the key decides, the same twice, whatever the interface */
	s = (struct nfl_sampler){ NFL_SAMP_HASH, 4 };
	nfl_sampler_set(&s);
	local_bh_disable();
	for (i = 0; i < 400; i++) {
		bool t;

		key.sport = htons(i);
		key.iif = 0;
		t = nfl_samp_hash_take(&key, 1);
		hashed += t;
		KUNIT_EXPECT_EQ(test, nfl_samp_hash_take(&key, 1), t);
		key.iif = i;
		KUNIT_EXPECT_EQ(test, nfl_samp_hash_take(&key, 1), t);
		/* once taken, the flow's creation takes it */
		if (t)
			KUNIT_EXPECT_EQ(test, nfl_samp_flow(&key, 1),
					NFL_SAMP_TAKE);
	}
	local_bh_enable();
	/* 100 expected, 4 standard deviations (8.7) */
	KUNIT_EXPECT_GE(test, hashed, 65);
	KUNIT_EXPECT_LE(test, hashed, 135);
	s = (struct nfl_sampler){ NFL_SAMP_OFF, 0 };
	nfl_sampler_set(&s);
}

static struct kunit_case sampler_cases[] = {
	KUNIT_CASE(sampler_parse_test),
	KUNIT_CASE(sampler_v5_test),
	KUNIT_CASE(sampler_packet_test),
	KUNIT_CASE(sampler_flow_test),
	{}
};

static struct kunit_suite sampler_suite = {
	.name = "ipt_netflow_sampler",
	.test_cases = sampler_cases,
};

kunit_test_suite(sampler_suite);
