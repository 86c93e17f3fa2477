// nf-fuzz's generator and model (lib/fuzz.*): reproducible for a seed,
// valid packets are valid, each malformed class is malformed the way its
// name says, and the model follows the kernel on hand-made packets.
//
// The checks here parse the packets with their own code (not the
// generator's builders), so a generator bug does not hide itself.
#include "fuzz.hpp"
#include "packet.hpp"
#include "text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>

using namespace nft;
using namespace nft::fuzz;

namespace {

const IpAddr kDst4 = *IpAddr::parse("192.0.2.1");
const IpAddr kDst6 = *IpAddr::parse("2001:db8:f10::1");

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

int cls(const char* name)
{
    int i = class_index(name);
    if (i < 0)
        throw std::invalid_argument(std::string("no class ") + name);
    return i;
}

// N packets of one class, from its own stream.
std::vector<std::vector<uint8_t>> sample(const char* name, int n = 400, uint64_t seed = 42)
{
    Generator g(seed, kDst4, kDst6);
    std::vector<std::vector<uint8_t>> out;
    for (int i = 0; i < n; ++i)
        out.push_back(g.make(cls(name)).ip);
    return out;
}

// ---- an independent strict parser -------------------------------------

// A TCP/IPv4 option list (RFC 9293/791 layout): "" if well-formed.
std::string opt_list_error(const uint8_t* p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (p[i] == 0) { // EOL: the rest must be zero
            for (size_t j = i; j < len; ++j)
                if (p[j])
                    return "bytes after EOL";
            return "";
        }
        if (p[i] == 1) {
            ++i;
            continue;
        }
        if (i + 1 >= len)
            return "no room for a length";
        if (p[i + 1] < 2 || p[i + 1] > len - i)
            return "option length " + std::to_string(p[i + 1]);
        i += p[i + 1];
    }
    return "";
}

std::string l4_error(uint8_t proto, const IpAddr& s, const IpAddr& d, const uint8_t* p, size_t len)
{
    switch (proto) {
    case 17: {
        if (len < 8)
            return "UDP shorter than 8";
        if (be16(p + 4) != len)
            return "UDP length field";
        std::vector<uint8_t> seg(p, p + len);
        seg[6] = seg[7] = 0;
        uint16_t c = l4_checksum(s, d, 17, seg.data(), seg.size());
        return c == be16(p + 6) ? "" : "UDP checksum";
    }
    case 6: {
        if (len < 20)
            return "TCP shorter than 20";
        const size_t doff = (p[12] >> 4) * 4u;
        if (doff < 20 || doff > len)
            return "TCP data offset";
        if (auto e = opt_list_error(p + 20, doff - 20); !e.empty())
            return "TCP options: " + e;
        std::vector<uint8_t> seg(p, p + len);
        seg[16] = seg[17] = 0;
        return l4_checksum(s, d, 6, seg.data(), seg.size()) == be16(p + 16) ? "" : "TCP checksum";
    }
    case 1:
        if (len < 8)
            return "ICMP shorter than 8";
        return ones_sum(p, len) == 0xffff ? "" : "ICMP checksum";
    case 58: {
        if (len < 8)
            return "ICMPv6 shorter than 8";
        std::vector<uint8_t> seg(p, p + len);
        seg[2] = seg[3] = 0;
        return l4_checksum(s, d, 58, seg.data(), seg.size()) == be16(p + 2) ? "" : "ICMPv6 checksum";
    }
    case 132: return len >= 12 ? "" : "SCTP shorter than 12";
    case 47: return len >= 4 ? "" : "GRE shorter than 4";
    case 50: return len >= 8 ? "" : "ESP shorter than 8";
    case 59: return "";
    default: return "protocol " + std::to_string(proto) + " in a valid packet";
    }
}

std::string valid4_error(const std::vector<uint8_t>& p)
{
    if (p.size() < 20)
        return "shorter than 20";
    const size_t ihl = (p[0] & 15u) * 4;
    if (p[0] >> 4 != 4 || ihl < 20 || ihl > p.size())
        return "version/IHL";
    if (be16(&p[2]) != p.size())
        return "total length";
    if (ones_sum(p.data(), ihl) != 0xffff)
        return "header checksum";
    if (be16(&p[6]) & 0xbfff)
        return "a fragment";
    if (auto e = opt_list_error(&p[20], ihl - 20); !e.empty())
        return "IP options: " + e;
    return l4_error(p[9], IpAddr::v4_bytes(&p[12]), IpAddr::v4_bytes(&p[16]), &p[ihl], p.size() - ihl);
}

// HBH/DST options as a careful receiver (the kernel's rules) takes them.
std::string tlv_error(const uint8_t* h, size_t len)
{
    size_t off = 2;
    int pad = 0;
    while (off < len) {
        if (h[off] == 0) {
            if (++pad > 7)
                return "padding";
            ++off;
            continue;
        }
        if (off + 2 > len || off + 2 + h[off + 1] > len)
            return "option length";
        const size_t ol = 2u + h[off + 1];
        if (h[off] == 1) {
            pad += static_cast<int>(ol);
            for (size_t i = 2; i < ol; ++i)
                if (h[off + i])
                    return "PadN not zero";
            if (pad > 7)
                return "padding";
        } else {
            if (h[off] == 5 && h[off + 1] != 2)
                return "router alert length";
            if (h[off] != 5 && h[off] >> 6)
                return "unknown option that must be discarded";
            pad = 0;
        }
        off += ol;
    }
    return "";
}

