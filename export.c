// SPDX-License-Identifier: GPL-2.0-only
/*
 * Export: the queue of expired flows and the worker that packs them into
 * PDUs of the configured protocol and sends each to every collector.
 *
 * The cache's scan workers append chains of expired flows (with bottom
 * halves off) and kick the worker; the worker takes the whole queue at
 * once, so the queue lock is held only for a pointer swap and never while
 * encoding or sending.  Everything the worker touches besides the queue is
 * serialised by nf_export_mutex, which a protocol switch also takes.
 *
 * The worker runs on its own ordered workqueue rather than on
 * system_unbound_wq:
 *  - flows are freed only here, so under memory pressure the exporter must
 *    still run: WQ_MEM_RECLAIM gives it a rescuer thread, where a shared
 *    queue might wait for a new kworker that cannot be allocated;
 *  - ordered: a later work item (say, a timer-driven template refresh)
 *    runs strictly one at a time with the export run, without more locking;
 *  - exit can drain and destroy it, which proves no run is left;
 *  - time spent exporting shows up under its own name in ps and in the
 *    workqueue tracepoints.
 *
 * v9 and IPFIX also want PDUs without flows: the minute's statistics and
 * the first templates.  A delayed work on the same queue (the tick) sends
 * them when the encoder says they are due, and sleeps until then.
 */
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "cache.h"
#include "encoder.h"
#include "export.h"
#include "ipt_NETFLOW.h"
#include "settings.h"
#include "socket.h"

static const struct nf_encoder *const nf_encoders[] = {
	&nf_v5_encoder,
	&nf_v9_encoder,
	&nf_ipfix_encoder,
};

/*
 * A FIFO of records linked through their first member: expired flows and
 * NAT events.  Producers append under the lock (any context but NMI); the
 * worker takes the whole list at once, so the lock is held only for a
 * pointer swap and never while encoding or sending.
 */
struct nf_qnode {
	struct nf_qnode *next;
};

static_assert(offsetof(struct nf_flow, next) == 0);
static_assert(offsetof(struct nf_nat_event, next) == 0);

struct nf_queue {
	spinlock_t lock;
	struct nf_qnode *head, *tail;
	unsigned int len;		/* records queued */
	unsigned int max;		/* more are dropped; 0: no bound */
	u64 dropped;
};

#define NF_QUEUE_INIT(name, bound) {					\
	.lock = __SPIN_LOCK_UNLOCKED(name.lock), .max = (bound) }

/* Expired flows, bounded by maxflows in the cache. */
static struct nf_queue nf_flowq = NF_QUEUE_INIT(nf_flowq, 0);
/* NAT events the exporter has not taken yet; the rest are dropped. */
#define NF_NAT_QUEUE_MAX	16384
static struct nf_queue nf_natq = NF_QUEUE_INIT(nf_natq, NF_NAT_QUEUE_MAX);

/* Append @n records @head..@tail, or none if the bound would be passed. */
static bool nf_queue_add(struct nf_queue *q, void *head, void *tail,
			 unsigned int n)
{
	struct nf_qnode *h = head, *t = tail;
	unsigned long flags;
	bool ok;

	t->next = NULL;
	spin_lock_irqsave(&q->lock, flags);
	ok = !q->max || q->len + n <= q->max;
	if (ok) {
		if (q->tail)
			q->tail->next = h;
		else
			q->head = h;
		q->tail = t;
		q->len += n;
	} else {
		q->dropped += n;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return ok;
}

static void *nf_queue_take(struct nf_queue *q)
{
	struct nf_qnode *head;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	head = q->head;
	q->head = NULL;
	q->tail = NULL;
	q->len = 0;
	spin_unlock_irqrestore(&q->lock, flags);
	return head;
}

static u64 nf_queue_dropped(struct nf_queue *q)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&q->lock, flags);
	n = q->dropped;
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

