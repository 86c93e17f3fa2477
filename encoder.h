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
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <linux/types.h>

#include "flow.h"
#include "netflow_ie.h"
#include "sampler.h"

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
 * One record of a conntrack connection (ctflows.c): what conntrack
 * counted in [start_ms, end_ms] in each direction.  dir[0] is the
 * original direction, dir[1] the reply, each with the addresses and
 * ports its packets had when they came in (conntrack's two tuples), so
 * the other side's are what NAT made of them.  Ports as in flows and NAT
 * events: ICMP's source port is the echo id, its destination port
 * type << 8 | code.
 */
struct nfl_ct_side {
	union {
		struct {
			__be32 saddr, daddr;
		};
		struct {
			struct in6_addr saddr6, daddr6;
		};
	};
	__be16 sport, dport;
	u64 packets, bytes;
};

struct nfl_ct_record {
	struct nfl_ct_record *next;	/* the export queue; first, as in nfl_flow */
	u64 start_ms, end_ms;		/* CLOCK_REALTIME ms */
	struct nfl_ct_side dir[2];	/* IP_CT_DIR_ORIGINAL, IP_CT_DIR_REPLY */
	bool ipv6;			/* the addresses are the *6 ones */
	bool nat;			/* translated: post-NAT fields go out */
	u8 proto;
	u8 end_reason;			/* flowEndReason, NFL_END_* */
	u8 biflow_dir;			/* biflowDirection of dir[0], NFL_BIFLOW_* */
};

static inline bool nfl_ct_icmp(const struct nfl_ct_record *r)
{
	return r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6;
}

/*
 * Ports of direction @d after NAT: the other direction's, swapped.  ICMP
 * keeps its type and code; NAT may change its id, which the other
 * direction holds in its source port too.
 */
static inline __be16 nfl_ct_post_sport(const struct nfl_ct_record *r,
				       unsigned int d)
{
	return nfl_ct_icmp(r) ? r->dir[!d].sport : r->dir[!d].dport;
}

static inline __be16 nfl_ct_post_dport(const struct nfl_ct_record *r,
				       unsigned int d)
{
	return nfl_ct_icmp(r) ? r->dir[d].dport : r->dir[!d].sport;
}

/*
 * The directions a protocol without biflows sends as records of their
 * own (bit 0: original, bit 1: reply): each that counted packets in the
 * record's interval.  None for a record of no traffic, which only a
 * biflow (the end of a connection whose traffic went out in interim
 * records) has a use for.
 */
static inline unsigned int nfl_ct_uni_dirs(const struct nfl_ct_record *r)
{
	return (r->dir[0].packets ? 1 : 0) | (r->dir[1].packets ? 2 : 0);
}

static inline u64 nfl_ct_count_pieces(u64 v, u64 max)
{
	return v ? div64_u64(v - 1, max) + 1 : 1;
}

/*
 * Records @r needs so that no count passes @max_octets or @max_packets
 * (an encoder's, nfl_encoder): 1 unless v5's 32 bits are too few.
 */
static inline u64 nfl_ct_pieces(const struct nfl_ct_record *r,
				u64 max_octets, u64 max_packets)
{
	u64 k = 1;
	unsigned int d;

	for (d = 0; d < 2; d++) {
		k = max(k, nfl_ct_count_pieces(r->dir[d].bytes, max_octets));
		k = max(k, nfl_ct_count_pieces(r->dir[d].packets, max_packets));
	}
	return k;
}

/*
 * Piece @i of @k of @r into @piece (a copy of @r, or @r itself as the
 * last): its share of every count; the @k add up to @r's.
 */
static inline void nfl_ct_piece(struct nfl_ct_record *piece,
				const struct nfl_ct_record *r, u64 k, u64 i)
{
	unsigned int d;
	u64 q, rem;

	for (d = 0; d < 2; d++) {
		q = div64_u64_rem(r->dir[d].packets, k, &rem);
		piece->dir[d].packets = q + (i < rem ? 1 : 0);
		q = div64_u64_rem(r->dir[d].bytes, k, &rem);
		piece->dir[d].bytes = q + (i < rem ? 1 : 0);
	}
}

/* biflowDirection of direction @d's own record */
static inline u8 nfl_ct_biflow_dir(const struct nfl_ct_record *r,
				   unsigned int d)
{
	if (!d || r->biflow_dir == NFL_BIFLOW_ARBITRARY)
		return r->biflow_dir;
	return r->biflow_dir == NFL_BIFLOW_INITIATOR ?
	       NFL_BIFLOW_REVERSE_INITIATOR : NFL_BIFLOW_INITIATOR;
}

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

/* CLOCK_REALTIME ms at @t */
static inline u64 nfl_export_wall_ms(const struct nfl_export_time *t)
{
	return (u64)t->wall.tv_sec * MSEC_PER_SEC +
	       (u32)t->wall.tv_nsec / NSEC_PER_MSEC;
}

/*
 * ms from wall clock time @ms to @t, for the uptime-based times of v5
 * and v9: 0 for a time after @t, at most U32_MAX.
 */
static inline u32 nfl_wall_age_ms(const struct nfl_export_time *t, u64 ms)
{
	u64 now = nfl_export_wall_ms(t);

	return now > ms ? (u32)min_t(u64, now - ms, U32_MAX) : 0;
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
	/* sampler= the records tell of; ops->set_fields applies it too */
	struct nfl_sampler sampler;
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
	 * what it lacks is zero, what they lack is left out.  NAT events
	 * and connection records keep their layouts: fields= is the
	 * cache's.
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
	/*
	 * The same for one connection record: all of it or nothing (IPFIX
	 * one biflow record, v9 and v5 a record per direction).  Its
	 * post-NAT fields go out whenever the connection was translated,
	 * whatever fields= says; the other fields= have nothing in
	 * conntrack to come from.
	 */
	int (*add_ct)(struct nfl_enc *e, const struct nfl_ct_record *r);
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
