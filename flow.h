/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a flow is (its key, its entry in a cache, what one packet adds to
 * it) and the flow cache's decisions, apart from where its tables live:
 * hashing and comparing keys, finding and adding flows in a chain,
 * counting packets, when a flow must start anew and when it leaves.
 *
 * Nothing here owns memory, reads a global or a clock: the table, the
 * time ("now", low 32 bits of jiffies) and the settings are arguments.
 * cache.c keeps one table per CPU and calls this; the encoders read the
 * flow model; KUnit builds tables of its own and drives the clock by
 * hand.  What the packet path calls is static inline, so it costs what
 * the code written in place did.
 */
#ifndef _IPT_NETFLOW_FLOW_H
#define _IPT_NETFLOW_FLOW_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/in6.h>
#include <linux/types.h>

#include "murmur3.h"

/*
 * Flow key.  The first three words are common to both families and hold
 * the family, so a compare of those words tells v4 from v6 before any
 * address is read.  The key is hashed and compared as u32 words.
 */
struct nfl_key {
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
	/*
	 * flowDirection in bit 0 (NFL_DIR_*), the namespace tag above it:
	 * 0 for init_net, else nfl_ns_tag() (packet.c).  One byte for both,
	 * so the IPv4 key stays 5 words and its flow 64 bytes.
	 */
	u8 ns_dir;
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

#define NFL_KEY_HEAD_WORDS	3
#define NFL_KEY4_WORDS		(NFL_KEY_HEAD_WORDS + 2)
#define NFL_KEY6_WORDS		(NFL_KEY_HEAD_WORDS + 8)

static_assert(offsetof(struct nfl_key, v4) == NFL_KEY_HEAD_WORDS * 4);
static_assert(sizeof(struct nfl_key) == NFL_KEY6_WORDS * 4);

/*
 * flowDirection (IANA IE 61), relative to the interface the key holds:
 * NFL_DIR_INGRESS for a packet metered as it came in, NFL_DIR_EGRESS as
 * it goes out.  packet.c says which capture point is which.
 */
#define NFL_DIR_INGRESS		0
#define NFL_DIR_EGRESS		1
#define NFL_KEY_DIR_MASK	0x01	/* of nfl_key.ns_dir */

static inline u8 nfl_key_dir(const struct nfl_key *k)
{
	return k->ns_dir & NFL_KEY_DIR_MASK;
}

/* A flow of the host's namespace (init_net), whatever its direction. */
static inline bool nfl_key_init_net(const struct nfl_key *k)
{
	return !(k->ns_dir & ~NFL_KEY_DIR_MASK);
}

static inline unsigned int nfl_family_words(u8 family)
{
	return family == AF_INET ? NFL_KEY4_WORDS : NFL_KEY6_WORDS;
}

static inline unsigned int nfl_key_words(const struct nfl_key *k)
{
	return nfl_family_words(k->family);
}

/* flowEndReason (IANA IE 136); also what v5 reports implicitly */
enum nfl_end_reason {
	NFL_END_IDLE = 1,
	NFL_END_ACTIVE = 2,
	NFL_END_DETECTED = 3,		/* TCP FIN or RST */
	NFL_END_FORCED = 4,		/* flush, protocol change, unload */
	NFL_END_RESOURCES = 5,		/* counter about to overflow */
};

/*
 * One flow in a per-CPU cache.  The IPv4 entry is kept within one 64-byte
 * cache line: the chain pointer, counters and times come first, then a
 * key cut to its family's length.  IPv6 entries are allocated from a
 * larger cache and carry struct nfl_flow6_tail after the key; so do IPv4
 * flows that saw IPv4 options, with struct nfl_flow4_tail (NFL_FLOW_IP4_OPTS).
 */
struct nfl_flow {
	struct nfl_flow *next;		/* hash chain, then the export queue */
	u64 bytes;
	u32 packets;
	u32 first;			/* jiffies of the first packet */
	u32 last;			/* jiffies of the latest packet */
	u32 oif;
	union {
		struct {
			u8 tcp_flags;	/* OR of all TCP flags seen */
			u8 end_reason;
			u16 flags;	/* NFL_FLOW_* */
			u32 tcp_opts;	/* OR over packets, NFL_TCPOPT_* */
		};
		u64 tcp_or;		/* a packet's nfl_tcp_or(), ORed in */
	};
	__be32 nexthop4;
	struct nfl_key key;		/* must stay last */
};

/*
 * nfl_flow.flags: NFL_FLOW_IP4_OPTS, NFL_FLOW_UNSELECTED, and from
 * NFL_FLOW_FIELDS_SHIFT on the optional fields the flow carries
 * (NFL_FIELD_*, see below).
 */
#define NFL_FLOW_IP4_OPTS	BIT(0)	/* IPv4 with struct nfl_flow4_tail */
/* metered for its key only: the flow sampler did not take it (sampler.c) */
#define NFL_FLOW_UNSELECTED	BIT(1)
#define NFL_FLOW_FIELDS_SHIFT	8

/*
 * tcpOptions (IE 209) as a flow keeps it: kinds 0..30 at bit k, kind 34
 * (TCP Fast Open) at bit 31.  IANA assigns no other kind below 64 (31-33
 * and 35-63 are reserved), so this loses nothing assigned; the encoder
 * expands it to the IE's 64 bits (nfl_tcp_opts_ie).
 */
#define NFL_TCPOPT_FASTOPEN	BIT(31)

static inline u64 nfl_tcp_opts_ie(u32 kept)
{
	return (kept & ~NFL_TCPOPT_FASTOPEN) |
	       (u64)!!(kept & NFL_TCPOPT_FASTOPEN) << 34;
}

/*
 * A packet's TCP flags and options as one word laid out like nfl_flow's
 * tcp_flags, end_reason, flags and tcp_opts, whose end_reason and flags
 * bytes are 0: one OR adds both to the flow, and the packet path of a
 * UDP packet stores and ORs no more than it did for the flags alone.
 */
union nfl_tcp_or {
	struct {
		u8 tcp_flags;
		u8 zero[3];
		u32 tcp_opts;
	};
	u64 word;
};

static_assert(offsetof(struct nfl_flow, tcp_flags) -
	      offsetof(struct nfl_flow, tcp_or) ==
	      offsetof(union nfl_tcp_or, tcp_flags));
static_assert(offsetof(struct nfl_flow, tcp_opts) -
	      offsetof(struct nfl_flow, tcp_or) ==
	      offsetof(union nfl_tcp_or, tcp_opts));

static inline u64 nfl_tcp_or(u8 tcp_flags, u32 tcp_opts)
{
	union nfl_tcp_or t = { .tcp_flags = tcp_flags, .tcp_opts = tcp_opts };

	return t.word;
}

/*
 * What an IPv6 flow carries after its key (a larger slab object, so the
 * IPv4 entry stays at 64 bytes).
 */
struct nfl_flow6_tail {
	struct in6_addr nexthop;
	__be32 flow_label;		/* of the first packet, 20 bits */
	u32 ext_hdrs;			/* OR over packets, NFL_V6EH_* */
};

/*
 * What an IPv4 flow that saw IPv4 options carries after its key, in a
 * slab object of its own: options are rare (router alert, record route,
 * timestamps), and the common IPv4 entry has no room left in 64 bytes.
 */
struct nfl_flow4_tail {
	u32 ip4_opts;			/* ipv4Options (IE 208), OR over packets */
};

#define NFL_FLOW4_SIZE	(offsetof(struct nfl_flow, key) + NFL_KEY4_WORDS * 4)
/* One cache line per IPv4 flow, with or without fields=: keep it so. */
static_assert(NFL_FLOW4_SIZE == 64);
#define NFL_FLOW4O_SIZE	(NFL_FLOW4_SIZE + sizeof(struct nfl_flow4_tail))
#define NFL_FLOW6_SIZE	(sizeof(struct nfl_flow) + sizeof(struct nfl_flow6_tail))

/* Only for a flow with NFL_FLOW_IP4_OPTS. */
static inline struct nfl_flow4_tail *nfl_flow4_tail(struct nfl_flow *f)
{
	return (struct nfl_flow4_tail *)((u8 *)f + NFL_FLOW4_SIZE);
}

/* ipv4Options of any flow: 0 for one that saw none */
static inline u32 nfl_flow_ip4_opts(const struct nfl_flow *f)
{
	if (f->key.family != AF_INET || !(f->flags & NFL_FLOW_IP4_OPTS))
		return 0;
	return ((const struct nfl_flow4_tail *)((const u8 *)f +
					       NFL_FLOW4_SIZE))->ip4_opts;
}

static inline struct nfl_flow6_tail *nfl_flow6_tail(struct nfl_flow *f)
{
	return (struct nfl_flow6_tail *)(f + 1);
}

static inline const struct nfl_flow6_tail *
nfl_flow6_tail_c(const struct nfl_flow *f)
{
	return (const struct nfl_flow6_tail *)(f + 1);
}

static inline struct in6_addr *nfl_flow_nexthop6(struct nfl_flow *f)
{
	return &nfl_flow6_tail(f)->nexthop;
}

/*
 * ipv6ExtensionHeaders (IE 64) bits.  RFC 5102 numbers them from the
 * left of its figure; as everywhere in IETF figures, bit 0 is the most
 * significant bit of the value as sent, so bit n is 1 << (31 - n).
 */
#define NFL_V6EH_BIT(n)	(1U << (31 - (n)))
#define NFL_V6EH_FRA1	NFL_V6EH_BIT(1)	/* fragment header, not the first */
#define NFL_V6EH_RH	NFL_V6EH_BIT(2)	/* routing header (43) */
#define NFL_V6EH_FRA0	NFL_V6EH_BIT(3)	/* fragment header, first fragment */
#define NFL_V6EH_HOP	NFL_V6EH_BIT(6)	/* hop-by-hop options (0) */
#define NFL_V6EH_DST	NFL_V6EH_BIT(7)	/* destination options (60) */
#define NFL_V6EH_PAY	NFL_V6EH_BIT(8)	/* payload compression (108) */
#define NFL_V6EH_AH	NFL_V6EH_BIT(9)	/* authentication header (51) */
#define NFL_V6EH_ESP	NFL_V6EH_BIT(10)	/* encapsulating security payload (50) */

/*
 * Optional record fields (fields=).  With none, every flow is as above.
 * With some, each flow created carries them in an area in front of its
 * struct nfl_flow, so that structure, its tails and their offsets stay
 * as they are, and the 64-byte IPv4 flow of fields= "" with them.  The
 * area is laid out by nfl_ext_layout() from the fields and the family:
 * first the parts that belong to the key (hashed and compared after the
 * key), then the attributes, which packets update.  A flow keeps its
 * fields in its flags, so it tells its own layout: flows made before a
 * change of fields are still read (and freed) right until they leave.
 */
#define NFL_FIELD_MAC		BIT(0)	/* key: source, destination MAC */
#define NFL_FIELD_VLAN		BIT(1)	/* key: VLAN ids */
#define NFL_FIELD_MPLS		BIT(2)	/* key: MPLS label stack entries */
#define NFL_FIELD_PHYSDEV	BIT(3)	/* bridge ports (br_netfilter) */
#define NFL_FIELD_NAT		BIT(4)	/* post-NAT addresses and ports */
/*
 * Not a name of fields=: on while aggregation= has rules (aggr.h).  Its
 * part says what prefix lengths the rules left the addresses of the key
 * with; a key part, so flows cut to different lengths stay apart.
 */
#define NFL_FIELD_AGGR		BIT(5)
#define NFL_FIELD_COUNT		6
#define NFL_FIELDS_ALL		(BIT(NFL_FIELD_COUNT) - 1)
/* The ones fields= has names for */
#define NFL_FIELDS_NAMED	(NFL_FIELDS_ALL & ~NFL_FIELD_AGGR)
#define NFL_FIELDS_KEY		(NFL_FIELD_MAC | NFL_FIELD_VLAN | NFL_FIELD_MPLS)

/* Label stack entries kept, from the top (mplsTopLabelStackSection on). */
#define NFL_MPLS_DEPTH		3

/* The parts of the area, in this order; each present only with its field. */
struct nfl_ext_mac {
	u8 dst[6];
	u8 src[6];
};

/* With any key field. */
struct nfl_ext_l2 {
	__be16 ethertype;		/* the EtherType after the VLAN tags */
	u8 flags;			/* NFL_L2_* */
	u8 pad;
};

#define NFL_L2_QINQ		BIT(0)	/* the outer tag is 802.1ad (S-tag) */

struct nfl_ext_vlan {
	u16 outer, inner;		/* VLAN ids, outer tag first; 0: none */
};

struct nfl_ext_mpls {
	__be32 lse[NFL_MPLS_DEPTH];	/* label, TC, S; TTL 0; 0: none */
};

/* aggregation: the prefix lengths of the key's addresses */
struct nfl_ext_aggr {
	u8 smask, dmask;
	u8 pad[2];
};

struct nfl_ext_phys {
	u32 in, out;			/* ifindex of the bridge ports, 0: none */
};

/* Post-NAT: where the packet goes once every translation is done. */
struct nfl_ext_nat {
	__be16 sport, dport;
	union {
		struct {
			__be32 saddr, daddr;
		} v4;
		struct {
			struct in6_addr saddr, daddr;
		} v6;
	};
};

#define NFL_EXT_NAT4_SIZE	(offsetof(struct nfl_ext_nat, v4) + 8)
#define NFL_EXT_NAT6_SIZE	sizeof(struct nfl_ext_nat)

/* Where the parts are, as offsets from the area's start. */
struct nfl_ext_layout {
	u8 size;			/* bytes in front of the flow, 8-aligned */
	u8 key_words;			/* the first words, part of the key */
	u8 mac, l2, vlan, mpls, aggr, phys, nat;	/* of the parts present */
};

/* Largest area: every field, IPv6 */
#define NFL_EXT_MAX	ALIGN(sizeof(struct nfl_ext_mac) +		\
			      sizeof(struct nfl_ext_l2) +		\
			      sizeof(struct nfl_ext_vlan) +		\
			      sizeof(struct nfl_ext_mpls) +		\
			      sizeof(struct nfl_ext_aggr) +		\
			      sizeof(struct nfl_ext_phys) +		\
			      NFL_EXT_NAT6_SIZE, 8)

