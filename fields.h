/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fields= setting (fields.c), pure: its names and their parsing, for
 * settings.c and KUnit.  What each field puts in a flow is flow.h's
 * (NFL_FIELD_*), what it puts in a record template.c's.
 */
#ifndef _IPT_NETFLOW_FIELDS_H
#define _IPT_NETFLOW_FIELDS_H

#include <linux/types.h>

/* The names fields= takes, as modinfo and the messages list them */
#define NFL_FIELDS_NAMES	"mac, vlan, mpls, physdev, nat"

/*
 * Parse @s, a comma list of field names (empty: none; a name twice is
 * once), into *@fields (NFL_FIELD_*).  -EINVAL for anything else, with
 * *@bad and *@badlen the first token that is not a name, to report.
 */
int nfl_fields_parse(const char *s, unsigned int *fields, const char **bad,
		     size_t *badlen);

#endif /* _IPT_NETFLOW_FIELDS_H */
