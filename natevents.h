/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NAT events from conntrack (natevents.c): the adapter between
 * conntrack's event callback and the exporter's NAT event queue, and
 * the holder of that callback for ctflows too, and of the conntrack
 * sysctls both need (struct nfl_ct_sysctl).
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
/*
 * Conntrack's event callback (one per namespace) serves both natevents
 * and ctflows: a user asks for it with nfl_ctev_get(), which takes the
 * slot for the first user, and gives it up with nfl_ctev_put(), which
 * gives the slot back after the last.  Process context, not under locks
 * ctnetlink's loading takes; get: 0 or -errno.
 */
#define NFL_CTEV_NATEVENTS	0x1
#define NFL_CTEV_CTFLOWS	0x2
int nfl_ctev_get(unsigned int user);
void nfl_ctev_put(unsigned int user);
/* Events are being delivered to @user (not only asked for). */
bool nfl_ctev_active(unsigned int user);

/* natevents: nfl_ctev_*(NFL_CTEV_NATEVENTS) */
int nfl_natevents_enable(void);
void nfl_natevents_disable(void);
bool nfl_natevents_active(void);
/* Events reported since load, for /proc's Natevents line. */
void nfl_natevents_counts(u64 *start, u64 *stop);

/*
 * A conntrack sysctl of init_net that a feature needs at @on while it is
 * on (natevents and ctflows: nf_conntrack_events, _acct, _timestamp).
 * nfl_ct_sysctl_set() moves it from @off to @on, if it is @off, and logs
 * that for @who with @why; nfl_ct_sysctl_restore() puts @off back if set
 * moved it and nobody changed it since, and logs that (for @who, or for
 * nobody if NULL).  Under the feature's own mutex.
 */
struct nfl_ct_sysctl {
	const char *name;		/* net.netfilter.<name> */
	u8 *val;			/* its value in init_net.ct */
	u8 off, on;
	const char *why;		/* what @on does, for the log */
	bool set;			/* set moved it, restore not yet */
};
void nfl_ct_sysctl_set(struct nfl_ct_sysctl *s, const char *who);
void nfl_ct_sysctl_restore(struct nfl_ct_sysctl *s, const char *who);

#endif /* _IPT_NETFLOW_NATEVENTS_H */