static void nf_export_work(struct work_struct *work);
static DECLARE_WORK(nf_export_work_item, nf_export_work);
static void nf_export_tick(struct work_struct *work);
static DECLARE_DELAYED_WORK(nf_tick_item, nf_export_tick);
/* The tick sleeps at most this long (protocol 5 has nothing for it). */
#define NF_TICK_MAX_MS		60000
/* PDUs without flows in one go, at most: a long interface table. */
#define NF_IDLE_PDUS		64
/* NULL before init and after exit: a stray kick then finds nothing to do. */
static struct workqueue_struct *nf_export_wq;

static DEFINE_MUTEX(nf_export_mutex);
static struct nf_enc *nf_enc;			/* under nf_export_mutex */
/* The interface table the encoder reads from, under nf_export_mutex. */
static struct nf_iface *nf_ifaces;
static unsigned int nf_export_proto;		/* nf_enc's, for lockless reads */

#define NF_EXPORT_RESYNC	0
static unsigned long nf_export_flags;

static DEFINE_SPINLOCK(nf_stats_lock);
static struct nf_export_stats nf_stats;

void nf_export_queue(struct nf_flow *head, struct nf_flow *tail,
		     unsigned int n)
{
	if (head)
		nf_queue_add(&nf_flowq, head, tail, n);
}

void nf_export_queue_nat(struct nf_nat_event *ev)
{
	unsigned long flags;

	if (!ev) {
		spin_lock_irqsave(&nf_natq.lock, flags);
		nf_natq.dropped++;
		spin_unlock_irqrestore(&nf_natq.lock, flags);
		return;
	}
	if (!nf_queue_add(&nf_natq, ev, ev, 1))
		kfree(ev);
}

u64 nf_export_nat_dropped(void)
{
	return nf_queue_dropped(&nf_natq);
}

void nf_export_kick(void)
{
	struct workqueue_struct *wq = READ_ONCE(nf_export_wq);

	if (wq)
		queue_work(wq, &nf_export_work_item);
}

void nf_export_sync(void)
{
	/* The caller may have queued without kicking. */
	nf_export_kick();
	flush_work(&nf_export_work_item);
}

void nf_export_resend_templates(void)
{
	set_bit(NF_EXPORT_RESYNC, &nf_export_flags);
	/* Collectors that just (re)appeared need templates before data. */
	nf_export_kick();
}

void nf_export_get_stats(struct nf_export_stats *st)
{
	spin_lock(&nf_stats_lock);
	*st = nf_stats;
	spin_unlock(&nf_stats_lock);
}

unsigned int nf_export_protocol(void)
{
	return READ_ONCE(nf_export_proto);
}

static void nf_export_now(struct nf_export_time *t)
{
	u64 j = get_jiffies_64();

	t->jiffies = (u32)j;
	t->uptime_ms = (u32)jiffies64_to_msecs(j - INITIAL_JIFFIES);
	ktime_get_real_ts64(&t->wall);
}

/*
 * Rows for the interface table: init_net's interfaces, the first
 * NF_IF_MAX of them.  A name read while the interface is renamed may mix
 * the two; the next refresh has it right.
 */
static unsigned int nf_ifaces_take(struct nf_iface *rows)
{
	const struct dev_ifalias *alias;
	struct net_device *dev;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_netdev_rcu(&init_net, dev) {
		if (n == NF_IF_MAX)
			break;
		rows[n].ifindex = dev->ifindex;
		strscpy(rows[n].name, dev->name, sizeof(rows[n].name));
		alias = rcu_dereference(dev->ifalias);
		strscpy(rows[n].desc, alias ? alias->ifalias : "",
			sizeof(rows[n].desc));
		n++;
	}
	rcu_read_unlock();
	return n;
}

