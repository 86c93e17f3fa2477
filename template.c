// SPDX-License-Identifier: GPL-2.0-only
/*
 * Template-based export (NetFlow v9, IPFIX): templates per flow kind,
 * data sets, the options records and when templates are due.
 *
 * Pure like netflow_v5.c: it writes only into the buffer export.c lends
 * it and into its own state (e->priv), so KUnit runs it on UML.  What the
 * options records tell (counters, names) export.c hands in via e->opt.
 *
 * A PDU is: header, [template set, one options template set per options
 * template], [system record, reliability record], [interface table rows],
 * then data sets, one per run of flows of the same kind.  Templates are
 * built once, at init, from lists of element ids (netflow_ie.h) and kept
 * as the bytes they go out as.  NAT events and connection records have
 * templates of their own, sent in front of the first such record after
 * each full template send, so a stream without them carries none.  An interface table too long for one PDU
 * goes on in the next ones, always leaving room for a flow.
 */
#include <linux/bitops.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "compat.h"
#include "encoder.h"
#include "template.h"

#define NFL_IE_ROW(sym, id, len, name) { (id), (len), (name) },
static const struct nfl_ie_info nfl_ie_table[] = {
	NFL_IES(NFL_IE_ROW)
};

#undef NFL_IE_ROW

const struct nfl_ie_info *nfl_ie_find(unsigned int id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nfl_ie_table); i++)
		if (nfl_ie_table[i].id == id)
			return &nfl_ie_table[i];
	return NULL;
}

/* Bytes of element @id in @p's templates (IPFIX: NFL_IPFIX_VARLEN). */
static unsigned int nfl_ie_len(unsigned int id, const struct nfl_tpl_proto *p)
{
	const struct nfl_ie_info *ie = nfl_ie_find(id);

	if (!ie)
		return 0;
	if ((ie->len & NFL_IE_VARLEN) && p->varlen)
		return NFL_IPFIX_VARLEN;
	return ie->len & NFL_IE_BYTES;
}

struct nfl_tpl {
	u16 ids[NFL_TPL_MAX_FIELDS];
	u16 lens[NFL_TPL_MAX_FIELDS];	/* nfl_ie_len(), looked up once */
	u64 strings;			/* bit i: field i is a string */
	unsigned int n;
	unsigned int rec_len;		/* bytes of a record, variable strings empty */
};

/*
 * An options template: its id, v9 scope type and elements, scope first;
 * IPFIX's may be other ones, as many (NULL: the same).
 */
struct nfl_opt_def {
	u16 id;
	u16 v9_scope;
	const u16 *ies;
	unsigned int n;
	const u16 *ipfix_ies;
};

/*
 * Largest template sets: every flow template in one, options (and the
 * sampler's two) one each.
 */
#define NFL_TPL_SET_MAX	(4 + NFL_TPL_KINDS * (4 + 4 * NFL_TPL_MAX_FIELDS) + \
			 (NFL_OPT_KINDS + 2) * (4 + 6 + 4 * NFL_TPL_MAX_FIELDS + 2))
#define NFL_NEL_SET_MAX	(4 + 4 + 4 * NFL_TPL_MAX_FIELDS)
/* a connection record's, whose reverse elements take 8 bytes each */
#define NFL_CT_SET_MAX	(4 + 4 + 8 * NFL_TPL_MAX_FIELDS)

struct nfl_tpl_state {
	const struct nfl_tpl_proto *p;
	unsigned int fields;		/* of the flow templates */
	struct nfl_tpl tpl[NFL_TPL_KINDS];
	u16 tpl_id[NFL_TPL_KINDS];
	struct nfl_tpl opt[NFL_OPT_KINDS];
	/*
	 * the sampler's options templates, while there is a sampler: [0]
	 * the sampler, [1] its rate alone (nfl_opt_samp_rate)
	 */
	struct nfl_sampler sampler;
	struct nfl_tpl samp[2];
	struct nfl_opt_def samp_def[2];
	u8 tpl_set[NFL_TPL_SET_MAX];	/* all template sets, as they go out */
	unsigned int tpl_set_len;
	/*
	 * What the largest flow, NAT event or connection record needs, with
	 * its set header and, for the latter two, its template.
	 */
	size_t flow_room;
	size_t min_size;		/* a PDU with templates and a record */
	/* NAT events: [0] IPv4, [1] IPv6 (nfl_nat_event.ipv6) */
	struct nfl_tpl nel[2];
	u8 nel_set[2][NFL_NEL_SET_MAX];
	unsigned int nel_set_len[2];
	bool nel_sent[2];		/* since the other templates last went */
	/* connection records, by kind (NFL_CT_TPL_*) */
	struct nfl_tpl ct[NFL_CT_TPL_KINDS];
	u8 ct_set[NFL_CT_TPL_KINDS][NFL_CT_SET_MAX];
	unsigned int ct_set_len[NFL_CT_TPL_KINDS];
	bool ct_sent[NFL_CT_TPL_KINDS];	/* as nel_sent */
	/* stream */
	bool sent;			/* templates ever sent */
	unsigned int pdus_since;	/* PDUs sent since the templates */
	u32 tpl_ms;			/* uptime when they were last sent */
	u32 stats_ms;			/* and the statistics records */
	u64 msgs, flows, octets;	/* exported so far, for the options */
	unsigned int if_next, if_n;	/* interface table: next row, rows */
	u32 if_last;			/* ifindex of the last row sent */
	/* the open PDU */
	unsigned int tpl_records;	/* templates and options templates */
	unsigned int opt_records;	/* options data records */
	size_t set_start;		/* open data set, 0: none */
	u16 set_id;
};

/* Parts a flow template is put together from, in wire order. */
static const u16 nfl_tpl_addr4[] = {
	NFL_IE_SRC4, NFL_IE_DST4, NFL_IE_NEXTHOP4,
};
static const u16 nfl_tpl_addr6[] = {
	NFL_IE_SRC6, NFL_IE_DST6, NFL_IE_NEXTHOP6, NFL_IE_FLOW_LABEL6,
	NFL_IE_IPV6_EXT,
};
static const u16 nfl_tpl_common[] = {
	NFL_IE_IN_IF, NFL_IE_OUT_IF, NFL_IE_PACKETS, NFL_IE_OCTETS,
	NFL_IE_SPORT, NFL_IE_DPORT, NFL_IE_TCP_FLAGS, NFL_IE_PROTO, NFL_IE_TOS,
	NFL_IE_END_REASON, NFL_IE_IP_VERSION, NFL_IE_DIRECTION,
};
/*
 * What each field of fields= adds to a flow template, after the rest, in
 * this order (IPv4 / IPv6 where they differ).  ethernetType comes with
 * any of the key fields: MAC, VLAN, MPLS.
 */
static const u16 nfl_tpl_mac[] = {
	NFL_IE_MAC_SRC, NFL_IE_MAC_DST,
};
/* 58 is what most collectors read; 243/245 are outer and inner (QinQ) */
static const u16 nfl_tpl_vlan[] = {
	NFL_IE_VLAN, NFL_IE_DOT1Q_VLAN, NFL_IE_DOT1Q_CVLAN,
};
/* the top NFL_MPLS_DEPTH label stack entries: label, TC, S (3 bytes) */
static const u16 nfl_tpl_mpls[] = {
	NFL_IE_MPLS1, NFL_IE_MPLS2, NFL_IE_MPLS3,
};
static const u16 nfl_tpl_phys[] = {
	NFL_IE_PHYS_IN, NFL_IE_PHYS_OUT,
};
static const u16 nfl_tpl_nat4[] = {
	NFL_IE_POST_SRC4, NFL_IE_POST_DST4, NFL_IE_POST_SPORT, NFL_IE_POST_DPORT,
};
static const u16 nfl_tpl_nat6[] = {
	NFL_IE_POST_SRC6, NFL_IE_POST_DST6, NFL_IE_POST_SPORT, NFL_IE_POST_DPORT,
};
/* aggregation=: the prefix lengths its rules left the addresses with */
static const u16 nfl_tpl_aggr4[] = { NFL_IE_SRC_MASK4, NFL_IE_DST_MASK4 };
static const u16 nfl_tpl_aggr6[] = { NFL_IE_SRC_MASK6, NFL_IE_DST_MASK6 };
/* Elements all fields add to a template, with @nat its NAT part. */
#define NFL_TPL_FIELDS_IES(nat)						\
	(ARRAY_SIZE(nfl_tpl_mac) + 1 + ARRAY_SIZE(nfl_tpl_vlan) +	\
	 ARRAY_SIZE(nfl_tpl_mpls) + ARRAY_SIZE(nfl_tpl_phys) +		\
	 ARRAY_SIZE(nat) + ARRAY_SIZE(nfl_tpl_aggr4))

