// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow cache: one hash table per CPU.
 *
 * A CPU only ever touches its own table, with bottom halves disabled, so
 * the packet path takes no lock, does no atomic operation and writes no
 * cache line that another CPU writes.  The same holds for the ageing scan:
 * it runs as work bound to the table's CPU, in short BH-disabled chunks.
 *
 * A flow whose packets arrive on two CPUs (no RSS, or RSS that moved it)
 * becomes one entry per CPU and is exported as separate records with the
 * same key; collectors add them up.  No packet is lost or counted twice.
 *
 * maxflows is kept without a shared counter: once per tick every CPU gets
 * an allowance of its current flows plus an equal share of what is left
 * under the limit, so the sum can never exceed maxflows.  Near the limit a
 * busy CPU may refuse a flow that another CPU's unused share could have
 * taken until the next tick rebalances the shares.
 *
 * Where tables live and when they are walked is decided here; what a
 * flow is, how it is found and when it leaves is flow.h's.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/cpu.h>
#include <linux/random.h>
#include <linux/jiffies.h>
#include <linux/u64_stats_sync.h>
#include <net/tcp.h>

#include "cache.h"
#include "export.h"
#include "flow.h"
#include "settings.h"

/* Ageing: a full pass over every table each second, in SLICES ticks. */
#define NF_TICK		(HZ / 4)
#define NF_SLICES	4
#define NF_CHUNK	256		/* buckets per BH-disabled stretch */
/* A TCP flow that saw FIN or RST leaves this long after its last packet. */
#define NF_TCP_END_GRACE	(2 * HZ)

struct nf_cpu __percpu *nf_cpus;
/* Buckets of each CPU's table; changed by nf_cache_resize() only. */
static unsigned int nf_hashsize;
/* IPv4 flows, IPv4 flows that saw IPv4 options, IPv6 flows */
static struct kmem_cache *nf_flow4_cache, *nf_flow4o_cache, *nf_flow6_cache;
u64 nf_split_bytes __read_mostly = U64_MAX;
u32 nf_split_packets __read_mostly = U32_MAX;
static struct delayed_work nf_tick_work;
static DEFINE_MUTEX(nf_resize_mutex);
/*
 * No packet reaches the table of an offline CPU, so whoever scans it
 * holds this instead, with cpus_read_lock() keeping the CPU offline.
 */
static DEFINE_MUTEX(nf_offline_mutex);
static unsigned int nf_peak;
static unsigned long nf_peak_jiffies;

#define NF_STAT_INC(c, field, n)		\
	do {					\
		u64_stats_update_begin(&(c)->syncp);	\
		(c)->stats.field += (n);	\
		u64_stats_update_end(&(c)->syncp);	\
	} while (0)

static struct kmem_cache *nf_flow_cache_of(const struct nf_flow *f)
{
	if (f->key.family != AF_INET)
		return nf_flow6_cache;
	return f->flags & NF_FLOW_IP4_OPTS ? nf_flow4o_cache : nf_flow4_cache;
}

void nf_cache_free(struct nf_flow *f)
{
	kmem_cache_free(nf_flow_cache_of(f), f);
}

/* Flows unlinked from the table wait in c->done for the exporter. */
static void nf_done_take(struct nf_cpu *c, struct nf_flow_list *l)
{
	if (!l->head)
		return;
	u64_stats_update_begin(&c->syncp);
	c->gone_pkts += l->packets;
	c->gone_bytes += l->bytes;
	u64_stats_update_end(&c->syncp);
	c->nflows -= l->flows;
	c->nflows6 -= l->flows6;
	c->nflows4o -= l->flows4o;
	nf_flow_list_splice(&c->done, l);
}

/* One flow, from the packet path: no list on the stack, no canary there. */
static void nf_done_push(struct nf_cpu *c, struct nf_flow *f, u8 reason)
{
	u64_stats_update_begin(&c->syncp);
	c->gone_pkts += f->packets;
	c->gone_bytes += f->bytes;
	u64_stats_update_end(&c->syncp);
	c->nflows--;
	if (f->key.family != AF_INET)
		c->nflows6--;
	if (f->flags & NF_FLOW_IP4_OPTS)
		c->nflows4o--;
	nf_flow_list_add(&c->done, f, reason);
}

