#include "aggr.hpp"
#include "compare.hpp"

#include <gtest/gtest.h>

using namespace nft;

namespace {

FlowRecord flow(const std::string& kv) { return FlowRecord::from_kv(*parse_kv_line("flow " + kv)); }

std::string bad_of(const std::string& s)
{
    std::string bad = "(none)";
    EXPECT_FALSE(AggrRules::parse(s, &bad)) << s;
    return bad;
}

} // namespace

TEST(Aggr, ParsesTheIssuesExample)
{
    auto r = AggrRules::parse("198.51.100.0/24=16,2001:db8::/32=48,80-89=80,3128=80");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->nets.size(), 2u);
    EXPECT_EQ(r->nets[0].net.str(), "198.51.100.0/24");
    EXPECT_EQ(r->nets[0].len, 16);
    EXPECT_EQ(r->nets[1].net.str(), "2001:db8::/32");
    ASSERT_EQ(r->ports.size(), 2u);
    EXPECT_EQ(r->ports[1].lo, 3128);
    EXPECT_EQ(r->ports[1].hi, 3128);
    EXPECT_EQ(r->ports[1].to, 80);
    EXPECT_TRUE(AggrRules::parse(""));
}

TEST(Aggr, RefusesWhatTheModuleRefuses)
{
    EXPECT_EQ(bad_of("10.0.0.0/8=16,bogus"), "bogus");
    EXPECT_EQ(bad_of("10.1.0.0/8=16"), "10.1.0.0/8=16");
    EXPECT_EQ(bad_of("10.0.0.0/33=16"), "10.0.0.0/33=16");
    EXPECT_EQ(bad_of("10.0.0.0/8=33"), "10.0.0.0/8=33");
    EXPECT_EQ(bad_of("2001:db8::1/32=48"), "2001:db8::1/32=48");
    EXPECT_EQ(bad_of("89-80=80"), "89-80=80");
    EXPECT_EQ(bad_of("80=65536"), "80=65536");
    EXPECT_EQ(bad_of("80=8,"), "80=8");
    EXPECT_EQ(bad_of("[2001:db8::]/32=48"), "[2001:db8::]/32=48");
}

TEST(Aggr, FirstMatchOfEachKindAndMasks)
{
    auto r = AggrRules::parse("10.1.0.0/16=24,10.0.0.0/8=16,1000-1999=1000,1500=1");
    ASSERT_TRUE(r);
    auto f = r->apply(flow("proto=17 src=10.1.2.3 sport=1500 dst=10.2.3.4 dport=2000 packets=1 bytes=28"));
    EXPECT_EQ(f.src.str(), "10.1.2.0");
    EXPECT_EQ(f.dst.str(), "10.2.0.0");
    EXPECT_EQ(f.sport, 1000);
    EXPECT_EQ(f.dport, 2000);
    EXPECT_EQ(*f.get_extra("src_mask"), "24");
    EXPECT_EQ(*f.get_extra("dst_mask"), "16");
    // no match: whole, full lengths; ICMP's type/code are no ports
    f = r->apply(flow("proto=1 src=192.0.2.1 dst=10.0.0.1 dport=1500 packets=1 bytes=28 icmp_type=5 icmp_code=220"));
    EXPECT_EQ(f.src.str(), "192.0.2.1");
    EXPECT_EQ(f.dport, 1500);
    EXPECT_EQ(*f.get_extra("src_mask"), "32");
    EXPECT_EQ(*f.get_extra("dst_mask"), "16");
}

TEST(Aggr, Ipv6)
{
    auto r = AggrRules::parse("0.0.0.0/0=8,2001:db8::/32=48,fd00::/8=7");
    ASSERT_TRUE(r);
    auto f = r->apply(flow("proto=17 src=2001:db8:1:2::1 sport=1 dst=fd12:3456::1 dport=2 packets=1 bytes=48"));
    EXPECT_EQ(f.src.str(), "2001:db8:1::");
    EXPECT_EQ(f.dst.str(), "fc00::");
    EXPECT_EQ(*f.get_extra("src_mask"), "48");
    EXPECT_EQ(*f.get_extra("dst_mask"), "7");
    f = r->apply(flow("proto=17 src=2001:db9::1 sport=1 dst=fe80::1 dport=2 packets=1 bytes=48"));
    EXPECT_EQ(*f.get_extra("src_mask"), "128");
}

// The issue's case: ten source ports of two hosts of one /16 are one flow
// once aggregated, its counts the sums, its masks 16/32.
TEST(Aggr, MergesTruthForCompare)
{
    auto r = AggrRules::parse("10.9.0.0/16=16,1000-1999=1000");
    ASSERT_TRUE(r);
    std::vector<FlowRecord> truth;
    for (int h = 1; h <= 2; h++)
        for (int i = 0; i < 10; i++)
            truth.push_back(r->apply(flow("proto=17 src=10.9." + std::to_string(h) + ".1 sport=" +
                                          std::to_string(1000 + 100 * i) +
                                          " dst=10.1.0.1 dport=7000 packets=2 bytes=56")));
    std::vector<FlowRecord> got = {
        flow("proto=17 src=10.9.0.0 sport=1000 dst=10.1.0.1 dport=7000 packets=40 bytes=1120 src_mask=16 dst_mask=32"),
    };
    CompareOptions o;
    o.masks = true;
    auto res = compare_flows(truth, got, o);
    EXPECT_TRUE(res.ok());
    EXPECT_EQ(res.matched, 1u);
    // a wrong length is a mismatch, and says so
    got[0] = flow("proto=17 src=10.9.0.0 sport=1000 dst=10.1.0.1 dport=7000 packets=40 bytes=1120 src_mask=32 dst_mask=32");
    res = compare_flows(truth, got, o);
    EXPECT_FALSE(res.ok());
    ASSERT_EQ(res.diffs.size(), 1u);
    EXPECT_NE(res.diffs[0].line(true).str().find("masks=16/32/32/32"), std::string::npos);
    // without --masks only the counts count
    o.masks = false;
    EXPECT_TRUE(compare_flows(truth, got, o).ok());
}
