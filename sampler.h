/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sampling (sampler.c), the sampler= setting: flow sampling (RFC 7014)
 * deterministic:N, random:N and hash:N, decided when a flow is created;
 * packet sampling packet:N (RFC 5475, random 1-out-of-N), decided before
 * a packet is parsed.  The parser is pure (KUnit); the decisions keep
 * per-CPU state, written only by their own CPU.
 */
#ifndef _IPT_NETFLOW_SAMPLER_H
#define _IPT_NETFLOW_SAMPLER_H

#include <linux/compiler.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/types.h>

struct nfl_key;

enum nfl_samp_mode {
	NFL_SAMP_OFF,
	NFL_SAMP_DETERMINISTIC,	/* each N-th new flow */
	NFL_SAMP_RANDOM,	/* one of each N new flows, at random */
	NFL_SAMP_HASH,		/* flows whose key hashes to 0 mod N */
	NFL_SAMP_PACKET,	/* one of each N packets, at random */
	NFL_SAMP_MODES,
};

/* N: v5's header has 14 bits for it */
#define NFL_SAMP_MIN		2
#define NFL_SAMP_MAX		16383
#define NFL_SAMP_RANGE		"\"\" (off), or deterministic:N, random:N, " \
				"hash:N or packet:N with N 2..16383"
/* The one sampler's id in records (v9 FLOW_SAMPLER_ID, IPFIX selectorId) */
#define NFL_SAMPLER_ID		1

struct nfl_sampler {
	enum nfl_samp_mode mode;
	u32 interval;			/* N; 0 when off */
};

/*
 * v5's header: the mode in the top 2 bits (1 deterministic, 2 random; a
 * hash is as good as random to a collector that scales), N below.
 */
static inline u16 nfl_samp_v5(const struct nfl_sampler *s)
{
	if (s->mode == NFL_SAMP_OFF)
		return 0;
	return (s->mode == NFL_SAMP_DETERMINISTIC ? 1 : 2) << 14 | s->interval;
}

/* The name of @mode as sampler= takes it ("" for off). */
const char *nfl_samp_mode_name(enum nfl_samp_mode mode);
/*
 * Parse @s ("" is off) into *@out; -EINVAL, and *@why says what is wrong,
 * for anything but a mode, a colon and N in range.
 */
int nfl_sampler_parse(const char *s, struct nfl_sampler *out,
		      const char **why);

/* ---- in the module (sampler.c's second half) ---- */

/* Per CPU: the state of its decisions and what they decided. */
struct nfl_samp_cpu {
	/*
	 * packet: packets to the next one taken.  Signed: a local sender
	 * moved to another CPU between its decrement and its take leaves
	 * 0 here, which the next packet takes below, and starts afresh.
	 */
	s32 until;
	u32 pick;		/* its place in its window of N */
	u32 last;		/* the countdown it began with */
	u32 count;		/* flows: new flows in this window */
	u64 pkts_taken, pkts_skipped;	/* packet, hash */
	u64 flows_taken, flows_skipped;	/* deterministic, random, hash */
};

DECLARE_PER_CPU(struct nfl_samp_cpu, nfl_samp_cpu);
/* packet:N's N; 0: no packet sampling */
extern u32 nfl_samp_packets;
/*
 * On while packet:N is: a static branch, so the entry points of a module
 * without packet sampling run a no-op where they would test for it.
 */
DECLARE_STATIC_KEY_FALSE(nfl_samp_packet_on);
/* On while hash:N is: the cache asks before it looks a packet's flow up */
DECLARE_STATIC_KEY_FALSE(nfl_samp_hash_on);

/*
 * hash:N: is @key's flow one taken?  A packet of a flow not taken is
 * counted as skipped (@segs packets) and goes no further: no lookup, no
 * memory.  BH off.
 */
bool nfl_samp_hash_take(const struct nfl_key *key, u32 segs);
/* a flow sampler's mode, NFL_SAMP_OFF if none (cache.c reads it) */
extern u32 nfl_samp_flows;

bool nfl_samp_packet_take(void);

/*
 * packet:N is on (nfl_samp_packet_on): take this packet?  One per-CPU
 * decrement for a packet not taken, before it is parsed or hashed.
 */
static __always_inline bool nfl_samp_take(void)
{
	if (this_cpu_dec_return(nfl_samp_cpu.until) > 0)
		return false;
	return nfl_samp_packet_take();
}

/* What a flow sampler says of a new flow. */
enum nfl_samp_verdict {
	NFL_SAMP_TAKE,		/* meter and export it */
	NFL_SAMP_SKIP,		/* meter it, not to export (its key stays) */
};

/* A flow sampler is on: decide for a new flow of @key.  BH off. */
enum nfl_samp_verdict nfl_samp_flow(const struct nfl_key *key, u32 segs);

/*
 * Set the sampler: once this returns, no packet meters under the old
 * one, and every CPU's state starts afresh.
 */
void nfl_sampler_set(const struct nfl_sampler *s);
void nfl_sampler_get(struct nfl_sampler *s);

struct nfl_samp_stats {
	u64 pkts_taken, pkts_skipped;
	u64 flows_taken, flows_skipped;
};

void nfl_samp_stats(struct nfl_samp_stats *st);

#endif /* _IPT_NETFLOW_SAMPLER_H */
