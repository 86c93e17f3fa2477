// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipt_NETFLOW: UDP sockets to the collectors.
 *
 * Every destination gets its own connected kernel UDP socket and a copy of
 * every PDU.  The set is replaced as a whole when the destination
 * parameter is written, under nfl_dest_mutex, which the export worker also
 * holds while it sends: both run in process context, and a send never
 * waits for room in a socket (MSG_DONTWAIT), so holding the mutex across
 * a send is cheap.
 *
 * A collector that cannot be reached yet (no route, source address or
 * device not up, IPv6 disabled) is not a configuration error: the
 * destination stays in the set, unconnected, and the sender retries it at
 * most once per NFL_DEST_RETRY.  Retries ride on sends: until there is
 * something to send, nobody needs the collector connected.
 *
 * sndbuf is the byte limit of the socket's send queue, sk_sndbuf, exactly
 * as the sockN: line shows it: unlike setsockopt(SO_SNDBUF) it is not
 * doubled, and like SO_SNDBUFFORCE it is not capped by net.core.wmem_max,
 * because only an administrator can set it.  It is raised to the
 * kernel's minimum, SOCK_MIN_SNDBUF.  0 restores the system default.
 */
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "compat.h"
#include "destination.h"
#include "settings.h"
#include "socket.h"

#define NFL_DEST_RETRY		HZ
#define NFL_DEST_RETRY_NOFAMILY	(60 * HZ)

struct nfl_dest {
	struct nfl_dest_addr addr;
	struct socket *sock;		/* NULL while unconnected */
	unsigned int idx;		/* N of sockN: */
	int ifindex;			/* of addr.ifname when connected */
	int default_sndbuf;		/* what the kernel gave the socket */
	int wmem_peak;
	unsigned long next_connect;	/* jiffies */
	u64 connect_fail;
	u64 err_sndbuf;
	u64 err_cberr;
	u64 err_other;
	u64 pkts;
	u64 bytes;
	u64 lost_flows;
};

struct nfl_dest_set {
	unsigned int n;
	struct nfl_dest d[];
};

static DEFINE_MUTEX(nfl_dest_mutex);
static struct nfl_dest_set *nfl_dests;		/* nfl_dest_mutex */
const char nfl_dest_tag;

/* A send found a refusal of an earlier PDU; under nfl_dest_mutex. */
static bool nfl_dest_was_refused;

/* What nfl_dest_set_sndbuf() was last told; under nfl_dest_mutex. */
static int nfl_dest_sndbuf;
static unsigned int nfl_dests_n;			/* written under the mutex */

static int nfl_dest_addrlen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static void nfl_dest_apply_sndbuf(struct nfl_dest *d, int sndbuf)
{
	struct sock *sk = d->sock->sk;

	/* the sysctl layer refuses negative values; never trust that here */
	if (sndbuf < 0)
		return;

	lock_sock(sk);
	if (sndbuf) {
		sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		WRITE_ONCE(sk->sk_sndbuf, max_t(int, sndbuf, SOCK_MIN_SNDBUF));
	} else {
		sk->sk_userlocks &= ~SOCK_SNDBUF_LOCK;
		WRITE_ONCE(sk->sk_sndbuf, d->default_sndbuf);
	}
	sk->sk_write_space(sk);
	release_sock(sk);
}

static void nfl_dest_disconnect(struct nfl_dest *d)
{
	if (d->sock) {
		sock_release(d->sock);
		d->sock = NULL;
	}
}

