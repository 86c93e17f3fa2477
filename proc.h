/* SPDX-License-Identifier: GPL-2.0-only */
/* Statistics under /proc/net/stat of init_net (proc.c). */
#ifndef _IPT_NETFLOW_PROC_H
#define _IPT_NETFLOW_PROC_H

/* After the cache, the exporter and the sockets; before the target. */
int nfl_proc_init(void);
void nfl_proc_uninit(void);

#endif /* _IPT_NETFLOW_PROC_H */
