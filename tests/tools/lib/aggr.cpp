#include "aggr.hpp"

#include <charconv>

namespace nft {

namespace {

std::optional<unsigned> number(std::string_view s, unsigned max)
{
    unsigned v = 0;
    if (s.empty())
        return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9')
            return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v > max)
        return std::nullopt;
    return v;
}

bool net_rule(std::string_view item, AggrRules& out)
{
    auto slash = item.find('/');
    auto eq = item.find('=', slash);
    if (eq == std::string_view::npos)
        return false;
    auto addr = IpAddr::parse(item.substr(0, slash));
    // IpAddr::parse takes brackets; the module does not
    if (!addr || item.substr(0, slash).find('[') != std::string_view::npos)
        return false;
    unsigned full = addr->is_v4() ? 32 : 128;
    auto plen = number(item.substr(slash + 1, eq - slash - 1), full);
    auto len = number(item.substr(eq + 1), full);
    if (!plen || !len || mask_addr(*addr, *plen) != *addr)
        return false;
    out.nets.push_back({Prefix{*addr, static_cast<int>(*plen)}, static_cast<int>(*len)});
    return true;
}

bool port_rule(std::string_view item, AggrRules& out)
{
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
        return false;
    auto range = item.substr(0, eq);
    auto dash = range.find('-');
    auto lo = number(range.substr(0, dash), 65535);
    auto hi = dash == std::string_view::npos ? lo : number(range.substr(dash + 1), 65535);
    auto to = number(item.substr(eq + 1), 65535);
    if (!lo || !hi || !to || *lo > *hi)
        return false;
    out.ports.push_back({static_cast<uint16_t>(*lo), static_cast<uint16_t>(*hi),
                         static_cast<uint16_t>(*to)});
    return true;
}

bool has_ports(uint8_t proto)
{
    // TCP, UDP, DCCP, SCTP, UDP-Lite
    return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

} // namespace

IpAddr mask_addr(const IpAddr& a, int len)
{
    uint8_t b[16] = {};
    for (size_t i = 0; i < a.size(); i++) {
        int bits = len - static_cast<int>(i) * 8;
        uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
        b[i] = a.data()[i] & m;
    }
    return a.is_v4() ? IpAddr::v4_bytes(b) : IpAddr::v6_bytes(b);
}

std::optional<AggrRules> AggrRules::parse(std::string_view s, std::string* bad)
{
    AggrRules r;
    size_t n = 0;
    while (!s.empty()) {
        auto comma = s.find(',');
        auto item = s.substr(0, comma);
        bool ok = item.find('/') != std::string_view::npos ? net_rule(item, r) : port_rule(item, r);
        // 32 rules at most; "80=8," has an empty last item
        if (!ok || ++n > 32 || (comma != std::string_view::npos && comma + 1 == s.size())) {
            if (bad)
                *bad = std::string(item);
            return std::nullopt;
        }
        s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    }
    return r;
}

FlowRecord AggrRules::apply(const FlowRecord& in) const
{
    FlowRecord r = in;
    auto cut = [this](IpAddr& a) {
        for (const auto& n : nets) {
            if (n.net.addr.family() == a.family() && n.net.contains(a)) {
                a = mask_addr(a, n.len);
                return n.len;
            }
        }
        return a.is_v4() ? 32 : 128;
    };
    auto map = [this](uint16_t& p) {
        for (const auto& x : ports) {
            if (p >= x.lo && p <= x.hi) {
                p = x.to;
                return;
            }
        }
    };
    int smask = cut(r.src), dmask = cut(r.dst);
    if (has_ports(r.proto)) {
        map(r.sport);
        map(r.dport);
    }
    r.add_extra("src_mask", static_cast<uint64_t>(smask));
    r.add_extra("dst_mask", static_cast<uint64_t>(dmask));
    return r;
}

} // namespace nft
