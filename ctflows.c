// SPDX-License-Identifier: GPL-2.0-only
/*
 * ctflows: connection records from conntrack.  A NAT gateway tracks every
 * connection already; conntrack's per-connection counters and timestamps
 * (net.netfilter.nf_conntrack_acct, nf_conntrack_timestamp) give one
 * record per connection, both directions and the translation, at no cost
 * per packet.  Only the initial namespace, as natevents.
 *
 * The end of a connection comes from conntrack's event callback, the one
 * natevents.c holds for both (nfl_ctev_get()): its destroy event makes the
 * final record.  Interim records come from a walk of conntrack's hash
 * table by a work item, never per packet: a bucket at a time under that
 * bucket's lock only, as ctnetlink's dump (conntrack -L) walks it, the
 * lock held for the few entries of one chain.  The lock keeps them in
 * place (each connection met once, none freed meanwhile) and the table
 * from being resized under the walk; conntrack exports no lockless way to
 * read the table's address and size together.
 *
 * What a live connection was last exported with is kept per connection
 * in our own table (struct nfl_ctf_state), only for those that need it:
 * connections that had an interim record, and those older than ctflows
 * (their baseline).  Its entry goes with the destroy event; an entry
 * whose connection the walk did not meet in a whole pass (its destroy
 * event never came: no event data, or an event mask) goes then.
 *
 * Cost of the walk: each connection is met once per pass, a pass takes
 * active_timeout / 2 (so a live connection's interim records come every
 * active_timeout to 1.5 x active_timeout), and a tick examines at most
 * NFL_CTF_VISITS_MAX connections a second whatever the setting.  Meeting
 * one costs a read of its extensions (1 or 2 cache misses); one older
 * than active_timeout a lookup in our table too, and one that is due a
 * record.  Each bucket's lock is taken once a pass, with bottom halves
 * off, for the length of its chain.  A table of 1M
 * connections at the default active_timeout of 1800 s: 1111 a second;
 * at any active_timeout at most 65536 a second, a pass of 1M then taking
 * 16 s (interim records every 16 to 24 s instead of active_timeout).
 *
 * conntrack is optional for this module: its table is reached through
 * symbol_get(), which also pins nf_conntrack while ctflows is on.
 */

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rculist_nulls.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_acct.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_timestamp.h>

#include "compat.h"
#include "ctflows.h"
#include "encoder.h"
#include "export.h"
#include "natevents.h"
#include "settings.h"

#define NFL_CTF_TICK		HZ
/* Connections a tick examines at most: the walk's cost bound. */
#define NFL_CTF_VISITS_MAX	65536
/* Buckets of conntrack's table between two cond_resched(). */
#define NFL_CTF_SLICE		256
/* Interim records wait while the export queue has less room than this. */
#define NFL_CTF_ROOM_MIN	8192
/* Our table: buckets from conntrack's, within these; hashed locks. */
#define NFL_CTF_BUCKETS_MIN	1024
#define NFL_CTF_BUCKETS_MAX	(1U << 20)
#define NFL_CTF_LOCKS		256

/* What a connection was last exported with (see above). */
struct nfl_ctf_state {
	struct hlist_node node;
	const struct nf_conn *ct;	/* the key, never dereferenced */
	u64 start_ns;			/* its tstamp start: a reused ct differs */
	u64 last_ms;			/* end of its last record */
	u64 packets[2], bytes[2];	/* conntrack's counters then */
	u32 seen;			/* the walk's pass that last met it */
};

struct nfl_ctf_table {
	unsigned int bits;
	spinlock_t locks[NFL_CTF_LOCKS];
	struct hlist_head buckets[];
};

/* Under nfl_ctf_mutex: enable and disable. */
static DEFINE_MUTEX(nfl_ctf_mutex);
static bool nfl_ctf_on;			/* written under it, read anywhere */
/* conntrack's table, through symbol_get() */
static struct hlist_nulls_head **nfl_ctf_hash;
static unsigned int *nfl_ctf_hsize;
static spinlock_t (*nfl_ctf_locks)[CONNTRACK_LOCKS];
static void (*nfl_ctf_ct_lock)(spinlock_t *lock);

