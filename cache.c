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
 * maxflows bounds every flow in memory: in the tables, waiting in a done
 * list, or queued for or being sent by the exporter (a flow is freed only
 * once sent).  It is kept without a shared counter: once per tick every
 * possible CPU is allowed an equal share of what is left under the limit
 * as new flows until the next tick, whatever leaves meanwhile, so the
 * sum can never exceed maxflows.  Near the limit a busy CPU may refuse a
 * flow that another CPU's unused share could have taken until the next
 * tick rebalances the shares.
 *
 * Work with bottom halves off is bounded by flows, not buckets: a scan
 * chunk stops after NFL_CHUNK_FLOWS flows (at a bucket's end; hashsize
 * is kept large enough against maxflows that chains stay short), and a
 * resize swaps in the new table at once and moves the old one's flows
 * over in chunks of the same size.
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
#include "sampler.h"
#include "settings.h"

/* Ageing: a full pass over every table each second, in SLICES ticks. */
#define NFL_TICK		(HZ / 4)
#define NFL_SLICES	4
/* Flows examined per BH-disabled stretch, at most (plus one chain). */
#define NFL_CHUNK_FLOWS	1024
/* A TCP flow that saw FIN or RST leaves this long after its last packet. */
#define NFL_TCP_END_GRACE	(2 * HZ)

struct nfl_cpu __percpu *nfl_cpus;
/* Buckets of each CPU's table; changed by nfl_cache_resize() only. */
static unsigned int nfl_hashsize;
/* Slabs of flows: IPv4, IPv4 that saw IPv4 options, IPv6 */
enum { NFL_SLAB4, NFL_SLAB4O, NFL_SLAB6, NFL_SLABS };
/*
 * [0]: flows without fields, made at init.  [fields]: flows with those
 * fields (their area in front), made when fields= first asks for them
 * and kept until unload, so a flow made before a change goes back to its
 * own.  Written under the settings' serialisation, before nfl_fields.
 */
static struct kmem_cache *nfl_slabs[NFL_FIELDS_ALL + 1][NFL_SLABS];
unsigned int nfl_fields __read_mostly;
u64 nfl_split_bytes __read_mostly = U64_MAX;
u32 nfl_split_packets __read_mostly = U32_MAX;
static struct delayed_work nfl_tick_work;
static DEFINE_MUTEX(nfl_resize_mutex);
/*
 * No packet reaches the table of an offline CPU, so whoever scans it
 * holds this instead, with cpus_read_lock() keeping the CPU offline.
 */
static DEFINE_MUTEX(nfl_offline_mutex);
static unsigned int nfl_peak;
static unsigned long nfl_peak_jiffies;

#define NFL_STAT_INC(c, field, n)		\
	do {					\
		u64_stats_update_begin(&(c)->syncp);	\
		(c)->stats.field += (n);	\
		u64_stats_update_end(&(c)->syncp);	\
	} while (0)

static unsigned int nfl_slab_of(const struct nfl_flow *f)
{
	if (f->key.family != AF_INET)
		return NFL_SLAB6;
	return f->flags & NFL_FLOW_IP4_OPTS ? NFL_SLAB4O : NFL_SLAB4;
}

/* The object @f, which carries @fields, lives in: its area is in front. */
static void *nfl_flow_obj(const struct nfl_flow *f, unsigned int fields)
{
	struct nfl_ext_layout l;

	if (!fields)
		return (void *)f;
	nfl_ext_layout(&l, fields, f->key.family);
	return nfl_flow_ext(f, &l);
}

void nfl_cache_free(struct nfl_flow *f)
{
	unsigned int fields = nfl_flow_fields(f);

	kmem_cache_free(nfl_slabs[fields][nfl_slab_of(f)],
			nfl_flow_obj(f, fields));
}

/* Flows unlinked from the table wait in c->done for the exporter. */
static void nfl_done_take(struct nfl_cpu *c, struct nfl_flow_list *l)
{
	if (!l->head)
		return;
	u64_stats_update_begin(&c->syncp);
	c->gone_pkts += l->packets;
	c->gone_bytes += l->bytes;
	u64_stats_update_end(&c->syncp);
	nfl_flow_list_splice(&c->done, l);
	c->nflows -= l->flows;
	c->nflows6 -= l->flows6;
	c->nflows4o -= l->flows4o;
}

