// SPDX-License-Identifier: GPL-2.0-only
/*
 * NAT events: create and destroy of NATed connections, from conntrack's
 * event callback, queued for the exporter.  The callback is also where
 * ctflows (ctflows.c) learns that a connection ended: it is one callback
 * for both, taken while either asks for it (nfl_ctev_get()), and the
 * slot handling below is the same for both.
 *
 * A network namespace has one conntrack event callback, and ctnetlink
 * (what `conntrack -E` and conntrackd read) takes it in its pernet init
 * and clears it in its pernet pre_exit; nf_conntrack_register_notifier()
 * on a taken slot WARNs and overwrites it.  So we do not register: we
 * load ctnetlink, pin it, swap the slot from its notifier to ours with one
 * cmpxchg and hand every event on to it, returning its verdict.  Its
 * reliable delivery (the ecache "missed" bits and the redelivery of
 * destroy events) then works as before, and we skip the events the kernel
 * re-sends because ctnetlink missed them: we took those the first time.
 * Disable swaps ctnetlink's notifier back, waits for callbacks in flight
 * and only then unpins it.
 *
 * If ctnetlink cannot be loaded then (blocked, missing) we hold the slot
 * alone.  Should it load later, a module notifier sees it coming before
 * its init runs and empties the slot for it, so its registration finds
 * the slot free; once it is live we pin it and chain to it as above.
 * Events while its init runs are not ours; natevents (and ctflows) read
 * as off meanwhile: /proc and the sysctls say whether our callback is in
 * the slot (nfl_ctev_active()), never only whether it was asked for.
 *
 * Without a ctnetlink listener, conntrack with its default
 * nf_conntrack_events=2 adds no event extension to new connections and
 * so reports nothing.  The first user sets it to 1 for as long as any
 * runs, says so in the log, and the last one puts 2 back unless someone
 * changed it meanwhile.
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

#include "ctflows.h"
#include "encoder.h"
#include "export.h"
#include "natevents.h"

#define NFL_NAT_CTNETLINK	"nf_conntrack_netlink"

/*
 * Events conntrack reported, for /proc's Natevents line; those that never
 * reached the exporter (no memory, queue full) are also in its dropped.
 */
static atomic64_t nfl_nat_starts = ATOMIC64_INIT(0);
static atomic64_t nfl_nat_stops = ATOMIC64_INIT(0);

/*
 * Under nfl_nat_mutex, which the module notifier takes too: never held
 * while ctnetlink loads (request_module), as its notifier calls wait.
 */
static DEFINE_MUTEX(nfl_nat_mutex);
/* NFL_CTEV_* that asked for the callback; read by it without the mutex */
static unsigned int nfl_nat_users;
static bool nfl_nat_held;			/* our notifier in the slot */
static struct module *nfl_nat_ctnl_mod;		/* pinned while held */
static struct module *nfl_nat_coming;		/* ctnetlink in its init */
/* ctnetlink's notifier; read by the callback while we hold the slot. */
static const struct nf_ct_event_notifier *nfl_nat_next;

/*
 * Without a ctnetlink listener, 1 for as long as any user runs (see the
 * top); under nfl_nat_mutex.
 */
static struct nfl_ct_sysctl nfl_nat_events_sysctl = {
	.name = "nf_conntrack_events",
	.val = &init_net.ct.sysctl_events,
	.off = 2,
	.on = 1,
	.why = "conntrack adds event data to new connections only then",
};

void nfl_ct_sysctl_set(struct nfl_ct_sysctl *s, const char *who)
{
	if (READ_ONCE(*s->val) != s->off)
		return;
	WRITE_ONCE(*s->val, s->on);
	s->set = true;
	pr_info("%s: net.netfilter.%s %u -> %u (%s); restored on disable\n",
		who, s->name, s->off, s->on, s->why);
}

