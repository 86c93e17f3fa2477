/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipt_NETFLOW: internal interfaces shared by the compilation units that
 * make up ipt_NETFLOW.ko.  Nothing here is ABI: the xtables target carries
 * no options, so userspace needs only the target name.
 */
#ifndef _IPT_NETFLOW_H
#define _IPT_NETFLOW_H

#define NETFLOW_TARGET		"NETFLOW"
#define NETFLOW_VERSION		"0.1"

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/if.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <linux/mutex.h>
#include <linux/llist.h>

struct xt_action_param;
struct seq_file;

/*
 * Flow key.  The first three words are common to both families and hold
 * the family, so a compare of those words tells v4 from v6 before any
 * address is read.  The key is hashed and compared as u32 words.
 */
struct nf_key {
	u32 iif;			/* input ifindex, 0 for locally sent */
	union {
		struct {
			__be16 sport;
			__be16 dport;	/* ICMP: type << 8 | code */
		};
		u32 ports;		/* both, as on the wire: one copy */
	};
	u8 proto;
	u8 tos;				/* DSCP; ECN masked so CE marks do not split flows */
	u8 family;			/* AF_INET or AF_INET6 */
	u8 zero;
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
		} v4;
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
		} v6;
	};
};

#define NF_KEY_HEAD_WORDS	3
#define NF_KEY4_WORDS		(NF_KEY_HEAD_WORDS + 2)
#define NF_KEY6_WORDS		(NF_KEY_HEAD_WORDS + 8)

static inline unsigned int nf_family_words(u8 family)
{
	return family == AF_INET ? NF_KEY4_WORDS : NF_KEY6_WORDS;
}

static inline unsigned int nf_key_words(const struct nf_key *k)
{
	return nf_family_words(k->family);
}

/* flowEndReason (IANA IE 136); also what v5 reports implicitly */
enum nf_end_reason {
	NF_END_IDLE = 1,
	NF_END_ACTIVE = 2,
	NF_END_DETECTED = 3,		/* TCP FIN or RST */
	NF_END_FORCED = 4,		/* flush, protocol change, unload */
	NF_END_RESOURCES = 5,		/* counter about to overflow */
};

/*
 * One flow in a per-CPU cache.  The IPv4 entry is kept within one 64-byte
 * cache line: the chain pointer, counters and times come first, then a
 * key cut to its family's length.  IPv6 entries are allocated from a
 * larger cache and carry struct nf_flow6_tail after the key; so do IPv4
 * flows that saw IPv4 options, with struct nf_flow4_tail (NF_FLOW_IP4_OPTS).
 */
struct nf_flow {
	struct nf_flow *next;		/* hash chain, then the export queue */
	u64 bytes;
	u32 packets;
	u32 first;			/* jiffies of the first packet */
	u32 last;			/* jiffies of the latest packet */
	u32 oif;
	union {
		struct {
			u8 tcp_flags;	/* OR of all TCP flags seen */
			u8 end_reason;
			u16 flags;	/* NF_FLOW_* */
			u32 tcp_opts;	/* OR over packets, NF_TCPOPT_* */
		};
		u64 tcp_or;		/* a packet's nf_tcp_or(), ORed in */
	};
	__be32 nexthop4;
	struct nf_key key;		/* must stay last */
};

/* nf_flow.flags */
#define NF_FLOW_IP4_OPTS	BIT(0)	/* IPv4 with struct nf_flow4_tail */

/*
 * tcpOptions (IE 209) as a flow keeps it: kinds 0..30 at bit k, kind 34
 * (TCP Fast Open) at bit 31.  IANA assigns no other kind below 64 (31-33
 * and 35-63 are reserved), so this loses nothing assigned; the encoder
 * expands it to the IE's 64 bits (nf_tcp_opts_ie).
 */
#define NF_TCPOPT_FASTOPEN	BIT(31)

static inline u64 nf_tcp_opts_ie(u32 kept)
{
	return (kept & ~NF_TCPOPT_FASTOPEN) |
	       (u64)!!(kept & NF_TCPOPT_FASTOPEN) << 34;
}

