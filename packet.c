// SPDX-License-Identifier: GPL-2.0-only
/*
 * From a packet at an xtables hook to a flow key and what the packet adds
 * to its flow.  Everything past the network header is read through
 * skb_header_pointer(), so short, truncated or hostile packets cost a
 * "trunc" count and nothing else.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_vlan.h>
#include <linux/mpls.h>
#include <linux/netfilter/x_tables.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/inet_ecn.h>
#include <net/netfilter/nf_conntrack.h>
#include <linux/netfilter_bridge.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "aggr.h"
#include "cache.h"
#include "flow.h"
#include "hdropts.h"
#include "hooks.h"
#include "packet.h"
#include "sampler.h"

static_assert(NFL_TCP_FIN == TCPHDR_FIN && NFL_TCP_RST == TCPHDR_RST);

/*
 * What the walk of a frame at ingress (nfl_l2_walk()) passed on its way
 * to the IP header, for fields=; NULL at the IP hooks, where the kernel
 * has taken the link layer apart already.
 */
#define NFL_VLAN_DEPTH		2	/* tags a flow tells: outer, inner */

struct nfl_l2 {
	__be16 type;			/* the EtherType after the VLAN tags */
	u8 ntags;			/* tags in the frame, up to NFL_VLAN_DEPTH */
	__be16 tpid[NFL_VLAN_DEPTH];	/* outer first */
	u16 vid[NFL_VLAN_DEPTH];
	/* MPLS label stack entries from the top, TTL 0, up to NFL_MPLS_DEPTH */
	u8 nlse;
	__be32 lse[NFL_MPLS_DEPTH];
};

/* First bytes of the headers we look at; smaller than the full headers. */
struct nfl_l4_head {
	union {
		u32 ports32;	/* source and destination port, raw */
		struct {
			u8 type;
			u8 code;
		} icmp;
		struct tcphdr tcp;
	};
};

/*
 * @h: the @len bytes at @off, where the transport header is nearly always:
 * in the linear part (no NULL to test), else copied to @buf.  False if the
 * packet is shorter.
 */
static __always_inline bool nfl_l4_head(const struct sk_buff *skb,
				       unsigned int off, unsigned int len,
				       struct nfl_l4_head *buf,
				       const struct nfl_l4_head **h)
{
	if (likely(off + len <= skb_headlen(skb))) {
		*h = (const struct nfl_l4_head *)(skb->data + off);
		return true;
	}
	if (skb_copy_bits(skb, off, buf, len) < 0)
		return false;
	*h = buf;
	return true;
}

/*
 * nfl_tcp_or() of TCP header @th at @thoff (doff > 5), its options read
 * through skb_header_pointer(); what the packet lacks of them is a list
 * cut short (the walk stops there).  It reads the flags itself, so that
 * nothing of the caller's lives across the call.
 */
static noinline u64 nfl_tcp_or_skb(const struct sk_buff *skb,
				  unsigned int thoff, const struct tcphdr *th)
{
	unsigned int off = thoff + sizeof(struct tcphdr);
	unsigned int len = th->doff * 4 - sizeof(struct tcphdr);
	u8 buf[MAX_TCP_OPTION_SPACE];
	const u8 *p = NULL;

	if (off < skb->len) {
		len = min(len, skb->len - off);
		p = skb_header_pointer(skb, off, len, buf);
	}
	return nfl_tcp_or(tcp_flag_byte(th), p ? nfl_tcp_opts(p, len) : 0);
}

/*
 * TCP flags and options of @th at @thoff.  Linux data segments carry NOP,
 * NOP, timestamps and nothing else (doff 8), which is told from one word;
 * any other list is walked out of line.
 */
static __always_inline u64 nfl_tcp_or_pkt(const struct sk_buff *skb,
					 unsigned int thoff,
					 const struct tcphdr *th)
{
	const __be32 *w;

	if (th->doff <= 5)
		return nfl_tcp_or(tcp_flag_byte(th), 0);
	if (th->doff == 8 &&
	    likely(thoff + sizeof(*th) + 4 <= skb_headlen(skb))) {
		w = (const __be32 *)(skb->data + thoff + sizeof(*th));
		if (get_unaligned(w) == htonl(TCPOPT_NOP << 24 |
					      TCPOPT_NOP << 16 |
					      TCPOPT_TIMESTAMP << 8 |
					      TCPOLEN_TIMESTAMP))
			return nfl_tcp_or(tcp_flag_byte(th), BIT(TCPOPT_NOP) |
						    BIT(TCPOPT_TIMESTAMP));
	}
	return nfl_tcp_or_skb(skb, thoff, th);
}

/*
 * Fill ports (or ICMP type/code, as collectors expect them in the port
 * fields; 0 for other protocols) and TCP flags.  Returns false if the
 * header is cut short.
 * @l4len gets the transport header's bytes, for GSO.  One switch, each
 * case reading only what it needs: the common UDP and TCP cases take a
 * single branch.
 */