/* One flow, from the packet path: no list on the stack, no canary there. */
static void nfl_done_push(struct nfl_cpu *c, struct nfl_flow *f, u8 reason)
{
	u64_stats_update_begin(&c->syncp);
	c->gone_pkts += f->packets;
	c->gone_bytes += f->bytes;
	u64_stats_update_end(&c->syncp);
	c->nflows--;
	if (f->key.family != AF_INET)
		c->nflows6--;
	if (f->flags & NFL_FLOW_IP4_OPTS)
		c->nflows4o--;
	nfl_flow_list_add(&c->done, f, reason);
}

/*
 * A new flow for @key, with the fields of @x if it is not NULL.  With
 * @ip4_opts it keeps them: if that larger object cannot be had, the flow
 * counts without them (alloc_fail says so).
 */
static struct nfl_flow *nfl_flow_new(struct nfl_cpu *c, const struct nfl_key *key,
				   const struct nfl_pkt *pkt,
				   struct nfl_flow **bucket, u32 ip4_opts,
				   const struct nfl_xpkt *x)
{
	struct kmem_cache *const *slab = nfl_slabs[x ? x->fields : 0];
	bool v4 = key->family == AF_INET;
	struct nfl_flow *f;
	u8 *obj = NULL;

	if (unlikely(c->made >= READ_ONCE(c->allowance))) {
		NFL_STAT_INC(c, maxflows, 1);
		return NULL;
	}
	if (unlikely(ip4_opts)) {
		obj = kmem_cache_alloc(slab[NFL_SLAB4O], GFP_ATOMIC | __GFP_NOWARN);
		if (!obj)
			NFL_STAT_INC(c, alloc_fail, 1);
	}
	if (likely(!obj)) {
		ip4_opts = 0;
		obj = kmem_cache_alloc(slab[v4 ? NFL_SLAB4 : NFL_SLAB6],
				       GFP_ATOMIC | __GFP_NOWARN);
	}
	if (unlikely(!obj)) {
		NFL_STAT_INC(c, alloc_fail, 1);
		return NULL;
	}
	if (x) {
		f = (struct nfl_flow *)(obj + x->l.size);
		nfl_flow_start_ext(f, key, pkt, (u32)jiffies, x);
	} else {
		f = (struct nfl_flow *)obj;
		nfl_flow_start(f, key, pkt, (u32)jiffies);
	}
	if (!v4)
		c->nflows6++;
	if (ip4_opts) {
		nfl_flow_set_ip4o(f);
		c->nflows4o++;
	}
	nfl_flow_link(bucket, f);
	c->nflows++;
	c->made++;
	NFL_STAT_INC(c, created, 1);
	return f;
}

/*
 * The rest of a packet that did not simply hit its flow (the hit is
 * nfl_cache_account(), cache.h): the flow at *@pp must split first, or
 * there is none yet.  @x: the packet's fields, or NULL.  BH off.
 */
static void nfl_cache_miss_x(struct nfl_cpu *c, const struct nfl_key *key,
			     const struct nfl_pkt *pkt, struct nfl_flow **bucket,
			     struct nfl_flow **pp, u32 ip4_opts,
			     const struct nfl_xpkt *x)
{
	struct nfl_flow *f = *pp;
	u16 unselected = 0;

	u64_stats_update_begin(&c->syncp);
	c->stats.frag += pkt->frag;
	if (f)
		c->stats.searched++;	/* examined and matched, not found */
	u64_stats_update_end(&c->syncp);
	if (f) {
		/* a split goes on as the flow was sampled */
		unselected = f->flags & NFL_FLOW_UNSELECTED;
		*pp = f->next;
		nfl_done_push(c, f, NFL_END_RESOURCES);
	} else if (unlikely(READ_ONCE(nfl_samp_flows))) {
		if (nfl_samp_flow(key, pkt->segs) == NFL_SAMP_SKIP)
			unselected = NFL_FLOW_UNSELECTED;
	}
	f = nfl_flow_new(c, key, pkt, bucket, ip4_opts, x);
	if (!f) {
		u64_stats_update_begin(&c->syncp);
		c->stats.drop_pkts += pkt->segs;
		c->stats.drop_bytes += pkt->len;
		u64_stats_update_end(&c->syncp);
		return;
	}
	f->flags |= unselected;

	nfl_flow_count(f, key, pkt, (u32)jiffies);
	if (f->flags & NFL_FLOW_IP4_OPTS)
		nfl_flow4_tail(f)->ip4_opts |= ip4_opts;

	u64_stats_update_begin(&c->syncp);
	c->stats.pkts += pkt->segs;
	c->stats.bytes += pkt->len;
	u64_stats_update_end(&c->syncp);
}

