#include "adapters.hpp"

#include "text.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

namespace nft {

const char kTsharkFieldsArgs[] =
    "-d udp.port==2055,cflow -T fields -E header=y -E separator=/t -E occurrence=a "
    "-E aggregator=, -e frame.number -e cflow.version -e cflow.srcaddr -e cflow.srcaddrv6 "
    "-e cflow.dstaddr -e cflow.dstaddrv6 -e cflow.srcport -e cflow.dstport -e cflow.protocol "
    "-e cflow.packets -e cflow.octets -e cflow.tcpflags -e cflow.icmp_type_code_ipv4 "
    "-e cflow.icmp_ipv4_type -e cflow.icmp_ipv4_code -e cflow.icmp_ipv6_type -e cflow.icmp_ipv6_code";
const char kTsharkPdmlArgs[] = "-d udp.port==2055,cflow -T pdml -Y cflow";

std::optional<InputFormat> parse_input_format(const std::string& name)
{
    if (name == "truth")
        return InputFormat::Truth;
    if (name == "nfdump-csv")
        return InputFormat::NfdumpCsv;
    if (name == "tshark")
        return InputFormat::Tshark;
    if (name == "tshark-pdml")
        return InputFormat::TsharkPdml;
    return std::nullopt;
}

std::optional<uint8_t> protocol_from_name(const std::string& name)
{
    if (auto n = parse_uint(name, 255))
        return static_cast<uint8_t>(*n);
    static const std::map<std::string, uint8_t> names = {
        {"HOPOPT", 0}, {"ICMP", 1}, {"IGMP", 2}, {"GGP", 3}, {"IPIP", 4}, {"IPv4", 4},
        {"TCP", 6},    {"EGP", 8},  {"IGP", 9},  {"UDP", 17}, {"IPv6", 41}, {"RSVP", 46},
        {"GRE", 47},   {"ESP", 50}, {"AH", 51},  {"ICMP6", 58}, {"IPV6-ICMP", 58},
        {"OSPF", 89},  {"PIM", 103}, {"VRRP", 112}, {"L2TP", 115}, {"SCTP", 132},
        {"UDPLite", 136}, {"MPLS", 137},
    };
    std::string trimmed(trim(name));
    auto it = names.find(trimmed);
    if (it != names.end())
        return it->second;
    for (const auto& [k, v] : names) // case-insensitive fallback
        if (std::equal(k.begin(), k.end(), trimmed.begin(), trimmed.end(),
                       [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) ==
                                                   std::toupper(static_cast<unsigned char>(b)); }))
            return v;
    return std::nullopt;
}

std::optional<uint8_t> tcpflags_from_string(const std::string& s)
{
    if (starts_with(s, "0x"))
        if (auto v = parse_uint(s, 0xffff))
            return static_cast<uint8_t>(*v);
    uint8_t f = 0;
    for (char c : s) {
        switch (c) {
        case 'C': f |= 0x80; break;
        case 'E': f |= 0x40; break;
        case 'U': f |= 0x20; break;
        case 'A': f |= 0x10; break;
        case 'P': f |= 0x08; break;
        case 'R': f |= 0x04; break;
        case 'S': f |= 0x02; break;
        case 'F': f |= 0x01; break;
        case '.': break;
        default: return std::nullopt;
        }
    }
    return f;
}

namespace {

[[noreturn]] void bad(size_t line, const std::string& why)
{
    throw std::invalid_argument("line " + std::to_string(line) + ": " + why);
}

void set_icmp_from_dport(FlowRecord& r)
{
    if (is_icmp_proto(r.proto)) {
        r.icmp_type = static_cast<uint8_t>(r.dport >> 8);
        r.icmp_code = static_cast<uint8_t>(r.dport);
    }
}

// nfdump 1.7.1 `-o csv` columns, used when the input has no header (-q).
const char kNfdumpDefaultHeader[] =
    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,"
    "nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,"
    "mpls10,cl,sl,al,ra,eng,exid,tr";

} // namespace

