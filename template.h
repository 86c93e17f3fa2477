/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Template-based export, shared by NetFlow v9 (netflow_v9.c) and IPFIX
 * (ipfix.c).  The two differ only in their header, their set ids, the
 * layout of an options template, the time elements and what the sequence
 * number counts; template.c does the rest once for both.
 */
#ifndef _NETFLOW_TEMPLATE_H
#define _NETFLOW_TEMPLATE_H

#include <linux/bits.h>
#include <linux/types.h>

#include "netflow_ie.h"

/* Flow kinds, each with its own template. */
enum nfl_tpl_kind {
	NFL_TPL_V4,
	NFL_TPL_V4_ICMP,
	NFL_TPL_V6,
	NFL_TPL_V6_ICMP,
	NFL_TPL_KINDS,
};

/* Options templates, in the order their sets go out. */
enum nfl_opt_kind {
	NFL_OPT_SYSTEM,		/* exporter and metering statistics */
	NFL_OPT_RELIABILITY,	/* what was lost, once anything was */
	NFL_OPT_IFACES,		/* ifindex -> name, description */
	NFL_OPT_KINDS,
};

/*
 * Every template id, here only: flow kinds from 256 on, the system
 * options, NAT events, then the other options.
 */
#define NFL_TPL_ID_FIRST		256
#define NFL_TPL_ID_OPTIONS	(NFL_TPL_ID_FIRST + NFL_TPL_KINDS)	/* 260 */
/* NAT event logging (NEL), sent only while NAT events are exported */
#define NFL_TPL_ID_NEL		(NFL_TPL_ID_OPTIONS + 1)		/* 261 */
#define NFL_TPL_ID_RELIABILITY	262
#define NFL_TPL_ID_IFACES	263
/* NAT events of IPv6 connections (NAT66), as NFL_TPL_ID_NEL */
#define NFL_TPL_ID_NEL6		264
/*
 * Connection records (ctflows), sent like NEL's only while there are
 * any: one template per kind, ids 265..272, the kind being the sum of
 * these bits.  Their layout does not depend on fields= (template.c).
 */
#define NFL_CT_TPL_V6		1
#define NFL_CT_TPL_NAT		2	/* with the post-NAT fields */
#define NFL_CT_TPL_ICMP		4	/* with icmpTypeCode */
#define NFL_CT_TPL_KINDS	8
#define NFL_TPL_ID_CT		265
/* The sampler's options (sampler=), one id per mode: 273..276 */
#define NFL_TPL_ID_SAMPLER	273
/* and its rate alone, for the collectors that read no more (template.c) */
#define NFL_TPL_ID_SAMPLER_RATE	277
/*
 * Flow templates with optional fields (fields=): from here on, one id per
 * combination of fields and kind, so an id never stands for two layouts
 * and a collector can never apply a template of before a change.
 */
#define NFL_TPL_ID_FIELDS	512
/*
 * Flow templates of a stream with a sampler carry its id (samplerId in
 * v9, selectorId in IPFIX) last: a variant of their own, with an id of
 * its own as a field would have.  Not a field of flows: the exporter's.
 */
#define NFL_TPL_SAMPLED		BIT(7)

/* v9 options scope types (RFC 3954 section 6.1) */
#define NFL_V9_SCOPE_SYSTEM	1
#define NFL_V9_SCOPE_INTERFACE	2

/*
 * Elements of a template at most: the longest flow template, with every
 * field of fields= and aggregation's, has 37 (IPv6), a connection
 * record's 21; template.c refuses to build past it.
 */
#define NFL_TPL_MAX_FIELDS	40
/* Room in a 1400-byte payload for the templates and a few records. */
#define NFL_TPL_PDU_SIZE		1400
/* Metering statistics at least this often, with or without flows. */
#define NFL_TPL_STATS_MS		60000

struct nfl_enc;
struct nfl_nat_event;
struct nfl_ct_record;

/* What makes a protocol of the template family. */
struct nfl_tpl_proto {
	u16 version;
	u16 hdr_len;
	u16 tpl_set_id;			/* v9 flowset 0, IPFIX set 2 */
	u16 opt_set_id;			/* v9 flowset 1, IPFIX set 3 */
	u16 first_ie, last_ie;		/* flow start/end times */
	u16 icmp6_ie;			/* ICMP type/code of IPv6 flows */
	/* v9 options templates count bytes of field specs, IPFIX fields */
	bool v9_options;
	bool varlen;			/* IPFIX: strings variable-length */
	/*
	 * IPFIX: a connection is one biflow record (RFC 5103); v9 sends a
	 * record per direction and has no reverse elements.
	 */
	bool biflow;
	/* Header at e->buf; @records: records of every kind in the PDU. */
	void (*header)(struct nfl_enc *e, unsigned int records);
	/* e->sequence after this PDU; @data: data records in it */
	void (*advance)(struct nfl_enc *e, unsigned int data);
};

int nfl_tpl_init(struct nfl_enc *e, const struct nfl_tpl_proto *p);
void nfl_tpl_release(struct nfl_enc *e);
void nfl_tpl_set_fields(struct nfl_enc *e);
/* The id of the template of flows of @kind with @fields (NFL_FIELD_*) */
u16 nfl_tpl_flow_id(unsigned int fields, enum nfl_tpl_kind kind);
void nfl_tpl_begin(struct nfl_enc *e, const struct nfl_export_time *t);
int nfl_tpl_add(struct nfl_enc *e, const struct nfl_flow *f);
int nfl_tpl_add_nat(struct nfl_enc *e, const struct nfl_nat_event *ev);
int nfl_tpl_add_ct(struct nfl_enc *e, const struct nfl_ct_record *r);
size_t nfl_tpl_finish(struct nfl_enc *e);
unsigned int nfl_tpl_opt_due(const struct nfl_enc *e,
			    const struct nfl_export_time *t);
u32 nfl_tpl_opt_wait(const struct nfl_enc *e, const struct nfl_export_time *t);

/*
 * The encoder of a template protocol: 8-byte counters, so the cache
 * splits a flow only when its packet counter would wrap.
 */
#define NFL_TPL_ENCODER(proto, init_fn) {				\
	.protocol = (proto),						\
	.pdu_size = NFL_TPL_PDU_SIZE,					\
	.max_octets = U64_MAX,						\
	.max_packets = U32_MAX,						\
	.init = (init_fn),						\
	.release = nfl_tpl_release,					\
	.set_fields = nfl_tpl_set_fields,				\
	.begin = nfl_tpl_begin,						\
	.add = nfl_tpl_add,						\
	.add_nat = nfl_tpl_add_nat,					\
	.add_ct = nfl_tpl_add_ct,					\
	.finish = nfl_tpl_finish,					\
	.opt_due = nfl_tpl_opt_due,					\
	.opt_wait = nfl_tpl_opt_wait,					\
}

/* ms since the epoch at @t */
u64 nfl_tpl_wall_ms(const struct nfl_export_time *t);

#endif /* _NETFLOW_TEMPLATE_H */