/* A NAT event (NEL), in the order Cisco's and RFC 8158's examples use. */
static const u16 nfl_tpl_nel[] = {
	NFL_IE_OBS_TIME_MS, NFL_IE_SRC4, NFL_IE_DST4, NFL_IE_POST_SRC4,
	NFL_IE_POST_DST4, NFL_IE_SPORT, NFL_IE_DPORT, NFL_IE_POST_SPORT,
	NFL_IE_POST_DPORT, NFL_IE_PROTO, NFL_IE_NAT_EVENT,
};
/* The same for NAT66, with RFC 8158's IPv6 address elements. */
static const u16 nfl_tpl_nel6[] = {
	NFL_IE_OBS_TIME_MS, NFL_IE_SRC6, NFL_IE_DST6, NFL_IE_POST_SRC6,
	NFL_IE_POST_DST6, NFL_IE_SPORT, NFL_IE_DPORT, NFL_IE_POST_SPORT,
	NFL_IE_POST_DPORT, NFL_IE_PROTO, NFL_IE_NAT_EVENT,
};

/*
 * A connection record (ctflows): addresses and ports as the original
 * direction's packets came in, with what NAT made of them in NAT kinds,
 * its counts and times, RFC 5103's reverse ones (IPFIX), flowEndReason
 * and biflowDirection, and in ICMP kinds the type and code.  Conntrack
 * keeps no TCP flags, interfaces or next hops: none go out.
 */
static const u16 nfl_ct_addr4[] = { NFL_IE_SRC4, NFL_IE_DST4 };
static const u16 nfl_ct_addr6[] = { NFL_IE_SRC6, NFL_IE_DST6 };
static const u16 nfl_ct_nat4[] = { NFL_IE_POST_SRC4, NFL_IE_POST_DST4 };
static const u16 nfl_ct_nat6[] = { NFL_IE_POST_SRC6, NFL_IE_POST_DST6 };
static const u16 nfl_ct_ports[] = { NFL_IE_SPORT, NFL_IE_DPORT };
static const u16 nfl_ct_nat_ports[] = { NFL_IE_POST_SPORT, NFL_IE_POST_DPORT };
static const u16 nfl_ct_counts[] = {
	NFL_IE_PROTO, NFL_IE_IP_VERSION, NFL_IE_PACKETS, NFL_IE_OCTETS,
};
static const u16 nfl_ct_reverse[] = {
	NFL_IE_REV_PACKETS, NFL_IE_REV_OCTETS, NFL_IE_REV_FIRST_MS,
	NFL_IE_REV_LAST_MS,
};
static const u16 nfl_ct_end[] = { NFL_IE_END_REASON, NFL_IE_BIFLOW_DIR };

/*
 * The options records (RFC 7011 section 4): exporter and metering
 * statistics in one, reliability statistics, and the interface table.
 * Variable-length strings last, so the numbers sit at fixed offsets.
 */
static const u16 nfl_opt_system[] = {
	NFL_IE_DOMAIN_ID,
	NFL_IE_INIT_MS, NFL_IE_EXP_MSGS, NFL_IE_EXP_FLOWS, NFL_IE_EXP_OCTETS,
	NFL_IE_OBS_FLOWS, NFL_IE_DOMAIN_NAME,
};
static const u16 nfl_opt_reliability[] = {
	NFL_IE_DOMAIN_ID,
	NFL_IE_IGN_PKTS, NFL_IE_IGN_OCTETS,
	NFL_IE_LOST_FLOWS, NFL_IE_LOST_PKTS, NFL_IE_LOST_OCTETS,
};
/* v9: its scope "Interface" is the ifindex */
static const u16 nfl_opt_ifaces[] = {
	NFL_IE_IN_IF, NFL_IE_IF_NAME, NFL_IE_IF_DESC,
};
/*
 * IPFIX: scope interfaceName, which names the interface as uniquely as
 * its ifindex, then ingressInterface and interfaceDescription.  nfdump
 * takes a non-scope ingressInterface and interfaceDescription for its
 * interface names and, up to 1.7.1, a record for the scope's bytes plus
 * 4 plus the description's: with the ifindex as the scope it would read
 * a 16-byte name as part of the next row.
 */
static const u16 nfl_opt_ifaces_ipfix[] = {
	NFL_IE_IF_NAME, NFL_IE_IN_IF, NFL_IE_IF_DESC,
};

/*
 * The sampler (sampler=): v9 has Cisco's elements, scope the system;
 * IPFIX the selector's of RFC 5477 (packets) and RFC 7014 (flows), with
 * the parameters of its algorithm, scope its selectorId.  Both end with
 * samplingInterval (34, deprecated in IPFIX) = N, the one rate pmacct
 * takes with an IPFIX selectorId.  nfdump 1.7.1 scales counts only by a
 * record of samplingInterval alone: a second record, the rate, says it
 * (README, "Sampling").
 */
static const u16 nfl_opt_samp_v9[] = {
	NFL_IE_DOMAIN_ID, NFL_IE_SAMPLER_ID, NFL_IE_SAMPLER_MODE,
	NFL_IE_SAMPLER_INTERVAL, NFL_IE_SAMPLING_INTERVAL,
};
static const u16 nfl_opt_samp_packet[] = {
	NFL_IE_SELECTOR_ID, NFL_IE_SELECTOR_ALGO, NFL_IE_SAMPLING_SIZE,
	NFL_IE_SAMPLING_POP, NFL_IE_SAMPLING_INTERVAL,
};
static const u16 nfl_opt_samp_det[] = {
	NFL_IE_SELECTOR_ID, NFL_IE_FLOW_SEL_ALGO, NFL_IE_FLOW_INTERVAL,
	NFL_IE_FLOW_SPACING, NFL_IE_SAMPLING_INTERVAL,
};
static const u16 nfl_opt_samp_random[] = {
	NFL_IE_SELECTOR_ID, NFL_IE_FLOW_SEL_ALGO, NFL_IE_SAMPLING_SIZE,
	NFL_IE_SAMPLING_POP, NFL_IE_SAMPLING_INTERVAL,
};
static const u16 nfl_opt_samp_rate[] = {
	NFL_IE_DOMAIN_ID, NFL_IE_SAMPLING_INTERVAL,
};
static const u16 nfl_opt_samp_hash[] = {
	NFL_IE_SELECTOR_ID, NFL_IE_FLOW_SEL_ALGO, NFL_IE_HASH_OUT_MIN,
	NFL_IE_HASH_OUT_MAX, NFL_IE_HASH_SEL_MIN, NFL_IE_HASH_SEL_MAX,
	NFL_IE_HASH_INIT, NFL_IE_SAMPLING_INTERVAL,
};

/* IANA's Packet and Flow Selection Algorithm numbers (RFC 5477, 7014) */
#define NFL_SEL_SYSTEMATIC_COUNT	1
#define NFL_SEL_RANDOM_N_OF_N		3
#define NFL_SEL_HASH			6

static const struct nfl_opt_def nfl_opt_defs[NFL_OPT_KINDS] = {
	[NFL_OPT_SYSTEM] = { NFL_TPL_ID_OPTIONS, NFL_V9_SCOPE_SYSTEM,
			    nfl_opt_system, ARRAY_SIZE(nfl_opt_system) },
	[NFL_OPT_RELIABILITY] = { NFL_TPL_ID_RELIABILITY, NFL_V9_SCOPE_SYSTEM,
				 nfl_opt_reliability,
				 ARRAY_SIZE(nfl_opt_reliability) },
	[NFL_OPT_IFACES] = { NFL_TPL_ID_IFACES, NFL_V9_SCOPE_INTERFACE,
			    nfl_opt_ifaces, ARRAY_SIZE(nfl_opt_ifaces),
			    nfl_opt_ifaces_ipfix },
};

static bool nfl_len_var(unsigned int len)
{
	return len == NFL_IPFIX_VARLEN;
}

static bool nfl_ie_string(unsigned int id)
{
	const struct nfl_ie_info *ie = nfl_ie_find(id);

	return ie && (ie->len & NFL_IE_STRING);
}