static struct kmem_cache *nfl_ctf_cache;
/* Our table; the destroy callback reads it under RCU. */
static struct nfl_ctf_table __rcu *nfl_ctf_tbl;
/* When ctflows was switched on: older connections need a baseline. */
static u64 nfl_ctf_on_ns;

static atomic64_t nfl_ctf_connections = ATOMIC64_INIT(0);
static atomic64_t nfl_ctf_interim = ATOMIC64_INIT(0);
static atomic64_t nfl_ctf_dropped = ATOMIC64_INIT(0);
static atomic64_t nfl_ctf_uncounted = ATOMIC64_INIT(0);

/* The walk: its work item and state, touched by it alone once started. */
static void nfl_ctf_tick(struct work_struct *work);
static DECLARE_DELAYED_WORK(nfl_ctf_work, nfl_ctf_tick);
static bool nfl_ctf_stop;		/* the tick does not requeue */
static unsigned int nfl_ctf_cursor;	/* next bucket of conntrack's */
static unsigned int nfl_ctf_sweep_at;	/* next bucket of ours */
static u32 nfl_ctf_pass;		/* passes begun */
static u32 nfl_ctf_pass_done;		/* the last that met every connection */
static bool nfl_ctf_pass_ok;		/* this one still may */
static struct hlist_nulls_head *nfl_ctf_pass_hash;	/* its table then */

enum nfl_ctf_mode {
	NFL_CTF_INTERIM,		/* the tick: records of connections due */
	NFL_CTF_BASELINE,		/* switch-on: older connections' baseline */
	NFL_CTF_FLUSH,			/* switch-off: what every one counted since */
};

/* What conntrack has for a connection. */
struct nfl_ctf_snap {
	u64 start_ns;
	u64 packets[2], bytes[2];
};

void nfl_ctflows_get_stats(struct nfl_ctflows_stats *st)
{
	st->connections = atomic64_read(&nfl_ctf_connections);
	st->interim = atomic64_read(&nfl_ctf_interim);
	st->dropped = atomic64_read(&nfl_ctf_dropped);
	st->uncounted = atomic64_read(&nfl_ctf_uncounted);
}

bool nfl_ctflows_active(void)
{
	return READ_ONCE(nfl_ctf_on) && nfl_ctev_active(NFL_CTEV_CTFLOWS);
}

static u64 nfl_ctf_now_ms(void)
{
	return div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);
}

static bool nfl_ctf_family_ok(const struct nf_conn *ct)
{
	u8 l3 = nf_ct_l3num(ct);

	return l3 == NFPROTO_IPV4 || l3 == NFPROTO_IPV6;
}

/* Counters and start of @ct (referenced); false if it has none. */
static bool nfl_ctf_snap(const struct nf_conn *ct, struct nfl_ctf_snap *s)
{
	const struct nf_conn_acct *acct = nf_conn_acct_find(ct);
	const struct nf_conn_tstamp *ts = nf_conn_tstamp_find(ct);
	unsigned int d;

	if (!acct || !ts)
		return false;
	s->start_ns = READ_ONCE(ts->start);
	if (!s->start_ns)
		return false;
	for (d = 0; d < 2; d++) {
		s->packets[d] = atomic64_read(&acct->counter[d].packets);
		s->bytes[d] = atomic64_read(&acct->counter[d].bytes);
	}
	return true;
}

static spinlock_t *nfl_ctf_lock(struct nfl_ctf_table *t, const struct nf_conn *ct,
				struct hlist_head **bucket)
{
	u32 b = hash_ptr(ct, t->bits);

	*bucket = &t->buckets[b];
	return &t->locks[b & (NFL_CTF_LOCKS - 1)];
}

/*
 * @ct's entry in @bucket (its lock held), NULL if none.  An entry of an
 * earlier connection at the same address (its end never reached us) is
 * freed on the way.
 */
static struct nfl_ctf_state *nfl_ctf_find(struct hlist_head *bucket,
					  const struct nf_conn *ct, u64 start_ns)
{
	struct nfl_ctf_state *st;

	hlist_for_each_entry(st, bucket, node) {
		if (st->ct != ct)
			continue;
		if (st->start_ns == start_ns)
			return st;
		hlist_del(&st->node);
		kmem_cache_free(nfl_ctf_cache, st);
		return NULL;
	}
	return NULL;
}