static inline void nfl_ext_layout(struct nfl_ext_layout *l,
				  unsigned int fields, u8 family)
{
	unsigned int off = 0;

	BUILD_BUG_ON(sizeof(struct nfl_ext_mac) % 4 ||
		     sizeof(struct nfl_ext_l2) % 4 ||
		     sizeof(struct nfl_ext_vlan) % 4 ||
		     sizeof(struct nfl_ext_mpls) % 4 ||
		     sizeof(struct nfl_ext_aggr) % 4);
	BUILD_BUG_ON(NFL_EXT_MAX > U8_MAX);
	memset(l, 0, sizeof(*l));
	if (fields & NFL_FIELD_MAC) {
		l->mac = off;
		off += sizeof(struct nfl_ext_mac);
	}
	if (fields & NFL_FIELDS_KEY) {
		l->l2 = off;
		off += sizeof(struct nfl_ext_l2);
	}
	if (fields & NFL_FIELD_VLAN) {
		l->vlan = off;
		off += sizeof(struct nfl_ext_vlan);
	}
	if (fields & NFL_FIELD_MPLS) {
		l->mpls = off;
		off += sizeof(struct nfl_ext_mpls);
	}
	if (fields & NFL_FIELD_AGGR) {
		l->aggr = off;
		off += sizeof(struct nfl_ext_aggr);
	}
	l->key_words = off / 4;
	if (fields & NFL_FIELD_PHYSDEV) {
		l->phys = off;
		off += sizeof(struct nfl_ext_phys);
	}
	if (fields & NFL_FIELD_NAT) {
		l->nat = off;
		off += family == AF_INET ? NFL_EXT_NAT4_SIZE : NFL_EXT_NAT6_SIZE;
	}
	l->size = ALIGN(off, 8);
}

