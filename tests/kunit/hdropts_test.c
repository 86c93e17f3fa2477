// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the option walkers (hdropts.c): ipv4Options (IE 208)
 * and tcpOptions (IE 209) bits of well-formed, truncated and malformed
 * option lists.  Expected values are written from the IANA registries
 * ("option number X is mapped to bit X") by hand.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/kernel.h>

#include "flow.h"
#include "hdropts.h"

#define IP4(...)	nfl_ip4_opts((const u8[]){ __VA_ARGS__ }, \
				    sizeof((const u8[]){ __VA_ARGS__ }))
#define TCP(...)	nfl_tcp_opts((const u8[]){ __VA_ARGS__ }, \
				    sizeof((const u8[]){ __VA_ARGS__ }))

/* What Linux sends by IP_OPTIONS: router alert, record route, timestamp */
static void ip4_good_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, IP4(0x94, 4, 0, 0,		/* RTRALT 148 */
				  0x07, 7, 4, 0, 0, 0, 0,	/* RR 7 */
				  0x00),			/* EOOL */
			BIT(20) | BIT(7) | BIT(0));
	KUNIT_EXPECT_EQ(test, IP4(0x44, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0),
			BIT(4));				/* TS 68 */
	/* the copied-flag types: SEC 130, LSR 131, SSR 137, CIPSO 134 */
	KUNIT_EXPECT_EQ(test, IP4(0x82, 3, 0, 0x83, 3, 4, 0x89, 3, 4,
				  0x86, 3, 0, 1, 1, 1),
			BIT(2) | BIT(3) | BIT(9) | BIT(6) | BIT(1));
	/* EXP 30, 94, 158, 222: one bit; FINN 205 -> 13; QS 25; MTUP 11 */
	KUNIT_EXPECT_EQ(test, IP4(0x1e, 2, 0x5e, 2, 0x9e, 2, 0xde, 2,
				  0xcd, 2, 0x19, 8, 0, 0, 0, 0, 0, 0,
				  0x0b, 4, 0, 0),
			BIT(30) | BIT(13) | BIT(25) | BIT(11));
	KUNIT_EXPECT_EQ(test, IP4(1, 1, 1, 1), BIT(1));	/* NOPs only */
	KUNIT_EXPECT_EQ(test, nfl_ip4_opts(NULL, 0), 0U);
	KUNIT_EXPECT_EQ(test, IP4(0), BIT(0));			/* EOOL only */
}

/* A type IANA does not assign sets no bit, not even its number's. */
static void ip4_unassigned_test(struct kunit *test)
{
	/* 0x99: number 25 like QS (0x19); 0x9a: 26; 0x20: number 0 */
	KUNIT_EXPECT_EQ(test, IP4(0x99, 4, 0, 0, 0x9a, 2, 0x20, 2), 0U);
	/* the walk goes on after them */
	KUNIT_EXPECT_EQ(test, IP4(0x9a, 4, 0, 0, 0x94, 4, 0, 0), BIT(20));
	/* 150 (NSAPA, in the IE's figure) counts, 153 does not */
	KUNIT_EXPECT_EQ(test, IP4(0x96, 2, 0x99, 2), BIT(22));
}

static void ip4_malformed_test(struct kunit *test)
{
	/* length 0 and 1: the walk stops, that option uncounted */
	KUNIT_EXPECT_EQ(test, IP4(0x94, 4, 0, 0, 0x07, 0, 0x44, 4, 0, 0),
			BIT(20));
	KUNIT_EXPECT_EQ(test, IP4(0x01, 0x07, 1, 0x44, 4, 0, 0), BIT(1));
	/* length past the end of the header */
	KUNIT_EXPECT_EQ(test, IP4(0x94, 4, 0, 0, 0x07, 9, 4, 0, 0, 0, 0),
			BIT(20));
	/* a type in the last byte: no length to read */
	KUNIT_EXPECT_EQ(test, IP4(0x01, 0x01, 0x01, 0x94), BIT(1));
	/* EOOL in the middle ends the list: what follows is not read */
	KUNIT_EXPECT_EQ(test, IP4(0x07, 3, 4, 0x00, 0x94, 4, 0, 0),
			BIT(7) | BIT(0));
	/* a length that exactly fills the header is fine */
	KUNIT_EXPECT_EQ(test, IP4(0x94, 4, 0, 0), BIT(20));
}

