#include "bytes.hpp"
#include "decoder.hpp"
#include "ie.hpp"
#include "netflow.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace nft;

namespace {

const Endpoint kExporter = *Endpoint::parse("[fd00::1]:4000");

FlowRecord flow(const char* line) { return FlowRecord::from_kv(*parse_kv_line(line)); }

const FlowRecord kUdp4 = flow("flow proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=10 bytes=1280 "
                              "first=100 last=200 in_if=2 out_if=3");
const FlowRecord kIcmp6 = flow("flow proto=58 src=fd00:1::1 dst=fd00:1::2 packets=2 bytes=208 icmp_type=128 icmp_code=0");
const FlowRecord kTcp6 = flow("flow proto=6 src=fd00:1::1 sport=1 dst=fd00:1::2 dport=443 packets=4 bytes=400 tcpflags=0x13");

bool has_issue(const DecodeResult& r, Issue::Kind k, const std::string& text)
{
    for (const auto& i : r.issues)
        if (i.kind == k && i.msg.find(text) != std::string::npos)
            return true;
    return false;
}

std::string issues(const DecodeResult& r)
{
    std::string s;
    for (const auto& i : r.issues)
        s += std::string(issue_kind_name(i.kind)) + ": " + i.msg + "\n";
    return s;
}

std::vector<uint8_t> packet(int version, uint32_t seq, bool with_templates, const std::vector<FlowRecord>& flows,
                            uint32_t domain = 5)
{
    ExportBuilder b(version);
    b.uptime = 1000;
    b.unix_secs = 1700000000;
    b.sequence = seq;
    b.domain = domain;
    Template t4 = standard_template(256, false, version), t6 = standard_template(257, true, version);
    if (with_templates)
        b.add_templates({t4, t6});
    std::vector<std::vector<uint8_t>> r4, r6;
    for (const auto& f : flows)
        (f.src.is_v6() ? r6 : r4).push_back(encode_flow_record(f.src.is_v6() ? t6 : t4, f));
    if (!r4.empty())
        b.add_data(256, r4);
    if (!r6.empty())
        b.add_data(257, r6);
    return b.finish();
}

} // namespace

class TemplateFormats : public ::testing::TestWithParam<int> {};

TEST_P(TemplateFormats, RoundTripBothFamilies)
{
    const int v = GetParam();
    Decoder d;
    auto r = d.decode(packet(v, 0, true, {kUdp4, kIcmp6, kTcp6}), kExporter);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    EXPECT_EQ(r.version, v);
    ASSERT_EQ(r.templates.size(), 2u);
    EXPECT_EQ(*r.templates[0].get("id"), "256");
    ASSERT_EQ(r.flows.size(), 3u);
    const FlowRecord& u = r.flows[0];
    EXPECT_EQ(u.proto, 17);
    EXPECT_EQ(u.src.str(), "10.1.0.1");
    EXPECT_EQ(u.sport, 40000);
    EXPECT_EQ(u.dport, 5000);
    EXPECT_EQ(u.packets, 10u);
    EXPECT_EQ(u.bytes, 1280u);
    EXPECT_EQ(*u.get_extra("in_if"), "2");
    EXPECT_EQ(*u.get_extra("out_if"), "3");
    EXPECT_EQ(*u.get_extra("template"), "256");
    EXPECT_EQ(*u.get_extra("domain"), "5");
    if (v == 9) {
        EXPECT_EQ(*u.get_extra("first"), "100");
        EXPECT_EQ(*u.get_extra("last"), "200");
    }
    const FlowRecord& i = r.flows[1];
    EXPECT_EQ(i.proto, 58);
    EXPECT_EQ(i.icmp_type, 128);
    EXPECT_EQ(i.icmp_code, 0);
    EXPECT_EQ(r.flows[2].tcpflags, 0x13);
    EXPECT_EQ(*r.pdu.get("data_records"), "3");
    EXPECT_EQ(*r.pdu.get("template_records"), "2");
}

