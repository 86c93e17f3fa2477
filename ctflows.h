/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Connection records from conntrack (ctflows.c): a record per connection
 * when conntrack destroys it, interim records while it lives, read from
 * conntrack's own counters and timestamps instead of per packet.
 */
#ifndef _IPT_NETFLOW_CTFLOWS_H
#define _IPT_NETFLOW_CTFLOWS_H

#include <linux/types.h>

struct nf_conn;

/*
 * Process context, not under locks ctnetlink's loading takes (as
 * natevents).  Enable: 0 or -errno; while on, again: 0, or retake the
 * conntrack event callback if it was lost.  Disable sends what live
 * connections counted since their last record, then stops.
 */
int nfl_ctflows_enable(void);
void nfl_ctflows_disable(void);
/* Records are being made: on, and connection ends are delivered to us. */
bool nfl_ctflows_active(void);

/* natevents.c's conntrack event callback: @ct is being destroyed. */
void nfl_ctflows_destroyed(struct nf_conn *ct);

struct nfl_ctflows_stats {
	u64 connections;		/* connections whose end went to the exporter */
	u64 interim;			/* interim records that did */
	u64 dropped;			/* records lost: queue full, no memory */
	u64 uncounted;			/* ends not exported: no counters (see README) */
};
void nfl_ctflows_get_stats(struct nfl_ctflows_stats *st);

#endif /* _IPT_NETFLOW_CTFLOWS_H */
