// SPDX-License-Identifier: GPL-2.0-only
/*
 * iptables extension for the NETFLOW target (IPv4); libip6t_NETFLOW.c
 * builds the IPv6 one from this file.
 *
 * The target takes no options: everything is configured through module
 * parameters and net.netflow.* sysctls.  iptables needs this plugin to
 * know the target exists and how big its (empty) data is.
 */
#include <stdio.h>
#include <xtables.h>

#include "ipt_NETFLOW.h"

#ifndef NETFLOW_FAMILY
#define NETFLOW_FAMILY NFPROTO_IPV4
#endif

static void netflow_help(void)
{
	printf("NETFLOW target takes no options.\n"
	       "It accounts the packet to a flow and lets it continue.\n"
	       "Settings: modinfo ipt_NETFLOW, sysctl net.netflow;\n"
	       "statistics: /proc/net/stat/ipt_netflow.\n"
	       "Manual: ipt_NETFLOW(8), iptables-netflow(8).\n");
}

static struct xtables_target netflow_tg_reg = {
	.version	= XTABLES_VERSION,
	.name		= NETFLOW_TARGET,
	.revision	= 0,
	.family		= NETFLOW_FAMILY,
	.size		= XT_ALIGN(0),
	.userspacesize	= XT_ALIGN(0),
	.help		= netflow_help,
};

void _init(void)
{
	xtables_register_target(&netflow_tg_reg);
}