/*
 * A new flow for @key.  With @ip4_opts it keeps them: if that larger
 * object cannot be had, the flow counts without them (alloc_fail says so).
 */
static struct nf_flow *nf_flow_new(struct nf_cpu *c, const struct nf_key *key,
				   const struct nf_pkt *pkt,
				   struct nf_flow **bucket, u32 ip4_opts)
{
	bool v4 = key->family == AF_INET;
	struct nf_flow *f = NULL;

	if (unlikely(c->nflows >= READ_ONCE(c->allowance))) {
		NF_STAT_INC(c, maxflows, 1);
		return NULL;
	}
	if (unlikely(ip4_opts)) {
		f = kmem_cache_alloc(nf_flow4o_cache, GFP_ATOMIC);
		if (!f)
			NF_STAT_INC(c, alloc_fail, 1);
	}
	if (likely(!f)) {
		ip4_opts = 0;
		f = kmem_cache_alloc(v4 ? nf_flow4_cache : nf_flow6_cache,
				     GFP_ATOMIC);
	}
	if (unlikely(!f)) {
		NF_STAT_INC(c, alloc_fail, 1);
		return NULL;
	}
	nf_flow_start(f, key, pkt, (u32)jiffies);
	if (!v4)
		c->nflows6++;
	if (ip4_opts) {
		nf_flow_set_ip4o(f);
		c->nflows4o++;
	}
	nf_flow_link(bucket, f);
	c->nflows++;
	NF_STAT_INC(c, created, 1);
	return f;
}

/*
 * The rest of a packet that did not simply hit its flow (the hit is
 * nf_cache_account(), cache.h): the flow at *@pp must split first, or
 * there is none yet.  BH off.
 */
void nf_cache_miss(struct nf_cpu *c, const struct nf_key *key,
		   const struct nf_pkt *pkt, struct nf_flow **bucket,
		   struct nf_flow **pp, u32 ip4_opts)
{
	struct nf_flow *f = *pp;

	u64_stats_update_begin(&c->syncp);
	c->stats.frag += pkt->frag;
	if (f)
		c->stats.searched++;	/* examined and matched, not found */
	u64_stats_update_end(&c->syncp);
	if (f) {
		*pp = f->next;
		nf_done_push(c, f, NF_END_RESOURCES);
	}
	f = nf_flow_new(c, key, pkt, bucket, ip4_opts);
	if (!f) {
		u64_stats_update_begin(&c->syncp);
		c->stats.drop_pkts += pkt->segs;
		c->stats.drop_bytes += pkt->len;
		u64_stats_update_end(&c->syncp);
		return;
	}

	nf_flow_count(f, key, pkt, (u32)jiffies);
	if (f->flags & NF_FLOW_IP4_OPTS)
		nf_flow4_tail(f)->ip4_opts |= ip4_opts;

	u64_stats_update_begin(&c->syncp);
	c->stats.pkts += pkt->segs;
	c->stats.bytes += pkt->len;
	u64_stats_update_end(&c->syncp);
}

/*
 * IPv4 flow @f (at *@pp in its chain) has just counted a packet with
 * options @ip4_opts.  The first time, it moves to a larger object that
 * keeps them: the copy takes its place in the chain, under the same
 * exclusion as every other change to this CPU's table (BH off, this
 * CPU).  If there is no memory for it, the flow goes on counting without
 * the options, and alloc_fail counts what was lost.
 */
void nf_cache_ip4_opts(struct nf_cpu *c, struct nf_flow **pp,
		       struct nf_flow *f, u32 ip4_opts)
{
	struct nf_flow *w;

