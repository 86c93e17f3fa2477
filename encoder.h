/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Encoders turn flows and NAT events into PDUs of one protocol
 * (netflow_v5.c, template.c with netflow_v9.c and ipfix.c).  They are
 * pure (no globals, no sockets, no locks) so KUnit can run them on UML;
 * export.c owns the buffer, the clock and the sending.
 */
#ifndef _IPT_NETFLOW_ENCODER_H
#define _IPT_NETFLOW_ENCODER_H

#include <linux/bits.h>
#include <linux/if.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/time64.h>
#include <linux/types.h>

#include "flow.h"

/*
 * One NAT translation event (natevents.c), IPv4 or IPv6 (NAT66).  Ports
 * are as conntrack keeps them; for ICMP and ICMPv6 the source port is the
 * echo id and the destination port type << 8 | code, as in flows.
 */
struct nfl_nat_event {
	struct nfl_nat_event *next;	/* the export queue; first, as in nfl_flow */
	u64 wall_ms;			/* CLOCK_REALTIME ms when conntrack told us */
	u32 jiffies;			/* the same instant, for v5's uptime */
	bool destroy;			/* false: create */
	bool ipv6;			/* the addresses are the *6 ones */
	u8 proto;
	__be16 pre_sport, pre_dport, post_sport, post_dport;
	union {
		struct {
			__be32 pre_saddr, pre_daddr, post_saddr, post_daddr;
		};
		struct {
			struct in6_addr pre_saddr6, pre_daddr6;
			struct in6_addr post_saddr6, post_daddr6;
		};
	};
};

/*
 * natEvent values (IANA IE 230).  IANA has session values for NAT44 (4/5)
 * and NAT64 (6/7) but none for NAT66, so IPv6 events always carry the
 * generic (historic) 1/2, whatever natevents_legacy says.
 */
#define NFL_NAT_EV_CREATE_OLD	1	/* historic: translation create */
#define NFL_NAT_EV_DELETE_OLD	2	/* historic: translation delete */
#define NFL_NAT_EV_CREATE	4	/* RFC 8158: NAT44 session create */
#define NFL_NAT_EV_DELETE	5	/* RFC 8158: NAT44 session delete */

/* The instant a PDU is begun, in each clock a protocol needs. */
struct nfl_export_time {
	u32 jiffies;			/* low 32 bits, as in nfl_flow */
	u32 uptime_ms;			/* ms since boot at @jiffies, wraps */
	struct timespec64 wall;		/* CLOCK_REALTIME at @jiffies */
	u64 boot_ms;			/* CLOCK_REALTIME ms at boot */
};

/*
 * @t for the instant of 64-bit jiffies @j64, when the wall clock read
 * @wall.  The boot time comes from the full uptime: the 32-bit one wraps
 * after 49.7 days.
 */
static inline void nfl_export_time_set(struct nfl_export_time *t, u64 j64,
				       const struct timespec64 *wall)
{
	u64 up = jiffies64_to_msecs(j64 - INITIAL_JIFFIES);

	t->jiffies = (u32)j64;
	t->uptime_ms = (u32)up;
	t->wall = *wall;
	t->boot_ms = (u64)wall->tv_sec * MSEC_PER_SEC +
		     wall->tv_nsec / NSEC_PER_MSEC - up;
}

/*
 * ms from jiffies stamp @j to @t.  A stamp after @t (a flow queued after
 * the PDU was begun) counts as 0 rather than as an age of ~49 days.
 */
static inline u32 nfl_time_age_ms(const struct nfl_export_time *t, u32 j)
{
	s32 d = (s32)(t->jiffies - j);

	return d > 0 ? jiffies_to_msecs(d) : 0;
}

/*
 * Options records (v9/IPFIX): what they tell comes from export.c, which
 * gathers it only before a PDU that carries them (ops->opt_due).
 */
#define NFL_IF_MAX		128	/* rows of the interface table */
#define NFL_DOMAIN_NAME_MAX	96

/* A row of the interface table: an interface of init_net. */
struct nfl_iface {
	u32 ifindex;
	char name[IFNAMSIZ];
	char desc[IFALIASZ];		/* ifalias, "" if none */
};

