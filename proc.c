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
#include "ctflows.h"
#include "export.h"
#include "hooks.h"
#include "ingress.h"
#include "ipt_NETFLOW.h"
#include "natevents.h"
#include "packet.h"
#include "proc.h"
#include "sampler.h"
#include "settings.h"
#include "socket.h"
#include "target.h"

/* ---- once-a-second sampler ---- */

#define NFL_SAMPLES	(15 * 60 + 1)	/* 15 minutes of 1 s steps */

struct nfl_sample {
	unsigned long t;		/* jiffies */
	u64 pkts;
	u64 bytes;
	u64 searched;
	u64 lookups;			/* found + new, the metric's divisor */
	u64 out_bytes;			/* export bytes sent, all sockets */
};

static struct nfl_sample *nfl_ring;
static unsigned int nfl_ring_head;	/* newest sample */
static unsigned int nfl_ring_len;	/* samples held */
/* Per CPU: packets at the newest sample, and the rate that led to it. */
static u64 *nfl_cpu_pkts;
static u64 *nfl_cpu_pps;
static DEFINE_MUTEX(nfl_rate_mutex);
static struct delayed_work nfl_rate_work;

static void nfl_sample_take(void)
{
	struct nfl_sample s = { };
	struct nfl_export_stats es;
	struct nfl_cpu_stats st;
	unsigned long dt;
	int cpu;

	nfl_export_get_stats(&es);
	s.out_bytes = es.sent_bytes;

	mutex_lock(&nfl_rate_mutex);
	s.t = jiffies;
	dt = nfl_ring_len ? s.t - nfl_ring[nfl_ring_head].t : 0;
	for_each_possible_cpu(cpu) {
		nfl_cache_cpu_stats(cpu, &st);
		s.pkts += st.pkts;
		s.bytes += st.bytes;
		s.searched += st.searched;
		s.lookups += st.found + st.created;
		nfl_cpu_pps[cpu] = dt ? div64_ul((st.pkts - nfl_cpu_pkts[cpu]) * HZ,
						dt) : 0;
		nfl_cpu_pkts[cpu] = st.pkts;
	}
	if (nfl_ring_len)
		nfl_ring_head = (nfl_ring_head + 1) % NFL_SAMPLES;
	nfl_ring[nfl_ring_head] = s;
	if (nfl_ring_len < NFL_SAMPLES)
		nfl_ring_len++;
	mutex_unlock(&nfl_rate_mutex);
}

static void nfl_rate_work_fn(struct work_struct *work)
{
	nfl_sample_take();
	schedule_delayed_work(&nfl_rate_work, HZ);
}

/* What changed over the last @secs samples.  Under nfl_rate_mutex. */
static void nfl_window(unsigned int secs, struct nfl_sample *d)
{
	const struct nfl_sample *a, *b = &nfl_ring[nfl_ring_head];
	unsigned int k = min(secs, nfl_ring_len - 1);

	a = &nfl_ring[(nfl_ring_head + NFL_SAMPLES - k) % NFL_SAMPLES];
	d->t = b->t - a->t;
	d->pkts = b->pkts - a->pkts;
	d->bytes = b->bytes - a->bytes;
	d->searched = b->searched - a->searched;
	d->lookups = b->lookups - a->lookups;
	d->out_bytes = b->out_bytes - a->out_bytes;
}

static u64 nfl_per_sec(u64 delta, unsigned long dt)
{
	return dt ? div64_ul(delta * HZ, dt) : 0;
}

/* Chain entries examined per lookup, in hundredths. */
static u32 nfl_metric(u64 searched, u64 lookups)
{
	return lookups ? min_t(u64, div64_u64(searched * 100, lookups),
			       U32_MAX) : 0;
}

/* The windows every file shows: 1 s, 1, 5 and 15 min. */
struct nfl_rates {
	struct nfl_sample s1, m1, m5, m15;
};

static void nfl_rates_get(struct nfl_rates *r)
{
	mutex_lock(&nfl_rate_mutex);
	nfl_window(1, &r->s1);
	nfl_window(60, &r->m1);
	nfl_window(5 * 60, &r->m5);
	nfl_window(15 * 60, &r->m15);
	mutex_unlock(&nfl_rate_mutex);
}

/* ---- /proc/net/stat/ipt_netflow ---- */

static const char *nfl_protocol_name(unsigned int protocol)
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

