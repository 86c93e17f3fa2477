// SPDX-License-Identifier: GPL-2.0-only
/*
 * NAT events: create and destroy of NATed connections, from conntrack's
 * event callback, queued for the exporter.
 *
 * A network namespace has one conntrack event callback, and ctnetlink
 * (what `conntrack -E` and conntrackd read) holds it from its pernet init
 * until its pernet pre_exit; a second nf_conntrack_register_notifier()
 * WARNs.  So we do not register: we load ctnetlink, pin it, swap the slot
 * from its notifier to ours with one cmpxchg and hand every event on to
 * it, returning its verdict.  Its reliable delivery (the ecache "missed"
 * bits and the redelivery of destroy events) then works as before, and
 * we skip the events the kernel re-sends because ctnetlink missed them:
 * we took those the first time.  Disable swaps ctnetlink's notifier back,
 * waits for callbacks in flight and only then unpins it.
 *
 * Without a ctnetlink listener, conntrack with its default
 * nf_conntrack_events=2 adds no event extension to new connections and
 * so reports nothing.  Enable sets it to 1 for as long as we run, says so
 * in the log, and puts 2 back unless someone changed it meanwhile.
 * Connections made before that have no extension and give no events.
 *
 * Only init_net: net.netflow lives there, and so does the slot we swap.
 *
 * The callback runs in softirq or process context, under conntrack's
 * locks: it only copies the tuples into the exporter's NAT event queue
 * (bounded, drops counted there) and kicks the export worker.
 */

#include <linux/kernel.h>
#include <linux/kmod.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_ecache.h>

#include "encoder.h"
#include "export.h"
#include "natevents.h"

#define NFL_NAT_CTNETLINK	"nf_conntrack_netlink"

/* Events reported, for /proc's Natevents line. */
static atomic64_t nfl_nat_starts = ATOMIC64_INIT(0);
static atomic64_t nfl_nat_stops = ATOMIC64_INIT(0);

/* Under the settings mutex (nfl_natevents_enable/disable). */
static bool nfl_nat_on;
static struct module *nfl_nat_ctnl_mod;		/* pinned while on */
static bool nfl_nat_set_events;			/* we made sysctl_events 1 */
/* ctnetlink's notifier; read by the callback while we hold the slot. */
static const struct nf_ct_event_notifier *nfl_nat_next;

static struct nf_ct_event_notifier __rcu **nfl_nat_slot(void)
{
	return &init_net.ct.nf_conntrack_event_cb;
}

void nfl_natevents_counts(u64 *start, u64 *stop)
{
	*start = atomic64_read(&nfl_nat_starts);
	*stop = atomic64_read(&nfl_nat_stops);
}

bool nfl_natevents_active(void)
{
	return READ_ONCE(nfl_nat_on);
}

/* Addresses before and after NAT: original tuple, reply tuple reversed. */
static void nfl_nat_addrs(struct nfl_nat_event *ev,
			 const struct nf_conntrack_tuple *o,
			 const struct nf_conntrack_tuple *r)
{
	if (ev->ipv6) {
		ev->pre_saddr6 = o->src.u3.in6;
		ev->pre_daddr6 = o->dst.u3.in6;
		ev->post_saddr6 = r->dst.u3.in6;
		ev->post_daddr6 = r->src.u3.in6;
	} else {
		ev->pre_saddr = o->src.u3.ip;
		ev->pre_daddr = o->dst.u3.ip;
		ev->post_saddr = r->dst.u3.ip;
		ev->post_daddr = r->src.u3.ip;
	}
}

static void nfl_nat_report(const struct nf_conn *ct, bool destroy)
{
	const struct nf_conntrack_tuple *o, *r;
	struct nfl_nat_event *ev;

	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	if (o->src.l3num != NFPROTO_IPV4 && o->src.l3num != NFPROTO_IPV6)
		return;
	ev = kmalloc(sizeof(*ev), GFP_ATOMIC | __GFP_NOWARN);
	if (!ev) {
		nfl_export_queue_nat(NULL);	/* counted as dropped */
		return;
	}
	ev->wall_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);
	ev->jiffies = (u32)jiffies;
	ev->destroy = destroy;
	ev->ipv6 = o->src.l3num == NFPROTO_IPV6;
	ev->proto = o->dst.protonum;
	nfl_nat_addrs(ev, o, r);
	ev->pre_sport = o->src.u.all;
	ev->pre_dport = o->dst.u.all;
	if (ev->proto == IPPROTO_ICMP || ev->proto == IPPROTO_ICMPV6) {
		/* the reply tuple holds the (translated) id on its source */
		ev->post_sport = r->src.u.icmp.id;
		ev->post_dport = o->dst.u.all;
	} else {
		ev->post_sport = r->dst.u.all;
		ev->post_dport = r->src.u.all;
	}
	nfl_export_queue_nat(ev);
	atomic64_inc(destroy ? &nfl_nat_stops : &nfl_nat_starts);
	nfl_export_kick();
}