static void nfl_tpl_append(struct nfl_tpl *t, const u16 *ids, unsigned int n,
			  const struct nfl_tpl_proto *p)
{
	unsigned int i, len;

	BUILD_BUG_ON(NFL_TPL_MAX_FIELDS > 64);
	for (i = 0; i < n && t->n < NFL_TPL_MAX_FIELDS; i++) {
		len = nfl_ie_len(ids[i], p);
		if (nfl_ie_string(ids[i]))
			t->strings |= BIT_ULL(t->n);
		t->ids[t->n] = ids[i];
		t->lens[t->n++] = len;
		/* a variable-length string costs at least its length byte */
		t->rec_len += nfl_len_var(len) ? 1 : len;
	}
}

static void nfl_tpl_build(struct nfl_tpl *t, const struct nfl_tpl_proto *p,
			 enum nfl_tpl_kind kind, unsigned int fields)
{
	bool v6 = kind == NFL_TPL_V6 || kind == NFL_TPL_V6_ICMP;
	bool icmp_kind = kind == NFL_TPL_V4_ICMP || kind == NFL_TPL_V6_ICMP;
	u16 times[] = { p->first_ie, p->last_ie };
	u16 icmp = v6 ? p->icmp6_ie : NFL_IE_ICMP4;
	static const u16 ip4_opts = NFL_IE_IP4_OPTS, tcp_opts = NFL_IE_TCP_OPTS;
	static const u16 ethertype = NFL_IE_ETHERTYPE;
	static const u16 samp_v9 = NFL_IE_SAMPLER_ID;
	static const u16 samp_ipfix = NFL_IE_SELECTOR_ID;

	/*
	 * The longest: times, ICMP or tcpOptions, and ipv4Options (IPv4),
	 * then every field of fields= (ethernetType with any key field) and
	 * the sampler's id.
	 * nfl_tpl_append() would cut a longer one short: refuse to build.
	 */
	BUILD_BUG_ON(ARRAY_SIZE(nfl_tpl_addr4) + ARRAY_SIZE(nfl_tpl_common) +
		     5 + NFL_TPL_FIELDS_IES(nfl_tpl_nat4) > NFL_TPL_MAX_FIELDS);
	BUILD_BUG_ON(ARRAY_SIZE(nfl_tpl_addr6) + ARRAY_SIZE(nfl_tpl_common) +
		     4 + NFL_TPL_FIELDS_IES(nfl_tpl_nat6) > NFL_TPL_MAX_FIELDS);
	memset(t, 0, sizeof(*t));
	if (v6)
		nfl_tpl_append(t, nfl_tpl_addr6, ARRAY_SIZE(nfl_tpl_addr6), p);
	else
		nfl_tpl_append(t, nfl_tpl_addr4, ARRAY_SIZE(nfl_tpl_addr4), p);
	nfl_tpl_append(t, nfl_tpl_common, ARRAY_SIZE(nfl_tpl_common), p);
	nfl_tpl_append(t, times, ARRAY_SIZE(times), p);
	/*
	 * The port layout stays for ICMP (dport = type << 8 | code, which
	 * is all some collectors read, nfdump's v9 path among them); the
	 * dedicated element is added for those that know it.
	 */
	if (icmp_kind)
		nfl_tpl_append(t, &icmp, 1, p);
	if (!v6)
		nfl_tpl_append(t, &ip4_opts, 1, p);
	/* TCP's: with the ports, so not in the ICMP templates */
	if (!icmp_kind)
		nfl_tpl_append(t, &tcp_opts, 1, p);
	/* fields=, after everything else: without them nothing moves */
	if (fields & NFL_FIELD_MAC)
		nfl_tpl_append(t, nfl_tpl_mac, ARRAY_SIZE(nfl_tpl_mac), p);
	if (fields & NFL_FIELDS_KEY)
		nfl_tpl_append(t, &ethertype, 1, p);
	if (fields & NFL_FIELD_VLAN)
		nfl_tpl_append(t, nfl_tpl_vlan, ARRAY_SIZE(nfl_tpl_vlan), p);
	if (fields & NFL_FIELD_MPLS)
		nfl_tpl_append(t, nfl_tpl_mpls, ARRAY_SIZE(nfl_tpl_mpls), p);
	if (fields & NFL_FIELD_PHYSDEV)
		nfl_tpl_append(t, nfl_tpl_phys, ARRAY_SIZE(nfl_tpl_phys), p);
	if (fields & NFL_FIELD_NAT) {
		if (v6)
			nfl_tpl_append(t, nfl_tpl_nat6, ARRAY_SIZE(nfl_tpl_nat6), p);
		else
			nfl_tpl_append(t, nfl_tpl_nat4, ARRAY_SIZE(nfl_tpl_nat4), p);
	}
	/* collectors join the records to the sampler's options by it */
	if (fields & NFL_TPL_SAMPLED)
		nfl_tpl_append(t, p->v9_options ? &samp_v9 : &samp_ipfix, 1, p);
	if (fields & NFL_FIELD_AGGR) {
		if (v6)
			nfl_tpl_append(t, nfl_tpl_aggr6, ARRAY_SIZE(nfl_tpl_aggr6), p);
		else
			nfl_tpl_append(t, nfl_tpl_aggr4, ARRAY_SIZE(nfl_tpl_aggr4), p);
	}
}

u16 nfl_tpl_flow_id(unsigned int fields, enum nfl_tpl_kind kind)
{
	if (!fields)
		return NFL_TPL_ID_FIRST + kind;
	return NFL_TPL_ID_FIELDS + fields * NFL_TPL_KINDS + kind;
}

static u8 *nfl_put16(u8 *p, u16 v)
{
	put_unaligned_be16(v, p);
	return p + 2;
}

/*
 * Field specifiers (id, length) of @t from index @from on; an enterprise
 * element's with its PEN (RFC 7011 3.2).
 */
static u8 *nfl_put_fields(u8 *p, const struct nfl_tpl *t, unsigned int from)
{
	unsigned int i;

	for (i = from; i < t->n; i++) {
		p = nfl_put16(p, t->ids[i]);
		p = nfl_put16(p, t->lens[i]);
		if (t->ids[i] & NFL_IE_ENTERPRISE) {
			put_unaligned_be32(NFL_PEN_REVERSE, p);
			p += 4;
		}
	}
	return p;
}

/* The options template set of @def at @set; returns its end. */
static u8 *nfl_opt_tpl_set(u8 *set, const struct nfl_tpl *t,
			  const struct nfl_opt_def *def,
			  const struct nfl_tpl_proto *p)
{
	u8 *q = nfl_put16(set + 4, def->id);

	if (p->v9_options) {
		/*
		 * v9 scopes have their own type numbers; the record carries
		 * the same 4 bytes as the IPFIX scope element.
		 */
		q = nfl_put16(q, 4);
		q = nfl_put16(q, 4 * (t->n - 1));
		q = nfl_put16(q, def->v9_scope);
		q = nfl_put16(q, t->lens[0]);
		q = nfl_put_fields(q, t, 1);
	} else {
		q = nfl_put16(q, t->n);
		q = nfl_put16(q, 1);	/* scope fields */
		q = nfl_put_fields(q, t, 0);
	}
	/* the options template header is 6 bytes: pad the set to 4 */
	while ((q - set) % 4)
		*q++ = 0;
	nfl_put16(set, p->opt_set_id);
	nfl_put16(set + 2, q - set);
	return q;
}

/* Bytes of a data set of one record of @t, with strings of 255 bytes. */
static size_t nfl_set_max(const struct nfl_tpl *t)
{
	size_t len = 4 + t->rec_len;
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (nfl_len_var(t->lens[i]))
			len += 2 + 255;	/* 3-byte length form */
	return ALIGN(len, 4);
}

/* The template set of NEL template @v (0: IPv4, 1: IPv6), as it goes out. */
static void nfl_nel_cache(struct nfl_tpl_state *st, unsigned int v,
			 const u16 *ies, unsigned int n)
{
	const struct nfl_tpl_proto *p = st->p;
	u8 *set = st->nel_set[v];
	u8 *q;

	memset(&st->nel[v], 0, sizeof(st->nel[v]));
	nfl_tpl_append(&st->nel[v], ies, n, p);
	q = nfl_put16(set + 4, v ? NFL_TPL_ID_NEL6 : NFL_TPL_ID_NEL);
	q = nfl_put16(q, st->nel[v].n);
	q = nfl_put_fields(q, &st->nel[v], 0);
	st->nel_set_len[v] = q - set;
	nfl_put16(set, p->tpl_set_id);
	nfl_put16(set + 2, st->nel_set_len[v]);
}