std::string valid6_error(const std::vector<uint8_t>& p)
{
    if (p.size() < 40 || p[0] >> 4 != 6)
        return "short or version";
    if (be16(&p[4]) != p.size() - 40)
        return "payload length";
    size_t off = 40;
    uint8_t nh = p[6];
    bool first = true;
    while (nh == 0 || nh == 60) {
        if (nh == 0 && !first)
            return "hop-by-hop not first";
        if (off + 2 > p.size() || off + (p[off + 1] + 1u) * 8 > p.size())
            return "options header length";
        const size_t len = (p[off + 1] + 1u) * 8;
        if (auto e = tlv_error(&p[off], len); !e.empty())
            return e;
        nh = p[off];
        off += len;
        first = false;
    }
    return l4_error(nh, IpAddr::v6_bytes(&p[8]), IpAddr::v6_bytes(&p[24]), &p[off], p.size() - off);
}

// IPv6 header chain as an RFC reader walks it: the types in order and
// whether it ran past the end of the packet.
struct Chain {
    std::vector<uint8_t> types;
    bool cut = false;
    size_t end = 0; // where the last header ended (the upper layer)
    uint8_t last = 0;
};
// through: go on past a later fragment's header as if a header followed
Chain walk6(const std::vector<uint8_t>& p, bool through = false)
{
    Chain c;
    size_t off = 40;
    uint8_t nh = p[6];
    for (;;) {
        size_t len;
        if (nh == 0 || nh == 60 || nh == 43)
            len = off + 2 <= p.size() ? (p[off + 1] + 1u) * 8 : 8;
        else if (nh == 44)
            len = 8;
        else if (nh == 51)
            len = off + 2 <= p.size() ? (p[off + 1] + 2u) * 4 : 8;
        else
            break;
        c.types.push_back(nh);
        if (off + len > p.size()) {
            c.cut = true;
            return c;
        }
        if (nh == 44 && be16(&p[off + 2]) & ~7u && !through) { // a later fragment: data follows
            c.end = off + len;
            c.last = p[off];
            return c;
        }
        nh = p[off];
        off += len;
    }
    c.end = off;
    c.last = nh;
    return c;
}

} // namespace

// ---- reproducibility ----------------------------------------------------

TEST(Fuzz, SameSeedSameBytes)
{
    Generator a(7, kDst4, kDst6), b(7, kDst4, kDst6), c(8, kDst4, kDst6);
    size_t differ = 0;
    for (int i = 0; i < 5000; ++i) {
        Packet x = a.next(), y = b.next(), z = c.next();
        ASSERT_EQ(x.cls, y.cls) << "packet " << i;
        ASSERT_EQ(x.ip, y.ip) << "packet " << i;
        differ += x.ip != z.ip;
    }
    EXPECT_GT(differ, 4500u) << "another seed should give other packets";
}

// --class sends a subset: each class's stream is the same alone or mixed
TEST(Fuzz, ClassStreamsIndependentOfTheMix)
{
    Generator mixed(99, kDst4, kDst6);
    std::map<int, std::vector<std::vector<uint8_t>>> got;
    for (int i = 0; i < 3000; ++i) {
        Packet p = mixed.next();
        got[p.cls].push_back(p.ip);
    }
    Generator alone(99, kDst4, kDst6);
    for (const auto& [k, pkts] : got)
        for (size_t i = 0; i < pkts.size(); ++i)
            ASSERT_EQ(alone.make(k).ip, pkts[i]) << classes()[static_cast<size_t>(k)].name << " #" << i;
    // the GSO stream too, header included
    Generator gmixed(99, kDst4, kDst6, true), galone(99, kDst4, kDst6, true);
    std::map<int, std::vector<Packet>> ggot;
    for (int i = 0; i < 1000; ++i) {
        Packet p = gmixed.next();
        ggot[p.cls].push_back(p);
    }
    for (const auto& [k, pkts] : ggot)
        for (size_t i = 0; i < pkts.size(); ++i) {
            Packet a = galone.make(k);
            ASSERT_EQ(a.ip, pkts[i].ip) << classes()[static_cast<size_t>(k)].name << " #" << i;
            ASSERT_EQ(std::make_tuple(a.gso.type, a.gso.size, a.gso.flags, a.gso.csum_start, a.gso.csum_offset),
                      std::make_tuple(pkts[i].gso.type, pkts[i].gso.size, pkts[i].gso.flags,
                                      pkts[i].gso.csum_start, pkts[i].gso.csum_offset));
        }
}

TEST(Fuzz, EveryClassInAMixedRunWithinTheBuffer)
{
    Generator g(1, kDst4, kDst6), gg(1, kDst4, kDst6, true);
    std::map<int, int> n;
    for (int i = 0; i < 26000; ++i) {
        // the plain stream, then the GSO one (tap): each of its own classes
        const bool gso = i >= 20000;
        Packet p = gso ? gg.next() : g.next();
        const auto& ci = classes()[static_cast<size_t>(p.cls)];
        ASSERT_EQ(ci.gso, gso) << ci.name;
        ASSERT_LE(p.ip.size(), gso ? kMaxGsoPacket : kMaxPacket);
        if (!gso) {
            EXPECT_EQ(p.gso.type, 0) << ci.name;
        }
        ++n[p.cls];
        // the source address stays where a rule finds it (if the packet is that long)
        const IpAddr s0 = class_source(p.cls, 1), s1 = class_source(p.cls, 2);
        if (ci.family == 4 && p.ip.size() >= 16) {
            IpAddr s = IpAddr::v4_bytes(&p.ip[12]);
            EXPECT_TRUE(s == s0 || s == s1) << ci.name << " source " << s.str();
        } else if (ci.family == 6 && p.ip.size() >= 24) {
            IpAddr s = IpAddr::v6_bytes(&p.ip[8]);
            EXPECT_TRUE(s == s0 || s == s1) << ci.name << " source " << s.str();
        }
    }
    for (size_t k = 0; k < classes().size(); ++k)
        EXPECT_GT(n[static_cast<int>(k)], 50) << classes()[k].name;
    EXPECT_EQ(class_prefix(cls("v4_valid")).str(), "10.99.0.0/24");
    EXPECT_EQ(class_prefix(cls("v6_valid")).str(), "2001:db8:f1f:17::/64");
}

