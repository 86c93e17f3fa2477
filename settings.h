/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Settings (settings.c): module parameters and net.netflow sysctls, one
 * table of them.  Plain knobs (timeouts, maxflows, template rates, ids)
 * are read lock-free from nfl_cfg by the units that use them; a setting
 * whose change must do something is applied through its owner's API, and
 * the owner keeps what it was given.
 */
#ifndef _IPT_NETFLOW_SETTINGS_H
#define _IPT_NETFLOW_SETTINGS_H

#include <linux/compiler.h>
#include <linux/printk.h>

struct nfl_settings {
	unsigned int protocol;		/* 5, 9 or 10 */
	unsigned int active_timeout;	/* seconds */
	unsigned int inactive_timeout;	/* seconds */
	unsigned int hashsize;		/* as asked for; 0: cache.c's default */
	unsigned int maxflows;		/* 0 = no limit */
	unsigned int engine_id;
	unsigned int debug;
	int sndbuf;			/* 0 = system default */
	unsigned int refresh_rate;
	unsigned int timeout_rate;	/* minutes */
	unsigned int natevents;		/* 0 or 1 */
	unsigned int natevents_legacy;	/* 1: natEvent 1/2, 0: RFC 8158 4/5 */
	unsigned int ctflows;		/* 0 or 1: connection records */
	unsigned int targets;		/* 1: the xtables target registered */
	unsigned int hooks_mark, hooks_mark_mask;
	unsigned int promisc;		/* 1: ingress devices promiscuous */
};
extern struct nfl_settings nfl_cfg;
#define NFL_DESTINATION_SIZE	2048	/* 16 collectors of the longest form */
extern char nfl_destination[NFL_DESTINATION_SIZE];	/* as last written */
/* hooks= and hooks_priority= as last written (hooks.c parses them) */
#define NFL_HOOKS_SPEC_SIZE	64
extern char nfl_hooks_spec[NFL_HOOKS_SPEC_SIZE];
#define NFL_HOOKS_PRIO_SIZE	16
extern char nfl_hooks_prio_spec[NFL_HOOKS_PRIO_SIZE];
/* ingress= as last written (ingress.c parses it) */
#define NFL_INGRESS_SPEC_SIZE	(32 * 16 + 1)
extern char nfl_ingress_spec[NFL_INGRESS_SPEC_SIZE];
/* fields= as last written (fields.c parses it) */
#define NFL_FIELDS_SPEC_SIZE	64
extern char nfl_fields_spec[NFL_FIELDS_SPEC_SIZE];
/* aggregation= as last written (aggr.c parses it) */
#define NFL_AGGR_SPEC_SIZE	2048
extern char nfl_aggr_spec[NFL_AGGR_SPEC_SIZE];
/* snmp-rules= as last written (fields.c parses it) */
#define NFL_SNMP_SPEC_SIZE	512
extern char nfl_snmp_spec[NFL_SNMP_SPEC_SIZE];
/* sampler= as last written (sampler.c parses it) */
#define NFL_SAMPLER_SPEC_SIZE	32
extern char nfl_sampler_spec[NFL_SAMPLER_SPEC_SIZE];

/*
 * First in the module's init: the checks of parameters that depend on
 * each other (their order on the command line is the user's).  Nothing
 * to undo.
 */
int nfl_settings_check(void);
/*
 * Once every unit is up: register net.netflow.* (init_net only) and make
 * writes through it and /sys apply at once; until then they are only
 * checked and stored.  Uninit ends that again before the units go.
 */
int nfl_settings_init(void);
void nfl_settings_uninit(void);

/* Debug messages gated by the debug parameter. */
#define nfl_dbg(level, fmt, ...)						\
	do {								\
		if (unlikely(READ_ONCE(nfl_cfg.debug) >= (level)))	\
			pr_info(fmt, ##__VA_ARGS__);			\
	} while (0)

#endif /* _IPT_NETFLOW_SETTINGS_H */