TEST_P(TemplateFormats, DataBeforeTemplateIsANoticeNotAnError)
{
    const int v = GetParam();
    Decoder d;
    auto r = d.decode(packet(v, 0, false, {kUdp4}), kExporter);
    EXPECT_TRUE(r.ok()) << issues(r);
    EXPECT_TRUE(has_issue(r, Issue::Kind::NoTemplate, "unknown template"));
    EXPECT_TRUE(r.flows.empty());
    EXPECT_EQ(d.stats().no_template, 1u);
    // Templates are per exporter and domain: another domain does not help.
    d.decode(packet(v, 0, true, {}, 6), kExporter);
    auto r2 = d.decode(packet(v, v == 9 ? 1 : 0, false, {kUdp4}), kExporter);
    EXPECT_TRUE(has_issue(r2, Issue::Kind::NoTemplate, "unknown template")) << issues(r2);
}

TEST_P(TemplateFormats, TemplatesPersistAcrossPackets)
{
    const int v = GetParam();
    Decoder d;
    d.decode(packet(v, 0, true, {}), kExporter);
    auto r = d.decode(packet(v, v == 9 ? 1 : 0, false, {kTcp6}), kExporter);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.flows[0].dport, 443);
}

TEST_P(TemplateFormats, SetLengthOverrun)
{
    auto p = packet(GetParam(), 0, true, {kUdp4});
    size_t first_set = GetParam() == 9 ? V9_HEADER_LEN : IPFIX_HEADER_LEN;
    p[first_set + 2] = 0x7f; // template set length far beyond the packet
    auto r = Decoder().decode(p, kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "overruns the packet")) << issues(r);
}

TEST_P(TemplateFormats, DataPaddingChecks)
{
    const int v = GetParam();
    Template t;
    t.id = 300;
    t.fields = {{ie::protocolIdentifier, 1, 0}, {ie::packetDeltaCount, 4, 0}, {ie::octetDeltaCount, 4, 0}};
    auto build = [&](std::vector<uint8_t> body) {
        ExportBuilder b(v);
        b.add_templates({t});
        b.add_raw_set(300, body, false, 1);
        return b.finish();
    };
    std::vector<uint8_t> rec = {17, 0, 0, 0, 1, 0, 0, 0, 30};
    std::vector<uint8_t> ok = rec;
    ok.insert(ok.end(), 3, 0); // 9 + 3 padding
    auto r = Decoder().decode(build(ok), kExporter);
    EXPECT_FALSE(has_issue(r, Issue::Kind::Format, "")) << issues(r);
    EXPECT_EQ(r.flows.size(), 1u);

    std::vector<uint8_t> nonzero = rec;
    nonzero.insert(nonzero.end(), {0, 1, 0});
    EXPECT_TRUE(has_issue(Decoder().decode(build(nonzero), kExporter), Issue::Kind::Format, "non-zero padding"));

    std::vector<uint8_t> toolong = rec;
    toolong.insert(toolong.end(), 7, 0); // 7 < record length 9, but not alignment padding
    EXPECT_TRUE(has_issue(Decoder().decode(build(toolong), kExporter), Issue::Kind::Format,
                          "7 bytes left after the records"));
}

TEST_P(TemplateFormats, ReservedSetId)
{
    ExportBuilder b(GetParam());
    b.add_raw_set(GetParam() == 9 ? 5 : 1, {0, 0, 0, 0});
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "reserved set id")) << issues(r);
}

TEST_P(TemplateFormats, TemplateIdBelow256)
{
    Template t;
    t.id = 255;
    t.fields = {{ie::protocolIdentifier, 1, 0}};
    ExportBuilder b(GetParam());
    b.add_templates({t});
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "id below 256")) << issues(r);
}