// Only the classes about lengths have length fields that disagree with
// the buffer; no other field claims more than the buffer holds.
TEST(Fuzz, LengthFieldsMatchTheBufferOutsideTheLengthClasses)
{
    const std::set<std::string> about_lengths = {
        "v4_runt", "v4_ihl_short", "v4_ihl_long", "v4_totlen_short", "v4_totlen_long",
        "v4_totlen_lt_ihl", "v4_mutate", "v6_runt", "v6_plen_short", "v6_plen_long",
        "v6_plen_zero", "v6_mutate"};
    Generator g(3, kDst4, kDst6);
    for (int i = 0; i < 20000; ++i) {
        Packet p = g.next();
        const auto& ci = classes()[static_cast<size_t>(p.cls)];
        if (about_lengths.count(ci.name))
            continue;
        if (ci.family == 4) {
            ASSERT_GE(p.ip.size(), 20u) << ci.name;
            EXPECT_EQ(be16(&p.ip[2]), p.ip.size()) << ci.name;
            EXPECT_LE((p.ip[0] & 15u) * 4, p.ip.size()) << ci.name;
        } else {
            ASSERT_GE(p.ip.size(), 40u) << ci.name;
            EXPECT_EQ(be16(&p.ip[4]), p.ip.size() - 40) << ci.name;
        }
    }
}

// ---- valid packets ------------------------------------------------------

TEST(Fuzz, ValidClassesAreValid)
{
    for (const char* name : {"v4_valid", "v6_valid"}) {
        for (const auto& p : sample(name, 2000)) {
            const bool v4 = name[1] == '4';
            const std::string e = v4 ? valid4_error(p) : valid6_error(p);
            ASSERT_EQ(e, "") << name << ": " << hex_bytes(p.data(), p.size());
            for (Path path : {Path::Prerouting, Path::Output}) {
                Verdict v = predict(p, v4 ? 4 : 6, path);
                EXPECT_TRUE(v.reach() && !v.trunc && !v.frag && v.len == p.size()) << name << " " << path_name(path);
            }
        }
    }
}

// ---- each malformed class is malformed the way it says ----------------

TEST(Fuzz, Ipv4HeaderClasses)
{
    std::set<size_t> runt;
    for (const auto& p : sample("v4_runt")) {
        ASSERT_LT(p.size(), 20u);
        runt.insert(p.size());
    }
    EXPECT_EQ(runt.size(), 20u) << "every length 0..19";
    std::set<int> ihls;
    for (const auto& p : sample("v4_ihl_short")) {
        EXPECT_LT(p[0] & 15, 5);
        EXPECT_EQ(p[0] >> 4, 4);
        ihls.insert(p[0] & 15);
    }
    EXPECT_EQ(ihls.size(), 5u);
    int beyond = 0, within = 0;
    for (const auto& p : sample("v4_ihl_long")) {
        const size_t ihl = (p[0] & 15u) * 4;
        ASSERT_GT(ihl, 20u);
        if (ihl > p.size()) {
            ++beyond;
        } else {
            ++within; // the "options" are the transport header
            EXPECT_EQ(be16(&p[2]), p.size());
            EXPECT_EQ(ones_sum(p.data(), ihl), 0xffff);
        }
    }
    EXPECT_GT(beyond, 100);
    EXPECT_GT(within, 100);
    for (const auto& p : sample("v4_totlen_short")) {
        const size_t ihl = (p[0] & 15u) * 4, tot = be16(&p[2]);
        EXPECT_TRUE(tot >= ihl && tot <= p.size()) << tot << " " << p.size();
        EXPECT_EQ(ones_sum(p.data(), ihl), 0xffff);
    }
    for (const auto& p : sample("v4_totlen_long"))
        EXPECT_GT(be16(&p[2]), p.size());
    for (const auto& p : sample("v4_totlen_lt_ihl"))
        EXPECT_LT(be16(&p[2]), (p[0] & 15u) * 4);
    for (const auto& p : sample("v4_bad_csum")) {
        EXPECT_NE(ones_sum(p.data(), (p[0] & 15u) * 4), 0xffff);
        EXPECT_EQ(be16(&p[2]), p.size());
    }
    std::set<int> versions;
    for (const auto& p : sample("v4_bad_version")) {
        EXPECT_NE(p[0] >> 4, 4);
        EXPECT_EQ(ones_sum(p.data(), (p[0] & 15u) * 4), 0xffff);
        versions.insert(p[0] >> 4);
    }
    EXPECT_EQ(versions.size(), 15u);
}

TEST(Fuzz, Ipv4TransportCutAtEveryOffset)
{
    const std::pair<const char*, size_t> cuts[] = {{"v4_l4cut_udp", 8}, {"v4_l4cut_icmp", 8}, {"v4_l4cut_tcp", 20}};
    for (const auto& [name, full] : cuts) {
        std::set<size_t> seen;
        for (const auto& p : sample(name)) {
            ASSERT_EQ(p[0], 0x45) << "only the transport header is wrong";
            const size_t l4 = p.size() - (p[0] & 15u) * 4;
            EXPECT_EQ(be16(&p[2]), p.size());
            EXPECT_EQ(ones_sum(p.data(), (p[0] & 15u) * 4), 0xffff);
            const size_t hdr = std::string(name) == "v4_l4cut_tcp" && l4 >= 13 ? std::max<size_t>(20, (p[20 + 12] >> 4) * 4u) : full;
            EXPECT_LE(l4, hdr) << name;
            seen.insert(l4);
        }
        for (size_t c = 0; c <= full; ++c)
            EXPECT_TRUE(seen.count(c)) << name << " never cut at " << c;
    }
}