static struct nfl_ctf_state *nfl_ctf_add(struct hlist_head *bucket,
					 const struct nf_conn *ct,
					 const struct nfl_ctf_snap *s)
{
	struct nfl_ctf_state *st;

	st = kmem_cache_alloc(nfl_ctf_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!st)
		return NULL;
	memset(st, 0, sizeof(*st));
	st->ct = ct;
	st->start_ns = s->start_ns;
	st->seen = READ_ONCE(nfl_ctf_pass);
	hlist_add_head(&st->node, bucket);
	return st;
}

static void nfl_ctf_state_set(struct nfl_ctf_state *st,
			      const struct nfl_ctf_snap *s, u64 ms)
{
	memcpy(st->packets, s->packets, sizeof(st->packets));
	memcpy(st->bytes, s->bytes, sizeof(st->bytes));
	st->last_ms = ms;
}

/*
 * Why conntrack ends @ct: a TCP connection that saw a FIN or RST is
 * closed (its TIME_WAIT or CLOSE timeout ran out, or it went early),
 * anything else timed out, or went before its time: a flush, ctnetlink,
 * the table full, the namespace or conntrack going.
 */
static u8 nfl_ctf_end_reason(const struct nf_conn *ct)
{
	if (nf_ct_protonum(ct) == IPPROTO_TCP) {
		u8 state = READ_ONCE(ct->proto.tcp.state);

		if (state >= TCP_CONNTRACK_FIN_WAIT &&
		    state <= TCP_CONNTRACK_CLOSE)
			return NFL_END_DETECTED;
	}
	return nf_ct_is_expired(ct) ? NFL_END_IDLE : NFL_END_FORCED;
}

/*
 * @r: what @ct counted beyond @st (or all of it) in [@start_ms, @end_ms].
 * Counts never go back, but a reused entry would: clamp at 0.
 */
static void nfl_ctf_fill(struct nfl_ct_record *r, const struct nf_conn *ct,
			 const struct nfl_ctf_snap *s,
			 const struct nfl_ctf_state *st,
			 u64 start_ms, u64 end_ms, u8 reason)
{
	const struct nf_conntrack_tuple *tp;
	struct nfl_ct_side *side;
	unsigned int d;

	memset(r, 0, sizeof(*r));
	r->start_ms = start_ms;
	r->end_ms = max(end_ms, start_ms);
	r->ipv6 = nf_ct_l3num(ct) == NFPROTO_IPV6;
	r->nat = !!(ct->status & (IPS_SRC_NAT | IPS_DST_NAT));
	r->proto = nf_ct_protonum(ct);
	r->end_reason = reason;
	/* the original direction is the one whose packet made the entry */
	r->biflow_dir = NFL_BIFLOW_INITIATOR;
	for (d = 0; d < 2; d++) {
		tp = &ct->tuplehash[d].tuple;
		side = &r->dir[d];
		if (r->ipv6) {
			side->saddr6 = tp->src.u3.in6;
			side->daddr6 = tp->dst.u3.in6;
		} else {
			side->saddr = tp->src.u3.ip;
			side->daddr = tp->dst.u3.ip;
		}
		/* ICMP: the id, and type and code (as in natevents.c) */
		side->sport = tp->src.u.all;
		side->dport = tp->dst.u.all;
		side->packets = s->packets[d];
		side->bytes = s->bytes[d];
		if (st) {
			side->packets -= min(side->packets, st->packets[d]);
			side->bytes -= min(side->bytes, st->bytes[d]);
		}
	}
}

static bool nfl_ctf_empty(const struct nfl_ct_record *r)
{
	return !r->dir[0].packets && !r->dir[1].packets &&
	       !r->dir[0].bytes && !r->dir[1].bytes;
}

/*
 * Queue @r (freed here, one way or another) for the exporter; false if
 * nothing of it got there.  A record whose counts the current protocol
 * cannot hold (v5's 32 bits) goes as several of the same connection and
 * interval whose counts add up to it.
 */