void nfl_ct_sysctl_restore(struct nfl_ct_sysctl *s, const char *who)
{
	if (s->set && READ_ONCE(*s->val) == s->on) {
		WRITE_ONCE(*s->val, s->off);
		pr_info("%s%snet.netfilter.%s restored to %u\n",
			who ? who : "", who ? ": " : "", s->name, s->off);
	}
	s->set = false;
}

static struct nf_ct_event_notifier __rcu **nfl_nat_slot(void)
{
	return &init_net.ct.nf_conntrack_event_cb;
}

void nfl_natevents_counts(u64 *start, u64 *stop)
{
	*start = atomic64_read(&nfl_nat_starts);
	*stop = atomic64_read(&nfl_nat_stops);
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
	atomic64_inc(destroy ? &nfl_nat_stops : &nfl_nat_starts);
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
	nfl_export_kick();
}

static int nfl_nat_ct_event(unsigned int events, const struct nf_ct_event *item)
{
	const struct nf_ct_event_notifier *next = READ_ONCE(nfl_nat_next);
	unsigned int users = READ_ONCE(nfl_nat_users);
	struct nf_conn *ct = item->ct;
	struct nf_conntrack_ecache *e = nf_ct_ecache_find(ct);
	/*
	 * Set bits of e->missed are events ctnetlink failed to take: the
	 * kernel adds them to @events until it succeeds (and re-sends a
	 * missed destroy), but we exported them when they first came.
	 * Read before the next notifier runs: the caller updates it after.
	 */
	unsigned int fresh = events & ~(e ? READ_ONCE(e->missed) : 0);

	if ((users & NFL_CTEV_NATEVENTS) &&
	    (ct->status & (IPS_SRC_NAT | IPS_DST_NAT))) {
		if (fresh & (1 << IPCT_NEW))
			nfl_nat_report(ct, false);
		if (fresh & (1 << IPCT_DESTROY))
			nfl_nat_report(ct, true);
	}
	if ((users & NFL_CTEV_CTFLOWS) && (fresh & (1 << IPCT_DESTROY)))
		nfl_ctflows_destroyed(ct);
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

/* The truth, not the wish: our callback is in the slot for @user. */
bool nfl_ctev_active(unsigned int user)
{
	return (READ_ONCE(nfl_nat_users) & user) &&
	       rcu_access_pointer(*nfl_nat_slot()) == &nfl_nat_notifier;
}

bool nfl_natevents_active(void)
{
	return nfl_ctev_active(NFL_CTEV_NATEVENTS);
}

static const char *nfl_ctev_name(unsigned int user)
{
	return user == NFL_CTEV_CTFLOWS ? "ctflows" : "natevents";
}

/*
 * Find ctnetlink and take a reference on it, so it cannot unload (its
 * pre_exit would clear the slot under us).  NULL if it is not loaded,
 * built in, or still in its init (*coming then: its registration is yet
 * to come, and the module notifier will see it live or going).
 * /sys/module's kset is ours too: holding the kobject keeps the module
 * struct alive (module removal waits for its release), so
 * try_module_get() on it is safe and fails for a module going away.
 */
static struct module *nfl_nat_pin_ctnetlink(bool *coming)
{
	struct kset *modules = THIS_MODULE->mkobj.kobj.kset;
	struct module *mod = NULL;
	struct kobject *kobj;

	*coming = false;
	kobj = modules ? kset_find_obj(modules, NFL_NAT_CTNETLINK) : NULL;
	if (!kobj)
		return NULL;
	mod = container_of(kobj, struct module_kobject, kobj)->mod;
	if (mod && !try_module_get(mod))
		mod = NULL;
	if (mod && READ_ONCE(mod->state) == MODULE_STATE_COMING) {
		module_put(mod);
		mod = NULL;
		*coming = true;
	}
	kobject_put(kobj);
	return mod;
}

/*
 * Put our notifier into the empty slot, or in front of ctnetlink's
 * (@ctnl, pinned, the pin kept on success and dropped on failure).
 */
static int nfl_nat_attach(struct module *ctnl)
{
	struct nf_ct_event_notifier *old, *seen;

	lockdep_assert_held(&nfl_nat_mutex);
	old = rcu_dereference_protected(*nfl_nat_slot(), 1);
	if (old && !(ctnl && within_module((unsigned long)old->ct_event, ctnl))) {
		pr_err("the conntrack event callback belongs to another module\n");
		module_put(ctnl);
		return -EBUSY;
	}
	WRITE_ONCE(nfl_nat_next, old);
	seen = cmpxchg((__force struct nf_ct_event_notifier **)nfl_nat_slot(),
		       old, &nfl_nat_notifier);
	if (seen != old) {
		pr_err("conntrack event callback changed under us\n");
		WRITE_ONCE(nfl_nat_next, NULL);
		module_put(ctnl);
		return -EAGAIN;
	}
	nfl_nat_ctnl_mod = ctnl;
	nfl_nat_held = true;
	return 0;
}

/* Put back what the slot held before us (ctnetlink's notifier or none). */
static void nfl_nat_detach(void)
{
	struct nf_ct_event_notifier *next, *seen;

	lockdep_assert_held(&nfl_nat_mutex);
	next = (struct nf_ct_event_notifier *)nfl_nat_next;
	seen = cmpxchg((__force struct nf_ct_event_notifier **)nfl_nat_slot(),
		       &nfl_nat_notifier, next);
	if (seen != &nfl_nat_notifier)
		pr_err("conntrack event callback was replaced while ours\n");
	/* Callbacks in flight may still use nfl_nat_next and ctnetlink. */
	synchronize_rcu();
	WRITE_ONCE(nfl_nat_next, NULL);
	module_put(nfl_nat_ctnl_mod);
	nfl_nat_ctnl_mod = NULL;
	nfl_nat_held = false;
}

/*
 * @user asks for the callback.  The first user takes the slot (or waits
 * for ctnetlink to come up); later ones share it.  A user that asked
 * before and found it lost (nfl_nat_rejoin() failed) tries again.
 */
int nfl_ctev_get(unsigned int user)
{
	const char *who = nfl_ctev_name(user);
	struct module *ctnl;
	bool coming;
	int err = 0;

	mutex_lock(&nfl_nat_mutex);
	if (nfl_nat_users & user)
		goto out;
	if (nfl_nat_users) {
		WRITE_ONCE(nfl_nat_users, nfl_nat_users | user);
		goto shared;
	}
	mutex_unlock(&nfl_nat_mutex);

	/* Its module notifier calls take nfl_nat_mutex: load it without. */
	if (request_module(NFL_NAT_CTNETLINK))
		pr_warn("%s: could not load %s; should it load later, the module hands it the conntrack event callback and chains to it once it is up\n",
			who, NFL_NAT_CTNETLINK);

	mutex_lock(&nfl_nat_mutex);
	if (nfl_nat_users & user)
		goto out;
	if (nfl_nat_users) {
		WRITE_ONCE(nfl_nat_users, nfl_nat_users | user);
		goto shared;
	}
	ctnl = nfl_nat_pin_ctnetlink(&coming);
	if (!ctnl && (coming || nfl_nat_coming)) {
		/* Its registration is yet to come: chain once it is live. */
		pr_info("%s: %s is loading: %s starts once it is up\n",
			who, NFL_NAT_CTNETLINK, who);
	} else {
		err = nfl_nat_attach(ctnl);
		if (err)
			goto out;
	}
	WRITE_ONCE(nfl_nat_users, user);
	nfl_ct_sysctl_set(&nfl_nat_events_sysctl, who);
shared:
	if (nfl_nat_held)
		pr_info("%s enabled%s\n", who,
			nfl_nat_next ? ", chained to ctnetlink" : "");
out:
	mutex_unlock(&nfl_nat_mutex);
	return err;
}

/*
 * @user is done with it; the last one gives the slot back.  The caller
 * waits for callbacks in flight (synchronize_rcu()) if it needs to:
 * this does only when it gives the slot back.
 */
void nfl_ctev_put(unsigned int user)
{
	mutex_lock(&nfl_nat_mutex);
	if (!(nfl_nat_users & user)) {
		mutex_unlock(&nfl_nat_mutex);
		return;
	}
	WRITE_ONCE(nfl_nat_users, nfl_nat_users & ~user);
	if (!nfl_nat_users) {
		nfl_ct_sysctl_restore(&nfl_nat_events_sysctl, NULL);
		if (nfl_nat_held)
			nfl_nat_detach();
	}
	mutex_unlock(&nfl_nat_mutex);
	pr_info("%s disabled\n", nfl_ctev_name(user));
}

int nfl_natevents_enable(void)
{
	return nfl_ctev_get(NFL_CTEV_NATEVENTS);
}

void nfl_natevents_disable(void)
{
	nfl_ctev_put(NFL_CTEV_NATEVENTS);
}

/*
 * Back into the slot after ctnetlink came (@ctnl, live, not pinned yet)
 * or failed to come (NULL).  If that fails natevents is off: /proc and
 * the sysctl say so, and writing 1 tries again.
 */
static void nfl_nat_rejoin(struct module *ctnl)
{
	int err;

	if (ctnl && !try_module_get(ctnl))
		ctnl = NULL;
	err = nfl_nat_attach(ctnl);
	if (err) {
		WRITE_ONCE(nfl_nat_users, 0);
		nfl_ct_sysctl_restore(&nfl_nat_events_sysctl, NULL);
		pr_err("cannot take the conntrack event callback back (%d): natevents and ctflows are off\n",
		       err);
		return;
	}
	pr_info("%s, NAT events and connection ends resume\n",
		nfl_nat_next ? "chained to " NFL_NAT_CTNETLINK :
			       "conntrack event callback ours again");
}

/*
 * ctnetlink loading while we hold the slot alone would find it taken
 * (a WARN, and it would overwrite it): empty it before ctnetlink's init
 * runs and chain to it once it is live.
 */
static int nfl_nat_module_event(struct notifier_block *nb,
				unsigned long state, void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, NFL_NAT_CTNETLINK))
		return NOTIFY_DONE;
	mutex_lock(&nfl_nat_mutex);
	switch (state) {
	case MODULE_STATE_COMING:
		nfl_nat_coming = mod;
		if (nfl_nat_held && !nfl_nat_next) {
			nfl_nat_detach();
			pr_info("%s is loading: it gets the conntrack event callback, the module chains to it once it is up; NAT events and connection ends meanwhile are not seen\n",
				NFL_NAT_CTNETLINK);
		}
		break;
	case MODULE_STATE_LIVE:
		nfl_nat_coming = NULL;
		if (nfl_nat_users && !nfl_nat_held)
			nfl_nat_rejoin(mod);
		break;
	case MODULE_STATE_GOING:
		/* its init failed, or a forced unload: the slot is empty */
		if (nfl_nat_coming == mod)
			nfl_nat_coming = NULL;
		if (nfl_nat_held && nfl_nat_ctnl_mod == mod)
			nfl_nat_detach();
		if (nfl_nat_users && !nfl_nat_held)
			nfl_nat_rejoin(NULL);
		break;
	}
	mutex_unlock(&nfl_nat_mutex);
	return NOTIFY_OK;
}

static struct notifier_block nfl_nat_module_nb = {
	.notifier_call = nfl_nat_module_event,
};

int nfl_natevents_init(void)
{
	return register_module_notifier(&nfl_nat_module_nb);
}

void nfl_natevents_uninit(void)
{
	unregister_module_notifier(&nfl_nat_module_nb);
}