TEST(Fuzz, Ipv4Options)
{
    int bad = 0;
    std::set<int> shapes;
    for (const auto& p : sample("v4_ipopts", 600)) {
        const size_t ihl = (p[0] & 15u) * 4;
        ASSERT_GT(ihl, 20u);
        ASSERT_LE(ihl, p.size());
        EXPECT_EQ(be16(&p[2]), p.size());
        EXPECT_EQ(ones_sum(p.data(), ihl), 0xffff);
        bad += !opt_list_error(&p[20], ihl - 20).empty();
        for (size_t i = 20; i + 1 < ihl; ++i) { // option types with their length bytes
            if (p[i] == 148 && p[i + 1] == 4)
                shapes.insert(148);
            if ((p[i] == 7 || p[i] == 68 || p[i] == 131 || p[i] == 137) && p[i + 1] >= 3)
                shapes.insert(p[i]);
            if (p[i + 1] <= 1 && p[i] > 1)
                shapes.insert(1000 + p[i + 1]); // length 0 or 1
        }
    }
    EXPECT_GT(bad, 100) << "most option lists are malformed";
    for (int s : {7, 68, 131, 137, 148, 1000, 1001})
        EXPECT_TRUE(shapes.count(s)) << "option shape " << s;
}

TEST(Fuzz, TcpOptions)
{
    int small = 0, beyond = 0, badopts = 0;
    for (const char* name : {"v4_tcpopts", "v6_tcpopts"}) {
        for (const auto& p : sample(name)) {
            size_t off = name[1] == '4' ? (p[0] & 15u) * 4 : walk6(p).end;
            ASSERT_EQ(name[1] == '4' ? p[9] : walk6(p).last, 6);
            ASSERT_GE(p.size(), off + 20);
            const size_t doff = (p[off + 12] >> 4) * 4u;
            if (doff < 20)
                ++small;
            else if (off + doff > p.size())
                ++beyond;
            else if (!opt_list_error(&p[off + 20], doff - 20).empty())
                ++badopts;
        }
    }
    EXPECT_GT(small, 50);
    EXPECT_GT(beyond, 50);
    EXPECT_GT(badopts, 100);
}

TEST(Fuzz, Ipv4Fragments)
{
    for (const auto& p : sample("v4_frag_first")) {
        EXPECT_EQ(be16(&p[6]) & 0x3fff, 0x2000);
        EXPECT_EQ(l4_error(p[9], IpAddr::v4_bytes(&p[12]), IpAddr::v4_bytes(&p[16]), &p[20], p.size() - 20), "");
    }
    for (const auto& p : sample("v4_frag_first_cut")) {
        EXPECT_EQ(be16(&p[6]) & 0x3fff, 0x2000);
        const size_t full = p[9] == 6 ? 20 : 8;
        EXPECT_LT(p.size() - 20, std::max(full, p[9] == 6 && p.size() >= 33 ? (p[32] >> 4) * 4u : full));
    }
    for (const auto& p : sample("v4_frag_middle"))
        EXPECT_TRUE((be16(&p[6]) & 0x2000) && (be16(&p[6]) & 0x1fff));
    for (const auto& p : sample("v4_frag_last"))
        EXPECT_TRUE(!(be16(&p[6]) & 0x2000) && (be16(&p[6]) & 0x1fff));
    for (const auto& p : sample("v4_frag_zero"))
        EXPECT_EQ(be16(&p[2]), (p[0] & 15u) * 4) << "no payload";
    // one datagram's fragments overlap
    std::map<uint16_t, std::vector<std::pair<size_t, size_t>>> byid;
    for (const auto& p : sample("v4_frag_overlap", 200)) {
        size_t start = (be16(&p[6]) & 0x1fff) * 8u;
        byid[be16(&p[4])].push_back({start, start + p.size() - 20});
    }
    int overlapping = 0;
    for (const auto& [id, v] : byid)
        for (size_t i = 0; i < v.size(); ++i)
            for (size_t j = i + 1; j < v.size(); ++j)
                overlapping += v[i].first < v[j].second && v[j].first < v[i].second;
    EXPECT_GT(overlapping, 20);
    std::set<uint16_t> odd;
    for (const auto& p : sample("v4_frag_odd"))
        odd.insert(static_cast<uint16_t>((be16(&p[6]) & 0xe000) | ((be16(&p[6]) & 0x1fff) == 0x1fff)));
    EXPECT_TRUE(odd.count(0x6000) && odd.count(0xa000) && odd.count(0x2001) && odd.count(0x8000));
}

TEST(Fuzz, Ipv6LengthClasses)
{
    for (const auto& p : sample("v6_runt"))
        EXPECT_LT(p.size(), 40u);
    for (const auto& p : sample("v6_bad_version"))
        EXPECT_NE(p[0] >> 4, 6);
    for (const auto& p : sample("v6_plen_short"))
        EXPECT_LT(be16(&p[4]), p.size() - 40);
    for (const auto& p : sample("v6_plen_long"))
        EXPECT_GT(be16(&p[4]), p.size() - 40);
    for (const auto& p : sample("v6_plen_zero")) {
        EXPECT_EQ(be16(&p[4]), 0);
        EXPECT_GT(p.size(), 40u);
    }
    const std::pair<const char*, size_t> cuts[] = {{"v6_l4cut_udp", 8}, {"v6_l4cut_icmp6", 8}, {"v6_l4cut_tcp", 20}};
    for (const auto& [name, full] : cuts) {
        std::set<size_t> seen;
        for (const auto& p : sample(name)) {
            Chain c = walk6(p);
            ASSERT_FALSE(c.cut);
            EXPECT_EQ(be16(&p[4]), p.size() - 40);
            seen.insert(p.size() - c.end);
        }
        for (size_t c = 0; c <= full; ++c)
            EXPECT_TRUE(seen.count(c)) << name << " never cut at " << c;
    }
}

