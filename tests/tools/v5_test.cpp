#include "decoder.hpp"
#include "netflow.hpp"

#include <gtest/gtest.h>

using namespace nft;

namespace {

const Endpoint kExporter = *Endpoint::parse("127.0.0.1:9999");

V5Record record(uint16_t sport, uint32_t packets = 10, uint32_t octets = 1280)
{
    V5Record r;
    r.src = *IpAddr::parse("10.1.0.1");
    r.dst = *IpAddr::parse("10.1.0.2");
    r.nexthop = *IpAddr::parse("10.1.0.254");
    r.input = 3;
    r.output = 4;
    r.packets = packets;
    r.octets = octets;
    r.first = 1000;
    r.last = 2000;
    r.sport = sport;
    r.dport = 5000;
    r.tcp_flags = 0;
    r.proto = 17;
    r.tos = 0x10;
    r.src_as = 64512;
    r.dst_as = 64513;
    r.src_mask = 24;
    r.dst_mask = 16;
    return r;
}

std::vector<uint8_t> pdu(uint32_t seq, size_t n, uint8_t engine_id = 0)
{
    V5Header h;
    h.uptime = 5000;
    h.unix_secs = 1700000000;
    h.unix_nsecs = 123;
    h.flow_sequence = seq;
    h.engine_type = 1;
    h.engine_id = engine_id;
    std::vector<V5Record> recs;
    for (size_t i = 0; i < n; ++i)
        recs.push_back(record(static_cast<uint16_t>(40000 + i)));
    return encode_v5(h, recs);
}

bool has_issue(const DecodeResult& r, Issue::Kind k, const std::string& text)
{
    for (const auto& i : r.issues)
        if (i.kind == k && i.msg.find(text) != std::string::npos)
            return true;
    return false;
}

} // namespace

TEST(V5, EncodeLayout)
{
    auto p = pdu(7, 2);
    ASSERT_EQ(p.size(), V5_HEADER_LEN + 2 * V5_RECORD_LEN);
    EXPECT_EQ(p[0], 0);
    EXPECT_EQ(p[1], 5);
    EXPECT_EQ(p[3], 2);      // count
    EXPECT_EQ(p[19], 7);     // flow_sequence low byte
    EXPECT_EQ(p[20], 1);     // engine_type
    EXPECT_EQ(p[24], 10);    // first record: src 10.1.0.1
    EXPECT_EQ(p[24 + 36], 0); // pad1
    EXPECT_EQ(p[24 + 38], 17); // proto
    EXPECT_THROW(encode_v5({}, std::vector<V5Record>(31, record(1))), std::invalid_argument);
}

TEST(V5, RoundTrip)
{
    Decoder d;
    auto r = d.decode(pdu(100, 3, 4), kExporter);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.issues.empty());
    EXPECT_EQ(r.version, 5);
    ASSERT_EQ(r.flows.size(), 3u);
    const FlowRecord& f = r.flows[1];
    EXPECT_EQ(f.str().rfind("flow proto=17 src=10.1.0.1 sport=40001 dst=10.1.0.2 dport=5000 packets=10 bytes=1280 "
                            "tcpflags=0x00 icmp_type=0 icmp_code=0 ver=5 exporter=127.0.0.1:9999 ",
                            0),
              0u)
        << f.str();
    EXPECT_EQ(*f.get_extra("nexthop"), "10.1.0.254");
    EXPECT_EQ(*f.get_extra("in_if"), "3");
    EXPECT_EQ(*f.get_extra("out_if"), "4");
    EXPECT_EQ(*f.get_extra("first"), "1000");
    EXPECT_EQ(*f.get_extra("last"), "2000");
    EXPECT_EQ(*f.get_extra("tos"), "16");
    EXPECT_EQ(*f.get_extra("engine_id"), "4");
    EXPECT_EQ(*f.get_extra("src_as"), "64512");
    EXPECT_EQ(*f.get_extra("dst_mask"), "16");
    EXPECT_EQ(r.pdu.str(), "pdu version=5 exporter=127.0.0.1:9999 count=3 length=168 seq=100 uptime=5000 "
                           "unix_secs=1700000000 unix_nsecs=123 engine_type=1 engine_id=4 sampling=0");
    ASSERT_EQ(r.lines.size(), 4u);
    EXPECT_EQ(r.lines[0].tag, "pdu");
    EXPECT_EQ(d.stats().flows, 3u);
    EXPECT_EQ(d.stats().pdus, 1u);
}

TEST(V5, IcmpTypeCodeInDport)
{
    V5Record r = record(0);
    r.proto = 1;
    r.dport = 0x0303;
    auto p = encode_v5({}, {r});
    auto res = Decoder().decode(p, kExporter);
    ASSERT_EQ(res.flows.size(), 1u);
    EXPECT_EQ(res.flows[0].icmp_type, 3);
    EXPECT_EQ(res.flows[0].icmp_code, 3);
}

TEST(V5, FromFlow)
{
    FlowRecord f = FlowRecord::from_kv(*parse_kv_line(
        "flow proto=1 src=10.0.0.1 dst=10.0.0.2 packets=2 bytes=168 icmp_type=8 icmp_code=0 first=5 last=9 in_if=2"));
    V5Record r = v5_from_flow(f);
    EXPECT_EQ(r.dport, 0x0800);
    EXPECT_EQ(r.first, 5u);
    EXPECT_EQ(r.last, 9u);
    EXPECT_EQ(r.input, 2);
    f.src = *IpAddr::parse("::1");
    f.dst = *IpAddr::parse("::2");
    EXPECT_THROW(v5_from_flow(f), std::invalid_argument);
}

