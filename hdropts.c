// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipv4Options (IE 208) and tcpOptions (IE 209): which options a header
 * carries, as bits.  IANA's text for both (RFC 5102 errata 1737/1739):
 * "Option number X is mapped to bit X", bit X being 1 << X of the value.
 *
 * Pure: the caller hands in the option bytes it has read (at most the
 * header's own length), so KUnit feeds these with whatever it likes.
 * Both lists follow RFC 791's layout (TCP's, RFC 9293, is the same):
 * End of Option List ends the walk, No-Operation is one byte, any other
 * option has a length byte of at least 2 that must fit in the header.
 * A bad or missing length ends the walk without counting that option:
 * what follows cannot be told from garbage.
 */
#include <linux/bits.h>
#include <linux/kernel.h>

#include "flow.h"
#include "hdropts.h"

/*
 * Full 8-bit IPv4 option types IANA assigns (ip-parameters, "IP Option
 * Numbers"; 150, NSAPA, as the IE's figure has it).  Bit (type & 31) of
 * ipv4Options stands for the option number: an unassigned type with the
 * same number (say 0x99, number 25, where QS is 0x19) must not set it.
 */
static const u8 nfl_ip4_opt_types[] = {
	0, 1, 7, 10, 11, 12, 15, 25, 30,	/* copy 0, class 0 */
	68, 82, 94,				/* class 2 */
	130, 131, 133, 134, 136, 137, 142, 144, 145, 147, 148, 149, 150,
	151, 152, 158,				/* copy 1, class 0 */
	205, 222,				/* copy 1, class 2 */
};

static bool nfl_ip4_opt_assigned(u8 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nfl_ip4_opt_types); i++)
		if (nfl_ip4_opt_types[i] == type)
			return true;
	return false;
}

/*
 * One walk for both: calls @bit for each well-formed option and returns
 * the OR of what it gives.  EOOL is an option too (IANA lists it).
 */
static __always_inline u32 nfl_opts_walk(const u8 *p, unsigned int len,
					u32 (*bit)(u8 type))
{
	unsigned int i = 0, olen;
	u32 bits = 0;

	while (i < len) {
		u8 type = p[i];

		if (type == 0)			/* EOOL: the list ends */
			return bits | bit(0);
		if (type == 1) {		/* NOP */
			bits |= bit(1);
			i++;
			continue;
		}
		if (i + 1 >= len)		/* no room for the length */
			break;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			break;
		bits |= bit(type);
		i += olen;
	}
	return bits;
}

static u32 nfl_ip4_opt_bit(u8 type)
{
	return nfl_ip4_opt_assigned(type) ? BIT(type & 31) : 0;
}

u32 nfl_ip4_opts(const u8 *p, unsigned int len)
{
	return nfl_opts_walk(p, len, nfl_ip4_opt_bit);
}

/*
 * tcpOptions as the flow keeps it (NFL_TCPOPT_*, flow.h): kinds
 * 0..30 at their own bit, kind 34 (TCP Fast Open) at bit 31.  IANA has
 * nothing else below 64 (31-33 and 35-63 are reserved): those are
 * dropped here, and so are kinds from 64 on, which the IE cannot hold.
 */
static u32 nfl_tcp_opt_bit(u8 kind)
{
	if (kind <= 30)
		return BIT(kind);
	return kind == 34 ? NFL_TCPOPT_FASTOPEN : 0;
}

u32 nfl_tcp_opts(const u8 *p, unsigned int len)
{
	return nfl_opts_walk(p, len, nfl_tcp_opt_bit);
}
