#include "flow.hpp"
#include "flowspec.hpp"
#include "text.hpp"

#include <gtest/gtest.h>
#include <sstream>

using namespace nft;

namespace {
FlowSpec spec(const std::string& s) { return parse_flow_spec(split_ws(s)); }

std::string spec_error(const std::string& s)
{
    try {
        parse_flow_specs(split_ws(s));
    } catch (const SpecError& e) {
        return e.what();
    }
    return "(no error)";
}
} // namespace

TEST(FlowSpec, UdpExampleFromTheBrief)
{
    FlowSpec s = spec("udp 10.1.0.2:5000 count=10 size=100 sport=40000");
    EXPECT_EQ(s.proto, PROTO_UDP);
    EXPECT_EQ(s.dst.str(), "10.1.0.2");
    EXPECT_EQ(s.dport, 5000);
    EXPECT_EQ(s.count, 10u);
    EXPECT_EQ(s.size, 100u);
    ASSERT_TRUE(s.sports);
    EXPECT_EQ(s.sports->first, 40000);
    EXPECT_EQ(s.flows(), 1u);
    EXPECT_EQ(s.packets_per_flow(), 10u);
    EXPECT_EQ(s.bytes_per_flow(), 1280u); // 10 * (20 + 8 + 100)
    EXPECT_EQ(s.tcpflags_union(), 0);
}

TEST(FlowSpec, TcpSynDataFin)
{
    FlowSpec s = spec("tcp 10.1.0.2:80 count=5 size=200 syn fin");
    EXPECT_EQ(s.packets_per_flow(), 7u);
    EXPECT_EQ(s.bytes_per_flow(), 5u * 240 + 2 * 40);
    EXPECT_EQ(s.tcpflags_union(), 0x1b); // SYN|FIN|PSH|ACK
    FlowSpec only_syn = spec("tcp 10.1.0.2:80 count=0 syn");
    EXPECT_EQ(only_syn.packets_per_flow(), 1u);
    EXPECT_EQ(only_syn.bytes_per_flow(), 40u);
    EXPECT_EQ(only_syn.tcpflags_union(), 0x02);
    FlowSpec flags = spec("tcp 10.1.0.2:80 flags=0x10 count=2");
    EXPECT_EQ(flags.tcpflags_union(), 0x10);
}

TEST(FlowSpec, Icmp)
{
    FlowSpec s = spec("icmp 10.1.0.2 count=3 size=56");
    EXPECT_EQ(s.proto, PROTO_ICMP);
    EXPECT_EQ(s.icmp_type, 8);
    EXPECT_EQ(s.icmp_code, 0);
    EXPECT_EQ(s.bytes_per_flow(), 3u * 84);
    FlowSpec u = spec("icmp 10.1.0.2 type=3 code=3 id=7");
    EXPECT_EQ(u.icmp_type, 3);
    EXPECT_EQ(u.icmp_code, 3);
    EXPECT_EQ(u.icmp_id, 7);
    FlowSpec v6 = spec("icmp6 fd00::2 size=10");
    EXPECT_EQ(v6.proto, PROTO_ICMPV6);
    EXPECT_EQ(v6.icmp_type, 128);
    EXPECT_EQ(v6.bytes_per_flow(), 40u + 8 + 10);
    EXPECT_EQ(spec("icmp6 [fd00::2]").dst.str(), "fd00::2");
}

TEST(FlowSpec, Ipv6AndRanges)
{
    FlowSpec s = spec("udp6 [fd00::2]:5000 ports=10000-10999 count=2 size=10 src=fd00::1 tos=184 ttl=9");
    EXPECT_TRUE(s.is_v6());
    EXPECT_EQ(s.flows(), 1000u);
    EXPECT_EQ(s.bytes_per_flow(), 2u * (40 + 8 + 10));
    ASSERT_TRUE(s.src);
    EXPECT_EQ(s.src->str(), "fd00::1");
    EXPECT_EQ(s.tos, 184);
    EXPECT_EQ(s.ttl, 9);
    FlowSpec t = spec("tcp6 [fd00::2]:443 sport=1-1");
    EXPECT_EQ(t.flows(), 1u);
    EXPECT_EQ(t.bytes_per_flow(), 60u);
}

TEST(FlowSpec, SeveralSpecsSplitAtProtocolWords)
{
    auto v = parse_flow_specs(split_ws("udp 10.1.0.2:53 count=2 icmp 10.1.0.2 tcp6 [::1]:80 syn"));
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].proto, PROTO_UDP);
    EXPECT_EQ(v[1].proto, PROTO_ICMP);
    EXPECT_EQ(v[2].proto, PROTO_TCP);
    EXPECT_TRUE(v[2].syn);
    EXPECT_EQ(v[0].text, "udp 10.1.0.2:53 count=2");
}

TEST(FlowSpec, FromStreamWithComments)
{
    std::istringstream in("# test flows\nudp 10.1.0.2:53 count=2  # dns-ish\n\nicmp 10.1.0.2\n  count=4\n");
    auto v = parse_flow_spec_stream(in);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[1].count, 4u);
}