/* Truncation by the caller: the same bytes, fewer of them. */
static void ip4_truncated_test(struct kunit *test)
{
	static const u8 rr_ts[] = { 0x07, 7, 4, 0, 0, 0, 0, 0x44, 4, 5, 0 };

	KUNIT_EXPECT_EQ(test, nfl_ip4_opts(rr_ts, sizeof(rr_ts)),
			BIT(7) | BIT(4));
	KUNIT_EXPECT_EQ(test, nfl_ip4_opts(rr_ts, 10), BIT(7));
	KUNIT_EXPECT_EQ(test, nfl_ip4_opts(rr_ts, 7), BIT(7));
	KUNIT_EXPECT_EQ(test, nfl_ip4_opts(rr_ts, 6), 0U);
	KUNIT_EXPECT_EQ(test, nfl_ip4_opts(rr_ts, 1), 0U);
}

/* tcpOptions as kept (NFL_TCPOPT_FASTOPEN for 34) and as exported */
static void tcp_good_test(struct kunit *test)
{
	/* Linux SYN: MSS, SACK permitted, timestamps, NOP, window scale */
	u32 syn = TCP(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
		      1, 3, 3, 7);
	/* Linux data: NOP NOP timestamps */
	u32 data = TCP(1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2);

	KUNIT_EXPECT_EQ(test, syn, BIT(2) | BIT(4) | BIT(8) | BIT(1) | BIT(3));
	KUNIT_EXPECT_EQ(test, data, BIT(1) | BIT(8));
	KUNIT_EXPECT_EQ(test, nfl_tcp_opts_ie(syn | data), 0x11eULL);
	/* MPTCP 30, SACK 5, MD5 19, AO 29 */
	KUNIT_EXPECT_EQ(test, TCP(30, 4, 0, 0, 5, 2, 19, 2, 29, 2),
			BIT(30) | BIT(5) | BIT(19) | BIT(29));
}

/* kind 34 is bit 34 of the IE; reserved 31-33, 35-63 and >= 64 vanish */
static void tcp_fastopen_and_high_test(struct kunit *test)
{
	u32 tfo = TCP(34, 2, 1, 1);

	KUNIT_EXPECT_EQ(test, tfo, NFL_TCPOPT_FASTOPEN | BIT(1));
	KUNIT_EXPECT_EQ(test, nfl_tcp_opts_ie(tfo), BIT_ULL(34) | BIT_ULL(1));
	KUNIT_EXPECT_EQ(test, nfl_tcp_opts_ie(NFL_TCPOPT_FASTOPEN),
			0x0000000400000000ULL);
	KUNIT_EXPECT_EQ(test, TCP(40, 2), 0U);
	KUNIT_EXPECT_EQ(test, TCP(31, 2, 32, 2, 33, 2, 35, 2, 63, 2), 0U);
	KUNIT_EXPECT_EQ(test, TCP(64, 4, 0, 0, 253, 2, 254, 2, 3, 3, 0),
			BIT(3));
	/* the walk still steps over them */
	KUNIT_EXPECT_EQ(test, TCP(40, 6, 2, 4, 0, 0, 34, 2), NFL_TCPOPT_FASTOPEN);
}

static void tcp_malformed_test(struct kunit *test)
{
	/* length 0, length 1, past the end */
	KUNIT_EXPECT_EQ(test, TCP(1, 2, 0, 8, 10), BIT(1));
	KUNIT_EXPECT_EQ(test, TCP(4, 2, 8, 1, 1, 1), BIT(4));
	KUNIT_EXPECT_EQ(test, TCP(1, 1, 8, 10, 0, 0, 0, 1), BIT(1));
	/* EOOL in the middle: nothing after it counts */
	KUNIT_EXPECT_EQ(test, TCP(2, 4, 5, 0xb4, 0, 4, 2, 34, 2),
			BIT(2) | BIT(0));
	/* a kind in the last byte, no length */
	KUNIT_EXPECT_EQ(test, TCP(1, 1, 1, 2), BIT(1));
	/* truncated: a timestamps option cut by the caller */
	KUNIT_EXPECT_EQ(test, nfl_tcp_opts((const u8[]){ 1, 1, 8, 10, 0, 0 }, 6),
			BIT(1));
}

static struct kunit_case hdropts_cases[] = {
	KUNIT_CASE(ip4_good_test),
	KUNIT_CASE(ip4_unassigned_test),
	KUNIT_CASE(ip4_malformed_test),
	KUNIT_CASE(ip4_truncated_test),
	KUNIT_CASE(tcp_good_test),
	KUNIT_CASE(tcp_fastopen_and_high_test),
	KUNIT_CASE(tcp_malformed_test),
	{}
};

static struct kunit_suite hdropts_suite = {
	.name = "ipt_netflow_hdropts",
	.test_cases = hdropts_cases,
};
kunit_test_suite(hdropts_suite);
