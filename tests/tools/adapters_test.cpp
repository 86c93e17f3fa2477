#include "adapters.hpp"
#include "compare.hpp"
#include "decoder.hpp"
#include "pcap.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using namespace nft;

// testdata/ was produced on the host with nf-craft -> nfcapd 1.7.1 (nfdump -o
// csv), and dumpcap -P -> tshark 4.0.17 (-T fields / -T pdml, the pdml pruned
// to the frame number and cflow layers). sample_truth.txt is what was sent:
// frame 1 NetFlow v5 (IPv4 flows), frame 2 v9 and frame 3 IPFIX (all flows).

namespace {

std::string data_path(const char* name) { return std::string(TESTDATA_DIR) + "/" + name; }

std::vector<FlowRecord> load(const char* name, InputFormat fmt)
{
    std::ifstream in(data_path(name));
    EXPECT_TRUE(in) << name;
    return read_flows(in, fmt);
}

std::vector<FlowRecord> times(const std::vector<FlowRecord>& v4, const std::vector<FlowRecord>& all)
{
    // v5 carries only the IPv4 flows, v9 and IPFIX all of them
    std::vector<FlowRecord> out = v4;
    out.insert(out.end(), all.begin(), all.end());
    out.insert(out.end(), all.begin(), all.end());
    return out;
}

std::vector<FlowRecord> expected()
{
    auto truth = load("sample_truth.txt", InputFormat::Truth);
    std::vector<FlowRecord> v4;
    for (const auto& f : truth)
        if (f.src.is_v4())
            v4.push_back(f);
    return times(v4, truth);
}

std::string diffs(const CompareResult& r)
{
    std::string s;
    for (const auto& d : r.diffs)
        s += d.line().str() + "\n";
    return s;
}

} // namespace

TEST(Adapters, ProtocolNames)
{
    EXPECT_EQ(protocol_from_name("TCP"), 6);
    EXPECT_EQ(protocol_from_name("UDP"), 17);
    EXPECT_EQ(protocol_from_name("ICMP"), 1);
    EXPECT_EQ(protocol_from_name("ICMP6"), 58);
    EXPECT_EQ(protocol_from_name("icmp6"), 58);
    EXPECT_EQ(protocol_from_name("47"), 47);
    EXPECT_FALSE(protocol_from_name("FOO"));
    EXPECT_FALSE(protocol_from_name("256"));
}

TEST(Adapters, NfdumpFlagStrings)
{
    EXPECT_EQ(tcpflags_from_string("........"), 0);
    EXPECT_EQ(tcpflags_from_string("...AP.SF"), 0x1b);
    EXPECT_EQ(tcpflags_from_string("...A..SF"), 0x13);
    EXPECT_EQ(tcpflags_from_string("CEUAPRSF"), 0xff);
    EXPECT_EQ(tcpflags_from_string(".AP.SF"), 0x1b); // older 6-column form
    EXPECT_EQ(tcpflags_from_string("0x12"), 0x12);
    EXPECT_FALSE(tcpflags_from_string("...X...."));
}

TEST(Adapters, NfdumpCsvSample)
{
    auto flows = load("sample_nfdump.csv", InputFormat::NfdumpCsv);
    ASSERT_EQ(flows.size(), 13u); // the Summary block is not parsed as flows
    const FlowRecord& tcp = flows[1];
    EXPECT_EQ(tcp.proto, 6);
    EXPECT_EQ(tcp.tcpflags, 0x1b);
    EXPECT_EQ(tcp.packets, 7u);
    EXPECT_EQ(tcp.bytes, 1280u);
    const FlowRecord& icmp = flows[2];
    EXPECT_EQ(icmp.proto, 1);
    EXPECT_EQ(icmp.icmp_type, 3); // nfdump prints dp = type*256+code
    EXPECT_EQ(icmp.icmp_code, 3);
    EXPECT_EQ(*icmp.get_extra("exporter"), "127.0.0.1");
    EXPECT_EQ(flows[6].proto, 58); // "ICMP6"
    EXPECT_EQ(flows[6].icmp_type, 128);
    auto r = compare_flows(expected(), flows, {});
    EXPECT_TRUE(r.ok()) << diffs(r);
}

