// SPDX-License-Identifier: GPL-2.0-only
/*
 * Export: the queue of expired flows and the worker that packs them into
 * PDUs of the configured protocol and sends each to every collector.
 *
 * The cache's scan workers append chains of expired flows (with bottom
 * halves off), natevents.c NAT events and ctflows.c connection records,
 * and each kicks the worker; the worker takes the whole queue at
 * once, so the queue lock is held only for a pointer swap and never while
 * encoding or sending.  Everything the worker touches besides the queue is
 * serialised by nfl_export_mutex, which a protocol switch also takes.
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
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "cache.h"
#include "encoder.h"
#include "export.h"
#include "fields.h"
#include "sampler.h"
#include "ipt_NETFLOW.h"
#include "settings.h"
#include "socket.h"

static const struct nfl_encoder *const nfl_encoders[] = {
	&nfl_v5_encoder,
	&nfl_v9_encoder,
	&nfl_ipfix_encoder,
};

/*
 * A FIFO of records linked through their first member: expired flows,
 * NAT events and connection records.  Producers append under the lock (any context but NMI); the
 * worker takes the whole list at once, so the lock is held only for a
 * pointer swap and never while encoding or sending.
 */
struct nfl_qnode {
	struct nfl_qnode *next;
};

static_assert(offsetof(struct nfl_flow, next) == 0);
static_assert(offsetof(struct nfl_nat_event, next) == 0);
static_assert(offsetof(struct nfl_ct_record, next) == 0);

struct nfl_queue {
	spinlock_t lock;
	struct nfl_qnode *head, *tail;
	unsigned int len;		/* records queued */
	unsigned int max;		/* more are dropped; 0: no bound */
	u64 dropped;
};

#define NFL_QUEUE_INIT(name, bound) {					\
	.lock = __SPIN_LOCK_UNLOCKED(name.lock), .max = (bound) }

/* Expired flows, bounded by maxflows in the cache. */
static struct nfl_queue nfl_flowq = NFL_QUEUE_INIT(nfl_flowq, 0);
/* NAT events the exporter has not taken yet; the rest are dropped. */
#define NFL_NAT_QUEUE_MAX	16384
static struct nfl_queue nfl_natq = NFL_QUEUE_INIT(nfl_natq, NFL_NAT_QUEUE_MAX);
/*
 * Connection records (ctflows): 64 Ki of them, about 10 MiB, the end of
 * a connection flush (conntrack -F) at a time.
 */
#define NFL_CT_QUEUE_MAX	65536
static struct nfl_queue nfl_ctq = NFL_QUEUE_INIT(nfl_ctq, NFL_CT_QUEUE_MAX);

/* Append @n records @head..@tail, or none if the bound would be passed. */
static bool nfl_queue_add(struct nfl_queue *q, void *head, void *tail,
			 unsigned int n)
{
	struct nfl_qnode *h = head, *t = tail;
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

static void *nfl_queue_take(struct nfl_queue *q)
{
	struct nfl_qnode *head;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	head = q->head;
	q->head = NULL;
	q->tail = NULL;
	q->len = 0;
	spin_unlock_irqrestore(&q->lock, flags);
	return head;
}

static u64 nfl_queue_dropped(struct nfl_queue *q)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&q->lock, flags);
	n = q->dropped;
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

static void nfl_export_work(struct work_struct *work);
static DECLARE_WORK(nfl_export_work_item, nfl_export_work);
static void nfl_export_tick(struct work_struct *work);
static DECLARE_DELAYED_WORK(nfl_tick_item, nfl_export_tick);
/* The tick sleeps at most this long (protocol 5 has nothing for it). */
#define NFL_TICK_MAX_MS		60000
/* PDUs without flows in one go, at most: a long interface table. */
#define NFL_IDLE_PDUS		64
/* NULL before init and after exit: a stray kick then finds nothing to do. */
static struct workqueue_struct *nfl_export_wq;

