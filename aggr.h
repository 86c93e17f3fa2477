/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The aggregation= setting (aggr.c), pure: its rules, their parsing and
 * what they do to a flow key, for settings.c, the packet path and KUnit.
 *
 * Two kinds of rule, tried in the order written, the first match of
 * each kind winning, for the source and the destination alike:
 *   198.51.100.0/24=16, 2001:db8::/32=48   an address in the network is
 *                                         cut to that prefix length
 *   80-89=80, 3128=80                     a port in the range becomes
 *                                         the one given
 * The packet path applies them to the key before its lookup, so the
 * flows they make one are one in the cache too.
 */
#ifndef _IPT_NETFLOW_AGGR_H
#define _IPT_NETFLOW_AGGR_H

#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/types.h>

struct nfl_key;

/* Rules of all kinds together, at most: a u32 says which matched. */
#define NFL_AGGR_RULES_MAX	32
/* The longest rule as aggregation= takes it, "/128=128" included */
#define NFL_AGGR_RULE_TEXT	(INET6_ADDRSTRLEN + 9)

struct nfl_aggr_net4 {
	__be32 net, mask;		/* the rule's network */
	__be32 to;			/* the mask it applies */
	u8 plen, len;			/* their prefix lengths */
	u8 idx;				/* the rule's place in the list */
};

struct nfl_aggr_net6 {
	struct in6_addr net, mask, to;
	u8 plen, len;
	u8 idx;
};

struct nfl_aggr_port {
	u16 lo, hi;			/* host order */
	__be16 to;
	u8 idx;
};

/* One value of aggregation=, parsed; @hits belongs to the caller. */
struct nfl_aggr {
	unsigned int n;			/* rules, all kinds */
	unsigned int n4, n6, np;
	struct nfl_aggr_net4 net4[NFL_AGGR_RULES_MAX];
	struct nfl_aggr_net6 net6[NFL_AGGR_RULES_MAX];
	struct nfl_aggr_port port[NFL_AGGR_RULES_MAX];
	u64 __percpu *hits;		/* packets per rule, by idx */
};

/*
 * Parse @s (empty: no rules) into @a; the number of rules, or -EINVAL
 * with *@bad and *@badlen the first item that is not a rule.  A value
 * is taken whole or not at all: @a is only good on success.
 */
int nfl_aggr_parse(const char *s, struct nfl_aggr *a, const char **bad,
		   size_t *badlen);

/* Rule @idx of @a as aggregation= would take it, into @buf. */
int nfl_aggr_format(const struct nfl_aggr *a, unsigned int idx, char *buf,
		    size_t size);

/*
 * Apply @a to @key: its addresses masked, its ports mapped (only for
 * protocols that have ports; ICMP's type and code stay).  The prefix
 * lengths the addresses now have in *@smask and *@dmask: the family's
 * full length where no rule matched.  The rules that matched, as bits
 * by their idx.
 */
u32 nfl_aggr_key(const struct nfl_aggr *a, struct nfl_key *key, u8 *smask,
		 u8 *dmask);

#endif /* _IPT_NETFLOW_AGGR_H */