/*
 * A packet's TCP flags and options as one word laid out like nf_flow's
 * tcp_flags, end_reason, flags and tcp_opts, whose end_reason and flags
 * bytes are 0: one OR adds both to the flow, and the packet path of a
 * UDP packet stores and ORs no more than it did for the flags alone.
 */
union nf_tcp_or {
	struct {
		u8 tcp_flags;
		u8 zero[3];
		u32 tcp_opts;
	};
	u64 word;
};

static_assert(offsetof(struct nf_flow, tcp_flags) -
	      offsetof(struct nf_flow, tcp_or) ==
	      offsetof(union nf_tcp_or, tcp_flags));
static_assert(offsetof(struct nf_flow, tcp_opts) -
	      offsetof(struct nf_flow, tcp_or) ==
	      offsetof(union nf_tcp_or, tcp_opts));

static inline u64 nf_tcp_or(u8 tcp_flags, u32 tcp_opts)
{
	union nf_tcp_or t = { .tcp_flags = tcp_flags, .tcp_opts = tcp_opts };

	return t.word;
}

/*
 * What an IPv6 flow carries after its key (a larger slab object, so the
 * IPv4 entry stays at 64 bytes).
 */
struct nf_flow6_tail {
	struct in6_addr nexthop;
	__be32 flow_label;		/* of the first packet, 20 bits */
	u32 ext_hdrs;			/* OR over packets, NF_V6EH_* */
};

/*
 * What an IPv4 flow that saw IPv4 options carries after its key, in a
 * slab object of its own: options are rare (router alert, record route,
 * timestamps), and the common IPv4 entry has no room left in 64 bytes.
 */
struct nf_flow4_tail {
	u32 ip4_opts;			/* ipv4Options (IE 208), OR over packets */
};

#define NF_FLOW4_SIZE	(offsetof(struct nf_flow, key) + NF_KEY4_WORDS * 4)
#define NF_FLOW4O_SIZE	(NF_FLOW4_SIZE + sizeof(struct nf_flow4_tail))
#define NF_FLOW6_SIZE	(sizeof(struct nf_flow) + sizeof(struct nf_flow6_tail))

/* Only for a flow with NF_FLOW_IP4_OPTS. */
static inline struct nf_flow4_tail *nf_flow4_tail(struct nf_flow *f)
{
	return (struct nf_flow4_tail *)((u8 *)f + NF_FLOW4_SIZE);
}

/* ipv4Options of any flow: 0 for one that saw none */
static inline u32 nf_flow_ip4_opts(const struct nf_flow *f)
{
	if (f->key.family != AF_INET || !(f->flags & NF_FLOW_IP4_OPTS))
		return 0;
	return ((const struct nf_flow4_tail *)((const u8 *)f +
					       NF_FLOW4_SIZE))->ip4_opts;
}

static inline struct nf_flow6_tail *nf_flow6_tail(struct nf_flow *f)
{
	return (struct nf_flow6_tail *)(f + 1);
}

static inline const struct nf_flow6_tail *
nf_flow6_tail_c(const struct nf_flow *f)
{
	return (const struct nf_flow6_tail *)(f + 1);
}

static inline struct in6_addr *nf_flow_nexthop6(struct nf_flow *f)
{
	return &nf_flow6_tail(f)->nexthop;
}

/*
 * ipv6ExtensionHeaders (IE 64) bits.  RFC 5102 numbers them from the
 * left of its figure; as everywhere in IETF figures, bit 0 is the most
 * significant bit of the value as sent, so bit n is 1 << (31 - n).
 */
#define NF_V6EH_BIT(n)	(1U << (31 - (n)))
#define NF_V6EH_FRA1	NF_V6EH_BIT(1)	/* fragment header, not the first */
#define NF_V6EH_RH	NF_V6EH_BIT(2)	/* routing header (43) */
#define NF_V6EH_FRA0	NF_V6EH_BIT(3)	/* fragment header, first fragment */
#define NF_V6EH_HOP	NF_V6EH_BIT(6)	/* hop-by-hop options (0) */
#define NF_V6EH_DST	NF_V6EH_BIT(7)	/* destination options (60) */
#define NF_V6EH_PAY	NF_V6EH_BIT(8)	/* payload compression (108) */
#define NF_V6EH_AH	NF_V6EH_BIT(9)	/* authentication header (51) */
#define NF_V6EH_ESP	NF_V6EH_BIT(10)	/* encapsulating security payload (50) */

