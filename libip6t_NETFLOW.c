// SPDX-License-Identifier: GPL-2.0-only
/* ip6tables extension for the NETFLOW target: the IPv4 one, for IPv6. */
#define NETFLOW_FAMILY NFPROTO_IPV6
#include "libipt_NETFLOW.c"
