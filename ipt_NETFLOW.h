/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the kernel module and the iptables/ip6tables extensions share:
 * the target's name and the version.  The target carries no options, so
 * there is no target info structure; everything else is the module's own
 * and lives in the header of the unit that owns it.
 */
#ifndef _IPT_NETFLOW_H
#define _IPT_NETFLOW_H

#define NETFLOW_TARGET		"NETFLOW"
#define NETFLOW_VERSION		"0.1"

#endif /* _IPT_NETFLOW_H */
