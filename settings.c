// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipt_NETFLOW: settings, as module parameters and as net.netflow sysctls.
 *
 * Every setting is described once, in nfl_settings[].  Its module parameter
 * (modprobe, /sys/module/ipt_NETFLOW/parameters) and its sysctl both end in
 * nfl_setting_write(), so the two can never parse, validate or apply a value
 * differently.  A write is parsed, validated, applied and stored as one
 * step under nfl_settings_mutex; when any part fails the old value stays in
 * force and the writer gets -EINVAL (or the error of the subsystem that
 * could not apply a valid value, e.g. -ENOMEM from a resize, and -ENOMEM
 * when there was no memory to check the value).
 *
 * Parameters are parsed before the module's init runs, when the cache, the
 * exporter and the sockets do not exist yet, so until the module is "live"
 * a write is only validated and stored.  nfl_settings_check() then checks
 * what depends on several parameters at once (their order on the command
 * line is the user's); main.c hands the stored values to the units as it
 * starts them, and nfl_settings_init() makes later writes take effect at
 * once.  nfl_settings_uninit() ends that again, before the units go away:
 * /sys stays writable until the module is freed.
 *
 * The packet and export paths read nfl_cfg with READ_ONCE() and no lock.
 */

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "aggr.h"
#include "cache.h"
#include "compat.h"
#include "ctflows.h"
#include "destination.h"
#include "encoder.h"
#include "export.h"
#include "fields.h"
#include "hooks.h"
#include "ingress.h"
#include "natevents.h"
#include "sampler.h"
#include "packet.h"
#include "settings.h"
#include "socket.h"
#include "target.h"

/*
 * Limits.  Each *_RANGE string is what modinfo and the error messages
 * show, built from the numbers that are enforced.
 */
#define NFL_PROTOCOL_RANGE	"5 (NetFlow v5), 9 (NetFlow v9) or 10 (IPFIX)"
/* Flow stamps are 32-bit jiffies: keep ages far below their wrap. */
#define NFL_TIMEOUT_MAX		604800
#define NFL_TIMEOUT_RANGE	"1.." __stringify(NFL_TIMEOUT_MAX) " seconds"
/* Buckets per CPU; all CPUs' bucket arrays must also fit in RAM / 8. */
#define NFL_HASH_MIN		16
#define NFL_HASH_MAX		16777216
#define NFL_HASH_RANGE		__stringify(NFL_HASH_MIN) ".." \
				__stringify(NFL_HASH_MAX) " buckets per CPU"
#define NFL_MAXFLOWS_RANGE	"0 (no limit)..4294967295"
/* sk_sndbuf is an int the socket layer adds to: stay well below INT_MAX. */
#define NFL_SNDBUF_MAX		1073741824
#define NFL_SNDBUF_RANGE		"0 (system default) to " \
				__stringify(NFL_SNDBUF_MAX) " bytes"
/* v5 has an 8-bit engine_id; v9 source id and IPFIX domain id are 32-bit. */
#define NFL_ENGINE_V5_MAX	255
#define NFL_ENGINE_RANGE		"0..255 with protocol 5, 0..4294967295 with 9 or 10"
#define NFL_DEBUG_MAX		9
#define NFL_DEBUG_RANGE		"0.." __stringify(NFL_DEBUG_MAX)
#define NFL_REFRESH_MAX		65535
#define NFL_REFRESH_RANGE	"1.." __stringify(NFL_REFRESH_MAX)
#define NFL_TRATE_MAX		1440
#define NFL_TRATE_RANGE		"1.." __stringify(NFL_TRATE_MAX) " minutes"
#define NFL_BOOL_RANGE		"0 or 1"
#define NFL_HOOKS_RANGE		"empty (off), a comma list of prerouting, input, forward, output, postrouting, or a bitmask 0..31 (1 prerouting, 2 input, 4 forward, 8 output, 16 postrouting)"
#define NFL_HOOKS_PRIO_RANGE	"first, last or a number (netfilter priority)"
#define NFL_MARK_RANGE		"0..4294967295"
#define NFL_INGRESS_RANGE	"empty (off), * (every device but loopback) or up to 32 device names separated by commas"
#define NFL_FIELDS_RANGE	"empty (none) or a comma list of " NFL_FIELDS_NAMES \
				", with protocol 9 or 10"
#define NFL_SNMP_RANGE		"empty (none) or up to " \
				__stringify(NFL_SNMP_RULES_MAX) \
				" rules prefix:base separated by commas, base 0.." \
				__stringify(NFL_SNMP_BASE_MAX)
#define NFL_AGGR_RANGE		"empty (none) or up to " \
				__stringify(NFL_AGGR_RULES_MAX) \
				" rules separated by commas, NET/PREFIX=LENGTH (IPv4 or IPv6) or PORT[-PORT]=PORT"
#define NFL_DEST_RANGE		"1 to " __stringify(NFL_DEST_MAX) \
				" collectors ip:port, [ip6]:port, optional @srcip and %ifname"

struct nfl_settings nfl_cfg = {
	.protocol		= 5,
	.active_timeout		= 1800,
	.inactive_timeout	= 15,
	.hashsize		= 0,
	.maxflows		= 2000000,
	.engine_id		= 0,
	.debug			= 0,
	.sndbuf			= 0,
	.refresh_rate		= 20,
	.timeout_rate		= 30,
	.natevents		= 0,
	.natevents_legacy	= 0,
	.ctflows		= 0,
	.targets		= 1,
	.hooks_mark		= 0,
	.hooks_mark_mask	= 0,
};

char nfl_destination[NFL_DESTINATION_SIZE] = "127.0.0.1:2055";
char nfl_hooks_spec[NFL_HOOKS_SPEC_SIZE] = "";
char nfl_hooks_prio_spec[NFL_HOOKS_PRIO_SIZE] = "last";
char nfl_ingress_spec[NFL_INGRESS_SPEC_SIZE] = "";
char nfl_fields_spec[NFL_FIELDS_SPEC_SIZE] = "";
char nfl_sampler_spec[NFL_SAMPLER_SPEC_SIZE] = "";
char nfl_snmp_spec[NFL_SNMP_SPEC_SIZE] = "";
char nfl_aggr_spec[NFL_AGGR_SPEC_SIZE] = "";

static DEFINE_MUTEX(nfl_settings_mutex);
/* String values: stored under the mutex, read without it (format). */
static DEFINE_SPINLOCK(nfl_str_lock);
/* Writes reach the subsystems (under nfl_settings_mutex). */
static bool nfl_live;

enum nfl_kind {
	NFL_UINT,		/* unsigned int at .var */
	NFL_INT,			/* int at .var, never negative */
	NFL_STRING,		/* char[.size] at .var */
	NFL_ACTION,		/* no value kept: writing does something */
};

/* A parsed, range-checked value on its way in. */
struct nfl_val {
	unsigned int num;
	const char *str;
};

struct nfl_setting {
	const char *name;		/* sysctl net.netflow.<name> */
	enum nfl_kind kind;
	void *var;
	size_t size;			/* NFL_STRING */
	bool empty_ok;			/* NFL_STRING: "" is a value */
	unsigned int min, max;		/* numbers */
	const char *range;		/* for messages */
	/* More checks of the value alone; NULL if fine, else why not. */
	const char *(*valid)(const struct nfl_val *v);
	/*
	 * Checks against other settings.  While parameters are parsed at load
	 * the others may not be known yet, so then they run only once all
	 * are, in nfl_settings_check().
	 */
	const char *(*cross)(const struct nfl_val *v);
	/* Live writes: make the subsystem use the value, before it is stored. */
	int (*apply)(const struct nfl_val *v);
	/* Value to show while live, if not the stored one. */
	unsigned int (*current_val)(void);
};

/* ---- per-setting checks and actions ---- */

/* The reason of a check that could not run: the write fails with -ENOMEM. */
static const char nfl_oom[] = "out of memory";

static const char *nfl_valid_protocol(const struct nfl_val *v)
{
	if (v->num == 5 || v->num == 9 || v->num == 10)
		return NULL;
	return "no such protocol";
}

/* The fields of fields= as stored (checked when it was). */
static unsigned int nfl_fields_stored(void)
{
	unsigned int fields = 0;
	const char *bad;
	size_t n;

	if (nfl_fields_parse(nfl_fields_spec, &fields, &bad, &n))
		return 0;
	return fields;
}

static const char *nfl_cross_protocol(const struct nfl_val *v)
{
	if (v->num == 5 && READ_ONCE(nfl_cfg.engine_id) > NFL_ENGINE_V5_MAX)
		return "engine_id is above 255, which v5 cannot carry";
	if (v->num == 5 && nfl_fields_stored())
		return "fields= is not empty, and v5 has no room for any of them";
	return NULL;
}

/* The cache splits flows at what both encoders can hold. */
static void nfl_split_for(const struct nfl_encoder *a,
			 const struct nfl_encoder *b)
{
	nfl_cache_set_split(min(a->max_octets, b->max_octets),
			   min(a->max_packets, b->max_packets));
}

static int nfl_apply_protocol(const struct nfl_val *v)
{
	const struct nfl_encoder *old = nfl_encoder_find(nfl_export_protocol());
	const struct nfl_encoder *new = nfl_encoder_find(v->num);
	int err;

	if (!new) {
		pr_warn_ratelimited("protocol %u is not supported by this build\n",
				    v->num);
		return -EINVAL;
	}
	if (new == old)
		return 0;
	/* What is metered from now on must fit either protocol... */
	nfl_split_for(old, new);
	/* ...as flows metered so far leave in the protocol they were for. */
	nfl_cache_flush();
	err = nfl_export_set_protocol(v->num);
	if (!err)
		old = new;
	nfl_split_for(old, old);
	return err;
}

static const char *nfl_cross_engine_id(const struct nfl_val *v)
{
	if (READ_ONCE(nfl_cfg.protocol) == 5 && v->num > NFL_ENGINE_V5_MAX)
		return "above 255, which v5 cannot carry";
	return NULL;
}

static const char *nfl_valid_hashsize(const struct nfl_val *v)
{
	u64 bytes = (u64)v->num * sizeof(struct nfl_flow *) *
		    num_possible_cpus();

	if (bytes > ((u64)totalram_pages() << PAGE_SHIFT) / 8)
		return "the buckets of all CPUs would take over 1/8 of RAM";
	return NULL;
}

#define NFL_CHAINS_WHY	"chains would average over " __stringify(NFL_CHAIN_MAX) \
			" flows at maxflows (raise hashsize or lower maxflows)"

static const char *nfl_cross_hashsize(const struct nfl_val *v)
{
	if (!nfl_chains_short(v->num, READ_ONCE(nfl_cfg.maxflows)))
		return NFL_CHAINS_WHY;
	return NULL;
}

static const char *nfl_cross_maxflows(const struct nfl_val *v)
{
	unsigned int hs = nfl_live ? nfl_cache_hashsize() : nfl_cfg.hashsize;

	if (!nfl_chains_short(hs, v->num))
		return NFL_CHAINS_WHY;
	return NULL;
}

static int nfl_apply_hashsize(const struct nfl_val *v)
{
	return nfl_cache_resize(v->num);
}

static unsigned int nfl_current_hashsize(void)
{
	return nfl_cache_hashsize();
}

static int nfl_apply_sndbuf(const struct nfl_val *v)
{
	nfl_dest_set_sndbuf(v->num);
	return 0;
}

static const char *nfl_valid_destination(const struct nfl_val *v)
{
	struct nfl_dest_addr *addrs;
	int n;

	addrs = kcalloc(NFL_DEST_MAX, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return nfl_oom;
	n = nfl_dest_parse(v->str, addrs, NFL_DEST_MAX);
	kfree(addrs);
	return n < 0 ? "not a list of collectors" : NULL;
}

static int nfl_apply_destination(const struct nfl_val *v)
{
	int err = nfl_dest_configure(v->str);

	/* New collectors know none of our templates. */
	if (!err)
		nfl_export_resend_templates();
	return err;
}

static int nfl_apply_natevents(const struct nfl_val *v)
{
	if (v->num)
		return nfl_natevents_enable();
	nfl_natevents_disable();
	return 0;
}

/* On only while events are delivered: see nfl_natevents_active(). */
static unsigned int nfl_current_natevents(void)
{
	return nfl_natevents_active();
}

static int nfl_apply_ctflows(const struct nfl_val *v)
{
	if (v->num)
		return nfl_ctflows_enable();
	nfl_ctflows_disable();
	return 0;
}

/* On only while connection ends are delivered, as natevents. */
static unsigned int nfl_current_ctflows(void)
{
	return nfl_ctflows_active();
}

static int nfl_apply_flush(const struct nfl_val *v)
{
	nfl_cache_flush();
	/* The write returns once the flows are sent. */
	nfl_export_sync();
	return 0;
}

static int nfl_apply_targets(const struct nfl_val *v)
{
	return nfl_target_set(v->num);
}

static const char *nfl_valid_hooks(const struct nfl_val *v)
{
	unsigned int mask;

	return nfl_hooks_parse(v->str, &mask) ? "unknown hook name or bitmask" :
						 NULL;
}

static int nfl_apply_hooks(const struct nfl_val *v)
{
	unsigned int mask;
	int prio;

	if (nfl_hooks_parse(v->str, &mask) ||
	    nfl_hooks_parse_prio(nfl_hooks_prio_spec, &prio))
		return -EINVAL;
	return nfl_hooks_set(mask, prio);
}

static const char *nfl_valid_hooks_prio(const struct nfl_val *v)
{
	int prio;

	return nfl_hooks_parse_prio(v->str, &prio) ? "not first, last or a number" :
						   NULL;
}

static int nfl_apply_hooks_prio(const struct nfl_val *v)
{
	unsigned int mask;
	int prio;

	if (nfl_hooks_parse(nfl_hooks_spec, &mask) ||
	    nfl_hooks_parse_prio(v->str, &prio))
		return -EINVAL;
	return nfl_hooks_set(mask, prio);
}

static int nfl_apply_hooks_mark(const struct nfl_val *v)
{
	nfl_hooks_set_mark(v->num, READ_ONCE(nfl_cfg.hooks_mark_mask));
	return 0;
}

static int nfl_apply_hooks_mark_mask(const struct nfl_val *v)
{
	nfl_hooks_set_mark(READ_ONCE(nfl_cfg.hooks_mark), v->num);
	return 0;
}

static const char *nfl_valid_ingress(const struct nfl_val *v)
{
	int err = nfl_ingress_parse(v->str);

	if (err == -ENOMEM)
		return nfl_oom;
	return err ? "not *, or device names separated by commas" : NULL;
}

static int nfl_apply_ingress(const struct nfl_val *v)
{
	return nfl_ingress_set(v->str, READ_ONCE(nfl_cfg.promisc));
}

static int nfl_apply_promisc(const struct nfl_val *v)
{
	return nfl_ingress_set(nfl_ingress_spec, v->num);
}

static const char *nfl_valid_fields(const struct nfl_val *v)
{
	unsigned int fields;
	const char *bad;
	size_t n;

	if (!nfl_fields_parse(v->str, &fields, &bad, &n))
		return NULL;
	/* the culprit, by name; nfl_reject() then gives the whole value */
	if (READ_ONCE(nfl_live))
		pr_warn_ratelimited("fields: \"%.*s\" is not a field name\n",
				    (int)min_t(size_t, n, 32), bad);
	else
		pr_err("fields: \"%.*s\" is not a field name\n",
		       (int)min_t(size_t, n, 32), bad);
	return "not a comma list of field names";
}

static const char *nfl_cross_fields(const struct nfl_val *v)
{
	unsigned int fields;
	const char *bad;
	size_t n;

	if (READ_ONCE(nfl_cfg.protocol) == 5 &&
	    !nfl_fields_parse(v->str, &fields, &bad, &n) && fields)
		return "v5 has no room for any of them (set protocol to 9 or 10 first)";
	return NULL;
}

static const char *nfl_valid_snmp(const struct nfl_val *v)
{
	struct nfl_snmp_rule *rules;
	const char *bad = NULL;
	size_t n = 0;
	int count;

	rules = kcalloc(NFL_SNMP_RULES_MAX, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return nfl_oom;
	count = nfl_snmp_parse(v->str, rules, &bad, &n);
	kfree(rules);
	if (count >= 0)
		return NULL;
	if (READ_ONCE(nfl_live))
		pr_warn_ratelimited("snmp-rules: \"%.*s\" is not a rule prefix:base\n",
				    (int)min_t(size_t, n, 32), bad);
	else
		pr_err("snmp-rules: \"%.*s\" is not a rule prefix:base\n",
		       (int)min_t(size_t, n, 32), bad);
	return "not a comma list of rules prefix:base";
}

static int nfl_apply_snmp(const struct nfl_val *v)
{
	return nfl_export_set_snmp(v->str);
}

/* As a protocol change: flows metered so far leave with what they have. */
static int nfl_apply_fields(const struct nfl_val *v)
{
	unsigned int fields;
	const char *bad;
	size_t n;
	int err;

	if (nfl_fields_parse(v->str, &fields, &bad, &n))
		return -EINVAL;
	/* aggregation's part stays as its rules say */
	fields |= nfl_packet_aggr_fields();
	err = nfl_cache_set_fields(fields);
	if (!err)
		nfl_export_set_fields(fields);
	return err;
}

static const char *nfl_valid_sampler(const struct nfl_val *v)
{
	struct nfl_sampler smp;
	const char *why;

	return nfl_sampler_parse(v->str, &smp, &why) ? why : NULL;
}

/* As fields=: flows metered so far leave with the sampler they had. */
static int nfl_apply_sampler(const struct nfl_val *v)
{
	struct nfl_sampler smp;
	const char *why;

	if (nfl_sampler_parse(v->str, &smp, &why))
		return -EINVAL;
	nfl_sampler_set(&smp);
	nfl_cache_flush();
	nfl_export_set_sampler(&smp);
	return 0;
}

static const char *nfl_valid_aggr(const struct nfl_val *v)
{
	const char *bad = NULL;
	struct nfl_aggr *a;
	size_t n = 0;
	int count;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return nfl_oom;
	count = nfl_aggr_parse(v->str, a, &bad, &n);
	kfree(a);
	if (count >= 0)
		return NULL;
	/* the culprit, by name; nfl_reject() then gives the whole value */
	if (READ_ONCE(nfl_live))
		pr_warn_ratelimited("aggregation: \"%.*s\" is not a rule\n",
				    (int)min_t(size_t, n, 64), bad);
	else
		pr_err("aggregation: \"%.*s\" is not a rule\n",
		       (int)min_t(size_t, n, 64), bad);
	return "not a comma list of rules NET/PREFIX=LENGTH or PORT[-PORT]=PORT";
}

/*
 * New rules: the flows metered under the old ones leave first, with
 * what those did to them, as at a change of fields.  NFL_FIELD_AGGR is
 * in force before rules are and after they are gone: the packet path
 * copes with none, not with rules and no room to say what they did.
 */
static int nfl_apply_aggr(const struct nfl_val *v)
{
	unsigned int fields;
	struct nfl_aggr *a;
	int err;

	/* the same rules: nothing to do, their counts go on */
	if (!strcmp(v->str, nfl_aggr_spec))
		return 0;
	a = nfl_packet_aggr_make(v->str);
	if (IS_ERR(a))
		return PTR_ERR(a);
	fields = nfl_fields_stored() | (a ? NFL_FIELD_AGGR : 0);
	err = nfl_cache_set_fields(fields);
	if (err) {
		nfl_packet_aggr_free(a);
		return err;
	}
	nfl_packet_aggr_set(a);
	nfl_cache_flush();
	nfl_export_set_fields(fields);
	return 0;
}

/*
 * engine_id comes before protocol: at load a conflict of the two is then
 * reported as engine_id's, the value that is out of range.
 */
enum {
	NFL_S_DESTINATION,
	NFL_S_ENGINE_ID,
	NFL_S_PROTOCOL,
	NFL_S_ACTIVE_TIMEOUT,
	NFL_S_INACTIVE_TIMEOUT,
	NFL_S_HASHSIZE,
	NFL_S_MAXFLOWS,
	NFL_S_SNDBUF,
	NFL_S_DEBUG,
	NFL_S_REFRESH_RATE,
	NFL_S_TIMEOUT_RATE,
	NFL_S_NATEVENTS,
	NFL_S_NATEVENTS_LEGACY,
	NFL_S_CTFLOWS,
	NFL_S_FLUSH,
	NFL_S_TARGETS,
	NFL_S_HOOKS,
	NFL_S_HOOKS_PRIORITY,
	NFL_S_HOOKS_MARK,
	NFL_S_HOOKS_MARK_MASK,
	NFL_S_INGRESS,
	NFL_S_PROMISC,
	NFL_S_FIELDS,
	NFL_S_SNMP_RULES,
	NFL_S_SAMPLER,
	NFL_S_AGGREGATION,
	NFL_S_COUNT
};

static const struct nfl_setting nfl_settings[NFL_S_COUNT] = {
	[NFL_S_DESTINATION] = {
		.name = "destination", .kind = NFL_STRING,
		.var = nfl_destination, .size = sizeof(nfl_destination),
		.range = NFL_DEST_RANGE,
		.valid = nfl_valid_destination, .apply = nfl_apply_destination,
	},
	[NFL_S_PROTOCOL] = {
		.name = "protocol", .kind = NFL_UINT, .var = &nfl_cfg.protocol,
		.min = 5, .max = 10, .range = NFL_PROTOCOL_RANGE,
		.valid = nfl_valid_protocol, .cross = nfl_cross_protocol,
		.apply = nfl_apply_protocol,
	},
	[NFL_S_ACTIVE_TIMEOUT] = {
		.name = "active_timeout", .kind = NFL_UINT,
		.var = &nfl_cfg.active_timeout,
		.min = 1, .max = NFL_TIMEOUT_MAX, .range = NFL_TIMEOUT_RANGE,
	},
	[NFL_S_INACTIVE_TIMEOUT] = {
		.name = "inactive_timeout", .kind = NFL_UINT,
		.var = &nfl_cfg.inactive_timeout,
		.min = 1, .max = NFL_TIMEOUT_MAX, .range = NFL_TIMEOUT_RANGE,
	},
	[NFL_S_HASHSIZE] = {
		.name = "hashsize", .kind = NFL_UINT, .var = &nfl_cfg.hashsize,
		.min = NFL_HASH_MIN, .max = NFL_HASH_MAX, .range = NFL_HASH_RANGE,
		.valid = nfl_valid_hashsize, .cross = nfl_cross_hashsize,
		.apply = nfl_apply_hashsize,
		.current_val = nfl_current_hashsize,
	},
	[NFL_S_MAXFLOWS] = {
		.name = "maxflows", .kind = NFL_UINT, .var = &nfl_cfg.maxflows,
		.min = 0, .max = UINT_MAX, .range = NFL_MAXFLOWS_RANGE,
		.cross = nfl_cross_maxflows,
	},
	[NFL_S_SNDBUF] = {
		.name = "sndbuf", .kind = NFL_INT, .var = &nfl_cfg.sndbuf,
		.min = 0, .max = NFL_SNDBUF_MAX, .range = NFL_SNDBUF_RANGE,
		.apply = nfl_apply_sndbuf,
	},
	[NFL_S_ENGINE_ID] = {
		.name = "engine_id", .kind = NFL_UINT, .var = &nfl_cfg.engine_id,
		.min = 0, .max = UINT_MAX, .range = NFL_ENGINE_RANGE,
		.cross = nfl_cross_engine_id,
	},
	[NFL_S_DEBUG] = {
		.name = "debug", .kind = NFL_UINT, .var = &nfl_cfg.debug,
		.min = 0, .max = NFL_DEBUG_MAX, .range = NFL_DEBUG_RANGE,
	},
	[NFL_S_REFRESH_RATE] = {
		.name = "refresh-rate", .kind = NFL_UINT,
		.var = &nfl_cfg.refresh_rate,
		.min = 1, .max = NFL_REFRESH_MAX, .range = NFL_REFRESH_RANGE,
	},
	[NFL_S_TIMEOUT_RATE] = {
		.name = "timeout-rate", .kind = NFL_UINT,
		.var = &nfl_cfg.timeout_rate,
		.min = 1, .max = NFL_TRATE_MAX, .range = NFL_TRATE_RANGE,
	},
	[NFL_S_NATEVENTS] = {
		.name = "natevents", .kind = NFL_UINT, .var = &nfl_cfg.natevents,
		.min = 0, .max = 1, .range = NFL_BOOL_RANGE,
		.apply = nfl_apply_natevents,
		.current_val = nfl_current_natevents,
	},
	[NFL_S_TARGETS] = {
		.name = "targets", .kind = NFL_UINT, .var = &nfl_cfg.targets,
		.min = 0, .max = 1, .range = NFL_BOOL_RANGE,
		.apply = nfl_apply_targets,
	},
	[NFL_S_HOOKS] = {
		.name = "hooks", .kind = NFL_STRING, .var = nfl_hooks_spec,
		.size = NFL_HOOKS_SPEC_SIZE, .empty_ok = true,
		.range = NFL_HOOKS_RANGE,
		.valid = nfl_valid_hooks, .apply = nfl_apply_hooks,
	},
	[NFL_S_HOOKS_PRIORITY] = {
		.name = "hooks_priority", .kind = NFL_STRING,
		.var = nfl_hooks_prio_spec, .size = NFL_HOOKS_PRIO_SIZE,
		.range = NFL_HOOKS_PRIO_RANGE,
		.valid = nfl_valid_hooks_prio, .apply = nfl_apply_hooks_prio,
	},
	[NFL_S_HOOKS_MARK] = {
		.name = "hooks_mark", .kind = NFL_UINT, .var = &nfl_cfg.hooks_mark,
		.min = 0, .max = UINT_MAX, .range = NFL_MARK_RANGE,
		.apply = nfl_apply_hooks_mark,
	},
	[NFL_S_HOOKS_MARK_MASK] = {
		.name = "hooks_mark_mask", .kind = NFL_UINT,
		.var = &nfl_cfg.hooks_mark_mask,
		.min = 0, .max = UINT_MAX, .range = NFL_MARK_RANGE,
		.apply = nfl_apply_hooks_mark_mask,
	},
	[NFL_S_INGRESS] = {
		.name = "ingress", .kind = NFL_STRING, .var = nfl_ingress_spec,
		.size = NFL_INGRESS_SPEC_SIZE, .empty_ok = true,
		.range = NFL_INGRESS_RANGE,
		.valid = nfl_valid_ingress, .apply = nfl_apply_ingress,
	},
	[NFL_S_PROMISC] = {
		.name = "promisc", .kind = NFL_UINT, .var = &nfl_cfg.promisc,
		.min = 0, .max = 1, .range = NFL_BOOL_RANGE,
		.apply = nfl_apply_promisc,
	},
	[NFL_S_FIELDS] = {
		.name = "fields", .kind = NFL_STRING, .var = nfl_fields_spec,
		.size = NFL_FIELDS_SPEC_SIZE, .empty_ok = true,
		.range = NFL_FIELDS_RANGE,
		.valid = nfl_valid_fields, .cross = nfl_cross_fields,
		.apply = nfl_apply_fields,
	},
	[NFL_S_SNMP_RULES] = {
		.name = "snmp-rules", .kind = NFL_STRING, .var = nfl_snmp_spec,
		.size = NFL_SNMP_SPEC_SIZE, .empty_ok = true,
		.range = NFL_SNMP_RANGE,
		.valid = nfl_valid_snmp, .apply = nfl_apply_snmp,
	},
	[NFL_S_SAMPLER] = {
		.name = "sampler", .kind = NFL_STRING, .var = nfl_sampler_spec,
		.size = NFL_SAMPLER_SPEC_SIZE, .empty_ok = true,
		.range = NFL_SAMP_RANGE,
		.valid = nfl_valid_sampler, .apply = nfl_apply_sampler,
	},
	[NFL_S_AGGREGATION] = {
		.name = "aggregation", .kind = NFL_STRING, .var = nfl_aggr_spec,
		.size = NFL_AGGR_SPEC_SIZE, .empty_ok = true,
		.range = NFL_AGGR_RANGE,
		.valid = nfl_valid_aggr, .apply = nfl_apply_aggr,
	},
	[NFL_S_NATEVENTS_LEGACY] = {
		.name = "natevents_legacy", .kind = NFL_UINT,
		.var = &nfl_cfg.natevents_legacy,
		.min = 0, .max = 1, .range = NFL_BOOL_RANGE,
	},
	[NFL_S_CTFLOWS] = {
		.name = "ctflows", .kind = NFL_UINT, .var = &nfl_cfg.ctflows,
		.min = 0, .max = 1, .range = NFL_BOOL_RANGE,
		.apply = nfl_apply_ctflows,
		.current_val = nfl_current_ctflows,
	},
	[NFL_S_FLUSH] = {
		.name = "flush", .kind = NFL_ACTION,
		.min = 1, .max = 1, .range = "1",
		.apply = nfl_apply_flush,
	},
};

/* ---- the one write path ---- */

static void nfl_reject(const char *who, const char *text, size_t len,
		      const struct nfl_setting *s, const char *why)
{
	/* At load a bad value fails the load: say exactly why, always. */
	if (!READ_ONCE(nfl_live))
		pr_err("%s=\"%.*s\" rejected: %s (valid: %s)\n",
		       who, (int)min_t(size_t, len, 64), text, why, s->range);
	else
		pr_warn_ratelimited("%s=\"%.*s\" rejected: %s (valid: %s)\n",
				    who, (int)min_t(size_t, len, 64), text,
				    why, s->range);
}

/* Surrounding white space (echo's newline) is no part of a value. */
static void nfl_trim(const char **text, size_t *len)
{
	while (*len && isspace(**text)) {
		(*text)++;
		(*len)--;
	}
	while (*len && isspace((*text)[*len - 1]))
		(*len)--;
}

/* Trimmed text to value: anything but the value fails.  Decimal only. */
static const char *nfl_parse(const struct nfl_setting *s, const char *text,
			    size_t len, struct nfl_val *v, char **strbuf)
{
	char num[16];

	if (!len && !s->empty_ok)
		return "empty";
	if (memchr(text, '\0', len))
		return "NUL inside";

	if (s->kind == NFL_STRING) {
		if (len >= s->size)
			return "too long";
		*strbuf = kmemdup_nul(text, len, GFP_KERNEL);
		if (!*strbuf)
			return nfl_oom;
		v->str = *strbuf;
	} else {
		if (len >= sizeof(num))
			return "not a number in range";
		memcpy(num, text, len);
		num[len] = '\0';
		if (kstrtouint(num, 10, &v->num))
			return "not a decimal number in range";
		if (v->num < s->min || v->num > s->max)
			return "out of range";
	}
	return s->valid ? s->valid(v) : NULL;
}

static void nfl_store(const struct nfl_setting *s, const struct nfl_val *v)
{
	switch (s->kind) {
	case NFL_UINT:
		WRITE_ONCE(*(unsigned int *)s->var, v->num);
		break;
	case NFL_INT:
		WRITE_ONCE(*(int *)s->var, (int)v->num);
		break;
	case NFL_STRING:
		spin_lock(&nfl_str_lock);
		strscpy(s->var, v->str, s->size);
		spin_unlock(&nfl_str_lock);
		break;
	case NFL_ACTION:
		break;
	}
}

/* @who is the name as the user wrote it, for messages. */
static int nfl_setting_write(const struct nfl_setting *s, const char *who,
			    const char *text, size_t len)
{
	struct nfl_val v = { };
	char *strbuf = NULL;
	const char *why;
	int err = 0;

	nfl_trim(&text, &len);
	why = nfl_parse(s, text, len, &v, &strbuf);
	if (why) {
		nfl_reject(who, text, len, s, why);
		kfree(strbuf);
		/* no memory to check it: the value may well be right */
		return why == nfl_oom ? -ENOMEM : -EINVAL;
	}

	mutex_lock(&nfl_settings_mutex);
	if (nfl_live && s->cross) {
		why = s->cross(&v);
		if (why) {
			nfl_reject(who, text, len, s, why);
			err = -EINVAL;
		}
	}
	if (!err && s->kind == NFL_ACTION && !nfl_live)
		err = -EBUSY;		/* nothing to act on yet, or any more */
	if (!err && nfl_live && s->apply)
		err = s->apply(&v);
	if (!err)
		nfl_store(s, &v);
	mutex_unlock(&nfl_settings_mutex);

	kfree(strbuf);
	return err;
}

/* The value as text, without newline. */
static int nfl_setting_format(const struct nfl_setting *s, char *buf,
			     size_t size)
{
	int n;

	/*
	 * Not under nfl_settings_mutex: a flush or protocol change holds it
	 * for seconds at millions of flows, and `sysctl -a` would wait.
	 */
	switch (s->kind) {
	case NFL_UINT:
		n = scnprintf(buf, size, "%u",
			      READ_ONCE(nfl_live) && s->current_val ?
			      s->current_val() :
			      READ_ONCE(*(unsigned int *)s->var));
		break;
	case NFL_INT:
		n = scnprintf(buf, size, "%d", READ_ONCE(*(int *)s->var));
		break;
	case NFL_STRING:
		spin_lock(&nfl_str_lock);
		n = scnprintf(buf, size, "%s", (const char *)s->var);
		spin_unlock(&nfl_str_lock);
		break;
	default:
		n = scnprintf(buf, size, "0");
		break;
	}
	return n;
}

/* ---- module parameters ---- */

static int nfl_param_set(const char *val, const struct kernel_param *kp)
{
	const struct nfl_setting *s = kp->arg;

	if (!val) {
		/* "modprobe ipt_NETFLOW protocol" without "=value" */
		nfl_reject(kp->name, "", 0, s, "no value");
		return -EINVAL;
	}
	/* /sys is root's, but never let a write change more than sysctl would. */
	if (READ_ONCE(nfl_live) && !capable(CAP_NET_ADMIN))
		return -EPERM;
	return nfl_setting_write(s, kp->name, val, strlen(val));
}

static int nfl_param_get(char *buffer, const struct kernel_param *kp)
{
	int n = nfl_setting_format(kp->arg, buffer, PAGE_SIZE - 1);

	buffer[n++] = '\n';
	buffer[n] = '\0';
	return n;
}

static const struct kernel_param_ops nfl_param_ops = {
	.set = nfl_param_set,
	.get = nfl_param_get,
};

/* Every parameter is writable at run time through the same checks. */
#define NFL_PARAM(pname, idx, type, desc)				\
	module_param_cb(pname, &nfl_param_ops, (void *)&nfl_settings[idx], \
			0644);						\
	__MODULE_PARM_TYPE(pname, type);				\
	MODULE_PARM_DESC(pname, desc)

NFL_PARAM(destination, NFL_S_DESTINATION, "string",
	 "collectors that each get every export packet, separated by , ; or space: "
	 NFL_DEST_RANGE " (default 127.0.0.1:2055)");
NFL_PARAM(protocol, NFL_S_PROTOCOL, "uint",
	 "export protocol: " NFL_PROTOCOL_RANGE
	 "; a change exports the flows in memory first (default 5)");
NFL_PARAM(active_timeout, NFL_S_ACTIVE_TIMEOUT, "uint",
	 "export a still active flow after this long: " NFL_TIMEOUT_RANGE
	 " (default 1800)");
NFL_PARAM(inactive_timeout, NFL_S_INACTIVE_TIMEOUT, "uint",
	 "export a flow idle this long: " NFL_TIMEOUT_RANGE " (default 15)");
NFL_PARAM(hashsize, NFL_S_HASHSIZE, "uint",
	 "hash table size: " NFL_HASH_RANGE
	 ", all CPUs' within 1/8 of RAM, maxflows/" __stringify(NFL_CHAIN_MAX)
	 " at least (default from RAM and maxflows; a resize keeps the flows)");
NFL_PARAM(maxflows, NFL_S_MAXFLOWS, "uint",
	 "most flows in memory, in the cache or waiting to be sent; packets of new flows beyond are not metered: "
	 NFL_MAXFLOWS_RANGE ", hashsize*" __stringify(NFL_CHAIN_MAX) " at most (default 2000000)");
NFL_PARAM(sndbuf, NFL_S_SNDBUF, "int",
	 "send buffer of each collector socket: " NFL_SNDBUF_RANGE
	 " (default 0)");
NFL_PARAM(engine_id, NFL_S_ENGINE_ID, "uint",
	 "v5 engine_id, v9 source id, IPFIX observation domain id: "
	 NFL_ENGINE_RANGE " (default 0)");
NFL_PARAM(debug, NFL_S_DEBUG, "uint",
	 "log verbosity: " NFL_DEBUG_RANGE " (default 0)");
NFL_PARAM(refresh_rate, NFL_S_REFRESH_RATE, "uint",
	 "v9/IPFIX: send templates again every N export packets: "
	 NFL_REFRESH_RANGE " (default 20; sysctl refresh-rate)");
NFL_PARAM(timeout_rate, NFL_S_TIMEOUT_RATE, "uint",
	 "v9/IPFIX: send templates again at least this often: "
	 NFL_TRATE_RANGE " (default 30; sysctl timeout-rate)");

NFL_PARAM(natevents, NFL_S_NATEVENTS, "uint",
	 "export NAT translation create/delete events from conntrack (NEL in v9/IPFIX, dummy flows in v5): "
	 NFL_BOOL_RANGE " (default 0)");
NFL_PARAM(targets, NFL_S_TARGETS, "uint",
	 "1: register the xtables target NETFLOW (iptables -j NETFLOW); 0: not, new rules are refused, rules made before keep metering: "
	 NFL_BOOL_RANGE " (default 1)");
NFL_PARAM(hooks, NFL_S_HOOKS, "string",
	 "meter at netfilter hooks of init_net without any rule, IPv4 and IPv6: "
	 NFL_HOOKS_RANGE " (default empty)");
NFL_PARAM(hooks_priority, NFL_S_HOOKS_PRIORITY, "string",
	 "priority of those hooks: " NFL_HOOKS_PRIO_RANGE
	 " (default last: after every rule)");
NFL_PARAM(hooks_mark, NFL_S_HOOKS_MARK, "uint",
	 "hooks meter only packets with (mark & hooks_mark_mask) == (hooks_mark & hooks_mark_mask): "
	 NFL_MARK_RANGE " (default 0)");
NFL_PARAM(hooks_mark_mask, NFL_S_HOOKS_MARK_MASK, "uint",
	 "see hooks_mark; 0 meters every packet: " NFL_MARK_RANGE
	 " (default 0)");
NFL_PARAM(ingress, NFL_S_INGRESS, "string",
	 "meter every IPv4/IPv6 packet these devices of init_net receive, at their netdev ingress hook, ahead of any flowtable, frames for other hosts too; devices that appear later are followed: "
	 NFL_INGRESS_RANGE " (default empty)");
NFL_PARAM(promisc, NFL_S_PROMISC, "uint",
	 "1: put the ingress devices in promiscuous mode (mirror and SPAN ports), taken back on change and unload: "
	 NFL_BOOL_RANGE " (default 0)");
NFL_PARAM(fields, NFL_S_FIELDS, "string",
	 "optional fields in every flow record (v9/IPFIX), switchable at run time; a change exports the flows in memory first and starts new templates: "
	 NFL_FIELDS_RANGE " (default empty)");
NFL_PARAM(snmp_rules, NFL_S_SNMP_RULES, "string",
	 "renumber exported interface indexes by name, in records and the interface table (fprobe-ulog's rules: ppp:200 makes ppp11 211): "
	 NFL_SNMP_RANGE " (default empty; sysctl snmp-rules)");
NFL_PARAM(sampler, NFL_S_SAMPLER, "string",
	 "flow sampling (RFC 7014: deterministic:N each N-th new flow, random:N one of each N new flows, hash:N flows whose 5-tuple hashes to 0 of N, so a flow not taken costs no memory) or packet sampling (packet:N, one of each N packets at random, before it is parsed), told to collectors (v5 header, v9/IPFIX options and sampler id in each record); a change exports the flows in memory first: "
	 NFL_SAMP_RANGE " (default empty)");
NFL_PARAM(aggregation, NFL_S_AGGREGATION, "string",
	 "aggregate flows before they are metered: an address in NET/PREFIX is cut to LENGTH, a port in the range becomes the PORT given; source and destination alike, the first match of each kind wins; records carry the prefix lengths, a change exports the flows in memory first: "
	 NFL_AGGR_RANGE " (default empty)");
NFL_PARAM(natevents_legacy, NFL_S_NATEVENTS_LEGACY, "uint",
	 "natEvent values: 0 RFC 8158 (4 NAT44 session create, 5 delete), 1 historic (1 create, 2 delete) for older collectors: "
	 NFL_BOOL_RANGE " (default 0)");

NFL_PARAM(ctflows, NFL_S_CTFLOWS, "uint",
	 "export every conntrack connection of the initial namespace: a record when it ends, interim ones every active_timeout (IPFIX: RFC 5103 biflows; v9, v5: a record per direction); turns on nf_conntrack_acct and nf_conntrack_timestamp while on: "
	 NFL_BOOL_RANGE " (default 0)");

/* ---- net.netflow sysctls ---- */

static int nfl_sysctl_read(const struct nfl_setting *s, void *buffer,
			  size_t *lenp, loff_t *ppos)
{
	/* proc_dostring does the offsets and the newline for us. */
	struct ctl_table t = {
		.procname	= s->name,
		.maxlen		= NFL_DESTINATION_SIZE + 16,
		.mode		= 0444,
	};
	char *text;
	int err;

	text = kmalloc(t.maxlen, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	nfl_setting_format(s, text, t.maxlen);
	t.data = text;
	err = proc_dostring(&t, 0, buffer, lenp, ppos);
	kfree(text);
	return err;
}

static int nfl_sysctl_handler(NFL_CTL_TABLE *table, int write, void *buffer,
			     size_t *lenp, loff_t *ppos)
{
	const struct nfl_setting *s = table->extra1;
	char who[32];
	int err;

	if (!write)
		return nfl_sysctl_read(s, buffer, lenp, ppos);

	/*
	 * The table lives in init_net only, but an open file can be handed
	 * to a less privileged process: the writer must hold the right.
	 */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	/* A value comes in one write; a continuation would be a new value. */
	if (*ppos)
		return -EINVAL;
	snprintf(who, sizeof(who), "net.netflow.%s", s->name);
	err = nfl_setting_write(s, who, buffer, *lenp);
	if (!err)
		*ppos += *lenp;
	return err;
}

/* One entry per setting, plus the empty one that ends it before 6.6. */
static struct ctl_table nfl_ctl_table[NFL_S_COUNT + 1];
static struct ctl_table_header *nfl_ctl_header;

/* ---- life cycle ---- */

int nfl_settings_check(void)
{
	const struct nfl_setting *s;
	struct nfl_val v = { };
	const char *why;
	int i;

	mutex_lock(&nfl_settings_mutex);
	for (i = 0; i < NFL_S_COUNT; i++) {
		s = &nfl_settings[i];
		if (!s->cross)
			continue;
		if (s->kind == NFL_STRING)
			v.str = s->var;
		else
			v.num = READ_ONCE(*(unsigned int *)s->var);
		why = s->cross(&v);
		if (why && s->kind == NFL_STRING) {
			pr_err("%s=\"%s\" rejected: %s (valid: %s)\n",
			       s->name, v.str, why, s->range);
		} else if (why) {
			pr_err("%s=%u rejected: %s (valid: %s)\n",
			       s->name, v.num, why, s->range);
		}
		if (why) {
			mutex_unlock(&nfl_settings_mutex);
			return -EINVAL;
		}
	}
	mutex_unlock(&nfl_settings_mutex);
	return 0;
}

int nfl_settings_init(void)
{
	int i;

	for (i = 0; i < NFL_S_COUNT; i++) {
		struct ctl_table *t = &nfl_ctl_table[i];

		t->procname = nfl_settings[i].name;
		t->mode = 0644;
		t->proc_handler = nfl_sysctl_handler;
		t->extra1 = (void *)&nfl_settings[i];
	}
	nfl_ctl_header = nfl_register_net_sysctl(&init_net, "net/netflow",
					       nfl_ctl_table, NFL_S_COUNT);
	if (!nfl_ctl_header) {
		pr_err("cannot register net.netflow sysctls\n");
		return -ENOMEM;
	}
	mutex_lock(&nfl_settings_mutex);
	WRITE_ONCE(nfl_live, true);
	mutex_unlock(&nfl_settings_mutex);
	return 0;
}

void nfl_settings_uninit(void)
{
	/* Waits for handlers that are running. */
	unregister_net_sysctl_table(nfl_ctl_header);
	nfl_ctl_header = NULL;
	/* Later /sys writes only store: the units are going away. */
	mutex_lock(&nfl_settings_mutex);
	WRITE_ONCE(nfl_live, false);
	mutex_unlock(&nfl_settings_mutex);
}