void nfl_cache_miss(struct nfl_cpu *c, const struct nfl_key *key,
		   const struct nfl_pkt *pkt, struct nfl_flow **bucket,
		   struct nfl_flow **pp, u32 ip4_opts)
{
	nfl_cache_miss_x(c, key, pkt, bucket, pp, ip4_opts, NULL);
}

/*
 * IPv4 flow @f (at *@pp in its chain) has just counted a packet with
 * options @ip4_opts.  The first time, it moves to a larger object that
 * keeps them: the copy takes its place in the chain, under the same
 * exclusion as every other change to this CPU's table (BH off, this
 * CPU).  If there is no memory for it, the flow goes on counting without
 * the options, and alloc_fail counts what was lost.
 */
void nfl_cache_ip4_opts(struct nfl_cpu *c, struct nfl_flow **pp,
		       struct nfl_flow *f, u32 ip4_opts)
{
	unsigned int fields;
	struct nfl_flow *w;
	u8 *obj, *old;
	size_t pre;

	if (!(f->flags & NFL_FLOW_IP4_OPTS)) {
		/* with its fields' area, if it has one */
		fields = nfl_flow_fields(f);
		old = nfl_flow_obj(f, fields);
		pre = (u8 *)f - old;
		obj = kmem_cache_alloc(nfl_slabs[fields][NFL_SLAB4O],
				       GFP_ATOMIC | __GFP_NOWARN);
		if (unlikely(!obj)) {
			NFL_STAT_INC(c, alloc_fail, 1);
			return;
		}
		memcpy(obj, old, pre + NFL_FLOW4_SIZE);
		w = (struct nfl_flow *)(obj + pre);
		nfl_flow_set_ip4o(w);
		*pp = w;
		kmem_cache_free(nfl_slabs[fields][NFL_SLAB4], old);
		c->nflows4o++;
		f = w;
	}
	nfl_flow4_tail(f)->ip4_opts |= ip4_opts;
}

/*
 * The packet path of an IPv4 packet with options, out of line: a packet
 * without them pays only the target's test of the header length.
 */
void nfl_cache_account_ip4o(const struct nfl_key *key, const struct nfl_pkt *pkt,
			   u32 ip4_opts)
{
	nfl_cache_account(key, pkt, AF_INET, ip4_opts);
}

/*
 * The packet path with fields: as nfl_cache_account(), with the key
 * parts of @x hashed and compared after the key, and its attributes
 * stored in the flow it counts in.
 */
void nfl_cache_account_ext(const struct nfl_key *key, const struct nfl_pkt *pkt,
			  u32 ip4_opts, const struct nfl_xpkt *x)
{
	bool process = !softirq_count();
	struct nfl_flow **bucket, **pp, *f;
	struct nfl_cpu *c;
	u32 h;

	if (unlikely(process))
		local_bh_disable();
	if (static_branch_unlikely(&nfl_samp_hash_on) &&
	    !nfl_samp_hash_take(key, pkt->segs))
		goto out;
	c = this_cpu_ptr(nfl_cpus);
	h = nfl_key_hash_ext(key, x->w, x->l.key_words, c->tab.seed);
	bucket = &c->tab.buckets[reciprocal_scale(h, c->tab.hsize)];
	u64_stats_update_begin(&c->syncp);
	pp = nfl_flow_find_ext(bucket, key, x, &c->stats.searched);
	f = *pp;
	if (f && !nfl_flow_must_split(f, pkt, READ_ONCE(nfl_split_bytes),
				      READ_ONCE(nfl_split_packets))) {
		nfl_flow_count(f, key, pkt, (u32)jiffies);
		c->stats.found++;
		c->stats.frag += pkt->frag;
		c->stats.pkts += pkt->segs;
		c->stats.bytes += pkt->len;
		u64_stats_update_end(&c->syncp);
		nfl_flow_ext_update(f, x);
		if (ip4_opts)
			nfl_cache_ip4_opts(c, pp, f, ip4_opts);
	} else {
		u64_stats_update_end(&c->syncp);
		nfl_cache_miss_x(c, key, pkt, bucket, pp, ip4_opts, x);
	}
out:
	if (unlikely(process))
		local_bh_enable();
}

void nfl_cache_drop_trunc(u32 len)
{
	struct nfl_cpu *c;

	local_bh_disable();
	c = this_cpu_ptr(nfl_cpus);
	u64_stats_update_begin(&c->syncp);
	c->stats.trunc++;
	c->stats.drop_pkts++;
	c->stats.drop_bytes += len;
	u64_stats_update_end(&c->syncp);
	local_bh_enable();
}

