// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipt_NETFLOW: meter IP flows at an xtables hook and export them as
 * NetFlow v5, NetFlow v9 or IPFIX.
 *
 * This unit holds the target itself and the module's life cycle; each
 * other concern has a file of its own (see Kbuild).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/net_namespace.h>

#include "ipt_NETFLOW.h"

static int netflow_tg_check(const struct xt_tgchk_param *par)
{
	/* nat sees only the first packet of a connection: counts would lie. */
	if (!strcmp(par->table, "nat")) {
		pr_err("the NETFLOW target cannot be used in the nat table\n");
		return -EINVAL;
	}
	if (par->family == NFPROTO_IPV6 && READ_ONCE(nf_cfg.protocol) == 5) {
		pr_err("NetFlow v5 cannot carry IPv6 flows: set protocol to 9 or 10 before adding ip6tables rules\n");
		return -EINVAL;
	}
	return 0;
}

#define NETFLOW_HOOKS ((1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_IN) | \
		       (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT) | \
		       (1 << NF_INET_POST_ROUTING))

static struct xt_target netflow_tg_reg[] __read_mostly = {
	{
		.name		= NETFLOW_TARGET,
		.revision	= 0,
		.family		= NFPROTO_IPV4,
		.target		= nf_packet_ipv4,
		.targetsize	= 0,
		.checkentry	= netflow_tg_check,
		.hooks		= NETFLOW_HOOKS,
		.me		= THIS_MODULE,
	},
	{
		.name		= NETFLOW_TARGET,
		.revision	= 0,
		.family		= NFPROTO_IPV6,
		.target		= nf_packet_ipv6,
		.targetsize	= 0,
		.checkentry	= netflow_tg_check,
		.hooks		= NETFLOW_HOOKS,
		.me		= THIS_MODULE,
	},
};

static int __init netflow_init(void)
{
	int err;

	err = nf_cache_init();
	if (err)
		goto err_cache;
	err = nf_export_init();
	if (err)
		goto err_export;
	err = nf_settings_apply_initial();
	if (err)
		goto err_settings;
	err = nf_sysctl_init();
	if (err)
		goto err_settings;
	err = nf_proc_init();
	if (err)
		goto err_proc;
	err = xt_register_targets(netflow_tg_reg, ARRAY_SIZE(netflow_tg_reg));
	if (err)
		goto err_target;

	pr_info("version %s loaded, protocol %u, destination %s, hashsize %u\n",
		NETFLOW_VERSION, nf_cfg.protocol, nf_destination,
		nf_cache_hashsize());
	return 0;

err_target:
	nf_proc_exit();
err_proc:
	nf_sysctl_exit();
err_settings:
	nf_dest_release_all();
	nf_cache_exit();
	nf_export_exit();
	nf_natevents_exit();
err_export:
	nf_cache_destroy();
err_cache:
	return err;
}

static void __exit netflow_exit(void)
{
	xt_unregister_targets(netflow_tg_reg, ARRAY_SIZE(netflow_tg_reg));
	/* No rule can reach us now; let in-flight packets finish. */
	synchronize_net();
	nf_proc_exit();
	nf_sysctl_exit();
	/* Export what is still in memory before the sockets go. */
	nf_cache_exit();
	nf_export_exit();
	nf_natevents_exit();
	nf_dest_release_all();
	nf_cache_destroy();
	pr_info("unloaded\n");
}

module_init(netflow_init);
module_exit(netflow_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NetFlow v5/v9 and IPFIX flow export from an xtables target");
MODULE_VERSION(NETFLOW_VERSION);
MODULE_ALIAS("ip6t_" NETFLOW_TARGET);
MODULE_ALIAS("ipt_" NETFLOW_TARGET);
