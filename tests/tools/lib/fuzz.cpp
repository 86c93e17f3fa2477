#include "fuzz.hpp"

#include "bytes.hpp"
#include "packet.hpp"

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <utility>

namespace nft::fuzz {

namespace {

constexpr uint8_t P_HOP = 0, P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_DCCP = 33, P_RT = 43, P_FRAG = 44,
                  P_GRE = 47, P_ESP = 50, P_AH = 51, P_ICMP6 = 58, P_NONE = 59, P_DST = 60,
                  P_PIM = 103, P_COMP = 108, P_SCTP = 132, P_UDPLITE = 136;

// IPv4 frag_off bits as on the wire
constexpr uint16_t F_RES = 0x8000, F_DF = 0x4000, F_MF = 0x2000, F_OFF = 0x1fff;

enum : int {
    V4_VALID, V4_RUNT, V4_IHL_SHORT, V4_IHL_LONG, V4_TOTLEN_SHORT, V4_TOTLEN_LONG,
    V4_TOTLEN_LT_IHL, V4_BAD_CSUM, V4_BAD_VERSION, V4_L4CUT_UDP, V4_L4CUT_TCP, V4_L4CUT_ICMP,
    V4_L4CUT_OTHER, V4_IPOPTS, V4_TCPOPTS, V4_FRAG_FIRST, V4_FRAG_FIRST_CUT, V4_FRAG_MIDDLE,
    V4_FRAG_LAST, V4_FRAG_OVERLAP, V4_FRAG_ZERO, V4_FRAG_ODD, V4_MUTATE,
    V6_VALID, V6_RUNT, V6_BAD_VERSION, V6_PLEN_SHORT, V6_PLEN_LONG, V6_PLEN_ZERO, V6_L4CUT_UDP,
    V6_L4CUT_TCP, V6_L4CUT_ICMP6, V6_TCPOPTS, V6_HBH, V6_DSTOPT, V6_ROUTING, V6_AH, V6_ESP,
    V6_LONG_CHAIN, V6_CHAIN_CUT, V6_FRAG_FIRST, V6_FRAG_FIRST_CUT, V6_FRAG_LATER,
    V6_FRAG_LATER_EXT, V6_FRAG_OVERLAP, V6_FRAG_ZERO, V6_FRAG_ATOMIC, V6_FRAG_MULTI, V6_MUTATE,
    GSO_TCP4, GSO_UDP4, GSO_BAD4, GSO_TCP6, GSO_UDP6, GSO_BAD6,
    NCLASSES
};

const std::vector<ClassInfo> kClasses = {
    {"v4_valid", 4, 12, "well-formed UDP/TCP/ICMP/SCTP/GRE/ESP, sometimes with valid IP or TCP options"},
    {"v4_runt", 4, 2, "IPv4 header cut short: 0..19 bytes"},
    {"v4_ihl_short", 4, 2, "IHL 0..4"},
    {"v4_ihl_long", 4, 2, "IHL beyond the packet's end, or beyond the real header (L4 bytes as options)"},
    {"v4_totlen_short", 4, 3, "total length below the frame, at or above IHL (trimmed: L4 cut)"},
    {"v4_totlen_long", 4, 2, "total length beyond the frame"},
    {"v4_totlen_lt_ihl", 4, 2, "total length below the header length"},
    {"v4_bad_csum", 4, 2, "header checksum wrong"},
    {"v4_bad_version", 4, 2, "version field not 4"},
    {"v4_l4cut_udp", 4, 3, "UDP header cut at every offset 0..8"},
    {"v4_l4cut_tcp", 4, 3, "TCP header cut at every offset of header and options"},
    {"v4_l4cut_icmp", 4, 2, "ICMP header cut at every offset 0..8"},
    {"v4_l4cut_other", 4, 2, "SCTP/DCCP/UDP-Lite/GRE/ESP/AH/PIM headers cut at 0..16"},
    {"v4_ipopts", 4, 4, "IPv4 options of every shape: EOL, NOP, lengths 0/1/2/overrun, RA, RR, TS, SRR, ..."},
    {"v4_tcpopts", 4, 3, "TCP doff too small/large, options with length 0/1/overrun, garbage"},
    {"v4_frag_first", 4, 2, "first fragment (MF, offset 0) with a full L4 header"},
    {"v4_frag_first_cut", 4, 2, "first fragment with the L4 header cut short"},
    {"v4_frag_middle", 4, 2, "middle fragment (MF, offset > 0)"},
    {"v4_frag_last", 4, 2, "last fragment (offset > 0, no MF)"},
    {"v4_frag_overlap", 4, 3, "fragments of one datagram with overlapping offsets, duplicates, any order"},
    {"v4_frag_zero", 4, 2, "zero-length fragments and empty packets"},
    {"v4_frag_odd", 4, 2, "DF+MF, reserved bit, offset 8191, fragments with options"},
    {"v4_mutate", 4, 6, "valid packets with random bytes changed, cut or appended (addresses kept)"},
    {"v6_valid", 6, 12, "well-formed UDP/TCP/ICMPv6/SCTP/GRE/no-next-header, sometimes after HBH/DST"},
    {"v6_runt", 6, 2, "IPv6 header cut short: 0..39 bytes"},
    {"v6_bad_version", 6, 2, "version field not 6"},
    {"v6_plen_short", 6, 3, "payload length below the frame (trimmed: chain or L4 cut)"},
    {"v6_plen_long", 6, 2, "payload length beyond the frame"},
    {"v6_plen_zero", 6, 2, "payload length 0, with and without hop-by-hop (jumbogram rules)"},
    {"v6_l4cut_udp", 6, 2, "UDP header cut at every offset, sometimes after HBH/DST"},
    {"v6_l4cut_tcp", 6, 2, "TCP header cut at every offset"},
    {"v6_l4cut_icmp6", 6, 2, "ICMPv6 header cut at every offset"},
    {"v6_tcpopts", 6, 2, "TCP doff too small/large, options with length 0/1/overrun"},
    {"v6_hbh", 6, 4, "hop-by-hop: Pad1/PadN abuse, unknown options of each action, RA, IOAM, jumbo, >8 options, overruns"},
    {"v6_dstopt", 6, 3, "destination options of the same shapes, before and after other headers"},
    {"v6_routing", 6, 3, "routing headers of types 0/2/3/4/..., odd and overrunning lengths, any segments left"},
    {"v6_ah", 6, 3, "AH with payload lengths 0..255, overrunning the packet"},
    {"v6_esp", 6, 2, "ESP and IPComp, alone, after other headers, short"},
    {"v6_long_chain", 6, 3, "chains of 10..60 extension headers"},
    {"v6_chain_cut", 6, 3, "extension header chains cut at every offset"},
    {"v6_frag_first", 6, 2, "first fragment with a full L4 header, sometimes DST/AH after the fragment header"},
    {"v6_frag_first_cut", 6, 2, "first fragment with the L4 header cut short"},
    {"v6_frag_later", 6, 2, "later fragments (offset > 0) of UDP/TCP/ICMPv6/SCTP/ESP/no-next-header"},
    {"v6_frag_later_ext", 6, 2, "later fragments whose next header is DST/AH/HBH/routing/fragment"},
    {"v6_frag_overlap", 6, 3, "fragments of one datagram with overlapping offsets, duplicates, any order"},
    {"v6_frag_zero", 6, 2, "fragment headers with nothing after them, or cut short"},
    {"v6_frag_atomic", 6, 2, "atomic fragments (offset 0, no M)"},
    {"v6_frag_multi", 6, 2, "two or three fragment headers in one chain"},
    {"v6_mutate", 6, 6, "valid packets with random bytes changed, cut or appended (addresses kept)"},
    // sent on a tap only (Path::Tap), a stream of their own
    {"gso_tcp4", 4, 3, "TCP/IPv4 GSO (TSO) up to 16 kB, gso_size 1..1460, IP/TCP options, ECN, with and without NEEDS_CSUM", true},
    {"gso_udp4", 4, 2, "UDP/IPv4 GSO: USO (UDP_L4) and UFO, up to 16 kB, any gso_size", true},
    {"gso_bad4", 4, 3, "malformed IPv4 packets of every class, and large ones cut or mutated, under a GSO header of any type, size, checksum offsets", true},
    {"gso_tcp6", 6, 3, "TCP/IPv6 GSO up to 16 kB, after HBH/DST sometimes", true},
    {"gso_udp6", 6, 2, "UDP/IPv6 GSO: USO and UFO", true},
    {"gso_bad6", 6, 3, "malformed IPv6 packets of every class, and large ones cut or mutated, under a GSO header of any type", true},
};

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
void put16(std::vector<uint8_t>& v, size_t off, uint16_t x)
{
    v.at(off) = static_cast<uint8_t>(x >> 8);
    v.at(off + 1) = static_cast<uint8_t>(x);
}
void append(std::vector<uint8_t>& v, const std::vector<uint8_t>& w) { v.insert(v.end(), w.begin(), w.end()); }

bool ext_hdr(uint8_t nh)
{
    return nh == P_HOP || nh == P_RT || nh == P_FRAG || nh == P_AH || nh == P_NONE || nh == P_DST;
}

uint64_t mix(uint64_t seed, uint64_t salt)
{
    Rng r(seed ^ (salt * 0xd1b54a32d192ed03ULL));
    r.next();
    return r.next();
}

// ---- building blocks ------------------------------------------------------

struct Ctx {
    Rng& r;
    uint64_t n; // packets this class made before
    int family;
    IpAddr src, dst;
    std::deque<std::vector<uint8_t>>& pending;

