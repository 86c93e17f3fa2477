// SPDX-License-Identifier: GPL-2.0-only
/*
 * The aggregation= setting: netmask and port rules, parsed from their
 * text and applied to a flow key.
 *
 * Pure (strings in, rules out; a key in, a key out), so KUnit runs it
 * on UML.  A value is taken whole or refused whole: one item that is not
 * a rule refuses it, and the caller names the culprit.  Strict on
 * purpose: a network with host bits set (10.1.0.0/8) or a range written
 * backwards is more likely a typo than a wish, and a rule that silently
 * meant something else would merge the wrong flows.
 */
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "aggr.h"
#include "flow.h"

/* Digits @s[0..@len) as a number up to @max; false for anything else. */
static bool nfl_aggr_num(const char *s, size_t len, unsigned int max,
			 unsigned int *v)
{
	unsigned long n = 0;
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		n = n * 10 + (s[i] - '0');
		if (n > max)
			return false;
	}
	*v = n;
	return true;
}

static __be32 nfl_aggr_mask4(unsigned int len)
{
	return len ? htonl(~0U << (32 - len)) : 0;
}

static void nfl_aggr_mask6(struct in6_addr *m, unsigned int len)
{
	unsigned int i, bits;

	for (i = 0; i < 4; i++) {
		bits = clamp_t(int, (int)len - 32 * (int)i, 0, 32);
		m->s6_addr32[i] = nfl_aggr_mask4(bits);
	}
}

/* An IPv4 rule: network @addr (a string) / @plen = @len. */
static bool nfl_aggr_net4(struct nfl_aggr *a, const char *addr,
			  unsigned int plen, unsigned int len)
{
	struct nfl_aggr_net4 *r = &a->net4[a->n4];
	const char *end;
	__be32 net;

	if (plen > 32 || len > 32 ||
	    in4_pton(addr, -1, (u8 *)&net, -1, &end) != 1 || *end)
		return false;
	r->mask = nfl_aggr_mask4(plen);
	if (net & ~r->mask)
		return false;		/* host bits set */
	r->net = net;
	r->to = nfl_aggr_mask4(len);
	r->plen = plen;
	r->len = len;
	r->idx = a->n;
	a->n4++;
	return true;
}

static bool nfl_aggr_net6(struct nfl_aggr *a, const char *addr,
			  unsigned int plen, unsigned int len)
{
	struct nfl_aggr_net6 *r = &a->net6[a->n6];
	struct in6_addr net;
	const char *end;
	unsigned int i;

	if (plen > 128 || len > 128 ||
	    in6_pton(addr, -1, net.s6_addr, -1, &end) != 1 || *end)
		return false;
	nfl_aggr_mask6(&r->mask, plen);
	for (i = 0; i < 4; i++)
		if (net.s6_addr32[i] & ~r->mask.s6_addr32[i])
			return false;
	r->net = net;
	nfl_aggr_mask6(&r->to, len);
	r->plen = plen;
	r->len = len;
	r->idx = a->n;
	a->n6++;
	return true;
}

/* A netmask rule "NET/PLEN=LEN", @len bytes at @s, whose '/' is @slash. */
static bool nfl_aggr_net(struct nfl_aggr *a, const char *s, size_t len,
			 const char *slash)
{
	const char *eq = memchr(slash, '=', s + len - slash);
	char addr[INET6_ADDRSTRLEN];
	unsigned int plen, to;

	if (!eq || slash - s >= sizeof(addr) ||
	    !nfl_aggr_num(slash + 1, eq - slash - 1, 128, &plen) ||
	    !nfl_aggr_num(eq + 1, s + len - eq - 1, 128, &to))
		return false;
	memcpy(addr, s, slash - s);
	addr[slash - s] = '\0';
	if (strchr(addr, ':'))
		return nfl_aggr_net6(a, addr, plen, to);
	return nfl_aggr_net4(a, addr, plen, to);
}

/* A port rule "LO-HI=TO" or "PORT=TO", @len bytes at @s. */
static bool nfl_aggr_port(struct nfl_aggr *a, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	struct nfl_aggr_port *r = &a->port[a->np];
	unsigned int lo, hi, to;
	const char *dash;

	if (!eq)
		return false;
	dash = memchr(s, '-', eq - s);
	if (dash) {
		if (!nfl_aggr_num(s, dash - s, U16_MAX, &lo) ||
		    !nfl_aggr_num(dash + 1, eq - dash - 1, U16_MAX, &hi) ||
		    lo > hi)
			return false;
	} else {
		if (!nfl_aggr_num(s, eq - s, U16_MAX, &lo))
			return false;
		hi = lo;
	}
	if (!nfl_aggr_num(eq + 1, s + len - eq - 1, U16_MAX, &to))
		return false;
	r->lo = lo;
	r->hi = hi;
	r->to = htons(to);
	r->idx = a->n;
	a->np++;
	return true;
}