/* "ipt_NETFLOW <version> on <host name>", the host's, not a container's */
static void nf_domain_name(char *buf, size_t size)
{
	char host[sizeof(init_utsname()->nodename)];

	/* uts_sem is not exported: a racing sethostname() may tear it */
	memcpy(host, init_utsname()->nodename, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, size, "ipt_NETFLOW %s on %s", NETFLOW_VERSION, host);
}

/* What the options records due (NF_OPT_DUE_*) tell; process context. */
static void nf_opt_gather(struct nf_enc *e, unsigned int due)
{
	struct nf_opt_input *o = &e->opt;
	struct nf_cpu_stats cs;

	nf_cache_stats(&cs);
	o->observed_flows = cs.created;
	o->ignored_packets = cs.drop_pkts;
	o->ignored_octets = cs.drop_bytes;
	spin_lock(&nf_stats_lock);
	o->lost_flows = nf_stats.lost_flows + nf_stats.skipped;
	o->lost_packets = nf_stats.lost_packets + nf_stats.skipped_packets;
	o->lost_octets = nf_stats.lost_bytes + nf_stats.skipped_bytes;
	spin_unlock(&nf_stats_lock);
	nf_domain_name(o->domain_name, sizeof(o->domain_name));
	if ((due & NF_OPT_DUE_TEMPLATES) && nf_ifaces) {
		o->n_ifaces = nf_ifaces_take(nf_ifaces);
		o->ifaces = nf_ifaces;
	}
}

static void nf_pdu_begin(struct nf_enc *e)
{
	struct nf_export_time t;
	unsigned int due;

	/* Settings take effect at the next PDU, never inside one. */
	e->engine_id = READ_ONCE(nf_cfg.engine_id);
	e->refresh_rate = READ_ONCE(nf_cfg.refresh_rate);
	e->timeout_rate = READ_ONCE(nf_cfg.timeout_rate);
	e->nat_legacy = READ_ONCE(nf_cfg.natevents_legacy);
	if (test_and_clear_bit(NF_EXPORT_RESYNC, &nf_export_flags))
		e->resync = true;
	nf_export_now(&t);
	due = e->ops->opt_due ? e->ops->opt_due(e, &t) : 0;
	if (due)
		nf_opt_gather(e, due);
	e->ops->begin(e, &t);
	e->packets = 0;
	e->octets = 0;
}

static void nf_pdu_send(struct nf_enc *e)
{
	unsigned int flows = e->records, ndest, failed, ok;
	u64 packets = e->packets, octets = e->octets;
	size_t len = e->ops->finish(e);

	if (!len)
		return;
	failed = max(nf_dest_send_all(e->buf, len, flows), 0);
	ndest = nf_dest_count();
	ok = ndest > failed ? ndest - failed : 0;

	spin_lock(&nf_stats_lock);
	nf_stats.pdus++;
	nf_stats.flows += flows;
	nf_stats.sent_pdus += ok;
	nf_stats.sent_bytes += (u64)len * ok;
	nf_stats.errors += failed;
	/* With no collector at all the flows reached nobody either. */
	if (failed || !ndest) {
		nf_stats.lost_pdus++;
		nf_stats.lost_flows += flows;
		nf_stats.lost_packets += packets;
		nf_stats.lost_bytes += octets;
	}
	spin_unlock(&nf_stats_lock);
}

/* Send what the encoder has due without flows; ms until it has more. */
static u32 nf_export_idle(struct nf_enc *e)
{
	struct nf_export_time t;
	unsigned int i;

	if (!e->ops->opt_wait)
		return NF_TICK_MAX_MS;
	for (i = 0; i < NF_IDLE_PDUS; i++) {
		nf_export_now(&t);
		if (e->ops->opt_wait(e, &t))
			break;
		nf_pdu_begin(e);
		nf_pdu_send(e);
	}
	nf_export_now(&t);
	return e->ops->opt_wait(e, &t);
}

/*
 * Add one record, a flow @f or else NAT event @ev, opening a PDU if none
 * is (*@open).  A full PDU is sent and the record retried once in a fresh
 * one.  0, or the encoder's error: -EAFNOSUPPORT for a record the
 * protocol cannot carry.
 */