TEST_P(TemplateFormats, OptionsTemplateAndData)
{
    const int v = GetParam();
    Template o;
    o.id = 400;
    o.options = true;
    o.scope_count = 1;
    // v9 scope type 1 = System; IPFIX scope IE 149 = observationDomainId
    o.fields = {{static_cast<uint16_t>(v == 9 ? 1 : 149), 4, 0}, {ie::samplingInterval, 4, 0},
                {ie::samplingAlgorithm, 1, 0}};
    std::vector<uint8_t> rec;
    ByteWriter w(rec);
    w.u32(5);
    w.u32(100);
    w.u8(2);
    ExportBuilder b(v);
    b.add_templates({o});
    b.add_data(400, {rec});
    Decoder d;
    auto r = d.decode(b.finish(), kExporter);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    ASSERT_EQ(r.templates.size(), 1u);
    EXPECT_EQ(r.templates[0].tag, "options_template");
    EXPECT_EQ(*r.templates[0].get("scope"), v == 9 ? "1:4" : "149:4");
    ASSERT_EQ(r.options.size(), 1u);
    EXPECT_EQ(*r.options[0].get(v == 9 ? "scope.system" : "scope.domain_id"), "5");
    EXPECT_EQ(*r.options[0].get("sampling_interval"), "100");
    EXPECT_EQ(*r.options[0].get("sampling_algorithm"), "2");
    EXPECT_TRUE(r.flows.empty());
    EXPECT_EQ(d.stats().options, 1u);
}

// ipt_NETFLOW's interface table (template 263): v9 scope "Interface" and
// fixed, NUL-padded strings; IPFIX scope ingressInterface and
// variable-length strings, an empty one among them, padded set.
TEST_P(TemplateFormats, InterfaceTableOptions)
{
    const int v = GetParam();
    const bool v9 = v == 9;
    Template o;
    o.id = 263;
    o.options = true;
    o.scope_count = 1;
    o.fields = {{static_cast<uint16_t>(v9 ? 2 : ie::ingressInterface), 4, 0},
                {82, static_cast<uint16_t>(v9 ? 16 : IPFIX_VARLEN), 0},
                {83, static_cast<uint16_t>(v9 ? 32 : IPFIX_VARLEN), 0}};
    auto str = [v9](ByteWriter& w, const std::string& s, size_t fixed) {
        if (v9) {
            std::string f = s.substr(0, fixed);
            f.resize(fixed, '\0');
            w.bytes(reinterpret_cast<const uint8_t*>(f.data()), f.size());
        } else {
            w.u8(static_cast<uint8_t>(s.size()));
            w.bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
        }
    };
    std::vector<uint8_t> lo, veth;
    ByteWriter wl(lo), wv(veth);
    wl.u32(1);
    str(wl, "lo", 16);
    str(wl, "", 32);
    wv.u32(5);
    str(wv, "nfv0", 16);
    // 32 bytes: v9 carries it without a NUL
    str(wv, "uplink to \"the\" provider=ISP-123", 32);
    ExportBuilder b(v);
    b.add_templates({o});
    b.add_data(263, {lo, veth});
    Decoder d;
    auto r = d.decode(b.finish(), kExporter);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    ASSERT_EQ(r.options.size(), 2u);
    const char* scope = v9 ? "scope.interface" : "scope.in_if";
    EXPECT_EQ(*r.options[0].get(scope), "1");
    EXPECT_EQ(*r.options[0].get("if_name"), "lo");
    EXPECT_EQ(*r.options[0].get("if_desc"), "");
    EXPECT_EQ(*r.options[1].get(scope), "5");
    EXPECT_EQ(*r.options[1].get("if_name"), "nfv0");
    EXPECT_EQ(*r.options[1].get("if_desc"), "uplink to \"the\" provider=ISP-123");
    // the line survives a round trip through the text format
    auto back = parse_kv_line(r.options[1].str());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back->get("if_desc"), "uplink to \"the\" provider=ISP-123");
    EXPECT_EQ(d.stats().options, 2u);
}

INSTANTIATE_TEST_SUITE_P(V9AndIpfix, TemplateFormats, ::testing::Values(9, 10),
                         [](const auto& info) { return info.param == 9 ? "v9" : "ipfix"; });

TEST(V9, HeaderCountMustMatchRecords)
{
    auto p = packet(9, 0, true, {kUdp4, kTcp6});
    EXPECT_TRUE(Decoder().decode(p, kExporter).ok());
    p[3] = 3; // count: 2 templates + 2 data records = 4
    auto r = Decoder().decode(p, kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "header count 3 != records in packet 4")) << issues(r);
}

