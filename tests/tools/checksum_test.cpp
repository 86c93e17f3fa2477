#include "bytes.hpp"
#include "packet.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>

using namespace nft;

// RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2.
TEST(Checksum, Rfc1071Example)
{
    const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(ones_sum(data, sizeof data), 0xddf2);
    EXPECT_EQ(inet_checksum(data, sizeof data), 0x220d);
    // Byte-order independence (RFC 1071 1.2.B): swapped input, swapped sum.
    const uint8_t swapped[] = {0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6};
    EXPECT_EQ(ones_sum(swapped, sizeof swapped), 0xf2dd);
}

TEST(Checksum, OddLengthPadsWithZero)
{
    const uint8_t odd[] = {0x12, 0x34, 0x56};
    const uint8_t even[] = {0x12, 0x34, 0x56, 0x00};
    EXPECT_EQ(ones_sum(odd, 3), ones_sum(even, 4));
    EXPECT_EQ(ones_sum(odd, 3), 0x6834);
}

TEST(Checksum, CarryFolding)
{
    const uint8_t data[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x02};
    EXPECT_EQ(ones_sum(data, sizeof data), 0x0002); // ffff+ffff = 1fffe -> ffff; +2 -> 10001 -> 0002
    const uint8_t zeros[4] = {};
    EXPECT_EQ(inet_checksum(zeros, 4), 0xffff);
}