	if (!(f->flags & NF_FLOW_IP4_OPTS)) {
		w = kmem_cache_alloc(nf_flow4o_cache, GFP_ATOMIC);
		if (unlikely(!w)) {
			NF_STAT_INC(c, alloc_fail, 1);
			return;
		}
		memcpy(w, f, NF_FLOW4_SIZE);
		nf_flow_set_ip4o(w);
		*pp = w;
		kmem_cache_free(nf_flow4_cache, f);
		c->nflows4o++;
		f = w;
	}
	nf_flow4_tail(f)->ip4_opts |= ip4_opts;
}

/*
 * The packet path of an IPv4 packet with options, out of line: a packet
 * without them pays only the target's test of the header length.
 */
void nf_cache_account_ip4o(const struct nf_key *key, const struct nf_pkt *pkt,
			   u32 ip4_opts)
{
	nf_cache_account(key, pkt, AF_INET, ip4_opts);
}

void nf_cache_drop_trunc(u32 len)
{
	struct nf_cpu *c;

	local_bh_disable();
	c = this_cpu_ptr(nf_cpus);
	u64_stats_update_begin(&c->syncp);
	c->stats.trunc++;
	c->stats.drop_pkts++;
	c->stats.drop_bytes += len;
	u64_stats_update_end(&c->syncp);
	local_bh_enable();
}

/* Move expired flows of buckets [from, to) to the done list.  BH off. */
static void nf_scan_buckets(struct nf_cpu *c, unsigned int from,
			    unsigned int to, bool force)
{
	const struct nf_ageing ag = {
		.active = READ_ONCE(nf_cfg.active_timeout) * HZ,
		.inactive = READ_ONCE(nf_cfg.inactive_timeout) * HZ,
		.end_grace = NF_TCP_END_GRACE,
	};
	struct nf_flow_list gone = {};

	nf_htable_expire(&c->tab, from, to, (u32)jiffies, force ? NULL : &ag,
			 &gone);
	nf_done_take(c, &gone);
}

/* Hand the done list to the exporter.  BH off. */
static void nf_done_export(struct nf_cpu *c)
{
	if (!c->done.head)
		return;
	NF_STAT_INC(c, expired, c->done.flows);
	nf_export_queue(c->done.head, c->done.tail, c->done.flows);
	c->done = (struct nf_flow_list){};
}

/*
 * Scan @count buckets from @from, in chunks so bottom halves never stay
 * off for long.  Must run on the table's CPU, or with that CPU offline.
 */
static void nf_scan_range(struct nf_cpu *c, unsigned int from,
			  unsigned int count, bool force)
{
	unsigned int done;

	for (done = 0; done < count; done += NF_CHUNK) {
		local_bh_disable();
		nf_scan_buckets(c, from + done,
				from + min(count, done + NF_CHUNK), force);
		nf_done_export(c);
		local_bh_enable();
		cond_resched();
	}
}

static void nf_scan_work(struct work_struct *work)
{
	struct nf_cpu *c = container_of(work, struct nf_cpu, scan_work);
	unsigned int hsize = READ_ONCE(c->tab.hsize);
	unsigned int slice = DIV_ROUND_UP(hsize, NF_SLICES);
	unsigned int from = c->scan_pos < hsize ? c->scan_pos : 0;

	nf_scan_range(c, from, slice, false);
	c->scan_pos = from + slice >= hsize ? 0 : from + slice;
	nf_export_kick();
}

static void nf_rebalance(void)
{
	unsigned int max = READ_ONCE(nf_cfg.maxflows);
	unsigned int total = 0, share, left;
	int cpu;

	for_each_possible_cpu(cpu)
		total += READ_ONCE(per_cpu_ptr(nf_cpus, cpu)->nflows);
	if (total > nf_peak) {
		nf_peak = total;
		nf_peak_jiffies = jiffies;
	}

	left = max > total ? max - total : 0;
	share = left / num_online_cpus();
	for_each_possible_cpu(cpu) {
		struct nf_cpu *c = per_cpu_ptr(nf_cpus, cpu);

		WRITE_ONCE(c->allowance, max ?
			   READ_ONCE(c->nflows) + share : UINT_MAX);
	}
}

