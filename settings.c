// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipt_NETFLOW: settings, as module parameters and as net.netflow sysctls.
 *
 * Every setting is described once, in nf_settings[].  Its module parameter
 * (modprobe, /sys/module/ipt_NETFLOW/parameters) and its sysctl both end in
 * nf_setting_write(), so the two can never parse, validate or apply a value
 * differently.  A write is parsed, validated, applied and stored as one
 * step under nf_settings_mutex; when any part fails the old value stays in
 * force and the writer gets -EINVAL (or the error of the subsystem that
 * could not apply a valid value, e.g. -ENOMEM from a resize).
 *
 * Parameters are parsed before the module's init runs, when the cache, the
 * exporter and the sockets do not exist yet, so until the module is "live"
 * a write is only validated and stored.  nf_settings_check() then checks
 * what depends on several parameters at once (their order on the command
 * line is the user's); main.c hands the stored values to the units as it
 * starts them, and nf_settings_init() makes later writes take effect at
 * once.  nf_settings_uninit() ends that again, before the units go away:
 * /sys stays writable until the module is freed.
 *
 * The packet and export paths read nf_cfg with READ_ONCE() and no lock.
 */

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "cache.h"
#include "compat.h"
#include "destination.h"
#include "encoder.h"
#include "export.h"
#include "natevents.h"
#include "settings.h"
#include "socket.h"

/*
 * Limits.  Each *_RANGE string is what modinfo and the error messages
 * show, built from the numbers that are enforced.
 */
#define NF_PROTOCOL_RANGE	"5 (NetFlow v5), 9 (NetFlow v9) or 10 (IPFIX)"
/* Flow stamps are 32-bit jiffies: keep ages far below their wrap. */
#define NF_TIMEOUT_MAX		604800
#define NF_TIMEOUT_RANGE	"1.." __stringify(NF_TIMEOUT_MAX) " seconds"
/* Buckets per CPU; all CPUs' bucket arrays must also fit in RAM / 8. */
#define NF_HASH_MIN		16
#define NF_HASH_MAX		16777216
#define NF_HASH_RANGE		__stringify(NF_HASH_MIN) ".." \
				__stringify(NF_HASH_MAX) " buckets per CPU"
#define NF_MAXFLOWS_RANGE	"0 (no limit)..4294967295"
/* sk_sndbuf is an int the socket layer adds to: stay well below INT_MAX. */
#define NF_SNDBUF_MAX		1073741824
#define NF_SNDBUF_RANGE		"0 (system default) to " \
				__stringify(NF_SNDBUF_MAX) " bytes"
/* v5 has an 8-bit engine_id; v9 source id and IPFIX domain id are 32-bit. */
#define NF_ENGINE_V5_MAX	255
#define NF_ENGINE_RANGE		"0..255 with protocol 5, 0..4294967295 with 9 or 10"
#define NF_DEBUG_MAX		9
#define NF_DEBUG_RANGE		"0.." __stringify(NF_DEBUG_MAX)
#define NF_REFRESH_MAX		65535
#define NF_REFRESH_RANGE	"1.." __stringify(NF_REFRESH_MAX)
#define NF_TRATE_MAX		1440
#define NF_TRATE_RANGE		"1.." __stringify(NF_TRATE_MAX) " minutes"
#define NF_BOOL_RANGE		"0 or 1"
#define NF_DEST_RANGE		"1 to " __stringify(NF_DEST_MAX) \
				" collectors ip:port, [ip6]:port, optional @srcip and %ifname"

struct nf_settings nf_cfg = {
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
};

char nf_destination[NF_DESTINATION_SIZE] = "127.0.0.1:2055";

static DEFINE_MUTEX(nf_settings_mutex);
/* Writes reach the subsystems (under nf_settings_mutex). */
static bool nf_live;

enum nf_kind {
	NF_UINT,		/* unsigned int at .var */
	NF_INT,			/* int at .var, never negative */
	NF_STRING,		/* char[.size] at .var */
	NF_ACTION,		/* no value kept: writing does something */
};

/* A parsed, range-checked value on its way in. */
struct nf_val {
	unsigned int num;
	const char *str;
};

struct nf_setting {
	const char *name;		/* sysctl net.netflow.<name> */
	enum nf_kind kind;
	void *var;
	size_t size;			/* NF_STRING */
	unsigned int min, max;		/* numbers */
	const char *range;		/* for messages */
	/* More checks of the value alone; NULL if fine, else why not. */
	const char *(*valid)(const struct nf_val *v);
	/*
	 * Checks against other settings.  While parameters are parsed at load
	 * the others may not be known yet, so then they run only once all
	 * are, in nf_settings_check().
	 */
	const char *(*cross)(const struct nf_val *v);
	/* Live writes: make the subsystem use the value, before it is stored. */
	int (*apply)(const struct nf_val *v);
	/* Value to show while live, if not the stored one. */
	unsigned int (*current_val)(void);
};

/* ---- per-setting checks and actions ---- */

static const char *nf_valid_protocol(const struct nf_val *v)
{
	if (v->num == 5 || v->num == 9 || v->num == 10)
		return NULL;
	return "no such protocol";
}

static const char *nf_cross_protocol(const struct nf_val *v)
{
	if (v->num == 5 && READ_ONCE(nf_cfg.engine_id) > NF_ENGINE_V5_MAX)
		return "engine_id is above 255, which v5 cannot carry";
	return NULL;
}

/* The cache splits flows at what both encoders can hold. */
static void nf_split_for(const struct nf_encoder *a,
			 const struct nf_encoder *b)
{
	nf_cache_set_split(min(a->max_octets, b->max_octets),
			   min(a->max_packets, b->max_packets));
}

static int nf_apply_protocol(const struct nf_val *v)
{
	const struct nf_encoder *old = nf_encoder_find(nf_export_protocol());
	const struct nf_encoder *new = nf_encoder_find(v->num);
	int err;

	if (!new) {
		pr_warn_ratelimited("protocol %u is not supported by this build\n",
				    v->num);
		return -EINVAL;
	}
	if (new == old)
		return 0;
	/* What is metered from now on must fit either protocol... */
	nf_split_for(old, new);
	/* ...as flows metered so far leave in the protocol they were for. */
	nf_cache_flush();
	err = nf_export_set_protocol(v->num);
	if (!err)
		old = new;
	nf_split_for(old, old);
	return err;
}

static const char *nf_cross_engine_id(const struct nf_val *v)
{
	if (READ_ONCE(nf_cfg.protocol) == 5 && v->num > NF_ENGINE_V5_MAX)
		return "above 255, which v5 cannot carry";
	return NULL;
}

static const char *nf_valid_hashsize(const struct nf_val *v)
{
	u64 bytes = (u64)v->num * sizeof(struct nf_flow *) *
		    num_possible_cpus();

	if (bytes > ((u64)totalram_pages() << PAGE_SHIFT) / 8)
		return "the buckets of all CPUs would take over 1/8 of RAM";
	return NULL;
}

static int nf_apply_hashsize(const struct nf_val *v)
{
	return nf_cache_resize(v->num);
}

static unsigned int nf_current_hashsize(void)
{
	return nf_cache_hashsize();
}

static int nf_apply_sndbuf(const struct nf_val *v)
{
	nf_dest_set_sndbuf(v->num);
	return 0;
}

static const char *nf_valid_destination(const struct nf_val *v)
{
	struct nf_dest_addr *addrs;
	int n;

	addrs = kcalloc(NF_DEST_MAX, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return "out of memory";
	n = nf_dest_parse(v->str, addrs, NF_DEST_MAX);
	kfree(addrs);
	return n < 0 ? "not a list of collectors" : NULL;
}

static int nf_apply_destination(const struct nf_val *v)
{
	int err = nf_dest_configure(v->str);

	/* New collectors know none of our templates. */
	if (!err)
		nf_export_resend_templates();
	return err;
}

static int nf_apply_natevents(const struct nf_val *v)
{
	if (v->num)
		return nf_natevents_enable();
	nf_natevents_disable();
	return 0;
}

static int nf_apply_flush(const struct nf_val *v)
{
	nf_cache_flush();
	/* The write returns once the flows are sent. */
	nf_export_sync();
	return 0;
}

/*
 * engine_id comes before protocol: at load a conflict of the two is then
 * reported as engine_id's, the value that is out of range.
 */
enum {
	NF_S_DESTINATION,
	NF_S_ENGINE_ID,
	NF_S_PROTOCOL,
	NF_S_ACTIVE_TIMEOUT,
	NF_S_INACTIVE_TIMEOUT,
	NF_S_HASHSIZE,
	NF_S_MAXFLOWS,
	NF_S_SNDBUF,
	NF_S_DEBUG,
	NF_S_REFRESH_RATE,
	NF_S_TIMEOUT_RATE,
	NF_S_NATEVENTS,
	NF_S_NATEVENTS_LEGACY,
	NF_S_FLUSH,
	NF_S_COUNT
};

static const struct nf_setting nf_settings[NF_S_COUNT] = {
	[NF_S_DESTINATION] = {
		.name = "destination", .kind = NF_STRING,
		.var = nf_destination, .size = sizeof(nf_destination),
		.range = NF_DEST_RANGE,
		.valid = nf_valid_destination, .apply = nf_apply_destination,
	},
	[NF_S_PROTOCOL] = {
		.name = "protocol", .kind = NF_UINT, .var = &nf_cfg.protocol,
		.min = 5, .max = 10, .range = NF_PROTOCOL_RANGE,
		.valid = nf_valid_protocol, .cross = nf_cross_protocol,
		.apply = nf_apply_protocol,
	},
	[NF_S_ACTIVE_TIMEOUT] = {
		.name = "active_timeout", .kind = NF_UINT,
		.var = &nf_cfg.active_timeout,
		.min = 1, .max = NF_TIMEOUT_MAX, .range = NF_TIMEOUT_RANGE,
	},
	[NF_S_INACTIVE_TIMEOUT] = {
		.name = "inactive_timeout", .kind = NF_UINT,
		.var = &nf_cfg.inactive_timeout,
		.min = 1, .max = NF_TIMEOUT_MAX, .range = NF_TIMEOUT_RANGE,
	},
	[NF_S_HASHSIZE] = {
		.name = "hashsize", .kind = NF_UINT, .var = &nf_cfg.hashsize,
		.min = NF_HASH_MIN, .max = NF_HASH_MAX, .range = NF_HASH_RANGE,
		.valid = nf_valid_hashsize, .apply = nf_apply_hashsize,
		.current_val = nf_current_hashsize,
	},
	[NF_S_MAXFLOWS] = {
		.name = "maxflows", .kind = NF_UINT, .var = &nf_cfg.maxflows,
		.min = 0, .max = UINT_MAX, .range = NF_MAXFLOWS_RANGE,
	},
	[NF_S_SNDBUF] = {
		.name = "sndbuf", .kind = NF_INT, .var = &nf_cfg.sndbuf,
		.min = 0, .max = NF_SNDBUF_MAX, .range = NF_SNDBUF_RANGE,
		.apply = nf_apply_sndbuf,
	},
	[NF_S_ENGINE_ID] = {
		.name = "engine_id", .kind = NF_UINT, .var = &nf_cfg.engine_id,
		.min = 0, .max = UINT_MAX, .range = NF_ENGINE_RANGE,
		.cross = nf_cross_engine_id,
	},
	[NF_S_DEBUG] = {
		.name = "debug", .kind = NF_UINT, .var = &nf_cfg.debug,
		.min = 0, .max = NF_DEBUG_MAX, .range = NF_DEBUG_RANGE,
	},
	[NF_S_REFRESH_RATE] = {
		.name = "refresh-rate", .kind = NF_UINT,
		.var = &nf_cfg.refresh_rate,
		.min = 1, .max = NF_REFRESH_MAX, .range = NF_REFRESH_RANGE,
	},
	[NF_S_TIMEOUT_RATE] = {
		.name = "timeout-rate", .kind = NF_UINT,
		.var = &nf_cfg.timeout_rate,
		.min = 1, .max = NF_TRATE_MAX, .range = NF_TRATE_RANGE,
	},
	[NF_S_NATEVENTS] = {
		.name = "natevents", .kind = NF_UINT, .var = &nf_cfg.natevents,
		.min = 0, .max = 1, .range = NF_BOOL_RANGE,
		.apply = nf_apply_natevents,
	},
	[NF_S_NATEVENTS_LEGACY] = {
		.name = "natevents_legacy", .kind = NF_UINT,
		.var = &nf_cfg.natevents_legacy,
		.min = 0, .max = 1, .range = NF_BOOL_RANGE,
	},
	[NF_S_FLUSH] = {
		.name = "flush", .kind = NF_ACTION,
		.min = 1, .max = 1, .range = "1",
		.apply = nf_apply_flush,
	},
};

/* ---- the one write path ---- */

static void nf_reject(const char *who, const char *text, size_t len,
		      const struct nf_setting *s, const char *why)
{
	/* At load a bad value fails the load: say exactly why, always. */
	if (!READ_ONCE(nf_live))
		pr_err("%s=\"%.*s\" rejected: %s (valid: %s)\n",
		       who, (int)min_t(size_t, len, 64), text, why, s->range);
	else
		pr_warn_ratelimited("%s=\"%.*s\" rejected: %s (valid: %s)\n",
				    who, (int)min_t(size_t, len, 64), text,
				    why, s->range);
}

/* Surrounding white space (echo's newline) is no part of a value. */
static void nf_trim(const char **text, size_t *len)
{
	while (*len && isspace(**text)) {
		(*text)++;
		(*len)--;
	}
	while (*len && isspace((*text)[*len - 1]))
		(*len)--;
}

/* Trimmed text to value: anything but the value fails.  Decimal only. */
static const char *nf_parse(const struct nf_setting *s, const char *text,
			    size_t len, struct nf_val *v, char **strbuf)
{
	char num[16];

	if (!len)
		return "empty";
	if (memchr(text, '\0', len))
		return "NUL inside";

	if (s->kind == NF_STRING) {
		if (len >= s->size)
			return "too long";
		*strbuf = kmemdup_nul(text, len, GFP_KERNEL);
		if (!*strbuf)
			return "out of memory";
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

static void nf_store(const struct nf_setting *s, const struct nf_val *v)
{
	switch (s->kind) {
	case NF_UINT:
		WRITE_ONCE(*(unsigned int *)s->var, v->num);
		break;
	case NF_INT:
		WRITE_ONCE(*(int *)s->var, (int)v->num);
		break;
	case NF_STRING:
		strscpy(s->var, v->str, s->size);
		break;
	case NF_ACTION:
		break;
	}
}

/* @who is the name as the user wrote it, for messages. */
static int nf_setting_write(const struct nf_setting *s, const char *who,
			    const char *text, size_t len)
{
	struct nf_val v = { };
	char *strbuf = NULL;
	const char *why;
	int err = 0;

	nf_trim(&text, &len);
	why = nf_parse(s, text, len, &v, &strbuf);
	if (why) {
		nf_reject(who, text, len, s, why);
		kfree(strbuf);
		return -EINVAL;
	}

	mutex_lock(&nf_settings_mutex);
	if (nf_live && s->cross) {
		why = s->cross(&v);
		if (why) {
			nf_reject(who, text, len, s, why);
			err = -EINVAL;
		}
	}
	if (!err && s->kind == NF_ACTION && !nf_live)
		err = -EBUSY;		/* nothing to act on yet, or any more */
	if (!err && nf_live && s->apply)
		err = s->apply(&v);
	if (!err)
		nf_store(s, &v);
	mutex_unlock(&nf_settings_mutex);

	kfree(strbuf);
	return err;
}

/* The value as text, without newline. */
static int nf_setting_format(const struct nf_setting *s, char *buf,
			     size_t size)
{
	int n;

	mutex_lock(&nf_settings_mutex);
	switch (s->kind) {
	case NF_UINT:
		n = scnprintf(buf, size, "%u", nf_live && s->current_val ?
			      s->current_val() :
			      READ_ONCE(*(unsigned int *)s->var));
		break;
	case NF_INT:
		n = scnprintf(buf, size, "%d", READ_ONCE(*(int *)s->var));
		break;
	case NF_STRING:
		n = scnprintf(buf, size, "%s", (const char *)s->var);
		break;
	default:
		n = scnprintf(buf, size, "0");
		break;
	}
	mutex_unlock(&nf_settings_mutex);
	return n;
}

/* ---- module parameters ---- */

static int nf_param_set(const char *val, const struct kernel_param *kp)
{
	const struct nf_setting *s = kp->arg;

	if (!val) {
		/* "modprobe ipt_NETFLOW protocol" without "=value" */
		nf_reject(kp->name, "", 0, s, "no value");
		return -EINVAL;
	}
	/* /sys is root's, but never let a write change more than sysctl would. */
	if (READ_ONCE(nf_live) && !capable(CAP_NET_ADMIN))
		return -EPERM;
	return nf_setting_write(s, kp->name, val, strlen(val));
}

static int nf_param_get(char *buffer, const struct kernel_param *kp)
{
	int n = nf_setting_format(kp->arg, buffer, PAGE_SIZE - 1);

	buffer[n++] = '\n';
	buffer[n] = '\0';
	return n;
}

static const struct kernel_param_ops nf_param_ops = {
	.set = nf_param_set,
	.get = nf_param_get,
};

/* Every parameter is writable at run time through the same checks. */
#define NF_PARAM(pname, idx, type, desc)				\
	module_param_cb(pname, &nf_param_ops, (void *)&nf_settings[idx], \
			0644);						\
	__MODULE_PARM_TYPE(pname, type);				\
	MODULE_PARM_DESC(pname, desc)

NF_PARAM(destination, NF_S_DESTINATION, "string",
	 "collectors that each get every export packet, separated by , ; or space: "
	 NF_DEST_RANGE " (default 127.0.0.1:2055)");
NF_PARAM(protocol, NF_S_PROTOCOL, "uint",
	 "export protocol: " NF_PROTOCOL_RANGE
	 "; a change exports the flows in memory first (default 5)");
NF_PARAM(active_timeout, NF_S_ACTIVE_TIMEOUT, "uint",
	 "export a still active flow after this long: " NF_TIMEOUT_RANGE
	 " (default 1800)");
NF_PARAM(inactive_timeout, NF_S_INACTIVE_TIMEOUT, "uint",
	 "export a flow idle this long: " NF_TIMEOUT_RANGE " (default 15)");
NF_PARAM(hashsize, NF_S_HASHSIZE, "uint",
	 "hash table size: " NF_HASH_RANGE
	 ", all CPUs' within 1/8 of RAM (default from RAM; a resize keeps the flows)");
NF_PARAM(maxflows, NF_S_MAXFLOWS, "uint",
	 "most flows in memory, packets of new flows beyond are dropped: "
	 NF_MAXFLOWS_RANGE " (default 2000000)");
NF_PARAM(sndbuf, NF_S_SNDBUF, "int",
	 "send buffer of each collector socket: " NF_SNDBUF_RANGE
	 " (default 0)");
NF_PARAM(engine_id, NF_S_ENGINE_ID, "uint",
	 "v5 engine_id, v9 source id, IPFIX observation domain id: "
	 NF_ENGINE_RANGE " (default 0)");
NF_PARAM(debug, NF_S_DEBUG, "uint",
	 "log verbosity: " NF_DEBUG_RANGE " (default 0)");
NF_PARAM(refresh_rate, NF_S_REFRESH_RATE, "uint",
	 "v9/IPFIX: send templates again every N export packets: "
	 NF_REFRESH_RANGE " (default 20; sysctl refresh-rate)");
NF_PARAM(timeout_rate, NF_S_TIMEOUT_RATE, "uint",
	 "v9/IPFIX: send templates again at least this often: "
	 NF_TRATE_RANGE " (default 30; sysctl timeout-rate)");

NF_PARAM(natevents, NF_S_NATEVENTS, "uint",
	 "export NAT translation create/delete events from conntrack (NEL in v9/IPFIX, dummy flows in v5): "
	 NF_BOOL_RANGE " (default 0)");
NF_PARAM(natevents_legacy, NF_S_NATEVENTS_LEGACY, "uint",
	 "natEvent values: 0 RFC 8158 (4 NAT44 session create, 5 delete), 1 historic (1 create, 2 delete) for older collectors (default 0)");

/* ---- net.netflow sysctls ---- */

static int nf_sysctl_read(const struct nf_setting *s, void *buffer,
			  size_t *lenp, loff_t *ppos)
{
	/* proc_dostring does the offsets and the newline for us. */
	struct ctl_table t = {
		.procname	= s->name,
		.maxlen		= NF_DESTINATION_SIZE + 16,
		.mode		= 0444,
	};
	char *text;
	int err;

	text = kmalloc(t.maxlen, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	nf_setting_format(s, text, t.maxlen);
	t.data = text;
	err = proc_dostring(&t, 0, buffer, lenp, ppos);
	kfree(text);
	return err;
}

static int nf_sysctl_handler(NF_CTL_TABLE *table, int write, void *buffer,
			     size_t *lenp, loff_t *ppos)
{
	const struct nf_setting *s = table->extra1;
	char who[32];
	int err;

	if (!write)
		return nf_sysctl_read(s, buffer, lenp, ppos);

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
	err = nf_setting_write(s, who, buffer, *lenp);
	if (!err)
		*ppos += *lenp;
	return err;
}

/* One entry per setting, plus the empty one that ends it before 6.6. */
static struct ctl_table nf_ctl_table[NF_S_COUNT + 1];
static struct ctl_table_header *nf_ctl_header;

/* ---- life cycle ---- */

int nf_settings_check(void)
{
	const struct nf_setting *s;
	struct nf_val v = { };
	const char *why;
	int i;

	mutex_lock(&nf_settings_mutex);
	for (i = 0; i < NF_S_COUNT; i++) {
		s = &nf_settings[i];
		if (!s->cross)
			continue;
		v.num = READ_ONCE(*(unsigned int *)s->var);
		why = s->cross(&v);
		if (why) {
			pr_err("%s=%u rejected: %s (valid: %s)\n",
			       s->name, v.num, why, s->range);
			mutex_unlock(&nf_settings_mutex);
			return -EINVAL;
		}
	}
	mutex_unlock(&nf_settings_mutex);
	return 0;
}

int nf_settings_init(void)
{
	int i;

	for (i = 0; i < NF_S_COUNT; i++) {
		struct ctl_table *t = &nf_ctl_table[i];

		t->procname = nf_settings[i].name;
		t->mode = 0644;
		t->proc_handler = nf_sysctl_handler;
		t->extra1 = (void *)&nf_settings[i];
	}
	nf_ctl_header = nf_register_net_sysctl(&init_net, "net/netflow",
					       nf_ctl_table, NF_S_COUNT);
	if (!nf_ctl_header) {
		pr_err("cannot register net.netflow sysctls\n");
		return -ENOMEM;
	}
	mutex_lock(&nf_settings_mutex);
	WRITE_ONCE(nf_live, true);
	mutex_unlock(&nf_settings_mutex);
	return 0;
}

void nf_settings_uninit(void)
{
	/* Waits for handlers that are running. */
	unregister_net_sysctl_table(nf_ctl_header);
	nf_ctl_header = NULL;
	/* Later /sys writes only store: the units are going away. */
	mutex_lock(&nf_settings_mutex);
	WRITE_ONCE(nf_live, false);
	mutex_unlock(&nf_settings_mutex);
}