static __always_inline bool nfl_parse_l4(const struct sk_buff *skb,
					unsigned int thoff,
					struct nfl_key *key, struct nfl_pkt *pkt,
					unsigned int *l4len)
{
	struct nfl_l4_head buf __uninitialized;	/* read only once filled */
	const struct nfl_l4_head *h;

	switch (key->proto) {
	case IPPROTO_UDP:
		if (!nfl_l4_head(skb, thoff, 4, &buf, &h))
			return false;
		key->ports = get_unaligned(&h->ports32);
		*l4len = sizeof(struct udphdr);
		return true;
	case IPPROTO_TCP:
		if (!nfl_l4_head(skb, thoff, sizeof(struct tcphdr), &buf, &h))
			return false;
		key->ports = get_unaligned(&h->ports32);
		*l4len = h->tcp.doff * 4;
		/* one store: the flow reads both with one load (nfl_tcp_or) */
		pkt->tcp_or = nfl_tcp_or_pkt(skb, thoff, &h->tcp);
		return true;
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		if (!nfl_l4_head(skb, thoff, 4, &buf, &h))
			return false;
		key->ports = get_unaligned(&h->ports32);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (!nfl_l4_head(skb, thoff, 2, &buf, &h))
			return false;
		key->sport = 0;
		key->dport = htons(h->icmp.type << 8 | h->icmp.code);
		break;
	default:
		key->ports = 0;
	}
	*l4len = 0;
	return true;
}

/*
 * A GSO skb (GRO on forward, TSO on output) stands for several packets on
 * the wire, each with its own copy of the headers: count what the wire saw.
 * One from an untrusted source (a tap or packet socket with a virtio_net_hdr:
 * a VM's TSO/USO) comes with gso_segs 0, left for skb_gso_segment() to
 * count: count its segments as that will cut them.
 */
static noinline void nfl_pkt_len_gso(const struct sk_buff *skb,
				     unsigned int hdrlen, struct nfl_pkt *pkt)
{
	u32 segs = skb_shinfo(skb)->gso_segs;

	if (!segs && pkt->len > hdrlen)
		segs = DIV_ROUND_UP(pkt->len - hdrlen, skb_shinfo(skb)->gso_size);
	if (segs > 1) {
		pkt->segs = segs;
		pkt->len += (segs - 1) * hdrlen;
	}
}

/*
 * Always inline, the GSO part apart: out of line as a whole, the call cost
 * every packet 12 instructions (scripts/bench, 311 -> 299 at one flow).
 */
static __always_inline void nfl_pkt_len(const struct sk_buff *skb,
					unsigned int hdrlen,
					struct nfl_pkt *pkt, u32 l3len)
{
	/* @l3len: at ingress, the IP header's length, without link padding */
	pkt->len = l3len ?: skb->len - skb_network_offset(skb);
	pkt->segs = 1;
	if (unlikely(skb_is_gso(skb)))
		nfl_pkt_len_gso(skb, hdrlen, pkt);
}

/*
 * The namespace part of nfl_key.ns_dir: 0 for the host's namespace, where
 * rules nearly always are: one compare.  A rule in another namespace
 * (only a host administrator may make one, see target.c) meters into the
 * same cache: its flows get a nonzero tag in the key from the namespace's
 * inode number (its 7 bits above the direction bit, never all 0), so
 * they never merge with the host's, whose interface indexes they may
 * share.
 */
static __always_inline u8 nfl_ns_tag(const struct net *net)
{
	u8 tag;

	if (likely(net_eq(net, &init_net)))
		return 0;
	tag = (u8)net->ns.inum & ~NFL_KEY_DIR_MASK;
	return tag ?: NFL_KEY_DIR_MASK + 1;
}

/*
 * flowDirection of a packet at netfilter hook @hook, for the target (the
 * hook of the chain its rule is in, whatever the table) and for hooks=:
 * ingress at prerouting and input, egress at output and postrouting.
 *
 * Forward is ingress.  IE 61 defines 0 and 1 only: the established
 * module's 255 for forward is egress to nfdump's %dir, ingress to
 * pmacct, and matches the direction filter of neither.  A direction is
 * relative to the interface the record is keyed on, and at forward that
 * is the input one: iif is in the key, while the output interface and
 * next hop are those of the flow's first packet, as in a router's
 * ingress record, which is also taken after its route lookup.  So a
 * forwarded packet reads the same whether metered at prerouting
 * (hooks=prerouting,output) or at forward (iptables -I FORWARD), and
 * collectors that put ingress records on their input interface and
 * egress ones on their output interface count it once, on the interface
 * it came in by.
 */
static __always_inline u8 nfl_hook_dir(unsigned int hook)
{
	/* uapi order: prerouting, input, forward, output, postrouting */
	return hook > NF_INET_FORWARD ? NFL_DIR_EGRESS : NFL_DIR_INGRESS;
}

static void nfl_key_ifaces(struct nfl_key *key, struct nfl_pkt *pkt,
			  const struct nf_hook_state *st, u8 dir)
{
	key->iif = st->in ? st->in->ifindex : 0;
	key->ns_dir = nfl_ns_tag(st->net) | dir;
	pkt->oif = st->out ? st->out->ifindex : 0;
}

/*
 * ipv4Options of an IPv4 header of @ihl bytes (more than 20): the options
 * are read no further than the header's length says, nor than the
 * packet (a raw IP_HDRINCL sender may claim more than it wrote).
 */
