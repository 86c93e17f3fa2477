// nf-craft: turns flow lines (the nf-send ground-truth format) into NetFlow
// v5, v9 or IPFIX export packets and sends them over UDP, e.g. to nfcapd,
// tshark or nf-collect. Used to test the collectors and our adapters without
// the kernel module.
#include "cli.hpp"
#include "flow.hpp"
#include "net.hpp"
#include "netflow.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <getopt.h>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

using namespace nft;

namespace {

const char kUsage[] = R"(usage: nf-craft [options] -d ADDR:PORT [FILE...]

Reads flow lines ("flow proto=17 src=... packets=N bytes=N ...", the nf-send
ground-truth format; other lines are ignored) from FILEs or stdin and sends
them as NetFlow/IPFIX export packets to ADDR:PORT over UDP.

  -d, --dest ADDR:PORT     collector address ([v6]:port for IPv6)
  -s, --src ADDR[:PORT]    bind the exporter socket to this address/port
  -V, --version 5|9|10     export format (default 5; 10 = IPFIX)
  -n, --per-pdu N          flow records per packet (default and max for v5: 30)
      --split N            split every flow into N records (packets and bytes
                           divided, remainder on the first); default 1
      --seq N              sequence number of the first packet (default 0)
      --gap N              add N to the sequence number after the first packet
                           (to test sequence-gap detection)
      --engine-type N      v5 engine_type (default 0)
      --engine-id N        v5 engine_id / v9 source id / IPFIX domain (default 0)
      --uptime MS          exporter uptime in ms (default 3600000); records
                           without first/last get first=uptime-1000, last=uptime-10
      --templates-each     repeat the templates in every v9/IPFIX packet
                           (default: only in the first)
      --interval-ms N      pause between packets (default 0)
      --dry-run            print the packets' sizes instead of sending
  -h, --help

Prints one line per packet sent: "sent version=V bytes=N records=N seq=N".
Exit: 0 ok, 1 runtime error, 2 usage error.
)";

struct Options {
    std::optional<Endpoint> dest;
    std::optional<Endpoint> src;
    int version = 5;
    size_t per_pdu = 30;
    uint32_t split = 1;
    uint32_t seq = 0;
    uint32_t gap = 0;
    uint8_t engine_type = 0;
    uint32_t engine_id = 0;
    uint32_t uptime = 3'600'000;
    bool templates_each = false;
    uint32_t interval_ms = 0;
    bool dry_run = false;
    std::vector<std::string> files;
};

