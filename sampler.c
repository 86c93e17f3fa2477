// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sampling: the sampler= setting and the decisions it makes.
 *
 * Flow sampling (RFC 7014) decides when a flow is created.  A flow not
 * taken by deterministic:N or random:N is still metered, flagged, so its
 * later packets find it and it stays untaken as a whole: each exported
 * flow is complete, and the exporter drops the others.  hash:N needs no
 * memory for a flow it does not take, as the key alone decides: the
 * cache asks before it looks the packet's flow up, and does not meter it.  The hash is over the 5-tuple only, with
 * a fixed seed, so every probe with the same N takes the same flows.
 *
 * Packet sampling (RFC 5475 random n-out-of-N, n = 1) takes one packet at
 * a random place in each window of N a CPU sees, decided before anything
 * is read from the packet.  A packet not taken costs one decrement of a
 * per-CPU countdown; the packets skipped are counted when the next one is
 * taken, from where the countdown began, so skipping counts nothing.
 */
#include <linux/bottom_half.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "flow.h"
#include "murmur3.h"
#include "sampler.h"

static const char *const nfl_samp_names[NFL_SAMP_MODES] = {
	[NFL_SAMP_OFF] = "",
	[NFL_SAMP_DETERMINISTIC] = "deterministic",
	[NFL_SAMP_RANDOM] = "random",
	[NFL_SAMP_HASH] = "hash",
	[NFL_SAMP_PACKET] = "packet",
};

const char *nfl_samp_mode_name(enum nfl_samp_mode mode)
{
	return mode < NFL_SAMP_MODES ? nfl_samp_names[mode] : "";
}

int nfl_sampler_parse(const char *s, struct nfl_sampler *out,
		      const char **why)
{
	const char *colon = strchr(s, ':');
	unsigned int m, len;
	u32 n = 0;

	out->mode = NFL_SAMP_OFF;
	out->interval = 0;
	if (!*s)
		return 0;
	*why = "not mode:N (deterministic, random, hash or packet)";
	if (!colon)
		return -EINVAL;
	len = colon - s;
	for (m = NFL_SAMP_DETERMINISTIC; m < NFL_SAMP_MODES; m++)
		if (strlen(nfl_samp_names[m]) == len &&
		    !strncmp(nfl_samp_names[m], s, len))
			break;
	if (m == NFL_SAMP_MODES)
		return -EINVAL;
	*why = "N is not a number from 2 to 16383";
	for (s = colon + 1; *s; s++) {
		if (*s < '0' || *s > '9' || n > NFL_SAMP_MAX)
			return -EINVAL;
		n = n * 10 + (*s - '0');
	}
	if (colon[1] == '\0' || n < NFL_SAMP_MIN || n > NFL_SAMP_MAX)
		return -EINVAL;
	out->mode = m;
	out->interval = n;
	return 0;
}

#ifndef NFL_SAMPLER_PURE

DEFINE_PER_CPU(struct nfl_samp_cpu, nfl_samp_cpu);
u32 nfl_samp_packets __read_mostly;
DEFINE_STATIC_KEY_FALSE(nfl_samp_packet_on);
DEFINE_STATIC_KEY_FALSE(nfl_samp_hash_on);
u32 nfl_samp_flows __read_mostly;
/* The flow sampler's N (nfl_samp_flows' mode); written before it. */
static u32 nfl_samp_flow_n __read_mostly;
static struct nfl_sampler nfl_sampler_now;

/* A place in a window of @n, at random. */
static u32 nfl_samp_place(u32 n)
{
	return get_random_u32_below(n);
}

/*
 * packet:N, the countdown is out: take this packet, and count down to a
 * random place in the next window.  Out of line: once in N packets.
 */
bool nfl_samp_packet_take(void)
{
	bool process = !softirq_count();
	struct nfl_samp_cpu *s;
	u32 n = READ_ONCE(nfl_samp_packets), next;

	/* process context (a local sender): stay on this CPU, alone */
	if (unlikely(process))
		local_bh_disable();
	s = this_cpu_ptr(&nfl_samp_cpu);
	if (n) {
		s->pkts_skipped += s->last - 1;
		s->pkts_taken++;
		next = nfl_samp_place(n);
		s->last = n - s->pick + next;
		s->pick = next;
		s->until = s->last;
	}
	if (unlikely(process))
		local_bh_enable();
	return true;
}

