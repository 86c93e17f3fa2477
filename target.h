/* SPDX-License-Identifier: GPL-2.0-only */
/* The xtables target NETFLOW (target.c), for iptables and ip6tables. */
#ifndef _IPT_NETFLOW_TARGET_H
#define _IPT_NETFLOW_TARGET_H

#include <linux/types.h>

/* In the module's init, with targets=: from here on rules may meter. */
int nfl_target_init(bool on);
/* targets= at run time; 0 or -errno. */
int nfl_target_set(bool on);
bool nfl_target_registered(void);
/* First in its exit; returns once no packet is inside the target. */
void nfl_target_uninit(void);

#endif /* _IPT_NETFLOW_TARGET_H */
