// RFC 1071 checksums and builders for the raw IPv4/IPv6 TCP and ICMP packets
// nf-send writes with IP_HDRINCL (IPv4) or IPPROTO_RAW (IPv6).
#pragma once

#include "net.hpp"

#include <cstdint>
#include <vector>

namespace nft {

// One's complement sum of 16-bit big-endian words (odd length padded with a
// zero byte), carries folded into 16 bits. Not inverted.
uint16_t ones_sum(const uint8_t* data, size_t len, uint32_t initial = 0);
// The Internet checksum: ~ones_sum.
uint16_t inet_checksum(const uint8_t* data, size_t len);
// Checksum of a TCP/UDP/ICMPv6 segment including the IPv4 or IPv6 pseudo
// header. The checksum field inside the segment must be zero.
uint16_t l4_checksum(const IpAddr& src, const IpAddr& dst, uint8_t proto,
                     const uint8_t* seg, size_t len);

namespace tcpflag {
constexpr uint8_t FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20,
                  ECE = 0x40, CWR = 0x80;
}

constexpr size_t IPV4_HDR = 20, IPV6_HDR = 40, TCP_HDR = 20, UDP_HDR = 8, ICMP_HDR = 8;

struct IpParams {
    IpAddr src, dst;
    uint8_t proto = 0; // next header for IPv6
    uint8_t tos = 0;   // traffic class for IPv6
    uint8_t ttl = 64;  // hop limit for IPv6
    uint16_t ident = 0;
    uint32_t flow_label = 0; // IPv6 only
    // IPv6 only: extension headers between the IPv6 header and L4, by
    // type (0 hop-by-hop, 60 destination options), 8 bytes each (PadN)
    std::vector<uint8_t> ext_hdrs;
    // IPv4 only: option bytes after the fixed header, as they go out
    // (a multiple of 4, at most 40)
    std::vector<uint8_t> ip_opts;
};

struct TcpParams {
    uint16_t sport = 0, dport = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    uint16_t window = 65535;
    std::vector<uint8_t> options; // as they go out: a multiple of 4, <= 40
};

struct IcmpParams {
    uint8_t type = 8, code = 0;
    uint16_t id = 0, seq = 0;
};

// Segments with checksums filled in (src/dst needed for the pseudo header).
std::vector<uint8_t> build_tcp(const IpAddr& src, const IpAddr& dst, const TcpParams& t,
                               const std::vector<uint8_t>& payload);
std::vector<uint8_t> build_udp(const IpAddr& src, const IpAddr& dst, uint16_t sport, uint16_t dport,
                               const std::vector<uint8_t>& payload);
// ICMP for IPv4 (checksum over the message) or ICMPv6 (with pseudo header)
// depending on the address family of src.
std::vector<uint8_t> build_icmp(const IpAddr& src, const IpAddr& dst, const IcmpParams& p,
                                const std::vector<uint8_t>& payload);
// Prepends an IPv4 or IPv6 header (by family of ip.src) with correct length
// and, for IPv4, header checksum.
std::vector<uint8_t> build_ip(const IpParams& ip, const std::vector<uint8_t>& l4);

// A deterministic payload pattern of n bytes.
std::vector<uint8_t> payload_pattern(size_t n, uint8_t seed = 0);

} // namespace nft