TEST(V5, LengthMustMatchCount)
{
    auto p = pdu(0, 2);
    p.push_back(0); // one trailing byte
    Decoder d;
    auto r = d.decode(p, kExporter);
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "length 121 != 24 + 48*count = 120"));
    EXPECT_EQ(r.flows.size(), 2u); // records that are there are still shown

    auto shorter = pdu(0, 2);
    shorter.resize(shorter.size() - 48);
    auto r2 = Decoder().decode(shorter, kExporter);
    EXPECT_TRUE(has_issue(r2, Issue::Kind::Format, "length 72 != 24 + 48*count = 120"));
    EXPECT_EQ(r2.flows.size(), 1u);
}

TEST(V5, CountLimits)
{
    auto p = pdu(0, 1);
    p[3] = 31;
    auto r = Decoder().decode(p, kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "count 31 exceeds 30"));
    auto zero = pdu(0, 0);
    auto r0 = Decoder().decode(zero, kExporter);
    EXPECT_TRUE(has_issue(r0, Issue::Kind::Format, "count is 0"));
    auto full = pdu(0, 30);
    EXPECT_TRUE(Decoder().decode(full, kExporter).ok());
}

TEST(V5, ShortDatagrams)
{
    auto p = pdu(0, 1);
    p.resize(20);
    auto r = Decoder().decode(p, kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "shorter than the 24-byte header"));
    std::vector<uint8_t> one = {0};
    EXPECT_TRUE(has_issue(Decoder().decode(one, kExporter), Issue::Kind::Format, "no version"));
    std::vector<uint8_t> v7 = {0, 7, 0, 0};
    EXPECT_TRUE(has_issue(Decoder().decode(v7, kExporter), Issue::Kind::Format, "unsupported version 7"));
}

TEST(V5, NonZeroPaddingAndNanoseconds)
{
    auto p = pdu(0, 1);
    p[24 + 36] = 1; // pad1
    auto r = Decoder().decode(p, kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "non-zero padding (pad1=1 pad2=0)"));
    auto q = pdu(0, 1);
    q[24 + 47] = 1; // pad2
    EXPECT_TRUE(has_issue(Decoder().decode(q, kExporter), Issue::Kind::Format, "pad2=1"));
    V5Header h;
    h.unix_nsecs = 1'000'000'000;
    auto n = encode_v5(h, {record(1)});
    EXPECT_TRUE(has_issue(Decoder().decode(n, kExporter), Issue::Kind::Format, "unix_nsecs"));
}

TEST(V5, SequenceContinuity)
{
    Decoder d;
    EXPECT_TRUE(d.decode(pdu(1000, 30), kExporter).ok()); // any first sequence is accepted
    EXPECT_TRUE(d.decode(pdu(1030, 5), kExporter).ok());
    auto gap = d.decode(pdu(1040, 2), kExporter);
    EXPECT_FALSE(gap.ok());
    EXPECT_TRUE(has_issue(gap, Issue::Kind::Sequence, "sequence 1040, expected 1035 (5 missing)"));
    EXPECT_TRUE(d.decode(pdu(1042, 1), kExporter).ok()); // resynchronised after a gap
    auto dup = d.decode(pdu(1042, 1), kExporter);
    EXPECT_TRUE(has_issue(dup, Issue::Kind::Sequence, "behind"));
    EXPECT_EQ(d.stats().seq_errors, 2u);
    KvLine s = d.stats().summary();
    EXPECT_EQ(s.str().rfind("summary pdus=5 flows=39 seq_errors=2 format_errors=0 ", 0), 0u) << s.str();
}

TEST(V5, SequencePerEngineAndExporter)
{
    Decoder d;
    EXPECT_TRUE(d.decode(pdu(0, 3, 1), kExporter).ok());
    EXPECT_TRUE(d.decode(pdu(500, 3, 2), kExporter).ok()); // other engine: its own stream
    EXPECT_TRUE(d.decode(pdu(3, 3, 1), kExporter).ok());
    EXPECT_TRUE(d.decode(pdu(503, 3, 2), kExporter).ok());
    EXPECT_TRUE(d.decode(pdu(77, 3, 1), *Endpoint::parse("127.0.0.2:9999")).ok()); // other exporter
}

TEST(V5, SequenceWrapsAt32Bits)
{
    Decoder d;
    EXPECT_TRUE(d.decode(pdu(0xfffffffe, 3), kExporter).ok());
    EXPECT_TRUE(d.decode(pdu(1, 1), kExporter).ok());
}

TEST(V5, FirstSequenceOption)
{
    DecoderOptions o;
    o.first_seq = 0;
    Decoder d(o);
    auto r = d.decode(pdu(30, 1), kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Sequence, "first sequence 30, expected 0"));
    Decoder ok(o);
    EXPECT_TRUE(ok.decode(pdu(0, 1), kExporter).ok());
}

TEST(V5, ErrorLinesAreInTheOutput)
{
    auto p = pdu(0, 1);
    p.push_back(0);
    auto r = Decoder().decode(p, kExporter);
    bool found = false;
    for (const auto& l : r.lines)
        if (l.tag == "error" && *l.get("kind") == "format")
            found = true;
    EXPECT_TRUE(found);
}
