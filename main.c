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
#include "encoder.h"
#include "export.h"
#include "ipt_NETFLOW.h"
#include "natevents.h"
#include "proc.h"
#include "settings.h"
#include "socket.h"
#include "target.h"

/* What the exporter's encoder can hold, the cache splits flows at. */
static void mod_fit_cache(void)
{
	const struct nf_encoder *ops = nf_encoder_find(nf_export_protocol());

	nf_cache_set_split(ops->max_octets, ops->max_packets);
}

static int __init mod_init(void)
{
	int err;

	err = nf_settings_check();
	if (err)
		return err;
	err = nf_cache_init(nf_cfg.hashsize);
	if (err)
		goto err_cache;
	err = nf_dest_init(nf_destination, nf_cfg.sndbuf);
	if (err)
		goto err_dest;
	err = nf_export_init(nf_cfg.protocol);
	if (err)
		goto err_export;
	mod_fit_cache();
	nf_cache_start();
	if (nf_cfg.natevents) {
		err = nf_natevents_enable();
		if (err) {
			pr_err("natevents=1: cannot hook conntrack events (%d)\n",
			       err);
			goto err_natevents;
		}
	}
	err = nf_settings_init();
	if (err)
		goto err_settings;
	err = nf_proc_init();
	if (err)
		goto err_proc;
	err = nf_target_init();
	if (err)
		goto err_target;

	pr_info("version %s loaded, protocol %u, destination %s, hashsize %u\n",
		NETFLOW_VERSION, nf_cfg.protocol, nf_destination,
		nf_cache_hashsize());
	return 0;

err_target:
	nf_proc_uninit();
err_proc:
	nf_settings_uninit();
err_settings:
	nf_natevents_disable();
err_natevents:
	nf_cache_stop();
	nf_export_uninit();
err_export:
	nf_dest_uninit();
err_dest:
	nf_cache_uninit();
err_cache:
	return err;
}

static void __exit mod_exit(void)
{
	nf_target_uninit();
	nf_proc_uninit();
	nf_settings_uninit();
	/* Events queued so far still go out with the exporter's last run. */
	nf_natevents_disable();
	/* Every flow still held goes to the exporter, which sends it... */
	nf_cache_stop();
	nf_export_uninit();
	/* ...before the sockets close. */
	nf_dest_uninit();
	nf_cache_uninit();
	pr_info("unloaded\n");
}

module_init(mod_init);
module_exit(mod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NetFlow v5/v9 and IPFIX flow export from an xtables target");
MODULE_VERSION(NETFLOW_VERSION);