/*
 * Begin work on @c's table from another CPU while @c's CPU is offline.
 * Its scan work may have been queued before the CPU left, and then runs
 * unbound: it must be done first.  Caller holds cpus_read_lock().
 */
static void nf_offline_begin(struct nf_cpu *c)
{
	mutex_lock(&nf_offline_mutex);
	cancel_work_sync(&c->scan_work);
}

static void nf_offline_end(void)
{
	mutex_unlock(&nf_offline_mutex);
}

/*
 * An offline CPU's flows still age: its slice is scanned from here, or
 * they would wait for the CPU to return, a flush or the unload.
 */
static void nf_scan_offline(struct nf_cpu *c)
{
	if (!READ_ONCE(c->nflows))
		return;
	nf_offline_begin(c);
	nf_scan_work(&c->scan_work);
	nf_offline_end();
}

static void nf_tick(struct work_struct *work)
{
	int cpu;

	nf_rebalance();
	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		struct nf_cpu *c = per_cpu_ptr(nf_cpus, cpu);

		if (cpu_online(cpu))
			queue_work_on(cpu, system_wq, &c->scan_work);
		else
			nf_scan_offline(c);
	}
	cpus_read_unlock();
	schedule_delayed_work(&nf_tick_work, NF_TICK);
}

struct nf_cpu_arg {
	struct nf_cpu *c;
	void *arg;
};

/* Run @fn for every CPU's table on that CPU, or here if it is offline. */
static void nf_for_each_cpu_table(long (*fn)(void *), void *arg)
{
	struct nf_cpu_arg a = { .arg = arg };
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		a.c = per_cpu_ptr(nf_cpus, cpu);
		if (cpu_online(cpu)) {
			work_on_cpu(cpu, fn, &a);
			continue;
		}
		nf_offline_begin(a.c);
		fn(&a);
		nf_offline_end();
	}
	cpus_read_unlock();
}

static long nf_flush_cpu(void *p)
{
	struct nf_cpu_arg *a = p;

	nf_scan_range(a->c, 0, READ_ONCE(a->c->tab.hsize), true);
	return 0;
}

void nf_cache_flush(void)
{
	nf_for_each_cpu_table(nf_flush_cpu, NULL);
	nf_rebalance();
	nf_export_kick();
}

static long nf_resize_cpu(void *p)
{
	struct nf_cpu_arg *a = p;
	struct nf_flow ***tables = a->arg, **old;
	struct nf_cpu *c = a->c;
	struct nf_htable new = {
		.buckets = tables[c->cpu],
		.hsize = nf_hashsize,
		.seed = c->tab.seed,
	};

	tables[c->cpu] = NULL;
	local_bh_disable();
	nf_htable_move(&new, &c->tab);
	old = c->tab.buckets;
	c->tab = new;
	c->scan_pos = 0;
	local_bh_enable();
	kvfree(old);
	return 0;
}

/* Caller holds nf_resize_mutex; nf_hashsize is the new size. */
static int nf_resize_all(unsigned int hsize)
{
	struct nf_flow ***tables;
	int cpu, err = 0;

	tables = kcalloc(nr_cpu_ids, sizeof(*tables), GFP_KERNEL);
	if (!tables)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		tables[cpu] = kvcalloc(hsize, sizeof(**tables), GFP_KERNEL);
		if (!tables[cpu])
			err = -ENOMEM;
	}
	if (!err) {
		nf_hashsize = hsize;
		nf_for_each_cpu_table(nf_resize_cpu, tables);
	}
	for_each_possible_cpu(cpu)
		kvfree(tables[cpu]);
	kfree(tables);
	return err;
}

int nf_cache_resize(unsigned int hashsize)
{
	int err;

	mutex_lock(&nf_resize_mutex);
	err = hashsize == nf_hashsize ? 0 : nf_resize_all(hashsize);
	mutex_unlock(&nf_resize_mutex);
	return err;
}