static void nfl_show_cpu(struct seq_file *m, const char *label, u64 pps,
			const struct nfl_cpu_stats *st)
{
	u32 metric = nfl_metric(st->searched, st->found + st->created);

	seq_printf(m, "%-5s %6llu; %6llu %6llu %6llu [%u.%02u], %4llu %4llu %4llu %4llu, traffic: %llu, %llu MB, drop: %llu, %llu K\n",
		   label, pps, st->searched, st->found, st->created,
		   metric / 100, metric % 100, st->trunc, st->frag, st->alloc_fail,
		   st->maxflows, st->pkts, st->bytes >> 20, st->drop_pkts,
		   st->drop_bytes >> 10);
}

static void nfl_show_cpus(struct seq_file *m, const struct nfl_rates *r)
{
	struct nfl_cpu_stats sum, st;
	char label[16];
	int cpu;

	seq_puts(m, "cpu#     pps; <search found new [metric], trunc frag alloc maxflows>, traffic: <pkt, bytes>, drop: <pkt, bytes>\n");
	nfl_cache_stats(&sum);
	nfl_show_cpu(m, "Total", nfl_per_sec(r->s1.pkts, r->s1.t), &sum);

	mutex_lock(&nfl_rate_mutex);
	for_each_possible_cpu(cpu) {
		nfl_cache_cpu_stats(cpu, &st);
		/* An absent CPU that never counted anything is just noise. */
		if (!cpu_online(cpu) && !st.pkts && !st.drop_pkts)
			continue;
		snprintf(label, sizeof(label), "cpu%d", cpu);
		nfl_show_cpu(m, label, nfl_cpu_pps[cpu], &st);
	}
	mutex_unlock(&nfl_rate_mutex);
}

static void nfl_show_metric(struct seq_file *m, const struct nfl_sample *d,
			   const char *post)
{
	u32 metric = nfl_metric(d->searched, d->lookups);

	seq_printf(m, "%u.%02u%s", metric / 100, metric % 100, post);
}

/*
 * sampler=: what it took and what it did not.  Packets skipped are
 * packet:N's and hash:N's (which keeps no flow for them); flows skipped
 * deterministic:N's and random:N's, metered and dropped at export with
 * the packets they held.
 */
static void nfl_show_sampler(struct seq_file *m,
			     const struct nfl_export_stats *es)
{
	struct nfl_samp_stats st;
	struct nfl_sampler smp;

	nfl_sampler_get(&smp);
	if (smp.mode == NFL_SAMP_OFF) {
		seq_puts(m, "Sampler: off.\n");
		return;
	}
	nfl_samp_stats(&st);
	seq_printf(m, "Sampler: %s:%u (id %u); packets taken %llu, skipped %llu; flows taken %llu, skipped %llu with %llu packets.\n",
		   nfl_samp_mode_name(smp.mode), smp.interval, NFL_SAMPLER_ID,
		   st.pkts_taken, st.pkts_skipped, st.flows_taken,
		   st.flows_skipped, es->unselected_packets);
}

