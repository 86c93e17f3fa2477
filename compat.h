/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every kernel-version difference ipt_NETFLOW cares about lives here, so
 * the rest of the code reads as if written for one kernel.  Supported:
 * 6.1 (Debian bookworm) through 6.12 (bookworm-backports) and later.
 */
#ifndef _IPT_NETFLOW_COMPAT_H
#define _IPT_NETFLOW_COMPAT_H

#include <linux/version.h>
#include <linux/sysctl.h>

/* 6.11 made the table argument of sysctl handlers const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define NFL_CTL_TABLE const struct ctl_table
#else
#define NFL_CTL_TABLE struct ctl_table
#endif

/*
 * 6.6 gave sysctl tables a size (register_net_sysctl_sz); before it the
 * end is an empty entry.  Tables here always carry that entry and pass
 * the count without it, which is right for both.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define nfl_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define nfl_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif

/* 6.12 moved the unaligned accessors from asm/ to linux/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* _IPT_NETFLOW_COMPAT_H */
