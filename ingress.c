// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capture at the netdev ingress hook of chosen devices of init_net.
 *
 * Why here: an nftables flowtable forwards an established connection's
 * packets from the ingress hook straight to the output device, past
 * prerouting, forward and postrouting, where rules and hooks.c meter; and
 * frames for other hosts (a mirror or SPAN port) are dropped before any
 * IP hook.  The ingress hook sees both.
 *
 * Ahead of a flowtable: our hook is registered at INT_MIN, the lowest
 * netfilter priority, so it runs before a flowtable on the same device at
 * any other priority.  nft lets a flowtable take INT_MIN too; of two hooks
 * at one priority the one registered first runs first.
 *
 * Devices are followed by a netdevice notifier: one listed that appears
 * later (or is renamed to a listed name) is hooked then; one that goes
 * away, leaves init_net or is renamed off the list is unhooked before it
 * goes.  A listed name that does not exist yet is no error.  Everything
 * here is under the RTNL, which the notifier holds already.
 */

#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/net_namespace.h>

#include "ingress.h"
#include "packet.h"
#include "settings.h"

/* Device names ingress= may list. */
#define NFL_INGRESS_MAX		32

/* A hooked device. */
struct nfl_idev {
	struct list_head list;
	struct net_device *dev;
	netdevice_tracker tracker;
	struct nf_hook_ops ops;
	u64 __percpu *pkts;		/* the hook's priv */
	bool promisc;			/* we raised its promiscuity */
};

/* Under the RTNL. */
static LIST_HEAD(nfl_idevs);
static char nfl_names[NFL_INGRESS_MAX][IFNAMSIZ];
static unsigned int nfl_n_names;
static bool nfl_all;			/* "*" */
static bool nfl_promisc;
static bool nfl_notifier_on;

/* Split @s into @names; the count, or -EINVAL. */
static int nfl_ingress_split(const char *s, char names[][IFNAMSIZ],
			     bool *all)
{
	unsigned int n = 0;
	const char *e;
	size_t len;

	*all = false;
	while (*s) {
		e = strchrnul(s, ',');
		len = e - s;
		if (len == 1 && *s == '*') {
			*all = true;
		} else {
			if (!len || len >= IFNAMSIZ || n == NFL_INGRESS_MAX ||
			    memchr(s, '/', len) || memchr(s, ' ', len))
				return -EINVAL;
			memcpy(names[n], s, len);
			names[n][len] = '\0';
			n++;
		}
		/* "eth0," names an empty last device: no device */
		if (*e && !e[1])
			return -EINVAL;
		s = *e ? e + 1 : e;
	}
	return n;
}

int nfl_ingress_parse(const char *s)
{
	char (*names)[IFNAMSIZ];
	bool all;
	int n;

	names = kcalloc(NFL_INGRESS_MAX, IFNAMSIZ, GFP_KERNEL);
	if (!names)
		return -ENOMEM;
	n = nfl_ingress_split(s, names, &all);
	kfree(names);
	return n < 0 ? n : 0;
}

static bool nfl_wanted(const struct net_device *dev)
{
	unsigned int i;

	if (!net_eq(dev_net(dev), &init_net))
		return false;
	if (nfl_all)
		return !(dev->flags & IFF_LOOPBACK);
	for (i = 0; i < nfl_n_names; i++)
		if (!strcmp(nfl_names[i], dev->name))
			return true;
	return false;
}

static struct nfl_idev *nfl_idev_find(const struct net_device *dev)
{
	struct nfl_idev *d;

	list_for_each_entry(d, &nfl_idevs, list)
		if (d->dev == dev)
			return d;
	return NULL;
}

static void nfl_idev_promisc(struct nfl_idev *d, bool on)
{
	if (d->promisc == on)
		return;
	if (!dev_set_promiscuity(d->dev, on ? 1 : -1))
		d->promisc = on;
}

/* Hook @dev and put it on @list. */
static int nfl_idev_add(struct net_device *dev, struct list_head *list)
{
	struct nfl_idev *d;
	int err;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->pkts = alloc_percpu(u64);
	if (!d->pkts) {
		kfree(d);
		return -ENOMEM;
	}
	d->dev = dev;
	d->ops = (struct nf_hook_ops){
		.hook = nfl_hook_ingress,
		.priv = d->pkts,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_INGRESS,
		.priority = INT_MIN,
		.dev = dev,
	};
	err = nf_register_net_hook(&init_net, &d->ops);
	if (err) {
		free_percpu(d->pkts);
		kfree(d);
		pr_warn_ratelimited("ingress: cannot hook %s (%d)\n",
				    dev->name, err);
		return err;
	}
	netdev_hold(dev, &d->tracker, GFP_KERNEL);
	list_add_tail(&d->list, list);
	nfl_idev_promisc(d, nfl_promisc);
	return 0;
}

/* Unhook @d; the caller frees it after a synchronize_net(). */
static void nfl_idev_del(struct nfl_idev *d)
{
	nfl_idev_promisc(d, false);
	nf_unregister_net_hook(&init_net, &d->ops);
	list_del(&d->list);
}

