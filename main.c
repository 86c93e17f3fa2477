// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipt_NETFLOW: meter IP flows in the kernel and export them as NetFlow
 * v5, NetFlow v9 or IPFIX.
 *
 * The module's life cycle, and nothing else: each step of mod_init()
 * needs the ones before it, each failure undoes exactly the steps that
 * succeeded, and mod_exit() is the same ladder backwards.  Each concern
 * has a unit of its own (README, "Layout").
 */

#include <linux/module.h>

#include "cache.h"
#include "ctflows.h"
#include "encoder.h"
#include "export.h"
#include "fields.h"
#include "hooks.h"
#include "ingress.h"
#include "ipt_NETFLOW.h"
#include "natevents.h"
#include "packet.h"
#include "proc.h"
#include "sampler.h"
#include "settings.h"
#include "socket.h"
#include "target.h"

/* What the exporter's encoder can hold, the cache splits flows at. */
static void mod_fit_cache(void)
{
	const struct nfl_encoder *ops = nfl_encoder_find(nfl_export_protocol());

	nfl_cache_set_split(ops->max_octets, ops->max_packets);
}

/* Capture at netfilter hooks, as hooks= and its companions say. */
static int __init mod_hooks_init(void)
{
	unsigned int mask;
	int prio;

	/* both were checked when they were stored */
	if (nfl_hooks_parse(nfl_hooks_spec, &mask) ||
	    nfl_hooks_parse_prio(nfl_hooks_prio_spec, &prio))
		return -EINVAL;
	nfl_hooks_set_mark(nfl_cfg.hooks_mark, nfl_cfg.hooks_mark_mask);
	return nfl_hooks_init(mask, prio);
}

/*
 * fields= and aggregation= for the packet path, the cache and the
 * templates, sampler= for the packet path and the records, snmp-rules=
 * for the exporter.
 */
static int __init mod_fields_init(void)
{
	struct nfl_sampler smp;
	struct nfl_aggr *aggr;
	unsigned int fields;
	const char *bad;
	size_t n;
	int err;

	/* checked when they were stored */
	if (nfl_fields_parse(nfl_fields_spec, &fields, &bad, &n) ||
	    nfl_sampler_parse(nfl_sampler_spec, &smp, &bad))
		return -EINVAL;
	if (smp.mode != NFL_SAMP_OFF) {
		nfl_sampler_set(&smp);
		nfl_export_set_sampler(&smp);
	}
	aggr = nfl_packet_aggr_make(nfl_aggr_spec);
	if (IS_ERR(aggr)) {
		pr_err("aggregation: cannot set its rules (%ld)\n",
		       PTR_ERR(aggr));
		return PTR_ERR(aggr);
	}
	if (aggr)
		fields |= NFL_FIELD_AGGR;
	err = nfl_cache_set_fields(fields);
	if (err) {
		pr_err("fields=%s: out of memory\n", nfl_fields_spec);
		nfl_packet_aggr_free(aggr);
		return err;
	}
	nfl_packet_aggr_set(aggr);
	nfl_export_set_fields(fields);
	/* and snmp-rules, checked as well */
	err = nfl_export_set_snmp(nfl_snmp_spec);
	if (err)
		pr_err("snmp-rules: out of memory\n");
	return err;
}

static int __init mod_init(void)
{
	int err;

	err = nfl_settings_check();
	if (err)
		return err;
	err = nfl_cache_init(nfl_cfg.hashsize);
	if (err)
		goto err_cache;
	err = nfl_dest_init(nfl_destination, nfl_cfg.sndbuf);
	if (err)
		goto err_dest;
	err = nfl_export_init(nfl_cfg.protocol);
	if (err)
		goto err_export;
	mod_fit_cache();
	nfl_cache_start();
	err = mod_fields_init();
	if (err)
		goto err_natevents_init;
	err = nfl_natevents_init();
	if (err)
		goto err_natevents_init;
	if (nfl_cfg.natevents) {
		err = nfl_natevents_enable();
		if (err) {
			pr_err("natevents=1: cannot hook conntrack events (%d)\n",
			       err);
			goto err_natevents;
		}
	}
	if (nfl_cfg.ctflows) {
		err = nfl_ctflows_enable();
		if (err) {
			pr_err("ctflows=1: cannot start connection records (%d)\n",
			       err);
			goto err_ctflows;
		}
	}
	err = nfl_proc_init();
	if (err)
		goto err_proc;
	err = nfl_target_init(nfl_cfg.targets);
	if (err)
		goto err_target;
	err = mod_hooks_init();
	if (err)
		goto err_hooks;
	err = nfl_ingress_init(nfl_ingress_spec, nfl_cfg.promisc);
	if (err)
		goto err_ingress;
	/*
	 * Last: from here on a write to a setting (sysctl, or /sys, which
	 * is there all along) applies it, and applying hooks=, ingress= or
	 * targets= registers hooks into this module's text.  Before, and
	 * once nfl_settings_uninit() has run, a write only stores.
	 */
	err = nfl_settings_init();
	if (err)
		goto err_settings;

	pr_info("version %s loaded, protocol %u, destination %s, hashsize %u\n",
		NETFLOW_VERSION, nfl_cfg.protocol, nfl_destination,
		nfl_cache_hashsize());
	return 0;

err_settings:
	nfl_ingress_uninit();
err_ingress:
	nfl_hooks_uninit();
err_hooks:
	nfl_target_uninit();
err_target:
	nfl_proc_uninit();
err_proc:
	nfl_ctflows_disable();
err_ctflows:
	nfl_natevents_disable();
err_natevents:
	nfl_natevents_uninit();
err_natevents_init:
	nfl_packet_aggr_set(NULL);
	nfl_cache_stop();
	nfl_export_uninit();
err_export:
	nfl_dest_uninit();
err_dest:
	nfl_cache_uninit();
err_cache:
	return err;
}

static void __exit mod_exit(void)
{
	/* First: a write now could register a hook again (see mod_init) */
	nfl_settings_uninit();
	nfl_ingress_uninit();
	nfl_hooks_uninit();
	nfl_target_uninit();
	nfl_proc_uninit();
	/*
	 * Live connections' records and events queued so far still go out
	 * with the exporter's last run.
	 */
	nfl_ctflows_disable();
	nfl_natevents_disable();
	nfl_natevents_uninit();
	/* no capture point is left to read the rules */
	nfl_packet_aggr_set(NULL);
	/* Every flow still held goes to the exporter, which sends it... */
	nfl_cache_stop();
	nfl_export_uninit();
	/* ...before the sockets close. */
	nfl_dest_uninit();
	nfl_cache_uninit();
	pr_info("unloaded\n");
}

module_init(mod_init);
module_exit(mod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NetFlow v5/v9 and IPFIX flow export from an xtables target");
MODULE_VERSION(NETFLOW_VERSION);