TEST(Fuzz, Ipv6ExtensionHeaders)
{
    auto has = [](const Chain& c, uint8_t t) {
        return std::find(c.types.begin(), c.types.end(), t) != c.types.end();
    };
    int hbh_bad = 0, cut = 0;
    for (const auto& p : sample("v6_hbh")) {
        EXPECT_EQ(p[6], 0);
        hbh_bad += predict(p, 6, Path::Prerouting).drop == Drop::HdrError;
    }
    EXPECT_GT(hbh_bad, 200) << "most hop-by-hop headers are ones the kernel refuses";
    for (const auto& p : sample("v6_dstopt"))
        EXPECT_TRUE(has(walk6(p), 60));
    for (const auto& p : sample("v6_routing")) {
        Chain c = walk6(p);
        EXPECT_TRUE(has(c, 43));
        cut += c.cut;
    }
    EXPECT_GT(cut, 20) << "routing headers claiming more than there is";
    std::set<uint8_t> ahlen;
    for (const auto& p : sample("v6_ah", 800)) {
        Chain c = walk6(p);
        ASSERT_TRUE(has(c, 51));
        size_t off = 40;
        for (uint8_t t : c.types) { // the AH's payload length
            if (t == 51) {
                ahlen.insert(p[off + 1]);
                break;
            }
            off += t == 44 ? 8 : (p[off + 1] + 1u) * 8;
        }
    }
    for (uint8_t l = 0; l < 8; ++l)
        EXPECT_TRUE(ahlen.count(l)) << "AH payload length " << int(l);
    EXPECT_GT(ahlen.size(), 60u);
    for (const auto& p : sample("v6_esp")) {
        Chain c = walk6(p);
        EXPECT_TRUE(c.last == 50 || c.last == 108);
    }
    for (const auto& p : sample("v6_long_chain")) {
        Chain c = walk6(p);
        EXPECT_GE(c.types.size(), 10u);
        EXPECT_FALSE(c.cut);
    }
    int chain_cut = 0, l4_cut = 0;
    for (const auto& p : sample("v6_chain_cut")) {
        EXPECT_EQ(be16(&p[4]), p.size() - 40);
        Chain c = walk6(p);
        if (c.cut)
            ++chain_cut;
        else if (p.size() - c.end < (c.last == 6 ? 20u : 8u))
            ++l4_cut;
    }
    EXPECT_GT(chain_cut, 150);
    EXPECT_GT(l4_cut, 10);
}

TEST(Fuzz, Ipv6Fragments)
{
    auto frag_of = [](const std::vector<uint8_t>& p, int which = 0) -> const uint8_t* {
        Chain c = walk6(p);
        size_t off = 40;
        for (uint8_t t : c.types) {
            if (t == 44 && which-- == 0)
                return off + 8 <= p.size() ? &p[off] : nullptr;
            if (off + 2 > p.size())
                return nullptr;
            off += t == 44 ? 8 : t == 51 ? (p[off + 1] + 2u) * 4 : (p[off + 1] + 1u) * 8;
        }
        return nullptr;
    };
    for (const auto& p : sample("v6_frag_first")) {
        const uint8_t* f = frag_of(p);
        ASSERT_TRUE(f);
        EXPECT_EQ(be16(f + 2) & 0xfff9, 1);
    }
    for (const auto& p : sample("v6_frag_later")) {
        const uint8_t* f = frag_of(p);
        ASSERT_TRUE(f);
        EXPECT_NE(be16(f + 2) >> 3, 0);
        EXPECT_TRUE(f[0] != 0 && f[0] != 43 && f[0] != 44 && f[0] != 51 && f[0] != 60);
    }
    for (const auto& p : sample("v6_frag_later_ext")) {
        const uint8_t* f = frag_of(p);
        ASSERT_TRUE(f);
        EXPECT_NE(be16(f + 2) >> 3, 0);
        EXPECT_TRUE(f[0] == 0 || f[0] == 43 || f[0] == 44 || f[0] == 51 || f[0] == 60) << int(f[0]);
        Verdict v = predict(p, 6, Path::Output);
        EXPECT_TRUE(v.frag && v.frag_next_ext && !v.trunc);
    }
    for (const auto& p : sample("v6_frag_atomic")) {
        const uint8_t* f = frag_of(p);
        ASSERT_TRUE(f);
        EXPECT_EQ(be16(f + 2) & 0xfff9, 0);
    }
    for (const auto& p : sample("v6_frag_multi"))
    {
        Chain c = walk6(p, true);
        EXPECT_GE(std::count(c.types.begin(), c.types.end(), 44), 2);
    }
    for (const auto& p : sample("v6_frag_zero")) {
        EXPECT_EQ(p[6], 44);
        EXPECT_LE(p.size(), 48u) << "nothing after the fragment header";
    }
}

TEST(Fuzz, MutationsKeepAddresses)
{
    size_t changed = 0;
    Generator g(5, kDst4, kDst6);
    for (const char* name : {"v4_mutate", "v6_mutate"}) {
        for (const auto& p : sample(name, 500)) {
            const bool v4 = name[1] == '4';
            if (p.size() >= (v4 ? 20u : 40u)) {
                IpAddr d = v4 ? IpAddr::v4_bytes(&p[16]) : IpAddr::v6_bytes(&p[24]);
                EXPECT_EQ(d, v4 ? kDst4 : kDst6);
            }
            changed += !(v4 ? valid4_error(p) : valid6_error(p)).empty();
        }
    }
    EXPECT_GT(changed, 500u);
}