static int nfl_stat_show(struct seq_file *m, void *v)
{
	unsigned int flows = nfl_cache_flows(), peak = nfl_cache_flows_peak();
	unsigned int hsize = nfl_cache_hashsize();
	unsigned int proto = nfl_export_protocol();
	struct nfl_export_stats es;
	unsigned long ago = 0;
	struct nfl_rates r;
	u64 held_pkts, held_bytes, nat_start, nat_stop;
	struct nfl_ctflows_stats ctf;

	nfl_rates_get(&r);
	nfl_export_get_stats(&es);
	nfl_cache_held(&held_pkts, &held_bytes);
	/* The peak time is stale while the current count is the peak. */
	if (flows < peak)
		ago = (jiffies - nfl_cache_peak_time()) / HZ;

	seq_printf(m, "ipt_NETFLOW version %s, srcversion %s\n",
		   NETFLOW_VERSION, THIS_MODULE->srcversion ?: "none");
	seq_printf(m, "Flows: active %u (peak %u reached %lud%luh%lum ago, maxflows %u), mem %zuK, worker delay %lu/%d, %zu bytes/flow.\n",
		   flows, peak, ago / 86400, ago / 3600 % 24, ago / 60 % 60,
		   READ_ONCE(nfl_cfg.maxflows), nfl_cache_memory() >> 10,
		   nfl_cache_scan_interval(), HZ, nfl_cache_flow_size());
	/* One table of hsize bucket pointers per possible CPU. */
	seq_printf(m, "Hash: size %u (mem %zuK), metric ", hsize,
		   ((size_t)hsize * sizeof(struct nfl_flow *) *
		    num_possible_cpus()) >> 10);
	nfl_show_metric(m, &r.s1, ", [");
	nfl_show_metric(m, &r.m1, ", ");
	nfl_show_metric(m, &r.m5, ", ");
	nfl_show_metric(m, &r.m15, "]. ");
	seq_printf(m, "InHash: %llu pkt, %llu K\n", held_pkts, held_bytes >> 10);
	/* its own line: parsers of the ones above expect them as they are */
	seq_printf(m, "BH-off: longest %llu us.\n",
		   div_u64(nfl_cache_bh_max_ns(), NSEC_PER_USEC));
	seq_printf(m, "Protocol version %u (%s), refresh-rate %u, timeout-rate %u. Timeouts: active %u, inactive %u. Maxflows %u\n",
		   proto, nfl_protocol_name(proto),
		   READ_ONCE(nfl_cfg.refresh_rate),
		   READ_ONCE(nfl_cfg.timeout_rate),
		   READ_ONCE(nfl_cfg.active_timeout),
		   READ_ONCE(nfl_cfg.inactive_timeout),
		   READ_ONCE(nfl_cfg.maxflows));
	seq_printf(m, "Rate: %llu bits/sec, %llu packets/sec; 1 min: %llu bps, %llu pps; 5 min: %llu bps, %llu pps\n",
		   nfl_per_sec(r.s1.bytes * 8, r.s1.t),
		   nfl_per_sec(r.s1.pkts, r.s1.t),
		   nfl_per_sec(r.m1.bytes * 8, r.m1.t),
		   nfl_per_sec(r.m1.pkts, r.m1.t),
		   nfl_per_sec(r.m5.bytes * 8, r.m5.t),
		   nfl_per_sec(r.m5.pkts, r.m5.t));
	nfl_show_cpus(m, &r);
	seq_printf(m, "Export: Rate %llu bytes/s; Total %llu pkts, %llu MB, %llu flows; Errors %llu pkts; Lost %llu pkts, %llu flows.\n",
		   nfl_per_sec(r.s1.out_bytes, r.s1.t), es.sent_pdus,
		   es.sent_bytes >> 20, es.flows, es.errors, es.lost_pdus,
		   es.lost_flows);
	nfl_dest_show(m);
	nfl_natevents_counts(&nat_start, &nat_stop);
	seq_printf(m, "Natevents %s, count start %llu, stop %llu.\n",
		   nfl_natevents_active() ? "enabled" : "disabled",
		   nat_start, nat_stop);
	/* its own line: parsers of the one above expect it to end there */
	seq_printf(m, "Natevents queue: dropped %llu.\n",
		   nfl_export_nat_dropped());
	nfl_packet_aggr_show(m);
	nfl_ctflows_get_stats(&ctf);
	seq_printf(m, "Ctflows %s, connections exported %llu, interim records %llu, dropped %llu, uncounted %llu.\n",
		   nfl_ctflows_active() ? "enabled" : "disabled",
		   ctf.connections, ctf.interim, ctf.dropped, ctf.uncounted);
	nfl_show_sampler(m, &es);
	/* where packets are metered: see double counting at a glance */
	seq_printf(m, "Capture: target NETFLOW %s (rules count their own packets: iptables -L -nvx).\n",
		   nfl_target_registered() ? "registered" : "not registered");
	nfl_hooks_show(m);
	nfl_ingress_show(m);
	return 0;
}

/* ---- /proc/net/stat/ipt_netflow_snmp ---- */

/* Every cache counter too, under the name the header gives it. */
static const struct {
	const char *key;
	size_t off;
} nfl_stat_keys[] = {
#define NFL_STAT_KEY(name, str) { "cache_" str, offsetof(struct nfl_cpu_stats, name) },
	NFL_CPU_STATS(NFL_STAT_KEY)
#undef NFL_STAT_KEY
};