static void nfl_ct_tpl_build(struct nfl_tpl *t, const struct nfl_tpl_proto *p,
			    unsigned int kind)
{
	bool v6 = kind & NFL_CT_TPL_V6, nat = kind & NFL_CT_TPL_NAT;
	u16 times[] = { p->first_ie, p->last_ie };
	u16 icmp = v6 ? p->icmp6_ie : NFL_IE_ICMP4;

	BUILD_BUG_ON(ARRAY_SIZE(nfl_ct_addr6) + ARRAY_SIZE(nfl_ct_nat6) +
		     ARRAY_SIZE(nfl_ct_ports) + ARRAY_SIZE(nfl_ct_nat_ports) +
		     ARRAY_SIZE(nfl_ct_counts) + 2 +
		     ARRAY_SIZE(nfl_ct_reverse) + ARRAY_SIZE(nfl_ct_end) + 1 >
		     NFL_TPL_MAX_FIELDS);
	/* no id of these is one of fields=' flow templates (template.h) */
	BUILD_BUG_ON(NFL_TPL_ID_CT + NFL_CT_TPL_KINDS > NFL_TPL_ID_FIELDS);
	memset(t, 0, sizeof(*t));
	if (v6)
		nfl_tpl_append(t, nfl_ct_addr6, ARRAY_SIZE(nfl_ct_addr6), p);
	else
		nfl_tpl_append(t, nfl_ct_addr4, ARRAY_SIZE(nfl_ct_addr4), p);
	if (nat && v6)
		nfl_tpl_append(t, nfl_ct_nat6, ARRAY_SIZE(nfl_ct_nat6), p);
	else if (nat)
		nfl_tpl_append(t, nfl_ct_nat4, ARRAY_SIZE(nfl_ct_nat4), p);
	nfl_tpl_append(t, nfl_ct_ports, ARRAY_SIZE(nfl_ct_ports), p);
	if (nat)
		nfl_tpl_append(t, nfl_ct_nat_ports, ARRAY_SIZE(nfl_ct_nat_ports),
			       p);
	nfl_tpl_append(t, nfl_ct_counts, ARRAY_SIZE(nfl_ct_counts), p);
	nfl_tpl_append(t, times, ARRAY_SIZE(times), p);
	if (p->biflow)
		nfl_tpl_append(t, nfl_ct_reverse, ARRAY_SIZE(nfl_ct_reverse), p);
	nfl_tpl_append(t, nfl_ct_end, ARRAY_SIZE(nfl_ct_end), p);
	if (kind & NFL_CT_TPL_ICMP)
		nfl_tpl_append(t, &icmp, 1, p);
}

/* The template set of connection record kind @kind, as it goes out. */
static void nfl_ct_cache(struct nfl_tpl_state *st, unsigned int kind)
{
	const struct nfl_tpl_proto *p = st->p;
	u8 *set = st->ct_set[kind];
	u8 *q;

	nfl_ct_tpl_build(&st->ct[kind], p, kind);
	q = nfl_put16(set + 4, NFL_TPL_ID_CT + kind);
	q = nfl_put16(q, st->ct[kind].n);
	q = nfl_put_fields(q, &st->ct[kind], 0);
	st->ct_set_len[kind] = q - set;
	nfl_put16(set, p->tpl_set_id);
	nfl_put16(set + 2, st->ct_set_len[kind]);
}

/* Records of a connection in one PDU: 2 where each direction has its own. */
static unsigned int nfl_ct_max_records(const struct nfl_tpl_proto *p)
{
	return p->biflow ? 1 : 2;
}

/* The sampler's options templates in st->samp; false if there is none. */
static bool nfl_samp_tpl(struct nfl_tpl_state *st)
{
	enum nfl_samp_mode mode = st->sampler.mode;
	const u16 *ies;
	unsigned int n;

	memset(st->samp, 0, sizeof(st->samp));
	if (mode == NFL_SAMP_OFF)
		return false;
	if (st->p->v9_options) {
		ies = nfl_opt_samp_v9;
		n = ARRAY_SIZE(nfl_opt_samp_v9);
	} else if (mode == NFL_SAMP_PACKET) {
		ies = nfl_opt_samp_packet;
		n = ARRAY_SIZE(nfl_opt_samp_packet);
	} else if (mode == NFL_SAMP_DETERMINISTIC) {
		ies = nfl_opt_samp_det;
		n = ARRAY_SIZE(nfl_opt_samp_det);
	} else if (mode == NFL_SAMP_RANDOM) {
		ies = nfl_opt_samp_random;
		n = ARRAY_SIZE(nfl_opt_samp_random);
	} else {
		ies = nfl_opt_samp_hash;
		n = ARRAY_SIZE(nfl_opt_samp_hash);
	}
	/* a layout per mode, so an id per mode */
	st->samp_def[0] = (struct nfl_opt_def){
		.id = NFL_TPL_ID_SAMPLER + mode - 1,
		.v9_scope = NFL_V9_SCOPE_SYSTEM,
		.ies = ies, .n = n,
	};
	st->samp_def[1] = (struct nfl_opt_def){
		.id = NFL_TPL_ID_SAMPLER_RATE,
		.v9_scope = NFL_V9_SCOPE_SYSTEM,
		.ies = nfl_opt_samp_rate, .n = ARRAY_SIZE(nfl_opt_samp_rate),
	};
	nfl_tpl_append(&st->samp[0], ies, n, st->p);
	nfl_tpl_append(&st->samp[1], nfl_opt_samp_rate,
		       ARRAY_SIZE(nfl_opt_samp_rate), st->p);
	return true;
}

static void nfl_tpl_cache(struct nfl_tpl_state *st)
{
	const struct nfl_tpl_proto *p = st->p;
	u8 *q = st->tpl_set + 4;
	unsigned int k;

	st->flow_room = 0;
	for (k = 0; k < NFL_TPL_KINDS; k++) {
		nfl_tpl_build(&st->tpl[k], p, k, st->fields);
		st->tpl_id[k] = nfl_tpl_flow_id(st->fields, k);
		q = nfl_put16(q, st->tpl_id[k]);
		q = nfl_put16(q, st->tpl[k].n);
		q = nfl_put_fields(q, &st->tpl[k], 0);
		st->flow_room = max(st->flow_room, nfl_set_max(&st->tpl[k]));
	}
	nfl_put16(st->tpl_set, p->tpl_set_id);
	nfl_put16(st->tpl_set + 2, q - st->tpl_set);

	for (k = 0; k < NFL_OPT_KINDS; k++) {
		const struct nfl_opt_def *def = &nfl_opt_defs[k];
		const u16 *ies = def->ies;

		if (!p->v9_options && def->ipfix_ies)
			ies = def->ipfix_ies;
		memset(&st->opt[k], 0, sizeof(st->opt[k]));
		nfl_tpl_append(&st->opt[k], ies, def->n, p);
		q = nfl_opt_tpl_set(q, &st->opt[k], def, p);
	}
	if (nfl_samp_tpl(st)) {
		q = nfl_opt_tpl_set(q, &st->samp[0], &st->samp_def[0], p);
		q = nfl_opt_tpl_set(q, &st->samp[1], &st->samp_def[1], p);
	}
	st->tpl_set_len = q - st->tpl_set;

	nfl_nel_cache(st, 0, nfl_tpl_nel, ARRAY_SIZE(nfl_tpl_nel));
	nfl_nel_cache(st, 1, nfl_tpl_nel6, ARRAY_SIZE(nfl_tpl_nel6));
	for (k = 0; k < 2; k++)
		st->flow_room = max(st->flow_room, st->nel_set_len[k] +
				    ALIGN(4 + st->nel[k].rec_len, 4));
	for (k = 0; k < NFL_CT_TPL_KINDS; k++) {
		nfl_ct_cache(st, k);
		st->flow_room = max_t(size_t, st->flow_room, st->ct_set_len[k] +
				      ALIGN(4 + nfl_ct_max_records(p) *
					    st->ct[k].rec_len, 4));
	}
}

/* Templates for st->fields, and the PDU size they need. */
static void nfl_tpl_make(struct nfl_tpl_state *st)
{
	nfl_tpl_cache(st);
	st->min_size = st->p->hdr_len + st->tpl_set_len +
		       nfl_set_max(&st->opt[NFL_OPT_SYSTEM]) +
		       nfl_set_max(&st->opt[NFL_OPT_RELIABILITY]) + st->flow_room;
	if (st->sampler.mode != NFL_SAMP_OFF)
		st->min_size += nfl_set_max(&st->samp[0]) +
				nfl_set_max(&st->samp[1]);
}