static DEFINE_MUTEX(nfl_export_mutex);
static struct nfl_enc *nfl_enc;			/* under nfl_export_mutex */
/* The interface table the encoder reads from, under nfl_export_mutex. */
static struct nfl_iface *nfl_ifaces;
static unsigned int nfl_export_proto;		/* nfl_enc's, for lockless reads */
/* fields= for the templates, under nfl_export_mutex */
static unsigned int nfl_export_fields;
/* sampler= the records tell, under nfl_export_mutex */
static struct nfl_sampler nfl_export_sampler;

/* snmp-rules=, under nfl_export_mutex; NULL: none */
struct nfl_snmp {
	unsigned int n;
	struct nfl_snmp_rule rule[NFL_SNMP_RULES_MAX];
};
static struct nfl_snmp *nfl_snmp;

#define NFL_EXPORT_RESYNC	0
static unsigned long nfl_export_flags;

static DEFINE_SPINLOCK(nfl_stats_lock);
static struct nfl_export_stats nfl_stats;

/*
 * Flows handed over and not yet freed, by slab: maxflows counts them
 * (the cache reads them at each tick), and so does /proc's memory.
 */
static atomic_long_t nfl_held, nfl_held6, nfl_held4o;

void nfl_export_queue(const struct nfl_flow_list *l)
{
	if (!l->head)
		return;
	/* counted first: a reader may count them twice, never miss them */
	atomic_long_add(l->flows, &nfl_held);
	atomic_long_add(l->flows6, &nfl_held6);
	atomic_long_add(l->flows4o, &nfl_held4o);
	/* unbounded here: maxflows bounds every flow in memory */
	nfl_queue_add(&nfl_flowq, l->head, l->tail, l->flows);
}

unsigned long nfl_export_held(unsigned long *n6, unsigned long *n4o)
{
	if (n6)
		*n6 = atomic_long_read(&nfl_held6);
	if (n4o)
		*n4o = atomic_long_read(&nfl_held4o);
	return atomic_long_read(&nfl_held);
}

void nfl_export_queue_nat(struct nfl_nat_event *ev)
{
	unsigned long flags;

	if (!ev) {
		spin_lock_irqsave(&nfl_natq.lock, flags);
		nfl_natq.dropped++;
		spin_unlock_irqrestore(&nfl_natq.lock, flags);
		return;
	}
	if (!nfl_queue_add(&nfl_natq, ev, ev, 1))
		kfree(ev);
}

u64 nfl_export_nat_dropped(void)
{
	return nfl_queue_dropped(&nfl_natq);
}

bool nfl_export_queue_ct(struct nfl_ct_record *r)
{
	if (nfl_queue_add(&nfl_ctq, r, r, 1))
		return true;
	kfree(r);
	return false;
}

unsigned int nfl_export_ct_room(void)
{
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&nfl_ctq.lock, flags);
	len = nfl_ctq.len;
	spin_unlock_irqrestore(&nfl_ctq.lock, flags);
	return NFL_CT_QUEUE_MAX - len;
}

void nfl_export_kick(void)
{
	struct workqueue_struct *wq = READ_ONCE(nfl_export_wq);

	if (wq)
		queue_work(wq, &nfl_export_work_item);
}

void nfl_export_sync(void)
{
	/* The caller may have queued without kicking. */
	nfl_export_kick();
	flush_work(&nfl_export_work_item);
}

void nfl_export_resend_templates(void)
{
	set_bit(NFL_EXPORT_RESYNC, &nfl_export_flags);
	/* Collectors that just (re)appeared need templates before data. */
	nfl_export_kick();
}

void nfl_export_get_stats(struct nfl_export_stats *st)
{
	spin_lock(&nfl_stats_lock);
	*st = nfl_stats;
	spin_unlock(&nfl_stats_lock);
}

unsigned int nfl_export_protocol(void)
{
	return READ_ONCE(nfl_export_proto);
}

static void nfl_export_now(struct nfl_export_time *t)
{
	struct timespec64 wall;
	u64 j = get_jiffies_64();

	ktime_get_real_ts64(&wall);
	nfl_export_time_set(t, j, &wall);
}