/*
 * Move expired flows of buckets [from, to) to the done list, stopping
 * after NFL_CHUNK_FLOWS flows; where it stopped.  BH off.
 */
static unsigned int nfl_scan_buckets(struct nfl_cpu *c, unsigned int from,
				     unsigned int to, bool force)
{
	const struct nfl_ageing ag = {
		.active = READ_ONCE(nfl_cfg.active_timeout) * HZ,
		.inactive = READ_ONCE(nfl_cfg.inactive_timeout) * HZ,
		.end_grace = NFL_TCP_END_GRACE,
	};
	struct nfl_flow_list gone = {};

	unsigned int pos;

	pos = nfl_htable_expire(&c->tab, from, to, NFL_CHUNK_FLOWS, (u32)jiffies,
				force ? NULL : &ag, &gone);
	nfl_done_take(c, &gone);
	return pos;
}

/* Hand the done list to the exporter.  BH off. */
static void nfl_done_export(struct nfl_cpu *c)
{
	if (!c->done.head)
		return;
	NFL_STAT_INC(c, expired, c->done.flows);
	/* queued before it leaves the list: readers err high, never low */
	nfl_export_queue(&c->done);
	c->done = (struct nfl_flow_list){};
}

/*
 * Bottom halves off for work on @c's table.  @own: the caller must be on
 * @c's CPU.  It is not if the scan work was queued there and that CPU
 * began to go down: between the workqueue's and the CPU's own teardown,
 * the work runs unbound elsewhere while the CPU still meters packets in
 * softirq.  Then the caller must leave the table alone (false): the
 * tick ages an offline CPU's table itself.
 */
static bool nfl_bh_begin(struct nfl_cpu *c, bool own, u64 *t0)
{
	local_bh_disable();
	if (own && unlikely(smp_processor_id() != c->cpu)) {
		local_bh_enable();
		return false;
	}
	*t0 = local_clock();
	return true;
}

static void nfl_bh_end(struct nfl_cpu *c, u64 t0)
{
	u64 d = local_clock() - t0;

	if (d > c->bh_max_ns)
		WRITE_ONCE(c->bh_max_ns, d);
	local_bh_enable();
}

/*
 * Scan @count buckets from @from, in chunks so bottom halves never stay
 * off for long.  @own as for nfl_bh_begin(); otherwise the caller runs
 * while @c's CPU is offline or nothing meters any more.  False if it
 * had to stop.
 */
static bool nfl_scan_range(struct nfl_cpu *c, unsigned int from,
			   unsigned int count, bool force, bool own)
{
	unsigned int pos = from, end = from + count;
	u64 t0;

	while (pos < end && pos < READ_ONCE(c->tab.hsize)) {
		if (!nfl_bh_begin(c, own, &t0))
			return false;
		/* ageing only: a CPU with nothing to age is not woken */
		if (pos == from && !force)
			NFL_STAT_INC(c, scans, 1);
		pos = nfl_scan_buckets(c, pos, end, force);
		nfl_done_export(c);
		nfl_bh_end(c, t0);
		cond_resched();
	}
	return true;
}

static void nfl_scan_slice(struct nfl_cpu *c, bool own)
{
	unsigned int hsize = READ_ONCE(c->tab.hsize);
	unsigned int slice = DIV_ROUND_UP(hsize, NFL_SLICES);
	unsigned int from = c->scan_pos < hsize ? c->scan_pos : 0;

	if (!nfl_scan_range(c, from, slice, false, own))
		return;
	c->scan_pos = from + slice >= hsize ? 0 : from + slice;
	nfl_export_kick();
}

static void nfl_scan_work(struct work_struct *work)
{
	nfl_scan_slice(container_of(work, struct nfl_cpu, scan_work), true);
}

/* Anything for a scan: flows in the table or waiting in the done list. */
static bool nfl_cpu_busy(const struct nfl_cpu *c)
{
	return READ_ONCE(c->nflows) || READ_ONCE(c->done.head);
}

/*
 * Every flow in memory: in a table or a done list (both counted by the
 * owning CPU), or with the exporter.  Read without the CPUs' exclusion:
 * flows on their way from one to the next are counted twice, never
 * missed (nfl_done_take(), nfl_done_export()).
 */
