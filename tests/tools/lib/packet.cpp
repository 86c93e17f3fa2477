#include "packet.hpp"

#include "bytes.hpp"

#include <netinet/in.h>
#include <stdexcept>

namespace nft {

uint16_t ones_sum(const uint8_t* data, size_t len, uint32_t initial)
{
    uint64_t sum = initial;
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t{data[i]} << 8) | data[i + 1];
    if (i < len)
        sum += uint32_t{data[i]} << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

uint16_t inet_checksum(const uint8_t* data, size_t len)
{
    return static_cast<uint16_t>(~ones_sum(data, len));
}

uint16_t l4_checksum(const IpAddr& src, const IpAddr& dst, uint8_t proto, const uint8_t* seg,
                     size_t len)
{
    if (src.family() != dst.family())
        throw std::invalid_argument("l4_checksum: address family mismatch");
    std::vector<uint8_t> pseudo;
    ByteWriter w(pseudo);
    w.bytes(src.data(), src.size());
    w.bytes(dst.data(), dst.size());
    if (src.is_v4()) {
        w.u8(0);
        w.u8(proto);
        w.u16(static_cast<uint16_t>(len));
    } else {
        w.u32(static_cast<uint32_t>(len));
        w.zeros(3);
        w.u8(proto);
    }
    uint16_t s = ones_sum(pseudo.data(), pseudo.size());
    s = ones_sum(seg, len, s);
    uint16_t c = static_cast<uint16_t>(~s);
    // UDP transmits a computed zero as all ones; harmless for TCP/ICMPv6
    // only if it never happens, so keep it UDP-specific.
    if (proto == IPPROTO_UDP && c == 0)
        c = 0xffff;
    return c;
}

std::vector<uint8_t> build_tcp(const IpAddr& src, const IpAddr& dst, const TcpParams& t,
                               const std::vector<uint8_t>& payload)
{
    if (t.options.size() % 4 || t.options.size() > 40)
        throw std::invalid_argument("build_tcp: options of " + std::to_string(t.options.size()) +
                                    " bytes (a multiple of 4, at most 40)");
    std::vector<uint8_t> seg;
    ByteWriter w(seg);
    w.u16(t.sport);
    w.u16(t.dport);
    w.u32(t.seq);
    w.u32(t.ack);
    w.u8(static_cast<uint8_t>((5 + t.options.size() / 4) << 4)); // data offset
    w.u8(t.flags);
    w.u16(t.window);
    w.u16(0); // checksum
    w.u16(0); // urgent pointer
    w.bytes(t.options);
    w.bytes(payload);
    w.patch16(16, l4_checksum(src, dst, IPPROTO_TCP, seg.data(), seg.size()));
    return seg;
}

std::vector<uint8_t> build_udp(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport,
                               const std::vector<uint8_t>& payload)
{
    std::vector<uint8_t> seg;
    ByteWriter w(seg);
    w.u16(sport);
    w.u16(dport);
    w.u16(static_cast<uint16_t>(UDP_HDR + payload.size()));
    w.u16(0);
    w.bytes(payload);
    w.patch16(6, l4_checksum(src, dst, IPPROTO_UDP, seg.data(), seg.size()));
    return seg;
}

std::vector<uint8_t> build_icmp(const IpAddr& src, const IpAddr& dst, const IcmpParams& p,
                                const std::vector<uint8_t>& payload)
{
    std::vector<uint8_t> seg;
    ByteWriter w(seg);
    w.u8(p.type);
    w.u8(p.code);
    w.u16(0);
    w.u16(p.id);
    w.u16(p.seq);
    w.bytes(payload);
    uint16_t c = src.is_v4() ? inet_checksum(seg.data(), seg.size())
                             : l4_checksum(src, dst, IPPROTO_ICMPV6, seg.data(), seg.size());
    w.patch16(2, c);
    return seg;
}

std::vector<uint8_t> build_ip(const IpParams& ip, const std::vector<uint8_t>& l4)
{
    std::vector<uint8_t> pkt;
    ByteWriter w(pkt);
    if (ip.src.family() != ip.dst.family())
        throw std::invalid_argument("build_ip: address family mismatch");
    if (ip.src.is_v4()) {
        if (ip.ip_opts.size() % 4 || ip.ip_opts.size() > 40)
            throw std::invalid_argument("build_ip: IPv4 options of " +
                                        std::to_string(ip.ip_opts.size()) +
                                        " bytes (a multiple of 4, at most 40)");
        const size_t hlen = IPV4_HDR + ip.ip_opts.size();
        size_t total = hlen + l4.size();
        if (total > 65535)
            throw std::invalid_argument("IPv4 packet too large");
        w.u8(static_cast<uint8_t>(0x40 | hlen / 4));
        w.u8(ip.tos);
        w.u16(static_cast<uint16_t>(total));
        w.u16(ip.ident);
        w.u16(0x4000); // DF, never fragmented
        w.u8(ip.ttl);
        w.u8(ip.proto);
        w.u16(0);
        w.bytes(ip.src.data(), 4);
        w.bytes(ip.dst.data(), 4);
        w.bytes(ip.ip_opts);
        w.patch16(10, inet_checksum(pkt.data(), hlen));
    } else {
        if (!ip.ip_opts.empty())
            throw std::invalid_argument("build_ip: IPv4 options in an IPv6 packet");
        const size_t ext = 8 * ip.ext_hdrs.size();
        if (l4.size() + ext > 65535)
            throw std::invalid_argument("IPv6 payload too large");
        for (uint8_t t : ip.ext_hdrs)
            if (t != 0 && t != 60)
                throw std::invalid_argument("build_ip: extension header type " +
                                            std::to_string(t) + " (only 0 and 60)");
        w.u32((6u << 28) | (uint32_t{ip.tos} << 20) | (ip.flow_label & 0xfffff));
        w.u16(static_cast<uint16_t>(l4.size() + ext));
        w.u8(ip.ext_hdrs.empty() ? ip.proto : ip.ext_hdrs[0]);
        w.u8(ip.ttl);
        w.bytes(ip.src.data(), 16);
        w.bytes(ip.dst.data(), 16);
        for (size_t i = 0; i < ip.ext_hdrs.size(); ++i) {
            w.u8(i + 1 < ip.ext_hdrs.size() ? ip.ext_hdrs[i + 1] : ip.proto);
            w.u8(0);          // length: 8 bytes
            w.u8(1);          // PadN option filling the other 6
            w.u8(4);
            w.u32(0);
        }
    }
    w.bytes(l4);
    return pkt;
}

std::vector<uint8_t> payload_pattern(size_t n, uint8_t seed)
{
    std::vector<uint8_t> p(n);
    for (size_t i = 0; i < n; ++i)
        p[i] = static_cast<uint8_t>('a' + (i + seed) % 26);
    return p;
}

} // namespace nft