static noinline u32 nfl_ip4_opts_skb(const struct sk_buff *skb,
				    unsigned int ihl)
{
	unsigned int off = skb_network_offset(skb) + sizeof(struct iphdr);
	unsigned int len = ihl - sizeof(struct iphdr);
	u8 buf[MAX_IPOPTLEN];
	const u8 *p;

	if (off >= skb->len)
		return 0;
	len = min(len, skb->len - off);
	p = skb_header_pointer(skb, off, len, buf);
	return p ? nfl_ip4_opts(p, len) : 0;
}

/*
 * nat: post-NAT addresses and ports from the packet's conntrack entry.
 * The tuple of the packet's own direction is the packet as it came to
 * this host, before any translation: the key takes its addresses (and
 * ports, where the protocol has them), so a record shows the same
 * whatever hook meters it, before NAT or after.  The tuple of the other
 * direction, reversed, is the packet as it leaves once every translation
 * is done; it is told only for a connection that is translated, once
 * both NAT hooks have decided (a connection's first packet, seen before
 * the source NAT hook, has no final answer yet: its flow gets it from
 * the next one).  An ICMP error related to a connection carries
 * addresses of its own: it is left as it is.  True if @n was filled.
 */
static bool nfl_field_nat(const struct sk_buff *skb, struct nfl_key *key,
			  struct nfl_ext_nat *n)
{
	const struct nf_conntrack_tuple *t, *o;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;
	unsigned long status;
	bool ports;
	int dir;

	ct = nf_ct_get(skb, &ctinfo);
	/* a template (raw table's CT target) has no tuples yet */
	if (!ct || nf_ct_is_template(ct) || ctinfo == IP_CT_RELATED ||
	    ctinfo == IP_CT_RELATED_REPLY)
		return false;
	dir = CTINFO2DIR(ctinfo);
	t = &ct->tuplehash[dir].tuple;
	o = &ct->tuplehash[!dir].tuple;
	if (t->src.l3num != key->family || t->dst.protonum != key->proto)
		return false;
	switch (key->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		ports = true;
		break;
	default:
		ports = false;
	}
	if (key->family == AF_INET) {
		key->v4.saddr = t->src.u3.ip;
		key->v4.daddr = t->dst.u3.ip;
	} else {
		key->v6.saddr = t->src.u3.in6;
		key->v6.daddr = t->dst.u3.in6;
	}
	if (ports) {
		key->sport = t->src.u.all;
		key->dport = t->dst.u.all;
	}
	status = READ_ONCE(ct->status);
	if (!(status & IPS_NAT_MASK) ||
	    (status & IPS_NAT_DONE_MASK) != IPS_NAT_DONE_MASK)
		return false;
	if (key->family == AF_INET) {
		n->v4.saddr = o->dst.u3.ip;
		n->v4.daddr = o->src.u3.ip;
	} else {
		n->v6.saddr = o->dst.u3.in6;
		n->v6.daddr = o->src.u3.in6;
	}
	if (ports) {
		n->sport = o->dst.u.all;
		n->dport = o->src.u.all;
	}
	return true;
}

/*
 * mac: the addresses of the Ethernet frame the packet was received in,
 * as long as the skb has it: at ingress, and at the IP hooks for received
 * and forwarded packets (at POSTROUTING still the received frame's: the
 * frame a forwarded packet leaves in is built after the last hook).  A
 * locally sent packet has no frame before it leaves: zeros.
 *
 * A received frame's header lies in front of its IP header.  One that
 * does not is stale: a forwarded packet sent into a tunnel (ipip, GRE)
 * keeps the mac_len of its frame while dev_queue_xmit() on the tunnel
 * device set its mac header to the inner IP header, and the outer
 * packet then passes OUTPUT and POSTROUTING with "addresses" read from
 * the inner header's length, id and checksum: garbage, and as part of
 * the key, a flow per packet.  Such a packet has no frame of its own.
 */
static void nfl_field_mac(const struct sk_buff *skb, struct nfl_ext_mac *m)
{
	const struct ethhdr *eth;

	if (!skb_mac_header_was_set(skb) || skb->mac_len < ETH_HLEN ||
	    skb_mac_header(skb) + ETH_HLEN > skb_network_header(skb))
		return;
	eth = eth_hdr(skb);
	memcpy(m->dst, eth->h_dest, ETH_ALEN);
	memcpy(m->src, eth->h_source, ETH_ALEN);
}

/* One more VLAN tag, from the outside in; VID 0 (a priority tag) is none. */
static void nfl_vlan_push(struct nfl_ext_vlan *v, u8 *flags, unsigned int *n,
			  __be16 tpid, u16 vid)
{
	if (!vid)
		return;
	if (*n == 0) {
		v->outer = vid;
		if (tpid == htons(ETH_P_8021AD))
			*flags |= NFL_L2_QINQ;
	} else if (*n == 1) {
		v->inner = vid;
	}
	(*n)++;
}

/* VLAN devices stacked on one another, at most */
#define NFL_VLAN_DEVS		8

/*
 * vlan: the VLAN ids of the packet's input, outermost first, from all
 * that tells them: the VLAN devices it came in on (at the IP hooks the
 * kernel has untagged it and says only that: the device, or at
 * POSTROUTING the one skb_iif names), then a tag left in skb metadata,
 * then tags still in the frame (at ingress, nfl_l2_walk()).  A locally
 * sent packet came in on nothing: none.
 */
