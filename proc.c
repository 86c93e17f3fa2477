// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipt_NETFLOW: statistics under /proc/net/stat of init_net.
 *
 *   ipt_netflow        for people; line shapes of the established module,
 *                      which monitoring scripts parse
 *   ipt_netflow_snmp   "key value" lines for machines
 *   ipt_netflow_flows  every flow in memory, root only
 *
 * Rates come from a sampler that reads the counters once a second, off
 * the packet path, and keeps the last 15 minutes of samples.  A rate or
 * hash metric "over N minutes" is exactly the difference of two samples
 * N minutes apart (or since load, if that is shorter) divided by the time
 * between them: no smoothing a test could not predict.
 */

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "cache.h"
#include "export.h"
#include "ipt_NETFLOW.h"
#include "natevents.h"
#include "proc.h"
#include "settings.h"
#include "socket.h"

/* ---- once-a-second sampler ---- */

#define NF_SAMPLES	(15 * 60 + 1)	/* 15 minutes of 1 s steps */

struct nf_sample {
	unsigned long t;		/* jiffies */
	u64 pkts;
	u64 bytes;
	u64 searched;
	u64 lookups;			/* found + new, the metric's divisor */
	u64 out_bytes;			/* export bytes sent, all sockets */
};

static struct nf_sample *nf_ring;
static unsigned int nf_ring_head;	/* newest sample */
static unsigned int nf_ring_len;	/* samples held */
/* Per CPU: packets at the newest sample, and the rate that led to it. */
static u64 *nf_cpu_pkts;
static u64 *nf_cpu_pps;
static DEFINE_MUTEX(nf_rate_mutex);
static struct delayed_work nf_rate_work;

static void nf_sample_take(void)
{
	struct nf_sample s = { };
	struct nf_export_stats es;
	struct nf_cpu_stats st;
	unsigned long dt;
	int cpu;

	nf_export_get_stats(&es);
	s.out_bytes = es.sent_bytes;

	mutex_lock(&nf_rate_mutex);
	s.t = jiffies;
	dt = nf_ring_len ? s.t - nf_ring[nf_ring_head].t : 0;
	for_each_possible_cpu(cpu) {
		nf_cache_cpu_stats(cpu, &st);
		s.pkts += st.pkts;
		s.bytes += st.bytes;
		s.searched += st.searched;
		s.lookups += st.found + st.created;
		nf_cpu_pps[cpu] = dt ? div64_ul((st.pkts - nf_cpu_pkts[cpu]) * HZ,
						dt) : 0;
		nf_cpu_pkts[cpu] = st.pkts;
	}
	if (nf_ring_len)
		nf_ring_head = (nf_ring_head + 1) % NF_SAMPLES;
	nf_ring[nf_ring_head] = s;
	if (nf_ring_len < NF_SAMPLES)
		nf_ring_len++;
	mutex_unlock(&nf_rate_mutex);
}

static void nf_rate_work_fn(struct work_struct *work)
{
	nf_sample_take();
	schedule_delayed_work(&nf_rate_work, HZ);
}

/* What changed over the last @secs samples.  Under nf_rate_mutex. */
static void nf_window(unsigned int secs, struct nf_sample *d)
{
	const struct nf_sample *a, *b = &nf_ring[nf_ring_head];
	unsigned int k = min(secs, nf_ring_len - 1);

	a = &nf_ring[(nf_ring_head + NF_SAMPLES - k) % NF_SAMPLES];
	d->t = b->t - a->t;
	d->pkts = b->pkts - a->pkts;
	d->bytes = b->bytes - a->bytes;
	d->searched = b->searched - a->searched;
	d->lookups = b->lookups - a->lookups;
	d->out_bytes = b->out_bytes - a->out_bytes;
}

static u64 nf_per_sec(u64 delta, unsigned long dt)
{
	return dt ? div64_ul(delta * HZ, dt) : 0;
}

/* Chain entries examined per lookup, in hundredths. */
static u32 nf_metric(u64 searched, u64 lookups)
{
	return lookups ? min_t(u64, div64_u64(searched * 100, lookups),
			       U32_MAX) : 0;
}

/* The windows every file shows: 1 s, 1, 5 and 15 min. */
struct nf_rates {
	struct nf_sample s1, m1, m5, m15;
};