TEST(V9, SequenceIncrementsByOnePerPacket)
{
    Decoder d;
    EXPECT_TRUE(d.decode(packet(9, 10, true, {kUdp4, kUdp4}), kExporter).ok());
    EXPECT_TRUE(d.decode(packet(9, 11, false, {kUdp4}), kExporter).ok());
    auto gap = d.decode(packet(9, 13, false, {kUdp4}), kExporter);
    EXPECT_TRUE(has_issue(gap, Issue::Kind::Sequence, "sequence 13, expected 12 (1 missing)")) << issues(gap);
    // a packet counting flows instead of packets is caught
    auto flows_seq = d.decode(packet(9, 15, false, {kUdp4}), kExporter);
    EXPECT_TRUE(has_issue(flows_seq, Issue::Kind::Sequence, "expected 14"));
    EXPECT_TRUE(d.decode(packet(9, 1, false, {kUdp4}, 99), kExporter).ok()); // other source id
}

TEST(V9, FieldCountZeroIsAnError)
{
    ExportBuilder b(9);
    b.add_raw_set(V9_TEMPLATE_SET, {0x01, 0x00, 0x00, 0x00});
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "field count 0")) << issues(r);
}

TEST(V9, TrailingBytesAfterLastSet)
{
    auto p = packet(9, 0, true, {kUdp4});
    p.push_back(0);
    p.push_back(0);
    auto r = Decoder().decode(p, kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "2 trailing bytes")) << issues(r);
}

TEST(Ipfix, LengthMustMatchDatagram)
{
    auto p = packet(10, 0, true, {kUdp4});
    p.push_back(0);
    auto r = Decoder().decode(p, kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "header length")) << issues(r);
    EXPECT_EQ(r.flows.size(), 1u);
}

TEST(Ipfix, SequenceCountsDataRecords)
{
    Decoder d;
    EXPECT_TRUE(d.decode(packet(10, 0, true, {kUdp4, kTcp6, kIcmp6}), kExporter).ok());
    EXPECT_TRUE(d.decode(packet(10, 3, false, {kUdp4}), kExporter).ok()); // templates do not count
    EXPECT_TRUE(d.decode(packet(10, 4, true, {}), kExporter).ok());       // template-only message
    auto gap = d.decode(packet(10, 6, false, {kUdp4}), kExporter);
    EXPECT_TRUE(has_issue(gap, Issue::Kind::Sequence, "sequence 6, expected 4 (2 missing)")) << issues(gap);
}

TEST(Ipfix, SequenceUnknownAfterUndecodableSet)
{
    Decoder d;
    EXPECT_TRUE(d.decode(packet(10, 0, false, {kUdp4}), kExporter).ok()); // record count unknown
    EXPECT_TRUE(d.decode(packet(10, 7, true, {kUdp4}), kExporter).ok());  // so any next sequence is fine
    EXPECT_FALSE(d.decode(packet(10, 7, false, {kUdp4}), kExporter).ok());
}

TEST(Ipfix, TemplateWithdrawal)
{
    Decoder d;
    d.decode(packet(10, 0, true, {}), kExporter);
    ExportBuilder b(10);
    b.sequence = 0;
    b.domain = 5;
    b.add_raw_set(IPFIX_TEMPLATE_SET, {0x01, 0x00, 0x00, 0x00}); // withdraw 256
    auto w = d.decode(b.finish(), kExporter);
    EXPECT_TRUE(w.ok()) << issues(w);
    ASSERT_EQ(w.templates.size(), 1u);
    EXPECT_EQ(*w.templates[0].get("withdrawn"), "1");
    auto r = d.decode(packet(10, 0, false, {kUdp4, kTcp6}), kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::NoTemplate, "data set 256"));
    EXPECT_EQ(r.flows.size(), 1u); // 257 still known

    ExportBuilder all(10);
    all.domain = 5;
    all.add_raw_set(IPFIX_TEMPLATE_SET, {0x00, 0x02, 0x00, 0x00}); // withdraw all
    d.decode(all.finish(), kExporter);
    auto none = d.decode(packet(10, 0, false, {kTcp6}), kExporter);
    EXPECT_TRUE(has_issue(none, Issue::Kind::NoTemplate, "data set 257"));
}