static bool nfl_ctf_emit(struct nfl_ct_record *r, atomic64_t *counter)
{
	const struct nfl_encoder *ops = nfl_encoder_find(nfl_export_protocol());
	u64 k = ops ? nfl_ct_pieces(r, ops->max_octets, ops->max_packets) : 1;
	struct nfl_ct_record *piece;
	bool any = false;
	u64 i;

	for (i = 0; i < k; i++) {
		piece = r;
		if (i + 1 < k) {
			piece = kmemdup(r, sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
			if (!piece) {
				atomic64_inc(&nfl_ctf_dropped);
				continue;
			}
		}
		/* the last piece is @r itself, whose counts are read first */
		if (k > 1)
			nfl_ct_piece(piece, r, k, i);
		if (nfl_export_queue_ct(piece)) {
			any = true;
			if (counter == &nfl_ctf_interim)
				atomic64_inc(counter);
		} else {
			atomic64_inc(&nfl_ctf_dropped);
		}
	}
	if (any && counter == &nfl_ctf_connections)
		atomic64_inc(counter);
	nfl_export_kick();
	return any;
}

/* conntrack destroys @ct: its last record. */
void nfl_ctflows_destroyed(struct nf_conn *ct)
{
	struct nfl_ctf_table *t = rcu_dereference(nfl_ctf_tbl);
	const struct nf_conn_tstamp *ts;
	struct nfl_ctf_state *st;
	struct nfl_ct_record *r;
	struct nfl_ctf_snap s;
	struct hlist_head *bucket;
	unsigned long flags;
	spinlock_t *lock;
	u64 start_ms, stop;

	if (!t || !nfl_ctf_family_ok(ct))
		return;
	if (!nfl_ctf_snap(ct, &s)) {
		atomic64_inc(&nfl_ctf_uncounted);
		return;
	}
	/* nf_ct_delete() stamped it just before telling us */
	ts = nf_conn_tstamp_find(ct);
	stop = READ_ONCE(ts->stop);
	r = kmalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);

	lock = nfl_ctf_lock(t, ct, &bucket);
	spin_lock_irqsave(lock, flags);
	st = nfl_ctf_find(bucket, ct, s.start_ns);
	if (!st && s.start_ns < READ_ONCE(nfl_ctf_on_ns)) {
		/* older than ctflows and no baseline: its share is unknown */
		spin_unlock_irqrestore(lock, flags);
		kfree(r);
		atomic64_inc(&nfl_ctf_uncounted);
		return;
	}
	start_ms = st ? st->last_ms : div_u64(s.start_ns, NSEC_PER_MSEC);
	if (r)
		nfl_ctf_fill(r, ct, &s, st, start_ms,
			     stop ? div_u64(stop, NSEC_PER_MSEC) : nfl_ctf_now_ms(),
			     nfl_ctf_end_reason(ct));
	if (st) {
		hlist_del(&st->node);
		kmem_cache_free(nfl_ctf_cache, st);
	}
	spin_unlock_irqrestore(lock, flags);

	if (!r) {
		atomic64_inc(&nfl_ctf_dropped);
		return;
	}
	nfl_ctf_emit(r, &nfl_ctf_connections);
}

/*
 * The walk meets @ct (confirmed, init_net's, under its bucket lock with
 * bottom halves off) at @now_ms: in @mode, a baseline, an interim record
 * if one is due @due_ms after its last, or what it counted since its last
 * record.
 */
static void nfl_ctf_visit(struct nfl_ctf_table *t, struct nf_conn *ct,
			  enum nfl_ctf_mode mode, u64 now_ms, u64 due_ms)
{
	struct nfl_ctf_state *st;
	struct nfl_ct_record *r = NULL;
	struct nfl_ctf_snap s;
	struct hlist_head *bucket;
	unsigned long flags;
	spinlock_t *lock;
	u64 start_ms, last_ms;
	bool older;