static int nfl_iface_cmp(const void *a, const void *b)
{
	u32 x = ((const struct nfl_iface *)a)->ifindex;
	u32 y = ((const struct nfl_iface *)b)->ifindex;

	return x < y ? -1 : x > y;
}

/* The index @dev is exported as. */
static u32 nfl_snmp_dev(const struct net_device *dev)
{
	if (!nfl_snmp)
		return dev->ifindex;
	return nfl_snmp_index(nfl_snmp->rule, nfl_snmp->n, dev->name,
			      dev->ifindex);
}

/* The index init_net's @ifindex is exported as (0: none, stays 0). */
static u32 nfl_snmp_ifindex(u32 ifindex)
{
	struct net_device *dev;
	u32 v = ifindex;

	if (!ifindex)
		return 0;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(&init_net, ifindex);
	if (dev)
		v = nfl_snmp_dev(dev);
	rcu_read_unlock();
	return v;
}

/*
 * snmp-rules on a flow about to be encoded (it is freed right after):
 * its interfaces by the names they have now.  A flow of a rule in
 * another namespace has that namespace's indexes: left as they are.
 */
static void nfl_snmp_flow(struct nfl_flow *f)
{
	unsigned int fields = nfl_flow_fields(f);
	struct nfl_ext_layout l;
	struct nfl_ext_phys *p;

	if (!nfl_key_init_net(&f->key))
		return;
	f->key.iif = nfl_snmp_ifindex(f->key.iif);
	f->oif = nfl_snmp_ifindex(f->oif);
	if (fields & NFL_FIELD_PHYSDEV) {
		nfl_ext_layout(&l, fields, f->key.family);
		p = (struct nfl_ext_phys *)(nfl_flow_ext(f, &l) + l.phys);
		p->in = nfl_snmp_ifindex(p->in);
		p->out = nfl_snmp_ifindex(p->out);
	}
}

/*
 * Rows for the interface table: init_net's interfaces, the first
 * NFL_IF_MAX of them, sorted by the index they are exported as (their
 * ifindex, or snmp-rules' number; a pass over several PDUs goes on by
 * it when the table is taken anew).  A name read while the interface
 * is renamed may mix the two; the next refresh has it right.
 */
static unsigned int nfl_ifaces_take(struct nfl_iface *rows)
{
	const struct dev_ifalias *alias;
	struct net_device *dev;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_netdev_rcu(&init_net, dev) {
		if (n == NFL_IF_MAX)
			break;
		rows[n].ifindex = nfl_snmp_dev(dev);
		strscpy(rows[n].name, dev->name, sizeof(rows[n].name));
		alias = rcu_dereference(dev->ifalias);
		strscpy(rows[n].desc, alias ? alias->ifalias : "",
			sizeof(rows[n].desc));
		n++;
	}
	rcu_read_unlock();
	sort(rows, n, sizeof(*rows), nfl_iface_cmp, NULL);
	return n;
}

/* "ipt_NETFLOW <version> on <host name>", the host's, not a container's */
static void nfl_domain_name(char *buf, size_t size)
{
	char host[sizeof(init_utsname()->nodename)];

	/* uts_sem is not exported: a racing sethostname() may tear it */
	memcpy(host, init_utsname()->nodename, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, size, "ipt_NETFLOW %s on %s", NETFLOW_VERSION, host);
}

/* What the options records due (NFL_OPT_DUE_*) tell; process context. */
static void nfl_opt_gather(struct nfl_enc *e, unsigned int due)
{
	struct nfl_opt_input *o = &e->opt;
	struct nfl_cpu_stats cs;

	nfl_cache_stats(&cs);
	o->observed_flows = cs.created;
	o->ignored_packets = cs.drop_pkts;
	o->ignored_octets = cs.drop_bytes;
	spin_lock(&nfl_stats_lock);
	o->lost_flows = nfl_stats.lost_flows + nfl_stats.skipped;
	o->lost_packets = nfl_stats.lost_packets + nfl_stats.skipped_packets;
	o->lost_octets = nfl_stats.lost_bytes + nfl_stats.skipped_bytes;
	spin_unlock(&nfl_stats_lock);
	nfl_domain_name(o->domain_name, sizeof(o->domain_name));
	if ((due & NFL_OPT_DUE_TEMPLATES) && nfl_ifaces) {
		o->n_ifaces = nfl_ifaces_take(nfl_ifaces);
		o->ifaces = nfl_ifaces;
	}
}

