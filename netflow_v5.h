/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NetFlow v5 wire format (Cisco, no RFC): a 24-byte header and up to 30
 * fixed 48-byte records, every field in network byte order.
 */
#ifndef _NETFLOW_V5_H
#define _NETFLOW_V5_H

#include <linux/types.h>
#include <linux/build_bug.h>

#define NF5_VERSION		5
#define NF5_MAX_RECORDS		30
/* The fields are 16 bits wide; see nf5_ifindex() in netflow_v5.c. */
#define NF5_IFINDEX_MAX		65535U

struct nf5_header {
	__be16 version;
	__be16 count;			/* records in this PDU */
	__be32 sys_uptime;		/* ms since boot */
	__be32 unix_secs;
	__be32 unix_nsecs;		/* nanoseconds, not a fraction */
	__be32 flow_sequence;		/* flows sent before this PDU */
	u8 engine_type;
	u8 engine_id;
	__be16 sampling_interval;
} __packed;

struct nf5_record {
	__be32 srcaddr;
	__be32 dstaddr;
	__be32 nexthop;
	__be16 input;
	__be16 output;
	__be32 d_pkts;
	__be32 d_octets;
	__be32 first;			/* sys_uptime at the first packet */
	__be32 last;			/* sys_uptime at the last packet */
	__be16 srcport;
	__be16 dstport;			/* ICMP: type << 8 | code */
	u8 pad1;
	u8 tcp_flags;
	u8 prot;
	u8 tos;
	__be16 src_as;
	__be16 dst_as;
	u8 src_mask;
	u8 dst_mask;
	__be16 pad2;
} __packed;

/* tcp_flags of NAT event dummy flows */
#define NF5_NAT_START_FLAGS	0x12	/* SYN|ACK */
#define NF5_NAT_STOP_FLAGS	0x05	/* RST|FIN */

static_assert(sizeof(struct nf5_header) == 24);
static_assert(sizeof(struct nf5_record) == 48);

#define NF5_PDU_MAX	(sizeof(struct nf5_header) + \
			 NF5_MAX_RECORDS * sizeof(struct nf5_record))

#endif /* _NETFLOW_V5_H */