	if (!nfl_ctf_family_ok(ct) || !nfl_ctf_snap(ct, &s))
		return;
	start_ms = div_u64(s.start_ns, NSEC_PER_MSEC);
	older = s.start_ns < READ_ONCE(nfl_ctf_on_ns);
	if (!older && mode == NFL_CTF_BASELINE)
		return;
	lock = nfl_ctf_lock(t, ct, &bucket);
	/*
	 * Ours from its start and younger than active_timeout: nothing due
	 * yet, and no entry to mark unless it had a record when the setting
	 * was shorter.  Only the walk adds entries, so a bucket it reads
	 * empty stays so meanwhile: most connections cost no lock here.
	 */
	if (!older && mode == NFL_CTF_INTERIM && now_ms < start_ms + due_ms &&
	    hlist_empty(bucket))
		return;

	spin_lock_irqsave(lock, flags);
	/* its destroy event is on its way, or came: that has the rest */
	if (mode != NFL_CTF_FLUSH && nf_ct_is_dying(ct))
		goto unlock;
	st = nfl_ctf_find(bucket, ct, s.start_ns);
	if (st)
		st->seen = READ_ONCE(nfl_ctf_pass);
	if (mode == NFL_CTF_BASELINE) {
		if (!st) {
			st = nfl_ctf_add(bucket, ct, &s);
			if (st)
				nfl_ctf_state_set(st, &s, now_ms);
		}
		goto unlock;
	}
	if (!st && older)
		goto unlock;		/* no baseline: never exported */
	last_ms = st ? st->last_ms : start_ms;
	if (mode == NFL_CTF_INTERIM && now_ms < last_ms + due_ms)
		goto unlock;
	/*
	 * Due.  The entry says so: met again (in a table resized under the
	 * walk) it is not.  An interim record waits for the next pass
	 * without one; the last record of switch-off goes anyway.
	 */
	r = kmalloc(sizeof(*r), GFP_NOWAIT | __GFP_NOWARN);
	if (!r) {
		if (mode == NFL_CTF_FLUSH)
			atomic64_inc(&nfl_ctf_dropped);
		goto unlock;
	}
	if (!st)
		st = nfl_ctf_add(bucket, ct, &s);
	if (!st && mode == NFL_CTF_INTERIM)
		goto unlock;
	/* a new entry counts nothing yet: the record has it all */
	nfl_ctf_fill(r, ct, &s, st, last_ms, now_ms,
		     mode == NFL_CTF_FLUSH ? NFL_END_FORCED : NFL_END_ACTIVE);
	if (st)
		nfl_ctf_state_set(st, &s, now_ms);
	spin_unlock_irqrestore(lock, flags);
	if (nfl_ctf_empty(r)) {
		/* nothing since: the next record starts later */
		kfree(r);
		return;
	}
	nfl_ctf_emit(r, mode == NFL_CTF_FLUSH ? &nfl_ctf_connections :
						&nfl_ctf_interim);
	return;

unlock:
	spin_unlock_irqrestore(lock, flags);
	kfree(r);
}

/*
 * Meet every connection in conntrack's bucket @b once, under its lock
 * (nothing moves, nothing is freed meanwhile), by its reply tuple, as
 * conntrack's own iterator: a NAT clash entry is in the table by that one
 * only.  Returns the connections met; *@size is conntrack's table size
 * then (@b past it: nothing met), and a table other than the one the pass
 * began with makes the pass incomplete.
 */
static unsigned int nfl_ctf_bucket(struct nfl_ctf_table *t, unsigned int b,
				   enum nfl_ctf_mode mode, u64 now_ms,
				   u64 due_ms, unsigned int *size)
{
	spinlock_t *lockp = &(*nfl_ctf_locks)[b % CONNTRACK_LOCKS];
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_head *hash;
	struct hlist_nulls_node *n;
	unsigned int met = 0;
	struct nf_conn *ct;

	local_bh_disable();
	nfl_ctf_ct_lock(lockp);
	/* a resize holds every bucket lock: both stay as they are */
	*size = READ_ONCE(*nfl_ctf_hsize);
	hash = READ_ONCE(*nfl_ctf_hash);
	if (hash != nfl_ctf_pass_hash)
		nfl_ctf_pass_ok = false;
	if (b < *size) {
		hlist_nulls_for_each_entry(h, n, &hash[b], hnnode) {
			if (NF_CT_DIRECTION(h) != IP_CT_DIR_REPLY)
				continue;
			ct = nf_ct_tuplehash_to_ctrack(h);
			met++;
			if (net_eq(nf_ct_net(ct), &init_net) &&
			    nf_ct_is_confirmed(ct))
				nfl_ctf_visit(t, ct, mode, now_ms, due_ms);
		}
	}
	spin_unlock(lockp);
	local_bh_enable();
	return met;
}

