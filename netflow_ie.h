/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Information elements ipt_NETFLOW exports in NetFlow v9 and IPFIX.
 *
 * The one list of them: template.c expands NF_IES into the table that
 * templates and records both take sizes from (nf_ie_find), so an
 * element's id and size can never disagree between the template a
 * collector is told and the record it gets.  Ids are IANA's (RFC 5102 and the IPFIX registry); v9 uses the
 * same numbers for the ones below 128 and the IPFIX ones above, which
 * every collector we test accepts.
 *
 * X(symbol, IANA id, bytes on the wire, IPFIX name)
 */
#ifndef _NETFLOW_IE_H
#define _NETFLOW_IE_H

#include <linux/types.h>

#define NF_IES(X)							\
	X(OCTETS,	1,   8,  "octetDeltaCount")			\
	X(PACKETS,	2,   8,  "packetDeltaCount")			\
	X(PROTO,	4,   1,  "protocolIdentifier")			\
	X(TOS,		5,   1,  "ipClassOfService")			\
	X(TCP_FLAGS,	6,   1,  "tcpControlBits")			\
	X(SPORT,	7,   2,  "sourceTransportPort")			\
	X(SRC4,		8,   4,  "sourceIPv4Address")			\
	X(IN_IF,	10,  4,  "ingressInterface")			\
	X(DPORT,	11,  2,  "destinationTransportPort")		\
	X(DST4,		12,  4,  "destinationIPv4Address")		\
	X(OUT_IF,	14,  4,  "egressInterface")			\
	X(NEXTHOP4,	15,  4,  "ipNextHopIPv4Address")		\
	X(LAST_UP,	21,  4,  "flowEndSysUpTime")			\
	X(FIRST_UP,	22,  4,  "flowStartSysUpTime")			\
	X(SRC6,		27,  16, "sourceIPv6Address")			\
	X(DST6,		28,  16, "destinationIPv6Address")		\
	X(FLOW_LABEL6,	31,  4,  "flowLabelIPv6")			\
	X(ICMP4,	32,  2,  "icmpTypeCodeIPv4")			\
	X(EXP_OCTETS,	40,  8,  "exportedOctetTotalCount")		\
	X(EXP_MSGS,	41,  8,  "exportedMessageTotalCount")		\
	X(EXP_FLOWS,	42,  8,  "exportedFlowRecordTotalCount")	\
	X(IP_VERSION,	60,  1,  "ipVersion")				\
	X(NEXTHOP6,	62,  16, "ipNextHopIPv6Address")		\
	X(IPV6_EXT,	64,  4,  "ipv6ExtensionHeaders")		\
	X(END_REASON,	136, 1,  "flowEndReason")			\
	X(ICMP6,	139, 2,  "icmpTypeCodeIPv6")			\
	X(DOMAIN_ID,	149, 4,  "observationDomainId")			\
	X(FIRST_MS,	152, 8,  "flowStartMilliseconds")		\
	X(LAST_MS,	153, 8,  "flowEndMilliseconds")			\
	X(INIT_MS,	160, 8,  "systemInitTimeMilliseconds")		\
	X(POST_SRC4,	225, 4,  "postNATSourceIPv4Address")		\
	X(POST_DST4,	226, 4,  "postNATDestinationIPv4Address")	\
	X(POST_SPORT,	227, 2,  "postNAPTSourceTransportPort")		\
	X(POST_DPORT,	228, 2,  "postNAPTDestinationTransportPort")	\
	X(NAT_EVENT,	230, 1,  "natEvent")				\
	X(OBS_TIME_MS,	323, 8,  "observationTimeMilliseconds")

#define NF_IE_ENUM(sym, id, len, name)	NF_IE_##sym = (id),
enum nf_ie {
	NF_IES(NF_IE_ENUM)
};
#undef NF_IE_ENUM

struct nf_ie_info {
	u16 id;
	u8 len;
	const char *name;
};

/* The element @id, NULL for one we do not export (template.c). */
const struct nf_ie_info *nf_ie_find(unsigned int id);

#endif /* _NETFLOW_IE_H */