static inline unsigned int nfl_flow_fields(const struct nfl_flow *f)
{
	return f->flags >> NFL_FLOW_FIELDS_SHIFT & NFL_FIELDS_ALL;
}

/* The area of a flow whose layout is @l (its own fields'). */
static inline u8 *nfl_flow_ext(const struct nfl_flow *f,
			       const struct nfl_ext_layout *l)
{
	return (u8 *)f - l->size;
}

/*
 * The prefix lengths of @f's addresses as aggregation= left them, for
 * the encoders; false for a flow metered without rules (full length).
 */
static inline bool nfl_flow_masks(const struct nfl_flow *f, u8 *smask,
				  u8 *dmask)
{
	unsigned int fields = nfl_flow_fields(f);
	const struct nfl_ext_aggr *ag;
	struct nfl_ext_layout l;

	if (!(fields & NFL_FIELD_AGGR)) {
		*smask = *dmask = f->key.family == AF_INET ? 32 : 128;
		return false;
	}
	nfl_ext_layout(&l, fields, f->key.family);
	ag = (const struct nfl_ext_aggr *)(nfl_flow_ext(f, &l) + l.aggr);
	*smask = ag->smask;
	*dmask = ag->dmask;
	return true;
}

/*
 * What a packet brings of the fields, laid out as its flow keeps them,
 * with the layout; @phys and @nat: it has those attributes (else a flow
 * keeps what it had).
 */