static void nf_rates_get(struct nf_rates *r)
{
	mutex_lock(&nf_rate_mutex);
	nf_window(1, &r->s1);
	nf_window(60, &r->m1);
	nf_window(5 * 60, &r->m5);
	nf_window(15 * 60, &r->m15);
	mutex_unlock(&nf_rate_mutex);
}

/* ---- /proc/net/stat/ipt_netflow ---- */

static const char *nf_protocol_name(unsigned int protocol)
{
	switch (protocol) {
	case 5:
		return "netflow v5";
	case 9:
		return "netflow v9";
	case 10:
		return "ipfix";
	default:
		return "unknown";
	}
}

static void nf_show_cpu(struct seq_file *m, const char *label, u64 pps,
			const struct nf_cpu_stats *st)
{
	u32 metric = nf_metric(st->searched, st->found + st->created);

	seq_printf(m, "%-5s %6llu; %6llu %6llu %6llu [%u.%02u], %4llu %4llu %4llu %4llu, traffic: %llu, %llu MB, drop: %llu, %llu K\n",
		   label, pps, st->searched, st->found, st->created,
		   metric / 100, metric % 100, st->trunc, st->frag, st->alloc_fail,
		   st->maxflows, st->pkts, st->bytes >> 20, st->drop_pkts,
		   st->drop_bytes >> 10);
}

static void nf_show_cpus(struct seq_file *m, const struct nf_rates *r)
{
	struct nf_cpu_stats sum, st;
	char label[16];
	int cpu;

	seq_puts(m, "cpu#     pps; <search found new [metric], trunc frag alloc maxflows>, traffic: <pkt, bytes>, drop: <pkt, bytes>\n");
	nf_cache_stats(&sum);
	nf_show_cpu(m, "Total", nf_per_sec(r->s1.pkts, r->s1.t), &sum);

	mutex_lock(&nf_rate_mutex);
	for_each_possible_cpu(cpu) {
		nf_cache_cpu_stats(cpu, &st);
		/* An absent CPU that never counted anything is just noise. */
		if (!cpu_online(cpu) && !st.pkts && !st.drop_pkts)
			continue;
		snprintf(label, sizeof(label), "cpu%d", cpu);
		nf_show_cpu(m, label, nf_cpu_pps[cpu], &st);
	}
	mutex_unlock(&nf_rate_mutex);
}

static void nf_show_metric(struct seq_file *m, const struct nf_sample *d,
			   const char *post)
{
	u32 metric = nf_metric(d->searched, d->lookups);

	seq_printf(m, "%u.%02u%s", metric / 100, metric % 100, post);
}

