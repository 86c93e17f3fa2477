/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-CPU flow cache (cache.c): its API, its per-CPU statistics, and
 * its packet path, inlined into the targets (packet.c) so a packet that
 * hits its flow makes no call: the key stays in registers and no frame
 * is set up twice.  What is rare (a new flow, a split, a drop) is
 * nfl_cache_miss() in cache.c, which owns the tables.
 */
#ifndef _IPT_NETFLOW_CACHE_H
#define _IPT_NETFLOW_CACHE_H

#include <linux/percpu.h>
#include <linux/jiffies.h>
#include <linux/bottom_half.h>
#include <linux/preempt.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "flow.h"
#include "sampler.h"

/*
 * Per-CPU statistics.  Declared once here and expanded wherever they are
 * defined, summed or printed, so /proc and the SNMP file never disagree.
 */
#define NFL_CPU_STATS(X)							\
	X(searched,	"searched")	/* chain entries examined */	\
	X(found,	"found")	/* lookups that hit a flow */	\
	X(created,	"new")		/* flows created */		\
	X(trunc,	"trunc")	/* headers too short to read */	\
	X(frag,		"frag")		/* fragments seen */		\
	X(alloc_fail,	"alloc")	/* flow allocation failed */	\
	X(maxflows,	"maxflows")	/* new flows refused */		\
	X(pkts,		"pkts")		/* packets accounted */		\
	X(bytes,	"bytes")	/* bytes accounted */		\
	X(drop_pkts,	"drop_pkts")	/* packets not accounted */	\
	X(drop_bytes,	"drop_bytes")	/* bytes not accounted */	\
	X(expired,	"expired")	/* flows handed to export */	\
	X(scans,	"scans")	/* ageing scan slices run */

#define NFL_STAT_FIELD(name, str) u64 name;
struct nfl_cpu_stats {
	NFL_CPU_STATS(NFL_STAT_FIELD)
};
#undef NFL_STAT_FIELD

/*
 * The average chain that hashsize and maxflows may give, at most: a scan
 * chunk with bottom halves off ends at the end of a chain, and one CPU's
 * table may hold nearly all of maxflows.
 */
#define NFL_CHAIN_MAX		64

static inline bool nfl_chains_short(unsigned int hashsize,
				    unsigned int maxflows)
{
	/* hashsize 0: cache.c picks one that keeps them so */
	return !maxflows || !hashsize || maxflows / hashsize <= NFL_CHAIN_MAX;
}

/*
 * Life cycle, in the module's init order: init (tables and slabs, sized
 * @hashsize buckets per CPU, 0: from RAM), start (the ageing tick, once
 * the exporter is there), then stop (no more ageing; every flow still
 * held goes to the exporter) and uninit (after the exporter freed every
 * flow it was given).
 */
int nfl_cache_init(unsigned int hashsize);
void nfl_cache_start(void);
void nfl_cache_stop(void);
void nfl_cache_uninit(void);

void nfl_cache_drop_trunc(u32 len);
void nfl_cache_free(struct nfl_flow *f);	/* the exporter, once sent */
/* Hand every flow to the exporter now (nfl_export_sync() waits for it). */
void nfl_cache_flush(void);
int nfl_cache_resize(unsigned int hashsize);
/*
 * Meter the optional fields @fields (NFL_FIELD_*) from now on; every flow
 * metered before is handed to the exporter first.  0 or -ENOMEM.
 */
int nfl_cache_set_fields(unsigned int fields);
/* Counters may not exceed these: a flow about to is exported first. */
void nfl_cache_set_split(u64 max_bytes, u32 max_packets);

/* Statistics, for proc.c and the exporter's options records. */
void nfl_cache_stats(struct nfl_cpu_stats *sum);	/* summed over CPUs */
void nfl_cache_cpu_stats(int cpu, struct nfl_cpu_stats *st);
unsigned int nfl_cache_flows(void);
unsigned int nfl_cache_flows_peak(void);
unsigned long nfl_cache_peak_time(void);	/* jiffies at the peak */
unsigned int nfl_cache_hashsize(void);
size_t nfl_cache_memory(void);		/* bytes held by flows and buckets */
size_t nfl_cache_flow_size(void);	/* slab bytes of one IPv4 flow */
u64 nfl_cache_bh_max_ns(void);		/* longest BH-off work, since load */
/* Period of the ageing tick ("worker delay" in /proc), jiffies. */
unsigned long nfl_cache_scan_interval(void);
/* Traffic of the flows still in memory ("InHash", hashPackets/Bytes). */
void nfl_cache_held(u64 *pkts, u64 *bytes);
/* Walk flows of every CPU for /proc; cb runs with BH disabled. */
void nfl_cache_walk(void (*cb)(const struct nfl_flow *f, void *arg), void *arg);

