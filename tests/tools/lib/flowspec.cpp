#include "flowspec.hpp"

#include "flow.hpp"
#include "packet.hpp"
#include "text.hpp"

#include <cctype>
#include <optional>

namespace nft {

namespace {

struct ProtoWord {
    const char* word;
    uint8_t proto;
    bool v6;
};
constexpr ProtoWord kProtos[] = {
    {"udp", PROTO_UDP, false},  {"tcp", PROTO_TCP, false},  {"icmp", PROTO_ICMP, false},
    {"udp6", PROTO_UDP, true},  {"tcp6", PROTO_TCP, true},  {"icmp6", PROTO_ICMPV6, true},
};

const ProtoWord* find_proto(const std::string& s)
{
    for (const auto& p : kProtos)
        if (s == p.word)
            return &p;
    return nullptr;
}

// Option bytes: hex digits, a multiple of 4 bytes, at most 40; nullopt if not.
std::optional<std::vector<uint8_t>> parse_opt_bytes(const std::string& s)
{
    std::string h = s.rfind("0x", 0) == 0 ? s.substr(2) : s;
    if (h.empty() || h.size() % 8 || h.size() > 80)
        return std::nullopt;
    std::vector<uint8_t> out;
    for (size_t i = 0; i < h.size(); i += 2) {
        auto v = parse_uint("0x" + h.substr(i, 2), 255);
        if (!v || !std::isxdigit(static_cast<unsigned char>(h[i])) ||
            !std::isxdigit(static_cast<unsigned char>(h[i + 1])))
            return std::nullopt;
        out.push_back(static_cast<uint8_t>(*v));
    }
    return out;
}

std::string join(const std::vector<std::string>& t)
{
    std::string s;
    for (const auto& x : t)
        s += (s.empty() ? "" : " ") + x;
    return s;
}

} // namespace

bool is_proto_keyword(const std::string& s) { return find_proto(s) != nullptr; }

size_t FlowSpec::header_bytes() const
{
    size_t ip = is_v6() ? IPV6_HDR + 8 * ext_hdrs.size() : IPV4_HDR + ip_opts.size();
    switch (proto) {
    case PROTO_TCP: return ip + TCP_HDR + tcp_opts.size();
    case PROTO_UDP: return ip + UDP_HDR;
    default: return ip + ICMP_HDR;
    }
}

uint64_t FlowSpec::bytes_per_flow() const
{
    return uint64_t{count} * (header_bytes() + size) + (uint64_t{syn} + fin) * header_bytes();
}

uint8_t FlowSpec::tcpflags_union() const
{
    if (proto != PROTO_TCP)
        return 0;
    uint8_t f = count ? data_flags : 0;
    if (syn)
        f |= tcpflag::SYN;
    if (fin)
        f |= tcpflag::FIN | tcpflag::ACK;
    return f;
}

FlowSpec parse_flow_spec(const std::vector<std::string>& tokens)
{
    FlowSpec s;
    s.text = join(tokens);
    auto fail = [&](const std::string& why) -> SpecError {
        return SpecError("flow spec '" + s.text + "': " + why);
    };
    if (tokens.empty())
        throw SpecError("empty flow spec");
    const ProtoWord* pw = find_proto(tokens[0]);
    if (!pw)
        throw fail("unknown protocol '" + tokens[0] + "' (expected udp, tcp, icmp, udp6, tcp6, icmp6)");
    s.proto = pw->proto;
    const bool icmp = is_icmp_proto(s.proto);
    if (tokens.size() < 2)
        throw fail("missing destination");
    auto ep = Endpoint::parse(tokens[1], icmp);
    if (!ep)
        throw fail(icmp ? "bad destination address '" + tokens[1] + "'"
                        : "bad destination '" + tokens[1] + "' (expected ADDR:PORT or [V6]:PORT)");
    if (icmp && ep->port)
        throw fail("icmp destination takes no port");
    if (ep->addr.is_v6() != pw->v6)
        throw fail(std::string("destination is ") + (ep->addr.is_v6() ? "IPv6" : "IPv4") +
                   " but protocol is " + pw->word);
    if (!icmp && ep->port == 0)
        throw fail("destination port 0");
    if (ep->addr.is_unspecified())
        throw fail("unspecified destination address");
    s.dst = ep->addr;
    s.dport = ep->port;
    s.icmp_type = s.proto == PROTO_ICMP ? 8 : 128;

    bool count_given = false;
    for (size_t i = 2; i < tokens.size(); ++i) {
        const std::string& t = tokens[i];
        size_t eq = t.find('=');
        std::string key = t.substr(0, eq);
        std::string val = eq == std::string::npos ? "" : t.substr(eq + 1);
        bool has_val = eq != std::string::npos;
        auto need_val = [&] {
            if (!has_val || val.empty())
                throw fail("'" + key + "' needs a value");
        };
        auto number = [&](uint64_t max) {
            need_val();
            auto v = parse_uint(val, max);
            if (!v)
                throw fail("bad " + key + " '" + val + "' (expected 0.." + std::to_string(max) + ")");
            return *v;
        };
        auto only = [&](bool ok, const char* what) {
            if (!ok)
                throw fail("'" + key + "' is only valid for " + what);
        };
        if (key == "count") {
            s.count = static_cast<uint32_t>(number(10'000'000));
            count_given = true;
        } else if (key == "size") {
            s.size = static_cast<uint32_t>(number(65535));
        } else if (key == "sport" || key == "ports") {
            only(!icmp, "udp and tcp");
            need_val();
            auto r = parse_range(val, 65535);
            if (!r || r->first == 0)
                throw fail("bad " + key + " '" + val + "' (expected N or A-B within 1..65535)");
            s.sports = std::make_pair(static_cast<uint16_t>(r->first), static_cast<uint16_t>(r->second));
        } else if (key == "src") {
            need_val();
            auto a = IpAddr::parse(val);
            if (!a)
                throw fail("bad source address '" + val + "'");
            if (a->family() != s.dst.family())
                throw fail("source and destination address families differ");
            s.src = *a;
        } else if (key == "tos") {
            s.tos = static_cast<uint8_t>(number(255));
        } else if (key == "ttl") {
            s.ttl = static_cast<uint8_t>(number(255));
            if (s.ttl == 0)
                throw fail("ttl must be at least 1");
        } else if (key == "syn" || key == "fin") {
            only(s.proto == PROTO_TCP, "tcp");
            if (has_val)
                throw fail("'" + key + "' takes no value");
            (key == "syn" ? s.syn : s.fin) = true;
        } else if (key == "flags") {
            only(s.proto == PROTO_TCP, "tcp");
            s.data_flags = static_cast<uint8_t>(number(255));
        } else if (key == "flowlabel") {
            only(s.is_v6() && s.proto != PROTO_UDP, "tcp6 and icmp6");
            s.flow_label = static_cast<uint32_t>(number(0xfffff));
        } else if (key == "exthdr") {
            only(s.is_v6() && s.proto != PROTO_UDP, "tcp6 and icmp6");
            need_val();
            s.ext_hdrs.clear();
            size_t a = 0;
            for (;;) {
                size_t c = val.find(',', a);
                std::string h = val.substr(a, c == std::string::npos ? c : c - a);
                if (h == "hbh")
                    s.ext_hdrs.push_back(0);
                else if (h == "dst")
                    s.ext_hdrs.push_back(60);
                else
                    throw fail("bad exthdr '" + h + "' (expected hbh or dst, comma separated)");
                if (c == std::string::npos)
                    break;
                a = c + 1;
            }
            if (s.ext_hdrs.size() > 4)
                throw fail("exthdr: at most 4 headers");
        } else if (key == "tcpopts" || key == "ipopts") {
            const bool tcp = key == "tcpopts";
            only(tcp ? s.proto == PROTO_TCP : !s.is_v6() && s.proto != PROTO_ICMPV6,
                 tcp ? "tcp and tcp6" : "udp, tcp and icmp (IPv4)");
            need_val();
            auto b = parse_opt_bytes(val);
            if (!b)
                throw fail("bad " + key + " '" + val +
                           "' (expected hex bytes, a multiple of 4, at most 40)");
            (tcp ? s.tcp_opts : s.ip_opts) = *b;
        } else if (key == "type") {
            only(icmp, "icmp");
            s.icmp_type = static_cast<uint8_t>(number(255));
        } else if (key == "code") {
            only(icmp, "icmp");
            s.icmp_code = static_cast<uint8_t>(number(255));
        } else if (key == "id") {
            only(icmp, "icmp");
            s.icmp_id = static_cast<uint16_t>(number(65535));
        } else {
            throw fail("unknown option '" + t + "'");
        }
    }
    if (s.count == 0 && !(s.syn || s.fin))
        throw fail(count_given ? "count=0 sends nothing (tcp allows it with syn or fin)"
                               : "nothing to send");
    size_t max_payload = s.is_v6() ? 65535 - (s.header_bytes() - IPV6_HDR)
                                   : 65535 - s.header_bytes();
    if (s.size > max_payload)
        throw fail("size=" + std::to_string(s.size) + " exceeds the maximum " +
                   std::to_string(max_payload) + " for this protocol");
    return s;
}

std::vector<FlowSpec> parse_flow_specs(const std::vector<std::string>& tokens)
{
    std::vector<FlowSpec> out;
    std::vector<std::string> cur;
    for (const auto& t : tokens) {
        if (is_proto_keyword(t) && !cur.empty()) {
            out.push_back(parse_flow_spec(cur));
            cur.clear();
        }
        if (cur.empty() && !is_proto_keyword(t)) {
            if (t.find('=') == std::string::npos && t.find(':') == std::string::npos &&
                t.find('.') == std::string::npos)
                throw SpecError("unknown protocol '" + t + "' (expected udp, tcp, icmp, udp6, tcp6, icmp6)");
            throw SpecError("flow spec must start with a protocol (udp, tcp, icmp, udp6, tcp6, "
                            "icmp6), got '" + t + "'");
        }
        cur.push_back(t);
    }
    if (!cur.empty())
        out.push_back(parse_flow_spec(cur));
    return out;
}

std::vector<FlowSpec> parse_flow_spec_stream(std::istream& in)
{
    std::vector<std::string> tokens;
    std::string line;
    while (std::getline(in, line)) {
        auto hash = line.find('#');
        if (hash != std::string::npos)
            line.resize(hash);
        for (auto& t : split_ws(line))
            tokens.push_back(std::move(t));
    }
    return parse_flow_specs(tokens);
}

} // namespace nft