/* What varies the flow templates: fields=, and a sampler's id. */
static unsigned int nfl_tpl_fields(const struct nfl_enc *e)
{
	return e->fields |
	       (e->sampler.mode != NFL_SAMP_OFF ? NFL_TPL_SAMPLED : 0);
}

int nfl_tpl_init(struct nfl_enc *e, const struct nfl_tpl_proto *p)
{
	struct nfl_tpl_state *st = kzalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	st->p = p;
	st->fields = nfl_tpl_fields(e);
	st->sampler = e->sampler;
	nfl_tpl_make(st);
	e->priv = st;
	return 0;
}

/*
 * New templates (fields= or the sampler changed), under new ids, from the
 * next PDU on; the stream (and its sequence) goes on.  An interface table pass under way goes on too.
 */
void nfl_tpl_set_fields(struct nfl_enc *e)
{
	struct nfl_tpl_state *st = e->priv;

	if (st->fields == nfl_tpl_fields(e) &&
	    st->sampler.mode == e->sampler.mode &&
	    st->sampler.interval == e->sampler.interval)
		return;
	st->fields = nfl_tpl_fields(e);
	st->sampler = e->sampler;
	nfl_tpl_make(st);
	e->resync = true;
}

void nfl_tpl_release(struct nfl_enc *e)
{
	kfree(e->priv);
	e->priv = NULL;
}

u64 nfl_tpl_wall_ms(const struct nfl_export_time *t)
{
	return nfl_export_wall_ms(t);
}

/* An element of the sampler's options record. */
static u64 nfl_opt_samp_value(u16 id, const struct nfl_sampler *smp)
{
	u32 n = smp->interval;

	switch (id) {
	case NFL_IE_SAMPLER_ID:
	case NFL_IE_SELECTOR_ID:
		return NFL_SAMPLER_ID;
	case NFL_IE_SAMPLER_MODE:
		return nfl_samp_v5(smp) >> 14;
	case NFL_IE_SAMPLER_INTERVAL:
	case NFL_IE_SAMPLING_INTERVAL:
	case NFL_IE_SAMPLING_POP:
		return n;
	case NFL_IE_SELECTOR_ALGO:
		return NFL_SEL_RANDOM_N_OF_N;
	case NFL_IE_FLOW_SEL_ALGO:
		if (smp->mode == NFL_SAMP_DETERMINISTIC)
			return NFL_SEL_SYSTEMATIC_COUNT;
		return smp->mode == NFL_SAMP_HASH ? NFL_SEL_HASH :
						    NFL_SEL_RANDOM_N_OF_N;
	case NFL_IE_SAMPLING_SIZE:
	case NFL_IE_FLOW_INTERVAL:
		return 1;
	case NFL_IE_FLOW_SPACING:
	case NFL_IE_HASH_OUT_MAX:
		return n - 1;
	}
	/* the hash's output range from 0, of which 0 is taken; seed 0 */
	return 0;
}

static u64 nfl_opt_value(u16 id, const struct nfl_enc *e,
			const struct nfl_tpl_state *st,
			const struct nfl_iface *row)
{
	const struct nfl_opt_input *o = &e->opt;

	switch (id) {
	case NFL_IE_DOMAIN_ID:
		return e->engine_id;
	case NFL_IE_INIT_MS:
		return e->t.boot_ms;
	case NFL_IE_EXP_MSGS:
		return st->msgs;
	case NFL_IE_EXP_FLOWS:
		return st->flows;
	case NFL_IE_EXP_OCTETS:
		return st->octets;
	case NFL_IE_OBS_FLOWS:
		return o->observed_flows;
	case NFL_IE_IGN_PKTS:
		return o->ignored_packets;
	case NFL_IE_IGN_OCTETS:
		return o->ignored_octets;
	case NFL_IE_LOST_FLOWS:
		return o->lost_flows;
	case NFL_IE_LOST_PKTS:
		return o->lost_packets;
	case NFL_IE_LOST_OCTETS:
		return o->lost_octets;
	case NFL_IE_IN_IF:
		return row->ifindex;
	}
	return nfl_opt_samp_value(id, &e->sampler);
}

/* The string element @id and its length (the buffers end in a NUL). */
static const char *nfl_opt_string(u16 id, const struct nfl_enc *e,
				 const struct nfl_iface *row, size_t *n)
{
	const char *s = "";

	switch (id) {
	case NFL_IE_DOMAIN_NAME:
		s = e->opt.domain_name;
		*n = strnlen(s, sizeof(e->opt.domain_name) - 1);
		return s;
	case NFL_IE_IF_NAME:
		s = row->name;
		*n = strnlen(s, sizeof(row->name) - 1);
		return s;
	case NFL_IE_IF_DESC:
		s = row->desc;
		*n = strnlen(s, sizeof(row->desc) - 1);
		return s;
	}
	*n = 0;
	return s;
}

/* Variable: length byte(s), then the string; else @len bytes, NUL-padded. */
static u8 *nfl_put_string(u8 *q, const u8 *end, unsigned int len,
			 const char *s, size_t n)
{
	if (nfl_len_var(len)) {
		n = min_t(size_t, n, U16_MAX);
		if (q + (n < 255 ? 1 : 3) + n > end)
			return NULL;
		if (n < 255) {
			*q++ = n;
		} else {
			*q++ = 255;
			q = nfl_put16(q, n);
		}
		memcpy(q, s, n);
		return q + n;
	}
	if (q + len > end)
		return NULL;
	n = min_t(size_t, n, len);
	memcpy(q, s, n);
	memset(q + n, 0, len - n);
	return q + len;
}

/* One record of options template @t at @q; NULL if it passes @end. */
static u8 *nfl_opt_record(u8 *q, const u8 *end, const struct nfl_tpl *t,
			 const struct nfl_enc *e, const struct nfl_tpl_state *st,
			 const struct nfl_iface *row)
{
	unsigned int i, len;
	const char *s;
	size_t n;
	u64 v;

	for (i = 0; i < t->n && q; i++) {
		len = t->lens[i];
		if (t->strings & BIT_ULL(i)) {
			s = nfl_opt_string(t->ids[i], e, row, &n);
			q = nfl_put_string(q, end, len, s, n);
			continue;
		}
		if (q + len > end)
			return NULL;
		v = nfl_opt_value(t->ids[i], e, st, row);
		if (len == 8)
			put_unaligned_be64(v, q);
		else if (len == 4)
			put_unaligned_be32(v, q);
		else if (len == 2)
			put_unaligned_be16(v, q);
		else
			*q = v;
		q += len;
	}
	return q;
}

/* The first of @n rows (sorted by ifindex) past ifindex @last, or @n. */
static unsigned int nfl_if_resume(const struct nfl_iface *rows,
				  unsigned int n, u32 last)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rows[i].ifindex > last)
			return i;
	return n;
}

/*
 * A data set of options template @kind at the end of the PDU: one record,
 * or for the interface table the rows from st->if_next on that fit before
 * @limit.  Counts as of the start of this PDU.
 */
static void nfl_opt_put_set(struct nfl_enc *e, struct nfl_tpl_state *st,
			   enum nfl_opt_kind kind, size_t limit)
{
	const struct nfl_tpl *t = &st->opt[kind];
	const struct nfl_iface *row = NULL;
	u8 *set = e->buf + e->len, *q = set + 4, *next;
	/* room for the padding the set may need */
	const u8 *end = e->buf + (limit & ~(size_t)3);

	do {
		if (kind == NFL_OPT_IFACES)
			row = &e->opt.ifaces[st->if_next];
		next = nfl_opt_record(q, end, t, e, st, row);
		if (!next)
			break;
		q = next;
		st->opt_records++;
		if (row)
			st->if_last = row->ifindex;
	} while (kind == NFL_OPT_IFACES && ++st->if_next < st->if_n);
	if (q == set + 4)
		return;		/* not one record fits: sizes checked at init */
	while ((q - set) % 4)
		*q++ = 0;
	nfl_put16(set, nfl_opt_defs[kind].id);
	nfl_put16(set + 2, q - set);
	e->len += q - set;
}