static bool nfl_aggr_rule(struct nfl_aggr *a, const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);
	bool ok;

	if (a->n == NFL_AGGR_RULES_MAX)
		return false;
	ok = slash ? nfl_aggr_net(a, s, len, slash) : nfl_aggr_port(a, s, len);
	if (ok)
		a->n++;
	return ok;
}

int nfl_aggr_parse(const char *s, struct nfl_aggr *a, const char **bad,
		   size_t *badlen)
{
	const char *e;
	size_t len;

	memset(a, 0, sizeof(*a));
	while (*s) {
		e = strchrnul(s, ',');
		len = e - s;
		if (!nfl_aggr_rule(a, s, len) || (*e && !e[1])) {
			/* not a rule; or "80=8," whose last item is empty */
			*bad = s;
			*badlen = *e && !e[1] ? len + 1 : len;
			return -EINVAL;
		}
		s = *e ? e + 1 : e;
	}
	return a->n;
}

int nfl_aggr_format(const struct nfl_aggr *a, unsigned int idx, char *buf,
		    size_t size)
{
	const struct nfl_aggr_port *p;
	unsigned int i;

	for (i = 0; i < a->n4; i++)
		if (a->net4[i].idx == idx)
			return scnprintf(buf, size, "%pI4/%u=%u", &a->net4[i].net,
					 a->net4[i].plen, a->net4[i].len);
	for (i = 0; i < a->n6; i++)
		if (a->net6[i].idx == idx)
			return scnprintf(buf, size, "%pI6c/%u=%u",
					 &a->net6[i].net, a->net6[i].plen,
					 a->net6[i].len);
	for (i = 0; i < a->np; i++) {
		p = &a->port[i];
		if (p->idx != idx)
			continue;
		if (p->lo == p->hi)
			return scnprintf(buf, size, "%u=%u", p->lo, ntohs(p->to));
		return scnprintf(buf, size, "%u-%u=%u", p->lo, p->hi,
				 ntohs(p->to));
	}
	return scnprintf(buf, size, "?");
}

/* The first IPv4 rule whose network holds *@addr cuts it; its length. */
static u8 nfl_aggr_addr4(const struct nfl_aggr *a, __be32 *addr, u32 *hits)
{
	const struct nfl_aggr_net4 *r;
	unsigned int i;

	for (i = 0; i < a->n4; i++) {
		r = &a->net4[i];
		if ((*addr & r->mask) == r->net) {
			*addr &= r->to;
			*hits |= BIT(r->idx);
			return r->len;
		}
	}
	return 32;
}

static bool nfl_aggr_in6(const struct in6_addr *x, const struct nfl_aggr_net6 *r)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if ((x->s6_addr32[i] & r->mask.s6_addr32[i]) != r->net.s6_addr32[i])
			return false;
	return true;
}

static u8 nfl_aggr_addr6(const struct nfl_aggr *a, struct in6_addr *addr,
			 u32 *hits)
{
	const struct nfl_aggr_net6 *r;
	unsigned int i, w;

	for (i = 0; i < a->n6; i++) {
		r = &a->net6[i];
		if (nfl_aggr_in6(addr, r)) {
			for (w = 0; w < 4; w++)
				addr->s6_addr32[w] &= r->to.s6_addr32[w];
			*hits |= BIT(r->idx);
			return r->len;
		}
	}
	return 128;
}

static void nfl_aggr_port1(const struct nfl_aggr *a, __be16 *port, u32 *hits)
{
	u16 p = ntohs(*port);
	unsigned int i;

	for (i = 0; i < a->np; i++) {
		if (p >= a->port[i].lo && p <= a->port[i].hi) {
			*port = a->port[i].to;
			*hits |= BIT(a->port[i].idx);
			return;
		}
	}
}

/* The key holds ports for these; ICMP's "ports" are its type and code. */
static bool nfl_aggr_has_ports(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	}
	return false;
}

u32 nfl_aggr_key(const struct nfl_aggr *a, struct nfl_key *key, u8 *smask,
		 u8 *dmask)
{
	u32 hits = 0;

	if (key->family == AF_INET) {
		*smask = nfl_aggr_addr4(a, &key->v4.saddr, &hits);
		*dmask = nfl_aggr_addr4(a, &key->v4.daddr, &hits);
	} else {
		*smask = nfl_aggr_addr6(a, &key->v6.saddr, &hits);
		*dmask = nfl_aggr_addr6(a, &key->v6.daddr, &hits);
	}
	if (a->np && nfl_aggr_has_ports(key->proto)) {
		nfl_aggr_port1(a, &key->sport, &hits);
		nfl_aggr_port1(a, &key->dport, &hits);
	}
	return hits;
}
