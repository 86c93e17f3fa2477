/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Template-based export, shared by NetFlow v9 (netflow_v9.c) and IPFIX
 * (ipfix.c).  The two differ only in their header, their set ids, the
 * layout of an options template, the time elements and what the sequence
 * number counts; template.c does the rest once for both.
 */
#ifndef _NETFLOW_TEMPLATE_H
#define _NETFLOW_TEMPLATE_H

#include <linux/types.h>

#include "netflow_ie.h"

/* Flow kinds, each with its own template. */
enum nf_tpl_kind {
	NF_TPL_V4,
	NF_TPL_V4_ICMP,
	NF_TPL_V6,
	NF_TPL_V6_ICMP,
	NF_TPL_KINDS,
};

/* Options templates, in the order their sets go out. */
enum nf_opt_kind {
	NF_OPT_SYSTEM,		/* exporter and metering statistics */
	NF_OPT_RELIABILITY,	/* what was lost, once anything was */
	NF_OPT_IFACES,		/* ifindex -> name, description */
	NF_OPT_KINDS,
};

/*
 * Every template id, here only: flow kinds from 256 on, the system
 * options, NAT events, then the other options.
 */
#define NF_TPL_ID_FIRST		256
#define NF_TPL_ID_OPTIONS	(NF_TPL_ID_FIRST + NF_TPL_KINDS)	/* 260 */
/* NAT event logging (NEL), sent only while NAT events are exported */
#define NF_TPL_ID_NEL		(NF_TPL_ID_OPTIONS + 1)		/* 261 */
#define NF_TPL_ID_RELIABILITY	262
#define NF_TPL_ID_IFACES	263
/* NAT events of IPv6 connections (NAT66), as NF_TPL_ID_NEL */
#define NF_TPL_ID_NEL6		264

/* v9 options scope types (RFC 3954 section 6.1) */
#define NF_V9_SCOPE_SYSTEM	1
#define NF_V9_SCOPE_INTERFACE	2

#define NF_TPL_MAX_FIELDS	20
/* Room in a 1400-byte payload for the templates and a few records. */
#define NF_TPL_PDU_SIZE		1400
/* Metering statistics at least this often, with or without flows. */
#define NF_TPL_STATS_MS		60000

struct nf_enc;
struct nf_nat_event;

/* What makes a protocol of the template family. */
struct nf_tpl_proto {
	u16 version;
	u16 hdr_len;
	u16 tpl_set_id;			/* v9 flowset 0, IPFIX set 2 */
	u16 opt_set_id;			/* v9 flowset 1, IPFIX set 3 */
	u16 first_ie, last_ie;		/* flow start/end times */
	u16 icmp6_ie;			/* ICMP type/code of IPv6 flows */
	/* v9 options templates count bytes of field specs, IPFIX fields */
	bool v9_options;
	bool varlen;			/* IPFIX: strings variable-length */
	/* Header at e->buf; @records: records of every kind in the PDU. */
	void (*header)(struct nf_enc *e, unsigned int records);
	/* e->sequence after this PDU; @data: data records in it */
	void (*advance)(struct nf_enc *e, unsigned int data);
};

int nf_tpl_init(struct nf_enc *e, const struct nf_tpl_proto *p);
void nf_tpl_release(struct nf_enc *e);
void nf_tpl_begin(struct nf_enc *e, const struct nf_export_time *t);
int nf_tpl_add(struct nf_enc *e, const struct nf_flow *f);
int nf_tpl_add_nat(struct nf_enc *e, const struct nf_nat_event *ev);
size_t nf_tpl_finish(struct nf_enc *e);
unsigned int nf_tpl_opt_due(const struct nf_enc *e,
			    const struct nf_export_time *t);
u32 nf_tpl_opt_wait(const struct nf_enc *e, const struct nf_export_time *t);

/*
 * The encoder of a template protocol: 8-byte counters, so the cache
 * splits a flow only when its packet counter would wrap.
 */
#define NF_TPL_ENCODER(proto, init_fn) {				\
	.protocol = (proto),						\
	.pdu_size = NF_TPL_PDU_SIZE,					\
	.max_octets = U64_MAX,						\
	.max_packets = U32_MAX,						\
	.init = (init_fn),						\
	.release = nf_tpl_release,					\
	.begin = nf_tpl_begin,						\
	.add = nf_tpl_add,						\
	.add_nat = nf_tpl_add_nat,					\
	.finish = nf_tpl_finish,					\
	.opt_due = nf_tpl_opt_due,					\
	.opt_wait = nf_tpl_opt_wait,					\
}

/* ms since the epoch at @t */
u64 nf_tpl_wall_ms(const struct nf_export_time *t);

#endif /* _NETFLOW_TEMPLATE_H */
