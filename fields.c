// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fields= setting: names of the optional record fields; and the
 * snmp-rules= setting, which renumbers exported interface indexes.
 *
 * Pure (strings in, bits out), so KUnit runs it on UML.  A value is
 * taken whole or refused whole: one unknown name, an empty item or a
 * stray separator refuses it, and the caller names the culprit.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "fields.h"
#include "flow.h"

static const struct {
	const char *name;
	unsigned int bit;
} nfl_field_names[] = {
	{ "mac", NFL_FIELD_MAC },
	{ "vlan", NFL_FIELD_VLAN },
	{ "mpls", NFL_FIELD_MPLS },
	{ "physdev", NFL_FIELD_PHYSDEV },
	{ "nat", NFL_FIELD_NAT },
};

int nfl_fields_parse(const char *s, unsigned int *fields, const char **bad,
		     size_t *badlen)
{
	unsigned int f = 0, i;
	const char *e;
	size_t len;

	while (*s) {
		e = strchrnul(s, ',');
		len = e - s;
		for (i = 0; i < ARRAY_SIZE(nfl_field_names); i++)
			if (strlen(nfl_field_names[i].name) == len &&
			    !strncmp(nfl_field_names[i].name, s, len))
				break;
		if (i == ARRAY_SIZE(nfl_field_names) || (*e && !e[1])) {
			/* not a name; or "nat," whose last item is empty */
			*bad = s;
			*badlen = i == ARRAY_SIZE(nfl_field_names) ? len : len + 1;
			return -EINVAL;
		}
		f |= nfl_field_names[i].bit;
		s = *e ? e + 1 : e;
	}
	*fields = f;
	return 0;
}

/* One rule "prefix:base" of @len bytes at @s. */
static bool nfl_snmp_rule(const char *s, size_t len, struct nfl_snmp_rule *r)
{
	const char *colon = memchr(s, ':', len);
	size_t plen, i;
	u64 base = 0;

	if (!colon)
		return false;
	plen = colon - s;
	if (!plen || plen >= IFNAMSIZ || colon + 1 == s + len)
		return false;
	for (i = 0; i < plen; i++)
		if (!isgraph(s[i]) || s[i] == '/')
			return false;
	for (i = plen + 1; i < len; i++) {
		if (!isdigit(s[i]))
			return false;
		base = base * 10 + (s[i] - '0');
		if (base > NFL_SNMP_BASE_MAX)
			return false;
	}
	memcpy(r->prefix, s, plen);
	r->prefix[plen] = '\0';
	r->len = plen;
	r->base = base;
	return true;
}

int nfl_snmp_parse(const char *s, struct nfl_snmp_rule *rules,
		   const char **bad, size_t *badlen)
{
	unsigned int n = 0;
	const char *e;
	size_t len;

	while (*s) {
		e = strchrnul(s, ',');
		len = e - s;
		if (n == NFL_SNMP_RULES_MAX || !nfl_snmp_rule(s, len, &rules[n]) ||
		    (*e && !e[1])) {
			*bad = s;
			*badlen = *e && !e[1] ? len + 1 : len;
			return -EINVAL;
		}
		n++;
		s = *e ? e + 1 : e;
	}
	return n;
}

u32 nfl_snmp_index(const struct nfl_snmp_rule *rules, unsigned int n,
		   const char *name, u32 ifindex)
{
	const char *d;
	unsigned int i;
	u64 num;

	for (i = 0; i < n; i++) {
		if (strncmp(name, rules[i].prefix, rules[i].len))
			continue;
		d = name + rules[i].len;
		if (!isdigit(*d))
			continue;
		for (num = 0; isdigit(*d) && num <= U32_MAX; d++)
			num = num * 10 + (*d - '0');
		if (*d || rules[i].base + num > U32_MAX)
			continue;
		return rules[i].base + num;
	}
	return ifindex;
}