static unsigned long nfl_flows_held(void)
{
	unsigned long total = nfl_export_held(NULL, NULL);
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nfl_cpu *c = per_cpu_ptr(nfl_cpus, cpu);

		total += READ_ONCE(c->nflows) + READ_ONCE(c->done.flows);
	}
	return total;
}

/*
 * New flows each CPU may create until the next tick: an equal share of
 * what maxflows leaves, for every possible CPU, so that one coming
 * online before the next tick has its share too and the sum still holds.
 */
static void nfl_rebalance(void)
{
	unsigned long max = READ_ONCE(nfl_cfg.maxflows);
	unsigned long total = nfl_flows_held(), share;
	int cpu;

	if (total > nfl_peak) {
		nfl_peak = total;
		nfl_peak_jiffies = jiffies;
	}
	share = max > total ? (max - total) / num_possible_cpus() : 0;
	for_each_possible_cpu(cpu) {
		struct nfl_cpu *c = per_cpu_ptr(nfl_cpus, cpu);
		unsigned long made = READ_ONCE(c->made);

		if (!max)
			WRITE_ONCE(c->allowance, ULONG_MAX);
		else
			WRITE_ONCE(c->allowance, made + share);
	}
}

/*
 * Begin work on @c's table from another CPU while @c's CPU is offline.
 * Its scan work may have been queued before the CPU left, and then runs
 * unbound: it must be done first.  Caller holds cpus_read_lock().
 */
static void nfl_offline_begin(struct nfl_cpu *c)
{
	mutex_lock(&nfl_offline_mutex);
	cancel_work_sync(&c->scan_work);
}

static void nfl_offline_end(void)
{
	mutex_unlock(&nfl_offline_mutex);
}

/*
 * An offline CPU's flows still age: its slice is scanned from here, or
 * they would wait for the CPU to return, a flush or the unload.
 */
static void nfl_scan_offline(struct nfl_cpu *c)
{
	if (!nfl_cpu_busy(c))
		return;
	nfl_offline_begin(c);
	nfl_scan_slice(c, false);
	nfl_offline_end();
}

static void nfl_tick(struct work_struct *work)
{
	int cpu;

	cpus_read_lock();
	nfl_rebalance();
	for_each_possible_cpu(cpu) {
		struct nfl_cpu *c = per_cpu_ptr(nfl_cpus, cpu);

		/* an idle CPU (nohz_full, isolcpus) is left asleep */
		if (!cpu_online(cpu))
			nfl_scan_offline(c);
		else if (nfl_cpu_busy(c))
			queue_work_on(cpu, system_wq, &c->scan_work);
	}
	cpus_read_unlock();
	schedule_delayed_work(&nfl_tick_work, NFL_TICK);
}

struct nfl_cpu_arg {
	struct nfl_cpu *c;
	void *arg;
};

/* Run @fn for every CPU's table on that CPU, or here if it is offline. */
static void nfl_for_each_cpu_table(long (*fn)(void *), void *arg)
{
	struct nfl_cpu_arg a = { .arg = arg };
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		a.c = per_cpu_ptr(nfl_cpus, cpu);
		if (cpu_online(cpu)) {
			work_on_cpu(cpu, fn, &a);
			continue;
		}
		nfl_offline_begin(a.c);
		fn(&a);
		nfl_offline_end();
	}
	cpus_read_unlock();
}

static long nfl_flush_cpu(void *p)
{
	struct nfl_cpu_arg *a = p;

	nfl_scan_range(a->c, 0, READ_ONCE(a->c->tab.hsize), true, false);
	return 0;
}

void nfl_cache_flush(void)
{
	nfl_for_each_cpu_table(nfl_flush_cpu, NULL);
	nfl_export_kick();
}

/* Flows a resize merged into the new table's entry of their key. BH off. */
static void nfl_merged_free(struct nfl_cpu *c, struct nfl_flow_list *l)
{
	struct nfl_flow *f, *next;

	c->nflows -= l->flows;
	c->nflows6 -= l->flows6;
	c->nflows4o -= l->flows4o;
	for (f = l->head; f; f = next) {
		next = f->next;
		nfl_cache_free(f);
	}
}

/*
 * The new table takes over at once, so bottom halves stay off only for
 * a swap and then for chunks of the move; packets meanwhile meter into
 * the new table, and the move merges what they started there.
 */