static int nf_pdu_add(struct nf_enc *e, bool *open, const struct nf_flow *f,
		      const struct nf_nat_event *ev)
{
	int err;

	if (!*open) {
		nf_pdu_begin(e);
		*open = true;
	}
	err = f ? e->ops->add(e, f) : e->ops->add_nat(e, ev);
	if (err != -ENOSPC)
		return err;
	nf_pdu_send(e);
	cond_resched();
	nf_pdu_begin(e);
	err = f ? e->ops->add(e, f) : e->ops->add_nat(e, ev);
	/* an encoder bug: a record no PDU can hold */
	WARN_ON_ONCE(err == -ENOSPC);
	return err;
}

struct nf_drain {
	bool open;			/* a PDU is begun */
	u64 skipped, skipped_packets, skipped_bytes;
};

static void nf_drain_flows(struct nf_enc *e, struct nf_drain *d)
{
	struct nf_flow *f, *next;

	while ((f = nf_queue_take(&nf_flowq))) {
		for (; f; f = next) {
			next = f->next;
			if (nf_pdu_add(e, &d->open, f, NULL)) {
				d->skipped++;
				d->skipped_packets += f->packets;
				d->skipped_bytes += f->bytes;
			} else {
				e->packets += f->packets;
				e->octets += f->bytes;
			}
			nf_cache_free(f);
		}
	}
}

/* NAT events after the flows, in the PDU the flows left open. */
static void nf_drain_nat(struct nf_enc *e, struct nf_drain *d)
{
	struct nf_nat_event *ev, *next;

	while ((ev = nf_queue_take(&nf_natq))) {
		for (; ev; ev = next) {
			next = ev->next;
			if (nf_pdu_add(e, &d->open, NULL, ev))
				d->skipped++;
			kfree(ev);
		}
	}
}

/*
 * Export everything queued, in queue order.  Full PDUs go out as they
 * fill; the last, partial one goes out when the queues are empty rather
 * than waiting for more, so a record is never held back.
 */
static void nf_export_drain(struct nf_enc *e)
{
	struct nf_drain d = { };

	nf_drain_flows(e, &d);
	nf_drain_nat(e, &d);
	/* Templates asked for while there were no flows to carry them. */
	if (!d.open && test_bit(NF_EXPORT_RESYNC, &nf_export_flags)) {
		nf_pdu_begin(e);
		d.open = true;
	}
	if (d.open)
		nf_pdu_send(e);

	spin_lock(&nf_stats_lock);
	nf_stats.skipped += d.skipped;
	nf_stats.skipped_packets += d.skipped_packets;
	nf_stats.skipped_bytes += d.skipped_bytes;
	spin_unlock(&nf_stats_lock);
	/* the rest of an interface table, now rather than with later flows */
	nf_export_idle(e);
}

static void nf_export_work(struct work_struct *work)
{
	mutex_lock(&nf_export_mutex);
	if (nf_enc)
		nf_export_drain(nf_enc);
	mutex_unlock(&nf_export_mutex);
}

static void nf_export_tick(struct work_struct *work)
{
	struct workqueue_struct *wq;
	u32 ms = NF_TICK_MAX_MS;

	mutex_lock(&nf_export_mutex);
	if (nf_enc)
		ms = nf_export_idle(nf_enc);
	mutex_unlock(&nf_export_mutex);
	/* NULL once exit began, which then cancels this work */
	wq = READ_ONCE(nf_export_wq);
	if (wq)
		queue_delayed_work(wq, &nf_tick_item,
				   msecs_to_jiffies(clamp_t(u32, ms, MSEC_PER_SEC,
							    NF_TICK_MAX_MS)));
}

const struct nf_encoder *nf_encoder_find(unsigned int protocol)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nf_encoders); i++)
		if (nf_encoders[i]->protocol == protocol)
			return nf_encoders[i];
	return NULL;
}

