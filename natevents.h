/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NAT events from conntrack (natevents.c): the adapter between
 * conntrack's event callback and the exporter's NAT event queue.
 */
#ifndef _IPT_NETFLOW_NATEVENTS_H
#define _IPT_NETFLOW_NATEVENTS_H

#include <linux/types.h>

/*
 * Module init and exit, around every other call: the module notifier
 * that sees nf_conntrack_netlink load later.  0 or -errno.
 */
int nfl_natevents_init(void);
void nfl_natevents_uninit(void);
/* Process context, not under locks ctnetlink's loading takes. 0 or -errno. */
int nfl_natevents_enable(void);
void nfl_natevents_disable(void);
/* Events are being delivered to us (not only asked for). */
bool nfl_natevents_active(void);
/* Events reported since load, for /proc's Natevents line. */
void nfl_natevents_counts(u64 *start, u64 *stop);

#endif /* _IPT_NETFLOW_NATEVENTS_H */
