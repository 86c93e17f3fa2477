/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Information elements ipt_NETFLOW exports in NetFlow v9 and IPFIX.
 *
 * The one list of them: template.c expands NFL_IES into the table that
 * templates and records both take sizes from (nfl_ie_find), so an
 * element's id and size can never disagree between the template a
 * collector is told and the record it gets.  Ids are IANA's (RFC 5102 and the IPFIX registry); v9 uses the
 * same numbers for the ones below 128 and the IPFIX ones above, which
 * every collector we test accepts.
 *
 * X(symbol, IANA id, bytes on the wire, IPFIX name)
 *
 * RFC 5103's reverse elements (biflows, IPFIX only) are the forward
 * element's id with the enterprise bit set, under Private Enterprise
 * Number 29305 (NFL_PEN_REVERSE): NFL_IE_REVERSE(id) here, and an 8-byte
 * field specifier in a template (id | 0x8000, length, PEN).  v9 has no
 * enterprise elements; no v9 template may use them.
 *
 * A string is NFL_IE_STR(n): n bytes in v9 and IPFIX alike, NUL-padded,
 * a longer one cut to n; or NFL_IE_VAR(n): variable-length in IPFIX
 * (RFC 7011 7, without a NUL), n bytes as NFL_IE_STR(n) in v9, which has
 * no variable length.  The interface table's are fixed in IPFIX too:
 * nfdump (1.7 and later) reads that table only at fixed offsets.
 */
#ifndef _NETFLOW_IE_H
#define _NETFLOW_IE_H

#include <linux/types.h>

/* flags in nfl_ie_info.len, above the bytes */
#define NFL_IE_STRING		0x100		/* NUL-padded, cut to fit */
#define NFL_IE_VARLEN		0x200		/* IPFIX: variable-length */
#define NFL_IE_BYTES		0xff
#define NFL_IE_STR(len)		(NFL_IE_STRING | (len))
#define NFL_IE_VAR(v9_len)	(NFL_IE_STRING | NFL_IE_VARLEN | (v9_len))
/* IPFIX's field length for "variable" (RFC 7011 7) */
#define NFL_IPFIX_VARLEN		65535
/* the enterprise bit of a field specifier (RFC 7011 3.2) */
#define NFL_IE_ENTERPRISE	0x8000
#define NFL_PEN_REVERSE		29305	/* RFC 5103 6.1: reverse elements */
#define NFL_IE_REVERSE(id)	(NFL_IE_ENTERPRISE | (id))

