// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fields= setting: names of the optional record fields.
 *
 * Pure (strings in, bits out), so KUnit runs it on UML.  A value is
 * taken whole or refused whole: one unknown name, an empty item or a
 * stray separator refuses it, and the caller names the culprit.
 */
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