/*
 * Start a PDU; @data: it is begun for flows or NAT events.  Templates go
 * out alone at load, at a refresh with nothing to carry, and to a
 * collector that may not be listening yet: data must not count on them.
 * So they travel with the first data of a stream, and again in the PDU
 * after any collector refused one (an ICMP port unreachable: it may have
 * just restarted and know none) or a send failed.
 */
static void nfl_pdu_begin(struct nfl_enc *e, bool data)
{
	struct nfl_export_time t;
	unsigned int due;

	/* Settings take effect at the next PDU, never inside one. */
	e->engine_id = READ_ONCE(nfl_cfg.engine_id);
	e->refresh_rate = READ_ONCE(nfl_cfg.refresh_rate);
	e->timeout_rate = READ_ONCE(nfl_cfg.timeout_rate);
	e->nat_legacy = READ_ONCE(nfl_cfg.natevents_legacy);
	if (test_and_clear_bit(NFL_EXPORT_RESYNC, &nfl_export_flags))
		e->resync = true;
	if (data && !e->tpl_with_data) {
		e->resync = true;
		e->tpl_with_data = true;
	}
	if (nfl_dest_refused())
		e->resync = true;
	nfl_export_now(&t);
	due = e->ops->opt_due ? e->ops->opt_due(e, &t) : 0;
	if (due)
		nfl_opt_gather(e, due);
	e->ops->begin(e, &t);
	e->packets = 0;
	e->octets = 0;
}

static void nfl_pdu_send(struct nfl_enc *e)
{
	unsigned int flows = e->records, ndest, failed, ok;
	u64 packets = e->packets, octets = e->octets;
	size_t len = e->ops->finish(e);

	if (!len)
		return;
	failed = max(nfl_dest_send_all(e->buf, len, flows), 0);
	ndest = nfl_dest_count();
	ok = ndest > failed ? ndest - failed : 0;

	if (failed)
		set_bit(NFL_EXPORT_RESYNC, &nfl_export_flags);
	spin_lock(&nfl_stats_lock);
	nfl_stats.pdus++;
	nfl_stats.flows += flows;
	nfl_stats.sent_pdus += ok;
	nfl_stats.sent_bytes += (u64)len * ok;
	nfl_stats.errors += failed;
	/* With no collector at all the flows reached nobody either. */
	if (failed || !ndest) {
		nfl_stats.lost_pdus++;
		nfl_stats.lost_flows += flows;
		nfl_stats.lost_packets += packets;
		nfl_stats.lost_bytes += octets;
	}
	spin_unlock(&nfl_stats_lock);
}

/* Send what the encoder has due without flows; ms until it has more. */
static u32 nfl_export_idle(struct nfl_enc *e)
{
	struct nfl_export_time t;
	unsigned int i;

	if (!e->ops->opt_wait)
		return NFL_TICK_MAX_MS;
	for (i = 0; i < NFL_IDLE_PDUS; i++) {
		nfl_export_now(&t);
		if (e->ops->opt_wait(e, &t))
			break;
		nfl_pdu_begin(e, false);
		nfl_pdu_send(e);
	}
	nfl_export_now(&t);
	return e->ops->opt_wait(e, &t);
}

/* What a queue holds: the record in nfl_pdu_add(). */
enum nfl_rec_kind {
	NFL_REC_FLOW,			/* struct nfl_flow */
	NFL_REC_NAT,			/* struct nfl_nat_event */
	NFL_REC_CT,			/* struct nfl_ct_record */
};

static int nfl_enc_add(struct nfl_enc *e, enum nfl_rec_kind kind,
		       const void *rec)
{
	switch (kind) {
	case NFL_REC_FLOW:
		return e->ops->add(e, rec);
	case NFL_REC_NAT:
		return e->ops->add_nat(e, rec);
	case NFL_REC_CT:
		return e->ops->add_ct(e, rec);
	}
	return -EINVAL;
}