#define NFL_IES(X)							\
	X(OCTETS,	1,   8,  "octetDeltaCount")			\
	X(PACKETS,	2,   8,  "packetDeltaCount")			\
	X(PROTO,	4,   1,  "protocolIdentifier")			\
	X(TOS,		5,   1,  "ipClassOfService")			\
	X(TCP_FLAGS,	6,   1,  "tcpControlBits")			\
	X(SPORT,	7,   2,  "sourceTransportPort")			\
	X(SRC4,		8,   4,  "sourceIPv4Address")			\
	X(SRC_MASK4,	9,   1,  "sourceIPv4PrefixLength")		\
	X(IN_IF,	10,  4,  "ingressInterface")			\
	X(DPORT,	11,  2,  "destinationTransportPort")		\
	X(DST4,		12,  4,  "destinationIPv4Address")		\
	X(DST_MASK4,	13,  1,  "destinationIPv4PrefixLength")		\
	X(OUT_IF,	14,  4,  "egressInterface")			\
	X(NEXTHOP4,	15,  4,  "ipNextHopIPv4Address")		\
	X(LAST_UP,	21,  4,  "flowEndSysUpTime")			\
	X(FIRST_UP,	22,  4,  "flowStartSysUpTime")			\
	X(SRC6,		27,  16, "sourceIPv6Address")			\
	X(DST6,		28,  16, "destinationIPv6Address")		\
	X(SRC_MASK6,	29,  1,  "sourceIPv6PrefixLength")		\
	X(DST_MASK6,	30,  1,  "destinationIPv6PrefixLength")		\
	X(FLOW_LABEL6,	31,  4,  "flowLabelIPv6")			\
	X(ICMP4,	32,  2,  "icmpTypeCodeIPv4")			\
	X(MAC_SRC,	56,  6,  "sourceMacAddress")			\
	X(VLAN,		58,  2,  "vlanId")				\
	X(EXP_OCTETS,	40,  8,  "exportedOctetTotalCount")		\
	X(EXP_MSGS,	41,  8,  "exportedMessageTotalCount")		\
	X(EXP_FLOWS,	42,  8,  "exportedFlowRecordTotalCount")	\
	X(SAMPLING_INTERVAL, 34, 4, "samplingInterval")			\
	X(SAMPLER_ID,	48,  1,  "samplerId")				\
	X(SAMPLER_MODE,	49,  1,  "samplerMode")				\
	X(SAMPLER_INTERVAL, 50, 4, "samplerRandomInterval")		\
	X(IP_VERSION,	60,  1,  "ipVersion")				\
	X(DIRECTION,	61,  1,  "flowDirection")			\
	X(NEXTHOP6,	62,  16, "ipNextHopIPv6Address")		\
	X(IPV6_EXT,	64,  4,  "ipv6ExtensionHeaders")		\
	X(MPLS1,	70,  3,  "mplsTopLabelStackSection")		\
	X(MPLS2,	71,  3,  "mplsLabelStackSection2")		\
	X(MPLS3,	72,  3,  "mplsLabelStackSection3")		\
	X(MAC_DST,	80,  6,  "destinationMacAddress")		\
	X(IF_NAME,	82,  NFL_IE_STR(16), "interfaceName")		\
	X(IF_DESC,	83,  NFL_IE_STR(32), "interfaceDescription")	\
	X(END_REASON,	136, 1,  "flowEndReason")			\
	X(ICMP6,	139, 2,  "icmpTypeCodeIPv6")			\
	X(DOMAIN_ID,	149, 4,  "observationDomainId")			\
	X(FIRST_MS,	152, 8,  "flowStartMilliseconds")		\
	X(LAST_MS,	153, 8,  "flowEndMilliseconds")			\
	X(INIT_MS,	160, 8,  "systemInitTimeMilliseconds")		\
	X(OBS_FLOWS,	163, 8,  "observedFlowTotalCount")		\
	X(IGN_PKTS,	164, 8,  "ignoredPacketTotalCount")		\
	X(IGN_OCTETS,	165, 8,  "ignoredOctetTotalCount")		\
	X(LOST_FLOWS,	166, 8,  "notSentFlowTotalCount")		\
	X(LOST_PKTS,	167, 8,  "notSentPacketTotalCount")		\
	X(LOST_OCTETS,	168, 8,  "notSentOctetTotalCount")		\
	X(IP4_OPTS,	208, 4,  "ipv4Options")				\
	X(TCP_OPTS,	209, 8,  "tcpOptions")				\
	X(POST_SRC4,	225, 4,  "postNATSourceIPv4Address")		\
	X(POST_DST4,	226, 4,  "postNATDestinationIPv4Address")	\
	X(POST_SPORT,	227, 2,  "postNAPTSourceTransportPort")		\
	X(POST_DPORT,	228, 2,  "postNAPTDestinationTransportPort")	\
	X(DOT1Q_VLAN,	243, 2,  "dot1qVlanId")				\
	X(DOT1Q_CVLAN,	245, 2,  "dot1qCustomerVlanId")			\
	X(PHYS_IN,	252, 4,  "ingressPhysicalInterface")		\
	X(PHYS_OUT,	253, 4,  "egressPhysicalInterface")		\
	X(NAT_EVENT,	230, 1,  "natEvent")				\
	X(BIFLOW_DIR,	239, 1,  "biflowDirection")			\
	X(POST_SRC6,	281, 16, "postNATSourceIPv6Address")		\
	X(ETHERTYPE,	256, 2,  "ethernetType")			\
	X(POST_DST6,	282, 16, "postNATDestinationIPv6Address")	\
	X(DOMAIN_NAME,	300, NFL_IE_VAR(64), "observationDomainName")	\
	X(SELECTOR_ID,	302, 8,  "selectorId")				\
	X(SELECTOR_ALGO, 304, 2, "selectorAlgorithm")			\
	X(SAMPLING_SIZE, 309, 4, "samplingSize")			\
	X(SAMPLING_POP,	310, 4,  "samplingPopulation")			\
	X(OBS_TIME_MS,	323, 8,  "observationTimeMilliseconds")	\
	X(HASH_OUT_MIN,	326, 8,  "hashOutputRangeMin")			\
	X(HASH_OUT_MAX,	327, 8,  "hashOutputRangeMax")			\
	X(HASH_SEL_MIN,	328, 8,  "hashSelectedRangeMin")		\
	X(HASH_SEL_MAX,	329, 8,  "hashSelectedRangeMax")		\
	X(HASH_INIT,	331, 8,  "hashInitialiserValue")		\
	X(FLOW_SEL_ALGO, 390, 2, "flowSelectorAlgorithm")		\
	X(FLOW_INTERVAL, 396, 8, "samplingFlowInterval")		\
	X(FLOW_SPACING,	397, 8,  "samplingFlowSpacing")			\
	X(REV_OCTETS,	NFL_IE_REVERSE(1),   8, "reverseOctetDeltaCount") \
	X(REV_PACKETS,	NFL_IE_REVERSE(2),   8, "reversePacketDeltaCount") \
	X(REV_FIRST_MS,	NFL_IE_REVERSE(152), 8, "reverseFlowStartMilliseconds") \
	X(REV_LAST_MS,	NFL_IE_REVERSE(153), 8, "reverseFlowEndMilliseconds")

#define NFL_IE_ENUM(sym, id, len, name)	NFL_IE_##sym = (id),
enum nfl_ie {
	NFL_IES(NFL_IE_ENUM)
};
#undef NFL_IE_ENUM

struct nfl_ie_info {
	u16 id;
	u16 len;			/* bytes, NFL_IE_STR() or NFL_IE_VAR() */
	const char *name;
};

/* biflowDirection (IE 239) values, RFC 5103 6.3 */
#define NFL_BIFLOW_ARBITRARY		0
#define NFL_BIFLOW_INITIATOR		1	/* the source started it */
#define NFL_BIFLOW_REVERSE_INITIATOR	2	/* the destination did */

/* The element @id, NULL for one we do not export (template.c). */
const struct nfl_ie_info *nfl_ie_find(unsigned int id);

#endif /* _NETFLOW_IE_H */