static void nfl_field_vlan(const struct sk_buff *skb,
			   const struct nf_hook_state *st,
			   const struct nfl_l2 *l2, struct nfl_ext_vlan *v,
			   u8 *flags)
{
	const struct net_device *dev = st->in;
	unsigned int n = 0, i;
#if IS_ENABLED(CONFIG_VLAN_8021Q)
	const struct vlan_dev_priv *chain[NFL_VLAN_DEVS];
	unsigned int d = 0;

	if (!dev && skb->skb_iif)
		dev = dev_get_by_index_rcu(st->net, skb->skb_iif);
	/* the device right below, not vlan_dev_real_dev()'s bottom one */
	for (; dev && is_vlan_dev(dev) && d < NFL_VLAN_DEVS;
	     dev = chain[d++]->real_dev)
		chain[d] = vlan_dev_priv(dev);
	while (d--)
		nfl_vlan_push(v, flags, &n, chain[d]->vlan_proto,
			      chain[d]->vlan_id);
#endif
	if (skb_vlan_tag_present(skb))
		nfl_vlan_push(v, flags, &n, skb->vlan_proto,
			      skb_vlan_tag_get_id(skb));
	for (i = 0; l2 && i < l2->ntags; i++)
		nfl_vlan_push(v, flags, &n, l2->tpid[i], l2->vid[i]);
}

/*
 * physdev: the bridge ports of a bridged packet that br_netfilter passes
 * through the IP hooks (whose in and out devices are then the bridge):
 * the port in from PREROUTING on, the port out from FORWARD on.  True
 * if there is either.
 */
static bool nfl_field_phys(const struct sk_buff *skb, struct nfl_ext_phys *p)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	p->in = nf_bridge_get_physinif(skb);
	p->out = nf_bridge_get_physoutif(skb);
#endif
	return p->in || p->out;
}

/*
 * aggregation=: the rules in force, NULL for none.  Every capture point
 * runs in an RCU read-side section (netfilter's hooks, the xtables
 * target within them), so packets read them under RCU; they are
 * replaced under the settings' serialisation.
 */
static struct nfl_aggr __rcu *nfl_aggr_live;

/*
 * aggregation: the rules applied to @key, before its lookup, so the
 * flows they merge are one flow in the cache; the prefix lengths they
 * left into @ag.  Each rule that matched counts the packet on this CPU
 * (this_cpu_add: no lock, no atomic, no line another CPU writes).
 * Between the rules' removal and that of NFL_FIELD_AGGR there may be
 * none: the key stays whole.
 */
static void nfl_field_aggr(struct nfl_key *key, const struct nfl_pkt *pkt,
			   struct nfl_ext_aggr *ag)
{
	const struct nfl_aggr *a = rcu_dereference(nfl_aggr_live);
	unsigned long hits;
	unsigned int i;

	if (!a) {
		ag->smask = key->family == AF_INET ? 32 : 128;
		ag->dmask = ag->smask;
		return;
	}
	hits = nfl_aggr_key(a, key, &ag->smask, &ag->dmask);
	for_each_set_bit(i, &hits, NFL_AGGR_RULES_MAX)
		this_cpu_add(a->hits[i], pkt->segs);
}

void nfl_packet_aggr_free(struct nfl_aggr *a)
{
	if (!a)
		return;
	free_percpu(a->hits);
	kfree(a);
}

struct nfl_aggr *nfl_packet_aggr_make(const char *spec)
{
	struct nfl_aggr *a;
	const char *bad;
	size_t n;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return ERR_PTR(-ENOMEM);
	if (nfl_aggr_parse(spec, a, &bad, &n) < 0) {
		kfree(a);
		return ERR_PTR(-EINVAL);
	}
	if (!a->n) {
		kfree(a);
		return NULL;
	}
	a->hits = __alloc_percpu(a->n * sizeof(u64), __alignof__(u64));
	if (!a->hits) {
		kfree(a);
		return ERR_PTR(-ENOMEM);
	}
	return a;
}

void nfl_packet_aggr_set(struct nfl_aggr *a)
{
	struct nfl_aggr *old;

	old = rcu_replace_pointer(nfl_aggr_live, a, true);
	if (!old)
		return;
	/* no packet and no reader of /proc holds the old ones any more */
	synchronize_net();
	nfl_packet_aggr_free(old);
}

unsigned int nfl_packet_aggr_fields(void)
{
	return rcu_access_pointer(nfl_aggr_live) ? NFL_FIELD_AGGR : 0;
}

void nfl_packet_aggr_show(struct seq_file *m)
{
	char rule[NFL_AGGR_RULE_TEXT];
	const struct nfl_aggr *a;
	unsigned int i;
	u64 sum;
	int cpu;

	rcu_read_lock();
	a = rcu_dereference(nfl_aggr_live);
	for (i = 0; a && i < a->n; i++) {
		sum = 0;
		for_each_possible_cpu(cpu)
			sum += *per_cpu_ptr(&a->hits[i], cpu);
		nfl_aggr_format(a, i, rule, sizeof(rule));
		seq_printf(m, "aggr%u: %s, packets %llu\n", i, rule, sum);
	}
	rcu_read_unlock();
}

/*
 * A packet while fields= is not empty or aggregation= has rules: what
 * the fields want of it, then the cache's path for flows with fields.
 * Out of line: the usual packet pays one test of nfl_fields for all of
 * this.  @l2: what the ingress walk found, or NULL.
 */