static int nf_stat_show(struct seq_file *m, void *v)
{
	unsigned int flows = nf_cache_flows(), peak = nf_cache_flows_peak();
	unsigned int hsize = nf_cache_hashsize();
	unsigned int proto = nf_export_protocol();
	struct nf_export_stats es;
	unsigned long ago = 0;
	struct nf_rates r;
	u64 held_pkts, held_bytes, nat_start, nat_stop;

	nf_rates_get(&r);
	nf_export_get_stats(&es);
	nf_cache_held(&held_pkts, &held_bytes);
	/* The peak time is stale while the current count is the peak. */
	if (flows < peak)
		ago = (jiffies - nf_cache_peak_time()) / HZ;

	seq_printf(m, "ipt_NETFLOW version %s, srcversion %s\n",
		   NETFLOW_VERSION, THIS_MODULE->srcversion ?: "none");
	seq_printf(m, "Flows: active %u (peak %u reached %lud%luh%lum ago, maxflows %u), mem %zuK, worker delay %lu/%d, %zu bytes/flow.\n",
		   flows, peak, ago / 86400, ago / 3600 % 24, ago / 60 % 60,
		   READ_ONCE(nf_cfg.maxflows), nf_cache_memory() >> 10,
		   nf_cache_scan_interval(), HZ, nf_cache_flow_size());
	/* One table of hsize bucket pointers per possible CPU. */
	seq_printf(m, "Hash: size %u (mem %zuK), metric ", hsize,
		   ((size_t)hsize * sizeof(struct nf_flow *) *
		    num_possible_cpus()) >> 10);
	nf_show_metric(m, &r.s1, ", [");
	nf_show_metric(m, &r.m1, ", ");
	nf_show_metric(m, &r.m5, ", ");
	nf_show_metric(m, &r.m15, "]. ");
	seq_printf(m, "InHash: %llu pkt, %llu K\n", held_pkts, held_bytes >> 10);
	seq_printf(m, "Protocol version %u (%s), refresh-rate %u, timeout-rate %u. Timeouts: active %u, inactive %u. Maxflows %u\n",
		   proto, nf_protocol_name(proto),
		   READ_ONCE(nf_cfg.refresh_rate),
		   READ_ONCE(nf_cfg.timeout_rate),
		   READ_ONCE(nf_cfg.active_timeout),
		   READ_ONCE(nf_cfg.inactive_timeout),
		   READ_ONCE(nf_cfg.maxflows));
	seq_printf(m, "Rate: %llu bits/sec, %llu packets/sec; 1 min: %llu bps, %llu pps; 5 min: %llu bps, %llu pps\n",
		   nf_per_sec(r.s1.bytes * 8, r.s1.t),
		   nf_per_sec(r.s1.pkts, r.s1.t),
		   nf_per_sec(r.m1.bytes * 8, r.m1.t),
		   nf_per_sec(r.m1.pkts, r.m1.t),
		   nf_per_sec(r.m5.bytes * 8, r.m5.t),
		   nf_per_sec(r.m5.pkts, r.m5.t));
	nf_show_cpus(m, &r);
	seq_printf(m, "Export: Rate %llu bytes/s; Total %llu pkts, %llu MB, %llu flows; Errors %llu pkts; Lost %llu pkts, %llu flows.\n",
		   nf_per_sec(r.s1.out_bytes, r.s1.t), es.sent_pdus,
		   es.sent_bytes >> 20, es.flows, es.errors, es.lost_pdus,
		   es.lost_flows);
	nf_dest_show(m);
	nf_natevents_counts(&nat_start, &nat_stop);
	seq_printf(m, "Natevents %s, count start %llu, stop %llu.\n",
		   nf_natevents_active() ? "enabled" : "disabled",
		   nat_start, nat_stop);
	/* its own line: parsers of the one above expect it to end there */
	seq_printf(m, "Natevents queue: dropped %llu.\n",
		   nf_export_nat_dropped());
	return 0;
}

/* ---- /proc/net/stat/ipt_netflow_snmp ---- */

/* Every cache counter too, under the name the header gives it. */
static const struct {
	const char *key;
	size_t off;
} nf_stat_keys[] = {
#define NF_STAT_KEY(name, str) { "cache_" str, offsetof(struct nf_cpu_stats, name) },
	NF_CPU_STATS(NF_STAT_KEY)
#undef NF_STAT_KEY
};

static int nf_snmp_show(struct seq_file *m, void *v)
{
	struct nf_export_stats es;
	struct nf_cpu_stats sum;
	u64 held_pkts, held_bytes, nat_start, nat_stop;
	struct nf_rates r;
	unsigned int i;

	nf_rates_get(&r);
	nf_cache_stats(&sum);
	nf_export_get_stats(&es);
	nf_cache_held(&held_pkts, &held_bytes);

#define NF_KV(key, val)	seq_printf(m, "%-16s %llu\n", key, (u64)(val))
	NF_KV("inBitRate", nf_per_sec(r.s1.bytes * 8, r.s1.t));
	NF_KV("inPacketRate", nf_per_sec(r.s1.pkts, r.s1.t));
	NF_KV("inFlows", sum.created);
	NF_KV("inPackets", sum.pkts);
	NF_KV("inBytes", sum.bytes);
	/* hundredths, over the last minute */
	NF_KV("hashMetric", nf_metric(r.m1.searched, r.m1.lookups));
	NF_KV("hashMemory", (u64)nf_cache_hashsize() *
			    sizeof(struct nf_flow *) * num_possible_cpus());
	NF_KV("hashFlows", nf_cache_flows());
	NF_KV("hashPackets", held_pkts);
	NF_KV("hashBytes", held_bytes);
	NF_KV("dropPackets", sum.drop_pkts);
	NF_KV("dropBytes", sum.drop_bytes);
	NF_KV("outByteRate", nf_per_sec(r.s1.out_bytes, r.s1.t));
	NF_KV("outFlows", es.flows);
	NF_KV("outPackets", es.sent_pdus);
	NF_KV("outBytes", es.sent_bytes);
	NF_KV("lostFlows", es.lost_flows);
	NF_KV("lostPackets", es.lost_pdus);
	NF_KV("errTotal", es.errors);
	NF_KV("skippedFlows", es.skipped);
	NF_KV("sockCount", nf_dest_count());
	nf_natevents_counts(&nat_start, &nat_stop);
	NF_KV("natStart", nat_start);
	NF_KV("natStop", nat_stop);
	NF_KV("natDropped", nf_export_nat_dropped());
	for (i = 0; i < ARRAY_SIZE(nf_stat_keys); i++)
		NF_KV(nf_stat_keys[i].key,
		      *(const u64 *)((const char *)&sum + nf_stat_keys[i].off));
#undef NF_KV
	return 0;
}

