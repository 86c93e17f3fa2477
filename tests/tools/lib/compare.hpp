// Aggregation of flow records by flow key and comparison of ground truth
// against what an exporter/collector reported.
//
// Key: (proto, src, sport, dst, dport) for TCP/UDP/other protocols; for ICMP
// and ICMPv6 (proto, src, dst, icmp_type, icmp_code) with ports ignored, since
// exporters and collectors disagree on where type/code live. A flow may be
// reported as several records (interim exports, per-CPU caches): packets and
// bytes are summed and TCP flags OR-ed before comparing, and sums must match
// exactly.
#pragma once

#include "flow.hpp"
#include "net.hpp"
#include "text.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace nft {

struct FlowKey {
    uint8_t proto = 0;
    IpAddr src, dst;
    uint16_t sport = 0, dport = 0;
    uint8_t icmp_type = 0, icmp_code = 0;

    bool operator<(const FlowKey& o) const;
    bool operator==(const FlowKey& o) const { return !(*this < o) && !(o < *this); }
    // Adds proto src sport dst dport (ICMP: proto src dst icmp_type icmp_code).
    void add_to(KvLine& l) const;
};

FlowKey flow_key(const FlowRecord& r);

struct FlowTotals {
    uint64_t packets = 0, bytes = 0;
    uint8_t tcpflags = 0;
    size_t records = 0;
    // "SRC_MASK/DST_MASK" of the records (extras src_mask, dst_mask: "-"
    // where absent), "mixed" if its records disagree
    std::string masks;
};

// Which flows take part in the comparison. Empty lists match everything;
// several prefixes in one list match if any does.
struct FlowFilter {
    std::vector<Prefix> src, dst;
    std::set<uint8_t> protos;
    bool matches(const FlowKey& k) const;
};

std::map<FlowKey, FlowTotals> aggregate(const std::vector<FlowRecord>& records,
                                        const FlowFilter& filter = {});

struct CompareOptions {
    bool ignore_extra = false; // flows only in the observed side are not errors
    bool ignore_flags = false; // do not compare TCP flags
    bool masks = false;        // compare the prefix lengths (src_mask, dst_mask)
    FlowFilter filter;
};

struct FlowDiff {
    enum class Kind { Missing, Extra, Mismatch };
    Kind kind;
    FlowKey key;
    FlowTotals expected, observed;
    // "missing ...", "extra ...", "mismatch ... packets=exp/got ..."; with
    // @masks the prefix lengths too
    KvLine line(bool masks = false) const;
};

struct CompareResult {
    size_t truth_flows = 0, observed_flows = 0, matched = 0;
    size_t missing = 0, extra = 0, mismatched = 0, ignored_extra = 0;
    std::vector<FlowDiff> diffs; // in key order; ignored extras are not listed
    bool ok() const { return missing == 0 && extra == 0 && mismatched == 0; }
    KvLine summary() const;
};

CompareResult compare_flows(const std::vector<FlowRecord>& truth,
                            const std::vector<FlowRecord>& observed, const CompareOptions& opts);

} // namespace nft