// ---- the model on hand-made packets ------------------------------------

namespace {
std::vector<uint8_t> ip4(uint8_t proto, std::vector<uint8_t> l4, uint16_t frag = 0)
{
    std::vector<uint8_t> p = {0x45, 0, 0, 0, 0, 1, static_cast<uint8_t>(frag >> 8), static_cast<uint8_t>(frag),
                              64, proto, 0, 0, 10, 99, 0, 1, 192, 0, 2, 1};
    p.insert(p.end(), l4.begin(), l4.end());
    p[2] = static_cast<uint8_t>(p.size() >> 8);
    p[3] = static_cast<uint8_t>(p.size());
    uint16_t c = inet_checksum(p.data(), 20);
    p[10] = static_cast<uint8_t>(c >> 8);
    p[11] = static_cast<uint8_t>(c);
    return p;
}
std::vector<uint8_t> ip6(uint8_t nh, std::vector<uint8_t> rest)
{
    std::vector<uint8_t> p(40, 0);
    p[0] = 0x60;
    p[4] = static_cast<uint8_t>(rest.size() >> 8);
    p[5] = static_cast<uint8_t>(rest.size());
    p[6] = nh;
    p[7] = 64;
    p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
    p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[39] = 2;
    p.insert(p.end(), rest.begin(), rest.end());
    return p;
}
} // namespace

TEST(FuzzModel, Ipv4)
{
    // the module reads 4 bytes of UDP, 20 of TCP, 2 of ICMP
    EXPECT_TRUE(predict(ip4(17, {1, 2, 3}), 4, Path::Prerouting).trunc);
    EXPECT_FALSE(predict(ip4(17, {1, 2, 3, 4}), 4, Path::Prerouting).trunc);
    EXPECT_TRUE(predict(ip4(6, std::vector<uint8_t>(19)), 4, Path::Prerouting).trunc);
    EXPECT_FALSE(predict(ip4(1, {8, 0}), 4, Path::Output).trunc);
    EXPECT_FALSE(predict(ip4(47, {}), 4, Path::Output).trunc);
    // a later fragment has no transport header: accounted as a fragment
    Verdict v = predict(ip4(17, {}, 0x0001), 4, Path::Prerouting);
    EXPECT_TRUE(v.reach() && v.frag && !v.trunc);
    // a first fragment too short for its ports: truncated, not a fragment
    v = predict(ip4(17, {1, 2}, 0x2000), 4, Path::Prerouting);
    EXPECT_TRUE(v.trunc && !v.frag);
    // bad checksum: dropped on PREROUTING, fixed by the kernel on OUTPUT
    auto p = ip4(17, std::vector<uint8_t>(8));
    p[10] ^= 1;
    EXPECT_EQ(predict(p, 4, Path::Prerouting).drop, Drop::CsumError);
    EXPECT_TRUE(predict(p, 4, Path::Output).reach());
    // total length: longer than the frame dropped, shorter trims
    p = ip4(17, std::vector<uint8_t>(8));
    p[3] = static_cast<uint8_t>(p[3] + 1);
    p[10] = p[11] = 0;
    uint16_t c = inet_checksum(p.data(), 20);
    p[10] = static_cast<uint8_t>(c >> 8), p[11] = static_cast<uint8_t>(c);
    EXPECT_EQ(predict(p, 4, Path::Prerouting).drop, Drop::TooShort);
    p[3] = static_cast<uint8_t>(p[3] - 6); // 23: 3 bytes of UDP left
    p[10] = p[11] = 0;
    c = inet_checksum(p.data(), 20);
    p[10] = static_cast<uint8_t>(c >> 8), p[11] = static_cast<uint8_t>(c);
    v = predict(p, 4, Path::Prerouting);
    EXPECT_TRUE(v.reach() && v.len == 23 && v.trunc);
    EXPECT_FALSE(predict(p, 4, Path::Output).trunc) << "the kernel sets the length on OUTPUT";
    // IHL 4: dropped / refused
    p = ip4(17, std::vector<uint8_t>(8));
    p[0] = 0x44;
    EXPECT_EQ(predict(p, 4, Path::Prerouting).drop, Drop::HdrError);
    EXPECT_EQ(predict(p, 4, Path::Output).drop, Drop::Rejected);
}