static int nfl_nat_ct_event(unsigned int events, const struct nf_ct_event *item)
{
	const struct nf_ct_event_notifier *next = READ_ONCE(nfl_nat_next);
	struct nf_conn *ct = item->ct;
	struct nf_conntrack_ecache *e = nf_ct_ecache_find(ct);
	/*
	 * Set bits of e->missed are events ctnetlink failed to take: the
	 * kernel adds them to @events until it succeeds (and re-sends a
	 * missed destroy), but we exported them when they first came.
	 * Read before the next notifier runs: the caller updates it after.
	 */
	unsigned int fresh = events & ~(e ? READ_ONCE(e->missed) : 0);

	if (ct->status & (IPS_SRC_NAT | IPS_DST_NAT)) {
		if (fresh & (1 << IPCT_NEW))
			nfl_nat_report(ct, false);
		if (fresh & (1 << IPCT_DESTROY))
			nfl_nat_report(ct, true);
	}
	return next ? next->ct_event(events, item) : 0;
}

static int nfl_nat_exp_event(unsigned int events,
			    const struct nf_exp_event *item)
{
	const struct nf_ct_event_notifier *next = READ_ONCE(nfl_nat_next);

	/* the kernel calls this without a NULL check: it must exist */
	return next && next->exp_event ? next->exp_event(events, item) : 0;
}

static struct nf_ct_event_notifier nfl_nat_notifier = {
	.ct_event = nfl_nat_ct_event,
	.exp_event = nfl_nat_exp_event,
};

/*
 * Load ctnetlink and take a reference on it, so it can neither unload
 * (its pre_exit would clear the slot under us) nor load later (its init
 * would WARN on a taken slot).  NULL if it is built in or unavailable.
 * /sys/module's kset is ours too: holding the kobject keeps the module
 * struct alive (module removal waits for its release), so
 * try_module_get() on it is safe and fails for a module going away.
 */
static struct module *nfl_nat_pin_ctnetlink(void)
{
	struct kset *modules = THIS_MODULE->mkobj.kobj.kset;
	struct module *mod = NULL;
	struct kobject *kobj;

	if (request_module(NFL_NAT_CTNETLINK))
		pr_warn("natevents: could not load %s; `conntrack -E` would then conflict with natevents\n",
			NFL_NAT_CTNETLINK);
	kobj = modules ? kset_find_obj(modules, NFL_NAT_CTNETLINK) : NULL;
	if (!kobj)
		return NULL;
	mod = container_of(kobj, struct module_kobject, kobj)->mod;
	if (mod && !try_module_get(mod))
		mod = NULL;
	kobject_put(kobj);
	return mod;
}

int nfl_natevents_enable(void)
{
	struct nf_ct_event_notifier *old, *seen;
	struct module *ctnl;

	if (nfl_nat_on)
		return 0;
	ctnl = nfl_nat_pin_ctnetlink();
	old = rcu_dereference_protected(*nfl_nat_slot(), 1);
	if (old && !(ctnl && within_module((unsigned long)old->ct_event, ctnl))) {
		pr_err("natevents: the conntrack event callback belongs to another module\n");
		module_put(ctnl);
		return -EBUSY;
	}
	WRITE_ONCE(nfl_nat_next, old);
	seen = cmpxchg((__force struct nf_ct_event_notifier **)nfl_nat_slot(),
		       old, &nfl_nat_notifier);
	if (seen != old) {
		pr_err("natevents: conntrack event callback changed under us\n");
		WRITE_ONCE(nfl_nat_next, NULL);
		module_put(ctnl);
		return -EAGAIN;
	}
	nfl_nat_ctnl_mod = ctnl;
	if (READ_ONCE(init_net.ct.sysctl_events) == 2) {
		WRITE_ONCE(init_net.ct.sysctl_events, 1);
		nfl_nat_set_events = true;
		pr_info("natevents: net.netfilter.nf_conntrack_events 2 -> 1 (conntrack adds event data to new connections only then); restored on disable\n");
	}
	WRITE_ONCE(nfl_nat_on, true);
	pr_info("natevents enabled%s\n", old ? ", chained to ctnetlink" : "");
	return 0;
}

void nfl_natevents_disable(void)
{
	struct nf_ct_event_notifier *next, *seen;

	if (!nfl_nat_on)
		return;
	if (nfl_nat_set_events) {
		if (READ_ONCE(init_net.ct.sysctl_events) == 1) {
			WRITE_ONCE(init_net.ct.sysctl_events, 2);
			pr_info("natevents: net.netfilter.nf_conntrack_events restored to 2\n");
		}
		nfl_nat_set_events = false;
	}
	next = (struct nf_ct_event_notifier *)nfl_nat_next;
	seen = cmpxchg((__force struct nf_ct_event_notifier **)nfl_nat_slot(),
		       &nfl_nat_notifier, next);
	if (seen != &nfl_nat_notifier)
		pr_err("natevents: conntrack event callback was replaced while ours\n");
	/* Callbacks in flight may still use nfl_nat_next and ctnetlink. */
	synchronize_rcu();
	WRITE_ONCE(nfl_nat_next, NULL);
	module_put(nfl_nat_ctnl_mod);
	nfl_nat_ctnl_mod = NULL;
	WRITE_ONCE(nfl_nat_on, false);
	pr_info("natevents disabled\n");
}