/* What one packet adds to its flow, besides its key. */
struct nf_pkt {
	u32 len;			/* IP-layer bytes, all GSO segments */
	u32 segs;			/* wire packets this skb stands for */
	u32 oif;
	__be32 nexthop4;
	struct in6_addr nexthop6;
	__be32 flow_label;		/* IPv6 only, as the other v6 fields */
	u32 ext_hdrs;			/* IPv6 only: NF_V6EH_* */
	u64 tcp_or;			/* nf_tcp_or(): TCP flags, NF_TCPOPT_* */
	bool frag;			/* a fragment: ports may be missing */
};

/*
 * ---- hdropts.c: option bits of a header (pure) ----
 * @p: the @len option bytes after the fixed header, no more than the
 * header's length says.  ipv4Options bits (IE 208); tcpOptions as
 * nf_flow.tcp_opts keeps them.
 */
u32 nf_ip4_opts(const u8 *p, unsigned int len);
u32 nf_tcp_opts(const u8 *p, unsigned int len);

/*
 * Per-CPU statistics.  Declared once here and expanded wherever they are
 * defined, summed or printed, so /proc and the SNMP file never disagree.
 */
#define NF_CPU_STATS(X)							\
	X(searched,	"searched")	/* chain entries examined */	\
	X(found,	"found")	/* lookups that hit a flow */	\
	X(created,	"new")		/* flows created */		\
	X(trunc,	"trunc")	/* headers too short to read */	\
	X(frag,		"frag")		/* fragments seen */		\
	X(alloc_fail,	"alloc")	/* flow allocation failed */	\
	X(maxflows,	"maxflows")	/* new flows refused */		\
	X(pkts,		"pkts")		/* packets accounted */		\
	X(bytes,	"bytes")	/* bytes accounted */		\
	X(drop_pkts,	"drop_pkts")	/* packets not accounted */	\
	X(drop_bytes,	"drop_bytes")	/* bytes not accounted */	\
	X(expired,	"expired")	/* flows handed to export */

#define NF_STAT_FIELD(name, str) u64 name;
struct nf_cpu_stats {
	NF_CPU_STATS(NF_STAT_FIELD)
};
#undef NF_STAT_FIELD

/* ---- cache.c: per-CPU flow cache ---- */
int nf_cache_init(void);
void nf_cache_exit(void);		/* hands every flow held to export */
void nf_cache_destroy(void);		/* after export freed every flow */
void nf_cache_drop_trunc(u32 len);
void nf_cache_free(struct nf_flow *f);
void nf_cache_flush(void);		/* export everything now */
int nf_cache_resize(unsigned int hashsize);
void nf_cache_stats(struct nf_cpu_stats *sum);	/* summed over CPUs */
void nf_cache_cpu_stats(int cpu, struct nf_cpu_stats *st);
unsigned int nf_cache_flows(void);
unsigned int nf_cache_flows_peak(void);
unsigned long nf_cache_peak_time(void);	/* jiffies at the peak */
unsigned int nf_cache_hashsize(void);
size_t nf_cache_memory(void);		/* bytes held by flows and buckets */
size_t nf_cache_flow_size(void);	/* slab bytes of one IPv4 flow */
void nf_cache_set_split(u64 max_bytes, u32 max_packets);
/* Walk flows of every CPU for /proc; cb runs with BH disabled. */
void nf_cache_walk(void (*cb)(const struct nf_flow *f, void *arg), void *arg);

/* ---- packet.c: the targets, skb to key; both return XT_CONTINUE ---- */
unsigned int nf_packet_ipv4(struct sk_buff *skb,
			    const struct xt_action_param *par);
unsigned int nf_packet_ipv6(struct sk_buff *skb,
			    const struct xt_action_param *par);

/* ---- export.c: queue of expired flows, PDU assembly ---- */
/*
 * Flows queued before nf_export_init() wait for the first kick after it.
 * At unload: nf_cache_exit(), then nf_export_exit() (sends every queued
 * flow, so the sockets must still be there), then nf_cache_destroy().
 * No queue or kick after nf_export_exit().  Queued flows still count as
 * flows in memory until the exporter hands them to nf_cache_free().
 */