/* hash:N's hash, of the 5-tuple only (not interfaces or direction) */
static u32 nfl_samp_hash(const struct nfl_key *key)
{
	u32 w[2 + 8];
	unsigned int n;

	w[0] = key->ports;
	w[1] = key->proto;
	if (key->family == AF_INET) {
		w[2] = (__force u32)key->v4.saddr;
		w[3] = (__force u32)key->v4.daddr;
		n = 4;
	} else {
		memcpy(&w[2], &key->v6.saddr, 16);
		memcpy(&w[6], &key->v6.daddr, 16);
		n = 10;
	}
	return murmur3_words(w, n, 0);
}

bool nfl_samp_hash_take(const struct nfl_key *key, u32 segs)
{
	if (!reciprocal_scale(nfl_samp_hash(key), READ_ONCE(nfl_samp_flow_n)))
		return true;
	this_cpu_ptr(&nfl_samp_cpu)->pkts_skipped += segs;
	return false;
}

enum nfl_samp_verdict nfl_samp_flow(const struct nfl_key *key, u32 segs)
{
	struct nfl_samp_cpu *s = this_cpu_ptr(&nfl_samp_cpu);
	u32 mode = READ_ONCE(nfl_samp_flows);
	u32 n = READ_ONCE(nfl_samp_flow_n);
	bool take;

	switch (mode) {
	case NFL_SAMP_DETERMINISTIC:
		if (++s->count == n)
			s->count = 0;
		take = !s->count;
		break;
	case NFL_SAMP_RANDOM:
		/* one of each window of n new flows, at place s->pick */
		take = s->count == s->pick;
		if (++s->count == n) {
			s->count = 0;
			s->pick = nfl_samp_place(n);
		}
		break;
	case NFL_SAMP_HASH:
		/* nfl_samp_hash_take() let only the flows taken come here */
		s->flows_taken++;
		return NFL_SAMP_TAKE;
	default:
		return NFL_SAMP_TAKE;
	}
	if (take)
		s->flows_taken++;
	else
		s->flows_skipped++;
	return take ? NFL_SAMP_TAKE : NFL_SAMP_SKIP;
}

/*
 * Every CPU's state afresh.  No packet reads it meanwhile: the packet
 * path's users of the sampler are off and synchronize_net() has waited
 * for those that were in it.
 */
static void nfl_samp_reset(u32 n)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nfl_samp_cpu *s = per_cpu_ptr(&nfl_samp_cpu, cpu);

		/* the counts are this sampler's, since it was set */
		memset(s, 0, sizeof(*s));
		s->pick = n ? nfl_samp_place(n) : 0;
		/* the first window: its place, counted from 1 */
		s->last = s->pick + 1;
		s->until = s->last;
	}
}

void nfl_sampler_set(const struct nfl_sampler *smp)
{
	bool packet = smp->mode == NFL_SAMP_PACKET;

	static_branch_disable(&nfl_samp_packet_on);
	static_branch_disable(&nfl_samp_hash_on);
	WRITE_ONCE(nfl_samp_packets, 0);
	WRITE_ONCE(nfl_samp_flows, NFL_SAMP_OFF);
	/* packets meter in RCU read-side sections (netfilter hooks) */
	synchronize_net();
	nfl_samp_reset(smp->interval);
	nfl_sampler_now = *smp;
	WRITE_ONCE(nfl_samp_flow_n, packet ? 0 : smp->interval);
	/* the state and N are there before a packet can see the mode */
	smp_wmb();
	if (packet) {
		WRITE_ONCE(nfl_samp_packets, smp->interval);
		static_branch_enable(&nfl_samp_packet_on);
	} else {
		WRITE_ONCE(nfl_samp_flows, smp->mode);
		if (smp->mode == NFL_SAMP_HASH)
			static_branch_enable(&nfl_samp_hash_on);
	}
}

void nfl_sampler_get(struct nfl_sampler *smp)
{
	*smp = nfl_sampler_now;
}

/* Read without the CPUs' exclusion: statistics, a count may lag one. */
void nfl_samp_stats(struct nfl_samp_stats *st)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct nfl_samp_cpu *s = per_cpu_ptr(&nfl_samp_cpu, cpu);
		s32 until = READ_ONCE(s->until);
		u32 last = READ_ONCE(s->last);

		st->pkts_taken += READ_ONCE(s->pkts_taken);
		st->pkts_skipped += READ_ONCE(s->pkts_skipped);
		/* packet: skipped since the last one taken, not yet counted */
		if (READ_ONCE(nfl_samp_packets) && until > 0 && last > until)
			st->pkts_skipped += last - until;
		st->flows_taken += READ_ONCE(s->flows_taken);
		st->flows_skipped += READ_ONCE(s->flows_skipped);
	}
}

#endif /* NFL_SAMPLER_PURE */