Options parse_args(int argc, char** argv)
{
    enum { SPLIT = 256, SEQ, GAP, ETYPE, EID, UPTIME, TEACH, INTERVAL, DRY };
    static const option longopts[] = {
        {"dest", required_argument, nullptr, 'd'},     {"src", required_argument, nullptr, 's'},
        {"version", required_argument, nullptr, 'V'},  {"per-pdu", required_argument, nullptr, 'n'},
        {"split", required_argument, nullptr, SPLIT},  {"seq", required_argument, nullptr, SEQ},
        {"gap", required_argument, nullptr, GAP},      {"engine-type", required_argument, nullptr, ETYPE},
        {"engine-id", required_argument, nullptr, EID}, {"uptime", required_argument, nullptr, UPTIME},
        {"templates-each", no_argument, nullptr, TEACH}, {"interval-ms", required_argument, nullptr, INTERVAL},
        {"dry-run", no_argument, nullptr, DRY},        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0}};
    Options o;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "d:s:V:n:h", longopts, nullptr)) != -1) {
        switch (c) {
        case 'd':
            o.dest = Endpoint::parse(optarg);
            if (!o.dest || o.dest->port == 0)
                throw UsageError(std::string("bad --dest '") + optarg + "' (expected ADDR:PORT)");
            break;
        case 's':
            o.src = Endpoint::parse(optarg, true);
            if (!o.src)
                throw UsageError(std::string("bad --src '") + optarg + "'");
            break;
        case 'V':
            o.version = static_cast<int>(num_arg("--version", optarg, 10));
            if (o.version != 5 && o.version != 9 && o.version != 10)
                throw UsageError("--version must be 5, 9 or 10");
            break;
        case 'n':
            o.per_pdu = num_arg("--per-pdu", optarg, 1000);
            if (o.per_pdu == 0)
                throw UsageError("--per-pdu must be at least 1");
            break;
        case SPLIT:
            o.split = static_cast<uint32_t>(num_arg("--split", optarg, 1000));
            if (o.split == 0)
                throw UsageError("--split must be at least 1");
            break;
        case SEQ: o.seq = static_cast<uint32_t>(num_arg("--seq", optarg, UINT32_MAX)); break;
        case GAP: o.gap = static_cast<uint32_t>(num_arg("--gap", optarg, UINT32_MAX)); break;
        case ETYPE: o.engine_type = static_cast<uint8_t>(num_arg("--engine-type", optarg, 255)); break;
        case EID: o.engine_id = static_cast<uint32_t>(num_arg("--engine-id", optarg, UINT32_MAX)); break;
        case UPTIME: o.uptime = static_cast<uint32_t>(num_arg("--uptime", optarg, UINT32_MAX)); break;
        case TEACH: o.templates_each = true; break;
        case INTERVAL: o.interval_ms = static_cast<uint32_t>(num_arg("--interval-ms", optarg, 3'600'000)); break;
        case DRY: o.dry_run = true; break;
        case 'h': std::cout << kUsage; std::exit(0);
        default:
            throw UsageError(std::string("unknown or incomplete option '") + argv[optind - 1] + "'");
        }
    }
    for (int i = optind; i < argc; ++i)
        o.files.emplace_back(argv[i]);
    if (o.files.empty())
        o.files.emplace_back("-");
    if (!o.dest && !o.dry_run)
        throw UsageError("--dest is required");
    if (o.version == 5 && o.per_pdu > V5_MAX_RECORDS)
        throw UsageError("v5 carries at most 30 records per PDU");
    if (o.version == 5 && o.engine_id > 255)
        throw UsageError("v5 engine id is 8 bits");
    return o;
}

std::vector<FlowRecord> split_flows(const std::vector<FlowRecord>& in, uint32_t parts)
{
    std::vector<FlowRecord> out;
    for (const auto& f : in) {
        // never more parts than packets: every record carries >= 1 packet
        const uint64_t n = std::max<uint64_t>(1, std::min<uint64_t>(parts, f.packets));
        for (uint64_t i = 0; i < n; ++i) {
            FlowRecord p = f;
            p.packets = f.packets / n + (i == 0 ? f.packets % n : 0);
            p.bytes = f.bytes / n + (i == 0 ? f.bytes % n : 0);
            out.push_back(std::move(p));
        }
    }
    return out;
}

void fill_times(FlowRecord& f, int version, uint32_t uptime, uint64_t now_ms)
{
    if (version == 10) {
        if (!f.get_extra("start_ms"))
            f.add_extra("start_ms", now_ms - 1000);
        if (!f.get_extra("end_ms"))
            f.add_extra("end_ms", now_ms - 10);
        if (!f.get_extra("end_reason"))
            f.add_extra("end_reason", 2); // active timeout... any legal value
        return;
    }
    if (!f.get_extra("first"))
        f.add_extra("first", uptime >= 1000 ? uptime - 1000 : 0);
    if (!f.get_extra("last"))
        f.add_extra("last", uptime >= 10 ? uptime - 10 : 0);
}

