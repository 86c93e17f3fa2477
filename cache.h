/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow cache's packet path, inlined into the targets (packet.c) so a
 * packet that hits its flow makes no call: the key stays in registers and
 * no frame is set up twice.  What is rare (a new flow, a split, a drop)
 * is nf_cache_miss() in cache.c, which owns the tables.
 */
#ifndef _IPT_NETFLOW_CACHE_H
#define _IPT_NETFLOW_CACHE_H

#include <linux/percpu.h>
#include <linux/jiffies.h>
#include <linux/bottom_half.h>
#include <linux/preempt.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "ipt_NETFLOW.h"
#include "flow.h"

struct nf_cpu {
	struct nf_htable tab;
	unsigned int nflows;
	unsigned int nflows6;
	unsigned int nflows4o;		/* IPv4 with NF_FLOW_IP4_OPTS */
	unsigned int allowance;		/* set each tick, see cache.c */
	unsigned int scan_pos;
	/* flows that left the table, until a scan hands them to export */
	struct nf_flow_list done;
	/*
	 * stats.searched holds only the entries passed over; the matches
	 * are stats.found (and splits, counted by nf_cache_miss()), added
	 * when the stats are read: a hit at a chain's head then costs
	 * no count of its own.
	 */
	struct nf_cpu_stats stats;
	u64 gone_pkts, gone_bytes;	/* traffic of flows that left */
	struct u64_stats_sync syncp;
	struct work_struct scan_work;
	int cpu;
};

extern struct nf_cpu __percpu *nf_cpus;
extern u64 nf_split_bytes;
extern u32 nf_split_packets;

void nf_cache_miss(struct nf_cpu *c, const struct nf_key *key,
		   const struct nf_pkt *pkt, struct nf_flow **bucket,
		   struct nf_flow **pp, u32 ip4_opts);
void nf_cache_ip4_opts(struct nf_cpu *c, struct nf_flow **pp,
		       struct nf_flow *f, u32 ip4_opts);
void nf_cache_account_ip4o(const struct nf_key *key, const struct nf_pkt *pkt,
			   u32 ip4_opts);

/*
 * Count @pkt in @key's flow.  Inlined into each target, which passes
 * @family (@key's) as a constant: the hash and the key compare run over a
 * fixed number of words, unrolled.  @ip4_opts: the packet's ipv4Options
 * bits; the targets pass 0, a constant, so what keeps them is compiled
 * out of the packet path: an IPv4 packet with options goes through
 * nf_cache_account_ip4o() in cache.c instead.
 */
static __always_inline void nf_cache_account(const struct nf_key *key,
					      const struct nf_pkt *pkt,
					      u8 family, u32 ip4_opts)
{
	/*
	 * Received and forwarded packets come in softirq: BH is off already.
	 * Locally sent packets may reach us in process context with only RCU
	 * held (iptables-nft); disabling BH pins the CPU and excludes its
	 * softirq packets.
	 */
	bool process = !softirq_count();
	struct nf_flow **bucket, **pp, *f;
	struct nf_cpu *c;

	if (unlikely(process))
		local_bh_disable();
	c = this_cpu_ptr(nf_cpus);
	bucket = nf_htable_bucket_fam(&c->tab, key, family);
	/* the lookup counts into the stats: one section for both */
	u64_stats_update_begin(&c->syncp);
	pp = nf_flow_find_fam(bucket, key, family, &c->stats.searched);
	f = *pp;
	if (likely(f) &&
	    likely(!nf_flow_must_split(f, pkt, READ_ONCE(nf_split_bytes),
				       READ_ONCE(nf_split_packets)))) {
		nf_flow_count_fam(f, pkt, (u32)jiffies, family);
		c->stats.found++;
		c->stats.frag += pkt->frag;
		c->stats.pkts += pkt->segs;
		c->stats.bytes += pkt->len;
		u64_stats_update_end(&c->syncp);
		if (ip4_opts)
			nf_cache_ip4_opts(c, pp, f, ip4_opts);
	} else {
		u64_stats_update_end(&c->syncp);
		nf_cache_miss(c, key, pkt, bucket, pp, ip4_opts);
	}
	if (unlikely(process))
		local_bh_enable();
}

#endif /* _IPT_NETFLOW_CACHE_H */