/* ---- /proc/net/stat/ipt_netflow_flows ---- */

/*
 * The walk runs with bottom halves off on each CPU, so it only copies
 * flows into an array sized beforehand; the text is made later, as the
 * reader asks for it.  A copy costs 72 bytes; past NF_DUMP_MAX flows the
 * rest are counted, not shown, so a huge cache cannot exhaust memory.
 */
#define NF_DUMP_MAX	(1U << 18)

struct nf_flow_copy {
	struct in6_addr src, dst;	/* IPv4: first word */
	u64 bytes;
	u32 packets;
	u32 first, last;
	u32 iif, oif;
	__be16 sport, dport;
	u8 family, proto, tos, tcp_flags;
};

struct nf_dump {
	unsigned long now;		/* jiffies at the walk */
	unsigned int n, cap;
	u64 missed;
	struct nf_flow_copy *c;
};

static void nf_dump_flow(const struct nf_flow *f, void *arg)
{
	struct nf_dump *d = arg;
	struct nf_flow_copy *c;

	if (d->n >= d->cap) {
		d->missed++;
		return;
	}
	c = &d->c[d->n++];
	memset(c, 0, sizeof(*c));
	/* An IPv4 entry ends after its addresses: never read past them. */
	if (f->key.family == AF_INET) {
		c->src.s6_addr32[0] = f->key.v4.saddr;
		c->dst.s6_addr32[0] = f->key.v4.daddr;
	} else {
		c->src = f->key.v6.saddr;
		c->dst = f->key.v6.daddr;
	}
	c->bytes = f->bytes;
	c->packets = f->packets;
	c->first = f->first;
	c->last = f->last;
	c->iif = f->key.iif;
	c->oif = f->oif;
	c->sport = f->key.sport;
	c->dport = f->key.dport;
	c->family = f->key.family;
	c->proto = f->key.proto;
	c->tos = f->key.tos;
	c->tcp_flags = f->tcp_flags;
}

/* Positions: 0 the column names, 1..n the flows, n+1 the overflow note. */
#define NF_DUMP_MISSED	((void *)2)

static void *nf_flows_start(struct seq_file *m, loff_t *pos)
{
	struct nf_dump *d = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	if (*pos <= d->n)
		return &d->c[*pos - 1];
	if (*pos == d->n + 1 && d->missed)
		return NF_DUMP_MISSED;
	return NULL;
}

static void *nf_flows_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return nf_flows_start(m, pos);
}

static void nf_flows_stop(struct seq_file *m, void *v)
{
}

static int nf_flows_show(struct seq_file *m, void *v)
{
	const struct nf_dump *d = m->private;
	const struct nf_flow_copy *c = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# family proto src sport dst dport tos iif oif packets bytes tcp_flags age_ms idle_ms\n");
		return 0;
	}
	if (v == NF_DUMP_MISSED) {
		seq_printf(m, "# %llu more flows not shown (at most %u are)\n",
			   d->missed, NF_DUMP_MAX);
		return 0;
	}
	if (c->family == AF_INET)
		seq_printf(m, "ipv4 %u %pI4 %u %pI4 %u",
			   c->proto, &c->src.s6_addr32[0], ntohs(c->sport),
			   &c->dst.s6_addr32[0], ntohs(c->dport));
	else
		seq_printf(m, "ipv6 %u %pI6c %u %pI6c %u",
			   c->proto, &c->src, ntohs(c->sport),
			   &c->dst, ntohs(c->dport));
	seq_printf(m, " %u %u %u %u %llu 0x%02x %u %u\n",
		   c->tos, c->iif, c->oif, c->packets, c->bytes, c->tcp_flags,
		   jiffies_to_msecs((u32)d->now - c->first),
		   jiffies_to_msecs((u32)d->now - c->last));
	return 0;
}