void nf_cache_set_split(u64 max_bytes, u32 max_packets)
{
	WRITE_ONCE(nf_split_bytes, max_bytes);
	WRITE_ONCE(nf_split_packets, max_packets);
}

void nf_cache_cpu_stats(int cpu, struct nf_cpu_stats *st)
{
	struct nf_cpu *c = per_cpu_ptr(nf_cpus, cpu);
	unsigned int seq;

	do {
		seq = u64_stats_fetch_begin(&c->syncp);
		*st = c->stats;
	} while (u64_stats_fetch_retry(&c->syncp, seq));
	st->searched += st->found;	/* see struct nf_cpu */
}

void nf_cache_stats(struct nf_cpu_stats *sum)
{
	struct nf_cpu_stats st;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		nf_cache_cpu_stats(cpu, &st);
#define NF_STAT_ADD(name, str) sum->name += st.name;
		NF_CPU_STATS(NF_STAT_ADD)
#undef NF_STAT_ADD
	}
}

/* Traffic of the flows still in memory: accounted minus handed on. */
void nf_cache_held(u64 *pkts, u64 *bytes)
{
	unsigned int seq;
	int cpu;

	*pkts = 0;
	*bytes = 0;
	for_each_possible_cpu(cpu) {
		struct nf_cpu *c = per_cpu_ptr(nf_cpus, cpu);
		u64 p, b;

		do {
			seq = u64_stats_fetch_begin(&c->syncp);
			p = c->stats.pkts - c->gone_pkts;
			b = c->stats.bytes - c->gone_bytes;
		} while (u64_stats_fetch_retry(&c->syncp, seq));
		*pkts += p;
		*bytes += b;
	}
}

unsigned long nf_cache_scan_interval(void)
{
	return NF_TICK;
}

unsigned int nf_cache_flows(void)
{
	unsigned int n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(nf_cpus, cpu)->nflows);
	return n;
}

unsigned int nf_cache_flows_peak(void)
{
	return max(nf_peak, nf_cache_flows());
}

unsigned long nf_cache_peak_time(void)
{
	return nf_peak_jiffies;
}

unsigned int nf_cache_hashsize(void)
{
	return nf_hashsize;
}

/* What a flow really takes in its slab: HWCACHE_ALIGN rounds v4 up. */
static size_t nf_slot_size(struct kmem_cache *cache, size_t align)
{
	return ALIGN(kmem_cache_size(cache), align);
}

size_t nf_cache_flow_size(void)
{
	return nf_slot_size(nf_flow4_cache, cache_line_size());
}

size_t nf_cache_memory(void)
{
	size_t mem = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nf_cpu *c = per_cpu_ptr(nf_cpus, cpu);
		unsigned int n6 = READ_ONCE(c->nflows6);
		unsigned int n4o = READ_ONCE(c->nflows4o);
		unsigned int n = READ_ONCE(c->nflows);

		/* read without the CPU's exclusion: never below zero */
		n = n > n6 + n4o ? n - n6 - n4o : 0;
		mem += (size_t)READ_ONCE(c->tab.hsize) * sizeof(*c->tab.buckets);
		mem += (size_t)n * nf_cache_flow_size();
		mem += (size_t)n4o *
		       nf_slot_size(nf_flow4o_cache, sizeof(void *));
		mem += (size_t)n6 *
		       nf_slot_size(nf_flow6_cache, sizeof(void *));
	}
	return mem;
}

struct nf_walk_arg {
	void (*cb)(const struct nf_flow *f, void *arg);
	void *arg;
};

static long nf_walk_cpu(void *p)
{
	struct nf_cpu_arg *a = p;
	struct nf_walk_arg *w = a->arg;
	struct nf_cpu *c = a->c;
	unsigned int hsize = READ_ONCE(c->tab.hsize);
	const struct nf_flow *f;
	unsigned int i;

	/* In chunks, as the scan does; a resize meanwhile ends the walk. */
	for (i = 0; i < hsize; i++) {
		if (i % NF_CHUNK == 0) {
			if (i)
				local_bh_enable();
			cond_resched();
			local_bh_disable();
			if (c->tab.hsize != hsize)
				break;
		}
		for (f = c->tab.buckets[i]; f; f = f->next)
			w->cb(f, w->arg);
	}
	if (hsize)
		local_bh_enable();
	return 0;
}