/* Open, bind and connect @d's socket; on failure leave it unconnected. */
static int nfl_dest_connect(struct nfl_dest *d)
{
	const struct nfl_dest_addr *a = &d->addr;
	struct sockaddr_storage dst = a->dest;
	struct sockaddr_storage src = a->src;
	int family = dst.ss_family;
	struct net_device *dev;
	struct socket *sock;
	int ifindex = 0;
	int err;

	d->next_connect = jiffies + NFL_DEST_RETRY;

	if (a->ifname[0]) {
		rcu_read_lock();
		dev = dev_get_by_name_rcu(&init_net, a->ifname);
		if (dev)
			ifindex = dev->ifindex;
		rcu_read_unlock();
		if (!ifindex) {
			err = -ENODEV;
			goto fail;
		}
		/* read by the kernel only for scoped (link-local) addresses */
		if (family == AF_INET6) {
			((struct sockaddr_in6 *)&dst)->sin6_scope_id = ifindex;
			((struct sockaddr_in6 *)&src)->sin6_scope_id = ifindex;
		}
	}

	/*
	 * A kernel socket holds no reference on its netns; init_net is never
	 * torn down, so none is needed.  Nothing below takes the RTNL.
	 */
	err = sock_create_kern(&init_net, family, SOCK_DGRAM, IPPROTO_UDP,
			       &sock);
	if (err)
		goto fail;

	/* nothing is meant to arrive: keep what a stray sender can queue small */
	sock_set_rcvbuf(sock->sk, 0);

	if (ifindex) {
		err = sock_bindtoindex(sock->sk, ifindex, true);
		if (err)
			goto release;
	}
	if (src.ss_family != AF_UNSPEC) {
		err = kernel_bind(sock, (struct sockaddr *)&src,
				  nfl_dest_addrlen(&src));
		if (err)
			goto release;
	}
	err = kernel_connect(sock, (struct sockaddr *)&dst,
			     nfl_dest_addrlen(&dst), 0);
	if (err)
		goto release;

	/* tells the hooks our own PDUs from traffic (nfl_dest_own()) */
	rcu_assign_sk_user_data(sock->sk, (void *)&nfl_dest_tag);
	d->sock = sock;
	d->ifindex = ifindex;
	d->default_sndbuf = READ_ONCE(sock->sk->sk_sndbuf);
	nfl_dest_apply_sndbuf(d, nfl_dest_sndbuf);
	return 0;

release:
	sock_release(sock);
fail:
	/*
	 * No such family (ipv6.disable=1): every try runs modprobe for
	 * net-pf-10, so try far less often.
	 */
	if (err == -EAFNOSUPPORT)
		d->next_connect = jiffies + NFL_DEST_RETRY_NOFAMILY;
	d->connect_fail++;
	nfl_dbg(1, "sock%u: connect failed (%d), attempt %llu\n",
	       d->idx, err, d->connect_fail);
	return err;
}

/* The bound device went away and may come back under a new ifindex. */
static bool nfl_dest_dev_gone(const struct nfl_dest *d)
{
	struct net_device *dev;
	bool gone;

	if (!d->ifindex)
		return false;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(&init_net, d->ifindex);
	gone = !dev || strcmp(dev->name, d->addr.ifname);
	rcu_read_unlock();
	return gone;
}

static int nfl_dest_xmit(struct nfl_dest *d, const void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };

	return kernel_sendmsg(d->sock, &msg, &iov, 1, len);
}

/* Returns true if the PDU went out. */
static bool nfl_dest_send(struct nfl_dest *d, const void *buf, size_t len)
{
	int filled;
	int ret;

	if (!d->sock) {
		if (time_before(jiffies, d->next_connect))
			return false;
		if (nfl_dest_connect(d))
			return false;
		pr_info("sock%u: connected (%llu failed attempts so far)\n",
			d->idx, d->connect_fail);
	}

	ret = nfl_dest_xmit(d, buf, len);
	if (ret == -ECONNREFUSED) {
		/*
		 * An ICMP port unreachable for an earlier PDU, reported now.
		 * Reading it cleared sk_err and this PDU never left: send it
		 * again, so a collector that came back loses nothing.  It
		 * may know none of our templates: nfl_dest_refused() says so.
		 */
		d->err_cberr++;
		nfl_dest_was_refused = true;
		ret = nfl_dest_xmit(d, buf, len);
	}

	filled = sk_wmem_alloc_get(d->sock->sk);
	if (filled > d->wmem_peak)
		d->wmem_peak = filled;

	if (ret >= 0 && (size_t)ret == len) {
		d->pkts++;
		d->bytes += len;
		return true;
	}

	switch (ret) {
	case -EAGAIN:
	case -ENOBUFS:
		d->err_sndbuf++;
		break;
	case -ECONNREFUSED:
		d->err_cberr++;
		break;
	default:
		d->err_other++;
		if (nfl_dest_dev_gone(d)) {
			pr_info("sock%u: device %s went away, reconnecting\n",
				d->idx, d->addr.ifname);
			nfl_dest_disconnect(d);
			d->next_connect = jiffies;
		}
		break;
	}
	nfl_dbg(2, "sock%u: send failed (%d)\n", d->idx, ret);
	return false;
}

int nfl_dest_send_all(const void *buf, size_t len, unsigned int flows)
{
	struct nfl_dest_set *set;
	unsigned int i;
	int failed = 0;

	mutex_lock(&nfl_dest_mutex);
	set = nfl_dests;
	for (i = 0; set && i < set->n; i++) {
		struct nfl_dest *d = &set->d[i];

		if (nfl_dest_send(d, buf, len))
			continue;
		failed++;
		d->lost_flows += flows;
	}
	mutex_unlock(&nfl_dest_mutex);
	return failed;
}

static void nfl_dest_free(struct nfl_dest_set *set)
{
	unsigned int i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		nfl_dest_disconnect(&set->d[i]);
	kfree(set);
}