int nf_export_init(void);
void nf_export_exit(void);
/* Any context but NMI; @head..@tail linked by ->next, kept in that order. */
void nf_export_queue(struct nf_flow *head, struct nf_flow *tail);
void nf_export_kick(void);
void nf_export_sync(void);		/* wait until the queue is sent */
/*
 * Switch encoders (sequence restarts at 0) after exporting what is queued
 * in the old protocol.  -EPROTONOSUPPORT: no encoder for it (yet); -ENOMEM.
 */
int nf_export_set_protocol(unsigned int protocol);
unsigned int nf_export_protocol(void);
/* Destinations changed: the next PDU carries templates (v9/IPFIX). */
void nf_export_resend_templates(void);

struct nf_export_stats {
	u64 pdus;			/* PDUs built */
	u64 flows;			/* flow records built */
	u64 sent_pdus;			/* PDU copies sent, all sockets */
	u64 sent_bytes;
	u64 errors;			/* failed sends, all sockets */
	/* PDUs some socket failed, or sent with no destination set */
	u64 lost_flows;
	u64 lost_pdus;
	u64 lost_packets, lost_bytes;	/* traffic of lost_flows */
	u64 skipped;			/* flows the protocol cannot carry (v6 in v5) */
	u64 skipped_packets, skipped_bytes;
	u32 pdu_rate;			/* PDUs/s over the last >= 1 s */
	u32 flow_rate;			/* flow records/s, same window */
};
void nf_export_get_stats(struct nf_export_stats *st);

/*
 * Encoders turn flows into PDUs of one protocol.  They are pure (no
 * globals, no sockets, no locks) so KUnit can run them on UML; export.c
 * owns the buffer, the clock and the sending.
 */

/*
 * One NAT translation event (natevents.c), IPv4 or IPv6 (NAT66).  Ports
 * are as conntrack keeps them; for ICMP and ICMPv6 the source port is the
 * echo id and the destination port type << 8 | code, as in flows.
 */