static void nf_enc_destroy(struct nf_enc *e)
{
	if (!e)
		return;
	if (e->ops->release)
		e->ops->release(e);
	kfree(e->buf);
	kfree(e);
}

static struct nf_enc *nf_enc_create(const struct nf_encoder *ops)
{
	struct nf_enc *e;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return NULL;
	e->ops = ops;
	e->size = ops->pdu_size;
	/* A new stream: collectors know none of its templates yet. */
	e->resync = true;
	e->buf = kmalloc(e->size, GFP_KERNEL);
	if (!e->buf || (ops->init && ops->init(e))) {
		kfree(e->buf);
		kfree(e);
		return NULL;
	}
	return e;
}

int nf_export_set_protocol(unsigned int protocol)
{
	const struct nf_encoder *ops = nf_encoder_find(protocol);
	struct nf_enc *e;

	if (!ops)
		return -EPROTONOSUPPORT;
	mutex_lock(&nf_export_mutex);
	if (nf_enc && nf_enc->ops == ops) {
		mutex_unlock(&nf_export_mutex);
		return 0;
	}
	/* Allocate first: on failure the old protocol stays in force. */
	e = nf_enc_create(ops);
	if (!e) {
		mutex_unlock(&nf_export_mutex);
		return -ENOMEM;
	}
	/* Flows metered under the old protocol are sent in it. */
	if (nf_enc)
		nf_export_drain(nf_enc);
	nf_enc_destroy(nf_enc);
	nf_enc = e;
	WRITE_ONCE(nf_export_proto, protocol);
	mutex_unlock(&nf_export_mutex);
	return 0;
}

int nf_export_init(unsigned int protocol)
{
	struct workqueue_struct *wq;
	int err;

	err = nf_export_set_protocol(protocol);
	if (err) {
		pr_err("protocol=%u: %s\n", protocol,
		       err == -EPROTONOSUPPORT ?
		       "not supported by this build" : "cannot start exporter");
		return err == -EPROTONOSUPPORT ? -EINVAL : err;
	}
	nf_ifaces = kvcalloc(NF_IF_MAX, sizeof(*nf_ifaces), GFP_KERNEL);
	wq = alloc_ordered_workqueue("ipt_netflow_export", WQ_MEM_RECLAIM);
	if (!wq || !nf_ifaces) {
		if (wq)
			destroy_workqueue(wq);
		mutex_lock(&nf_export_mutex);
		nf_enc_destroy(nf_enc);
		nf_enc = NULL;
		kvfree(nf_ifaces);
		nf_ifaces = NULL;
		mutex_unlock(&nf_export_mutex);
		pr_err("cannot start the exporter: out of memory\n");
		return -ENOMEM;
	}
	WRITE_ONCE(nf_export_wq, wq);
	/* the first templates and system record, even before any flow */
	queue_delayed_work(wq, &nf_tick_item, HZ);
	return 0;
}

void nf_export_uninit(void)
{
	struct workqueue_struct *wq = nf_export_wq;

	WRITE_ONCE(nf_export_wq, NULL);
	/*
	 * The tick requeues itself unless it reads NULL above; the cancel
	 * waits for a run in progress and keeps it from requeueing, so no
	 * timer is left to fire into a destroyed queue.
	 */
	cancel_delayed_work_sync(&nf_tick_item);
	/* Lets a run in progress, and one it requeued, finish first. */
	if (wq)
		destroy_workqueue(wq);

	mutex_lock(&nf_export_mutex);
	/* Records queued without a kick still go out. */
	if (nf_enc)
		nf_export_drain(nf_enc);
	nf_enc_destroy(nf_enc);
	nf_enc = NULL;
	kvfree(nf_ifaces);
	nf_ifaces = NULL;
	mutex_unlock(&nf_export_mutex);
}