TEST(Ipfix, VariableLengthAndEnterpriseFields)
{
    Template t;
    t.id = 260;
    t.fields = {{ie::protocolIdentifier, 1, 0}, {82, IPFIX_VARLEN, 0}, {7, 2, 6871}, {ie::packetDeltaCount, 2, 0}};
    std::vector<uint8_t> rec;
    ByteWriter w(rec);
    w.u8(17);
    w.u8(3);
    w.bytes(reinterpret_cast<const uint8_t*>("eth"), 3);
    w.u16(0xbeef);
    w.u16(9);
    std::vector<uint8_t> rec2;
    ByteWriter w2(rec2);
    w2.u8(6);
    w2.u8(255); // three-byte length form
    w2.u16(2);
    w2.bytes(reinterpret_cast<const uint8_t*>("lo"), 2);
    w2.u16(0);
    w2.u16(1);
    ExportBuilder b(10);
    b.add_templates({t});
    b.add_data(260, {rec, rec2});
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    EXPECT_EQ(*r.templates[0].get("fields"), "4:1,82:v,6871.7:2,2:2");
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(*r.flows[0].get_extra("if_name"), "eth");
    EXPECT_EQ(*r.flows[0].get_extra("ie6871.7"), "beef");
    EXPECT_EQ(r.flows[0].packets, 9u);
    EXPECT_EQ(*r.flows[1].get_extra("if_name"), "lo");
    EXPECT_EQ(r.flows[1].proto, 6);
}

// A NAT66 event as ipt_NETFLOW's NEL template 264 has it: the post-NAT
// IPv6 addresses (281/282) under the keys the IPv4 ones (225/226) use.
TEST(Ipfix, Nat66Event)
{
    Template t;
    t.id = 264;
    t.fields = {{ie::sourceIPv6Address, 16, 0}, {281, 16, 0}, {282, 16, 0}, {227, 2, 0}, {230, 1, 0}};
    std::vector<uint8_t> rec;
    ByteWriter w(rec);
    const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    uint8_t b1[16], b2[16];
    std::copy(a, a + 16, b1);
    b1[5] = 2, b1[15] = 1;
    std::copy(b1, b1 + 16, b2);
    b2[15] = 7;
    w.bytes(a, 16);
    w.bytes(b1, 16);
    w.bytes(b2, 16);
    w.u16(61000);
    w.u8(1);
    ExportBuilder b(10);
    b.add_templates({t});
    b.add_data(264, {rec});
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.flows[0].src.str(), "2001:db8:1::2");
    auto extra = [&](const char* k) {
        const std::string* v = r.flows[0].get_extra(k);
        return v ? *v : std::string("-");
    };
    EXPECT_EQ(extra("post_nat_src"), "2001:db8:2::1");
    EXPECT_EQ(extra("post_nat_dst"), "2001:db8:2::7");
    EXPECT_EQ(extra("post_napt_sport"), "61000");
    EXPECT_EQ(extra("nat_event"), "1");
}

