/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipt_NETFLOW: parser and formatter for the destination parameter.
 *
 * Pure code: no module state, no sockets, so the KUnit build on UML links
 * it on its own (tests/kunit/destination_test.c).
 */
#ifndef _IPT_NETFLOW_DESTINATION_H
#define _IPT_NETFLOW_DESTINATION_H

#include <linux/types.h>
#include <linux/socket.h>
#include <linux/if.h>

/* Collectors one destination string may name; each gets every PDU. */
#define NFL_DEST_MAX		16

/* What the established module assumes when an item has no ":port". */
#define NFL_DEST_DEFAULT_PORT	2055

/*
 * Longest canonical item plus NUL:
 * "[" v6(39) "]:" port(5) "@[" v6(39) "]" "%" ifname(15) NUL.
 */
#define NFL_DEST_STRLEN		112

/* One collector as written by the user. */
struct nfl_dest_addr {
	struct sockaddr_storage dest;	/* AF_INET or AF_INET6, port set */
	struct sockaddr_storage src;	/* AF_UNSPEC unless "@addr"; port 0 */
	char ifname[IFNAMSIZ];		/* "" unless "%ifname" */
};

/*
 * Parse @spec into at most @max entries of @out, no two the same.
 * Returns the number of entries (>= 1) or -EINVAL; on error @out holds
 * garbage and nothing may be applied.
 */
int nfl_dest_parse(const char *spec, struct nfl_dest_addr *out,
		  unsigned int max);

/*
 * Print @a in the canonical form nfl_dest_parse() reads back, e.g.
 * "10.0.0.2:2055" or "[::1]:2055@[::1]%lo".  Returns the length written
 * (scnprintf semantics: truncated to @size - 1).
 */
int nfl_dest_format(const struct nfl_dest_addr *a, char *buf, size_t size);

#endif /* _IPT_NETFLOW_DESTINATION_H */