/*
 * Free entries of connections the last whole pass did not meet: their
 * end never reached us.  @n of our buckets from *@at on; RCU not needed.
 */
static void nfl_ctf_sweep(struct nfl_ctf_table *t, unsigned int *at,
			  unsigned int n)
{
	unsigned int size = 1U << t->bits, i;
	u32 done = READ_ONCE(nfl_ctf_pass_done);
	struct nfl_ctf_state *st;
	struct hlist_node *tmp;
	unsigned long flags;
	spinlock_t *lock;

	if (!done)
		return;		/* no whole pass yet */
	for (i = 0; i < n; i++, *at = (*at + 1) & (size - 1)) {
		lock = &t->locks[*at & (NFL_CTF_LOCKS - 1)];
		spin_lock_irqsave(lock, flags);
		hlist_for_each_entry_safe(st, tmp, &t->buckets[*at], node) {
			if ((s32)(done - st->seen) > 0) {
				hlist_del(&st->node);
				kmem_cache_free(nfl_ctf_cache, st);
			}
		}
		spin_unlock_irqrestore(lock, flags);
		if (!((i + 1) % NFL_CTF_SLICE))
			cond_resched();
	}
}

/*
 * Walk @quota buckets of conntrack's table from *@cursor on (the whole
 * table: UINT_MAX), meeting at most @visits connections.  Wraps to 0 at
 * its end, counting passes.  Process context.
 */
static void nfl_ctf_walk(struct nfl_ctf_table *t, enum nfl_ctf_mode mode,
			 unsigned int *cursor, unsigned int quota,
			 unsigned int visits)
{
	u64 due_ms = (u64)max(READ_ONCE(nfl_cfg.active_timeout), 1U) *
		     MSEC_PER_SEC;
	unsigned int size = READ_ONCE(*nfl_ctf_hsize), done = 0, met = 0, i;
	u64 now_ms;

	while (done < quota && met < visits) {
		if (mode != NFL_CTF_BASELINE &&
		    nfl_export_ct_room() < NFL_CTF_ROOM_MIN) {
			if (mode == NFL_CTF_INTERIM)
				break;		/* the exporter catches up first */
			nfl_export_sync();
		}
		if (*cursor >= size) {
			*cursor = 0;
			if (quota == UINT_MAX && done)
				break;		/* the whole table, once */
		}
		if (*cursor == 0 && mode == NFL_CTF_INTERIM) {
			/* a pass begins; the last one ended */
			if (nfl_ctf_pass && nfl_ctf_pass_ok)
				WRITE_ONCE(nfl_ctf_pass_done, nfl_ctf_pass);
			WRITE_ONCE(nfl_ctf_pass, nfl_ctf_pass + 1);
			nfl_ctf_pass_ok = true;
			nfl_ctf_pass_hash = READ_ONCE(*nfl_ctf_hash);
		}
		now_ms = nfl_ctf_now_ms();
		for (i = 0; i < NFL_CTF_SLICE && *cursor < size &&
		     done < quota; i++, done++, (*cursor)++)
			met += nfl_ctf_bucket(t, *cursor, mode, now_ms, due_ms,
					      &size);
		cond_resched();
		if (*cursor >= size && quota == UINT_MAX)
			break;
	}
}

