#include "compare.hpp"

#include <gtest/gtest.h>

using namespace nft;

namespace {

FlowRecord flow(const std::string& kv) { return FlowRecord::from_kv(*parse_kv_line("flow " + kv)); }

const std::vector<FlowRecord> kTruth = {
    flow("proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=10 bytes=1280"),
    flow("proto=6 src=10.1.0.1 sport=40001 dst=10.1.0.2 dport=80 packets=7 bytes=1280 tcpflags=0x1b"),
    flow("proto=1 src=10.1.0.1 dst=10.1.0.2 dport=2048 packets=3 bytes=252 icmp_type=8 icmp_code=0"),
};

std::vector<std::string> lines(const CompareResult& r)
{
    std::vector<std::string> v;
    for (const auto& d : r.diffs)
        v.push_back(d.line().str());
    return v;
}

} // namespace

TEST(Compare, ExactMatch)
{
    auto r = compare_flows(kTruth, kTruth, {});
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.matched, 3u);
    EXPECT_EQ(r.summary().str(), "compare truth_flows=3 observed_flows=3 matched=3 missing=0 extra=0 "
                                 "mismatched=0 ignored_extra=0 result=ok");
}

TEST(Compare, SplitRecordsAreSummedAndFlagsOred)
{
    std::vector<FlowRecord> obs = {
        flow("proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=4 bytes=512"),
        flow("proto=6 src=10.1.0.1 sport=40001 dst=10.1.0.2 dport=80 packets=1 bytes=40 tcpflags=0x02"),
        flow("proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=6 bytes=768"),
        flow("proto=6 src=10.1.0.1 sport=40001 dst=10.1.0.2 dport=80 packets=6 bytes=1240 tcpflags=0x19"),
        // ICMP: ports are not part of the key (collectors put type/code in different places)
        flow("proto=1 src=10.1.0.1 sport=0 dst=10.1.0.2 dport=0 packets=3 bytes=252 icmp_type=8 icmp_code=0"),
    };
    auto r = compare_flows(kTruth, obs, {});
    EXPECT_TRUE(r.ok()) << testing::PrintToString(lines(r));
    auto agg = aggregate(obs);
    ASSERT_EQ(agg.size(), 3u);
    EXPECT_EQ(agg.at(flow_key(kTruth[1])).records, 2u);
    EXPECT_EQ(agg.at(flow_key(kTruth[1])).tcpflags, 0x1b);
}

TEST(Compare, MissingExtraMismatch)
{
    std::vector<FlowRecord> obs = {
        flow("proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=9 bytes=1152"),
        flow("proto=6 src=10.1.0.1 sport=40001 dst=10.1.0.2 dport=80 packets=7 bytes=1280 tcpflags=0x1a"),
        flow("proto=1 src=10.1.0.2 dst=10.1.0.1 packets=3 bytes=252 icmp_type=0 icmp_code=0"),
    };
    auto r = compare_flows(kTruth, obs, {});
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.missing, 1u);
    EXPECT_EQ(r.extra, 1u);
    EXPECT_EQ(r.mismatched, 2u);
    auto l = lines(r);
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[0], "missing proto=1 src=10.1.0.1 dst=10.1.0.2 icmp_type=8 icmp_code=0 packets=3 bytes=252 tcpflags=0x00");
    EXPECT_EQ(l[1], "extra proto=1 src=10.1.0.2 dst=10.1.0.1 icmp_type=0 icmp_code=0 packets=3 bytes=252 "
                    "tcpflags=0x00 records=1");
    EXPECT_EQ(l[2], "mismatch proto=6 src=10.1.0.1 sport=40001 dst=10.1.0.2 dport=80 packets=7/7 bytes=1280/1280 "
                    "tcpflags=0x1b/0x1a records=1");
    EXPECT_EQ(l[3], "mismatch proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=10/9 "
                    "bytes=1280/1152 tcpflags=0x00/0x00 records=1");
    EXPECT_EQ(r.summary().str(), "compare truth_flows=3 observed_flows=3 matched=0 missing=1 extra=1 "
                                 "mismatched=2 ignored_extra=0 result=FAIL");
}

TEST(Compare, IgnoreFlagsAndExtra)
{
    std::vector<FlowRecord> obs = kTruth;
    obs[1].tcpflags = 0x18;
    obs.push_back(flow("proto=17 src=10.9.9.9 sport=1 dst=10.1.0.2 dport=2 packets=1 bytes=29"));
    CompareOptions o;
    o.ignore_flags = true;
    o.ignore_extra = true;
    auto r = compare_flows(kTruth, obs, o);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.ignored_extra, 1u);
    EXPECT_TRUE(r.diffs.empty());
}

TEST(Compare, FilterAppliesToBothSides)
{
    std::vector<FlowRecord> obs = kTruth;
    obs.push_back(flow("proto=1 src=10.1.0.2 dst=10.1.0.1 packets=3 bytes=252 icmp_type=0 icmp_code=0")); // replies
    obs.push_back(flow("proto=17 src=192.0.2.1 sport=1 dst=192.0.2.2 dport=2 packets=1 bytes=29"));
    std::vector<FlowRecord> truth = kTruth;
    truth.push_back(flow("proto=17 src=192.0.2.9 sport=1 dst=192.0.2.8 dport=2 packets=1 bytes=29"));
    CompareOptions o;
    o.filter.dst.push_back(*Prefix::parse("10.1.0.2/32"));
    auto r = compare_flows(truth, obs, o);
    EXPECT_TRUE(r.ok()) << testing::PrintToString(lines(r));
    EXPECT_EQ(r.truth_flows, 3u);

    CompareOptions p;
    p.filter.protos = {17};
    p.filter.src.push_back(*Prefix::parse("10.0.0.0/8"));
    auto r2 = compare_flows(truth, obs, p);
    EXPECT_TRUE(r2.ok());
    EXPECT_EQ(r2.matched, 1u);
}

TEST(Compare, FamiliesAndProtocolsAreDistinct)
{
    std::vector<FlowRecord> truth = {flow("proto=17 src=10.0.0.1 sport=1 dst=10.0.0.2 dport=2 packets=1 bytes=29")};
    std::vector<FlowRecord> obs = {flow("proto=6 src=10.0.0.1 sport=1 dst=10.0.0.2 dport=2 packets=1 bytes=29")};
    auto r = compare_flows(truth, obs, {});
    EXPECT_EQ(r.missing, 1u);
    EXPECT_EQ(r.extra, 1u);
    FlowKey a = flow_key(truth[0]);
    FlowKey b = a;
    b.sport = 2;
    EXPECT_TRUE(a < b);
    EXPECT_FALSE(a == b);
}

TEST(Compare, EmptySides)
{
    EXPECT_TRUE(compare_flows({}, {}, {}).ok());
    auto r = compare_flows(kTruth, {}, {});
    EXPECT_EQ(r.missing, 3u);
    auto e = compare_flows({}, kTruth, {});
    EXPECT_EQ(e.extra, 3u);
}