// ipt_NETFLOW's connection record (ctflows): one RFC 5103 biflow of a
// TCP connection through DNAT and MASQUERADE, with the reverse elements
// under PEN 29305.
namespace {
Template biflow_template(bool nat)
{
    Template t;
    t.id = nat ? 267 : 265;
    t.fields = {{ie::sourceIPv4Address, 4, 0}, {ie::destinationIPv4Address, 4, 0}};
    if (nat)
        t.fields.insert(t.fields.end(), {{225, 4, 0}, {226, 4, 0}});
    t.fields.insert(t.fields.end(), {{ie::sourceTransportPort, 2, 0}, {ie::destinationTransportPort, 2, 0}});
    if (nat)
        t.fields.insert(t.fields.end(), {{227, 2, 0}, {228, 2, 0}});
    t.fields.insert(t.fields.end(),
                    {{ie::protocolIdentifier, 1, 0}, {ie::packetDeltaCount, 8, 0}, {ie::octetDeltaCount, 8, 0},
                     {ie::packetDeltaCount, 8, PEN_REVERSE}, {ie::octetDeltaCount, 8, PEN_REVERSE},
                     {ie::flowStartMilliseconds, 8, PEN_REVERSE}, {ie::flowEndMilliseconds, 8, PEN_REVERSE},
                     {ie::biflowDirection, 1, 0}});
    return t;
}

std::vector<uint8_t> biflow_record(bool nat, uint8_t proto, uint16_t sport, uint16_t dport, uint64_t rp,
                                   uint64_t rb)
{
    std::vector<uint8_t> rec;
    ByteWriter w(rec);
    w.u32(0xc0000201); // 192.0.2.1
    w.u32(0xc6336401); // -> 198.51.100.1 (DNATed)
    if (nat) {
        w.u32(0xcb007101); // leaves as 203.0.113.1
        w.u32(0xc6336407); // to 198.51.100.7
    }
    w.u16(sport);
    w.u16(dport);
    if (nat) {
        w.u16(61000);
        w.u16(80);
    }
    w.u8(proto);
    w.u64(10);
    w.u64(1500);
    w.u64(rp);
    w.u64(rb);
    w.u64(1700000000000);
    w.u64(1700000001000);
    w.u8(1);
    return rec;
}

// One IPFIX PDU with biflow_template(nat) and recs, decoded; split as
// --split-biflows.
DecodeResult decode_biflows(bool nat, const std::vector<std::vector<uint8_t>>& recs, bool split = false)
{
    DecoderOptions o;
    o.split_biflows = split;
    const Template t = biflow_template(nat);
    ExportBuilder b(10);
    b.add_templates({t});
    b.add_data(t.id, recs);
    return Decoder(o).decode(b.finish(), kExporter);
}
} // namespace

TEST(Ipfix, BiflowReverseElements)
{
    auto r = decode_biflows(true, {biflow_record(true, 6, 40000, 8080, 8, 4000)});
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    EXPECT_EQ(*r.templates[0].get("fields"),
              "8:4,12:4,225:4,226:4,7:2,11:2,227:2,228:2,4:1,2:8,1:8,29305.2:8,29305.1:8,29305.152:8,"
              "29305.153:8,239:1");
    ASSERT_EQ(r.flows.size(), 1u);
    const FlowRecord& f = r.flows[0];
    EXPECT_EQ(f.packets, 10u);
    EXPECT_EQ(f.bytes, 1500u);
    EXPECT_EQ(*f.get_extra("rev_packets"), "8");
    EXPECT_EQ(*f.get_extra("rev_bytes"), "4000");
    EXPECT_EQ(*f.get_extra("rev_start_ms"), "1700000000000");
    EXPECT_EQ(*f.get_extra("rev_end_ms"), "1700000001000");
    EXPECT_EQ(*f.get_extra("biflow_dir"), "1");
    EXPECT_EQ(f.get_extra("biflow"), nullptr); // not split
}

// --split-biflows: the reply as it came in, from the post-NAT addresses.
TEST(Ipfix, BiflowSplitNat)
{
    auto r = decode_biflows(
        true, {biflow_record(true, 6, 40000, 8080, 8, 4000), biflow_record(true, 6, 40001, 8080, 0, 0)}, true);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    // IPFIX sequence counts records on the wire, not lines
    EXPECT_EQ(*r.pdu.get("data_records"), "2");
    ASSERT_EQ(r.flows.size(), 3u); // the second has no reply: one line
    EXPECT_EQ(*r.flows[0].get_extra("biflow"), "forward");
    const FlowRecord& v = r.flows[1];
    EXPECT_EQ(*v.get_extra("biflow"), "reverse");
    EXPECT_EQ(v.src.str(), "198.51.100.7");
    EXPECT_EQ(v.sport, 80);
    EXPECT_EQ(v.dst.str(), "203.0.113.1");
    EXPECT_EQ(v.dport, 61000);
    EXPECT_EQ(v.packets, 8u);
    EXPECT_EQ(v.bytes, 4000u);
    EXPECT_EQ(*v.get_extra("post_nat_src"), "198.51.100.1");
    EXPECT_EQ(*v.get_extra("post_nat_dst"), "192.0.2.1");
    EXPECT_EQ(*v.get_extra("post_napt_sport"), "8080");
    EXPECT_EQ(*v.get_extra("post_napt_dport"), "40000");
    EXPECT_EQ(*v.get_extra("biflow_dir"), "2");
    EXPECT_EQ(*v.get_extra("start_ms"), "1700000000000");
    EXPECT_EQ(*r.flows[2].get_extra("biflow"), "forward");
    EXPECT_EQ(r.flows[2].sport, 40001);
}