static long nfl_resize_cpu(void *p)
{
	struct nfl_cpu_arg *a = p;
	struct nfl_flow ***tables = a->arg;
	struct nfl_cpu *c = a->c;
	struct nfl_htable old, new = {
		.buckets = tables[c->cpu],
		.hsize = nfl_hashsize,
		.seed = c->tab.seed,
	};
	unsigned int pos = 0;
	u64 t0;

	tables[c->cpu] = NULL;
	nfl_bh_begin(c, false, &t0);
	old = c->tab;
	c->tab = new;
	c->scan_pos = 0;
	nfl_bh_end(c, t0);
	while (pos < old.hsize) {
		struct nfl_flow_list merged = { };

		nfl_bh_begin(c, false, &t0);
		pos = nfl_htable_move(&c->tab, &old, pos, NFL_CHUNK_FLOWS,
				      READ_ONCE(nfl_split_bytes),
				      READ_ONCE(nfl_split_packets), &merged);
		nfl_merged_free(c, &merged);
		nfl_bh_end(c, t0);
		cond_resched();
	}
	kvfree(old.buckets);
	return 0;
}

/* Caller holds nfl_resize_mutex; nfl_hashsize is the new size. */
static int nfl_resize_all(unsigned int hsize)
{
	struct nfl_flow ***tables;
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
		nfl_hashsize = hsize;
		nfl_for_each_cpu_table(nfl_resize_cpu, tables);
	}
	for_each_possible_cpu(cpu)
		kvfree(tables[cpu]);
	kfree(tables);
	return err;
}

int nfl_cache_resize(unsigned int hashsize)
{
	int err;

	mutex_lock(&nfl_resize_mutex);
	err = hashsize == nfl_hashsize ? 0 : nfl_resize_all(hashsize);
	mutex_unlock(&nfl_resize_mutex);
	return err;
}

/* The slabs of flows with @fields, if they are not there yet. */
static int nfl_slabs_make(unsigned int fields)
{
	static const char *const kind[NFL_SLABS] = {
		[NFL_SLAB4] = "4", [NFL_SLAB4O] = "4o", [NFL_SLAB6] = "6",
	};
	struct kmem_cache **slab = nfl_slabs[fields];
	struct nfl_ext_layout l4, l6;
	size_t size[NFL_SLABS];
	char name[32];
	int i;

	if (slab[NFL_SLAB4])
		return 0;
	nfl_ext_layout(&l4, fields, AF_INET);
	nfl_ext_layout(&l6, fields, AF_INET6);
	size[NFL_SLAB4] = l4.size + NFL_FLOW4_SIZE;
	size[NFL_SLAB4O] = l4.size + NFL_FLOW4O_SIZE;
	size[NFL_SLAB6] = l6.size + NFL_FLOW6_SIZE;
	/* [NFL_SLAB4] last: it says all three are there */
	for (i = NFL_SLABS - 1; i >= 0; i--) {
		snprintf(name, sizeof(name), "ipt_netflow%s_f%02x", kind[i],
			 fields);
		slab[i] = kmem_cache_create(name, size[i], 0, 0, NULL);
		if (!slab[i])
			goto fail;
	}
	return 0;
fail:
	for (i = 0; i < NFL_SLABS; i++) {
		kmem_cache_destroy(slab[i]);
		slab[i] = NULL;
	}
	return -ENOMEM;
}

int nfl_cache_set_fields(unsigned int fields)
{
	int err;

	if (fields == nfl_fields)
		return 0;
	err = nfl_slabs_make(fields);
	if (err)
		return err;
	/* the slabs are there before a packet can read the fields */
	smp_store_release(&nfl_fields, fields);
	/*
	 * Packets meter in RCU read-side sections (netfilter hooks): once
	 * none is left that read the old fields, every flow made from here
	 * on has the new ones, and the flush takes all that came before.
	 */
	synchronize_net();
	nfl_cache_flush();
	return 0;
}

void nfl_cache_set_split(u64 max_bytes, u32 max_packets)
{
	WRITE_ONCE(nfl_split_bytes, max_bytes);
	WRITE_ONCE(nfl_split_packets, max_packets);
}

void nfl_cache_cpu_stats(int cpu, struct nfl_cpu_stats *st)
{
	struct nfl_cpu *c = per_cpu_ptr(nfl_cpus, cpu);
	unsigned int seq;

	do {
		seq = u64_stats_fetch_begin(&c->syncp);
		*st = c->stats;
	} while (u64_stats_fetch_retry(&c->syncp, seq));
	st->searched += st->found;	/* see struct nfl_cpu */
}

