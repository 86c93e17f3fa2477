// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipt_NETFLOW: the destination parameter.
 *
 *   list    := item { sep item }      sep: any run of ',' ';' whitespace,
 *                                      also allowed before and after
 *   item    := addr [ ':' port ] { '@' srcaddr | '%' ifname }
 *   addr    := a.b.c.d | '[' ipv6 ']'
 *   srcaddr := a.b.c.d | ipv6 | '[' ipv6 ']'
 *
 * "@srcaddr" and "%ifname" may each appear once, in either order.  Port
 * 2055 is assumed when ":port" is left out, as the established module
 * did for "destination=10.0.0.2".  An IPv6 destination must be bracketed
 * because its colons would swallow the port; a source may go without,
 * nothing follows it but "%ifname".
 *
 * The parser is strict so that a typo fails the whole write with EINVAL
 * instead of silently exporting to fewer collectors than the user listed.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/string.h>

#include "destination.h"

static bool nfl_dest_is_sep(char c)
{
	return c == ',' || c == ';' || isspace(c);
}

/* in[46]_pton() stop at whatever they do not like: demand they ate all. */
static int nfl_dest_pton4(const char *s, const char *e, struct in_addr *a)
{
	const char *end;

	if (!in4_pton(s, e - s, (u8 *)&a->s_addr, -1, &end) || end != e)
		return -EINVAL;
	return 0;
}

static int nfl_dest_pton6(const char *s, const char *e, struct in6_addr *a)
{
	const char *end;

	if (!in6_pton(s, e - s, a->s6_addr, -1, &end) || end != e)
		return -EINVAL;
	return 0;
}

/*
 * fe80::/10 means nothing without an interface; catch it here rather than
 * leave a destination that can never connect.
 */
static bool nfl_dest_linklocal(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

static int nfl_dest_port(const char *s, const char *e, __be16 *port)
{
	unsigned int val = 0;
	const char *p;

	if (s == e)
		return -EINVAL;
	for (p = s; p < e; p++) {
		if (!isdigit(*p))
			return -EINVAL;
		val = val * 10 + (*p - '0');
		if (val > 65535)
			return -EINVAL;
	}
	if (!val)
		return -EINVAL;
	*port = htons(val);
	return 0;
}

/* The source must be of the destination's family: nothing else routes. */
static int nfl_dest_src(const char *s, const char *e, int family,
		       struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		return nfl_dest_pton4(s, e, &sin->sin_addr);
	}

	sin6->sin6_family = AF_INET6;
	if (s < e && *s == '[') {
		if (e - s < 2 || e[-1] != ']')
			return -EINVAL;
		s++;
		e--;
	}
	return nfl_dest_pton6(s, e, &sin6->sin6_addr);
}

static int nfl_dest_ifname(const char *s, const char *e, char *ifname)
{
	size_t len = e - s;

	if (!len || len >= IFNAMSIZ)
		return -EINVAL;
	memcpy(ifname, s, len);
	ifname[len] = '\0';
	return dev_valid_name(ifname) ? 0 : -EINVAL;
}

/* Parse the item [s, e), which holds no separator. */
static int nfl_dest_item(const char *s, const char *e, struct nfl_dest_addr *a)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->dest;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->dest;
	__be16 port = htons(NFL_DEST_DEFAULT_PORT);
	const char *p = s, *q;
	int family, err;

	memset(a, 0, sizeof(*a));

	if (*p == '[') {
		q = memchr(p, ']', e - p);
		if (!q)
			return -EINVAL;
		family = AF_INET6;
		err = nfl_dest_pton6(p + 1, q, &sin6->sin6_addr);
		if (err)
			return err;
		if (!memchr_inv(&sin6->sin6_addr, 0, sizeof(sin6->sin6_addr)))
			return -EINVAL;
		p = q + 1;
	} else {
		for (q = p; q < e && *q != ':' && *q != '@' && *q != '%'; q++)
			;
		family = AF_INET;
		err = nfl_dest_pton4(p, q, &sin->sin_addr);
		if (err)
			return err;
		if (!sin->sin_addr.s_addr)
			return -EINVAL;
		p = q;
	}

	if (p < e && *p == ':') {
		for (q = ++p; q < e && *q != '@' && *q != '%'; q++)
			;
		err = nfl_dest_port(p, q, &port);
		if (err)
			return err;
		p = q;
	}

	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = port;
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
	}

	while (p < e) {
		char mark = *p++;

		for (q = p; q < e && *q != '@' && *q != '%'; q++)
			;
		if (mark == '@' && a->src.ss_family == AF_UNSPEC)
			err = nfl_dest_src(p, q, family, &a->src);
		else if (mark == '%' && !a->ifname[0])
			err = nfl_dest_ifname(p, q, a->ifname);
		else
			err = -EINVAL;
		if (err)
			return err;
		p = q;
	}

	if (family == AF_INET6 && !a->ifname[0]) {
		const struct sockaddr_in6 *src6 = (const void *)&a->src;

		if (nfl_dest_linklocal(&sin6->sin6_addr))
			return -EINVAL;
		if (src6->sin6_family == AF_INET6 &&
		    nfl_dest_linklocal(&src6->sin6_addr))
			return -EINVAL;
	}
	return 0;
}

/* @out[@n] is one of the @n before it. */
static bool nfl_dest_listed(const struct nfl_dest_addr *out, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!memcmp(&out[i], &out[n], sizeof(out[n])))
			return true;
	return false;
}

int nfl_dest_parse(const char *spec, struct nfl_dest_addr *out,
		  unsigned int max)
{
	const char *p = spec, *q;
	unsigned int n = 0;
	int err;

	if (!spec)
		return -EINVAL;

	for (;;) {
		while (*p && nfl_dest_is_sep(*p))
			p++;
		if (!*p)
			break;
		for (q = p; *q && !nfl_dest_is_sep(*q); q++)
			;
		if (n >= max)
			return -EINVAL;
		err = nfl_dest_item(p, q, &out[n]);
		if (err)
			return err;
		/*
		 * Every collector gets every PDU: one named twice would get
		 * each twice, sequence numbers repeated.  Items are zeroed
		 * before they are filled, so equal ones compare equal.
		 */
		if (nfl_dest_listed(out, n))
			return -EINVAL;
		n++;
		p = q;
	}
	return n ? n : -EINVAL;
}

int nfl_dest_format(const struct nfl_dest_addr *a, char *buf, size_t size)
{
	const struct sockaddr_in6 *d6 = (const void *)&a->dest;
	const struct sockaddr_in *d4 = (const void *)&a->dest;
	const struct sockaddr_in6 *s6 = (const void *)&a->src;
	const struct sockaddr_in *s4 = (const void *)&a->src;
	int n;

	switch (a->dest.ss_family) {
	case AF_INET:
		n = scnprintf(buf, size, "%pI4:%u", &d4->sin_addr,
			      ntohs(d4->sin_port));
		break;
	case AF_INET6:
		n = scnprintf(buf, size, "[%pI6c]:%u", &d6->sin6_addr,
			      ntohs(d6->sin6_port));
		break;
	default:
		return scnprintf(buf, size, "(none)");
	}

	if (a->src.ss_family == AF_INET)
		n += scnprintf(buf + n, size - n, "@%pI4", &s4->sin_addr);
	else if (a->src.ss_family == AF_INET6)
		n += scnprintf(buf + n, size - n, "@[%pI6c]", &s6->sin6_addr);
	if (a->ifname[0])
		n += scnprintf(buf + n, size - n, "%%%s", a->ifname);
	return n;
}