static noinline void nfl_packet_fields(struct sk_buff *skb,
				       const struct nf_hook_state *st,
				       struct nfl_key *key,
				       const struct nfl_pkt *pkt, u32 ip4_opts,
				       const struct nfl_l2 *l2)
{
	unsigned int fields = READ_ONCE(nfl_fields);
	struct nfl_ext_l2 *e2;
	struct nfl_xpkt x;
	u8 *w = (u8 *)x.w;

	memset(x.w, 0, sizeof(x.w));
	x.fields = fields;
	x.phys = false;
	x.nat = false;
	nfl_ext_layout(&x.l, fields, key->family);
	if (fields & NFL_FIELDS_KEY) {
		e2 = (struct nfl_ext_l2 *)(w + x.l.l2);
		if (l2)
			e2->ethertype = l2->type;
		else
			e2->ethertype = htons(key->family == AF_INET ?
					      ETH_P_IP : ETH_P_IPV6);
	}
	if (fields & NFL_FIELD_MAC)
		nfl_field_mac(skb, (struct nfl_ext_mac *)(w + x.l.mac));
	if (fields & NFL_FIELD_VLAN)
		nfl_field_vlan(skb, st, l2,
			       (struct nfl_ext_vlan *)(w + x.l.vlan), &e2->flags);
	/* mpls: labels are seen only at ingress, before mpls_router pops them */
	if ((fields & NFL_FIELD_MPLS) && l2)
		memcpy(w + x.l.mpls, l2->lse, l2->nlse * sizeof(l2->lse[0]));
	if (fields & NFL_FIELD_PHYSDEV)
		x.phys = nfl_field_phys(skb,
					(struct nfl_ext_phys *)(w + x.l.phys));
	if (fields & NFL_FIELD_NAT)
		x.nat = nfl_field_nat(skb, key,
				      (struct nfl_ext_nat *)(w + x.l.nat));
	/* last: on the key as NAT's tuple made it */
	if (fields & NFL_FIELD_AGGR)
		nfl_field_aggr(key, pkt, (struct nfl_ext_aggr *)(w + x.l.aggr));
	nfl_cache_account_ext(key, pkt, ip4_opts, &x);
}

/*
 * An IPv4 packet whose header is @ihl bytes.  Only the IPv4 words of the
 * key and the fields an IPv4 flow reads are set (hash, compare and copy
 * stop at the family's words): with the kernel's INIT_STACK_ALL_ZERO,
 * __uninitialized saves zeroing the 92 bytes of IPv6 key and next hop on
 * every packet.
 */
static __always_inline void nfl_packet_ipv4_hdr(struct sk_buff *skb,
						const struct nf_hook_state *st,
						const struct iphdr *iph,
						unsigned int ihl, u32 l3len, u8 dir,
						const struct nfl_l2 *l2)
{
	unsigned int l4len = 0;
	const struct rtable *rt;
	struct nfl_key key __uninitialized;
	struct nfl_pkt pkt __uninitialized;

	key.proto = iph->protocol;
	key.tos = iph->tos & ~INET_ECN_MASK;
	key.family = AF_INET;
	key.v4.saddr = iph->saddr;
	key.v4.daddr = iph->daddr;
	nfl_key_ifaces(&key, &pkt, st, dir);
	pkt.tcp_or = 0;
	pkt.nexthop4 = 0;

	pkt.frag = iph->frag_off & htons(IP_MF | IP_OFFSET);
	/* Only the first fragment carries the transport header. */
	if (iph->frag_off & htons(IP_OFFSET))
		key.ports = 0;
	else if (!nfl_parse_l4(skb, skb_network_offset(skb) + ihl, &key, &pkt,
			      &l4len)) {
		nfl_cache_drop_trunc(skb->len - skb_network_offset(skb));
		return;
	}
	nfl_pkt_len(skb, ihl + l4len, &pkt, l3len);

	/*
	 * Before routing (PREROUTING) there is no route and no next hop.  An
	 * uncached route (raw IP_HDRINCL, PMTU exceptions) holds the
	 * destination itself in rt_gw4: only a real gateway is a next hop.
	 */
	if (pkt.oif) {
		rt = skb_rtable(skb);
		if (rt && rt->rt_gw_family == AF_INET && rt->rt_uses_gateway)
			pkt.nexthop4 = rt->rt_gw4;
	}

	if (unlikely(READ_ONCE(nfl_fields)))
		nfl_packet_fields(skb, st, &key, &pkt,
				  ihl > sizeof(struct iphdr) ?
				  nfl_ip4_opts_skb(skb, ihl) : 0, l2);
	else if (ihl > sizeof(struct iphdr))
		nfl_cache_account_ip4o(&key, &pkt, nfl_ip4_opts_skb(skb, ihl));
	else
		nfl_cache_account(&key, &pkt, AF_INET, 0);
}

/* A header with options (rare: router alert, record route...). */
static noinline void nfl_packet_ipv4_opts(struct sk_buff *skb,
					 const struct nf_hook_state *st,
					 u32 l3len, u8 dir,
					 const struct nfl_l2 *l2)
{
	const struct iphdr *iph = ip_hdr(skb);

	nfl_packet_ipv4_hdr(skb, st, iph, iph->ihl * 4, l3len, dir, l2);
}