/* Sampler options record @k, as one of the statistics. */
static void nfl_opt_put_samp(struct nfl_enc *e, struct nfl_tpl_state *st,
			     unsigned int k)
{
	u8 *set = e->buf + e->len, *q;

	q = nfl_opt_record(set + 4, e->buf + (e->size & ~(size_t)3),
			   &st->samp[k], e, st, NULL);
	if (!q)
		return;		/* sizes checked at init */
	st->opt_records++;
	while ((q - set) % 4)
		*q++ = 0;
	nfl_put16(set, st->samp_def[k].id);
	nfl_put16(set + 2, q - set);
	e->len += q - set;
}

static bool nfl_opt_lost(const struct nfl_opt_input *o)
{
	return o->ignored_packets || o->ignored_octets || o->lost_flows ||
	       o->lost_packets || o->lost_octets;
}

static bool nfl_tpl_due(const struct nfl_enc *e, const struct nfl_tpl_state *st,
		       const struct nfl_export_time *t)
{
	u32 age = t->uptime_ms - st->tpl_ms;

	if (e->resync || !st->sent)
		return true;
	if (e->refresh_rate && st->pdus_since >= e->refresh_rate)
		return true;
	return e->timeout_rate && age >= e->timeout_rate * 60U * MSEC_PER_SEC;
}

unsigned int nfl_tpl_opt_due(const struct nfl_enc *e,
			    const struct nfl_export_time *t)
{
	const struct nfl_tpl_state *st = e->priv;

	if (nfl_tpl_due(e, st, t))
		return NFL_OPT_DUE_TEMPLATES | NFL_OPT_DUE_STATS;
	if ((u32)(t->uptime_ms - st->stats_ms) >= NFL_TPL_STATS_MS)
		return NFL_OPT_DUE_STATS;
	return 0;
}

/*
 * Due without flows: the first templates, the rest of an interface table
 * and the minute's statistics (which templates never outlast: both go
 * out together).  Template refreshes by PDU count wait for flows.
 */
u32 nfl_tpl_opt_wait(const struct nfl_enc *e, const struct nfl_export_time *t)
{
	const struct nfl_tpl_state *st = e->priv;
	u32 age = t->uptime_ms - st->stats_ms;

	if (e->resync || !st->sent || st->if_next < st->if_n)
		return 0;
	return age >= NFL_TPL_STATS_MS ? 0 : NFL_TPL_STATS_MS - age;
}

void nfl_tpl_begin(struct nfl_enc *e, const struct nfl_export_time *t)
{
	struct nfl_tpl_state *st = e->priv;
	unsigned int due = nfl_tpl_opt_due(e, t);
	bool midpass;

	e->t = *t;
	e->records = 0;
	e->len = 0;
	st->tpl_records = 0;
	st->opt_records = 0;
	st->set_start = 0;
	st->set_id = 0;
	if (e->size < st->min_size)
		return;		/* add() then finds no room: a bug, warned */
	e->len = st->p->hdr_len;

	if (due & NFL_OPT_DUE_TEMPLATES) {
		memcpy(e->buf + e->len, st->tpl_set, st->tpl_set_len);
		e->len += st->tpl_set_len;
		st->tpl_records = NFL_TPL_KINDS + NFL_OPT_KINDS +
				  (st->sampler.mode != NFL_SAMP_OFF ? 2 : 0);
		st->sent = true;
		st->pdus_since = 0;
		st->tpl_ms = t->uptime_ms;
		/* refreshed with the others, by the next such record */
		st->nel_sent[0] = false;
		st->nel_sent[1] = false;
		memset(st->ct_sent, 0, sizeof(st->ct_sent));
		e->resync = false;
		/*
		 * export.c has just taken the table anew.  A pass through it
		 * still under way goes on rather than restart, or a table
		 * longer than refresh_rate PDUs would never get to its end;
		 * by ifindex (the rows are sorted by it), not by position,
		 * so interfaces that came or went meanwhile make it neither
		 * repeat nor skip a row.
		 */
		midpass = st->if_next < st->if_n;
		st->if_n = e->opt.ifaces ? min(e->opt.n_ifaces, NFL_IF_MAX) : 0;
		st->if_next = midpass ? nfl_if_resume(e->opt.ifaces, st->if_n,
						      st->if_last) : 0;
	}
	if (due & NFL_OPT_DUE_STATS) {
		nfl_opt_put_set(e, st, NFL_OPT_SYSTEM, e->size);
		if (nfl_opt_lost(&e->opt))
			nfl_opt_put_set(e, st, NFL_OPT_RELIABILITY, e->size);
		if (st->sampler.mode != NFL_SAMP_OFF) {
			nfl_opt_put_samp(e, st, 0);
			nfl_opt_put_samp(e, st, 1);
		}
		st->stats_ms = t->uptime_ms;
	}
	/* the table, or its rest, leaving room for a flow */
	if (st->if_next < st->if_n)
		nfl_opt_put_set(e, st, NFL_OPT_IFACES, e->size - st->flow_room);
}

/* Pad the open data set to 4 bytes and write its length. */
static void nfl_tpl_close_set(struct nfl_enc *e, struct nfl_tpl_state *st)
{
	if (!st->set_start)
		return;
	while (e->len % 4)
		e->buf[e->len++] = 0;
	nfl_put16(e->buf + st->set_start + 2, e->len - st->set_start);
	st->set_start = 0;
	st->set_id = 0;
}

static enum nfl_tpl_kind nfl_tpl_kind_of(const struct nfl_flow *f)
{
	bool icmp = f->key.proto == IPPROTO_ICMP ||
		    f->key.proto == IPPROTO_ICMPV6;

	if (f->key.family == AF_INET6)
		return icmp ? NFL_TPL_V6_ICMP : NFL_TPL_V6;
	return icmp ? NFL_TPL_V4_ICMP : NFL_TPL_V4;
}

/*
 * Element @id of @f's fields= area, @len bytes at @q: zero if the flow has
 * no such part (a flow made before a change of fields).
 */
static void nfl_tpl_put_ext(u8 *q, u16 id, unsigned int len,
			   const struct nfl_flow *f)
{
	unsigned int fields = nfl_flow_fields(f);
	const struct nfl_ext_nat *nat;
	const struct nfl_ext_phys *phys;
	const struct nfl_ext_mpls *mpls;
	const struct nfl_ext_vlan *vlan;
	const struct nfl_ext_mac *mac;
	const struct nfl_ext_l2 *l2;
	struct nfl_ext_layout l;
	bool v6 = f->key.family == AF_INET6;
	const u8 *ext;
	u8 smask, dmask;

	memset(q, 0, len);
	nfl_ext_layout(&l, fields, f->key.family);
	ext = nfl_flow_ext(f, &l);
	mac = (const struct nfl_ext_mac *)(ext + l.mac);
	l2 = (const struct nfl_ext_l2 *)(ext + l.l2);
	vlan = (const struct nfl_ext_vlan *)(ext + l.vlan);
	mpls = (const struct nfl_ext_mpls *)(ext + l.mpls);
	phys = (const struct nfl_ext_phys *)(ext + l.phys);
	nat = (const struct nfl_ext_nat *)(ext + l.nat);
	switch (id) {
	case NFL_IE_MAC_SRC:
		if (fields & NFL_FIELD_MAC)
			memcpy(q, mac->src, 6);
		break;
	case NFL_IE_MAC_DST:
		if (fields & NFL_FIELD_MAC)
			memcpy(q, mac->dst, 6);
		break;
	case NFL_IE_ETHERTYPE:
		if (fields & NFL_FIELDS_KEY)
			memcpy(q, &l2->ethertype, 2);
		break;
	case NFL_IE_VLAN:
	case NFL_IE_DOT1Q_VLAN:
		if (fields & NFL_FIELD_VLAN)
			put_unaligned_be16(vlan->outer, q);
		break;
	case NFL_IE_DOT1Q_CVLAN:
		if (fields & NFL_FIELD_VLAN)
			put_unaligned_be16(vlan->inner, q);
		break;
	case NFL_IE_MPLS1:
	case NFL_IE_MPLS2:
	case NFL_IE_MPLS3:
		/* the entry's first 3 bytes: label, TC, S */
		if (fields & NFL_FIELD_MPLS)
			memcpy(q, &mpls->lse[id - NFL_IE_MPLS1], 3);
		break;
	case NFL_IE_PHYS_IN:
		if (fields & NFL_FIELD_PHYSDEV)
			put_unaligned_be32(phys->in, q);
		break;
	case NFL_IE_PHYS_OUT:
		if (fields & NFL_FIELD_PHYSDEV)
			put_unaligned_be32(phys->out, q);
		break;
	case NFL_IE_POST_SRC4:
		if ((fields & NFL_FIELD_NAT) && !v6)
			memcpy(q, &nat->v4.saddr, 4);
		break;
	case NFL_IE_POST_DST4:
		if ((fields & NFL_FIELD_NAT) && !v6)
			memcpy(q, &nat->v4.daddr, 4);
		break;
	case NFL_IE_POST_SRC6:
		if ((fields & NFL_FIELD_NAT) && v6)
			memcpy(q, &nat->v6.saddr, 16);
		break;
	case NFL_IE_POST_DST6:
		if ((fields & NFL_FIELD_NAT) && v6)
			memcpy(q, &nat->v6.daddr, 16);
		break;
	case NFL_IE_POST_SPORT:
		if (fields & NFL_FIELD_NAT)
			memcpy(q, &nat->sport, 2);
		break;
	case NFL_IE_POST_DPORT:
		if (fields & NFL_FIELD_NAT)
			memcpy(q, &nat->dport, 2);
		break;
	/* a flow of before the rules: its addresses are whole */
	case NFL_IE_SRC_MASK4:
	case NFL_IE_SRC_MASK6:
		nfl_flow_masks(f, &smask, &dmask);
		*q = smask;
		break;
	case NFL_IE_DST_MASK4:
	case NFL_IE_DST_MASK6:
		nfl_flow_masks(f, &smask, &dmask);
		*q = dmask;
		break;
	}
}