void nfl_cache_stats(struct nfl_cpu_stats *sum)
{
	struct nfl_cpu_stats st;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		nfl_cache_cpu_stats(cpu, &st);
#define NFL_STAT_ADD(name, str) sum->name += st.name;
		NFL_CPU_STATS(NFL_STAT_ADD)
#undef NFL_STAT_ADD
	}
}

/* Traffic of the flows still in memory: accounted minus handed on. */
void nfl_cache_held(u64 *pkts, u64 *bytes)
{
	unsigned int seq;
	int cpu;

	*pkts = 0;
	*bytes = 0;
	for_each_possible_cpu(cpu) {
		struct nfl_cpu *c = per_cpu_ptr(nfl_cpus, cpu);
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

unsigned long nfl_cache_scan_interval(void)
{
	return NFL_TICK;
}

unsigned int nfl_cache_flows(void)
{
	unsigned int n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(nfl_cpus, cpu)->nflows);
	return n;
}

unsigned int nfl_cache_flows_peak(void)
{
	return max(nfl_peak, nfl_cache_flows());
}

unsigned long nfl_cache_peak_time(void)
{
	return nfl_peak_jiffies;
}

unsigned int nfl_cache_hashsize(void)
{
	return nfl_hashsize;
}

/* What a flow really takes in its slab: HWCACHE_ALIGN rounds v4 up. */
static size_t nfl_slot_size(struct kmem_cache *cache, size_t align)
{
	return ALIGN(kmem_cache_size(cache), align);
}

/* Of the fields in force, whose flows are those in memory but briefly. */
size_t nfl_cache_flow_size(void)
{
	unsigned int fields = READ_ONCE(nfl_fields);

	return nfl_slot_size(nfl_slabs[fields][NFL_SLAB4],
			     fields ? sizeof(void *) : cache_line_size());
}

/* Slab bytes of @n flows, @n6 of them IPv6 and @n4o IPv4 with options. */
static size_t nfl_flows_memory(unsigned long n, unsigned long n6,
			       unsigned long n4o)
{
	struct kmem_cache *const *slab = nfl_slabs[READ_ONCE(nfl_fields)];

	/* read without the owners' exclusion: never below zero */
	n = n > n6 + n4o ? n - n6 - n4o : 0;
	return n * nfl_cache_flow_size() +
	       n4o * nfl_slot_size(slab[NFL_SLAB4O], sizeof(void *)) +
	       n6 * nfl_slot_size(slab[NFL_SLAB6], sizeof(void *));
}

/* Buckets and every flow in memory, the exporter's included. */
size_t nfl_cache_memory(void)
{
	unsigned long n6, n4o, n = nfl_export_held(&n6, &n4o);
	size_t mem = nfl_flows_memory(n, n6, n4o);
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nfl_cpu *c = per_cpu_ptr(nfl_cpus, cpu);

		mem += (size_t)READ_ONCE(c->tab.hsize) * sizeof(*c->tab.buckets);
		mem += nfl_flows_memory(READ_ONCE(c->nflows),
					READ_ONCE(c->nflows6),
					READ_ONCE(c->nflows4o));
		mem += nfl_flows_memory(READ_ONCE(c->done.flows),
					READ_ONCE(c->done.flows6),
					READ_ONCE(c->done.flows4o));
	}
	return mem;
}

/* The longest stretch of cache work with bottom halves off, in ns. */
u64 nfl_cache_bh_max_ns(void)
{
	u64 m = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		m = max(m, READ_ONCE(per_cpu_ptr(nfl_cpus, cpu)->bh_max_ns));
	return m;
}

struct nfl_walk_arg {
	void (*cb)(const struct nfl_flow *f, void *arg);
	void *arg;
};

static long nfl_walk_cpu(void *p)
{
	struct nfl_cpu_arg *a = p;
	struct nfl_walk_arg *w = a->arg;
	struct nfl_cpu *c = a->c;
	struct nfl_flow **buckets = READ_ONCE(c->tab.buckets);
	unsigned int i = 0, seen;
	const struct nfl_flow *f;
	u64 t0;

	/* In chunks, as the scan does; a resize meanwhile ends the walk. */
	while (i < c->tab.hsize) {
		nfl_bh_begin(c, false, &t0);
		if (c->tab.buckets != buckets) {
			nfl_bh_end(c, t0);
			break;
		}
		for (seen = 0; i < c->tab.hsize && seen < NFL_CHUNK_FLOWS; i++)
			for (f = buckets[i]; f; f = f->next, seen++)
				w->cb(f, w->arg);
		nfl_bh_end(c, t0);
		cond_resched();
	}
	return 0;
}