/*
 * Add one record @rec of @kind, opening a PDU if none is (*@open).  A
 * full PDU is sent and the record retried once in a fresh one.  0, or
 * the encoder's error: -EAFNOSUPPORT for a record the protocol cannot
 * carry.
 */
static int nfl_pdu_add(struct nfl_enc *e, bool *open, enum nfl_rec_kind kind,
		      const void *rec)
{
	int err;

	if (!*open) {
		nfl_pdu_begin(e, true);
		*open = true;
	}
	err = nfl_enc_add(e, kind, rec);
	if (err != -ENOSPC)
		return err;
	nfl_pdu_send(e);
	cond_resched();
	nfl_pdu_begin(e, true);
	err = nfl_enc_add(e, kind, rec);
	/* an encoder bug: a record no PDU can hold */
	WARN_ON_ONCE(err == -ENOSPC);
	return err;
}

struct nfl_drain {
	bool open;			/* a PDU is begun */
	u64 skipped, skipped_packets, skipped_bytes;
	u64 unselected, unselected_packets, unselected_bytes;
};

static void nfl_drain_flows(struct nfl_enc *e, struct nfl_drain *d)
{
	struct nfl_flow_list freed;
	struct nfl_flow *f, *next;

	while ((f = nfl_queue_take(&nfl_flowq))) {
		freed = (struct nfl_flow_list){ };
		for (; f; f = next) {
			next = f->next;
			if (nfl_snmp)
				nfl_snmp_flow(f);
			if (f->flags & NFL_FLOW_UNSELECTED) {
				/* the flow sampler did not take it */
				d->unselected++;
				d->unselected_packets += f->packets;
				d->unselected_bytes += f->bytes;
			} else if (nfl_pdu_add(e, &d->open, NFL_REC_FLOW, f)) {
				d->skipped++;
				d->skipped_packets += f->packets;
				d->skipped_bytes += f->bytes;
			} else {
				e->packets += f->packets;
				e->octets += f->bytes;
			}
			/* a count only: the list is not walked */
			freed.flows++;
			freed.flows6 += f->key.family != AF_INET;
			freed.flows4o += !!(f->flags & NFL_FLOW_IP4_OPTS);
			nfl_cache_free(f);
		}
		atomic_long_sub(freed.flows6, &nfl_held6);
		atomic_long_sub(freed.flows4o, &nfl_held4o);
		atomic_long_sub(freed.flows, &nfl_held);
	}
}

/* NAT events after the flows, in the PDU the flows left open. */
static void nfl_drain_nat(struct nfl_enc *e, struct nfl_drain *d)
{
	struct nfl_nat_event *ev, *next;

	while ((ev = nfl_queue_take(&nfl_natq))) {
		for (; ev; ev = next) {
			next = ev->next;
			if (nfl_pdu_add(e, &d->open, NFL_REC_NAT, ev))
				d->skipped++;
			kfree(ev);
		}
	}
}

/* Connection records last, in the PDU the NAT events left open. */
static void nfl_drain_ct(struct nfl_enc *e, struct nfl_drain *d)
{
	struct nfl_ct_record *r, *next;
	u64 packets, bytes;

	while ((r = nfl_queue_take(&nfl_ctq))) {
		for (; r; r = next) {
			next = r->next;
			packets = r->dir[0].packets + r->dir[1].packets;
			bytes = r->dir[0].bytes + r->dir[1].bytes;
			if (nfl_pdu_add(e, &d->open, NFL_REC_CT, r)) {
				d->skipped++;
				d->skipped_packets += packets;
				d->skipped_bytes += bytes;
			} else {
				e->packets += packets;
				e->octets += bytes;
			}
			kfree(r);
		}
	}
}

/*
 * Export everything queued, in queue order.  Full PDUs go out as they
 * fill; the last, partial one goes out when the queues are empty rather
 * than waiting for more, so a record is never held back.
 */
