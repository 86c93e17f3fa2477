// SPDX-License-Identifier: GPL-2.0-only
/*
 * The xtables target NETFLOW, for iptables and ip6tables (and nft_compat):
 * where a rule sends packets to be metered.  It checks where a rule may
 * go; packet.c does the metering.
 */

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/net_namespace.h>

#include "ipt_NETFLOW.h"
#include "packet.h"
#include "settings.h"
#include "target.h"

static int netflow_tg_check(const struct xt_tgchk_param *par)
{
	/*
	 * Flows go to the host's cache and collectors.  ip(6)tables and
	 * nft_compat ask only for CAP_NET_ADMIN in the rule's own user
	 * namespace, which `unshare -Urn` gives any user: without this,
	 * anyone could feed the operator's export and fill maxflows.
	 */
	if (!net_eq(par->net, &init_net) && !capable(CAP_NET_ADMIN)) {
		pr_warn_ratelimited("refused a NETFLOW rule in a network namespace other than the host's: that takes CAP_NET_ADMIN in the initial user namespace\n");
		return -EPERM;
	}
	/* nat sees only the first packet of a connection: counts would lie. */
	if (!strcmp(par->table, "nat")) {
		pr_err("the NETFLOW target cannot be used in the nat table\n");
		return -EINVAL;
	}
	if (par->family == NFPROTO_IPV6 && READ_ONCE(nfl_cfg.protocol) == 5) {
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
		.target		= nfl_packet_ipv4,
		.targetsize	= 0,
		.checkentry	= netflow_tg_check,
		.hooks		= NETFLOW_HOOKS,
		.me		= THIS_MODULE,
	},
	{
		.name		= NETFLOW_TARGET,
		.revision	= 0,
		.family		= NFPROTO_IPV6,
		.target		= nfl_packet_ipv6,
		.targetsize	= 0,
		.checkentry	= netflow_tg_check,
		.hooks		= NETFLOW_HOOKS,
		.me		= THIS_MODULE,
	},
};

static bool nfl_target_on;

/*
 * Register the target (@on) or take it away.  Rules made before stay and
 * meter on (each holds the module); without the target iptables cannot
 * make new ones.  Serialised by the caller.
 */
int nfl_target_set(bool on)
{
	int err;

	if (on == nfl_target_on)
		return 0;
	if (!on) {
		xt_unregister_targets(netflow_tg_reg,
				      ARRAY_SIZE(netflow_tg_reg));
		nfl_target_on = false;
		return 0;
	}
	err = xt_register_targets(netflow_tg_reg, ARRAY_SIZE(netflow_tg_reg));
	if (err)
		pr_err("cannot register the NETFLOW target (%d)\n", err);
	else
		nfl_target_on = true;
	return err;
}

bool nfl_target_registered(void)
{
	return READ_ONCE(nfl_target_on);
}

int nfl_target_init(bool on)
{
	return nfl_target_set(on);
}

void nfl_target_uninit(void)
{
	nfl_target_set(false);
	/* No rule can reach us now; let packets in flight finish. */
	synchronize_net();
}

MODULE_ALIAS("ip6t_" NETFLOW_TARGET);
MODULE_ALIAS("ipt_" NETFLOW_TARGET);
