#include "flow.hpp"

#include <gtest/gtest.h>
#include <sstream>

using namespace nft;

TEST(FlowRecord, FormatIsStable)
{
    FlowRecord r;
    r.proto = 17;
    r.src = *IpAddr::parse("10.1.0.1");
    r.sport = 40000;
    r.dst = *IpAddr::parse("10.1.0.2");
    r.dport = 5000;
    r.packets = 10;
    r.bytes = 1280;
    EXPECT_EQ(r.str(), "flow proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=10 "
                       "bytes=1280 tcpflags=0x00 icmp_type=0 icmp_code=0");
    r.add_extra("first", 5);
    r.add_extra("exporter", "127.0.0.1:9");
    EXPECT_EQ(r.str().substr(r.str().size() - 28), "first=5 exporter=127.0.0.1:9");
}

TEST(FlowRecord, RoundTrip)
{
    auto kv = parse_kv_line("flow proto=6 src=fd00::1 sport=1 dst=fd00::2 dport=80 packets=3 bytes=180 "
                            "tcpflags=0x1b icmp_type=0 icmp_code=0 first=10 last=20");
    FlowRecord r = FlowRecord::from_kv(*kv);
    EXPECT_EQ(r.proto, 6);
    EXPECT_TRUE(r.src.is_v6());
    EXPECT_EQ(r.tcpflags, 0x1b);
    ASSERT_EQ(r.extra.size(), 2u);
    EXPECT_EQ(*r.get_extra("last"), "20");
    EXPECT_EQ(FlowRecord::from_kv(r.to_kv()).str(), r.str());
}

TEST(FlowRecord, IcmpTypeCodeFromDportWhenAbsent)
{
    auto r = FlowRecord::from_kv(*parse_kv_line("flow proto=1 src=1.1.1.1 dst=2.2.2.2 dport=771 packets=1 bytes=56"));
    EXPECT_EQ(r.icmp_type, 3);
    EXPECT_EQ(r.icmp_code, 3);
    auto given = FlowRecord::from_kv(
        *parse_kv_line("flow proto=1 src=1.1.1.1 dst=2.2.2.2 dport=0 packets=1 bytes=56 icmp_type=8"));
    EXPECT_EQ(given.icmp_type, 8);
    EXPECT_EQ(given.icmp_code, 0);
}

TEST(FlowRecord, Errors)
{
    auto bad = [](const std::string& line) {
        try {
            FlowRecord::from_kv(*parse_kv_line(line));
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    EXPECT_EQ(bad("flow src=1.1.1.1 dst=2.2.2.2 packets=1 bytes=1"), "missing key proto");
    EXPECT_EQ(bad("flow proto=300 src=1.1.1.1 dst=2.2.2.2 packets=1 bytes=1"), "bad value for proto: '300'");
    EXPECT_EQ(bad("flow proto=1 src=1.1.1 dst=2.2.2.2 packets=1 bytes=1"), "bad address for src: '1.1.1'");
    EXPECT_EQ(bad("flow proto=1 src=1.1.1.1 dst=::2 packets=1 bytes=1"), "src and dst address families differ");
    EXPECT_EQ(bad("flow proto=1 proto=1 src=1.1.1.1 dst=2.2.2.2 packets=1 bytes=1"), "duplicate key proto");
    EXPECT_EQ(bad("pdu version=5"), "not a flow line (tag 'pdu')");
}

TEST(FlowRecord, ReadLinesSkipsOtherTagsAndNamesBadLine)
{
    std::istringstream in("pdu version=5 count=1\n"
                          "# comment\n"
                          "flow proto=17 src=1.1.1.1 sport=1 dst=2.2.2.2 dport=2 packets=1 bytes=29\n"
                          "summary pdus=1 flows=1\n");
    auto v = read_flow_lines(in);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].bytes, 29u);

    std::istringstream bad("flow proto=17 src=1.1.1.1 dst=2.2.2.2 packets=1 bytes=29\nflow proto=17\n");
    try {
        read_flow_lines(bad);
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("line 2: ", 0), 0u) << e.what();
    }
}