struct nfl_opt_input {
	char domain_name[NFL_DOMAIN_NAME_MAX];	/* "ipt_NETFLOW <ver> on <host>" */
	u64 observed_flows;		/* flows created since load */
	/* packets the cache did not meter (maxflows, no memory, cut short) */
	u64 ignored_packets, ignored_octets;
	/* flows metered but not sent to every collector, or skipped */
	u64 lost_flows, lost_packets, lost_octets;
	/* export.c's, sorted by ifindex, at least until the */
	const struct nfl_iface *ifaces;
	unsigned int n_ifaces;		/* next NFL_OPT_DUE_TEMPLATES */
};

/* ops->opt_due: what the next ops->begin writes besides flows */
#define NFL_OPT_DUE_STATS	BIT(0)	/* exporter, metering, reliability */
#define NFL_OPT_DUE_TEMPLATES	BIT(1)	/* templates; interface table anew */

/* One encoder instance: settings, stream state and the PDU being built. */
struct nfl_enc {
	const struct nfl_encoder *ops;
	void *priv;			/* ops->init's, e.g. template state */
	/* copied from nfl_cfg by export.c before each PDU */
	u32 engine_id;			/* v5 keeps the low 8 bits */
	unsigned int refresh_rate;	/* PDUs between template refreshes */
	unsigned int timeout_rate;	/* minutes between them, at most */
	bool nat_legacy;		/* natEvent 1/2 instead of RFC 8158's 4/5 */
	/* fields= (NFL_FIELD_*) of the templates; ops->set_fields applies it */
	unsigned int fields;
	/* templates due: set for a new stream and new collectors */
	bool resync;			/* ops->begin clears it */
	/* export.c: templates went out in a PDU with data of this stream */
	bool tpl_with_data;
	/*
	 * Kept across PDUs; ops->finish advances it.  v5: flows before this
	 * PDU, v9: PDUs before, IPFIX: data records before.
	 */
	u64 sequence;
	/* the open PDU */
	struct nfl_export_time t;	/* set by ops->begin */
	u8 *buf;
	size_t size;			/* room in @buf, never written past */
	size_t len;			/* bytes written */
	unsigned int records;		/* flow records in it */
	/* traffic of those records; export.c keeps it, for lost counts */
	u64 packets, octets;
	struct nfl_opt_input opt;	/* filled by export.c */
};

struct nfl_encoder {
	unsigned int protocol;		/* 5, 9 or 10, as in nfl_cfg */
	size_t pdu_size;		/* buffer export.c allocates */
	/*
	 * Largest counts a record holds: the cache exports a flow early
	 * rather than let them wrap.
	 */
	u64 max_octets;
	u32 max_packets;
	int (*init)(struct nfl_enc *e);		/* optional */
	void (*release)(struct nfl_enc *e);	/* optional */
	/*
	 * Optional: e->fields changed; new templates from the next PDU on.
	 * A flow is written as the templates say, whatever fields it has:
	 * what it lacks is zero, what they lack is left out.
	 */
	void (*set_fields)(struct nfl_enc *e);
	/* Start a PDU at @t (headers, templates due); resets len, records. */
	void (*begin)(struct nfl_enc *e, const struct nfl_export_time *t);
	/*
	 * 0: written.  -ENOSPC: PDU full, nothing written; export.c sends it
	 * and retries once in a fresh one.  -EAFNOSUPPORT: the protocol
	 * cannot carry @f; it is counted as skipped.
	 */
	int (*add)(struct nfl_enc *e, const struct nfl_flow *f);
	/* The same for one NAT event. */
	int (*add_nat)(struct nfl_enc *e, const struct nfl_nat_event *ev);
	/* Complete the header, advance e->sequence; bytes to send, 0: none. */
	size_t (*finish)(struct nfl_enc *e);
	/*
	 * Optional, both.  NFL_OPT_DUE_* that ops->begin at @t will write,
	 * so that export.c fills e->opt only then.
	 */
	unsigned int (*opt_due)(const struct nfl_enc *e,
				const struct nfl_export_time *t);
	/* ms from @t until a PDU is due even without flows; 0: now */
	u32 (*opt_wait)(const struct nfl_enc *e, const struct nfl_export_time *t);
};

extern const struct nfl_encoder nfl_v5_encoder;	/* netflow_v5.c */
extern const struct nfl_encoder nfl_v9_encoder;	/* netflow_v9.c */
extern const struct nfl_encoder nfl_ipfix_encoder;	/* ipfix.c */

#endif /* _IPT_NETFLOW_ENCODER_H */