int nfl_dest_configure(const char *spec)
{
	struct nfl_dest_set *set, *old;
	struct nfl_dest_addr *addrs;
	unsigned int i;
	int n;

	addrs = kcalloc(NFL_DEST_MAX, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return -ENOMEM;
	n = nfl_dest_parse(spec, addrs, NFL_DEST_MAX);
	if (n < 0) {
		kfree(addrs);
		return -EINVAL;
	}
	set = kzalloc(struct_size(set, d, n), GFP_KERNEL);
	if (!set) {
		kfree(addrs);
		return -ENOMEM;
	}
	set->n = n;
	for (i = 0; i < set->n; i++) {
		set->d[i].idx = i;
		set->d[i].addr = addrs[i];
	}
	kfree(addrs);

	/*
	 * Connect under the mutex so that an nfl_dest_set_sndbuf() racing
	 * with us is applied to the new sockets too.
	 */
	mutex_lock(&nfl_dest_mutex);
	old = nfl_dests;
	nfl_dests = set;
	WRITE_ONCE(nfl_dests_n, set->n);
	for (i = 0; i < set->n; i++) {
		char name[NFL_DEST_STRLEN];
		int err = nfl_dest_connect(&set->d[i]);

		if (err) {
			nfl_dest_format(&set->d[i].addr, name, sizeof(name));
			pr_warn("sock%u: %s: cannot connect yet (%d), will retry\n",
				i, name, err);
		}
	}
	mutex_unlock(&nfl_dest_mutex);

	nfl_dest_free(old);
	return 0;
}

int nfl_dest_init(const char *spec, int sndbuf)
{
	int err;

	nfl_dest_set_sndbuf(sndbuf);
	err = nfl_dest_configure(spec);
	if (err)
		pr_err("destination=%s: cannot be set up (%d)\n", spec, err);
	return err;
}

void nfl_dest_uninit(void)
{
	struct nfl_dest_set *old;

	mutex_lock(&nfl_dest_mutex);
	old = nfl_dests;
	nfl_dests = NULL;
	WRITE_ONCE(nfl_dests_n, 0);
	mutex_unlock(&nfl_dest_mutex);

	nfl_dest_free(old);
}

void nfl_dest_set_sndbuf(int sndbuf)
{
	struct nfl_dest_set *set;
	unsigned int i;

	mutex_lock(&nfl_dest_mutex);
	nfl_dest_sndbuf = sndbuf;
	set = nfl_dests;
	for (i = 0; set && i < set->n; i++)
		if (set->d[i].sock)
			nfl_dest_apply_sndbuf(&set->d[i], sndbuf);
	mutex_unlock(&nfl_dest_mutex);
}

bool nfl_dest_refused(void)
{
	struct nfl_dest_set *set;
	bool refused;
	unsigned int i;

	mutex_lock(&nfl_dest_mutex);
	/* the ICMP error may have come after the last PDU was begun */
	refused = nfl_dest_was_refused;
	nfl_dest_was_refused = false;
	set = nfl_dests;
	for (i = 0; set && i < set->n; i++) {
		struct nfl_dest *d = &set->d[i];

		/* other errors are the send path's to report */
		if (!d->sock ||
		    READ_ONCE(d->sock->sk->sk_err) != ECONNREFUSED ||
		    !sock_error(d->sock->sk))
			continue;
		d->err_cberr++;
		refused = true;
	}
	mutex_unlock(&nfl_dest_mutex);
	return refused;
}

void nfl_dest_show(struct seq_file *m)
{
	struct nfl_dest_set *set;
	char name[NFL_DEST_STRLEN];
	unsigned int i;

	mutex_lock(&nfl_dest_mutex);
	set = nfl_dests;
	for (i = 0; set && i < set->n; i++) {
		const struct nfl_dest *d = &set->d[i];
		const struct sock *sk;

		nfl_dest_format(&d->addr, name, sizeof(name));
		if (!d->sock) {
			seq_printf(m, "sock%u: %s unconnected (%llu attempts).\n",
				   i, name, d->connect_fail);
			continue;
		}
		sk = d->sock->sk;
		seq_printf(m,
			   "sock%u: %s, sndbuf %d, filled %d, peak %d; err: sndbuf reached %llu, connect %llu, cberr %llu, other %llu; sent %llu pkt %llu bytes, lost %llu flows\n",
			   i, name, READ_ONCE(sk->sk_sndbuf),
			   sk_wmem_alloc_get(sk), d->wmem_peak,
			   d->err_sndbuf, d->connect_fail, d->err_cberr,
			   d->err_other, d->pkts, d->bytes, d->lost_flows);
	}
	mutex_unlock(&nfl_dest_mutex);
}

unsigned int nfl_dest_count(void)
{
	return READ_ONCE(nfl_dests_n);
}