static void nfl_idev_free(struct nfl_idev *d)
{
	netdev_put(d->dev, &d->tracker);
	free_percpu(d->pkts);
	kfree(d);
}

/*
 * Hook what is wanted and not hooked, unhook the reverse.  All or
 * nothing: if a device cannot be hooked, those hooked here are unhooked
 * again and the rest is left as it was.
 */
static int nfl_ingress_sync(void)
{
	struct nfl_idev *d, *tmp;
	struct net_device *dev;
	LIST_HEAD(added);
	LIST_HEAD(gone);
	int err = 0;

	ASSERT_RTNL();
	for_each_netdev(&init_net, dev) {
		if (!nfl_wanted(dev) || nfl_idev_find(dev))
			continue;
		err = nfl_idev_add(dev, &added);
		if (err)
			break;
	}
	if (err) {
		list_for_each_entry_safe(d, tmp, &added, list) {
			nfl_idev_del(d);
			list_add(&d->list, &gone);
		}
	} else {
		list_splice_tail(&added, &nfl_idevs);
		list_for_each_entry_safe(d, tmp, &nfl_idevs, list) {
			if (nfl_wanted(d->dev)) {
				nfl_idev_promisc(d, nfl_promisc);
				continue;
			}
			nfl_idev_del(d);
			list_add(&d->list, &gone);
		}
	}
	if (!list_empty(&gone)) {
		/* packets inside the hook may still count into @pkts */
		synchronize_net();
		list_for_each_entry_safe(d, tmp, &gone, list)
			nfl_idev_free(d);
	}
	return err;
}

static int nfl_ingress_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct nfl_idev *d = nfl_idev_find(dev);

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_CHANGENAME:
		if (!d && nfl_wanted(dev))
			nfl_idev_add(dev, &nfl_idevs);
		else if (d && !nfl_wanted(dev))
			goto unhook;
		break;
	case NETDEV_UNREGISTER:
		/* going away, or leaving for another namespace */
		if (d)
			goto unhook;
		break;
	}
	return NOTIFY_DONE;
unhook:
	nfl_idev_del(d);
	synchronize_net();
	nfl_idev_free(d);
	return NOTIFY_DONE;
}

static struct notifier_block nfl_ingress_nb = {
	.notifier_call = nfl_ingress_event,
};

/* On failure (no memory to hook a device) the old list stays in force. */
int nfl_ingress_set(const char *spec, bool promisc)
{
	char (*names)[IFNAMSIZ];	/* the new list, then the old one */
	bool all, old_all, old_promisc;
	unsigned int old_n;
	int n, err;

	names = kcalloc(2 * NFL_INGRESS_MAX, IFNAMSIZ, GFP_KERNEL);
	if (!names)
		return -ENOMEM;
	n = nfl_ingress_split(spec, names, &all);
	if (n < 0) {
		kfree(names);
		return n;
	}
	rtnl_lock();
	memcpy(names + NFL_INGRESS_MAX, nfl_names, sizeof(nfl_names));
	old_n = nfl_n_names;
	old_all = nfl_all;
	old_promisc = nfl_promisc;
	memcpy(nfl_names, names, sizeof(nfl_names));
	nfl_n_names = n;
	nfl_all = all;
	nfl_promisc = promisc;
	err = nfl_ingress_sync();
	if (err) {
		memcpy(nfl_names, names + NFL_INGRESS_MAX, sizeof(nfl_names));
		nfl_n_names = old_n;
		nfl_all = old_all;
		nfl_promisc = old_promisc;
	}
	rtnl_unlock();
	kfree(names);
	return err;
}

int nfl_ingress_init(const char *spec, bool promisc)
{
	int err;

	/* calls back for every device there is: none is wanted yet */
	err = register_netdevice_notifier(&nfl_ingress_nb);
	if (err)
		return err;
	nfl_notifier_on = true;
	err = nfl_ingress_set(spec, promisc);
	if (err) {
		pr_err("ingress=%s: cannot hook every device (%d)\n", spec, err);
		nfl_ingress_uninit();
	}
	return err;
}

void nfl_ingress_uninit(void)
{
	if (nfl_notifier_on)
		unregister_netdevice_notifier(&nfl_ingress_nb);
	nfl_notifier_on = false;
	rtnl_lock();
	nfl_n_names = 0;
	nfl_all = false;
	nfl_ingress_sync();
	rtnl_unlock();
}

void nfl_ingress_show(struct seq_file *m)
{
	struct nfl_idev *d;
	u64 n;
	int cpu;

	rtnl_lock();
	list_for_each_entry(d, &nfl_idevs, list) {
		n = 0;
		for_each_possible_cpu(cpu)
			n += *per_cpu_ptr(d->pkts, cpu);
		seq_printf(m, "Capture: ingress %s%s, %llu pkt.\n",
			   d->dev->name, d->promisc ? " promisc" : "", n);
	}
	rtnl_unlock();
}