// Without NAT fields the reverse is the forward swapped; ICMP echo's
// reply is type 0.
TEST(Ipfix, BiflowSplitIcmp)
{
    auto r = decode_biflows(false, {biflow_record(false, 1, 0x1234, 8 << 8, 3, 252)}, true);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    ASSERT_EQ(r.flows.size(), 2u);
    EXPECT_EQ(r.flows[0].icmp_type, 8);
    const FlowRecord& v = r.flows[1];
    EXPECT_EQ(v.src.str(), "198.51.100.1");
    EXPECT_EQ(v.dst.str(), "192.0.2.1");
    EXPECT_EQ(v.icmp_type, 0);
    EXPECT_EQ(v.dport, 0);
    EXPECT_EQ(v.sport, 0x1234);
    EXPECT_EQ(v.packets, 3u);
    EXPECT_EQ(v.get_extra("post_nat_src"), nullptr);
}

// Reverse bytes without packets, or fewer than packets: a format error.
TEST(Ipfix, BiflowReverseCountsChecked)
{
    auto r = decode_biflows(false, {biflow_record(false, 17, 1, 2, 0, 100), biflow_record(false, 17, 1, 2, 5, 4)});
    EXPECT_EQ(r.count(Issue::Kind::Format), 2u) << issues(r);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "biflow: reverse 0 packets, 100 bytes")) << issues(r);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "biflow: reverse 5 packets, 4 bytes")) << issues(r);
}

TEST(Ipfix, TruncatedVariableLengthRecord)
{
    Template t;
    t.id = 261;
    t.fields = {{82, IPFIX_VARLEN, 0}};
    ExportBuilder b(10);
    b.add_templates({t});
    b.add_raw_set(261, {10, 'a', 'b'}, false); // says 10 bytes, has 2
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "truncated")) << issues(r);
}

TEST(Ipfix, WrongAddressLength)
{
    Template t;
    t.id = 262;
    t.fields = {{ie::sourceIPv4Address, 3, 0}};
    ExportBuilder b(10);
    b.add_templates({t});
    b.add_data(262, {{1, 2, 3}});
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(has_issue(r, Issue::Kind::Format, "IPv4 address field of length 3")) << issues(r);
}

TEST(Ie, TableSortedAndFound)
{
    auto [table, n] = ie_table();
    ASSERT_GT(n, 50u);
    for (size_t i = 0; i < n; ++i) {
        if (i) {
            EXPECT_LT(table[i - 1].id, table[i].id);
        }
        EXPECT_EQ(find_ie(table[i].id), &table[i]);
    }
    EXPECT_EQ(find_ie(0), nullptr);
    EXPECT_EQ(find_ie(65535), nullptr);
    EXPECT_STREQ(find_ie(ie::octetDeltaCount)->name, "bytes");
    EXPECT_STREQ(find_ie(ie::icmpTypeCodeIPv6)->name, "icmp_type_code");
}