static const struct seq_operations nf_flows_seq_ops = {
	.start	= nf_flows_start,
	.next	= nf_flows_next,
	.stop	= nf_flows_stop,
	.show	= nf_flows_show,
};

static int nf_flows_open(struct inode *inode, struct file *file)
{
	struct nf_dump *d;
	unsigned int want;
	int err;

	/* Mode 0400 is root's; the flows are everyone's traffic. */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	/* Room for flows created while we allocate. */
	want = nf_cache_flows();
	want = min_t(u64, (u64)want + want / 8 + 64, NF_DUMP_MAX);
	d->c = kvmalloc_array(want, sizeof(*d->c), GFP_KERNEL_ACCOUNT);
	if (!d->c) {
		kfree(d);
		return -ENOMEM;
	}
	d->cap = want;
	nf_cache_walk(nf_dump_flow, d);
	d->now = jiffies;

	err = seq_open(file, &nf_flows_seq_ops);
	if (err) {
		kvfree(d->c);
		kfree(d);
		return err;
	}
	((struct seq_file *)file->private_data)->private = d;
	return 0;
}

static int nf_flows_release(struct inode *inode, struct file *file)
{
	struct nf_dump *d = ((struct seq_file *)file->private_data)->private;

	kvfree(d->c);
	kfree(d);
	return seq_release(inode, file);
}

static const struct proc_ops nf_flows_proc_ops = {
	.proc_open	= nf_flows_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= nf_flows_release,
};

/* ---- life cycle ---- */

int nf_proc_init(void)
{
	struct proc_dir_entry *stat = init_net.proc_net_stat;

	nf_ring = kvcalloc(NF_SAMPLES, sizeof(*nf_ring), GFP_KERNEL);
	nf_cpu_pkts = kcalloc(nr_cpu_ids, sizeof(*nf_cpu_pkts), GFP_KERNEL);
	nf_cpu_pps = kcalloc(nr_cpu_ids, sizeof(*nf_cpu_pps), GFP_KERNEL);
	if (!nf_ring || !nf_cpu_pkts || !nf_cpu_pps)
		goto nomem;

	/* The first sample is the baseline every rate is measured from. */
	nf_ring_len = 0;
	nf_ring_head = 0;
	nf_sample_take();
	INIT_DELAYED_WORK(&nf_rate_work, nf_rate_work_fn);
	schedule_delayed_work(&nf_rate_work, HZ);

	if (!proc_create_single("ipt_netflow", 0444, stat, nf_stat_show) ||
	    !proc_create_single("ipt_netflow_snmp", 0444, stat,
				nf_snmp_show) ||
	    !proc_create("ipt_netflow_flows", 0400, stat,
			 &nf_flows_proc_ops)) {
		pr_err("cannot create /proc/net/stat/ipt_netflow*\n");
		nf_proc_uninit();
		return -ENOMEM;
	}
	return 0;

nomem:
	kvfree(nf_ring);
	kfree(nf_cpu_pkts);
	kfree(nf_cpu_pps);
	nf_ring = NULL;
	nf_cpu_pkts = NULL;
	nf_cpu_pps = NULL;
	return -ENOMEM;
}

void nf_proc_uninit(void)
{
	struct proc_dir_entry *stat = init_net.proc_net_stat;

	/*
	 * Each waits for readers inside and releases open files.  The
	 * subtree call is quiet about an entry a failed init never made.
	 */
	remove_proc_subtree("ipt_netflow_flows", stat);
	remove_proc_subtree("ipt_netflow_snmp", stat);
	remove_proc_subtree("ipt_netflow", stat);
	cancel_delayed_work_sync(&nf_rate_work);

	kvfree(nf_ring);
	kfree(nf_cpu_pkts);
	kfree(nf_cpu_pps);
	nf_ring = NULL;
	nf_cpu_pkts = NULL;
	nf_cpu_pps = NULL;
}