    uint16_t sport() { return static_cast<uint16_t>(40000 + r.below(4)); }
    uint16_t dport()
    {
        static const uint16_t p[] = {53, 80, 443, 5000};
        return p[r.below(4)];
    }
    uint8_t icmp_proto() const { return family == 4 ? P_ICMP : P_ICMP6; }
};

// ----- IPv4

struct Ip4 {
    uint8_t version = 4;
    int ihl = -1; // words; -1: 5 + options
    uint8_t tos = 0;
    long tot_len = -1; // -1: the real length
    uint16_t id = 0;
    uint16_t frag = 0;
    uint8_t ttl = 64;
    uint8_t proto = P_UDP;
    IpAddr src, dst;
    std::vector<uint8_t> opts; // a multiple of 4 unless ihl is given
};

// The header checksum over what the IHL field covers, as far as there are
// bytes (20 for an IHL below 5): the kernel then drops a bad header for
// its length, not for its checksum.
void fix_csum4(std::vector<uint8_t>& p)
{
    if (p.size() < 12)
        return;
    p[10] = p[11] = 0;
    size_t hl = std::max<size_t>(20, (p[0] & 15u) * 4);
    hl = std::min(hl, p.size());
    put16(p, 10, inet_checksum(p.data(), hl));
}

std::vector<uint8_t> assemble4(const Ip4& h, const std::vector<uint8_t>& l4)
{
    std::vector<uint8_t> p;
    ByteWriter w(p);
    const size_t hl = 20 + h.opts.size();
    const unsigned ihl = h.ihl >= 0 ? static_cast<unsigned>(h.ihl) : static_cast<unsigned>(hl / 4);
    w.u8(static_cast<uint8_t>(h.version << 4 | (ihl & 15)));
    w.u8(h.tos);
    w.u16(static_cast<uint16_t>(h.tot_len >= 0 ? h.tot_len : static_cast<long>(hl + l4.size())));
    w.u16(h.id);
    w.u16(h.frag);
    w.u8(h.ttl);
    w.u8(h.proto);
    w.u16(0);
    w.bytes(h.src.data(), 4);
    w.bytes(h.dst.data(), 4);
    w.bytes(h.opts);
    w.bytes(l4);
    fix_csum4(p);
    return p;
}

void pad4(std::vector<uint8_t>& o, uint8_t with = 0)
{
    while (o.size() % 4)
        o.push_back(with);
}

// Options a careful sender sends (RFC 791/2113), EOL-padded.
std::vector<uint8_t> valid_ip_opts(Rng& r)
{
    std::vector<uint8_t> o;
    switch (r.below(5)) {
    case 0: o = {148, 4, 0, 0}; break;                            // router alert
    case 1: o = {1, 1, 1, 1}; break;                              // NOPs
    case 2: o = {7, 7, 4, 0, 0, 0, 0}; break;                     // record route, one slot
    case 3: o = {68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0}; break;    // timestamps, two slots
    default: o = {1, 148, 4, 0, 0}; break;                        // NOP, RA
    }
    pad4(o);
    return o;
}

// IPv4 options of every shape, @region bytes (a multiple of 4, <= 40).
std::vector<uint8_t> random_ip_opts(Rng& r, size_t region)
{
    static const uint8_t types[] = {7, 68, 131, 137, 148, 130, 136, 134, 0x99, 25, 30, 94, 0x9e};
    std::vector<uint8_t> o;
    auto type = [&]() -> uint8_t { return r.chance(85) ? types[r.below(sizeof types)] : r.byte(); };
    while (o.size() < region) {
        const size_t left = region - o.size();
        switch (r.below(15)) {
        case 0: o.push_back(0); break; // EOL (maybe followed by more)
        case 1: o.push_back(1); break; // NOP
        case 2: o.insert(o.end(), {type(), 0}); break;
        case 3: o.insert(o.end(), {type(), 1}); break;
        case 4: o.insert(o.end(), {type(), 2}); break;
        case 5: o.insert(o.end(), {type(), static_cast<uint8_t>(left + 1 + r.below(200))}); break;
        case 6:
            if (r.chance(70))
                o.insert(o.end(), {148, 4, 0, 0});
            else
                o.insert(o.end(), {148, static_cast<uint8_t>(r.chance(50) ? 2 : 3), 0});
            break;
        case 7: { // record route
            static const uint8_t lens[] = {3, 7, 11, 39};
            uint8_t l = lens[r.below(4)];
            static const uint8_t ptrs[] = {4, 8, 3, 0, 255};
            uint8_t ptr = r.chance(20) ? static_cast<uint8_t>(l + 1) : ptrs[r.below(5)];
            o.insert(o.end(), {7, l, ptr});
            for (unsigned i = 3; i < l; ++i)
                o.push_back(r.chance(70) ? 0 : r.byte());
            break;
        }
        case 8: { // timestamps
            static const uint8_t lens[] = {4, 8, 12, 36, 40, 5};
            uint8_t l = lens[r.below(6)];
            static const uint8_t flags[] = {0, 1, 3, 2, 0xf1};
            uint8_t ptr = static_cast<uint8_t>(r.chance(70) ? 5 : r.below(50));
            o.insert(o.end(), {68, l, ptr, flags[r.below(5)]});
            for (unsigned i = 4; i < l; ++i)
                o.push_back(r.chance(60) ? 0 : r.byte());
            break;
        }
        case 9: { // loose/strict source route
            static const uint8_t lens[] = {3, 7, 11, 6};
            uint8_t l = lens[r.below(4)];
            o.insert(o.end(), {static_cast<uint8_t>(r.chance(50) ? 131 : 137), l, 4});
            for (unsigned i = 3; i < l; ++i)
                o.push_back(r.byte());
            break;
        }
        case 10: // security (RFC 1108 style, 11 bytes)
            o.insert(o.end(), {130, 11});
            for (int i = 0; i < 9; ++i)
                o.push_back(r.byte());
            break;
        case 11: o.insert(o.end(), {136, 4, r.byte(), r.byte()}); break; // stream id
        case 12: { // CIPSO
            uint8_t l = static_cast<uint8_t>(r.range(6, 20));
            o.insert(o.end(), {134, l});
            for (unsigned i = 2; i < l; ++i)
                o.push_back(r.byte());
            break;
        }
        case 13: { // unassigned or any type, with a fitting length
            uint8_t l = static_cast<uint8_t>(r.range(2, 8));
            o.insert(o.end(), {r.chance(50) ? uint8_t{0x99} : r.byte(), l});
            for (unsigned i = 2; i < l; ++i)
                o.push_back(r.byte());
            break;
        }
        default: o.push_back(r.byte()); break;
        }
    }
    o.resize(region); // the last option may be cut: its length then overruns
    return o;
}

// ----- L4

std::vector<uint8_t> tcp_seg(Ctx& c, uint16_t sp, uint16_t dp, uint8_t flags, unsigned doff,
                             const std::vector<uint8_t>& opts, const std::vector<uint8_t>& payload)
{
    std::vector<uint8_t> s;
    ByteWriter w(s);
    w.u16(sp);
    w.u16(dp);
    w.u32(static_cast<uint32_t>(c.r.next()));
    w.u32(static_cast<uint32_t>(c.r.next()));
    w.u8(static_cast<uint8_t>((doff & 15) << 4));
    w.u8(flags);
    w.u16(static_cast<uint16_t>(1024 + c.r.below(64512)));
    w.u16(0);
    w.u16(0);
    w.bytes(opts);
    w.bytes(payload);
    put16(s, 16, l4_checksum(c.src, c.dst, P_TCP, s.data(), s.size()));
    return s;
}

std::vector<uint8_t> valid_tcp_opts(Rng& r)
{
    std::vector<uint8_t> o;
    if (r.chance(50))
        o.insert(o.end(), {2, 4, 0x05, 0xb4}); // MSS 1460
    if (r.chance(40))
        o.insert(o.end(), {1, 3, 3, 7}); // NOP, window scale
    if (r.chance(40))
        o.insert(o.end(), {1, 1, 4, 2}); // NOP NOP SACK permitted
    if (r.chance(60)) {
        o.insert(o.end(), {1, 1, 8, 10});
        for (int i = 0; i < 8; ++i)
            o.push_back(r.byte());
    }
    if (r.chance(20)) { // SACK block
        o.insert(o.end(), {1, 1, 5, 10});
        for (int i = 0; i < 8; ++i)
            o.push_back(r.byte());
    }
    while (o.size() > 40)
        o.resize(o.size() - 4);
    pad4(o, 0);
    return o;
}

std::vector<uint8_t> valid_tcp(Ctx& c, size_t plen, bool opts = true)
{
    static const uint8_t flags[] = {0x18, 0x10, 0x02, 0x12, 0x11, 0x04, 0x19};
    auto o = opts && c.r.chance(50) ? valid_tcp_opts(c.r) : std::vector<uint8_t>{};
    return tcp_seg(c, c.sport(), c.dport(), flags[c.r.below(7)], 5 + static_cast<unsigned>(o.size() / 4), o,
                   payload_pattern(plen, c.r.byte()));
}

std::vector<uint8_t> valid_icmp(Ctx& c, size_t plen)
{
    IcmpParams p;
    if (c.family == 4) {
        static const uint8_t t[][2] = {{8, 0}, {0, 0}, {3, 3}, {11, 0}, {3, 1}};
        auto i = c.r.below(5);
        p.type = t[i][0];
        p.code = t[i][1];
    } else {
        static const uint8_t t[][2] = {{128, 0}, {129, 0}, {1, 4}, {3, 0}, {2, 0}};
        auto i = c.r.below(5);
        p.type = t[i][0];
        p.code = t[i][1];
    }
    p.id = static_cast<uint16_t>(c.r.range(1, 8));
    p.seq = static_cast<uint16_t>(c.r.next());
    return build_icmp(c.src, c.dst, p, payload_pattern(plen, c.r.byte()));
}

// A well-formed transport header (and payload) of @proto.
std::vector<uint8_t> valid_l4(Ctx& c, uint8_t proto, size_t plen)
{
    auto payload = payload_pattern(plen, c.r.byte());
    switch (proto) {
    case P_UDP: return build_udp(c.src, c.dst, c.sport(), c.dport(), payload);
    case P_TCP: return valid_tcp(c, plen);
    case P_ICMP:
    case P_ICMP6: return valid_icmp(c, plen);
    case P_UDPLITE: {
        auto s = build_udp(c.src, c.dst, c.sport(), c.dport(), payload);
        put16(s, 4, 0); // checksum coverage: all
        put16(s, 6, 0);
        put16(s, 6, l4_checksum(c.src, c.dst, P_UDPLITE, s.data(), s.size()));
        return s;
    }
    case P_SCTP: { // common header; CRC32c not computed (nobody listens)
        std::vector<uint8_t> s;
        ByteWriter w(s);
        w.u16(c.sport());
        w.u16(c.dport());
        w.u32(static_cast<uint32_t>(c.r.next()));
        w.u32(static_cast<uint32_t>(c.r.next()));
        w.bytes(payload);
        return s;
    }
    case P_DCCP: {
        std::vector<uint8_t> s;
        ByteWriter w(s);
        w.u16(c.sport());
        w.u16(c.dport());
        w.u8(4); // data offset, words
        w.u8(0);
        w.u16(0);
        w.u64(c.r.next());
        w.bytes(payload);
        return s;
    }
    case P_GRE: {
        std::vector<uint8_t> s = {0, 0, 0x08, 0x00};
        append(s, payload);
        return s;
    }
    case P_ESP: {
        std::vector<uint8_t> s;
        ByteWriter w(s);
        w.u32(static_cast<uint32_t>(c.r.range(256, 1000)));
        w.u32(static_cast<uint32_t>(c.r.next()));
        w.bytes(payload);
        return s;
    }
    case P_NONE: return {};
    default: return c.r.bytes(plen + 8);
    }
}

// Bytes of the transport header a receiver needs (cut offsets run to this).
size_t l4_hdr_size(uint8_t proto, const std::vector<uint8_t>& seg)
{
    switch (proto) {
    case P_TCP: return seg.size() >= 13 ? std::max<size_t>(20, (seg[12] >> 4) * 4u) : 20;
    case P_UDP:
    case P_UDPLITE:
    case P_ICMP:
    case P_ICMP6: return 8;
    case P_SCTP: return 12;
    case P_DCCP: return 16;
    default: return 8;
    }
}

// TCP with malformed data offset or options.
std::vector<uint8_t> bad_tcp(Ctx& c)
{
    Rng& r = c.r;
    const uint8_t flags = r.chance(60) ? uint8_t{0x18} : r.byte();
    auto payload = payload_pattern(r.below(24), r.byte());
    std::vector<uint8_t> o;
    unsigned doff = 5;
    switch (c.n % 6) {
    case 0: // data offset below the fixed header
        doff = r.below(5);
        break;
    case 1: // data offset beyond the segment
        o = r.bytes(r.below(12));
        doff = r.range(static_cast<uint32_t>(6 + o.size() / 4), 15);
        payload.clear();
        break;
    case 2: { // options with broken lengths
        while (o.size() < 4 + r.below(36)) {
            switch (r.below(10)) {
            case 0: o.insert(o.end(), {2, 0}); break;            // length 0
            case 1: o.insert(o.end(), {3, 1}); break;            // length 1
            case 2: o.insert(o.end(), {8, static_cast<uint8_t>(41 + r.below(200))}); break; // overrun
            case 3: o.push_back(0); break;                       // EOL, then garbage
            case 4: o.push_back(1); break;
            case 5: o.insert(o.end(), {2, 3, 5}); break;         // MSS, length 3
            case 6: o.insert(o.end(), {8, 9, 0, 0, 0, 0, 0, 0, 0}); break; // TS, length 9
            case 7: o.insert(o.end(), {5, 3, 0}); break;         // SACK, length 3
            case 8: {                                            // unknown / experimental kinds
                static const uint8_t k[] = {99, 34, 30, 253, 254, 31, 64, 255};
                o.insert(o.end(), {k[r.below(8)], static_cast<uint8_t>(r.range(2, 6))});
                o.insert(o.end(), 4, 0);
                break;
            }
            default: o.push_back(r.byte()); break;
            }
        }
        if (o.size() > 40)
            o.resize(40);
        pad4(o, r.chance(50) ? 1 : r.byte());
        doff = static_cast<unsigned>(5 + o.size() / 4);
        break;
    }
    case 3: // 40 bytes of NOPs and garbage
        for (int i = 0; i < 40; ++i)
            o.push_back(r.chance(70) ? 1 : r.byte());
        doff = 15;
        break;
    case 4: // one option claiming more than the option space
        o = {static_cast<uint8_t>(r.range(2, 40)), static_cast<uint8_t>(r.range(41, 255))};
        o.resize(40, 0);
        doff = 15;
        break;
    default: // options bytes behind a doff of 5: data, not options
        o = valid_tcp_opts(r);
        doff = 5;
        break;
    }
    return tcp_seg(c, c.sport(), c.dport(), flags, doff, o, payload);
}

// ----- IPv6

struct Ip6 {
    uint8_t version = 6;
    uint8_t tc = 0;
    uint32_t flow = 0;
    long plen = -1; // -1: the real length
    uint8_t nh = P_UDP;
    uint8_t hlim = 64;
    IpAddr src, dst;
};

std::vector<uint8_t> assemble6(const Ip6& h, const std::vector<uint8_t>& payload)
{
    std::vector<uint8_t> p;
    ByteWriter w(p);
    w.u32(static_cast<uint32_t>(h.version) << 28 | uint32_t{h.tc} << 20 | (h.flow & 0xfffff));
    w.u16(static_cast<uint16_t>(h.plen >= 0 ? h.plen : static_cast<long>(payload.size())));
    w.u8(h.nh);
    w.u8(h.hlim);
    w.bytes(h.src.data(), 16);
    w.bytes(h.dst.data(), 16);
    w.bytes(payload);
    return p;
}

struct Ext {
    uint8_t type;
    std::vector<uint8_t> b;
    bool keep_nh = false; // its next-header byte is what the class wants
};

// Links each header's next-header byte to the type after it (the last to
// @proto; ESP has none) and appends them to @out; the first type.
uint8_t link(std::vector<Ext>& ex, uint8_t proto, std::vector<uint8_t>& out)
{
    for (size_t i = 0; i < ex.size(); ++i) {
        if (!ex[i].keep_nh && ex[i].type != P_ESP && !ex[i].b.empty())
            ex[i].b[0] = i + 1 < ex.size() ? ex[i + 1].type : proto;
        append(out, ex[i].b);
    }
    return ex.empty() ? proto : ex[0].type;
}

// An options header (HBH/DST) of @tlvs, padded to 8 with Pad1/PadN of zeros.
Ext opt_hdr(uint8_t type, const std::vector<uint8_t>& tlvs)
{
    std::vector<uint8_t> b = {0, 0};
    append(b, tlvs);
    const size_t pad = (8 - b.size() % 8) % 8;
    if (pad == 1) {
        b.push_back(0);
    } else if (pad >= 2) {
        b.push_back(1);
        b.push_back(static_cast<uint8_t>(pad - 2));
        b.insert(b.end(), pad - 2, 0);
    }
    b[1] = static_cast<uint8_t>(b.size() / 8 - 1);
    return {type, b};
}

Ext valid_opt_hdr(Rng& r, uint8_t type)
{
    std::vector<uint8_t> t;
    if (type == P_HOP && r.chance(40))
        t = {5, 2, 0, 0}; // router alert: MLD
    else if (r.chance(30))
        t = {0x1e, 2, r.byte(), r.byte()}; // unknown, action skip
    if (r.chance(30)) { // a longer header: PadN, then the option
        std::vector<uint8_t> p = {1, 4, 0, 0, 0, 0};
        t.insert(t.begin(), p.begin(), p.end());
    }
    return opt_hdr(type, t);
}

// TLVs of every shape, exactly @len bytes (the last may be cut).
std::vector<uint8_t> random_tlvs(Rng& r, size_t len)
{
    std::vector<uint8_t> o;
    auto unknown = [&](unsigned action) -> uint8_t {
        static const uint8_t low[] = {2, 3, 4, 6, 8, 0x0b, 0x11, 0x1e, 0x26, 0x3e, 0x22};
        return static_cast<uint8_t>(action << 6 | low[r.below(sizeof low)]);
    };
    while (o.size() < len) {
        switch (r.below(13)) {
        case 0: o.insert(o.end(), r.range(1, 9), 0); break; // Pad1 run (> 7 is bad)
        case 1: { // PadN, zeros
            uint8_t l = static_cast<uint8_t>(r.below(6));
            o.insert(o.end(), {1, l});
            o.insert(o.end(), l, 0);
            break;
        }
        case 2: { // PadN too long or not zero
            uint8_t l = static_cast<uint8_t>(r.range(1, 12));
            o.insert(o.end(), {1, l});
            for (unsigned i = 0; i < l; ++i)
                o.push_back(r.chance(50) ? 0 : r.byte());
            break;
        }
        case 3:
        case 4: { // unknown option, action skip
            uint8_t l = static_cast<uint8_t>(r.below(7));
            o.insert(o.end(), {unknown(0), l});
            for (unsigned i = 0; i < l; ++i)
                o.push_back(r.byte());
            break;
        }
        case 5: { // unknown option, action discard (1) or ICMP (2, 3)
            uint8_t l = static_cast<uint8_t>(r.below(5));
            o.insert(o.end(), {unknown(r.range(1, 3)), l});
            o.insert(o.end(), l, 0);
            break;
        }
        case 6: // router alert, right or wrong length
            if (r.chance(60))
                o.insert(o.end(), {5, 2, 0, r.byte()});
            else
                o.insert(o.end(), {5, static_cast<uint8_t>(r.chance(50) ? 0 : 3), 0, 0, 0});
            break;
        case 7: o.insert(o.end(), {unknown(0), static_cast<uint8_t>(len + r.below(100))}); break; // overrun
        case 8: o.push_back(unknown(0)); break; // type without a length, maybe at the end
        case 9: // more than 8 options
            for (unsigned i = r.range(5, 12); i > 0; --i)
                o.insert(o.end(), {0x1e, 0});
            break;
        case 10: { // IOAM (ignored unless enabled; must be 4n-aligned)
            uint8_t l = static_cast<uint8_t>(r.range(2, 6));
            o.insert(o.end(), {0x31, l});
            o.insert(o.end(), l, 0);
            break;
        }
        case 11: // jumbo payload option (never valid at these sizes)
            o.insert(o.end(), {0xc2, 4});
            for (int i = 0; i < 4; ++i)
                o.push_back(r.byte());
            break;
        default:
            for (unsigned i = r.range(1, 6); i > 0; --i)
                o.push_back(r.byte());
            break;
        }
    }
    o.resize(len);
    return o;
}

// An options header of random TLVs; sometimes its length field claims more
// than it has.
Ext random_opt_hdr(Rng& r, uint8_t type)
{
    const size_t size = 8 * r.range(1, 5);
    std::vector<uint8_t> b = {0, static_cast<uint8_t>(size / 8 - 1)};
    append(b, random_tlvs(r, size - 2));
    if (r.chance(12))
        b[1] = static_cast<uint8_t>(b[1] + r.range(1, 40));
    return {type, b};
}

Ext rt_hdr(Rng& r, bool valid)
{
    if (valid) { // type 4 (SRH) shape, no segments left: ignored
        std::vector<uint8_t> b = {0, 2, 4, 0, 0, 0, 0, 0}; // one segment
        const uint8_t seg[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        b.insert(b.end(), seg, seg + 16);
        return {P_RT, b};
    }
    static const uint8_t types[] = {0, 2, 3, 4, 5, 253, 254};
    const uint8_t type = r.chance(85) ? types[r.below(7)] : r.byte();
    const unsigned naddr = r.below(5);
    unsigned hdrlen = 2 * naddr;
    std::vector<uint8_t> b = {0, 0, type, 0, 0, 0, 0, 0};
    for (unsigned i = 0; i < naddr * 16; ++i)
        b.push_back(r.chance(50) ? r.byte() : 0);
    switch (r.below(6)) {
    case 0: // odd length
        b.insert(b.end(), 8, 0);
        hdrlen += 1;
        break;
    case 1: // claims more than it has
        hdrlen += r.range(1, 30);
        break;
    default: break;
    }
    static const uint8_t segs[] = {0, 1, 2, 255};
    b[1] = static_cast<uint8_t>(hdrlen);
    b[3] = r.chance(40) ? static_cast<uint8_t>(naddr) : segs[r.below(4)];
    return {P_RT, b};
}

Ext frag_hdr(uint16_t off8, bool m, uint32_t id)
{
    std::vector<uint8_t> b;
    ByteWriter w(b);
    w.u8(0);
    w.u8(0);
    w.u16(static_cast<uint16_t>(off8 << 3 | (m ? 1 : 0)));
    w.u32(id);
    return {P_FRAG, b};
}

// AH claiming (plen + 2) * 4 bytes; at most @room of them present.
Ext ah_hdr(Rng& r, uint8_t plen, size_t room = 2000)
{
    const size_t size = (plen + 2u) * 4;
    std::vector<uint8_t> b = {0, plen, 0, 0};
    ByteWriter w(b);
    w.u32(static_cast<uint32_t>(r.range(256, 1000))); // SPI
    while (b.size() < size && b.size() < room)
        b.push_back(r.byte());
    b.resize(std::min(size, std::max<size_t>(room, 2)));
    return {P_AH, b};
}

Ext short_ext(Rng& r)
{
    switch (r.below(5)) {
    case 0: return opt_hdr(P_DST, {});
    case 1: return opt_hdr(P_HOP, {});
    case 2: return rt_hdr(r, true);
    case 3: return ah_hdr(r, static_cast<uint8_t>(r.below(2)));
    default: return frag_hdr(0, false, static_cast<uint32_t>(r.next()));
    }
}

std::vector<uint8_t> v6_with(Ctx& c, std::vector<Ext> ex, uint8_t proto, const std::vector<uint8_t>& l4,
                             long plen = -1)
{
    Ip6 h;
    h.src = c.src;
    h.dst = c.dst;
    h.tc = c.r.chance(10) ? 0x10 : 0;
    h.flow = c.r.chance(30) ? c.r.below(0x100000) : 0;
    std::vector<uint8_t> pay;
    h.nh = link(ex, proto, pay);
    append(pay, l4);
    h.plen = plen;
    return assemble6(h, pay);
}

Ip4 base4(Ctx& c, uint8_t proto)
{
    Ip4 h;
    h.src = c.src;
    h.dst = c.dst;
    h.proto = proto;
    h.id = static_cast<uint16_t>(c.r.range(1, 65535));
    h.frag = c.r.chance(50) ? F_DF : 0;
    h.tos = c.r.chance(10) ? 0x10 : 0;
    return h;
}

uint8_t valid_proto(Ctx& c)
{
    static const uint8_t v4[] = {P_UDP, P_UDP, P_UDP, P_UDP, P_TCP, P_TCP, P_TCP, P_ICMP, P_ICMP, P_SCTP, P_GRE, P_ESP};
    static const uint8_t v6[] = {P_UDP, P_UDP, P_UDP, P_UDP, P_TCP, P_TCP, P_TCP, P_ICMP6, P_ICMP6, P_SCTP, P_GRE, P_NONE};
    return c.family == 4 ? v4[c.r.below(12)] : v6[c.r.below(12)];
}

uint8_t key_proto(Ctx& c) // one of UDP, TCP, ICMP(v6)
{
    switch (c.r.below(3)) {
    case 0: return P_UDP;
    case 1: return P_TCP;
    default: return c.icmp_proto();
    }
}

std::vector<uint8_t> v4_valid(Ctx& c, uint8_t proto = 255, size_t plen = SIZE_MAX, bool opts = true)
{
    if (proto == 255)
        proto = valid_proto(c);
    Ip4 h = base4(c, proto);
    if (opts && c.r.chance(20))
        h.opts = valid_ip_opts(c.r);
    return assemble4(h, valid_l4(c, proto, plen == SIZE_MAX ? c.r.below(200) : plen));
}

std::vector<Ext> valid_exts(Ctx& c)
{
    std::vector<Ext> ex;
    if (c.r.chance(25))
        ex.push_back(valid_opt_hdr(c.r, P_HOP));
    if (c.r.chance(20))
        ex.push_back(valid_opt_hdr(c.r, P_DST));
    return ex;
}

std::vector<uint8_t> v6_valid(Ctx& c, uint8_t proto = 255, size_t plen = SIZE_MAX)
{
    if (proto == 255)
        proto = valid_proto(c);
    return v6_with(c, valid_exts(c), proto, valid_l4(c, proto, plen == SIZE_MAX ? c.r.below(200) : plen));
}

// Random bytes changed (never the addresses: rules count classes by
// source), sometimes cut or extended.
std::vector<uint8_t> mutate(Ctx& c, std::vector<uint8_t> p)
{
    Rng& r = c.r;
    const size_t a0 = c.family == 4 ? 12 : 8, a1 = c.family == 4 ? 20 : 40;
    for (unsigned k = r.range(1, 4); k > 0; --k) {
        size_t pos = r.below(static_cast<uint32_t>(p.size()));
        if (pos >= a0 && pos < a1)
            continue;
        if (r.chance(50))
            p[pos] ^= static_cast<uint8_t>(1u << r.below(8));
        else
            p[pos] = r.byte();
    }
    if (r.chance(10))
        p.resize(r.below(static_cast<uint32_t>(p.size())));
    else if (r.chance(10))
        append(p, r.bytes(r.range(1, 64)));
    if (c.family == 4) {
        if (p.size() >= 20 && r.chance(70))
            fix_csum4(p);
    } else if (p.size() >= 40 && r.chance(60)) {
        put16(p, 4, static_cast<uint16_t>(p.size() - 40));
    }
    return p;
}

// Fragments of @data (the bytes after the IP header or fragment header),
// with overlapping offsets and duplicates, in random order.  Each: (offset
// in 8-byte units, more-fragments, bytes).
struct Piece {
    uint16_t off8;
    bool mf;
    std::vector<uint8_t> b;
};
std::vector<Piece> overlapping(Rng& r, const std::vector<uint8_t>& data, size_t first_min)
{
    std::vector<Piece> out;
    const size_t d = data.size();
    // the first: from 0, at least the transport header
    size_t l0 = std::min(d, std::max(first_min, size_t{8} * r.range(1, 8)));
    out.push_back({0, l0 < d, {data.begin(), data.begin() + static_cast<long>(l0)}});
    for (unsigned k = r.range(2, 5); k > 0; --k) {
        size_t start = 8 * r.below(static_cast<uint32_t>((d + 7) / 8));
        if (start >= d)
            start = d > 8 ? d - 8 : 0;
        size_t len = std::min(d - start, size_t{8} * r.range(1, 12) + (r.chance(20) ? r.below(8) : 0));
        out.push_back({static_cast<uint16_t>(start / 8), start + len < d,
                       {data.begin() + static_cast<long>(start), data.begin() + static_cast<long>(start + len)}});
    }
    if (r.chance(30))
        out.push_back(out[r.below(static_cast<uint32_t>(out.size()))]); // duplicate
    for (size_t i = out.size(); i > 1; --i)
        std::swap(out[i - 1], out[r.below(static_cast<uint32_t>(i))]);
    return out;
}

uint16_t frag_off8(Rng& r)
{
    switch (r.below(4)) {
    case 0: return static_cast<uint16_t>(r.range(1, 4));
    case 1: return static_cast<uint16_t>(r.range(1, 200));
    case 2: return 0x1fff;
    default: return static_cast<uint16_t>(r.range(1, 0x1fff));
    }
}

// ---- the classes ----------------------------------------------------------

std::vector<uint8_t> gen4(int cls, Ctx& c)
{
    Rng& r = c.r;
    switch (cls) {
    case V4_VALID: return v4_valid(c);
    case V4_RUNT: {
        auto p = v4_valid(c);
        p.resize(c.n % 20);
        return p;
    }
    case V4_IHL_SHORT: {
        auto p = v4_valid(c, 255, SIZE_MAX, false);
        p[0] = static_cast<uint8_t>(0x40 | c.n % 5);
        fix_csum4(p);
        return p;
    }
    case V4_IHL_LONG: {
        if (c.n % 2 == 0) { // beyond the packet's end
            static const uint8_t small[] = {P_UDP, P_ICMP, P_GRE};
            auto p = v4_valid(c, small[r.below(3)], r.below(12), false);
            p[0] = static_cast<uint8_t>(0x40 | r.range(static_cast<uint32_t>(p.size() / 4 + 1), 15));
            fix_csum4(p);
            return p;
        }
        // beyond the real header, within the packet: L4 bytes as options
        auto p = v4_valid(c, key_proto(c), r.range(20, 120), false);
        p[0] = static_cast<uint8_t>(0x40 | r.range(6, std::min<uint32_t>(15, static_cast<uint32_t>(p.size() / 4))));
        fix_csum4(p);
        return p;
    }
    case V4_TOTLEN_SHORT: {
        auto p = v4_valid(c);
        const size_t hl = (p[0] & 15u) * 4;
        const size_t l4 = p.size() - hl;
        if (l4 == 0)
            return p; // nothing to cut: the class's rare valid packet
        put16(p, 2, static_cast<uint16_t>(hl + std::min<size_t>(c.n % 24, l4 - 1)));
        fix_csum4(p);
        return p;
    }
    case V4_TOTLEN_LONG: {
        auto p = v4_valid(c);
        uint32_t t = r.chance(30) ? static_cast<uint32_t>(p.size() + 1)
                     : r.chance(15) ? 65535
                                    : r.range(static_cast<uint32_t>(p.size() + 1), 65535);
        put16(p, 2, static_cast<uint16_t>(t));
        fix_csum4(p);
        return p;
    }
    case V4_TOTLEN_LT_IHL: {
        auto p = v4_valid(c);
        put16(p, 2, static_cast<uint16_t>(r.below((p[0] & 15u) * 4)));
        fix_csum4(p);
        return p;
    }
    case V4_BAD_CSUM: {
        auto p = v4_valid(c);
        const size_t hl = (p[0] & 15u) * 4;
        do
            put16(p, 10, static_cast<uint16_t>(be16(p.data() + 10) ^ r.range(1, 0xffff)));
        while (ones_sum(p.data(), hl) == 0xffff);
        return p;
    }
    case V4_BAD_VERSION: {
        auto p = v4_valid(c);
        unsigned v = c.n % 15;
        p[0] = static_cast<uint8_t>((v >= 4 ? v + 1 : v) << 4 | (p[0] & 15));
        fix_csum4(p);
        return p;
    }
    case V4_L4CUT_UDP:
    case V4_L4CUT_ICMP:
    case V4_L4CUT_TCP:
    case V4_L4CUT_OTHER: {
        uint8_t proto;
        size_t cut;
        std::vector<uint8_t> l4;
        if (cls == V4_L4CUT_OTHER) {
            static const uint8_t o[] = {P_SCTP, P_DCCP, P_UDPLITE, P_GRE, P_ESP, P_AH, P_PIM, 253, P_ICMP6};
            proto = o[r.below(9)];
            l4 = valid_l4(c, proto, r.below(16));
            cut = c.n % 17;
        } else {
            proto = cls == V4_L4CUT_UDP ? P_UDP : cls == V4_L4CUT_TCP ? P_TCP : P_ICMP;
            l4 = valid_l4(c, proto, r.below(16));
            const size_t hdr = l4_hdr_size(proto, l4);
            cut = proto == P_TCP && c.n % 2 ? r.below(static_cast<uint32_t>(hdr + 1)) : c.n % (std::min<size_t>(hdr, 20) + 1);
        }
        l4.resize(std::min(cut, l4.size()));
        Ip4 h = base4(c, proto);
        return assemble4(h, l4);
    }
    case V4_IPOPTS: {
        const uint8_t proto = key_proto(c);
        Ip4 h = base4(c, proto);
        h.opts = random_ip_opts(r, 4 * r.range(1, 10));
        return assemble4(h, valid_l4(c, proto, r.below(64)));
    }
    case V4_TCPOPTS: return assemble4(base4(c, P_TCP), bad_tcp(c));
    case V4_FRAG_FIRST: {
        static const uint8_t pr[] = {P_UDP, P_TCP, P_ICMP, P_GRE, P_SCTP};
        const uint8_t proto = pr[r.below(5)];
        Ip4 h = base4(c, proto);
        h.frag = F_MF;
        return assemble4(h, valid_l4(c, proto, r.range(8, 200)));
    }
    case V4_FRAG_FIRST_CUT: {
        const uint8_t proto = key_proto(c);
        auto l4 = valid_l4(c, proto, 16);
        l4.resize(c.n % l4_hdr_size(proto, l4));
        Ip4 h = base4(c, proto);
        h.frag = F_MF;
        return assemble4(h, l4);
    }
    case V4_FRAG_MIDDLE:
    case V4_FRAG_LAST: {
        Ip4 h = base4(c, key_proto(c));
        h.frag = static_cast<uint16_t>((cls == V4_FRAG_MIDDLE ? F_MF : 0) | frag_off8(r));
        return assemble4(h, r.bytes(r.chance(50) ? 8 * r.range(1, 25) : r.range(1, 200)));
    }
    case V4_FRAG_OVERLAP: {
        if (c.pending.empty()) {
            const uint8_t proto = key_proto(c);
            Ip4 h = base4(c, proto);
            auto data = valid_l4(c, proto, r.range(40, 400));
            for (const auto& f : overlapping(r, data, 24)) {
                h.frag = static_cast<uint16_t>((f.mf ? F_MF : 0) | f.off8);
                c.pending.push_back(assemble4(h, f.b));
            }
        }
        auto p = std::move(c.pending.front());
        c.pending.pop_front();
        return p;
    }
    case V4_FRAG_ZERO: {
        static const uint8_t pr[] = {P_UDP, P_TCP, P_ICMP, P_GRE};
        Ip4 h = base4(c, pr[r.below(4)]);
        switch (c.n % 4) {
        case 0: h.frag = F_MF; break;
        case 1: h.frag = static_cast<uint16_t>(F_MF | frag_off8(r)); break;
        case 2: h.frag = frag_off8(r); break;
        default: h.frag = 0; break;
        }
        if (r.chance(20))
            h.opts = valid_ip_opts(r);
        return assemble4(h, {});
    }
    case V4_FRAG_ODD: {
        const uint8_t proto = key_proto(c);
        Ip4 h = base4(c, proto);
        std::vector<uint8_t> l4 = valid_l4(c, proto, r.range(8, 100));
        switch (c.n % 6) {
        case 0: h.frag = F_DF | F_MF; break;
        case 1: h.frag = F_RES | F_MF; break;
        case 2: // the last possible offset: reaches beyond 65535
            h.frag = F_MF | F_OFF;
            l4 = r.bytes(r.range(8, 100));
            break;
        case 3: h.frag = F_RES; break; // not a fragment
        case 4:
            h.frag = static_cast<uint16_t>(F_MF | frag_off8(r));
            h.opts = random_ip_opts(r, 4 * r.range(1, 10));
            break;
        default: h.frag = static_cast<uint16_t>(F_DF | frag_off8(r)); break;
        }
        return assemble4(h, l4);
    }
    case V4_MUTATE: return mutate(c, v4_valid(c));
    }
    throw std::logic_error("fuzz: no IPv4 class " + std::to_string(cls));
}

std::vector<uint8_t> gen6(int cls, Ctx& c)
{
    Rng& r = c.r;
    switch (cls) {
    case V6_VALID: return v6_valid(c);
    case V6_RUNT: {
        auto p = v6_valid(c);
        p.resize(c.n % 40);
        return p;
    }
    case V6_BAD_VERSION: {
        auto p = v6_valid(c);
        unsigned v = c.n % 15;
        p[0] = static_cast<uint8_t>((v >= 6 ? v + 1 : v) << 4 | (p[0] & 15));
        return p;
    }
    case V6_PLEN_SHORT: {
        auto p = v6_valid(c, key_proto(c));
        put16(p, 4, static_cast<uint16_t>(c.n % (p.size() - 40)));
        return p;
    }
    case V6_PLEN_LONG: {
        auto p = v6_valid(c);
        const uint32_t pl = static_cast<uint32_t>(p.size() - 40);
        put16(p, 4, static_cast<uint16_t>(r.chance(30) ? pl + 1 : r.range(pl + 1, 65535)));
        return p;
    }
    case V6_PLEN_ZERO: {
        std::vector<Ext> ex;
        switch (c.n % 4) {
        case 0: break;
        case 1: ex.push_back(valid_opt_hdr(r, P_HOP)); break;
        case 2: ex.push_back(random_opt_hdr(r, P_HOP)); break;
        default: ex.push_back(valid_opt_hdr(r, P_DST)); break;
        }
        const uint8_t proto = key_proto(c);
        return v6_with(c, ex, proto, valid_l4(c, proto, r.below(64)), 0);
    }
    case V6_L4CUT_UDP:
    case V6_L4CUT_TCP:
    case V6_L4CUT_ICMP6: {
        const uint8_t proto = cls == V6_L4CUT_UDP ? P_UDP : cls == V6_L4CUT_TCP ? P_TCP : P_ICMP6;
        auto l4 = valid_l4(c, proto, r.below(16));
        const size_t hdr = l4_hdr_size(proto, l4);
        const size_t cut = proto == P_TCP && c.n % 2 ? r.below(static_cast<uint32_t>(hdr + 1))
                                                      : c.n % (std::min<size_t>(hdr, 20) + 1);
        l4.resize(std::min(cut, l4.size()));
        return v6_with(c, r.chance(30) ? valid_exts(c) : std::vector<Ext>{}, proto, l4);
    }
    case V6_TCPOPTS: return v6_with(c, r.chance(20) ? valid_exts(c) : std::vector<Ext>{}, P_TCP, bad_tcp(c));
    case V6_HBH: {
        std::vector<Ext> ex = {random_opt_hdr(r, P_HOP)};
        if (r.chance(20))
            ex.push_back(valid_opt_hdr(r, P_DST));
        const uint8_t proto = key_proto(c);
        return v6_with(c, ex, proto, valid_l4(c, proto, r.below(32)));
    }
    case V6_DSTOPT: {
        std::vector<Ext> ex;
        if (r.chance(30))
            ex.push_back(valid_opt_hdr(r, P_HOP));
        ex.push_back(random_opt_hdr(r, P_DST));
        if (r.chance(30))
            ex.push_back(rt_hdr(r, true));
        if (r.chance(30))
            ex.push_back(random_opt_hdr(r, P_DST));
        const uint8_t proto = key_proto(c);
        return v6_with(c, ex, proto, valid_l4(c, proto, r.below(32)));
    }
    case V6_ROUTING: {
        std::vector<Ext> ex;
        if (r.chance(30))
            ex.push_back(valid_opt_hdr(r, P_HOP));
        ex.push_back(rt_hdr(r, false));
        if (r.chance(20))
            ex.push_back(rt_hdr(r, false));
        const uint8_t proto = key_proto(c);
        return v6_with(c, ex, proto, valid_l4(c, proto, r.below(32)));
    }
    case V6_AH: {
        std::vector<Ext> ex;
        if (r.chance(30))
            ex.push_back(valid_opt_hdr(r, P_HOP));
        const uint8_t plen = static_cast<uint8_t>(r.chance(70) ? r.below(8) : r.below(256));
        ex.push_back(ah_hdr(r, plen, r.chance(80) ? 2000 : r.range(2, 64)));
        if (r.chance(20))
            ex.push_back(valid_opt_hdr(r, P_DST));
        const uint8_t proto = key_proto(c);
        return v6_with(c, ex, proto, valid_l4(c, proto, r.below(32)));
    }
    case V6_ESP: {
        std::vector<Ext> ex;
        switch (c.n % 4) {
        case 1: ex.push_back(valid_opt_hdr(r, P_HOP)); break;
        case 2: ex.push_back(valid_opt_hdr(r, P_DST)); break;
        case 3: ex.push_back(frag_hdr(0, true, static_cast<uint32_t>(r.next()))); break;
        default: break;
        }
        if (r.chance(25))
            return v6_with(c, ex, P_COMP, r.bytes(r.below(9)));
        return v6_with(c, ex, P_ESP, r.bytes(r.chance(30) ? r.below(8) : r.range(8, 64)));
    }
    case V6_LONG_CHAIN: {
        std::vector<Ext> ex;
        if (r.chance(40))
            ex.push_back(valid_opt_hdr(r, P_HOP));
        size_t len = 0;
        for (unsigned k = r.range(10, 60); k > 0 && len < 1100; --k) {
            ex.push_back(short_ext(r));
            len += ex.back().b.size();
        }
        static const uint8_t pr[] = {P_UDP, P_TCP, P_ICMP6, P_NONE};
        const uint8_t proto = pr[r.below(4)];
        return v6_with(c, ex, proto, valid_l4(c, proto, r.below(64)));
    }
    case V6_CHAIN_CUT: {
        std::vector<Ext> ex;
        for (unsigned k = r.range(1, 12); k > 0; --k) {
            switch (r.below(5)) {
            case 0: ex.push_back(valid_opt_hdr(r, P_DST)); break;
            case 1: ex.push_back(ah_hdr(r, static_cast<uint8_t>(r.range(1, 4)))); break;
            case 2: ex.push_back(rt_hdr(r, true)); break;
            case 3: ex.push_back(frag_hdr(0, r.chance(50), static_cast<uint32_t>(r.next()))); break;
            default: ex.push_back(short_ext(r)); break;
            }
        }
        const uint8_t proto = key_proto(c);
        auto p = v6_with(c, ex, proto, valid_l4(c, proto, 8));
        const size_t body = p.size() - 40;
        p.resize(40 + c.n % body);
        put16(p, 4, static_cast<uint16_t>(p.size() - 40));
        return p;
    }
    case V6_FRAG_FIRST: {
        std::vector<Ext> ex;
        if (r.chance(30))
            ex.push_back(valid_opt_hdr(r, P_HOP));
        if (r.chance(20))
            ex.push_back(valid_opt_hdr(r, P_DST));
        ex.push_back(frag_hdr(0, true, static_cast<uint32_t>(r.next())));
        if (r.chance(20))
            ex.push_back(valid_opt_hdr(r, P_DST));
        if (r.chance(20))
            ex.push_back(ah_hdr(r, static_cast<uint8_t>(r.range(1, 4))));
        const uint8_t proto = key_proto(c);
        return v6_with(c, ex, proto, valid_l4(c, proto, r.range(8, 200)));
    }
    case V6_FRAG_FIRST_CUT: {
        std::vector<Ext> ex = {frag_hdr(0, true, static_cast<uint32_t>(r.next()))};
        if (r.chance(20))
            ex.push_back(valid_opt_hdr(r, P_DST));
        const uint8_t proto = key_proto(c);
        auto l4 = valid_l4(c, proto, 16);
        l4.resize(c.n % l4_hdr_size(proto, l4));
        return v6_with(c, ex, proto, l4);
    }
    case V6_FRAG_LATER:
    case V6_FRAG_LATER_EXT: {
        std::vector<Ext> ex;
        if (r.chance(20))
            ex.push_back(valid_opt_hdr(r, P_HOP));
        ex.push_back(frag_hdr(frag_off8(r), r.chance(50), static_cast<uint32_t>(r.next())));
        uint8_t nh;
        std::vector<uint8_t> rest;
        if (cls == V6_FRAG_LATER) {
            static const uint8_t pr[] = {P_UDP, P_TCP, P_ICMP6, P_NONE, P_SCTP, P_ESP, P_GRE};
            nh = pr[r.below(7)];
            rest = r.bytes(r.chance(50) ? 8 * r.range(1, 25) : r.range(1, 200));
        } else {
            static const uint8_t pr[] = {P_DST, P_AH, P_HOP, P_RT, P_FRAG};
            nh = pr[r.below(5)];
            // what follows looks like that header, or is just data
            if (r.chance(50)) {
                Ext e = nh == P_AH ? ah_hdr(r, 1) : nh == P_RT ? rt_hdr(r, true) : nh == P_FRAG ? frag_hdr(0, true, 1) : opt_hdr(nh, {});
                e.b[0] = P_UDP;
                rest = e.b;
            }
            append(rest, r.bytes(r.range(0, 120)));
        }
        ex.back().b[0] = nh;
        ex.back().keep_nh = true;
        return v6_with(c, ex, nh, rest);
    }
    case V6_FRAG_OVERLAP: {
        if (c.pending.empty()) {
            const uint8_t proto = key_proto(c);
            std::vector<Ext> unfrag, frag;
            if (r.chance(30))
                unfrag.push_back(valid_opt_hdr(r, P_HOP));
            if (r.chance(30))
                frag.push_back(valid_opt_hdr(r, P_DST));
            std::vector<uint8_t> data;
            const uint8_t first = link(frag, proto, data);
            append(data, valid_l4(c, proto, r.range(40, 400)));
            const uint32_t id = static_cast<uint32_t>(r.next());
            for (const auto& f : overlapping(r, data, 48)) {
                auto ex = unfrag;
                ex.push_back(frag_hdr(f.off8, f.mf, id));
                ex.back().b[0] = first;
                ex.back().keep_nh = true;
                c.pending.push_back(v6_with(c, ex, first, f.b));
            }
        }
        auto p = std::move(c.pending.front());
        c.pending.pop_front();
        return p;
    }
    case V6_FRAG_ZERO: {
        static const uint8_t pr[] = {P_UDP, P_TCP, P_ICMP6, P_NONE};
        const uint8_t nh = pr[r.below(4)];
        const bool later = r.chance(50);
        Ext f = frag_hdr(later ? frag_off8(r) : 0, r.chance(70), static_cast<uint32_t>(r.next()));
        f.b[0] = nh;
        f.keep_nh = true;
        if (c.n % 2)
            f.b.resize(r.below(8)); // the fragment header itself cut
        return v6_with(c, {f}, nh, {});
    }
    case V6_FRAG_ATOMIC: {
        std::vector<Ext> ex = {frag_hdr(0, false, static_cast<uint32_t>(r.next()))};
        const uint8_t proto = valid_proto(c);
        return v6_with(c, ex, proto, valid_l4(c, proto, r.below(100)));
    }
    case V6_FRAG_MULTI: {
        std::vector<Ext> ex;
        for (unsigned k = r.range(2, 3); k > 0; --k) {
            ex.push_back(frag_hdr(r.chance(60) ? 0 : frag_off8(r), r.chance(60), static_cast<uint32_t>(r.next())));
            if (r.chance(30))
                ex.push_back(valid_opt_hdr(r, P_DST));
        }
        const uint8_t proto = key_proto(c);
        return v6_with(c, ex, proto, valid_l4(c, proto, r.below(64)));
    }
    case V6_MUTATE: return mutate(c, v6_valid(c));
    }
    throw std::logic_error("fuzz: no IPv6 class " + std::to_string(cls));
}

// ----- GSO (tap)

constexpr uint8_t G_TCPV4 = 1, G_UDP = 3, G_TCPV6 = 4, G_UDP_L4 = 5, G_ECN = 0x80, G_NEEDS_CSUM = 1;

uint16_t gso_size_pick(Rng& r)
{
    switch (r.below(6)) {
    case 0: return 1448;
    case 1: return 1460;
    case 2: return 536;
    case 3: return static_cast<uint16_t>(r.range(1, 64));
    default: return static_cast<uint16_t>(r.range(65, 1460));
    }
}

// A payload length for a GSO packet of @gso_size: a few segments, many,
// one exactly, or too short to be GSO at all.
size_t gso_payload(Rng& r, uint16_t gso_size, size_t room)
{
    size_t n;
    switch (r.below(6)) {
    case 0: n = r.below(gso_size + 1u); break;                     // not GSO
    case 1: n = size_t{gso_size} * r.range(2, 12); break;          // whole segments
    case 2: n = size_t{gso_size} * r.range(1, 12) + r.range(1, gso_size); break;
    case 3: n = size_t{gso_size} + 1; break;                       // two, the last of 1 byte
    default: n = r.range(1, 15000); break;
    }
    return std::min(n, room);
}

// The headers' length of IP packet @p (IPv4 IHL, IPv6 + the chain @exts).
size_t l3_len(const std::vector<uint8_t>& p, int family, size_t ext_bytes)
{
    return family == 4 ? (p[0] & 15u) * 4 : 40 + ext_bytes;
}

// A well-formed TCP or UDP GSO packet and its header, as a VM's virtio
// NIC hands it over (sometimes without NEEDS_CSUM, or with ECN).
std::vector<uint8_t> gso_valid(Ctx& c, uint8_t proto, Gso& g)
{
    Rng& r = c.r;
    g.size = gso_size_pick(r);
    const bool tcp = proto == P_TCP;
    std::vector<uint8_t> opts = tcp && r.chance(50) ? valid_tcp_opts(r) : std::vector<uint8_t>{};
    std::vector<Ext> ex = c.family == 6 ? valid_exts(c) : std::vector<Ext>{};
    size_t ext_bytes = 0;
    for (const auto& e : ex)
        ext_bytes += e.b.size();
    const size_t l4h = tcp ? 20 + opts.size() : 8;
    const size_t room = kMaxGsoPacket - 60 - ext_bytes - l4h;
    const size_t plen = gso_payload(r, g.size, std::min<size_t>(room, 65000));
    std::vector<uint8_t> l4;
    if (tcp) {
        static const uint8_t flags[] = {0x10, 0x18, 0x18, 0x11, 0x19};
        l4 = tcp_seg(c, c.sport(), c.dport(), flags[r.below(5)], static_cast<unsigned>(5 + opts.size() / 4), opts,
                     payload_pattern(plen, r.byte()));
    } else {
        l4 = build_udp(c.src, c.dst, c.sport(), c.dport(), payload_pattern(plen, r.byte()));
    }
    std::vector<uint8_t> p;
    if (c.family == 4) {
        Ip4 h = base4(c, proto);
        h.frag = F_DF;
        if (r.chance(15))
            h.opts = valid_ip_opts(r);
        if (r.chance(10))
            h.tos |= 1; // ECT(1)
        p = assemble4(h, l4);
    } else {
        p = v6_with(c, ex, proto, l4);
    }
    const size_t l3 = l3_len(p, c.family, ext_bytes);
    if (tcp)
        g.type = c.family == 4 ? G_TCPV4 : G_TCPV6;
    else
        g.type = r.chance(70) ? G_UDP_L4 : G_UDP;
    if (tcp && r.chance(10))
        g.type |= G_ECN;
    if (r.chance(85) || g.type == G_UDP_L4) {
        g.flags = G_NEEDS_CSUM;
        g.csum_start = static_cast<uint16_t>(kEthHdr + l3);
        g.csum_offset = tcp ? 16 : 6;
    }
    g.hdr_len = r.chance(80) ? static_cast<uint16_t>(kEthHdr + l3 + l4h) : 0;
    return p;
}

// Whatever a plain class of the family makes (malformed mostly), or a
// large valid one cut, stretched or mutated; under a GSO header that
// fits it or not.
std::vector<uint8_t> gso_bad(Ctx& c, Gso& g)
{
    Rng& r = c.r;
    std::vector<uint8_t> p;
    const bool big = r.chance(40);
    if (big) {
        p = gso_valid(c, r.chance(60) ? P_TCP : P_UDP, g);
        switch (r.below(4)) {
        case 0: p.resize(r.below(static_cast<uint32_t>(p.size()))); break;
        case 1: p = mutate(c, std::move(p)); break;
        case 2: // a length field that disagrees with the frame
            if (c.family == 4 && p.size() >= 20) {
                put16(p, 2, static_cast<uint16_t>(r.below(static_cast<uint32_t>(p.size() + 100))));
                if (r.chance(70))
                    fix_csum4(p);
            } else if (p.size() >= 40) {
                put16(p, 4, static_cast<uint16_t>(r.below(static_cast<uint32_t>(p.size()))));
            }
            break;
        default: // a fragment bit or offset (GSO of a fragment)
            if (c.family == 4 && p.size() >= 20) {
                put16(p, 6, static_cast<uint16_t>(r.chance(50) ? F_MF : r.range(1, 0x1fff)));
                fix_csum4(p);
            }
            break;
        }
    } else {
        // a plain class of this family, through this class's own stream
        const int first = c.family == 4 ? V4_VALID : V6_VALID;
        const int last = c.family == 4 ? V4_MUTATE : V6_MUTATE;
        const int k = first + static_cast<int>(r.below(static_cast<uint32_t>(last - first + 1)));
        std::deque<std::vector<uint8_t>> pending; // (fragment trains: their first piece only)
        Ctx sub{c.r, c.n, c.family, c.src, c.dst, pending};
        p = c.family == 4 ? gen4(k, sub) : gen6(k, sub);
        g = Gso{};
        g.type = c.family == 4 ? G_TCPV4 : G_TCPV6;
        g.size = gso_size_pick(r);
        g.flags = G_NEEDS_CSUM;
        g.csum_start = static_cast<uint16_t>(kEthHdr + (c.family == 4 ? 20 : 40));
        g.csum_offset = 16;
    }
    // the header: kept, or any field changed
    switch (r.below(big ? 8 : 6)) {
    case 0: {
        static const uint8_t t[] = {G_TCPV4, G_TCPV6, G_UDP, G_UDP_L4, G_TCPV4 | G_ECN, 2, 6, 0x7f, 0xff};
        g.type = t[r.below(9)];
        break;
    }
    case 1: {
        static const uint16_t z[] = {0, 1, 7, 8, 9, 0xfffe, 0xffff};
        g.size = z[r.below(7)];
        break;
    }
    case 2: g.csum_start = static_cast<uint16_t>(r.below(120)); break;
    case 3: g.csum_offset = static_cast<uint16_t>(r.below(70)); break;
    case 4: g.flags = static_cast<uint8_t>(r.chance(50) ? 0 : r.byte()); break;
    case 5: g.hdr_len = static_cast<uint16_t>(r.below(static_cast<uint32_t>(p.size() + 40))); break;
    default: break;
    }
    return p;
}

std::vector<uint8_t> gen_gso(int cls, Ctx& c, Gso& g)
{
    switch (cls) {
    case GSO_TCP4:
    case GSO_TCP6: return gso_valid(c, P_TCP, g);
    case GSO_UDP4:
    case GSO_UDP6: return gso_valid(c, P_UDP, g);
    case GSO_BAD4:
    case GSO_BAD6: return gso_bad(c, g);
    }
    throw std::logic_error("fuzz: no GSO class " + std::to_string(cls));
}

// ---- the model -------------------------------------------------------------

enum class Hbh { Ok, Bad, Uncertain };

// ipv6_parse_hopopts() + ip6_parse_tlv(hopbyhop) on @len bytes, with the
// default sysctls (max_hbh_opts_number 8, no length limit, IOAM off).
Hbh hop_opts(const uint8_t* p, size_t len)
{
    if (len < 48)
        return Hbh::Bad;
    const size_t hl = (p[41] + 1u) * 8;
    if (40 + hl > len)
        return Hbh::Bad;
    size_t off = 42;
    long left = static_cast<long>(hl) - 2;
    int pad = 0, count = 0;
    while (left > 0) {
        const uint8_t t = p[off];
        if (t == 0) { // Pad1
            if (++pad > 7)
                return Hbh::Bad;
            ++off;
            --left;
            continue;
        }
        if (left < 2)
            return Hbh::Bad;
        const long optlen = p[off + 1] + 2;
        if (optlen > left)
            return Hbh::Bad;
        if (t == 1) { // PadN
            pad += static_cast<int>(optlen);
            if (pad > 7)
                return Hbh::Bad;
            for (long i = 2; i < optlen; ++i)
                if (p[off + i])
                    return Hbh::Bad;
        } else {
            if (++count > 8)
                return Hbh::Bad;
            switch (t) {
            case 0x05: // router alert
                if (p[off + 1] != 2)
                    return Hbh::Bad;
                break;
            case 0x31: // IOAM, disabled by default: ignored if 4n-aligned
                if (off & 3)
                    return Hbh::Bad;
                break;
            case 0xc2: // jumbo payload: never valid for a packet this short
                return Hbh::Bad;
            case 0x07: // CALIPSO: depends on NetLabel
                return Hbh::Uncertain;
            default:
                if (t >> 6) // discard, with or without an ICMP error
                    return Hbh::Bad;
            }
            pad = 0;
        }
        off += static_cast<size_t>(optlen);
        left -= optlen;
    }
    return Hbh::Ok;
}

bool v6_loopback(const uint8_t* a)
{
    for (int i = 0; i < 15; ++i)
        if (a[i])
            return false;
    return a[15] == 1;
}

// The transport header's bytes the module adds to each GSO segment
// (nfl_parse_l4's l4len: TCP's data offset as the header says, UDP 8).
size_t l4_len(const uint8_t* p, size_t thoff, int proto)
{
    if (proto == P_TCP)
        return (p[thoff + 12] >> 4) * 4u;
    return proto == P_UDP ? 8 : 0;
}

// nfl_pkt_len(): a GSO skb is gso_segs packets, each with the headers
// (@hdrlen bytes) again; gso_segs 0 (a tap's: not counted yet) is
// counted as skb_gso_segment() would cut it.
void gso_segs(Verdict& v, size_t hdrlen)
{
    v.wire_len = v.len;
    if (!v.gso_size || v.len <= hdrlen)
        return;
    const size_t segs = (v.len - hdrlen + v.gso_size - 1) / v.gso_size;
    if (segs > 1) {
        v.segs = static_cast<unsigned>(segs);
        v.wire_len = v.len + (segs - 1) * hdrlen;
    }
}

void module4(const uint8_t* p, Verdict& v)
{
    const size_t ihl = (p[0] & 15u) * 4;
    const uint16_t frag = be16(p + 6);
    if (frag & F_OFF) {
        v.frag = true; // a later fragment: no transport header to read
        gso_segs(v, ihl);
        return;
    }
    if (ihl + l4_key_bytes(p[9]) > v.len) {
        v.trunc = true;
        return;
    }
    v.frag = (frag & F_MF) != 0;
    gso_segs(v, ihl + l4_len(p, ihl, p[9]));
}

void module6(const uint8_t* p, Verdict& v)
{
    const FindHdr f = ipv6_find_hdr(p, v.len);
    if (f.proto == -ENOENT && f.first_fragoff) {
        // a later fragment, an extension header next: nfl_ipv6_later_frag()
        // takes the first fragment header's next header as the protocol
        v.frag = true;
        v.frag_next_ext = true;
        gso_segs(v, f.first_frag_at + 8);
        return;
    }
    if (f.proto < 0) {
        v.trunc = true;
        return;
    }
    if (!f.fragoff && f.thoff + l4_key_bytes(static_cast<uint8_t>(f.proto)) > v.len) {
        v.trunc = true;
        return;
    }
    v.frag = f.frag;
    // (a later fragment: ipv6_find_hdr() leaves the offset alone, 0)
    gso_segs(v, f.fragoff ? f.thoff : f.thoff + l4_len(p, f.thoff, f.proto));
}

} // namespace

// ---- public -----------------------------------------------------------------

const char* path_name(Path p)
{
    switch (p) {
    case Path::Prerouting: return "prerouting";
    case Path::Output: return "output";
    default: return "tap";
    }
}

int gso_size_at_hook(const Gso& g, size_t frame_len)
{
    if (!g.type)
        return 0;
    const unsigned t = g.type & ~G_ECN;
    const bool tcp = t == G_TCPV4 || t == G_TCPV6;
    const size_t thlen = tcp ? 20 : 8;
    unsigned size = g.size;
    if (tcp)
        size = std::max(size, 8u); // TCP_MIN_GSO_SIZE
    auto is_gso = [&](size_t p_off) {
        const size_t nh_off = t == G_UDP ? p_off - thlen : p_off; // UFO
        return frame_len - nh_off > size;
    };
    if (g.flags & G_NEEDS_CSUM)
        return is_gso(g.csum_start + thlen) ? static_cast<int>(size) : 0;
    // no transport offset: 6.12 takes the least network header as its
    // start (IPv4's but for TCPv6), 6.1 the frame's start
    const bool a = is_gso((t == G_TCPV6 ? 40 : 20) + thlen), b = is_gso(thlen);
    if (a != b)
        return -1;
    return a ? static_cast<int>(size) : 0;
}

const char* drop_name(Drop d)
{
    switch (d) {
    case Drop::None: return "none";
    case Drop::HdrError: return "hdr";
    case Drop::CsumError: return "csum";
    case Drop::TooShort: return "truncated";
    case Drop::Rejected: return "rejected";
    case Drop::Discard: return "discard";
    }
    return "?";
}

const std::vector<ClassInfo>& classes()
{
    static_assert(NCLASSES > 0);
    if (kClasses.size() != NCLASSES)
        throw std::logic_error("fuzz: class table and enum differ");
    return kClasses;
}

int class_index(std::string_view name)
{
    for (size_t i = 0; i < kClasses.size(); ++i)
        if (name == kClasses[i].name)
            return static_cast<int>(i);
    return -1;
}

IpAddr class_source(int cls, unsigned host)
{
    if (classes().at(static_cast<size_t>(cls)).family == 4)
        return IpAddr::v4(0x0a630000u | static_cast<uint32_t>(cls) << 8 | (host & 0xff));
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0x0f, 0x1f, 0, static_cast<uint8_t>(cls)};
    a[14] = static_cast<uint8_t>(host >> 8);
    a[15] = static_cast<uint8_t>(host);
    return IpAddr::v6_bytes(a);
}

Prefix class_prefix(int cls)
{
    Prefix p;
    p.addr = class_source(cls, 0);
    p.len = p.addr.is_v4() ? 24 : 64;
    return p;
}

uint64_t Rng::next()
{
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t Rng::below(uint32_t n) { return n ? static_cast<uint32_t>(next() % n) : 0; }

std::vector<uint8_t> Rng::bytes(size_t n)
{
    std::vector<uint8_t> v(n);
    for (auto& b : v)
        b = byte();
    return v;
}

Generator::Generator(uint64_t seed, const IpAddr& dst4, const IpAddr& dst6, bool gso)
    : pick_(mix(seed, gso ? 0x10001 : 0x10000)), dst4_(dst4), dst6_(dst6), gso_(gso)
{
    if (!dst4.is_v4() || !dst6.is_v6())
        throw std::invalid_argument("fuzz: destinations must be one IPv4 and one IPv6 address");
    for (size_t i = 0; i < classes().size(); ++i) {
        states_.push_back(State{Rng(mix(seed, i + 1)), 0, {}});
        if (classes()[i].gso == gso_)
            total_weight_ += classes()[i].weight;
    }
}

Packet Generator::next()
{
    uint32_t w = pick_.below(total_weight_);
    size_t i = 0;
    for (;; ++i) {
        if (classes()[i].gso != gso_)
            continue;
        if (w < classes()[i].weight)
            break;
        w -= classes()[i].weight;
    }
    return make(static_cast<int>(i));
}

Packet Generator::make(int cls)
{
    State& st = states_.at(static_cast<size_t>(cls));
    const ClassInfo& ci = classes()[static_cast<size_t>(cls)];
    for (int attempt = 0; attempt < 1000; ++attempt) {
        Gso g;
        auto p = build(cls, st, g);
        if (p.size() > (ci.gso ? kMaxGsoPacket : kMaxPacket))
            continue;
        if (ci.gso) {
            if (predict(p, ci.family, Path::Tap, g).uncertain)
                continue;
        } else if (predict(p, ci.family, Path::Prerouting).uncertain ||
                   predict(p, ci.family, Path::Output).uncertain) {
            continue;
        }
        return {cls, std::move(p), g};
    }
    throw std::logic_error(std::string("fuzz: class ") + ci.name + " made no usable packet in 1000 attempts");
}

std::vector<uint8_t> Generator::build(int cls, State& st, Gso& g)
{
    const ClassInfo& ci = classes()[static_cast<size_t>(cls)];
    const int fam = ci.family;
    Ctx c{st.rng, st.n++, fam, class_source(cls, 1 + st.rng.below(2)), fam == 4 ? dst4_ : dst6_, st.pending};
    if (ci.gso)
        return gen_gso(cls, c, g);
    return fam == 4 ? gen4(cls, c) : gen6(cls, c);
}

size_t l4_key_bytes(uint8_t proto)
{
    switch (proto) {
    case P_UDP:
    case P_UDPLITE:
    case P_SCTP:
    case P_DCCP: return 4; // ports
    case P_TCP: return 20; // ports, flags, data offset
    case P_ICMP:
    case P_ICMP6: return 2; // type, code
    default: return 0;
    }
}

FindHdr ipv6_find_hdr(const uint8_t* p, size_t len)
{
    FindHdr f;
    size_t start = 40;
    uint8_t nh = p[6];
    for (;;) {
        if (!ext_hdr(nh) || nh == P_NONE) {
            f.proto = nh;
            f.thoff = start;
            return f;
        }
        if (start + 2 > len) {
            f.proto = -EBADMSG;
            return f;
        }
        const uint8_t* hp = p + start;
        if (nh == P_RT && start + 4 > len) {
            f.proto = -EBADMSG;
            return f;
        }
        size_t hdrlen;
        if (nh == P_FRAG) {
            if (start + 4 > len) {
                f.frag = true;
                f.proto = -EBADMSG;
                return f;
            }
            const unsigned fo = be16(hp + 2) & ~7u;
            if (!f.frag) {
                f.first_fragoff = fo;
                f.first_frag_at = start;
            }
            f.frag = true;
            if (fo) {
                if (!ext_hdr(hp[0]) || hp[0] == P_NONE) {
                    f.fragoff = fo;
                    f.proto = hp[0];
                    return f;
                }
                f.proto = -ENOENT;
                return f;
            }
            hdrlen = 8;
        } else if (nh == P_AH) {
            hdrlen = (hp[1] + 2u) * 4;
        } else {
            hdrlen = (hp[1] + 1u) * 8;
        }
        if (len - start < hdrlen) {
            f.proto = -EBADMSG;
            return f;
        }
        nh = hp[0];
        start += hdrlen;
    }
}

Verdict predict(const std::vector<uint8_t>& ip, int family, Path path, const Gso& gso)
{
    Verdict v;
    const uint8_t* p = ip.data();
    const size_t n = ip.size();
    bool partial = false, gso_tcp = false;
    long csum_end = 0;
    if (n > (path == Path::Tap ? kMaxGsoPacket : kMaxPacket)) {
        v.uncertain = true;
        return v;
    }
    if (path == Path::Tap) {
        const int g = gso_size_at_hook(gso, kEthHdr + n);
        if (g < 0) {
            v.uncertain = true;
            return v;
        }
        v.gso_size = static_cast<unsigned>(g);
        path = Path::Prerouting; // then as any received frame
        partial = gso.flags & G_NEEDS_CSUM;
        csum_end = static_cast<long>(gso.csum_start) - static_cast<long>(kEthHdr) + gso.csum_offset + 2;
        const unsigned t = gso.type & ~G_ECN;
        gso_tcp = g && (t == G_TCPV4 || t == G_TCPV6);
    }
    auto drop = [&](Drop d) {
        v.drop = d;
        return v;
    };
    // pskb_trim_rcsum(): a CHECKSUM_PARTIAL skb (a tap's NEEDS_CSUM) cut
    // to its IP length before the end of its checksum field is dropped
    auto trim_fails = [&](size_t len) { return partial && len < n && csum_end > static_cast<long>(len); };
    auto uncertain = [&]() {
        v.uncertain = true;
        return v;
    };
    if (family == 4) {
        if (path == Path::Prerouting) { // ip_rcv_core()
            if (n < 20)
                return drop(Drop::HdrError);
            const size_t ihl = (p[0] & 15u) * 4;
            if (ihl < 20 || p[0] >> 4 != 4 || ihl > n)
                return drop(Drop::HdrError);
            if (ones_sum(p, ihl) != 0xffff)
                return drop(Drop::CsumError);
            const size_t tot = be16(p + 2);
            // total length 0 of a TCP GSO skb: BIG TCP's, the skb's
            // length for 6.12 (iph_totlen()), a header error for 6.1
            if (!tot && gso_tcp)
                return uncertain();
            if (n < tot)
                return drop(Drop::TooShort);
            if (tot < ihl)
                return drop(Drop::HdrError);
            if (trim_fails(tot))
                return drop(Drop::Discard); // InDiscards
            v.len = tot;
        } else { // raw_send_hdrinc(): the kernel then sets tot_len, id, checksum
            if (n < 20)
                return drop(Drop::Rejected);
            const size_t ihl = (p[0] & 15u) * 4;
            if (ihl < 20 || ihl > n)
                return drop(Drop::Rejected);
            v.len = n;
        }
        module4(p, v);
        return v;
    }
    if (path == Path::Prerouting) { // ip6_rcv_core()
        if (n < 40 || p[0] >> 4 != 6)
            return drop(Drop::HdrError);
        const uint8_t* s = p + 8;
        const uint8_t* d = p + 24;
        if (v6_loopback(s) || v6_loopback(d))
            return drop(Drop::HdrError);
        if (d[0] == 0xff && (d[1] & 15) <= 1)
            return drop(Drop::HdrError); // multicast, scope 0 or interface-local
        if (s[0] == 0xff)
            return drop(Drop::HdrError);
        const size_t plen = be16(p + 4);
        if (!plen && gso_tcp) // BIG TCP (ipv6_payload_len()): 6.12 only
            return uncertain();
        v.len = n;
        if (plen || p[6] != P_HOP) {
            if (plen + 40 > n)
                return drop(Drop::TooShort);
            if (trim_fails(plen + 40))
                return drop(Drop::HdrError); // (ip6_rcv_core: "err")
            v.len = plen + 40;
        }
        if (p[6] == P_HOP) {
            switch (hop_opts(p, v.len)) {
            case Hbh::Ok: break;
            case Hbh::Bad: return drop(Drop::HdrError);
            case Hbh::Uncertain: v.uncertain = true; return v;
            }
        }
    } else { // rawv6_send_hdrinc()
        if (n < 40)
            return drop(Drop::Rejected);
        v.len = n;
    }
    module6(p, v);
    return v;
}

} // namespace nft::fuzz