TEST(FuzzModel, Ipv6)
{
    const std::vector<uint8_t> udp = {0x9c, 0x40, 0x13, 0x88, 0, 8, 0, 0};
    EXPECT_FALSE(predict(ip6(17, udp), 6, Path::Prerouting).trunc);
    EXPECT_TRUE(predict(ip6(17, {1, 2, 3}), 6, Path::Prerouting).trunc);
    // DST then UDP
    std::vector<uint8_t> dst = {17, 0, 1, 4, 0, 0, 0, 0};
    auto rest = dst;
    rest.insert(rest.end(), udp.begin(), udp.end());
    EXPECT_FALSE(predict(ip6(60, rest), 6, Path::Prerouting).trunc);
    // DST claiming 16 bytes where there are 8: truncated chain
    rest[1] = 1;
    rest.resize(8);
    EXPECT_TRUE(predict(ip6(60, rest), 6, Path::Output).trunc);
    // later fragment of UDP: a fragment; of DST: ipv6_find_hdr() says
    // -ENOENT, the module's nfl_ipv6_later_frag() makes it a fragment
    std::vector<uint8_t> frag = {17, 0, 0, 8 << 3, 0, 0, 0, 1};
    Verdict v = predict(ip6(44, frag), 6, Path::Output);
    EXPECT_TRUE(v.frag && !v.trunc);
    frag[0] = 60;
    v = predict(ip6(44, frag), 6, Path::Output);
    EXPECT_TRUE(v.frag && v.frag_next_ext && !v.trunc);
    // ... unless a fragment header of offset 0 comes first: that is the
    // one nfl_ipv6_later_frag() finds, and it says truncated
    std::vector<uint8_t> two = {44, 0, 0, 0, 0, 0, 0, 2};
    two.insert(two.end(), frag.begin(), frag.end());
    v = predict(ip6(44, two), 6, Path::Output);
    EXPECT_TRUE(v.trunc && !v.frag && !v.frag_next_ext);
    // first fragment with nothing after: truncated
    frag = {17, 0, 0, 1, 0, 0, 0, 1};
    EXPECT_TRUE(predict(ip6(44, frag), 6, Path::Output).trunc);
    // AH length is (len + 2) * 4
    std::vector<uint8_t> ah = {17, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    ah.insert(ah.end(), udp.begin(), udp.end());
    FindHdr f = ipv6_find_hdr(ip6(51, ah).data(), ip6(51, ah).size());
    EXPECT_EQ(f.proto, 17);
    EXPECT_EQ(f.thoff, 52u);
    // ESP ends the walk: protocol 50, no ports, not truncated
    EXPECT_FALSE(predict(ip6(50, {0, 0}), 6, Path::Output).trunc);
    // hop-by-hop on PREROUTING: 8 Pad1 are too much padding, a skippable
    // unknown option is fine, a discard-type one is not
    std::vector<uint8_t> hbh = {17, 0, 0, 0, 0, 0, 0, 0};
    hbh.insert(hbh.end(), udp.begin(), udp.end());
    EXPECT_TRUE(predict(ip6(0, hbh), 6, Path::Prerouting).reach()) << "6 Pad1";
    hbh[1] = 1;
    hbh.insert(hbh.begin() + 8, 8, 0);
    EXPECT_EQ(predict(ip6(0, hbh), 6, Path::Prerouting).drop, Drop::HdrError) << "14 Pad1";
    hbh = {17, 0, 0x1e, 0, 1, 2, 0, 0};
    hbh.insert(hbh.end(), udp.begin(), udp.end());
    EXPECT_TRUE(predict(ip6(0, hbh), 6, Path::Prerouting).reach());
    hbh[2] = 0x5e;
    EXPECT_EQ(predict(ip6(0, hbh), 6, Path::Prerouting).drop, Drop::HdrError);
    EXPECT_TRUE(predict(ip6(0, hbh), 6, Path::Output).reach()) << "OUTPUT checks nothing";
    // payload length: longer than the frame dropped, 0 trims (no HBH)
    auto p = ip6(17, udp);
    p[5] = 9;
    EXPECT_EQ(predict(p, 6, Path::Prerouting).drop, Drop::TooShort);
    p[5] = 0;
    v = predict(p, 6, Path::Prerouting);
    EXPECT_TRUE(v.reach() && v.len == 40 && v.trunc);
}

// ---- GSO (tap) --------------------------------------------------------------

// The valid GSO classes: valid packets under a header that fits them, as
// a virtio NIC sends: TCP with TCPv4/TCPv6, UDP with USO or UFO; the
// checksum offsets at the transport header; most of them larger than one
// segment.
TEST(Fuzz, GsoValidClassesFitTheirHeader)
{
    for (const char* name : {"gso_tcp4", "gso_udp4", "gso_tcp6", "gso_udp6"}) {
        Generator g(42, kDst4, kDst6, true);
        const bool v4 = name[7] == '4', tcp = name[4] == 't';
        int multi = 0, csum = 0;
        for (int i = 0; i < 400; ++i) {
            Packet p = g.make(cls(name));
            const std::string e = v4 ? valid4_error(p.ip) : valid6_error(p.ip);
            ASSERT_EQ(e, "") << name << " #" << i << ": " << hex_bytes(p.ip.data(), p.ip.size());
            size_t th;
            if (v4) {
                th = (p.ip[0] & 15u) * 4;
            } else {
                Chain c = walk6(p.ip);
                ASSERT_FALSE(c.cut);
                th = c.end;
            }
            ASSERT_EQ(v4 ? p.ip[9] : walk6(p.ip).last, tcp ? 6 : 17) << name;
            const unsigned t = p.gso.type & 0x7f;
            if (tcp)
                EXPECT_EQ(t, v4 ? 1u : 4u) << name;
            else
                EXPECT_TRUE(t == 3 || t == 5) << name << " type " << t;
            EXPECT_GT(p.gso.size, 0) << name;
            if (p.gso.flags & 1) {
                ++csum;
                EXPECT_EQ(p.gso.csum_start, kEthHdr + th) << name;
                EXPECT_EQ(p.gso.csum_offset, tcp ? 16 : 6) << name;
            } else {
                EXPECT_NE(t, 5u) << "USO needs NEEDS_CSUM";
            }
            const size_t l4h = tcp ? (p.ip[th + 12] >> 4) * 4u : 8;
            multi += p.ip.size() - th - l4h > p.gso.size;
        }
        EXPECT_GT(multi, 250) << name << ": packets of more than one segment";
        EXPECT_GT(csum, 300) << name;
        EXPECT_LT(csum, 400) << name << ": some without NEEDS_CSUM";
    }
}

// The malformed ones: source kept, every header field varied.
TEST(Fuzz, GsoBadClassesVaryTheHeader)
{
    for (const char* name : {"gso_bad4", "gso_bad6"}) {
        Generator g(42, kDst4, kDst6, true);
        std::set<unsigned> types, sizes;
        int odd_csum = 0, invalid = 0;
        for (int i = 0; i < 600; ++i) {
            Packet p = g.make(cls(name));
            types.insert(p.gso.type);
            sizes.insert(p.gso.size);
            odd_csum += p.gso.csum_start < kEthHdr + 20;
            const bool v4 = name[7] == '4';
            invalid += !(v4 ? valid4_error(p.ip) : valid6_error(p.ip)).empty();
        }
        for (unsigned t : {1u, 3u, 4u, 5u, 2u, 0xffu})
            EXPECT_TRUE(types.count(t)) << name << " type " << t;
        for (unsigned z : {0u, 1u, 0xffffu})
            EXPECT_TRUE(sizes.count(z)) << name << " size " << z;
        EXPECT_GT(odd_csum, 10) << name;
        EXPECT_GT(invalid, 300) << name;
    }
}

// virtio_net_hdr_to_skb(): when the skb is a GSO one, and of what size.
TEST(FuzzModel, GsoAtTheHook)
{
    Gso g;
    EXPECT_EQ(gso_size_at_hook(g, 2000), 0) << "no GSO header";
    g.type = 1, g.size = 1000, g.flags = 1, g.csum_start = 34, g.csum_offset = 16;
    // 14 + 20 + 20 + 1001: more than one segment
    EXPECT_EQ(gso_size_at_hook(g, 1055), 1000);
    EXPECT_EQ(gso_size_at_hook(g, 1054), 0) << "exactly one segment: not GSO";
    g.size = 3;
    EXPECT_EQ(gso_size_at_hook(g, 1055), 8) << "TCP_MIN_GSO_SIZE";
    g.type = 3, g.size = 100, g.csum_offset = 6; // UFO: gso_size counts the UDP header too
    EXPECT_EQ(gso_size_at_hook(g, 14 + 20 + 8 + 93), 100);
    EXPECT_EQ(gso_size_at_hook(g, 14 + 20 + 8 + 92), 0);
    g.type = 5; // USO
    EXPECT_EQ(gso_size_at_hook(g, 14 + 20 + 8 + 101), 100);
    EXPECT_EQ(gso_size_at_hook(g, 14 + 20 + 8 + 100), 0);
    // no NEEDS_CSUM: 6.12 counts from the least network header, 6.1 from
    // the frame: where that decides, the model cannot tell
    g.type = 1, g.size = 1000, g.flags = 0;
    EXPECT_EQ(gso_size_at_hook(g, 2000), 1000);
    EXPECT_EQ(gso_size_at_hook(g, 1030), -1);
    EXPECT_EQ(gso_size_at_hook(g, 1020), 0);
}

namespace {
std::vector<uint8_t> tcp4(size_t payload, unsigned doff = 5, uint16_t frag = 0x4000)
{
    std::vector<uint8_t> p(20 + doff * 4 + payload, 0);
    p[0] = 0x45;
    p[2] = static_cast<uint8_t>(p.size() >> 8), p[3] = static_cast<uint8_t>(p.size());
    p[6] = static_cast<uint8_t>(frag >> 8), p[7] = static_cast<uint8_t>(frag);
    p[8] = 64, p[9] = 6;
    p[12] = 10, p[15] = 1, p[16] = 192, p[18] = 2, p[19] = 1;
    p[20 + 12] = static_cast<uint8_t>(doff << 4);
    uint16_t c = inet_checksum(p.data(), 20);
    p[10] = static_cast<uint8_t>(c >> 8), p[11] = static_cast<uint8_t>(c);
    return p;
}
} // namespace

// The module counts a GSO skb as its segments, each with the headers.
TEST(FuzzModel, GsoSegments)
{
    Gso g;
    g.type = 1, g.size = 1000, g.flags = 1, g.csum_start = 34, g.csum_offset = 16;
    Verdict v = predict(tcp4(3000), 4, Path::Tap, g);
    ASSERT_TRUE(v.reach());
    EXPECT_EQ(v.gso_size, 1000u);
    EXPECT_EQ(v.segs, 3u);
    EXPECT_EQ(v.wire_len, 3040u + 2 * 40);
    v = predict(tcp4(2001, 8), 4, Path::Tap, g); // 12 bytes of options: 3 segments of 52 bytes' headers
    EXPECT_EQ(v.segs, 3u);
    EXPECT_EQ(v.wire_len, 2053u + 2 * 52);
    v = predict(tcp4(1000), 4, Path::Tap, g);
    EXPECT_EQ(v.segs, 1u);
    EXPECT_EQ(v.wire_len, 1040u);
    // a later fragment: the IP header only is repeated
    v = predict(tcp4(3000, 5, 0x0010), 4, Path::Tap, g);
    EXPECT_TRUE(v.frag);
    EXPECT_EQ(v.segs, 4u); // ceil(3020 / 1000)
    EXPECT_EQ(v.wire_len, 3040u + 3 * 20);
    // TCP cut short: truncated, one packet
    auto p = tcp4(0);
    p.resize(30);
    p[3] = 30;
    p[10] = p[11] = 0;
    uint16_t c = inet_checksum(p.data(), 20);
    p[10] = static_cast<uint8_t>(c >> 8), p[11] = static_cast<uint8_t>(c);
    v = predict(p, 4, Path::Tap, g);
    EXPECT_TRUE(v.reach() && v.trunc);
    EXPECT_EQ(v.segs, 1u);
    // not on the other paths
    v = predict(tcp4(1400), 4, Path::Prerouting, g);
    EXPECT_EQ(v.segs, 1u);
    EXPECT_EQ(v.wire_len, 1440u);
}
