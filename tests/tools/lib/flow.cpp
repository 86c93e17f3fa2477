#include "flow.hpp"

#include <istream>
#include <set>
#include <stdexcept>

namespace nft {

const std::string* FlowRecord::get_extra(std::string_view k) const
{
    for (const auto& kv : extra)
        if (kv.first == k)
            return &kv.second;
    return nullptr;
}

KvLine FlowRecord::to_kv() const
{
    KvLine l;
    l.tag = "flow";
    l.add("proto", proto);
    l.add("src", src.str());
    l.add("sport", sport);
    l.add("dst", dst.str());
    l.add("dport", dport);
    l.add("packets", packets);
    l.add("bytes", bytes);
    l.add("tcpflags", hex(tcpflags));
    l.add("icmp_type", icmp_type);
    l.add("icmp_code", icmp_code);
    for (const auto& [k, v] : extra)
        l.add(k, v);
    return l;
}

FlowRecord FlowRecord::from_kv(const KvLine& line)
{
    if (line.tag != "flow")
        throw std::invalid_argument("not a flow line (tag '" + line.tag + "')");
    FlowRecord r;
    std::set<std::string> seen;
    auto num = [](const std::string& k, const std::string& v, uint64_t max) {
        auto n = parse_uint(v, max);
        if (!n)
            throw std::invalid_argument("bad value for " + k + ": '" + v + "'");
        return *n;
    };
    auto addr = [](const std::string& k, const std::string& v) {
        auto a = IpAddr::parse(v);
        if (!a)
            throw std::invalid_argument("bad address for " + k + ": '" + v + "'");
        return *a;
    };
    for (const auto& [k, v] : line.fields) {
        if (!seen.insert(k).second)
            throw std::invalid_argument("duplicate key " + k);
        if (k == "proto")
            r.proto = static_cast<uint8_t>(num(k, v, 255));
        else if (k == "src")
            r.src = addr(k, v);
        else if (k == "dst")
            r.dst = addr(k, v);
        else if (k == "sport")
            r.sport = static_cast<uint16_t>(num(k, v, 65535));
        else if (k == "dport")
            r.dport = static_cast<uint16_t>(num(k, v, 65535));
        else if (k == "packets")
            r.packets = num(k, v, UINT64_MAX);
        else if (k == "bytes")
            r.bytes = num(k, v, UINT64_MAX);
        else if (k == "tcpflags")
            r.tcpflags = static_cast<uint8_t>(num(k, v, 255));
        else if (k == "icmp_type")
            r.icmp_type = static_cast<uint8_t>(num(k, v, 255));
        else if (k == "icmp_code")
            r.icmp_code = static_cast<uint8_t>(num(k, v, 255));
        else
            r.extra.emplace_back(k, v);
    }
    for (const char* req : {"proto", "src", "dst", "packets", "bytes"})
        if (!seen.count(req))
            throw std::invalid_argument(std::string("missing key ") + req);
    if (r.src.family() != r.dst.family())
        throw std::invalid_argument("src and dst address families differ");
    if (is_icmp_proto(r.proto) && !seen.count("icmp_type") && !seen.count("icmp_code")) {
        r.icmp_type = static_cast<uint8_t>(r.dport >> 8);
        r.icmp_code = static_cast<uint8_t>(r.dport);
    }
    return r;
}

std::vector<FlowRecord> read_flow_lines(std::istream& in)
{
    std::vector<FlowRecord> out;
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        try {
            auto kv = parse_kv_line(line);
            if (!kv || kv->tag != "flow")
                continue;
            out.push_back(FlowRecord::from_kv(*kv));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("line " + std::to_string(n) + ": " + e.what());
        }
    }
    return out;
}

} // namespace nft