std::vector<std::vector<uint8_t>> build_packets(const Options& o, std::vector<FlowRecord> flows,
                                                std::vector<size_t>& records_per_packet,
                                                std::vector<uint32_t>& seqs)
{
    using namespace std::chrono;
    const uint64_t now_ms =
        static_cast<uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
    const uint32_t now_s = static_cast<uint32_t>(now_ms / 1000);
    for (auto& f : flows)
        fill_times(f, o.version, o.uptime, now_ms);

    std::vector<std::vector<uint8_t>> pkts;
    uint32_t seq = o.seq;
    if (o.version == 5) {
        for (size_t i = 0; i < flows.size(); i += o.per_pdu) {
            std::vector<V5Record> recs;
            for (size_t j = i; j < flows.size() && j < i + o.per_pdu; ++j)
                recs.push_back(v5_from_flow(flows[j]));
            V5Header h;
            h.uptime = o.uptime;
            h.unix_secs = now_s;
            h.unix_nsecs = static_cast<uint32_t>(now_ms % 1000) * 1'000'000;
            h.flow_sequence = seq;
            h.engine_type = o.engine_type;
            h.engine_id = static_cast<uint8_t>(o.engine_id);
            pkts.push_back(encode_v5(h, recs));
            records_per_packet.push_back(recs.size());
            seqs.push_back(seq);
            seq += static_cast<uint32_t>(recs.size()) + (pkts.size() == 1 ? o.gap : 0);
        }
        return pkts;
    }
    const Template t4 = standard_template(256, false, o.version);
    const Template t6 = standard_template(257, true, o.version);
    for (size_t i = 0; i < flows.size(); i += o.per_pdu) {
        ExportBuilder b(o.version);
        b.uptime = o.uptime;
        b.unix_secs = now_s;
        b.sequence = seq;
        b.domain = o.engine_id;
        if (i == 0 || o.templates_each)
            b.add_templates({t4, t6});
        std::vector<std::vector<uint8_t>> r4, r6;
        for (size_t j = i; j < flows.size() && j < i + o.per_pdu; ++j) {
            bool v6 = flows[j].src.is_v6();
            (v6 ? r6 : r4).push_back(encode_flow_record(v6 ? t6 : t4, flows[j]));
        }
        if (!r4.empty())
            b.add_data(t4.id, r4);
        if (!r6.empty())
            b.add_data(t6.id, r6);
        pkts.push_back(b.finish());
        records_per_packet.push_back(r4.size() + r6.size());
        seqs.push_back(seq);
        uint32_t step = o.version == 9 ? 1 : static_cast<uint32_t>(b.data_records());
        seq += step + (pkts.size() == 1 ? o.gap : 0);
    }
    return pkts;
}

int run(const Options& o)
{
    std::vector<FlowRecord> flows;
    for (const auto& path : o.files) {
        Input in(path);
        try {
            auto part = read_flow_lines(in.stream());
            flows.insert(flows.end(), part.begin(), part.end());
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(path + ": " + e.what());
        }
    }
    if (flows.empty())
        throw std::runtime_error("no flow lines in the input");
    flows = split_flows(flows, o.split);
    std::vector<size_t> counts;
    std::vector<uint32_t> seqs;
    auto pkts = build_packets(o, flows, counts, seqs);

    Fd sock;
    sockaddr_storage dst{};
    socklen_t dlen = 0;
    if (!o.dry_run) {
        sock = make_socket(o.dest->addr.family(), SOCK_DGRAM, 0);
        if (o.src) {
            if (o.src->addr.family() != o.dest->addr.family())
                throw std::runtime_error("--src and --dest address families differ");
            sockaddr_storage ss;
            socklen_t len = o.src->to_sockaddr(ss);
            if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0)
                throw_errno("bind " + o.src->str());
        }
        dlen = o.dest->to_sockaddr(dst);
    }
    for (size_t i = 0; i < pkts.size(); ++i) {
        if (i && o.interval_ms)
            std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
        if (!o.dry_run &&
            ::sendto(sock.get(), pkts[i].data(), pkts[i].size(), 0, reinterpret_cast<sockaddr*>(&dst), dlen) < 0)
            throw_errno("sendto " + o.dest->str());
        std::cout << (o.dry_run ? "packet" : "sent") << " version=" << o.version << " bytes=" << pkts[i].size()
                  << " records=" << counts[i] << " seq=" << seqs[i] << "\n";
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(parse_args(argc, argv));
    } catch (const UsageError& e) {
        std::cerr << "nf-craft: " << e.what() << "\n(see nf-craft --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "nf-craft: " << e.what() << "\n";
        return 1;
    }
}
