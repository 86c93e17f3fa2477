#include "compare.hpp"

#include <tuple>

namespace nft {

bool FlowKey::operator<(const FlowKey& o) const
{
    return std::tie(proto, src, dst, sport, dport, icmp_type, icmp_code) <
           std::tie(o.proto, o.src, o.dst, o.sport, o.dport, o.icmp_type, o.icmp_code);
}

void FlowKey::add_to(KvLine& l) const
{
    l.add("proto", proto);
    l.add("src", src.str());
    if (!is_icmp_proto(proto))
        l.add("sport", sport);
    l.add("dst", dst.str());
    if (is_icmp_proto(proto)) {
        l.add("icmp_type", icmp_type);
        l.add("icmp_code", icmp_code);
    } else {
        l.add("dport", dport);
    }
}

FlowKey flow_key(const FlowRecord& r)
{
    FlowKey k;
    k.proto = r.proto;
    k.src = r.src;
    k.dst = r.dst;
    if (is_icmp_proto(r.proto)) {
        k.icmp_type = r.icmp_type;
        k.icmp_code = r.icmp_code;
    } else {
        k.sport = r.sport;
        k.dport = r.dport;
    }
    return k;
}

bool FlowFilter::matches(const FlowKey& k) const
{
    auto any = [](const std::vector<Prefix>& list, const IpAddr& a) {
        if (list.empty())
            return true;
        for (const auto& p : list)
            if (p.contains(a))
                return true;
        return false;
    };
    return any(src, k.src) && any(dst, k.dst) && (protos.empty() || protos.count(k.proto));
}

std::map<FlowKey, FlowTotals> aggregate(const std::vector<FlowRecord>& records, const FlowFilter& filter)
{
    std::map<FlowKey, FlowTotals> out;
    for (const auto& r : records) {
        FlowKey k = flow_key(r);
        if (!filter.matches(k))
            continue;
        FlowTotals& t = out[k];
        const std::string* sm = r.get_extra("src_mask");
        const std::string* dm = r.get_extra("dst_mask");
        std::string masks = (sm ? *sm : "-") + "/" + (dm ? *dm : "-");
        if (t.records && t.masks != masks)
            masks = "mixed";
        t.masks = masks;
        t.packets += r.packets;
        t.bytes += r.bytes;
        t.tcpflags |= r.tcpflags;
        ++t.records;
    }
    return out;
}

KvLine FlowDiff::line(bool masks) const
{
    KvLine l;
    switch (kind) {
    case Kind::Missing:
        l.tag = "missing";
        key.add_to(l);
        l.add("packets", expected.packets);
        l.add("bytes", expected.bytes);
        l.add("tcpflags", hex(expected.tcpflags));
        if (masks)
            l.add("masks", expected.masks);
        break;
    case Kind::Extra:
        l.tag = "extra";
        key.add_to(l);
        l.add("packets", observed.packets);
        l.add("bytes", observed.bytes);
        l.add("tcpflags", hex(observed.tcpflags));
        l.add("records", observed.records);
        if (masks)
            l.add("masks", observed.masks);
        break;
    case Kind::Mismatch:
        l.tag = "mismatch";
        key.add_to(l);
        // expected/observed
        l.add("packets", std::to_string(expected.packets) + "/" + std::to_string(observed.packets));
        l.add("bytes", std::to_string(expected.bytes) + "/" + std::to_string(observed.bytes));
        l.add("tcpflags", hex(expected.tcpflags) + "/" + hex(observed.tcpflags));
        l.add("records", observed.records);
        if (masks)
            l.add("masks", expected.masks + "/" + observed.masks);
        break;
    }
    return l;
}

KvLine CompareResult::summary() const
{
    KvLine l;
    l.tag = "compare";
    l.add("truth_flows", truth_flows);
    l.add("observed_flows", observed_flows);
    l.add("matched", matched);
    l.add("missing", missing);
    l.add("extra", extra);
    l.add("mismatched", mismatched);
    l.add("ignored_extra", ignored_extra);
    l.add("result", ok() ? "ok" : "FAIL");
    return l;
}

CompareResult compare_flows(const std::vector<FlowRecord>& truth,
                            const std::vector<FlowRecord>& observed, const CompareOptions& opts)
{
    auto exp = aggregate(truth, opts.filter);
    auto got = aggregate(observed, opts.filter);
    CompareResult res;
    res.truth_flows = exp.size();
    res.observed_flows = got.size();
    auto ei = exp.begin();
    auto gi = got.begin();
    while (ei != exp.end() || gi != got.end()) {
        if (gi == got.end() || (ei != exp.end() && ei->first < gi->first)) {
            res.diffs.push_back({FlowDiff::Kind::Missing, ei->first, ei->second, {}});
            ++res.missing;
            ++ei;
        } else if (ei == exp.end() || gi->first < ei->first) {
            if (opts.ignore_extra) {
                ++res.ignored_extra;
            } else {
                res.diffs.push_back({FlowDiff::Kind::Extra, gi->first, {}, gi->second});
                ++res.extra;
            }
            ++gi;
        } else {
            const FlowTotals& e = ei->second;
            const FlowTotals& g = gi->second;
            bool same = e.packets == g.packets && e.bytes == g.bytes &&
                        (opts.ignore_flags || e.tcpflags == g.tcpflags) &&
                        (!opts.masks || e.masks == g.masks);
            if (same) {
                ++res.matched;
            } else {
                res.diffs.push_back({FlowDiff::Kind::Mismatch, ei->first, e, g});
                ++res.mismatched;
            }
            ++ei;
            ++gi;
        }
    }
    return res;
}

} // namespace nft