static void nfl_ctf_tick(struct work_struct *work)
{
	struct nfl_ctf_table *t = rcu_dereference_protected(nfl_ctf_tbl, 1);
	/* each connection met every active_timeout / 2 */
	u32 pass_s = max(READ_ONCE(nfl_cfg.active_timeout) / 2, 1U);
	unsigned int size;

	size = READ_ONCE(*nfl_ctf_hsize);
	nfl_ctf_walk(t, NFL_CTF_INTERIM, &nfl_ctf_cursor,
		     DIV_ROUND_UP(size, pass_s), NFL_CTF_VISITS_MAX);
	nfl_ctf_sweep(t, &nfl_ctf_sweep_at,
		      DIV_ROUND_UP(1U << t->bits, pass_s));
	if (!READ_ONCE(nfl_ctf_stop))
		queue_delayed_work(system_unbound_wq, &nfl_ctf_work,
				   NFL_CTF_TICK);
}

/* ---- switching ---- */

static int nfl_ctf_symbols_get(void)
{
	/* loads it if it is a module not loaded yet; built in is fine too */
	request_module("nf_conntrack");
	nfl_ctf_hash = symbol_get(nf_conntrack_hash);
	nfl_ctf_hsize = symbol_get(nf_conntrack_htable_size);
	nfl_ctf_locks = symbol_get(nf_conntrack_locks);
	nfl_ctf_ct_lock = symbol_get(nf_conntrack_lock);
	if (nfl_ctf_hash && nfl_ctf_hsize && nfl_ctf_locks && nfl_ctf_ct_lock)
		return 0;
	if (nfl_ctf_hash)
		symbol_put(nf_conntrack_hash);
	if (nfl_ctf_hsize)
		symbol_put(nf_conntrack_htable_size);
	if (nfl_ctf_locks)
		symbol_put(nf_conntrack_locks);
	if (nfl_ctf_ct_lock)
		symbol_put(nf_conntrack_lock);
	nfl_ctf_hash = NULL;
	nfl_ctf_hsize = NULL;
	nfl_ctf_locks = NULL;
	nfl_ctf_ct_lock = NULL;
	pr_err("ctflows: conntrack (nf_conntrack) is not available\n");
	return -EOPNOTSUPP;
}

static void nfl_ctf_symbols_put(void)
{
	symbol_put(nf_conntrack_hash);
	symbol_put(nf_conntrack_htable_size);
	symbol_put(nf_conntrack_locks);
	symbol_put(nf_conntrack_lock);
	nfl_ctf_hash = NULL;
	nfl_ctf_hsize = NULL;
	nfl_ctf_locks = NULL;
	nfl_ctf_ct_lock = NULL;
}

static struct nfl_ctf_table *nfl_ctf_table_alloc(unsigned int ct_buckets)
{
	unsigned int n = clamp(roundup_pow_of_two(max(ct_buckets, 1U)),
			       NFL_CTF_BUCKETS_MIN, NFL_CTF_BUCKETS_MAX);
	struct nfl_ctf_table *t;
	unsigned int i;

	t = kvzalloc(struct_size(t, buckets, n), GFP_KERNEL);
	if (!t)
		return NULL;
	t->bits = ilog2(n);
	for (i = 0; i < NFL_CTF_LOCKS; i++)
		spin_lock_init(&t->locks[i]);
	return t;
}

/* No walk and no callback uses @t any more. */
static void nfl_ctf_table_free(struct nfl_ctf_table *t)
{
	struct nfl_ctf_state *st;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < (1U << t->bits); i++) {
		hlist_for_each_entry_safe(st, tmp, &t->buckets[i], node)
			kmem_cache_free(nfl_ctf_cache, st);
		if (!((i + 1) % NFL_CTF_SLICE))
			cond_resched();
	}
	kvfree(t);
}

/*
 * Per-connection counters and timestamps are what records are made of:
 * on for as long as ctflows is (new connections get them), logged, and
 * put back on disable unless someone changed them meanwhile.  Under
 * nfl_ctf_mutex.
 */
static struct nfl_ct_sysctl nfl_ctf_sysctls[] = {
	{
		.name = "nf_conntrack_acct",
		.val = &init_net.ct.sysctl_acct,
		.off = 0,
		.on = 1,
		.why = "conntrack counts packets and bytes of new connections only then",
	},
	{
		.name = "nf_conntrack_timestamp",
		.val = &init_net.ct.sysctl_tstamp,
		.off = 0,
		.on = 1,
		.why = "conntrack stamps new connections' start and end only then",
	},
};

