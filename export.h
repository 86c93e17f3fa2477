/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exporter (export.c): the queues of expired flows, NAT events and
 * connection records, and the worker that packs them into PDUs of the
 * configured protocol and sends each to every collector (socket.c).
 */
#ifndef _IPT_NETFLOW_EXPORT_H
#define _IPT_NETFLOW_EXPORT_H

#include <linux/types.h>

struct nfl_flow;
struct nfl_flow_list;
struct nfl_nat_event;
struct nfl_ct_record;
struct nfl_encoder;
struct nfl_sampler;

/*
 * Start exporting in @protocol (-EINVAL if no encoder has it).  Needs the
 * sockets; flows queued before it wait for the first kick after it.
 */
int nfl_export_init(unsigned int protocol);
/*
 * Send everything still queued (the sockets must still be there), then
 * stop: no queue or kick after it.  Flows are freed with nfl_cache_free().
 */
void nfl_export_uninit(void);

/* Any context but NMI: the flows of @l, in that order; @l is left as is. */
void nfl_export_queue(const struct nfl_flow_list *l);
/*
 * Flows the exporter holds, queued or being sent, until it frees them;
 * of them IPv6 (*@n6) and IPv4 with options (*@n4o), if asked.
 */
unsigned long nfl_export_held(unsigned long *n6, unsigned long *n4o);
/*
 * One NAT event, any context but NMI; the exporter frees it.  The queue
 * is bounded: an event beyond it is dropped and counted, and so is a NULL
 * @ev, an event the caller could not allocate.
 */
void nfl_export_queue_nat(struct nfl_nat_event *ev);
u64 nfl_export_nat_dropped(void);
/*
 * One connection record, any context but NMI; the exporter frees it.
 * Bounded like NAT events: false if it was dropped (and freed), which
 * the caller counts.
 */
bool nfl_export_queue_ct(struct nfl_ct_record *r);
/* Records the connection queue takes before it drops, about. */
unsigned int nfl_export_ct_room(void);
void nfl_export_kick(void);
void nfl_export_sync(void);		/* wait until the queues are sent */

/* The encoder of @protocol, NULL if there is none. */
const struct nfl_encoder *nfl_encoder_find(unsigned int protocol);
/*
 * Switch encoders (sequence restarts at 0) after exporting what is queued
 * in the old protocol.  -EPROTONOSUPPORT: no encoder for it; -ENOMEM.
 */
int nfl_export_set_protocol(unsigned int protocol);
unsigned int nfl_export_protocol(void);
/*
 * Templates for fields= @fields (NFL_FIELD_*) from the next PDU on, after
 * exporting what is queued with the old ones; the stream goes on.
 */
void nfl_export_set_fields(unsigned int fields);
/*
 * The sampler the records tell of (v5 header, v9/IPFIX options and data
 * records) from the next PDU on, after exporting what is queued.
 */
void nfl_export_set_sampler(const struct nfl_sampler *smp);
/*
 * snmp-rules= @spec (checked by the caller): interface indexes of the
 * records and the interface table exported from now on.  0 or -ENOMEM.
 */
int nfl_export_set_snmp(const char *spec);
/* Destinations changed: the next PDU carries templates (v9/IPFIX). */
void nfl_export_resend_templates(void);

struct nfl_export_stats {
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
	/*
	 * flows the flow sampler did not take, metered and dropped here,
	 * since the sampler was set
	 */
	u64 unselected, unselected_packets, unselected_bytes;
};
void nfl_export_get_stats(struct nfl_export_stats *st);

#endif /* _IPT_NETFLOW_EXPORT_H */