// The shape ipt_NETFLOW uses for ICMP in v9: no ICMP element, type/code in
// L4_DST_PORT (as in v5) and a dummy L4_SRC_PORT.
TEST(V9, IcmpTypeCodeInDstPort)
{
    Template t;
    t.id = 270;
    t.fields = {{ie::sourceIPv4Address, 4, 0}, {ie::destinationIPv4Address, 4, 0}, {ie::sourceTransportPort, 2, 0},
                {ie::destinationTransportPort, 2, 0}, {ie::packetDeltaCount, 4, 0}, {ie::octetDeltaCount, 4, 0},
                {ie::protocolIdentifier, 1, 0}};
    FlowRecord f = flow("flow proto=1 src=10.0.0.1 dst=10.0.0.2 dport=771 packets=1 bytes=56");
    auto rec = encode_flow_record(t, f);
    rec[10] = 3; // encode_flow_record zeroes ports of ICMP flows; put type/code into dport
    rec[11] = 3;
    ExportBuilder b(9);
    b.add_templates({t});
    b.add_data(270, {rec});
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    ASSERT_EQ(r.flows.size(), 1u);
    EXPECT_EQ(r.flows[0].icmp_type, 3);
    EXPECT_EQ(r.flows[0].icmp_code, 3);
}

// ipv4Options (208, 4 bytes) and tcpOptions (209, 8 bytes) as ipt_NETFLOW
// sends them, bytes written by hand: bit X for option X (tcpOptions kind 34
// in the high word), shown as decimal numbers.
TEST_P(TemplateFormats, Ipv4AndTcpOptions)
{
    Template t;
    t.id = 256;
    t.fields = {{ie::sourceIPv4Address, 4, 0}, {ie::destinationIPv4Address, 4, 0},
                {ie::protocolIdentifier, 1, 0}, {208, 4, 0}, {209, 8, 0}};
    const std::vector<uint8_t> rec = {10, 0, 0, 1, 10, 0, 0, 2, 6,
                                      0x40, 0x00, 0x08, 0x03,                          // EXP, MTUP, NOP, EOOL
                                      0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x1f}; // 34, 4..0
    ExportBuilder b(GetParam());
    b.add_templates({t});
    b.add_data(256, {rec});
    auto r = Decoder().decode(b.finish(), kExporter);
    EXPECT_TRUE(r.issues.empty()) << issues(r);
    ASSERT_EQ(r.flows.size(), 1u);
    ASSERT_TRUE(r.flows[0].get_extra("ipv4_options"));
    ASSERT_TRUE(r.flows[0].get_extra("tcp_options"));
    EXPECT_EQ(*r.flows[0].get_extra("ipv4_options"), std::to_string(0x40000803u));
    EXPECT_EQ(*r.flows[0].get_extra("tcp_options"), std::to_string(0x40000001fULL));
    EXPECT_NE(r.flows[0].str().find(" tcp_options=17179869215"), std::string::npos) << r.flows[0].str();
}

// Mutated and truncated packets must produce issues, never exceptions or
// crashes (run under -fsanitize=address,undefined during development).
TEST(Decoder, SurvivesMutatedPackets)
{
    std::vector<std::vector<uint8_t>> seeds = {
        packet(9, 0, true, {kUdp4, kIcmp6, kTcp6}),
        packet(10, 0, true, {kUdp4, kIcmp6, kTcp6}),
    };
    V5Record r;
    r.src = *IpAddr::parse("10.0.0.1");
    r.dst = *IpAddr::parse("10.0.0.2");
    r.packets = 1;
    r.octets = 40;
    seeds.push_back(encode_v5({}, {r, r}));
    uint32_t state = 12345;
    auto rnd = [&state] {
        state = state * 1103515245u + 12345u;
        return state >> 16;
    };
    Decoder d;
    size_t decoded = 0;
    for (int i = 0; i < 20000; ++i) {
        auto p = seeds[static_cast<size_t>(i) % seeds.size()];
        int edits = 1 + static_cast<int>(rnd() % 4);
        for (int e = 0; e < edits; ++e)
            p[rnd() % p.size()] = static_cast<uint8_t>(rnd());
        if (rnd() % 4 == 0)
            p.resize(rnd() % (p.size() + 1));
        EXPECT_NO_THROW({
            auto res = d.decode(p, kExporter);
            decoded += res.lines.size();
        });
    }
    EXPECT_GT(decoded, 20000u);
}