void nf_cache_walk(void (*cb)(const struct nf_flow *f, void *arg), void *arg)
{
	struct nf_walk_arg w = { .cb = cb, .arg = arg };

	nf_for_each_cpu_table(nf_walk_cpu, &w);
}

/* A default that scales with memory: about 1/4096 of RAM in buckets. */
static unsigned int nf_default_hashsize(void)
{
	unsigned long buckets = (totalram_pages() << PAGE_SHIFT) /
				4096 / sizeof(void *) / num_possible_cpus();

	return clamp_t(unsigned long, buckets, 1024, 1U << 20);
}

int nf_cache_init(unsigned int hashsize)
{
	u32 seed = get_random_u32();
	int cpu;

	nf_hashsize = hashsize ?: nf_default_hashsize();

	/* one cache line per IPv4 flow: keep it so */
	BUILD_BUG_ON(NF_FLOW4_SIZE != 64);
	nf_flow4_cache = kmem_cache_create("ipt_netflow4", NF_FLOW4_SIZE, 0,
					   SLAB_HWCACHE_ALIGN, NULL);
	nf_flow4o_cache = kmem_cache_create("ipt_netflow4o", NF_FLOW4O_SIZE,
					    0, 0, NULL);
	nf_flow6_cache = kmem_cache_create("ipt_netflow6", NF_FLOW6_SIZE, 0,
					   0, NULL);
	nf_cpus = alloc_percpu(struct nf_cpu);
	if (!nf_flow4_cache || !nf_flow4o_cache || !nf_flow6_cache || !nf_cpus)
		goto fail;

	for_each_possible_cpu(cpu) {
		struct nf_cpu *c = per_cpu_ptr(nf_cpus, cpu);

		c->cpu = cpu;
		c->tab.hsize = nf_hashsize;
		c->tab.seed = seed;
		c->allowance = UINT_MAX;
		u64_stats_init(&c->syncp);
		INIT_WORK(&c->scan_work, nf_scan_work);
		c->tab.buckets = kvcalloc(c->tab.hsize, sizeof(*c->tab.buckets),
					  GFP_KERNEL);
		if (!c->tab.buckets)
			goto fail;
	}
	nf_rebalance();
	INIT_DELAYED_WORK(&nf_tick_work, nf_tick);
	return 0;

fail:
	nf_cache_uninit();
	pr_err("cannot allocate the flow cache (hashsize %u)\n", nf_hashsize);
	return -ENOMEM;
}

/* Ageing hands flows to the exporter: start it once that exists. */
void nf_cache_start(void)
{
	schedule_delayed_work(&nf_tick_work, NF_TICK);
}

/*
 * Called once no packet can reach the cache any more: stop ageing and
 * hand every flow still held to the exporter.
 */
void nf_cache_stop(void)
{
	struct nf_cpu_arg a;
	int cpu;

	cancel_delayed_work_sync(&nf_tick_work);
	for_each_possible_cpu(cpu) {
		a.c = per_cpu_ptr(nf_cpus, cpu);
		cancel_work_sync(&a.c->scan_work);
		nf_flush_cpu(&a);
	}
	nf_export_kick();
}

/* After the exporter freed every flow it was handed. */
void nf_cache_uninit(void)
{
	int cpu;

	if (nf_cpus) {
		for_each_possible_cpu(cpu)
			kvfree(per_cpu_ptr(nf_cpus, cpu)->tab.buckets);
		free_percpu(nf_cpus);
		nf_cpus = NULL;
	}
	kmem_cache_destroy(nf_flow4_cache);
	kmem_cache_destroy(nf_flow4o_cache);
	kmem_cache_destroy(nf_flow6_cache);
	nf_flow4_cache = NULL;
	nf_flow4o_cache = NULL;
	nf_flow6_cache = NULL;
}
