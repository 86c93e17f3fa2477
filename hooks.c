// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capture on netfilter hooks of init_net, without any rule.
 *
 * The maintained fork of the established module has this as hooks=, a
 * bitmask read at load.  Here it is a setting like any other: a write
 * registers the hooks that were added and unregisters those that were
 * taken away, so the hooks kept meter on without a gap.  Both families
 * are hooked; protocol 5 cannot carry IPv6 flows and counts them as
 * skipped at export, as it does for ip6tables rules.
 *
 * The default priority is last (INT_MAX): every rule has run, so marks
 * rules set are seen, and NAT has happened at PREROUTING and POSTROUTING.
 * "first" (INT_MIN) meters before anything can drop the packet.
 *
 * Only init_net is hooked, so only the host's traffic is metered: the
 * isolation of the target (target.c) holds with nothing to check.
 */

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <net/net_namespace.h>

#include "hooks.h"
#include "packet.h"

DEFINE_PER_CPU(struct nfl_hook_count, nfl_hook_counts);
u64 nfl_hooks_mark_word __read_mostly;

static const char *const nfl_hook_names[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "prerouting",
	[NF_INET_LOCAL_IN] = "input",
	[NF_INET_FORWARD] = "forward",
	[NF_INET_LOCAL_OUT] = "output",
	[NF_INET_POST_ROUTING] = "postrouting",
};

#define NFL_HOOKS_ALL	((1U << NF_INET_NUMHOOKS) - 1)

/* [0] IPv4, [1] IPv6; registered as nfl_hooks_on says */
static struct nf_hook_ops nfl_ops[2][NF_INET_NUMHOOKS];
static unsigned int nfl_hooks_on;
static int nfl_hooks_prio = INT_MAX;

static int nfl_hook_by_name(const char *s, size_t len)
{
	int h;

	for (h = 0; h < NF_INET_NUMHOOKS; h++)
		if (strlen(nfl_hook_names[h]) == len &&
		    !strncmp(nfl_hook_names[h], s, len))
			return h;
	return -1;
}

int nfl_hooks_parse(const char *s, unsigned int *mask)
{
	unsigned int m = 0;
	const char *e;
	int h;

	if (isdigit(*s))
		return kstrtouint(s, 10, mask) || *mask > NFL_HOOKS_ALL ?
		       -EINVAL : 0;
	while (*s) {
		e = strchrnul(s, ',');
		h = nfl_hook_by_name(s, e - s);
		/* "prerouting," names an empty last hook: no hook */
		if (h < 0 || (*e && !e[1]))
			return -EINVAL;
		m |= 1U << h;
		s = *e ? e + 1 : e;
	}
	*mask = m;
	return 0;
}

int nfl_hooks_parse_prio(const char *s, int *prio)
{
	if (!strcmp(s, "first"))
		*prio = INT_MIN;
	else if (!strcmp(s, "last"))
		*prio = INT_MAX;
	else if (kstrtoint(s, 10, prio))
		return -EINVAL;
	return 0;
}

static void nfl_ops_fill(unsigned int h, int prio)
{
	static const u8 pf[2] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	int f;

	for (f = 0; f < 2; f++) {
		nfl_ops[f][h] = (struct nf_hook_ops){
			.hook = f ? nfl_hook_ipv6 : nfl_hook_ipv4,
			.pf = pf[f],
			.hooknum = h,
			.priority = prio,
		};
	}
}

static void nfl_hook_del(unsigned int h)
{
	nf_unregister_net_hook(&init_net, &nfl_ops[1][h]);
	nf_unregister_net_hook(&init_net, &nfl_ops[0][h]);
}

static int nfl_hook_add(unsigned int h, int prio)
{
	int err;

	nfl_ops_fill(h, prio);
	err = nf_register_net_hook(&init_net, &nfl_ops[0][h]);
	if (err)
		return err;
	err = nf_register_net_hook(&init_net, &nfl_ops[1][h]);
	if (err)
		nf_unregister_net_hook(&init_net, &nfl_ops[0][h]);
	return err;
}

/* Unregister the hooks of @mask that are on. */
static void nfl_hooks_del(unsigned int mask)
{
	unsigned int h;

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(mask & nfl_hooks_on & (1U << h)))
			continue;
		nfl_hook_del(h);
		nfl_hooks_on &= ~(1U << h);
	}
}

/* Register the hooks of @mask that are off, all or none. */
static int nfl_hooks_add(unsigned int mask, int prio)
{
	unsigned int h, added = 0;
	int err;

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(mask & ~nfl_hooks_on & (1U << h)))
			continue;
		err = nfl_hook_add(h, prio);
		if (err) {
			nfl_hooks_del(added);
			return err;
		}
		nfl_hooks_on |= 1U << h;
		added |= 1U << h;
	}
	return 0;
}

int nfl_hooks_set(unsigned int mask, int prio)
{
	unsigned int old = nfl_hooks_on;
	int err;

	if (prio != nfl_hooks_prio) {
		nfl_hooks_del(NFL_HOOKS_ALL);
		err = nfl_hooks_add(mask, prio);
		if (!err) {
			nfl_hooks_prio = prio;
			return 0;
		}
		/* put back what was there, as it was */
		if (nfl_hooks_add(old, nfl_hooks_prio))
			pr_err("hooks: could not restore the hooks in force\n");
		return err;
	}
	err = nfl_hooks_add(mask, prio);
	if (!err)
		nfl_hooks_del(old & ~mask);
	return err;
}

void nfl_hooks_set_mark(u32 mark, u32 mask)
{
	union nfl_hooks_mark m = { .mark = mark, .mask = mask };

	WRITE_ONCE(nfl_hooks_mark_word, m.word);
}

int nfl_hooks_init(unsigned int mask, int prio)
{
	int err;

	nfl_hooks_prio = prio;
	err = nfl_hooks_add(mask, prio);
	if (err)
		pr_err("hooks: cannot register netfilter hooks (%d)\n", err);
	return err;
}

void nfl_hooks_uninit(void)
{
	/* each unregister waits for packets inside the hook */
	nfl_hooks_del(NFL_HOOKS_ALL);
}

static u64 nfl_hook_sum(int f, unsigned int h)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu_ptr(&nfl_hook_counts, cpu)->pkts[f][h];
	return n;
}

u64 nfl_hooks_packets(void)
{
	unsigned int h;
	u64 n = 0;

	for (h = 0; h < NF_INET_NUMHOOKS; h++)
		n += nfl_hook_sum(0, h) + nfl_hook_sum(1, h);
	return n;
}

void nfl_hooks_show(struct seq_file *m)
{
	unsigned int h, on = READ_ONCE(nfl_hooks_on);

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(on & (1U << h)))
			continue;
		seq_printf(m, "Capture: hook %s priority %d, IPv4 %llu pkt, IPv6 %llu pkt.\n",
			   nfl_hook_names[h], READ_ONCE(nfl_hooks_prio),
			   nfl_hook_sum(0, h), nfl_hook_sum(1, h));
	}
}