TEST(Adapters, NfdumpCsvWithoutHeader)
{
    // nfdump -q drops the header and the summary: the 1.7 column order is assumed
    std::ifstream in(data_path("sample_nfdump.csv"));
    std::string header, line, body;
    std::getline(in, header);
    while (std::getline(in, line) && line != "Summary")
        body += line + "\n";
    std::istringstream s(body);
    EXPECT_EQ(parse_nfdump_csv(s).size(), 13u);
}

TEST(Adapters, NfdumpCsvErrors)
{
    std::istringstream short_line("ts,te,sa,da,sp,dp,pr,ipkt,ibyt\n1,2,10.0.0.1,10.0.0.2,1,2,UDP,1\n");
    EXPECT_THROW(parse_nfdump_csv(short_line), std::invalid_argument);
    std::istringstream bad_proto("ts,te,sa,da,sp,dp,pr,ipkt,ibyt\n1,2,10.0.0.1,10.0.0.2,1,2,XYZ,1,29\n");
    try {
        parse_nfdump_csv(bad_proto);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()), "line 2: unknown protocol 'XYZ'");
    }
    std::istringstream no_bytes("ts,te,sa,da,sp,dp,pr,ipkt\n");
    EXPECT_THROW(parse_nfdump_csv(no_bytes), std::invalid_argument);
    std::istringstream dotted("ts,sa,da,sp,dp,pr,ipkt,ibyt\nx,10.0.0.1,10.0.0.2,0,8.0,ICMP,1,84\n");
    auto v = parse_nfdump_csv(dotted);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].icmp_type, 8);
}

TEST(Adapters, TsharkFieldsV5Frame)
{
    std::ifstream in(data_path("sample_tshark_fields.txt"));
    std::string header, frame1;
    std::getline(in, header);
    std::getline(in, frame1);
    std::istringstream s(header + "\n" + frame1 + "\n");
    auto flows = parse_tshark_fields(s);
    ASSERT_EQ(flows.size(), 3u);
    EXPECT_EQ(flows[1].tcpflags, 0x1b);
    EXPECT_EQ(flows[2].icmp_type, 3); // from dstport 771 in v5
    EXPECT_EQ(*flows[0].get_extra("frame"), "1");
    auto truth = load("sample_truth.txt", InputFormat::Truth);
    CompareOptions o;
    o.filter.src.push_back(*Prefix::parse("10.0.0.0/8"));
    auto r = compare_flows(truth, flows, o);
    EXPECT_TRUE(r.ok()) << diffs(r);
}

TEST(Adapters, TsharkFieldsRefusesMixedFamilies)
{
    // frames 2 and 3 hold IPv4 and IPv6 records: -T fields cannot pair them
    std::ifstream in(data_path("sample_tshark_fields.txt"));
    try {
        parse_tshark_fields(in);
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("frame 2"), std::string::npos) << m;
        EXPECT_NE(m.find("tshark-pdml"), std::string::npos) << m;
    }
}

TEST(Adapters, TsharkFieldsHomogeneousTemplateFrame)
{
    std::istringstream s("frame.number\tcflow.version\tcflow.srcaddr\tcflow.srcaddrv6\tcflow.dstaddr\tcflow.dstaddrv6\t"
                         "cflow.srcport\tcflow.dstport\tcflow.protocol\tcflow.packets\tcflow.octets\tcflow.tcpflags\t"
                         "cflow.icmp_type_code_ipv4\tcflow.icmp_ipv4_type\tcflow.icmp_ipv4_code\t"
                         "cflow.icmp_ipv6_type\tcflow.icmp_ipv6_code\n"
                         "7\t10\t\tfd00:1::1,fd00:1::1\t\tfd00:1::2,fd00:1::2\t0,40002\t0,443\t58,6\t2,4\t208,400\t"
                         "0x00,0x13\t\t\t\t128,0\t0,0\n"
                         "8\t10\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n"); // template-only packet
    auto flows = parse_tshark_fields(s);
    ASSERT_EQ(flows.size(), 2u);
    EXPECT_EQ(flows[0].icmp_type, 128);
    EXPECT_EQ(flows[1].dport, 443);
    EXPECT_EQ(flows[1].tcpflags, 0x13);
}