static u8 *nfl_tpl_put_field(u8 *q, u16 id, unsigned int len,
			    const struct nfl_enc *e, const struct nfl_flow *f)
{
	const struct nfl_export_time *t = &e->t;
	const struct nfl_flow6_tail *t6 = nfl_flow6_tail_c(f);

	switch (id) {
	case NFL_IE_OCTETS:
		put_unaligned_be64(f->bytes, q);
		break;
	case NFL_IE_PACKETS:
		put_unaligned_be64(f->packets, q);
		break;
	case NFL_IE_PROTO:
		*q = f->key.proto;
		break;
	case NFL_IE_TOS:
		*q = f->key.tos;
		break;
	case NFL_IE_TCP_FLAGS:
		*q = f->tcp_flags;
		break;
	case NFL_IE_SPORT:
		memcpy(q, &f->key.sport, 2);
		break;
	case NFL_IE_DPORT:
	case NFL_IE_ICMP4:
	case NFL_IE_ICMP6:
		memcpy(q, &f->key.dport, 2);
		break;
	case NFL_IE_SRC4:
		memcpy(q, &f->key.v4.saddr, 4);
		break;
	case NFL_IE_DST4:
		memcpy(q, &f->key.v4.daddr, 4);
		break;
	case NFL_IE_NEXTHOP4:
		memcpy(q, &f->nexthop4, 4);
		break;
	case NFL_IE_SRC6:
		memcpy(q, &f->key.v6.saddr, 16);
		break;
	case NFL_IE_DST6:
		memcpy(q, &f->key.v6.daddr, 16);
		break;
	case NFL_IE_NEXTHOP6:
		memcpy(q, &t6->nexthop, 16);
		break;
	case NFL_IE_FLOW_LABEL6:
		memcpy(q, &t6->flow_label, 4);
		break;
	case NFL_IE_IPV6_EXT:
		put_unaligned_be32(t6->ext_hdrs, q);
		break;
	case NFL_IE_IP4_OPTS:
		put_unaligned_be32(nfl_flow_ip4_opts(f), q);
		break;
	case NFL_IE_TCP_OPTS:
		put_unaligned_be64(nfl_tcp_opts_ie(f->tcp_opts), q);
		break;
	case NFL_IE_IN_IF:
		put_unaligned_be32(f->key.iif, q);
		break;
	case NFL_IE_OUT_IF:
		put_unaligned_be32(f->oif, q);
		break;
	/* u32 arithmetic: sys_uptime wraps, and so must these */
	case NFL_IE_FIRST_UP:
		put_unaligned_be32(t->uptime_ms - nfl_time_age_ms(t, f->first), q);
		break;
	case NFL_IE_LAST_UP:
		put_unaligned_be32(t->uptime_ms - nfl_time_age_ms(t, f->last), q);
		break;
	case NFL_IE_FIRST_MS:
		put_unaligned_be64(nfl_tpl_wall_ms(t) - nfl_time_age_ms(t, f->first),
				   q);
		break;
	case NFL_IE_LAST_MS:
		put_unaligned_be64(nfl_tpl_wall_ms(t) - nfl_time_age_ms(t, f->last),
				   q);
		break;
	case NFL_IE_END_REASON:
		*q = f->end_reason;
		break;
	case NFL_IE_IP_VERSION:
		*q = f->key.family == AF_INET6 ? 6 : 4;
		break;
	case NFL_IE_DIRECTION:
		*q = nfl_key_dir(&f->key);
		break;
	case NFL_IE_SAMPLER_ID:
		*q = NFL_SAMPLER_ID;
		break;
	case NFL_IE_SELECTOR_ID:
		put_unaligned_be64(NFL_SAMPLER_ID, q);
		break;
	default:
		nfl_tpl_put_ext(q, id, len, f);
		break;
	}
	return q + len;
}

int nfl_tpl_add(struct nfl_enc *e, const struct nfl_flow *f)
{
	struct nfl_tpl_state *st = e->priv;
	enum nfl_tpl_kind kind = nfl_tpl_kind_of(f);
	const struct nfl_tpl *t = &st->tpl[kind];
	u16 id = st->tpl_id[kind];
	size_t end;
	unsigned int i;
	u8 *q;

	if (f->key.family != AF_INET && f->key.family != AF_INET6)
		return -EAFNOSUPPORT;
	if (!e->len)
		return -ENOSPC;
	/* with the padding the set may need when it is closed */
	if (st->set_id == id)
		end = ALIGN(e->len + t->rec_len, 4);
	else
		end = ALIGN(ALIGN(e->len, 4) + 4 + t->rec_len, 4);
	if (end > e->size)
		return -ENOSPC;

	if (st->set_id != id) {
		nfl_tpl_close_set(e, st);
		st->set_start = e->len;
		st->set_id = id;
		nfl_put16(e->buf + e->len, id);
		e->len += 4;
	}
	q = e->buf + e->len;
	for (i = 0; i < t->n; i++)
		q = nfl_tpl_put_field(q, t->ids[i], t->lens[i], e, f);
	e->len += t->rec_len;
	e->records++;
	return 0;
}

/* natEvent for @ev: NAT66 has no session values, so 1/2 (see encoder.h) */
static u8 nfl_nat_event_value(const struct nfl_enc *e,
			     const struct nfl_nat_event *ev)
{
	if (e->nat_legacy || ev->ipv6)
		return ev->destroy ? NFL_NAT_EV_DELETE_OLD : NFL_NAT_EV_CREATE_OLD;
	return ev->destroy ? NFL_NAT_EV_DELETE : NFL_NAT_EV_CREATE;
}

static u8 *nfl_tpl_put_nat(u8 *q, u16 id, unsigned int len,
			  const struct nfl_enc *e, const struct nfl_nat_event *ev)
{
	switch (id) {
	case NFL_IE_OBS_TIME_MS:
		put_unaligned_be64(ev->wall_ms, q);
		break;
	case NFL_IE_SRC4:
		memcpy(q, &ev->pre_saddr, 4);
		break;
	case NFL_IE_DST4:
		memcpy(q, &ev->pre_daddr, 4);
		break;
	case NFL_IE_POST_SRC4:
		memcpy(q, &ev->post_saddr, 4);
		break;
	case NFL_IE_POST_DST4:
		memcpy(q, &ev->post_daddr, 4);
		break;
	case NFL_IE_SRC6:
		memcpy(q, &ev->pre_saddr6, 16);
		break;
	case NFL_IE_DST6:
		memcpy(q, &ev->pre_daddr6, 16);
		break;
	case NFL_IE_POST_SRC6:
		memcpy(q, &ev->post_saddr6, 16);
		break;
	case NFL_IE_POST_DST6:
		memcpy(q, &ev->post_daddr6, 16);
		break;
	case NFL_IE_SPORT:
		memcpy(q, &ev->pre_sport, 2);
		break;
	case NFL_IE_DPORT:
		memcpy(q, &ev->pre_dport, 2);
		break;
	case NFL_IE_POST_SPORT:
		memcpy(q, &ev->post_sport, 2);
		break;
	case NFL_IE_POST_DPORT:
		memcpy(q, &ev->post_dport, 2);
		break;
	case NFL_IE_PROTO:
		*q = ev->proto;
		break;
	case NFL_IE_NAT_EVENT:
		*q = nfl_nat_event_value(e, ev);
		break;
	default:
		memset(q, 0, len);
		break;
	}
	return q + len;
}

