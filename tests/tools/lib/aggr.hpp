// aggregation= rules, as the module takes them, applied to ground truth:
// what the module should export for the flows nf-send made once its rules
// have merged them.  The syntax and the semantics are the module's
// (aggr.c): comma-separated NET/PREFIX=LENGTH (IPv4 or IPv6) and
// PORT[-PORT]=PORT, the first match of each kind winning, for the source
// and the destination alike; ports only of protocols that have them.
// Written from the README's description, not from the module's code, so
// the two can check each other.
#pragma once

#include "flow.hpp"
#include "net.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nft {

struct AggrNetRule {
    Prefix net; // the rule's network
    int len;    // the prefix length it cuts addresses to
};

struct AggrPortRule {
    uint16_t lo, hi, to;
};

struct AggrRules {
    std::vector<AggrNetRule> nets;
    std::vector<AggrPortRule> ports;

    // The rules of @s, or nullopt (with the bad item in *bad) as the module
    // would refuse them: host bits set, a range backwards, an empty item.
    static std::optional<AggrRules> parse(std::string_view s, std::string* bad = nullptr);

    // @r as the rules make it: addresses cut, ports mapped; the prefix
    // lengths applied as extras src_mask and dst_mask (32 or 128 where no
    // rule matched).
    FlowRecord apply(const FlowRecord& r) const;
};

// @a cut to its first @len bits.
IpAddr mask_addr(const IpAddr& a, int len);

} // namespace nft