static void nfl_export_drain(struct nfl_enc *e)
{
	struct nfl_drain d = { };

	nfl_drain_flows(e, &d);
	nfl_drain_nat(e, &d);
	nfl_drain_ct(e, &d);
	/* Templates asked for while there were no flows to carry them. */
	if (!d.open && test_bit(NFL_EXPORT_RESYNC, &nfl_export_flags)) {
		nfl_pdu_begin(e, false);
		d.open = true;
	}
	if (d.open)
		nfl_pdu_send(e);

	spin_lock(&nfl_stats_lock);
	nfl_stats.skipped += d.skipped;
	nfl_stats.skipped_packets += d.skipped_packets;
	nfl_stats.skipped_bytes += d.skipped_bytes;
	nfl_stats.unselected += d.unselected;
	nfl_stats.unselected_packets += d.unselected_packets;
	nfl_stats.unselected_bytes += d.unselected_bytes;
	spin_unlock(&nfl_stats_lock);
	/* the rest of an interface table, now rather than with later flows */
	nfl_export_idle(e);
}

static void nfl_export_work(struct work_struct *work)
{
	mutex_lock(&nfl_export_mutex);
	if (nfl_enc)
		nfl_export_drain(nfl_enc);
	mutex_unlock(&nfl_export_mutex);
}

static void nfl_export_tick(struct work_struct *work)
{
	struct workqueue_struct *wq;
	u32 ms = NFL_TICK_MAX_MS;

	mutex_lock(&nfl_export_mutex);
	if (nfl_enc)
		ms = nfl_export_idle(nfl_enc);
	mutex_unlock(&nfl_export_mutex);
	/* NULL once exit began, which then cancels this work */
	wq = READ_ONCE(nfl_export_wq);
	if (wq)
		queue_delayed_work(wq, &nfl_tick_item,
				   msecs_to_jiffies(clamp_t(u32, ms, MSEC_PER_SEC,
							    NFL_TICK_MAX_MS)));
}

const struct nfl_encoder *nfl_encoder_find(unsigned int protocol)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nfl_encoders); i++)
		if (nfl_encoders[i]->protocol == protocol)
			return nfl_encoders[i];
	return NULL;
}

static void nfl_enc_destroy(struct nfl_enc *e)
{
	if (!e)
		return;
	if (e->ops->release)
		e->ops->release(e);
	kfree(e->buf);
	kfree(e);
}

