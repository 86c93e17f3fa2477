/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NAT events from conntrack (natevents.c): the adapter between
 * conntrack's event callback and the exporter's NAT event queue.
 */
#ifndef _IPT_NETFLOW_NATEVENTS_H
#define _IPT_NETFLOW_NATEVENTS_H

#include <linux/types.h>

/*
 * Process context, serialised by the caller: the settings mutex, or the
 * module's init and exit.  0 or -errno.
 */
int nfl_natevents_enable(void);
void nfl_natevents_disable(void);
bool nfl_natevents_active(void);
/* Events reported since load, for /proc's Natevents line. */
void nfl_natevents_counts(u64 *start, u64 *stop);

#endif /* _IPT_NETFLOW_NATEVENTS_H */
