/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The collectors (socket.c): one connected kernel UDP socket each, in
 * init_net.  socket.c keeps the socket settings it applies (sndbuf).
 */
#ifndef _IPT_NETFLOW_SOCKET_H
#define _IPT_NETFLOW_SOCKET_H

#include <linux/types.h>
#include <net/sock.h>

struct seq_file;

/*
 * The sk_user_data of every collector socket: the hooks leave the
 * module's own PDUs unmetered, or an output hook would meter the export
 * and export that in turn.
 */
extern const char nfl_dest_tag;

static inline bool nfl_dest_own(const struct sock *sk)
{
	return rcu_access_pointer(sk->sk_user_data) == &nfl_dest_tag;
}

/* Open the collectors of @spec with send buffers of @sndbuf bytes. */
int nfl_dest_init(const char *spec, int sndbuf);
/* Close every collector; nothing is sent after it. */
void nfl_dest_uninit(void);
/*
 * Parse @spec (destination.h), open and connect one UDP socket per item
 * and swap the set in.  -EINVAL on a bad spec, -ENOMEM: nothing changed.
 * A collector that cannot be reached yet is kept and retried.  Process
 * context.
 */
int nfl_dest_configure(const char *spec);
/*
 * Send one PDU carrying @flows records to every destination.  Returns the
 * number of destinations that failed; never blocks.  Process context.
 */
int nfl_dest_send_all(const void *buf, size_t len, unsigned int flows);
/* Every socket's, now and of those opened later; 0 = system default. */
void nfl_dest_set_sndbuf(int sndbuf);
/*
 * True if a collector refused a PDU (ICMP port unreachable) since the
 * last call: it may have just (re)started and know none of our
 * templates.  Reading the error clears it (counted as cberr).  Process
 * context.
 */
bool nfl_dest_refused(void);
void nfl_dest_show(struct seq_file *m);	/* sockN: lines */
unsigned int nfl_dest_count(void);	/* lockless, any context */

#endif /* _IPT_NETFLOW_SOCKET_H */