struct nfl_xpkt {
	unsigned int fields;
	struct nfl_ext_layout l;
	bool phys, nat;
	u32 w[NFL_EXT_MAX / 4];
};

/* What one packet adds to its flow, besides its key. */
struct nfl_pkt {
	u32 len;			/* IP-layer bytes, all GSO segments */
	u32 segs;			/* wire packets this skb stands for */
	u32 oif;
	__be32 nexthop4;
	struct in6_addr nexthop6;
	__be32 flow_label;		/* IPv6 only, as the other v6 fields */
	u32 ext_hdrs;			/* IPv6 only: NFL_V6EH_* */
	u64 tcp_or;			/* nfl_tcp_or(): TCP flags, NFL_TCPOPT_* */
	bool frag;			/* a fragment: ports may be missing */
};

/*
 * TCP flags as the header's flags byte holds them (TCPHDR_* in
 * net/tcp.h, which would pull the socket layer into the encoders).
 */
#define NFL_TCP_FIN	0x01
#define NFL_TCP_RST	0x04

/* A hash table of flows; its owner allocates and sizes @buckets. */
struct nfl_htable {
	struct nfl_flow **buckets;
	unsigned int hsize;		/* buckets, > 0 */
	u32 seed;
};

/* Flows that left a table, in order, with what they carried. */
struct nfl_flow_list {
	struct nfl_flow *head, *tail;
	unsigned int flows;
	unsigned int flows6;		/* of them IPv6 */
	unsigned int flows4o;		/* of them IPv4 with NFL_FLOW_IP4_OPTS */
	u64 packets, bytes;
};