TEST(FlowSpec, BadSpecsHaveClearMessages)
{
    struct Case {
        const char* spec;
        const char* message;
    } cases[] = {
        {"sctp 10.1.0.2:5", "unknown protocol 'sctp'"},
        {"count=5", "must start with a protocol"},
        {"udp", "missing destination"},
        {"udp 10.1.0.2", "expected ADDR:PORT"},
        {"udp 10.1.0.2:0", "destination port 0"},
        {"udp 10.1.0.2:70000", "bad destination"},
        {"udp [fd00::2]:53", "destination is IPv6 but protocol is udp"},
        {"udp6 10.1.0.2:53", "destination is IPv4 but protocol is udp6"},
        {"icmp 10.1.0.2:5", "takes no port"},
        {"icmp 999.1.0.2", "bad destination address"},
        {"udp 0.0.0.0:53", "unspecified destination"},
        {"udp 10.1.0.2:53 count=x", "bad count 'x'"},
        {"udp 10.1.0.2:53 count=0", "count=0 sends nothing"},
        {"udp 10.1.0.2:53 count", "'count' needs a value"},
        {"udp 10.1.0.2:53 size=65508", "exceeds the maximum 65507"},
        {"udp 10.1.0.2:53 sport=0", "bad sport"},
        {"udp 10.1.0.2:53 ports=9-1", "bad ports"},
        {"udp 10.1.0.2:53 src=fd00::1", "families differ"},
        {"udp 10.1.0.2:53 src=nope", "bad source address"},
        {"udp 10.1.0.2:53 syn", "only valid for tcp"},
        {"udp 10.1.0.2:53 type=3", "only valid for icmp"},
        {"icmp 10.1.0.2 sport=5", "only valid for udp and tcp"},
        {"tcp 10.1.0.2:80 syn=1", "takes no value"},
        {"tcp 10.1.0.2:80 flags=256", "bad flags"},
        {"tcp 10.1.0.2:80 ttl=0", "ttl must be at least 1"},
        {"tcp 10.1.0.2:80 bogus=1", "unknown option 'bogus=1'"},
    };
    for (const auto& c : cases) {
        std::string err = spec_error(c.spec);
        EXPECT_NE(err.find(c.message), std::string::npos) << c.spec << " -> " << err;
        if (std::string(c.spec).find(' ') != std::string::npos && err.find("flow spec '") != std::string::npos) {
            EXPECT_NE(err.find(c.spec), std::string::npos) << "message names the spec: " << err;
        }
    }
}

TEST(FlowSpec, MaximumSizes)
{
    EXPECT_EQ(spec("udp 10.1.0.2:53 size=65507").size, 65507u);
    EXPECT_EQ(spec("udp6 [::1]:53 size=65527").size, 65527u); // payload length field counts L4 only
    EXPECT_NE(spec_error("udp6 [::1]:53 size=65528"), "(no error)");
    EXPECT_EQ(spec("tcp 10.1.0.2:80 size=65495").size, 65495u);
}

TEST(FlowSpec, TcpAndIpv4Options)
{
    auto s = spec("tcp 10.0.0.2:80 count=2 size=10 syn tcpopts=020405b4220201014004000004020000 "
                  "ipopts=0x94040000");
    EXPECT_EQ(s.tcp_opts.size(), 16u);
    EXPECT_EQ(s.tcp_opts[4], 0x22);
    EXPECT_EQ(s.ip_opts, (std::vector<uint8_t>{0x94, 4, 0, 0}));
    EXPECT_EQ(s.header_bytes(), 20u + 4 + 20 + 16);
    EXPECT_EQ(s.bytes_per_flow(), 3u * 60 + 2 * 10);
    EXPECT_EQ(spec("udp 10.0.0.2:5 ipopts=94040000").header_bytes(), 32u);
    EXPECT_EQ(spec("tcp6 [fd00::2]:5 tcpopts=01010101").header_bytes(), 64u);
    EXPECT_THROW(spec("udp 10.0.0.2:5 tcpopts=01010101"), SpecError);
    EXPECT_THROW(spec("udp6 [fd00::2]:5 ipopts=01010101"), SpecError);
    EXPECT_THROW(spec("icmp6 fd00::2 ipopts=01010101"), SpecError);
    EXPECT_THROW(spec("tcp 10.0.0.2:5 tcpopts=010101"), SpecError);     // not a multiple of 4
    EXPECT_THROW(spec("tcp 10.0.0.2:5 tcpopts=0101010g"), SpecError);   // not hex
    EXPECT_THROW(spec("tcp 10.0.0.2:5 ipopts=" + std::string(88, '1')), SpecError);
    EXPECT_NO_THROW(spec("tcp 10.0.0.2:5 ipopts=" + std::string(80, '1')));
}

TEST(FlowSpec, Ipv6LabelAndExtensionHeaders)
{
    auto s = parse_flow_spec({"icmp6", "fd00::2", "count=2", "size=8", "flowlabel=0xabcde",
                              "exthdr=hbh,dst"});
    EXPECT_EQ(s.flow_label, 0xabcdeu);
    EXPECT_EQ(s.ext_hdrs, (std::vector<uint8_t>{0, 60}));
    EXPECT_EQ(s.header_bytes(), 40u + 16 + 8);
    EXPECT_EQ(s.bytes_per_flow(), 2u * (64 + 8));
    EXPECT_THROW(parse_flow_spec({"udp6", "[fd00::2]:9", "flowlabel=1"}), SpecError);
    EXPECT_THROW(parse_flow_spec({"icmp", "10.0.0.2", "exthdr=dst"}), SpecError);
    EXPECT_THROW(parse_flow_spec({"tcp6", "[fd00::2]:9", "exthdr=rh"}), SpecError);
    EXPECT_THROW(parse_flow_spec({"tcp6", "[fd00::2]:9", "flowlabel=0x100000"}), SpecError);
}