void nfl_cache_walk(void (*cb)(const struct nfl_flow *f, void *arg), void *arg)
{
	struct nfl_walk_arg w = { .cb = cb, .arg = arg };

	nfl_for_each_cpu_table(nfl_walk_cpu, &w);
}

/*
 * A default that scales with memory, about 1/4096 of RAM in buckets, and
 * keeps chains short at maxflows (nfl_chains_short()).
 */
static unsigned int nfl_default_hashsize(void)
{
	unsigned long buckets = (totalram_pages() << PAGE_SHIFT) /
				4096 / sizeof(void *) / num_possible_cpus();

	buckets = max_t(unsigned long, buckets,
			DIV_ROUND_UP(READ_ONCE(nfl_cfg.maxflows),
				     NFL_CHAIN_MAX));
	return clamp_t(unsigned long, buckets, 1024, 1U << 20);
}

int nfl_cache_init(unsigned int hashsize)
{
	u32 seed = get_random_u32();
	int cpu;

	nfl_hashsize = hashsize ?: nfl_default_hashsize();

	/* one cache line per IPv4 flow: keep it so */
	BUILD_BUG_ON(NFL_FLOW4_SIZE != 64);
	nfl_slabs[0][NFL_SLAB4] = kmem_cache_create("ipt_netflow4",
						    NFL_FLOW4_SIZE, 0,
						    SLAB_HWCACHE_ALIGN, NULL);
	nfl_slabs[0][NFL_SLAB4O] = kmem_cache_create("ipt_netflow4o",
						     NFL_FLOW4O_SIZE, 0, 0,
						     NULL);
	nfl_slabs[0][NFL_SLAB6] = kmem_cache_create("ipt_netflow6",
						    NFL_FLOW6_SIZE, 0, 0, NULL);
	nfl_cpus = alloc_percpu(struct nfl_cpu);
	if (!nfl_slabs[0][NFL_SLAB4] || !nfl_slabs[0][NFL_SLAB4O] ||
	    !nfl_slabs[0][NFL_SLAB6] || !nfl_cpus)
		goto fail;

	for_each_possible_cpu(cpu) {
		struct nfl_cpu *c = per_cpu_ptr(nfl_cpus, cpu);

		c->cpu = cpu;
		c->tab.hsize = nfl_hashsize;
		c->tab.seed = seed;
		c->allowance = ULONG_MAX;
		u64_stats_init(&c->syncp);
		INIT_WORK(&c->scan_work, nfl_scan_work);
		c->tab.buckets = kvcalloc(c->tab.hsize, sizeof(*c->tab.buckets),
					  GFP_KERNEL);
		if (!c->tab.buckets)
			goto fail;
	}
	cpus_read_lock();
	nfl_rebalance();
	cpus_read_unlock();
	INIT_DELAYED_WORK(&nfl_tick_work, nfl_tick);
	return 0;

fail:
	nfl_cache_uninit();
	pr_err("cannot allocate the flow cache (hashsize %u)\n", nfl_hashsize);
	return -ENOMEM;
}

/* Ageing hands flows to the exporter: start it once that exists. */
void nfl_cache_start(void)
{
	schedule_delayed_work(&nfl_tick_work, NFL_TICK);
}

/*
 * Called once no packet can reach the cache any more: stop ageing and
 * hand every flow still held to the exporter.
 */
void nfl_cache_stop(void)
{
	struct nfl_cpu_arg a;
	int cpu;

	cancel_delayed_work_sync(&nfl_tick_work);
	for_each_possible_cpu(cpu) {
		a.c = per_cpu_ptr(nfl_cpus, cpu);
		cancel_work_sync(&a.c->scan_work);
		nfl_flush_cpu(&a);
	}
	nfl_export_kick();
}

/* After the exporter freed every flow it was handed. */
void nfl_cache_uninit(void)
{
	unsigned int f, i;
	int cpu;

	if (nfl_cpus) {
		for_each_possible_cpu(cpu)
			kvfree(per_cpu_ptr(nfl_cpus, cpu)->tab.buckets);
		free_percpu(nfl_cpus);
		nfl_cpus = NULL;
	}
	for (f = 0; f <= NFL_FIELDS_ALL; f++) {
		for (i = 0; i < NFL_SLABS; i++) {
			kmem_cache_destroy(nfl_slabs[f][i]);
			nfl_slabs[f][i] = NULL;
		}
	}
	nfl_fields = 0;
}