/* When flows leave, in jiffies. */
struct nfl_ageing {
	u32 active;			/* since the first packet */
	u32 inactive;			/* since the latest packet */
	u32 end_grace;			/* since the latest, once FIN/RST seen */
};

/*
 * The packet path's helpers are __always_inline, and each has a _fam form
 * that takes the family apart from the key: the targets pass a constant,
 * so the hash, the compare and the count run over a fixed number of
 * words, unrolled, without reading the family back from the key.
 */
static __always_inline u32 nfl_key_hash_fam(const struct nfl_key *key,
					   u8 family, u32 seed)
{
	return murmur3_words((const u32 *)key, nfl_family_words(family), seed);
}

static __always_inline u32 nfl_key_hash(const struct nfl_key *key, u32 seed)
{
	return nfl_key_hash_fam(key, key->family, seed);
}

/* @family: @b's, which the caller has branched on. */
static __always_inline bool nfl_key_equal_fam(const struct nfl_key *a,
					     const struct nfl_key *b, u8 family)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	unsigned int i, n;

	/* The head words hold the family: compare them before any address. */
	if ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]))
		return false;
	/* Same family now. */
	n = nfl_family_words(family);
	for (i = NFL_KEY_HEAD_WORDS; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

static __always_inline bool nfl_key_equal(const struct nfl_key *a,
					 const struct nfl_key *b)
{
	return nfl_key_equal_fam(a, b, b->family);
}

static __always_inline struct nfl_flow **
nfl_htable_bucket_fam(const struct nfl_htable *t, const struct nfl_key *key,
		     u8 family)
{
	return &t->buckets[reciprocal_scale(nfl_key_hash_fam(key, family,
							    t->seed),
					    t->hsize)];
}

static __always_inline struct nfl_flow **nfl_htable_bucket(const struct nfl_htable *t,
						const struct nfl_key *key)
{
	return nfl_htable_bucket_fam(t, key, key->family);
}

/*
 * The link in chain @pp that points to @key's flow, or to NULL at the end
 * if it is not there; *@passed grows by the entries passed over (examined
 * and not @key's), so a hit at the head counts nothing.
 */
static __always_inline struct nfl_flow **
nfl_flow_find_fam(struct nfl_flow **pp, const struct nfl_key *key, u8 family,
		 u64 *passed)
{
	struct nfl_flow *f;

	for (; (f = *pp); pp = &f->next) {
		if (nfl_key_equal_fam(&f->key, key, family))
			break;
		(*passed)++;
	}
	return pp;
}

static __always_inline struct nfl_flow **nfl_flow_find(struct nfl_flow **pp,
						     const struct nfl_key *key,
						     u64 *passed)
{
	return nfl_flow_find_fam(pp, key, key->family, passed);
}

/*
 * The same with fields (the packet's @x): the key parts of the area are
 * hashed after the key, and a flow matches only with the same fields
 * and the same key parts.  Out of line in cache.c, not per packet of a
 * cache without fields.
 */
static inline u32 nfl_key_hash_ext(const struct nfl_key *key, const u32 *ext,
				   unsigned int words, u32 seed)
{
	u32 h = nfl_key_hash(key, seed);

	return words ? murmur3_words(ext, words, h) : h;
}

static inline bool nfl_flow_match_ext(const struct nfl_flow *f,
				      const struct nfl_key *key,
				      const struct nfl_xpkt *x)
{
	/* the key first: a flow of the other family stops there */
	return nfl_key_equal(&f->key, key) && nfl_flow_fields(f) == x->fields &&
	       !memcmp(nfl_flow_ext(f, &x->l), x->w, x->l.key_words * 4);
}

static inline struct nfl_flow **nfl_flow_find_ext(struct nfl_flow **pp,
						  const struct nfl_key *key,
						  const struct nfl_xpkt *x,
						  u64 *passed)
{
	struct nfl_flow *f;

	for (; (f = *pp); pp = &f->next) {
		if (nfl_flow_match_ext(f, key, x))
			break;
		(*passed)++;
	}
	return pp;
}

/* A flow's key parts of the area as a packet would bring them, in @x. */
static inline void nfl_flow_xkey(const struct nfl_flow *f, struct nfl_xpkt *x)
{
	x->fields = nfl_flow_fields(f);
	nfl_ext_layout(&x->l, x->fields, f->key.family);
	memcpy(x->w, nfl_flow_ext(f, &x->l), x->l.key_words * 4);
}

/* The attributes @x has, into its flow @f. */
static inline void nfl_flow_ext_update(struct nfl_flow *f,
				       const struct nfl_xpkt *x)
{
	u8 *ext = nfl_flow_ext(f, &x->l);
	const u8 *w = (const u8 *)x->w;

	const struct nfl_ext_phys *xp;
	struct nfl_ext_phys *fp;

	if (x->phys) {
		/* PREROUTING knows the port in, FORWARD both: keep what is */
		xp = (const struct nfl_ext_phys *)(w + x->l.phys);
		fp = (struct nfl_ext_phys *)(ext + x->l.phys);
		if (xp->in)
			fp->in = xp->in;
		if (xp->out)
			fp->out = xp->out;
	}
	if (x->nat)
		memcpy(ext + x->l.nat, w + x->l.nat, x->l.size - x->l.nat);
}

/* A new flow for @key at @now, with nothing counted yet. */
static inline void nfl_flow_start(struct nfl_flow *f, const struct nfl_key *key,
				 const struct nfl_pkt *pkt, u32 now)
{
	memcpy(&f->key, key, nfl_key_words(key) * 4);
	f->bytes = 0;
	f->packets = 0;
	f->first = now;
	f->oif = pkt->oif;
	f->tcp_flags = 0;
	f->end_reason = 0;
	f->flags = 0;
	f->nexthop4 = pkt->nexthop4;
	f->tcp_opts = 0;
	if (key->family != AF_INET) {
		struct nfl_flow6_tail *t = nfl_flow6_tail(f);

		t->nexthop = pkt->nexthop6;
		t->flow_label = pkt->flow_label;
		t->ext_hdrs = 0;
	}
}

/* The same for a flow that carries @x's fields, in its area. */
static inline void nfl_flow_start_ext(struct nfl_flow *f,
				      const struct nfl_key *key,
				      const struct nfl_pkt *pkt, u32 now,
				      const struct nfl_xpkt *x)
{
	nfl_flow_start(f, key, pkt, now);
	f->flags = x->fields << NFL_FLOW_FIELDS_SHIFT;
	memcpy(nfl_flow_ext(f, &x->l), x->w, x->l.size);
}

/*
 * Make IPv4 flow @f, whose memory holds NFL_FLOW4O_SIZE bytes, one that
 * keeps ipv4Options: its counts so far stay, it has seen none yet.
 */
static inline void nfl_flow_set_ip4o(struct nfl_flow *f)
{
	f->flags |= NFL_FLOW_IP4_OPTS;
	nfl_flow4_tail(f)->ip4_opts = 0;
}

static inline void nfl_flow_link(struct nfl_flow **bucket, struct nfl_flow *f)
{
	f->next = *bucket;
	*bucket = f;
}

/* @family: the packet's (see above). */
static __always_inline void nfl_flow_count_fam(struct nfl_flow *f,
					      const struct nfl_pkt *pkt,
					      u32 now, u8 family)
{
	f->packets += pkt->segs;
	f->bytes += pkt->len;
	f->last = now;
	f->tcp_or |= pkt->tcp_or;		/* tcp_flags, tcp_opts */
	if (family == AF_INET6)
		nfl_flow6_tail(f)->ext_hdrs |= pkt->ext_hdrs;
}

static __always_inline void nfl_flow_count(struct nfl_flow *f,
					  const struct nfl_key *key,
					  const struct nfl_pkt *pkt, u32 now)
{
	nfl_flow_count_fam(f, pkt, now, key->family);
}

/*
 * @pkt would take a counter of @f past what the export format holds
 * (@max_bytes, @max_packets) or past its own width: @f must leave first
 * (NFL_END_RESOURCES) and the packet start a new flow.  One 64-bit sum per
 * counter: @max_packets is at most U32_MAX, so it also catches a wrap of
 * the 32-bit packet count; the byte sum would need 16 EiB to wrap.
 */
static __always_inline bool nfl_flow_must_split(const struct nfl_flow *f,
					       const struct nfl_pkt *pkt,
					       u64 max_bytes, u32 max_packets)
{
	return f->bytes + pkt->len > max_bytes ||
	       (u64)f->packets + pkt->segs > max_packets;
}

/*
 * Why @f leaves the cache at @now, or 0 if it stays.  Times are compared
 * as u32 differences, so they hold across the wrap of jiffies.
 */
static inline u8 nfl_flow_expiry(const struct nfl_flow *f, u32 now,
				const struct nfl_ageing *ag)
{
	u32 idle = now - f->last, age = now - f->first;

	if ((f->tcp_flags & (NFL_TCP_FIN | NFL_TCP_RST)) &&
	    idle >= ag->end_grace)
		return NFL_END_DETECTED;
	if (idle >= ag->inactive)
		return NFL_END_IDLE;
	if (age >= ag->active)
		return NFL_END_ACTIVE;
	return 0;
}

/* Append @f, already unlinked from its table, for @reason. */
static inline void nfl_flow_list_add(struct nfl_flow_list *l, struct nfl_flow *f,
				    u8 reason)
{
	f->end_reason = reason;
	f->next = NULL;
	l->flows++;
	if (f->key.family != AF_INET)
		l->flows6++;
	if (f->flags & NFL_FLOW_IP4_OPTS)
		l->flows4o++;
	l->packets += f->packets;
	l->bytes += f->bytes;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

/* Append all of @src, which is not empty, to @dst; @src is left as it was. */
static inline void nfl_flow_list_splice(struct nfl_flow_list *dst,
				       const struct nfl_flow_list *src)
{
	if (dst->tail)
		dst->tail->next = src->head;
	else
		dst->head = src->head;
	dst->tail = src->tail;
	dst->flows += src->flows;
	dst->flows6 += src->flows6;
	dst->flows4o += src->flows4o;
	dst->packets += src->packets;
	dst->bytes += src->bytes;
}

/*
 * @old, from a table being resized, has the key of @into, which a packet
 * created in the new table meanwhile: one flow, if the sums fit the
 * export format and both entries have the same shape (tail).
 */
static inline bool nfl_flow_mergeable(const struct nfl_flow *into,
				      const struct nfl_flow *old,
				      u64 max_bytes, u32 max_packets)
{
	return into->flags == old->flags &&
	       into->bytes + old->bytes <= max_bytes &&
	       (u64)into->packets + old->packets <= max_packets;
}

/* Add @old, which began earlier, into @into. */
static inline void nfl_flow_merge(struct nfl_flow *into,
				  const struct nfl_flow *old)
{
	into->packets += old->packets;
	into->bytes += old->bytes;
	into->first = old->first;
	into->tcp_or |= old->tcp_or;	/* same flags byte: see mergeable */
	if (into->key.family == AF_INET6) {
		nfl_flow6_tail(into)->ext_hdrs |= nfl_flow6_tail_c(old)->ext_hdrs;
		nfl_flow6_tail(into)->flow_label = nfl_flow6_tail_c(old)->flow_label;
	} else if (into->flags & NFL_FLOW_IP4_OPTS) {
		nfl_flow4_tail(into)->ip4_opts |= nfl_flow_ip4_opts(old);
	}
}

/*
 * Move the flows of buckets [@from, @to) that are due at @now to @out,
 * stopping at the end of the bucket in which @budget flows were
 * examined; the bucket to go on from.  @ag NULL: every flow is due, as
 * NFL_END_FORCED.
 */
unsigned int nfl_htable_expire(struct nfl_htable *t, unsigned int from,
			       unsigned int to, unsigned int budget, u32 now,
			       const struct nfl_ageing *ag,
			       struct nfl_flow_list *out);

/*
 * Resize: move the flows of @src's buckets from @from on into @dst,
 * stopping as nfl_htable_expire() does; the bucket to go on from.  @dst
 * is the table packets meter into meanwhile: a flow whose key it has by
 * now is merged into that one (nfl_flow_mergeable()) and put on @merged
 * for the caller to free, or else linked beside it.
 */
unsigned int nfl_htable_move(struct nfl_htable *dst, struct nfl_htable *src,
			     unsigned int from, unsigned int budget,
			     u64 max_bytes, u32 max_packets,
			     struct nfl_flow_list *merged);

#endif /* _IPT_NETFLOW_FLOW_H */