/*
 * Meter an IPv4 packet seen at @st, in direction @dir (NFL_DIR_*).  A
 * packet without IPv4 options pays one test for them, here: the rest of
 * its path knows its header is 20 bytes.  Inlined into each entry point,
 * so none makes a call to begin.
 */
static __always_inline void nfl_meter_ipv4(struct sk_buff *skb,
					   const struct nf_hook_state *st,
					   u32 l3len, u8 dir,
					   const struct nfl_l2 *l2)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (unlikely(iph->ihl != sizeof(*iph) / 4))
		nfl_packet_ipv4_opts(skb, st, l3len, dir, l2);
	else
		nfl_packet_ipv4_hdr(skb, st, iph, sizeof(*iph), l3len, dir, l2);
}

/*
 * A packet the packet sampler (sampler=packet:N) took, out of line: the
 * entry points decide before they set up the metering's frame (its saved
 * registers, its stack canary), so a packet not taken costs them only
 * the countdown (sampler.h).
 */
static noinline void nfl_meter_ipv4_taken(struct sk_buff *skb,
					  const struct nf_hook_state *st,
					  u32 l3len, u8 dir,
					  const struct nfl_l2 *l2)
{
	nfl_meter_ipv4(skb, st, l3len, dir, l2);
}

/* The IPv4 target itself: it only observes, the packet always goes on. */
unsigned int nfl_packet_ipv4(struct sk_buff *skb,
			    const struct xt_action_param *par)
{
	const struct nf_hook_state *st = par->state;

	if (static_branch_unlikely(&nfl_samp_packet_on)) {
		if (nfl_samp_take())
			nfl_meter_ipv4_taken(skb, st, 0, nfl_hook_dir(st->hook),
					     NULL);
		return XT_CONTINUE;
	}
	nfl_meter_ipv4(skb, st, 0, nfl_hook_dir(st->hook), NULL);
	return XT_CONTINUE;
}

/* The IPv4 netfilter hook of hooks.c: the same, for the packets it wants. */
unsigned int nfl_hook_ipv4(void *priv, struct sk_buff *skb,
			   const struct nf_hook_state *st)
{
	if (!nfl_hooks_want(skb, st))
		return NF_ACCEPT;
	if (static_branch_unlikely(&nfl_samp_packet_on)) {
		if (nfl_samp_take())
			nfl_meter_ipv4_taken(skb, st, 0, nfl_hook_dir(st->hook),
					     NULL);
		return NF_ACCEPT;
	}
	nfl_meter_ipv4(skb, st, 0, nfl_hook_dir(st->hook), NULL);
	return NF_ACCEPT;
}

/*
 * ipv6ExtensionHeaders bits of the chain that starts with @nexthdr.  Only
 * called when the IPv6 header is followed by an extension header, so the
 * common packet pays one compare.  ipv6_find_hdr() decides protocol,
 * transport offset and truncation; this walk only reports what it passes
 * and stops, without a verdict, where a header cannot be read.
 */
static noinline u32 nfl_ipv6_ext_hdrs(const struct sk_buff *skb, u8 nexthdr)
{
	unsigned int off = skb_network_offset(skb) + sizeof(struct ipv6hdr);
	struct frag_hdr _fh;
	const struct frag_hdr *fh;
	struct ipv6_opt_hdr _hp;
	const struct ipv6_opt_hdr *hp;
	unsigned int len;
	u32 bits = 0;

	for (;;) {
		switch (nexthdr) {
		case NEXTHDR_HOP:
			bits |= NFL_V6EH_HOP;
			break;
		case NEXTHDR_DEST:
			bits |= NFL_V6EH_DST;
			break;
		case NEXTHDR_ROUTING:
			bits |= NFL_V6EH_RH;
			break;
		case NEXTHDR_AUTH:
			bits |= NFL_V6EH_AH;
			break;
		case NEXTHDR_FRAGMENT:
			fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
			if (!fh)
				return bits;
			/* a later fragment: what follows is payload */
			if (fh->frag_off & htons(IP6_OFFSET))
				return bits | NFL_V6EH_FRA1;
			bits |= NFL_V6EH_FRA0;
			break;
		case NEXTHDR_ESP:
			return bits | NFL_V6EH_ESP;
		case IPPROTO_COMP:
			return bits | NFL_V6EH_PAY;
		default:
			return bits;
		}
		hp = skb_header_pointer(skb, off, sizeof(_hp), &_hp);
		if (!hp)
			return bits;
		if (nexthdr == NEXTHDR_FRAGMENT)
			len = sizeof(struct frag_hdr);
		else if (nexthdr == NEXTHDR_AUTH)
			len = ipv6_authlen(hp);
		else
			len = ipv6_optlen(hp);
		/* each step moves on by 8 bytes at least: the walk ends */
		nexthdr = hp->nexthdr;
		off += len;
	}
}

/*
 * A fragment other than the first whose fragment header is followed by
 * an extension header (AH, destination options): ipv6_find_hdr() gives
 * up there (-ENOENT), though nothing is wrong with it.  What follows
 * the fragment header is payload; the flow's protocol is the header the
 * fragment header names.  Its offset in *@thoff, its offset in *@fragoff.
 */