TEST(Adapters, TsharkFieldsNeedsHeader)
{
    std::istringstream s("1\t5\t10.0.0.1\n");
    EXPECT_THROW(parse_tshark_fields(s), std::invalid_argument);
}

TEST(Adapters, TsharkPdmlSample)
{
    auto flows = load("sample_tshark.pdml", InputFormat::TsharkPdml);
    ASSERT_EQ(flows.size(), 13u);
    EXPECT_EQ(*flows[0].get_extra("frame"), "1");
    EXPECT_EQ(*flows[12].get_extra("frame"), "3");
    auto r = compare_flows(expected(), flows, {});
    EXPECT_TRUE(r.ok()) << diffs(r);
}

TEST(Adapters, FormatNames)
{
    EXPECT_EQ(parse_input_format("truth"), InputFormat::Truth);
    EXPECT_EQ(parse_input_format("nfdump-csv"), InputFormat::NfdumpCsv);
    EXPECT_EQ(parse_input_format("tshark"), InputFormat::Tshark);
    EXPECT_EQ(parse_input_format("tshark-pdml"), InputFormat::TsharkPdml);
    EXPECT_FALSE(parse_input_format("csv"));
}

TEST(Pcap, SampleCaptureDecodesStrictly)
{
    PcapReader reader(data_path("sample.pcap"));
    Decoder d;
    std::vector<FlowRecord> flows;
    int n = 0;
    while (auto dg = reader.next()) {
        ++n;
        EXPECT_EQ(dg->dst.port, 2057);
        EXPECT_EQ(dg->src.addr.str(), "127.0.0.1");
        auto r = d.decode(dg->payload, dg->src);
        EXPECT_TRUE(r.issues.empty()) << r.lines.back().str();
        flows.insert(flows.end(), r.flows.begin(), r.flows.end());
    }
    EXPECT_EQ(n, 3);
    EXPECT_EQ(d.stats().pdus, 3u);
    EXPECT_EQ(d.stats().templates, 4u);
    auto r = compare_flows(expected(), flows, {});
    EXPECT_TRUE(r.ok()) << diffs(r);
}

TEST(Pcap, RejectsOtherFiles)
{
    EXPECT_THROW(PcapReader(data_path("sample_truth.txt")), std::runtime_error);
    EXPECT_THROW(PcapReader(data_path("does-not-exist")), std::runtime_error);
}

TEST(Pcap, ParseFrameSkipsFragmentsAndNonUdp)
{
    // Ethernet + IPv4 + UDP 1.2.3.4:5 -> 5.6.7.8:2055 with 2 payload bytes
    std::vector<uint8_t> f = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00,
                              0x45, 0, 0, 30, 0, 0, 0x40, 0, 64, 17, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
                              0, 5, 0x08, 0x07, 0, 10, 0, 0, 0xaa, 0xbb};
    auto d = parse_frame(1, f.data(), f.size());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->src.str(), "1.2.3.4:5");
    EXPECT_EQ(d->dst.str(), "5.6.7.8:2055");
    EXPECT_EQ(d->payload, (std::vector<uint8_t>{0xaa, 0xbb}));
    auto frag = f;
    frag[20] = 0x20; // more fragments
    EXPECT_FALSE(parse_frame(1, frag.data(), frag.size()));
    auto tcp = f;
    tcp[23] = 6;
    EXPECT_FALSE(parse_frame(1, tcp.data(), tcp.size()));
    EXPECT_FALSE(parse_frame(1, f.data(), 20)); // truncated
}