static int nfl_snmp_show(struct seq_file *m, void *v)
{
	struct nfl_export_stats es;
	struct nfl_cpu_stats sum;
	u64 held_pkts, held_bytes, nat_start, nat_stop;
	struct nfl_ctflows_stats ctf;
	/*
	 * Read before the tables' count: a flow moving from a table to the
	 * exporter in between is then counted once or not at all, so the
	 * two never add up to more flows than memory held.
	 */
	unsigned long export_held = nfl_export_held(NULL, NULL);
	struct nfl_rates r;
	unsigned int i;

	nfl_rates_get(&r);
	nfl_cache_stats(&sum);
	nfl_export_get_stats(&es);
	nfl_cache_held(&held_pkts, &held_bytes);

#define NFL_KV(key, val)	seq_printf(m, "%-16s %llu\n", key, (u64)(val))
	NFL_KV("inBitRate", nfl_per_sec(r.s1.bytes * 8, r.s1.t));
	NFL_KV("inPacketRate", nfl_per_sec(r.s1.pkts, r.s1.t));
	NFL_KV("inFlows", sum.created);
	NFL_KV("inPackets", sum.pkts);
	NFL_KV("inBytes", sum.bytes);
	/* hundredths, over the last minute */
	NFL_KV("hashMetric", nfl_metric(r.m1.searched, r.m1.lookups));
	NFL_KV("hashMemory", (u64)nfl_cache_hashsize() *
			    sizeof(struct nfl_flow *) * num_possible_cpus());
	NFL_KV("hashFlows", nfl_cache_flows());
	NFL_KV("hashPackets", held_pkts);
	NFL_KV("hashBytes", held_bytes);
	/* expired, queued for export or being sent: freed once sent */
	NFL_KV("exportHeld", export_held);
	NFL_KV("bhOffMaxUs", div_u64(nfl_cache_bh_max_ns(), NSEC_PER_USEC));
	NFL_KV("dropPackets", sum.drop_pkts);
	NFL_KV("dropBytes", sum.drop_bytes);
	NFL_KV("outByteRate", nfl_per_sec(r.s1.out_bytes, r.s1.t));
	NFL_KV("outFlows", es.flows);
	NFL_KV("outPackets", es.sent_pdus);
	NFL_KV("outBytes", es.sent_bytes);
	NFL_KV("lostFlows", es.lost_flows);
	NFL_KV("lostPackets", es.lost_pdus);
	NFL_KV("errTotal", es.errors);
	NFL_KV("skippedFlows", es.skipped);
	NFL_KV("sockCount", nfl_dest_count());
	nfl_natevents_counts(&nat_start, &nat_stop);
	NFL_KV("natStart", nat_start);
	NFL_KV("natStop", nat_stop);
	NFL_KV("natDropped", nfl_export_nat_dropped());
	nfl_packet_aggr_show(m);
	nfl_ctflows_get_stats(&ctf);
	NFL_KV("ctConnections", ctf.connections);
	NFL_KV("ctInterim", ctf.interim);
	NFL_KV("ctDropped", ctf.dropped);
	NFL_KV("ctUncounted", ctf.uncounted);
	NFL_KV("hookPackets", nfl_hooks_packets());
	for (i = 0; i < ARRAY_SIZE(nfl_stat_keys); i++)
		NFL_KV(nfl_stat_keys[i].key,
		      *(const u64 *)((const char *)&sum + nfl_stat_keys[i].off));
#undef NFL_KV
	return 0;
}

/* ---- /proc/net/stat/ipt_netflow_flows ---- */

/*
 * The walk runs with bottom halves off on each CPU, so it only copies
 * flows into an array sized beforehand; the text is made later, as the
 * reader asks for it.  A copy costs 72 bytes; past NFL_DUMP_MAX flows the
 * rest are counted, not shown, so a huge cache cannot exhaust memory.
 */
#define NFL_DUMP_MAX	(1U << 18)

struct nfl_flow_copy {
	struct in6_addr src, dst;	/* IPv4: first word */
	u64 bytes;
	u32 packets;
	u32 first, last;
	u32 iif, oif;
	__be16 sport, dport;
	u8 family, proto, tos, tcp_flags;
};

struct nfl_dump {
	unsigned long now;		/* jiffies at the walk */
	unsigned int n, cap;
	u64 missed;
	struct nfl_flow_copy *c;
};

static void nfl_dump_flow(const struct nfl_flow *f, void *arg)
{
	struct nfl_dump *d = arg;
	struct nfl_flow_copy *c;

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
#define NFL_DUMP_MISSED	((void *)2)

static void *nfl_flows_start(struct seq_file *m, loff_t *pos)
{
	struct nfl_dump *d = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	if (*pos <= d->n)
		return &d->c[*pos - 1];
	if (*pos == d->n + 1 && d->missed)
		return NFL_DUMP_MISSED;
	return NULL;
}

static void *nfl_flows_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return nfl_flows_start(m, pos);
}

static void nfl_flows_stop(struct seq_file *m, void *v)
{
}