static struct nfl_enc *nfl_enc_create(const struct nfl_encoder *ops)
{
	struct nfl_enc *e;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return NULL;
	e->ops = ops;
	e->size = ops->pdu_size;
	e->fields = nfl_export_fields;
	e->sampler = nfl_export_sampler;
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

int nfl_export_set_protocol(unsigned int protocol)
{
	const struct nfl_encoder *ops = nfl_encoder_find(protocol);
	struct nfl_enc *e;

	if (!ops)
		return -EPROTONOSUPPORT;
	mutex_lock(&nfl_export_mutex);
	if (nfl_enc && nfl_enc->ops == ops) {
		mutex_unlock(&nfl_export_mutex);
		return 0;
	}
	/* Allocate first: on failure the old protocol stays in force. */
	e = nfl_enc_create(ops);
	if (!e) {
		mutex_unlock(&nfl_export_mutex);
		return -ENOMEM;
	}
	/* Flows metered under the old protocol are sent in it. */
	if (nfl_enc)
		nfl_export_drain(nfl_enc);
	nfl_enc_destroy(nfl_enc);
	nfl_enc = e;
	WRITE_ONCE(nfl_export_proto, protocol);
	mutex_unlock(&nfl_export_mutex);
	return 0;
}

void nfl_export_set_fields(unsigned int fields)
{
	mutex_lock(&nfl_export_mutex);
	if (nfl_enc && nfl_enc->fields != fields) {
		/* what was metered before the change goes out as it was */
		nfl_export_drain(nfl_enc);
		nfl_enc->fields = fields;
		if (nfl_enc->ops->set_fields)
			nfl_enc->ops->set_fields(nfl_enc);
	}
	nfl_export_fields = fields;
	mutex_unlock(&nfl_export_mutex);
	/* the new templates, even before a flow needs them */
	nfl_export_kick();
}

void nfl_export_set_sampler(const struct nfl_sampler *smp)
{
	mutex_lock(&nfl_export_mutex);
	if (nfl_enc && (nfl_enc->sampler.mode != smp->mode ||
			nfl_enc->sampler.interval != smp->interval)) {
		/* what was metered before the change goes out as it was */
		nfl_export_drain(nfl_enc);
		nfl_enc->sampler = *smp;
		if (nfl_enc->ops->set_fields)
			nfl_enc->ops->set_fields(nfl_enc);
	}
	nfl_export_sampler = *smp;
	/* as the sampler's own counts, these are the new one's */
	spin_lock(&nfl_stats_lock);
	nfl_stats.unselected = 0;
	nfl_stats.unselected_packets = 0;
	nfl_stats.unselected_bytes = 0;
	spin_unlock(&nfl_stats_lock);
	mutex_unlock(&nfl_export_mutex);
	nfl_export_kick();
}

int nfl_export_set_snmp(const char *spec)
{
	struct nfl_snmp *s = NULL, *old;
	const char *bad;
	size_t n;
	int count;

	if (*spec) {
		s = kzalloc(sizeof(*s), GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		count = nfl_snmp_parse(spec, s->rule, &bad, &n);
		if (count < 0) {
			kfree(s);
			return count;
		}
		s->n = count;
	}
	mutex_lock(&nfl_export_mutex);
	old = nfl_snmp;
	nfl_snmp = s;
	mutex_unlock(&nfl_export_mutex);
	kfree(old);
	/* the interface table in the new numbering, with the next PDU */
	nfl_export_resend_templates();
	return 0;
}

int nfl_export_init(unsigned int protocol)
{
	struct workqueue_struct *wq;
	int err;

	err = nfl_export_set_protocol(protocol);
	if (err) {
		pr_err("protocol=%u: %s\n", protocol,
		       err == -EPROTONOSUPPORT ?
		       "not supported by this build" : "cannot start exporter");
		return err == -EPROTONOSUPPORT ? -EINVAL : err;
	}
	nfl_ifaces = kvcalloc(NFL_IF_MAX, sizeof(*nfl_ifaces), GFP_KERNEL);
	wq = alloc_ordered_workqueue("ipt_netflow_export", WQ_MEM_RECLAIM);
	if (!wq || !nfl_ifaces) {
		if (wq)
			destroy_workqueue(wq);
		mutex_lock(&nfl_export_mutex);
		nfl_enc_destroy(nfl_enc);
		nfl_enc = NULL;
		kvfree(nfl_ifaces);
		nfl_ifaces = NULL;
		mutex_unlock(&nfl_export_mutex);
		pr_err("cannot start the exporter: out of memory\n");
		return -ENOMEM;
	}
	WRITE_ONCE(nfl_export_wq, wq);
	/* the first templates and system record, even before any flow */
	queue_delayed_work(wq, &nfl_tick_item, HZ);
	return 0;
}

void nfl_export_uninit(void)
{
	struct workqueue_struct *wq = nfl_export_wq;

	WRITE_ONCE(nfl_export_wq, NULL);
	/*
	 * The tick requeues itself unless it reads NULL above; the cancel
	 * waits for a run in progress and keeps it from requeueing, so no
	 * timer is left to fire into a destroyed queue.
	 */
	cancel_delayed_work_sync(&nfl_tick_item);
	/* Lets a run in progress, and one it requeued, finish first. */
	if (wq)
		destroy_workqueue(wq);

	mutex_lock(&nfl_export_mutex);
	/* Records queued without a kick still go out. */
	if (nfl_enc)
		nfl_export_drain(nfl_enc);
	nfl_enc_destroy(nfl_enc);
	nfl_enc = NULL;
	kvfree(nfl_ifaces);
	nfl_ifaces = NULL;
	kfree(nfl_snmp);
	nfl_snmp = NULL;
	mutex_unlock(&nfl_export_mutex);
}
