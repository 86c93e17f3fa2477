/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Option bits of an IPv4 or TCP header (hdropts.c), pure: packet.c walks
 * a packet's options with them, KUnit walks crafted ones.
 */
#ifndef _IPT_NETFLOW_HDROPTS_H
#define _IPT_NETFLOW_HDROPTS_H

#include <linux/types.h>

/*
 * @p: the @len option bytes after the fixed header, no more than the
 * header's length says.  ipv4Options bits (IE 208); tcpOptions as
 * nfl_flow.tcp_opts keeps them.
 */
u32 nfl_ip4_opts(const u8 *p, unsigned int len);
u32 nfl_tcp_opts(const u8 *p, unsigned int len);

#endif /* _IPT_NETFLOW_HDROPTS_H */