static void nfl_ctf_sysctls_on(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nfl_ctf_sysctls); i++)
		nfl_ct_sysctl_set(&nfl_ctf_sysctls[i], "ctflows");
}

static void nfl_ctf_sysctls_off(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nfl_ctf_sysctls); i++)
		nfl_ct_sysctl_restore(&nfl_ctf_sysctls[i], "ctflows");
}

int nfl_ctflows_enable(void)
{
	struct nfl_ctf_table *t;
	unsigned int cursor = 0;
	int err;

	mutex_lock(&nfl_ctf_mutex);
	if (nfl_ctf_on) {
		/* on, but the callback may have been lost: take it again */
		err = nfl_ctev_get(NFL_CTEV_CTFLOWS);
		goto out;
	}
	err = nfl_ctf_symbols_get();
	if (err)
		goto out;
	err = -ENOMEM;
	nfl_ctf_cache = kmem_cache_create("ipt_netflow_ctflows",
					  sizeof(struct nfl_ctf_state), 0, 0,
					  NULL);
	if (!nfl_ctf_cache)
		goto err_syms;
	t = nfl_ctf_table_alloc(READ_ONCE(*nfl_ctf_hsize));
	if (!t)
		goto err_cache;
	nfl_ctf_sysctls_on();
	WRITE_ONCE(nfl_ctf_on_ns, ktime_get_real_ns());
	WRITE_ONCE(nfl_ctf_pass, 0);
	WRITE_ONCE(nfl_ctf_pass_done, 0);
	nfl_ctf_pass_ok = false;
	nfl_ctf_cursor = 0;
	nfl_ctf_sweep_at = 0;
	rcu_assign_pointer(nfl_ctf_tbl, t);
	err = nfl_ctev_get(NFL_CTEV_CTFLOWS);
	if (err)
		goto err_table;
	/* connections older than now: what they count from now on */
	nfl_ctf_walk(t, NFL_CTF_BASELINE, &cursor, UINT_MAX, UINT_MAX);
	WRITE_ONCE(nfl_ctf_stop, false);
	queue_delayed_work(system_unbound_wq, &nfl_ctf_work, NFL_CTF_TICK);
	WRITE_ONCE(nfl_ctf_on, true);
	pr_info("ctflows: connection records from conntrack, interim records every %u s or so\n",
		READ_ONCE(nfl_cfg.active_timeout));
	mutex_unlock(&nfl_ctf_mutex);
	return 0;

err_table:
	RCU_INIT_POINTER(nfl_ctf_tbl, NULL);
	synchronize_rcu();
	nfl_ctf_sysctls_off();
	nfl_ctf_table_free(t);
err_cache:
	kmem_cache_destroy(nfl_ctf_cache);
	nfl_ctf_cache = NULL;
err_syms:
	nfl_ctf_symbols_put();
out:
	mutex_unlock(&nfl_ctf_mutex);
	return err;
}

void nfl_ctflows_disable(void)
{
	struct nfl_ctf_table *t;
	unsigned int cursor = 0;

	mutex_lock(&nfl_ctf_mutex);
	if (!nfl_ctf_on) {
		mutex_unlock(&nfl_ctf_mutex);
		return;
	}
	WRITE_ONCE(nfl_ctf_stop, true);
	cancel_delayed_work_sync(&nfl_ctf_work);
	nfl_ctev_put(NFL_CTEV_CTFLOWS);
	/* no destroy callback is in here any more */
	synchronize_rcu();
	t = rcu_dereference_protected(nfl_ctf_tbl,
				      lockdep_is_held(&nfl_ctf_mutex));
	/* live connections: what they counted since their last record */
	nfl_ctf_walk(t, NFL_CTF_FLUSH, &cursor, UINT_MAX, UINT_MAX);
	RCU_INIT_POINTER(nfl_ctf_tbl, NULL);
	nfl_ctf_table_free(t);
	kmem_cache_destroy(nfl_ctf_cache);
	nfl_ctf_cache = NULL;
	nfl_ctf_sysctls_off();
	nfl_ctf_symbols_put();
	WRITE_ONCE(nfl_ctf_on, false);
	mutex_unlock(&nfl_ctf_mutex);
}