std::vector<FlowRecord> parse_nfdump_csv(std::istream& in)
{
    std::vector<FlowRecord> out;
    std::map<std::string, size_t> col;
    auto set_header = [&](std::string_view h) {
        col.clear();
        auto names = split(h, ',');
        for (size_t i = 0; i < names.size(); ++i)
            col[std::string(trim(names[i]))] = i;
    };
    std::string line;
    size_t n = 0;
    bool have_header = false;
    while (std::getline(in, line)) {
        ++n;
        std::string_view l = trim(line);
        if (l.empty() || l == "Summary" || starts_with(l, "No matching flows"))
            break; // records end here; the summary block follows
        if (starts_with(l, "ts,")) {
            set_header(l);
            have_header = true;
            for (const char* req : {"sa", "da", "sp", "dp", "pr", "ipkt", "ibyt"})
                if (!col.count(req))
                    bad(n, std::string("nfdump csv header lacks column '") + req + "'");
            continue;
        }
        if (!have_header) {
            set_header(kNfdumpDefaultHeader);
            have_header = true;
        }
        auto cells = split(l, ',');
        if (cells.size() != col.size())
            bad(n, "expected " + std::to_string(col.size()) + " columns, got " + std::to_string(cells.size()));
        auto cell = [&](const char* name) -> std::string {
            auto it = col.find(name);
            return it == col.end() ? std::string() : std::string(trim(cells[it->second]));
        };
        auto number = [&](const char* name, uint64_t max) {
            std::string v = cell(name);
            auto x = parse_uint(v, max);
            if (!x)
                bad(n, std::string("bad ") + name + " '" + v + "'");
            return *x;
        };
        FlowRecord r;
        auto sa = IpAddr::parse(cell("sa")), da = IpAddr::parse(cell("da"));
        if (!sa || !da)
            bad(n, "bad address '" + cell("sa") + "' or '" + cell("da") + "'");
        r.src = *sa;
        r.dst = *da;
        auto proto = protocol_from_name(cell("pr"));
        if (!proto)
            bad(n, "unknown protocol '" + cell("pr") + "'");
        r.proto = *proto;
        r.sport = static_cast<uint16_t>(number("sp", 65535));
        std::string dp = cell("dp");
        if (auto dot = dp.find('.'); dot != std::string::npos) { // "type.code" form
            auto t = parse_uint(dp.substr(0, dot), 255), c = parse_uint(dp.substr(dot + 1), 255);
            if (!t || !c)
                bad(n, "bad dp '" + dp + "'");
            r.dport = static_cast<uint16_t>(*t << 8 | *c);
        } else {
            r.dport = static_cast<uint16_t>(number("dp", 65535));
        }
        set_icmp_from_dport(r);
        r.packets = number("ipkt", UINT64_MAX);
        r.bytes = number("ibyt", UINT64_MAX);
        if (col.count("flg")) {
            auto f = tcpflags_from_string(cell("flg"));
            if (!f)
                bad(n, "bad flags '" + cell("flg") + "'");
            r.tcpflags = *f;
        }
        for (auto [key, name] : {std::pair{"ts", "ts"}, {"te", "te"}, {"td", "td"}, {"in", "in_if"},
                                 {"out", "out_if"}, {"stos", "tos"}, {"nh", "nexthop"},
                                 {"ra", "exporter"}, {"eng", "engine"}, {"exid", "exporter_id"}})
            if (col.count(key))
                r.add_extra(name, cell(key));
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<FlowRecord> parse_tshark_fields(std::istream& in)
{
    std::vector<FlowRecord> out;
    std::map<std::string, size_t> col;
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (trim(line).empty())
            continue;
        auto cells = split(line, '\t');
        if (col.empty()) {
            for (size_t i = 0; i < cells.size(); ++i)
                col[std::string(trim(cells[i]))] = i;
            for (const char* req : {"cflow.protocol", "cflow.packets", "cflow.octets", "cflow.srcport",
                                    "cflow.dstport"})
                if (!col.count(req))
                    bad(n, std::string("tshark header lacks column '") + req +
                               "' (run tshark with -E header=y and the documented -e fields)");
            if (!(col.count("cflow.srcaddr") || col.count("cflow.srcaddrv6")))
                bad(n, "tshark header lacks cflow.srcaddr/cflow.srcaddrv6");
            continue;
        }
        if (cells.size() != col.size())
            bad(n, "expected " + std::to_string(col.size()) + " columns, got " + std::to_string(cells.size()));
        auto values = [&](const char* name) {
            std::vector<std::string> v;
            auto it = col.find(name);
            if (it == col.end() || trim(cells[it->second]).empty())
                return v;
            for (auto x : split(cells[it->second], ','))
                v.emplace_back(trim(x));
            return v;
        };
        auto proto = values("cflow.protocol");
        const size_t count = proto.size();
        if (count == 0)
            continue; // a packet with templates only
        std::string frame = col.count("frame.number") ? std::string(trim(cells[col["frame.number"]])) : "?";
        auto fail = [&](const std::string& why) {
            bad(n, "frame " + frame + ": " + why);
        };
        auto column = [&](const char* name, bool required) {
            auto v = values(name);
            if ((required || !v.empty()) && v.size() != count)
                fail(std::string(name) + " has " + std::to_string(v.size()) + " values for " +
                     std::to_string(count) +
                     " records (records of different templates in one packet; use --format tshark-pdml)");
            return v;
        };
        // Address columns: all records of the packet must be of one family.
        auto pick = [&](const char* v4name, const char* v6name) {
            auto a4 = values(v4name), a6 = values(v6name);
            if (!a4.empty() && !a6.empty())
                fail("IPv4 and IPv6 records in one packet; -T fields cannot pair them, use --format tshark-pdml");
            auto& a = a4.empty() ? a6 : a4;
            if (a.size() != count)
                fail(std::string(v4name) + "/v6 has " + std::to_string(a.size()) + " values for " +
                     std::to_string(count) + " records");
            return a;
        };
        auto src = pick("cflow.srcaddr", "cflow.srcaddrv6");
        auto dst = pick("cflow.dstaddr", "cflow.dstaddrv6");
        auto sport = column("cflow.srcport", true), dport = column("cflow.dstport", true);
        auto pkts = column("cflow.packets", true), octs = column("cflow.octets", true);
        auto flags = column("cflow.tcpflags", false);
        auto icmp4 = values("cflow.icmp_type_code_ipv4");
        auto icmp4t = values("cflow.icmp_ipv4_type"), icmp4c = values("cflow.icmp_ipv4_code");
        auto icmp6t = values("cflow.icmp_ipv6_type"), icmp6c = values("cflow.icmp_ipv6_code");
        for (auto* v : {&icmp4, &icmp4t, &icmp4c, &icmp6t, &icmp6c})
            if (!v->empty() && v->size() != count)
                fail("ICMP columns do not cover every record (mixed templates; use --format tshark-pdml)");
        for (size_t i = 0; i < count; ++i) {
            FlowRecord r;
            auto num = [&](const std::string& v, uint64_t max, const char* what) {
                auto x = parse_uint(v, max);
                if (!x)
                    fail(std::string("bad ") + what + " '" + v + "'");
                return *x;
            };
            auto s = IpAddr::parse(src[i]), d = IpAddr::parse(dst[i]);
            if (!s || !d)
                fail("bad address '" + src[i] + "' / '" + dst[i] + "'");
            r.src = *s;
            r.dst = *d;
            r.proto = static_cast<uint8_t>(num(proto[i], 255, "protocol"));
            r.sport = static_cast<uint16_t>(num(sport[i], 65535, "srcport"));
            r.dport = static_cast<uint16_t>(num(dport[i], 65535, "dstport"));
            r.packets = num(pkts[i], UINT64_MAX, "packets");
            r.bytes = num(octs[i], UINT64_MAX, "octets");
            if (!flags.empty())
                r.tcpflags = static_cast<uint8_t>(num(flags[i], 0xffff, "tcpflags"));
            set_icmp_from_dport(r);
            if (is_icmp_proto(r.proto)) {
                if (!icmp4.empty()) {
                    uint64_t tc = num(icmp4[i], 0xffff, "icmp type/code");
                    r.icmp_type = static_cast<uint8_t>(tc >> 8);
                    r.icmp_code = static_cast<uint8_t>(tc);
                }
                if (!icmp4t.empty())
                    r.icmp_type = static_cast<uint8_t>(num(icmp4t[i], 255, "icmp type"));
                if (!icmp4c.empty())
                    r.icmp_code = static_cast<uint8_t>(num(icmp4c[i], 255, "icmp code"));
                if (!icmp6t.empty())
                    r.icmp_type = static_cast<uint8_t>(num(icmp6t[i], 255, "icmpv6 type"));
                if (!icmp6c.empty())
                    r.icmp_code = static_cast<uint8_t>(num(icmp6c[i], 255, "icmpv6 code"));
            }
            r.add_extra("frame", frame);
            out.push_back(std::move(r));
        }
    }
    if (col.empty() && n > 0)
        bad(n, "no tshark header line");
    return out;
}

namespace {

// Value of attribute `name` in one PDML line (entities decoded), or nullopt.
std::optional<std::string> xml_attr(std::string_view line, std::string_view name)
{
    std::string key = " " + std::string(name) + "=\"";
    size_t p = line.find(key);
    if (p == std::string_view::npos)
        return std::nullopt;
    p += key.size();
    size_t e = line.find('"', p);
    if (e == std::string_view::npos)
        return std::nullopt;
    std::string v(line.substr(p, e - p));
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '&') {
            out += v[i];
            continue;
        }
        size_t semi = v.find(';', i);
        std::string ent = semi == std::string::npos ? "" : v.substr(i + 1, semi - i - 1);
        if (ent == "quot") out += '"';
        else if (ent == "amp") out += '&';
        else if (ent == "lt") out += '<';
        else if (ent == "gt") out += '>';
        else if (ent == "apos") out += '\'';
        else { out += '&'; continue; }
        i = semi;
    }
    return out;
}

} // namespace