static int nfl_flows_show(struct seq_file *m, void *v)
{
	const struct nfl_dump *d = m->private;
	const struct nfl_flow_copy *c = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# family proto src sport dst dport tos iif oif packets bytes tcp_flags age_ms idle_ms\n");
		return 0;
	}
	if (v == NFL_DUMP_MISSED) {
		seq_printf(m, "# %llu more flows not shown (at most %u are)\n",
			   d->missed, NFL_DUMP_MAX);
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

static const struct seq_operations nfl_flows_seq_ops = {
	.start	= nfl_flows_start,
	.next	= nfl_flows_next,
	.stop	= nfl_flows_stop,
	.show	= nfl_flows_show,
};

static int nfl_flows_open(struct inode *inode, struct file *file)
{
	struct nfl_dump *d;
	unsigned int want;
	int err;

	/* Mode 0400 is root's; the flows are everyone's traffic. */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	/* Room for flows created while we allocate. */
	want = nfl_cache_flows();
	want = min_t(u64, (u64)want + want / 8 + 64, NFL_DUMP_MAX);
	d->c = kvmalloc_array(want, sizeof(*d->c), GFP_KERNEL_ACCOUNT);
	if (!d->c) {
		kfree(d);
		return -ENOMEM;
	}
	d->cap = want;
	nfl_cache_walk(nfl_dump_flow, d);
	d->now = jiffies;

	err = seq_open(file, &nfl_flows_seq_ops);
	if (err) {
		kvfree(d->c);
		kfree(d);
		return err;
	}
	((struct seq_file *)file->private_data)->private = d;
	return 0;
}

static int nfl_flows_release(struct inode *inode, struct file *file)
{
	struct nfl_dump *d = ((struct seq_file *)file->private_data)->private;

	kvfree(d->c);
	kfree(d);
	return seq_release(inode, file);
}

static const struct proc_ops nfl_flows_proc_ops = {
	.proc_open	= nfl_flows_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= nfl_flows_release,
};

/* ---- life cycle ---- */

static void nfl_proc_free(void)
{
	kvfree(nfl_ring);
	kfree(nfl_cpu_pkts);
	kfree(nfl_cpu_pps);
	nfl_ring = NULL;
	nfl_cpu_pkts = NULL;
	nfl_cpu_pps = NULL;
}

int nfl_proc_init(void)
{
	struct proc_dir_entry *stat = init_net.proc_net_stat;

	nfl_ring = kvcalloc(NFL_SAMPLES, sizeof(*nfl_ring), GFP_KERNEL);
	nfl_cpu_pkts = kcalloc(nr_cpu_ids, sizeof(*nfl_cpu_pkts), GFP_KERNEL);
	nfl_cpu_pps = kcalloc(nr_cpu_ids, sizeof(*nfl_cpu_pps), GFP_KERNEL);
	if (!nfl_ring || !nfl_cpu_pkts || !nfl_cpu_pps)
		goto nomem;

	/* The first sample is the baseline every rate is measured from. */
	nfl_ring_len = 0;
	nfl_ring_head = 0;
	nfl_sample_take();
	INIT_DELAYED_WORK(&nfl_rate_work, nfl_rate_work_fn);
	schedule_delayed_work(&nfl_rate_work, HZ);

	if (!proc_create_single("ipt_netflow", 0444, stat, nfl_stat_show) ||
	    !proc_create_single("ipt_netflow_snmp", 0444, stat,
				nfl_snmp_show) ||
	    !proc_create("ipt_netflow_flows", 0400, stat,
			 &nfl_flows_proc_ops)) {
		pr_err("cannot create /proc/net/stat/ipt_netflow*\n");
		nfl_proc_uninit();
		return -ENOMEM;
	}
	return 0;

nomem:
	nfl_proc_free();
	pr_err("cannot allocate the statistics of /proc/net/stat/ipt_netflow\n");
	return -ENOMEM;
}

void nfl_proc_uninit(void)
{
	struct proc_dir_entry *stat = init_net.proc_net_stat;

	/*
	 * Each waits for readers inside and releases open files.  The
	 * subtree call is quiet about an entry a failed init never made.
	 */
	remove_proc_subtree("ipt_netflow_flows", stat);
	remove_proc_subtree("ipt_netflow_snmp", stat);
	remove_proc_subtree("ipt_netflow", stat);
	cancel_delayed_work_sync(&nfl_rate_work);
	nfl_proc_free();
}