struct nf_nat_event {
	struct nf_nat_event *next;	/* natevents.c's queue */
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
#define NF_NAT_EV_CREATE_OLD	1	/* historic: translation create */
#define NF_NAT_EV_DELETE_OLD	2	/* historic: translation delete */
#define NF_NAT_EV_CREATE	4	/* RFC 8158: NAT44 session create */
#define NF_NAT_EV_DELETE	5	/* RFC 8158: NAT44 session delete */

/* ---- natevents.c: NAT events from conntrack ---- */
/* Process context, under the settings mutex.  0 or -errno. */
int nf_natevents_enable(void);
void nf_natevents_disable(void);
/* After nf_export_exit(): frees what is still queued. */
void nf_natevents_exit(void);
/* Exporter side: the queued events, oldest first, and freeing one. */
struct nf_nat_event *nf_natevents_take(void);
void nf_natevents_free(struct nf_nat_event *ev);
u64 nf_natevents_dropped(void);	/* queue full or no memory */
bool nf_natevents_active(void);

/* The instant a PDU is begun, in each clock a protocol needs. */
struct nf_export_time {
	u32 jiffies;			/* low 32 bits, as in nf_flow */
	u32 uptime_ms;			/* ms since boot at @jiffies, wraps */
	struct timespec64 wall;		/* CLOCK_REALTIME at @jiffies */
};

/*
 * ms from jiffies stamp @j to @t.  A stamp after @t (a flow queued after
 * the PDU was begun) counts as 0 rather than as an age of ~49 days.
 */
static inline u32 nf_time_age_ms(const struct nf_export_time *t, u32 j)
{
	s32 d = (s32)(t->jiffies - j);

	return d > 0 ? jiffies_to_msecs(d) : 0;
}

/*
 * Options records (v9/IPFIX): what they tell comes from export.c, which
 * gathers it only before a PDU that carries them (ops->opt_due).
 */
#define NF_IF_MAX		128	/* rows of the interface table */
#define NF_DOMAIN_NAME_MAX	96

/* A row of the interface table: an interface of init_net. */
struct nf_iface {
	u32 ifindex;
	char name[IFNAMSIZ];
	char desc[IFALIASZ];		/* ifalias, "" if none */
};

struct nf_opt_input {
	char domain_name[NF_DOMAIN_NAME_MAX];	/* "ipt_NETFLOW <ver> on <host>" */
	u64 observed_flows;		/* flows created since load */
	/* packets the cache did not meter (maxflows, no memory, cut short) */
	u64 ignored_packets, ignored_octets;
	/* flows metered but not sent to every collector, or skipped */
	u64 lost_flows, lost_packets, lost_octets;
	const struct nf_iface *ifaces;	/* export.c's, at least until the */
	unsigned int n_ifaces;		/* next NF_OPT_DUE_TEMPLATES */
};

/* ops->opt_due: what the next ops->begin writes besides flows */
#define NF_OPT_DUE_STATS	BIT(0)	/* exporter, metering, reliability */
#define NF_OPT_DUE_TEMPLATES	BIT(1)	/* templates; interface table anew */

/* One encoder instance: settings, stream state and the PDU being built. */
struct nf_enc {
	const struct nf_encoder *ops;
	void *priv;			/* ops->init's, e.g. template state */
	/* copied from nf_cfg by export.c before each PDU */
	u32 engine_id;			/* v5 keeps the low 8 bits */
	unsigned int refresh_rate;	/* PDUs between template refreshes */
	unsigned int timeout_rate;	/* minutes between them, at most */
	bool nat_legacy;		/* natEvent 1/2 instead of RFC 8158's 4/5 */
	/* templates due: set for a new stream and new collectors */
	bool resync;			/* ops->begin clears it */
	/*
	 * Kept across PDUs; ops->finish advances it.  v5: flows before this
	 * PDU, v9: PDUs before, IPFIX: data records before.
	 */
	u64 sequence;
	/* the open PDU */
	struct nf_export_time t;	/* set by ops->begin */
	u8 *buf;
	size_t size;			/* room in @buf, never written past */
	size_t len;			/* bytes written */
	unsigned int records;		/* flow records in it */
	/* traffic of those records; export.c keeps it, for lost counts */
	u64 packets, octets;
	struct nf_opt_input opt;	/* filled by export.c */
};

struct nf_encoder {
	unsigned int protocol;		/* 5, 9 or 10, as in nf_cfg */
	size_t pdu_size;		/* buffer export.c allocates */
	/*
	 * Largest counts a record holds: the cache exports a flow early
	 * rather than let them wrap.
	 */
	u64 max_octets;
	u32 max_packets;
	int (*init)(struct nf_enc *e);		/* optional */
	void (*release)(struct nf_enc *e);	/* optional */
	/* Start a PDU at @t (headers, templates due); resets len, records. */
	void (*begin)(struct nf_enc *e, const struct nf_export_time *t);
	/*
	 * 0: written.  -ENOSPC: PDU full, nothing written; export.c sends it
	 * and retries once in a fresh one.  -EAFNOSUPPORT: the protocol
	 * cannot carry @f; it is counted as skipped.
	 */
	int (*add)(struct nf_enc *e, const struct nf_flow *f);
	/* The same for one NAT event. */
	int (*add_nat)(struct nf_enc *e, const struct nf_nat_event *ev);
	/* Complete the header, advance e->sequence; bytes to send, 0: none. */
	size_t (*finish)(struct nf_enc *e);
	/*
	 * Optional, both.  NF_OPT_DUE_* that ops->begin at @t will write,
	 * so that export.c fills e->opt only then.
	 */
	unsigned int (*opt_due)(const struct nf_enc *e,
				const struct nf_export_time *t);
	/* ms from @t until a PDU is due even without flows; 0: now */
	u32 (*opt_wait)(const struct nf_enc *e, const struct nf_export_time *t);
};

extern const struct nf_encoder nf_v5_encoder;	/* netflow_v5.c */
extern const struct nf_encoder nf_v9_encoder;	/* netflow_v9.c */
extern const struct nf_encoder nf_ipfix_encoder;	/* ipfix.c */

/* ---- socket.c: collectors ---- */
struct seq_file;
struct nf_dest;
/*
 * Parse @spec (destination.h), open and connect one UDP socket per item
 * and swap the set in.  -EINVAL on a bad spec, -ENOMEM: nothing changed.
 * A collector that cannot be reached yet is kept and retried.  Process
 * context; reads nf_cfg.sndbuf for the new sockets.
 */
int nf_dest_configure(const char *spec);
void nf_dest_release_all(void);
/*
 * Send one PDU carrying @flows records to every destination.  Returns the
 * number of destinations that failed; never blocks.  Process context.
 */
int nf_dest_send_all(const void *buf, size_t len, unsigned int flows);
/* Store nf_cfg.sndbuf first: sockets reconnected later read it there. */
void nf_dest_set_sndbuf(int sndbuf);	/* bytes, 0 = system default */
void nf_dest_show(struct seq_file *m);	/* sockN: lines */
unsigned int nf_dest_count(void);	/* lockless, any context */

/* Sums over every destination since load, kept across reconfiguration. */
struct nf_dest_totals {
	u64 sent_pkts;			/* PDU copies sent */
	u64 sent_bytes;
	u64 errors;			/* PDU copies not sent */
	u64 lost_flows;			/* flows in those copies */
	u64 cberr;			/* ICMP errors collectors sent back */
	u64 connect_fail;		/* failed connect attempts */
};
void nf_dest_get_totals(struct nf_dest_totals *t);	/* process context */

/* ---- settings (sysctl.c) ---- */
struct nf_settings {
	unsigned int protocol;		/* 5, 9 or 10 */
	unsigned int active_timeout;	/* seconds */
	unsigned int inactive_timeout;	/* seconds */
	unsigned int maxflows;		/* 0 = no limit */
	unsigned int engine_id;
	unsigned int debug;
	int sndbuf;			/* 0 = system default */
	unsigned int refresh_rate;
	unsigned int timeout_rate;	/* minutes */
	unsigned int natevents;		/* 0 or 1 */
	unsigned int natevents_legacy;	/* 1: natEvent 1/2, 0: RFC 8158 4/5 */
};
extern struct nf_settings nf_cfg;
/*
 * Buckets of each CPU's table.  cache.c owns it: nf_cache_init() picks a
 * default from RAM (it is 0 before), nf_cache_resize() changes it.  The
 * hashsize parameter never writes it directly.
 */
extern unsigned int nf_hashsize;
#define NF_DESTINATION_SIZE	2048	/* 16 collectors of the longest form */
extern char nf_destination[NF_DESTINATION_SIZE];	/* as last written */
/*
 * Module init, in this order (each step needs the ones before it):
 *   nf_cache_init(); nf_export_init();
 *   nf_settings_apply_initial();  checks parameters that depend on each
 *	other, confirms the protocol with nf_export_set_protocol(), resizes
 *	the cache to the hashsize parameter, opens the destination sockets
 *	(nf_dest_configure: on any later failure call nf_dest_release_all()),
 *	then makes writes through /sys and sysctl apply at once;
 *   nf_sysctl_init();  registers net.netflow.* (init_net only);
 *   nf_proc_init(); register the target.
 * Exit: unregister the target, nf_proc_exit(), nf_sysctl_exit() (before
 * the cache, exporter or sockets go: later /sys writes only store), then
 * the subsystems.  A failed step undoes what it did itself.
 */
int nf_settings_apply_initial(void);
int nf_sysctl_init(void);
void nf_sysctl_exit(void);

/* ---- proc.c ---- */
int nf_proc_init(void);			/* after nf_sysctl_init() */
void nf_proc_exit(void);		/* before the cache goes */
/* NAT events reported, for the Natevents line; the NEL code counts them. */
extern atomic64_t nf_natevents_start;
extern atomic64_t nf_natevents_stop;
/*
 * Wanted from cache.c by proc.c (Flows: and Hash: lines, SNMP file):
 * the period of the ageing tick ("worker delay", jiffies) and the traffic
 * of the flows still in memory ("InHash", hashPackets/hashBytes).
 */
unsigned long nf_cache_scan_interval(void);
void nf_cache_held(u64 *pkts, u64 *bytes);

/* Debug messages gated by the debug parameter. */
#define nf_dbg(level, fmt, ...)						\
	do {								\
		if (unlikely(READ_ONCE(nf_cfg.debug) >= (level)))	\
			pr_info(fmt, ##__VA_ARGS__);			\
	} while (0)

#endif /* __KERNEL__ */
#endif /* _IPT_NETFLOW_H */