// A commonly cited IPv4 header: checksum field b861.
TEST(Checksum, KnownIpv4Header)
{
    uint8_t h[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    EXPECT_EQ(inet_checksum(h, sizeof h), 0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    EXPECT_EQ(inet_checksum(h, sizeof h), 0); // verifies
}

namespace {

// Sum over pseudo header + segment (with its checksum) must be 0xffff.
uint16_t verify_l4(const IpAddr& src, const IpAddr& dst, uint8_t proto, const std::vector<uint8_t>& seg)
{
    std::vector<uint8_t> pseudo;
    ByteWriter w(pseudo);
    w.bytes(src.data(), src.size());
    w.bytes(dst.data(), dst.size());
    if (src.is_v4()) {
        w.u8(0);
        w.u8(proto);
        w.u16(static_cast<uint16_t>(seg.size()));
    } else {
        w.u32(static_cast<uint32_t>(seg.size()));
        w.zeros(3);
        w.u8(proto);
    }
    w.bytes(seg);
    return ones_sum(pseudo.data(), pseudo.size());
}

const IpAddr kSrc4 = *IpAddr::parse("10.1.0.1");
const IpAddr kDst4 = *IpAddr::parse("10.1.0.2");
const IpAddr kSrc6 = *IpAddr::parse("fd00:1::1");
const IpAddr kDst6 = *IpAddr::parse("fd00:1::2");

} // namespace

TEST(Packet, TcpSegment)
{
    TcpParams t;
    t.sport = 40000;
    t.dport = 80;
    t.seq = 0x01020304;
    t.ack = 1;
    t.flags = tcpflag::PSH | tcpflag::ACK;
    auto seg = build_tcp(kSrc4, kDst4, t, payload_pattern(11));
    ASSERT_EQ(seg.size(), TCP_HDR + 11);
    EXPECT_EQ(seg[0], 0x9c); // 40000
    EXPECT_EQ(seg[1], 0x40);
    EXPECT_EQ(seg[4], 0x01);
    EXPECT_EQ(seg[12], 0x50); // data offset 5
    EXPECT_EQ(seg[13], 0x18);
    EXPECT_EQ(verify_l4(kSrc4, kDst4, IPPROTO_TCP, seg), 0xffff);
    auto seg6 = build_tcp(kSrc6, kDst6, t, payload_pattern(0));
    EXPECT_EQ(verify_l4(kSrc6, kDst6, IPPROTO_TCP, seg6), 0xffff);
}

TEST(Packet, TcpOptions)
{
    TcpParams t;
    t.sport = 1;
    t.dport = 2;
    t.options = {2, 4, 0x05, 0xb4, 34, 2, 1, 1};
    auto seg = build_tcp(kSrc4, kDst4, t, payload_pattern(3));
    ASSERT_EQ(seg.size(), TCP_HDR + 8 + 3);
    EXPECT_EQ(seg[12], 0x70); // data offset 7
    EXPECT_EQ(seg[20], 2);
    EXPECT_EQ(seg[24], 34);
    EXPECT_EQ(seg[28], 'a');
    EXPECT_EQ(verify_l4(kSrc4, kDst4, IPPROTO_TCP, seg), 0xffff);
    t.options.push_back(0);
    EXPECT_THROW(build_tcp(kSrc4, kDst4, t, {}), std::invalid_argument);
}

TEST(Packet, Ipv4Options)
{
    IpParams ip;
    ip.src = kSrc4;
    ip.dst = kDst4;
    ip.proto = IPPROTO_UDP;
    ip.ip_opts = {0x94, 4, 0, 0, 1, 1, 1, 0};
    auto pkt = build_ip(ip, std::vector<uint8_t>(8, 0));
    ASSERT_EQ(pkt.size(), 20u + 8 + 8);
    EXPECT_EQ(pkt[0], 0x47); // IHL 7
    EXPECT_EQ((pkt[2] << 8) | pkt[3], 36);
    EXPECT_EQ(pkt[20], 0x94);
    EXPECT_EQ(inet_checksum(pkt.data(), 28), 0);
    ip.ip_opts.resize(6);
    EXPECT_THROW(build_ip(ip, {}), std::invalid_argument);
    ip.ip_opts.assign(44, 1);
    EXPECT_THROW(build_ip(ip, {}), std::invalid_argument);
}

TEST(Packet, UdpSegmentNeverZeroChecksum)
{
    auto seg = build_udp(kSrc4, kDst4, 1234, 5678, payload_pattern(5));
    EXPECT_EQ(seg.size(), UDP_HDR + 5);
    EXPECT_EQ((seg[4] << 8) | seg[5], UDP_HDR + 5);
    EXPECT_EQ(verify_l4(kSrc4, kDst4, IPPROTO_UDP, seg), 0xffff);
    EXPECT_NE((seg[6] << 8) | seg[7], 0);
}

TEST(Packet, IcmpEchoV4AndV6)
{
    IcmpParams p;
    p.type = 8;
    p.id = 0x4e46;
    p.seq = 1;
    auto icmp = build_icmp(kSrc4, kDst4, p, payload_pattern(56));
    ASSERT_EQ(icmp.size(), ICMP_HDR + 56);
    EXPECT_EQ(icmp[0], 8);
    EXPECT_EQ(inet_checksum(icmp.data(), icmp.size()), 0); // no pseudo header for ICMPv4
    p.type = 128;
    auto icmp6 = build_icmp(kSrc6, kDst6, p, payload_pattern(7));
    EXPECT_EQ(verify_l4(kSrc6, kDst6, IPPROTO_ICMPV6, icmp6), 0xffff);
}

TEST(Packet, Ipv4Header)
{
    IpParams ip;
    ip.src = kSrc4;
    ip.dst = kDst4;
    ip.proto = IPPROTO_TCP;
    ip.tos = 0x10;
    ip.ttl = 7;
    ip.ident = 0x1234;
    auto pkt = build_ip(ip, std::vector<uint8_t>(30, 0xaa));
    ASSERT_EQ(pkt.size(), 50u);
    EXPECT_EQ(pkt[0], 0x45);
    EXPECT_EQ(pkt[1], 0x10);
    EXPECT_EQ((pkt[2] << 8) | pkt[3], 50);
    EXPECT_EQ(pkt[6], 0x40); // DF
    EXPECT_EQ(pkt[8], 7);
    EXPECT_EQ(pkt[9], IPPROTO_TCP);
    EXPECT_EQ(inet_checksum(pkt.data(), IPV4_HDR), 0);
    EXPECT_EQ(IpAddr::v4_bytes(&pkt[12]), kSrc4);
    EXPECT_EQ(IpAddr::v4_bytes(&pkt[16]), kDst4);
}

TEST(Packet, Ipv6Header)
{
    IpParams ip;
    ip.src = kSrc6;
    ip.dst = kDst6;
    ip.proto = IPPROTO_ICMPV6;
    ip.tos = 0xb8;
    ip.ttl = 3;
    ip.flow_label = 0x12345;
    auto pkt = build_ip(ip, std::vector<uint8_t>(12));
    ASSERT_EQ(pkt.size(), IPV6_HDR + 12);
    EXPECT_EQ(pkt[0], 0x6b); // version 6, tclass high nibble b
    EXPECT_EQ(pkt[1], 0x81); // tclass low nibble 8, flow label 1
    EXPECT_EQ(pkt[2], 0x23);
    EXPECT_EQ(pkt[3], 0x45);
    EXPECT_EQ((pkt[4] << 8) | pkt[5], 12);
    EXPECT_EQ(pkt[6], IPPROTO_ICMPV6);
    EXPECT_EQ(pkt[7], 3);
    EXPECT_EQ(IpAddr::v6_bytes(&pkt[8]), kSrc6);
    EXPECT_EQ(IpAddr::v6_bytes(&pkt[24]), kDst6);
}

TEST(Packet, Ipv6ExtensionHeaders)
{
    IpParams ip;
    ip.src = kSrc6;
    ip.dst = kDst6;
    ip.proto = IPPROTO_TCP;
    ip.ext_hdrs = {0, 60};
    auto pkt = build_ip(ip, std::vector<uint8_t>(20, 0xaa));
    ASSERT_EQ(pkt.size(), IPV6_HDR + 16 + 20);
    EXPECT_EQ((pkt[4] << 8) | pkt[5], 36); // payload length counts them
    EXPECT_EQ(pkt[6], 0);                  // hop-by-hop first
    const std::vector<uint8_t> hbh = {60, 0, 1, 4, 0, 0, 0, 0};
    const std::vector<uint8_t> dst = {IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0};
    EXPECT_EQ(std::vector<uint8_t>(pkt.begin() + 40, pkt.begin() + 48), hbh);
    EXPECT_EQ(std::vector<uint8_t>(pkt.begin() + 48, pkt.begin() + 56), dst);
    EXPECT_EQ(pkt[56], 0xaa);
    ip.ext_hdrs = {43};
    EXPECT_THROW(build_ip(ip, {}), std::invalid_argument);
}

TEST(Packet, FamilyMismatchAndOversize)
{
    IpParams ip;
    ip.src = kSrc4;
    ip.dst = kDst6;
    EXPECT_THROW(build_ip(ip, {}), std::invalid_argument);
    ip.dst = kDst4;
    EXPECT_THROW(build_ip(ip, std::vector<uint8_t>(65535 - 19)), std::invalid_argument);
    EXPECT_NO_THROW(build_ip(ip, std::vector<uint8_t>(65535 - 20)));
}
