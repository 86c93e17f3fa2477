/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fields= setting (fields.c), pure: its names and their parsing, for
 * settings.c and KUnit.  What each field puts in a flow is flow.h's
 * (NFL_FIELD_*), what it puts in a record template.c's.
 */
#ifndef _IPT_NETFLOW_FIELDS_H
#define _IPT_NETFLOW_FIELDS_H

#include <linux/if.h>
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

/*
 * snmp-rules= (fprobe-ulog's, as the established module): "ppp:200,eth:100"
 * numbers interface ppp11 211 and eth0 100 in every exported interface
 * index.  A name matches a rule if it is the rule's prefix followed by
 * digits and nothing else; the first rule that matches counts.
 */
#define NFL_SNMP_RULES_MAX	16
#define NFL_SNMP_BASE_MAX	1000000000

struct nfl_snmp_rule {
	char prefix[IFNAMSIZ];
	unsigned int len;
	u32 base;
};

/*
 * Parse @s (empty: no rules) into @rules; the number of rules, or -EINVAL
 * with *@bad and *@badlen the first rule that is not one.
 */
int nfl_snmp_parse(const char *s, struct nfl_snmp_rule *rules,
		   const char **bad, size_t *badlen);
/* The index interface @name (whose ifindex is @ifindex) is exported as. */
u32 nfl_snmp_index(const struct nfl_snmp_rule *rules, unsigned int n,
		   const char *name, u32 ifindex);

#endif /* _IPT_NETFLOW_FIELDS_H */
