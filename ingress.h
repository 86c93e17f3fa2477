/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Capture at the netdev ingress hook of chosen devices (ingress.c): every
 * IPv4 and IPv6 packet a device receives, ahead of an nftables flowtable
 * (which forwards offloaded connections past every IP hook) and frames
 * for other hosts too (mirror and SPAN ports).
 */
#ifndef _IPT_NETFLOW_INGRESS_H
#define _IPT_NETFLOW_INGRESS_H

#include <linux/types.h>

struct seq_file;

/* The ingress= value: "", "*" or device names separated by commas. */
int nfl_ingress_parse(const char *s);
/*
 * Meter at the devices @spec names (those that exist now and those that
 * appear later), putting them in promiscuous mode if @promisc.  0 or
 * -errno with the old set kept.  Serialised by the caller.
 */
int nfl_ingress_set(const char *spec, bool promisc);
int nfl_ingress_init(const char *spec, bool promisc);
void nfl_ingress_uninit(void);
void nfl_ingress_show(struct seq_file *m);

#endif /* _IPT_NETFLOW_INGRESS_H */