static noinline int nfl_ipv6_later_frag(const struct sk_buff *skb,
					unsigned int *thoff,
					unsigned short *fragoff)
{
	unsigned int off = 0;
	struct frag_hdr _fh;
	const struct frag_hdr *fh;

	if (ipv6_find_hdr(skb, &off, NEXTHDR_FRAGMENT, NULL, NULL) < 0)
		return -ENOENT;
	fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
	if (!fh || !(fh->frag_off & htons(IP6_OFFSET)))
		return -ENOENT;
	*thoff = off + sizeof(*fh);
	*fragoff = ntohs(fh->frag_off) & ~0x7;
	return fh->nexthdr;
}

/* An IPv6 packet seen at @st, as nfl_meter_ipv4(). */
static __always_inline void nfl_meter_ipv6(struct sk_buff *skb,
					   const struct nf_hook_state *st,
					   u32 l3len, u8 dir,
					   const struct nfl_l2 *l2)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct nfl_key key = { .family = AF_INET6 };
	struct nfl_pkt pkt = { .tcp_or = 0 };
	unsigned int thoff = 0, l4len = 0;
	unsigned short fragoff = 0;
	int flags = 0, proto;

	key.tos = ipv6_get_dsfield(ip6h) & ~INET_ECN_MASK;
	pkt.flow_label = ip6_flowlabel(ip6h);
	if (unlikely(ipv6_ext_hdr(ip6h->nexthdr) ||
		     ip6h->nexthdr == NEXTHDR_ESP || ip6h->nexthdr == IPPROTO_COMP))
		pkt.ext_hdrs = nfl_ipv6_ext_hdrs(skb, ip6h->nexthdr);
	key.v6.saddr = ip6h->saddr;
	key.v6.daddr = ip6h->daddr;
	nfl_key_ifaces(&key, &pkt, st, dir);

	/* Walks extension headers; a malformed chain is a truncated packet. */
	proto = ipv6_find_hdr(skb, &thoff, -1, &fragoff, &flags);
	if (unlikely(proto == -ENOENT && (flags & IP6_FH_F_FRAG)))
		proto = nfl_ipv6_later_frag(skb, &thoff, &fragoff);
	if (proto < 0) {
		nfl_cache_drop_trunc(skb->len - skb_network_offset(skb));
		return;
	}
	key.proto = proto;
	pkt.frag = flags & IP6_FH_F_FRAG;
	if (!fragoff && !nfl_parse_l4(skb, thoff, &key, &pkt, &l4len)) {
		nfl_cache_drop_trunc(skb->len - skb_network_offset(skb));
		return;
	}
	nfl_pkt_len(skb, thoff - skb_network_offset(skb) + l4len, &pkt, l3len);

	if (pkt.oif && skb_dst(skb)) {
		const struct rt6_info *rt = (const struct rt6_info *)skb_dst(skb);

		if (rt->rt6i_flags & RTF_GATEWAY)
			pkt.nexthop6 = rt->rt6i_gateway;
	}

	if (unlikely(READ_ONCE(nfl_fields)))
		nfl_packet_fields(skb, st, &key, &pkt, 0, l2);
	else
		nfl_cache_account(&key, &pkt, AF_INET6, 0);
}

/* As nfl_meter_ipv4_taken(). */
static noinline void nfl_meter_ipv6_taken(struct sk_buff *skb,
					  const struct nf_hook_state *st,
					  u32 l3len, u8 dir,
					  const struct nfl_l2 *l2)
{
	nfl_meter_ipv6(skb, st, l3len, dir, l2);
}

unsigned int nfl_packet_ipv6(struct sk_buff *skb,
			    const struct xt_action_param *par)
{
	const struct nf_hook_state *st = par->state;

	if (static_branch_unlikely(&nfl_samp_packet_on)) {
		if (nfl_samp_take())
			nfl_meter_ipv6_taken(skb, st, 0, nfl_hook_dir(st->hook),
					     NULL);
		return XT_CONTINUE;
	}
	nfl_meter_ipv6(skb, st, 0, nfl_hook_dir(st->hook), NULL);
	return XT_CONTINUE;
}

unsigned int nfl_hook_ipv6(void *priv, struct sk_buff *skb,
			   const struct nf_hook_state *st)
{
	if (!nfl_hooks_want(skb, st))
		return NF_ACCEPT;
	if (static_branch_unlikely(&nfl_samp_packet_on)) {
		if (nfl_samp_take())
			nfl_meter_ipv6_taken(skb, st, 0, nfl_hook_dir(st->hook),
					     NULL);
		return NF_ACCEPT;
	}
	nfl_meter_ipv6(skb, st, 0, nfl_hook_dir(st->hook), NULL);
	return NF_ACCEPT;
}

/* Link headers an ingress frame may carry before its IP header, at most. */
#define NFL_L2_TAGS_MAX		8
#define NFL_MPLS_LABELS_MAX	16

/*
 * The IP header of a frame at ingress: past 802.1Q/802.1ad tags left in
 * the frame (the outer one is usually in skb metadata by now) and an MPLS
 * label stack.  Its offset from skb->data, and the EtherType it has (IP or
 * IPv6), or 0 if there is none.  What fields= wants of the way into @rec,
 * unless it is NULL (then, inlined, none of that is compiled in).
 */