std::vector<FlowRecord> parse_tshark_pdml(std::istream& in)
{
    std::vector<FlowRecord> out;
    std::string line;
    size_t n = 0;
    int depth = 0;          // <field> nesting inside the current <proto>
    int record_depth = -1;  // depth of the open record wrapper, -1 if none
    std::map<std::string, std::string> fields;
    std::string frame = "?";
    size_t record_line = 0;

    auto finish = [&]() {
        FlowRecord r;
        auto get = [&](const char* k) -> const std::string* {
            auto it = fields.find(k);
            return it == fields.end() ? nullptr : &it->second;
        };
        auto num = [&](const char* k, uint64_t max) -> uint64_t {
            const std::string* v = get(k);
            if (!v)
                return 0;
            auto x = parse_uint(*v, max);
            if (!x)
                bad(record_line, "frame " + frame + ": bad " + k + " '" + *v + "'");
            return *x;
        };
        const std::string* s = get("cflow.srcaddr");
        if (!s)
            s = get("cflow.srcaddrv6");
        const std::string* d = get("cflow.dstaddr");
        if (!d)
            d = get("cflow.dstaddrv6");
        if (!s || !d || !get("cflow.protocol"))
            return; // not a flow record (e.g. an options data record)
        auto sa = IpAddr::parse(*s), da = IpAddr::parse(*d);
        if (!sa || !da)
            bad(record_line, "frame " + frame + ": bad address");
        r.src = *sa;
        r.dst = *da;
        r.proto = static_cast<uint8_t>(num("cflow.protocol", 255));
        r.sport = static_cast<uint16_t>(num("cflow.srcport", 65535));
        r.dport = static_cast<uint16_t>(num("cflow.dstport", 65535));
        r.packets = num("cflow.packets", UINT64_MAX);
        r.bytes = num("cflow.octets", UINT64_MAX);
        r.tcpflags = static_cast<uint8_t>(num("cflow.tcpflags", 0xffff));
        set_icmp_from_dport(r);
        if (is_icmp_proto(r.proto)) {
            if (get("cflow.icmp_type_code_ipv4")) {
                uint64_t tc = num("cflow.icmp_type_code_ipv4", 0xffff);
                r.icmp_type = static_cast<uint8_t>(tc >> 8);
                r.icmp_code = static_cast<uint8_t>(tc);
            }
            for (auto [k, type] : {std::pair{"cflow.icmp_ipv4_type", true}, {"cflow.icmp_ipv4_code", false},
                                   {"cflow.icmp_ipv6_type", true}, {"cflow.icmp_ipv6_code", false}})
                if (get(k))
                    (type ? r.icmp_type : r.icmp_code) = static_cast<uint8_t>(num(k, 255));
        }
        r.add_extra("frame", frame);
        out.push_back(std::move(r));
    };

    while (std::getline(in, line)) {
        ++n;
        std::string_view l = trim(line);
        if (starts_with(l, "<packet>")) {
            depth = 0;
            record_depth = -1;
            frame = "?";
            continue;
        }
        if (starts_with(l, "<proto ") || starts_with(l, "</proto>")) {
            depth = 0;
            continue;
        }
        if (starts_with(l, "</field>")) {
            --depth;
            if (record_depth >= 0 && depth == record_depth) {
                finish();
                record_depth = -1;
            }
            continue;
        }
        if (!starts_with(l, "<field "))
            continue;
        bool self_closing = l.size() >= 2 && l.substr(l.size() - 2) == "/>";
        auto name = xml_attr(l, "name");
        auto show = xml_attr(l, "show");
        if (name && *name == "frame.number" && show)
            frame = *show;
        if (record_depth < 0 && name && name->empty() && show &&
            (starts_with(*show, "Flow ") || starts_with(*show, "pdu ")) && !self_closing) {
            record_depth = depth;
            record_line = n;
            fields.clear();
        } else if (record_depth >= 0 && name && show && starts_with(*name, "cflow.")) {
            fields.emplace(*name, *show); // first occurrence wins
        }
        if (!self_closing)
            ++depth;
    }
    return out;
}

std::vector<FlowRecord> read_flows(std::istream& in, InputFormat fmt)
{
    switch (fmt) {
    case InputFormat::Truth: return read_flow_lines(in);
    case InputFormat::NfdumpCsv: return parse_nfdump_csv(in);
    case InputFormat::Tshark: return parse_tshark_fields(in);
    case InputFormat::TsharkPdml: return parse_tshark_pdml(in);
    }
    return {};
}

} // namespace nft