/*
 * A NEL record.  Its template (IPv4 or IPv6, by the event) goes out in
 * front of the first such event after every full template send, so a
 * stream without NAT events never carries it and one with them refreshes
 * it as often as the others.
 */
int nfl_tpl_add_nat(struct nfl_enc *e, const struct nfl_nat_event *ev)
{
	struct nfl_tpl_state *st = e->priv;
	unsigned int v = ev->ipv6;
	const struct nfl_tpl *t = &st->nel[v];
	u16 id = v ? NFL_TPL_ID_NEL6 : NFL_TPL_ID_NEL;
	size_t end = e->len;
	unsigned int i;
	u8 *q;

	if (!e->len)
		return -ENOSPC;
	if (st->set_id != id) {
		end = ALIGN(end, 4) + 4;
		if (!st->nel_sent[v])
			end += st->nel_set_len[v];
	}
	if (ALIGN(end + t->rec_len, 4) > e->size)
		return -ENOSPC;

	if (st->set_id != id) {
		nfl_tpl_close_set(e, st);
		if (!st->nel_sent[v]) {
			memcpy(e->buf + e->len, st->nel_set[v],
			       st->nel_set_len[v]);
			e->len += st->nel_set_len[v];
			st->tpl_records++;
			st->nel_sent[v] = true;
		}
		st->set_start = e->len;
		st->set_id = id;
		nfl_put16(e->buf + e->len, id);
		e->len += 4;
	}
	q = e->buf + e->len;
	for (i = 0; i < t->n; i++)
		q = nfl_tpl_put_nat(q, t->ids[i], t->lens[i], e, ev);
	e->len += t->rec_len;
	e->records++;
	return 0;
}

static unsigned int nfl_ct_kind_of(const struct nfl_ct_record *r)
{
	return (r->ipv6 ? NFL_CT_TPL_V6 : 0) | (r->nat ? NFL_CT_TPL_NAT : 0) |
	       (nfl_ct_icmp(r) ? NFL_CT_TPL_ICMP : 0);
}

/* Field @id of direction @d's record (IPFIX: the biflow, @d 0). */
static u8 *nfl_tpl_put_ct(u8 *q, u16 id, unsigned int len,
			 const struct nfl_enc *e, const struct nfl_ct_record *r,
			 unsigned int d)
{
	const struct nfl_export_time *t = &e->t;
	const struct nfl_ct_side *in = &r->dir[d], *out = &r->dir[!d];
	/* reverse times only for a direction that saw packets */
	u64 rev_first = out->packets ? r->start_ms : 0;
	u64 rev_last = out->packets ? r->end_ms : 0;
	__be16 port;

	switch (id) {
	case NFL_IE_SRC4:
		memcpy(q, &in->saddr, 4);
		break;
	case NFL_IE_DST4:
		memcpy(q, &in->daddr, 4);
		break;
	case NFL_IE_POST_SRC4:
		memcpy(q, &out->daddr, 4);
		break;
	case NFL_IE_POST_DST4:
		memcpy(q, &out->saddr, 4);
		break;
	case NFL_IE_SRC6:
		memcpy(q, &in->saddr6, 16);
		break;
	case NFL_IE_DST6:
		memcpy(q, &in->daddr6, 16);
		break;
	case NFL_IE_POST_SRC6:
		memcpy(q, &out->daddr6, 16);
		break;
	case NFL_IE_POST_DST6:
		memcpy(q, &out->saddr6, 16);
		break;
	case NFL_IE_SPORT:
		memcpy(q, &in->sport, 2);
		break;
	case NFL_IE_DPORT:
	case NFL_IE_ICMP4:
	case NFL_IE_ICMP6:
		memcpy(q, &in->dport, 2);
		break;
	case NFL_IE_POST_SPORT:
		port = nfl_ct_post_sport(r, d);
		memcpy(q, &port, 2);
		break;
	case NFL_IE_POST_DPORT:
		port = nfl_ct_post_dport(r, d);
		memcpy(q, &port, 2);
		break;
	case NFL_IE_PROTO:
		*q = r->proto;
		break;
	case NFL_IE_IP_VERSION:
		*q = r->ipv6 ? 6 : 4;
		break;
	case NFL_IE_PACKETS:
		put_unaligned_be64(in->packets, q);
		break;
	case NFL_IE_OCTETS:
		put_unaligned_be64(in->bytes, q);
		break;
	case NFL_IE_REV_PACKETS:
		put_unaligned_be64(out->packets, q);
		break;
	case NFL_IE_REV_OCTETS:
		put_unaligned_be64(out->bytes, q);
		break;
	case NFL_IE_FIRST_MS:
		put_unaligned_be64(r->start_ms, q);
		break;
	case NFL_IE_LAST_MS:
		put_unaligned_be64(r->end_ms, q);
		break;
	case NFL_IE_REV_FIRST_MS:
		put_unaligned_be64(rev_first, q);
		break;
	case NFL_IE_REV_LAST_MS:
		put_unaligned_be64(rev_last, q);
		break;
	/* u32 arithmetic: sys_uptime wraps, and so must these */
	case NFL_IE_FIRST_UP:
		put_unaligned_be32(t->uptime_ms - nfl_wall_age_ms(t, r->start_ms),
				   q);
		break;
	case NFL_IE_LAST_UP:
		put_unaligned_be32(t->uptime_ms - nfl_wall_age_ms(t, r->end_ms), q);
		break;
	case NFL_IE_END_REASON:
		*q = r->end_reason;
		break;
	case NFL_IE_BIFLOW_DIR:
		*q = nfl_ct_biflow_dir(r, d);
		break;
	default:
		memset(q, 0, len);
		break;
	}
	return q + len;
}

/*
 * A connection record: one biflow record (IPFIX), or one record per
 * direction that counted packets (v9), in a data set of its kind's
 * template, which goes out in front of the first such record after every
 * full template send.
 */
int nfl_tpl_add_ct(struct nfl_enc *e, const struct nfl_ct_record *r)
{
	struct nfl_tpl_state *st = e->priv;
	unsigned int kind = nfl_ct_kind_of(r);
	const struct nfl_tpl *t = &st->ct[kind];
	u16 id = NFL_TPL_ID_CT + kind;
	unsigned int dirs = st->p->biflow ? 1 : nfl_ct_uni_dirs(r);
	unsigned int n = hweight32(dirs), d, i;
	size_t end = e->len;
	u8 *q;

	if (!n)
		return 0;		/* v9: no traffic, no record */
	if (!e->len)
		return -ENOSPC;
	if (st->set_id != id) {
		end = ALIGN(end, 4) + 4;
		if (!st->ct_sent[kind])
			end += st->ct_set_len[kind];
	}
	if (ALIGN(end + n * t->rec_len, 4) > e->size)
		return -ENOSPC;

	if (st->set_id != id) {
		nfl_tpl_close_set(e, st);
		if (!st->ct_sent[kind]) {
			memcpy(e->buf + e->len, st->ct_set[kind],
			       st->ct_set_len[kind]);
			e->len += st->ct_set_len[kind];
			st->tpl_records++;
			st->ct_sent[kind] = true;
		}
		st->set_start = e->len;
		st->set_id = id;
		nfl_put16(e->buf + e->len, id);
		e->len += 4;
	}
	for (d = 0; d < 2; d++) {
		if (!(dirs & BIT(d)))
			continue;
		q = e->buf + e->len;
		for (i = 0; i < t->n; i++)
			q = nfl_tpl_put_ct(q, t->ids[i], t->lens[i], e, r, d);
		e->len += t->rec_len;
		e->records++;
	}
	return 0;
}

size_t nfl_tpl_finish(struct nfl_enc *e)
{
	struct nfl_tpl_state *st = e->priv;
	unsigned int data = e->records + st->opt_records;

	if (!e->len || (!e->records && !st->tpl_records && !st->opt_records))
		return 0;
	nfl_tpl_close_set(e, st);
	st->p->header(e, st->tpl_records + data);
	st->p->advance(e, data);
	st->pdus_since++;
	st->msgs++;
	st->flows += e->records;
	st->octets += e->len;
	return e->len;
}