/* ---- the packet path (packet.c), inlined ---- */

struct nfl_cpu {
	struct nfl_htable tab;
	unsigned int nflows;
	unsigned int nflows6;
	unsigned int nflows4o;		/* IPv4 with NFL_FLOW_IP4_OPTS */
	unsigned int scan_pos;
	/* flows this CPU created, and up to where it may: see cache.c */
	unsigned long made;
	unsigned long allowance;
	u64 bh_max_ns;			/* longest BH-off stretch of work */
	/* flows that left the table, until a scan hands them to export */
	struct nfl_flow_list done;
	/*
	 * stats.searched holds only the entries passed over; the matches
	 * are stats.found (and splits, counted by nfl_cache_miss()), added
	 * when the stats are read: a hit at a chain's head then costs
	 * no count of its own.
	 */
	struct nfl_cpu_stats stats;
	u64 gone_pkts, gone_bytes;	/* traffic of flows that left */
	struct u64_stats_sync syncp;
	struct work_struct scan_work;
	int cpu;
};

extern struct nfl_cpu __percpu *nfl_cpus;
extern u64 nfl_split_bytes;
extern u32 nfl_split_packets;
/* fields= as the packet path reads it: 0, the usual, takes no detour */
extern unsigned int nfl_fields;

void nfl_cache_miss(struct nfl_cpu *c, const struct nfl_key *key,
		   const struct nfl_pkt *pkt, struct nfl_flow **bucket,
		   struct nfl_flow **pp, u32 ip4_opts);
void nfl_cache_ip4_opts(struct nfl_cpu *c, struct nfl_flow **pp,
		       struct nfl_flow *f, u32 ip4_opts);
void nfl_cache_account_ip4o(const struct nfl_key *key, const struct nfl_pkt *pkt,
			   u32 ip4_opts);
/* A packet with the fields @x (nfl_fields not 0), out of line. */
void nfl_cache_account_ext(const struct nfl_key *key, const struct nfl_pkt *pkt,
			  u32 ip4_opts, const struct nfl_xpkt *x);

/*
 * Count @pkt in @key's flow.  Inlined into each target, which passes
 * @family (@key's) as a constant: the hash and the key compare run over a
 * fixed number of words, unrolled.  @ip4_opts: the packet's ipv4Options
 * bits; the targets pass 0, a constant, so what keeps them is compiled
 * out of the packet path: an IPv4 packet with options goes through
 * nfl_cache_account_ip4o() in cache.c instead.
 */
static __always_inline void nfl_cache_account(const struct nfl_key *key,
					      const struct nfl_pkt *pkt,
					      u8 family, u32 ip4_opts)
{
	/*
	 * Received and forwarded packets come in softirq: BH is off already.
	 * Locally sent packets may reach us in process context with only RCU
	 * held (iptables-nft); disabling BH pins the CPU and excludes its
	 * softirq packets.
	 */
	bool process = !softirq_count();
	struct nfl_flow **bucket, **pp, *f;
	struct nfl_cpu *c;

	if (unlikely(process))
		local_bh_disable();
	/* hash:N, before the lookup: a flow not taken costs no more */
	if (static_branch_unlikely(&nfl_samp_hash_on) &&
	    !nfl_samp_hash_take(key, pkt->segs))
		goto out;
	c = this_cpu_ptr(nfl_cpus);
	bucket = nfl_htable_bucket_fam(&c->tab, key, family);
	/* the lookup counts into the stats: one section for both */
	u64_stats_update_begin(&c->syncp);
	pp = nfl_flow_find_fam(bucket, key, family, &c->stats.searched);
	f = *pp;
	if (likely(f) &&
	    likely(!nfl_flow_must_split(f, pkt, READ_ONCE(nfl_split_bytes),
				       READ_ONCE(nfl_split_packets)))) {
		nfl_flow_count_fam(f, pkt, (u32)jiffies, family);
		c->stats.found++;
		c->stats.frag += pkt->frag;
		c->stats.pkts += pkt->segs;
		c->stats.bytes += pkt->len;
		u64_stats_update_end(&c->syncp);
		if (ip4_opts)
			nfl_cache_ip4_opts(c, pp, f, ip4_opts);
	} else {
		u64_stats_update_end(&c->syncp);
		nfl_cache_miss(c, key, pkt, bucket, pp, ip4_opts);
	}
out:
	if (unlikely(process))
		local_bh_enable();
}

#endif /* _IPT_NETFLOW_CACHE_H */