static __always_inline __be16 nfl_l2_walk(const struct sk_buff *skb,
					  unsigned int *off, struct nfl_l2 *rec)
{
	__be16 proto = skb->protocol;
	unsigned int n;
	const __be32 *l;
	__be32 _l;
	const u8 *v;
	u8 _v;

	if (rec) {
		rec->ntags = 0;
		rec->nlse = 0;
	}
	for (n = 0; eth_type_vlan(proto) && n < NFL_L2_TAGS_MAX; n++) {
		const struct vlan_hdr *vh;
		struct vlan_hdr _vh;

		vh = skb_header_pointer(skb, *off, sizeof(_vh), &_vh);
		if (!vh)
			return 0;
		if (rec && rec->ntags < NFL_VLAN_DEPTH) {
			rec->tpid[rec->ntags] = proto;
			rec->vid[rec->ntags++] = ntohs(vh->h_vlan_TCI) &
						 VLAN_VID_MASK;
		}
		proto = vh->h_vlan_encapsulated_proto;
		*off += sizeof(*vh);
	}
	if (rec)
		rec->type = proto;
	if (proto != htons(ETH_P_MPLS_UC) && proto != htons(ETH_P_MPLS_MC))
		return proto;
	for (n = 0; n < NFL_MPLS_LABELS_MAX; n++) {
		l = skb_header_pointer(skb, *off, sizeof(_l), &_l);
		if (!l)
			return 0;
		*off += sizeof(*l);
		if (rec && rec->nlse < NFL_MPLS_DEPTH)
			rec->lse[rec->nlse++] = *l & ~htonl(MPLS_LS_TTL_MASK);
		if (*l & htonl(MPLS_LS_S_MASK))
			break;
	}
	/* below the stack, the IP version says which it is */
	v = skb_header_pointer(skb, *off, sizeof(_v), &_v);
	if (!v || n == NFL_MPLS_LABELS_MAX)
		return 0;
	return *v >> 4 == 4 ? htons(ETH_P_IP) :
	       *v >> 4 == 6 ? htons(ETH_P_IPV6) : 0;
}

/*
 * An IPv4 header at @off that ip_rcv() would take, pulled into the
 * linear part; its total length, or 0.  Nothing has checked it yet.
 */
static __always_inline u32 nfl_ingress_ip4(struct sk_buff *skb,
					    unsigned int off)
{
	const struct iphdr *iph;
	unsigned int ihl, len;

	if (!pskb_may_pull(skb, off + sizeof(*iph)))
		return 0;
	iph = (const struct iphdr *)(skb->data + off);
	ihl = iph->ihl * 4;
	len = ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || len < ihl ||
	    len > skb->len - off || !pskb_may_pull(skb, off + ihl))
		return 0;
	return len;
}

/* The same for IPv6 (a jumbogram's length is the frame's). */
static __always_inline u32 nfl_ingress_ip6(struct sk_buff *skb,
					    unsigned int off)
{
	const struct ipv6hdr *ip6h;
	unsigned int len;

	if (!pskb_may_pull(skb, off + sizeof(*ip6h)))
		return 0;
	ip6h = (const struct ipv6hdr *)(skb->data + off);
	len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	if (ip6h->version != 6 || len > skb->len - off)
		return 0;
	return ip6h->payload_len ? len : skb->len - off;
}

/*
 * The netdev ingress hook of ingress.c, one per device; @priv is that
 * device's packet counter.  The frame has not been through ip_rcv(): it
 * may be for another host (a mirror port), tagged, labelled or broken.
 * Its network header is set to the IP header while it is metered, and
 * put back: what runs after us sees the frame as it came.  @l2: where
 * the walk keeps what fields= wants, NULL without fields.
 */
static __always_inline unsigned int nfl_ingress(void *priv,
						struct sk_buff *skb,
						const struct nf_hook_state *st,
						struct nfl_l2 *l2)
{
	u16 nh = skb->network_header;
	unsigned int off = 0;
	__be16 proto;
	u32 len;

	proto = nfl_l2_walk(skb, &off, l2);
	if (proto == htons(ETH_P_IP))
		len = nfl_ingress_ip4(skb, off);
	else if (proto == htons(ETH_P_IPV6))
		len = nfl_ingress_ip6(skb, off);
	else
		return NF_ACCEPT;	/* ARP, LLDP...: not IP */
	this_cpu_inc(*(u64 __percpu *)priv);
	if (static_branch_unlikely(&nfl_samp_packet_on) && !nfl_samp_take())
		return NF_ACCEPT;
	if (!len) {
		nfl_cache_drop_trunc(skb->len - off);
		return NF_ACCEPT;
	}
	skb_set_network_header(skb, off);
	/* every frame here is coming in */
	if (proto == htons(ETH_P_IP))
		nfl_meter_ipv4(skb, st, len, NFL_DIR_INGRESS, l2);
	else
		nfl_meter_ipv6(skb, st, len, NFL_DIR_INGRESS, l2);
	skb->network_header = nh;
	return NF_ACCEPT;
}

unsigned int nfl_hook_ingress(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *st)
{
	struct nfl_l2 l2;

	if (unlikely(READ_ONCE(nfl_fields)))
		return nfl_ingress(priv, skb, st, &l2);
	return nfl_ingress(priv, skb, st, NULL);
}
