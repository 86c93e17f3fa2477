/* SPDX-License-Identifier: GPL-2.0-only */
/* The xtables target NETFLOW (target.c), for iptables and ip6tables. */
#ifndef _IPT_NETFLOW_TARGET_H
#define _IPT_NETFLOW_TARGET_H

/* Last in the module's init: from here on packets reach the cache. */
int nfl_target_init(void);
/* First in its exit; returns once no packet is inside the target. */
void nfl_target_uninit(void);

#endif /* _IPT_NETFLOW_TARGET_H */
