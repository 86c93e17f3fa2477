#include "decoder.hpp"

#include "ie.hpp"

#include <algorithm>

namespace nft {

const char* issue_kind_name(Issue::Kind k)
{
    switch (k) {
    case Issue::Kind::Format: return "format";
    case Issue::Kind::Sequence: return "seq";
    case Issue::Kind::NoTemplate: return "no_template";
    case Issue::Kind::Warning: return "warning";
    }
    return "?";
}

size_t DecodeResult::count(Issue::Kind k) const
{
    return static_cast<size_t>(std::count_if(issues.begin(), issues.end(),
                                             [k](const Issue& i) { return i.kind == k; }));
}

KvLine DecoderStats::summary() const
{
    KvLine l;
    l.tag = "summary";
    l.add("pdus", pdus);
    l.add("flows", flows);
    l.add("seq_errors", seq_errors);
    l.add("format_errors", format_errors);
    l.add("templates", templates);
    l.add("options", options);
    l.add("no_template", no_template);
    l.add("warnings", warnings);
    return l;
}

struct Decoder::Ctx {
    Ctx(const uint8_t* d, size_t n, const Endpoint& f, DecodeResult& r, DecoderStats& s)
        : data(d), len(n), from(f), res(r), stats(s)
    {
    }
    const uint8_t* data;
    size_t len;
    Endpoint from;
    DecodeResult& res;
    DecoderStats& stats;
    StreamKey stream{};
    std::vector<KvLine> body; // lines after the pdu line
    size_t sets = 0, template_records = 0, data_records = 0;
    bool records_known = true; // false once a data set could not be decoded

    void issue(Issue::Kind k, std::string msg)
    {
        res.issues.push_back({k, msg});
        KvLine l;
        l.tag = k == Issue::Kind::Format || k == Issue::Kind::Sequence ? "error"
                : k == Issue::Kind::Warning                            ? "warning"
                                                                       : "notice";
        l.add("kind", issue_kind_name(k));
        l.add("version", static_cast<uint64_t>(res.version));
        l.add("exporter", from.str());
        l.add("msg", std::move(msg));
        body.push_back(std::move(l));
        switch (k) {
        case Issue::Kind::Format: ++stats.format_errors; break;
        case Issue::Kind::Sequence: ++stats.seq_errors; break;
        case Issue::Kind::NoTemplate: ++stats.no_template; break;
        case Issue::Kind::Warning: ++stats.warnings; break;
        }
    }
    void format(std::string msg) { issue(Issue::Kind::Format, std::move(msg)); }
};

namespace {

std::string field_list(const std::vector<TemplateField>& fields, size_t from, size_t to)
{
    std::string s;
    for (size_t i = from; i < to; ++i) {
        if (!s.empty())
            s += ',';
        if (fields[i].enterprise)
            s += std::to_string(fields[i].enterprise) + '.';
        s += std::to_string(fields[i].id) + ':';
        s += fields[i].length == IPFIX_VARLEN ? std::string("v") : std::to_string(fields[i].length);
    }
    return s.empty() ? "-" : s;
}

size_t min_record_len(const Template& t)
{
    size_t n = 0;
    for (const auto& f : t.fields)
        n += f.length == IPFIX_VARLEN ? 1 : f.length;
    return n;
}

bool all_zero(const uint8_t* p, size_t n)
{
    return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

std::string format_mac(const uint8_t* p)
{
    std::string s;
    static const char d[] = "0123456789abcdef";
    for (int i = 0; i < 6; ++i) {
        if (i)
            s += ':';
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

// ICMP and ICMPv6 request types and their replies, as conntrack pairs
// them (nf_conntrack_proto_icmp.c, _icmpv6.c); the type itself otherwise.
uint8_t icmp_reply_type(uint8_t proto, uint8_t type)
{
    static const uint8_t v4[][2] = {{8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16}, {16, 15}, {17, 18}, {18, 17}};
    static const uint8_t v6[][2] = {{128, 129}, {129, 128}, {139, 140}, {140, 139}};
    if (proto == PROTO_ICMP) {
        for (const auto& m : v4)
            if (m[0] == type)
                return m[1];
    } else {
        for (const auto& m : v6)
            if (m[0] == type)
                return m[1];
    }
    return type;
}

// The reverse direction of biflow record @f as its packets came in (see
// DecoderOptions::split_biflows); @f has rev_packets.
FlowRecord reverse_of(const FlowRecord& f)
{
    auto extra = [&f](const char* k) -> const std::string* { return f.get_extra(k); };
    auto addr = [&](const char* k, const IpAddr& dflt) {
        const std::string* v = extra(k);
        auto a = v ? IpAddr::parse(*v) : std::nullopt;
        return a ? *a : dflt;
    };
    auto num = [&](const char* k, uint64_t dflt) {
        const std::string* v = extra(k);
        return v ? std::stoull(*v) : dflt;
    };
    const bool nat = extra("post_nat_src") || extra("post_nat_dst");
    const bool napt = extra("post_napt_sport") || extra("post_napt_dport");
    FlowRecord r;
    r.proto = f.proto;
    r.src = addr("post_nat_dst", f.dst);
    r.dst = addr("post_nat_src", f.src);
    r.packets = num("rev_packets", 0);
    r.bytes = num("rev_bytes", 0);
    if (is_icmp_proto(f.proto)) {
        r.icmp_type = icmp_reply_type(f.proto, f.icmp_type);
        r.icmp_code = f.icmp_code;
        r.sport = static_cast<uint16_t>(num("post_napt_sport", f.sport)); // the echo id
        r.dport = static_cast<uint16_t>(r.icmp_type << 8 | r.icmp_code);
    } else {
        r.sport = static_cast<uint16_t>(num("post_napt_dport", f.dport));
        r.dport = static_cast<uint16_t>(num("post_napt_sport", f.sport));
    }
    for (const char* k : {"ver", "exporter", "domain", "template"})
        if (const std::string* v = extra(k))
            r.add_extra(k, *v);
    r.add_extra("biflow", "reverse");
    if (nat) {
        r.add_extra("post_nat_src", f.dst.str());
        r.add_extra("post_nat_dst", f.src.str());
    }
    if (napt && !is_icmp_proto(f.proto)) {
        r.add_extra("post_napt_sport", f.dport);
        r.add_extra("post_napt_dport", f.sport);
    }
    if (const std::string* v = extra("rev_start_ms"))
        r.add_extra("start_ms", *v);
    if (const std::string* v = extra("rev_end_ms"))
        r.add_extra("end_ms", *v);
    if (const std::string* v = extra("end_reason"))
        r.add_extra("end_reason", *v);
    if (const std::string* v = extra("biflow_dir")) {
        // RFC 5103 6.3: initiator 1 and reverseInitiator 2 trade places
        uint64_t d = std::stoull(*v);
        r.add_extra("biflow_dir", d == 1 ? 2 : d == 2 ? 1 : d);
    }
    return r;
}

uint64_t be_uint(const uint8_t* p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return v;
}

// Formats one field value for output. Returns nullopt (after reporting) when
// the length does not fit the element's type.
std::optional<std::string> format_value(const IeInfo* info, const uint8_t* p,
                                        size_t n, std::string& err)
{
    IeKind kind = info ? info->kind : IeKind::Octets;
    switch (kind) {
    case IeKind::Unsigned:
        if (n < 1 || n > 8) {
            err = "unsigned field of length " + std::to_string(n);
            return std::nullopt;
        }
        return std::to_string(be_uint(p, n));
    case IeKind::Ipv4:
        if (n != 4) {
            err = "IPv4 address field of length " + std::to_string(n);
            return std::nullopt;
        }
        return IpAddr::v4_bytes(p).str();
    case IeKind::Ipv6:
        if (n != 16) {
            err = "IPv6 address field of length " + std::to_string(n);
            return std::nullopt;
        }
        return IpAddr::v6_bytes(p).str();
    case IeKind::Mac:
        if (n != 6) {
            err = "MAC address field of length " + std::to_string(n);
            return std::nullopt;
        }
        return format_mac(p);
    case IeKind::String: {
        std::string s(reinterpret_cast<const char*>(p), n);
        s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
        return s;
    }
    case IeKind::Octets: return hex_bytes(p, n);
    }
    return std::nullopt;
}

} // namespace

void Decoder::check_seq(Ctx& c, const StreamKey& k, uint32_t seq)
{
    auto it = next_seq_.find(k);
    if (it == next_seq_.end()) {
        if (opts_.first_seq && seq != *opts_.first_seq)
            c.issue(Issue::Kind::Sequence, "first sequence " + std::to_string(seq) + ", expected " +
                                               std::to_string(*opts_.first_seq));
        return;
    }
    if (it->second && *it->second != seq) {
        int64_t delta = static_cast<int32_t>(seq - *it->second);
        c.issue(Issue::Kind::Sequence,
                "sequence " + std::to_string(seq) + ", expected " + std::to_string(*it->second) +
                    (delta > 0 ? " (" + std::to_string(delta) + " missing)"
                               : " (" + std::to_string(-delta) + " behind: duplicate or reordered)"));
    }
}

void Decoder::set_next_seq(const StreamKey& k, std::optional<uint32_t> next) { next_seq_[k] = next; }

DecodeResult Decoder::decode(const uint8_t* data, size_t len, const Endpoint& from)
{
    DecodeResult res;
    Ctx c(data, len, from, res, stats_);
    ++stats_.pdus;
    res.pdu.tag = "pdu";
    if (len < 2) {
        res.pdu.add("version", "none");
        res.pdu.add("exporter", from.str());
        res.pdu.add("length", len);
        c.format("datagram of " + std::to_string(len) + " bytes has no version field");
    } else {
        res.version = (data[0] << 8) | data[1];
        try {
            switch (res.version) {
            case 5: decode_v5(c); break;
            case 9: decode_v9(c); break;
            case 10: decode_ipfix(c); break;
            default:
                res.pdu.add("version", static_cast<uint64_t>(res.version));
                res.pdu.add("exporter", from.str());
                res.pdu.add("length", len);
                c.format("unsupported version " + std::to_string(res.version));
            }
        } catch (const DecodeError& e) {
            c.format(e.what());
        }
    }
    res.lines.push_back(res.pdu);
    for (auto& l : c.body)
        res.lines.push_back(std::move(l));
    return res;
}

// ---------------------------------------------------------------- v5

void Decoder::decode_v5(Ctx& c)
{
    ByteReader r(c.data, c.len);
    auto& pdu = c.res.pdu;
    pdu.add("version", 5);
    pdu.add("exporter", c.from.str());
    if (c.len < V5_HEADER_LEN) {
        pdu.add("length", c.len);
        c.format("v5: datagram of " + std::to_string(c.len) + " bytes is shorter than the 24-byte header");
        return;
    }
    r.u16();
    uint16_t count = r.u16();
    uint32_t uptime = r.u32(), secs = r.u32(), nsecs = r.u32(), seq = r.u32();
    uint8_t etype = r.u8(), eid = r.u8();
    uint16_t sampling = r.u16();
    pdu.add("count", count);
    pdu.add("length", c.len);
    pdu.add("seq", seq);
    pdu.add("uptime", uptime);
    pdu.add("unix_secs", secs);
    pdu.add("unix_nsecs", nsecs);
    pdu.add("engine_type", etype);
    pdu.add("engine_id", eid);
    pdu.add("sampling", sampling);

    StreamKey key{c.from.addr, 5, static_cast<uint32_t>(etype << 8 | eid)};
    check_seq(c, key, seq);

    bool ok = true;
    if (count == 0) {
        c.format("v5: count is 0");
        ok = false;
    }
    if (count > V5_MAX_RECORDS) {
        c.format("v5: count " + std::to_string(count) + " exceeds 30");
        ok = false;
    }
    size_t expect = V5_HEADER_LEN + V5_RECORD_LEN * size_t{count};
    if (c.len != expect) {
        c.format("v5: length " + std::to_string(c.len) + " != 24 + 48*count = " + std::to_string(expect));
        ok = false;
    }
    if (nsecs >= 1'000'000'000)
        c.format("v5: unix_nsecs " + std::to_string(nsecs) + " >= 1e9");
    set_next_seq(key, ok ? std::optional<uint32_t>(seq + count) : std::nullopt);

    size_t n = std::min<size_t>(count, (c.len - V5_HEADER_LEN) / V5_RECORD_LEN);
    for (size_t i = 0; i < n; ++i) {
        FlowRecord f;
        f.src = IpAddr::v4_bytes(r.take(4));
        f.dst = IpAddr::v4_bytes(r.take(4));
        IpAddr nexthop = IpAddr::v4_bytes(r.take(4));
        uint16_t in_if = r.u16(), out_if = r.u16();
        f.packets = r.u32();
        f.bytes = r.u32();
        uint32_t first = r.u32(), last = r.u32();
        f.sport = r.u16();
        f.dport = r.u16();
        uint8_t pad1 = r.u8();
        f.tcpflags = r.u8();
        f.proto = r.u8();
        uint8_t tos = r.u8();
        uint16_t src_as = r.u16(), dst_as = r.u16();
        uint8_t src_mask = r.u8(), dst_mask = r.u8();
        uint16_t pad2 = r.u16();
        if (is_icmp_proto(f.proto)) {
            f.icmp_type = static_cast<uint8_t>(f.dport >> 8);
            f.icmp_code = static_cast<uint8_t>(f.dport);
        }
        f.add_extra("ver", 5);
        f.add_extra("exporter", c.from.str());
        f.add_extra("engine_type", etype);
        f.add_extra("engine_id", eid);
        f.add_extra("first", first);
        f.add_extra("last", last);
        f.add_extra("nexthop", nexthop.str());
        f.add_extra("in_if", in_if);
        f.add_extra("out_if", out_if);
        f.add_extra("tos", tos);
        f.add_extra("src_as", src_as);
        f.add_extra("dst_as", dst_as);
        f.add_extra("src_mask", src_mask);
        f.add_extra("dst_mask", dst_mask);
        std::string rec = "v5: record " + std::to_string(i) + ": ";
        if (pad1 || pad2)
            c.format(rec + "non-zero padding (pad1=" + std::to_string(pad1) +
                     " pad2=" + std::to_string(pad2) + ")");
        if (f.packets == 0)
            c.format(rec + "zero packets");
        if (f.bytes < f.packets)
            c.format(rec + "fewer bytes than packets");
        if (first > last)
            c.issue(Issue::Kind::Warning, rec + "first " + std::to_string(first) + " > last " +
                                              std::to_string(last));
        if (last > uptime)
            c.issue(Issue::Kind::Warning, rec + "last " + std::to_string(last) + " > uptime " +
                                              std::to_string(uptime));
        ++stats_.flows;
        c.body.push_back(f.to_kv());
        c.res.flows.push_back(std::move(f));
    }
}

// ---------------------------------------------------------------- v9 / IPFIX

void Decoder::decode_v9(Ctx& c)
{
    ByteReader r(c.data, c.len);
    auto& pdu = c.res.pdu;
    pdu.add("version", 9);
    pdu.add("exporter", c.from.str());
    if (c.len < V9_HEADER_LEN) {
        pdu.add("length", c.len);
        c.format("v9: datagram of " + std::to_string(c.len) + " bytes is shorter than the 20-byte header");
        return;
    }
    r.u16();
    uint16_t count = r.u16();
    uint32_t uptime = r.u32(), secs = r.u32(), seq = r.u32(), source_id = r.u32();
    c.stream = StreamKey{c.from.addr, 9, source_id};
    check_seq(c, c.stream, seq);
    set_next_seq(c.stream, seq + 1);
    ByteReader sets = r.sub(r.remaining());
    decode_sets(c, sets);

    pdu.add("count", count);
    pdu.add("length", c.len);
    pdu.add("seq", seq);
    pdu.add("uptime", uptime);
    pdu.add("unix_secs", secs);
    pdu.add("source_id", source_id);
    pdu.add("sets", c.sets);
    pdu.add("template_records", c.template_records);
    pdu.add("data_records", c.data_records);
    if (c.records_known && count != c.template_records + c.data_records)
        c.format("v9: header count " + std::to_string(count) + " != records in packet " +
                 std::to_string(c.template_records + c.data_records));
}

void Decoder::decode_ipfix(Ctx& c)
{
    ByteReader r(c.data, c.len);
    auto& pdu = c.res.pdu;
    pdu.add("version", 10);
    pdu.add("exporter", c.from.str());
    if (c.len < IPFIX_HEADER_LEN) {
        pdu.add("length", c.len);
        c.format("ipfix: datagram of " + std::to_string(c.len) +
                 " bytes is shorter than the 16-byte header");
        return;
    }
    r.u16();
    uint16_t length = r.u16();
    uint32_t export_time = r.u32(), seq = r.u32(), domain = r.u32();
    c.stream = StreamKey{c.from.addr, 10, domain};
    check_seq(c, c.stream, seq);
    if (length != c.len)
        c.format("ipfix: header length " + std::to_string(length) + " != datagram length " +
                 std::to_string(c.len));
    size_t body_len = std::min<size_t>(std::max<size_t>(length, IPFIX_HEADER_LEN), c.len) - IPFIX_HEADER_LEN;
    ByteReader sets = r.sub(body_len);
    decode_sets(c, sets);
    set_next_seq(c.stream, c.records_known ? std::optional<uint32_t>(seq + static_cast<uint32_t>(c.data_records))
                                           : std::nullopt);
    pdu.add("length", length);
    pdu.add("export_time", export_time);
    pdu.add("seq", seq);
    pdu.add("domain", domain);
    pdu.add("sets", c.sets);
    pdu.add("template_records", c.template_records);
    pdu.add("data_records", c.data_records);
}

void Decoder::decode_sets(Ctx& c, ByteReader& r)
{
    const bool v9 = c.res.version == 9;
    const char* ver = v9 ? "v9: " : "ipfix: ";
    while (!r.empty()) {
        size_t at = r.pos() + (v9 ? V9_HEADER_LEN : IPFIX_HEADER_LEN); // offset in datagram
        std::string where = std::string(ver) + "set at offset " + std::to_string(at) + ": ";
        if (r.remaining() < SET_HEADER_LEN) {
            c.format(where + std::to_string(r.remaining()) + " trailing bytes after the last set");
            c.records_known = false;
            return;
        }
        uint16_t id = r.u16(), slen = r.u16();
        if (slen < SET_HEADER_LEN || slen - SET_HEADER_LEN > r.remaining()) {
            c.format(where + "id " + std::to_string(id) + " length " + std::to_string(slen) +
                     (slen < SET_HEADER_LEN ? " is shorter than its header"
                                            : " overruns the packet (" +
                                                  std::to_string(r.remaining() + SET_HEADER_LEN) +
                                                  " bytes left)"));
            c.records_known = false;
            return;
        }
        ++c.sets;
        ByteReader body = r.sub(slen - SET_HEADER_LEN);
        bool tmpl = v9 ? id <= V9_OPTIONS_TEMPLATE_SET
                       : (id == IPFIX_TEMPLATE_SET || id == IPFIX_OPTIONS_TEMPLATE_SET);
        try {
            if (tmpl) {
                parse_templates(c, body, id);
            } else if (id >= MIN_DATA_SET_ID) {
                parse_data(c, body, id);
            } else {
                c.format(where + "reserved set id " + std::to_string(id));
                c.records_known = false;
            }
        } catch (const DecodeError& e) {
            c.format(where + "id " + std::to_string(id) + ": " + e.what());
            c.records_known = false;
        }
        if (v9 && slen % 4)
            c.issue(Issue::Kind::Warning, where + "length " + std::to_string(slen) +
                                              " is not a multiple of 4 (RFC 3954 SHOULD pad)");
    }
}

void Decoder::parse_templates(Ctx& c, ByteReader& body, uint16_t set_id)
{
    const bool v9 = c.res.version == 9;
    const bool options = set_id == (v9 ? V9_OPTIONS_TEMPLATE_SET : IPFIX_OPTIONS_TEMPLATE_SET);
    const std::string ver = v9 ? "v9: " : "ipfix: ";
    const size_t min_rec = options && v9 ? 6 : 4;
    while (body.remaining() >= min_rec) {
        Template t;
        t.options = options;
        t.id = body.u16();
        std::string what = ver + (options ? "options template " : "template ") + std::to_string(t.id);
        size_t nfields = 0;
        if (options && v9) {
            uint16_t scope_len = body.u16(), opt_len = body.u16();
            if (scope_len % 4 || opt_len % 4)
                throw DecodeError(what + ": scope length " + std::to_string(scope_len) +
                                  " / option length " + std::to_string(opt_len) +
                                  " not a multiple of 4");
            t.scope_count = static_cast<uint16_t>(scope_len / 4);
            nfields = size_t{t.scope_count} + opt_len / 4;
            if (t.scope_count == 0)
                c.format(what + ": no scope fields");
        } else {
            nfields = body.u16();
            if (nfields == 0) {
                if (v9)
                    throw DecodeError(what + ": field count 0");
                // IPFIX template withdrawal (RFC 7011 8.1)
                KvLine l;
                l.tag = options ? "options_template" : "template";
                l.add("version", 10);
                l.add("exporter", c.from.str());
                l.add("domain", c.stream.domain);
                l.add("id", t.id);
                l.add("withdrawn", 1);
                ++c.template_records;
                ++stats_.templates;
                if (t.id == set_id) { // all (options) templates of the domain
                    for (auto it = templates_.begin(); it != templates_.end();)
                        it = it->first.stream.exporter == c.stream.exporter &&
                                     it->first.stream.version == 10 &&
                                     it->first.stream.domain == c.stream.domain &&
                                     it->second.options == options
                                 ? templates_.erase(it)
                                 : std::next(it);
                } else if (t.id < MIN_DATA_SET_ID) {
                    c.format(what + ": withdrawal of reserved id");
                } else if (!templates_.erase({c.stream, t.id})) {
                    c.issue(Issue::Kind::Warning, what + ": withdrawal of unknown template");
                }
                c.res.templates.push_back(l);
                c.body.push_back(std::move(l));
                continue;
            }
            if (options) {
                t.scope_count = body.u16();
                if (t.scope_count == 0 || t.scope_count > nfields)
                    c.format(what + ": scope field count " + std::to_string(t.scope_count) +
                             " of " + std::to_string(nfields) + " fields");
            }
        }
        if (t.id < MIN_DATA_SET_ID)
            throw DecodeError(what + ": id below 256");
        for (size_t i = 0; i < nfields; ++i) {
            TemplateField f;
            f.id = body.u16();
            f.length = body.u16();
            if (!v9 && (f.id & 0x8000)) {
                f.id &= 0x7fff;
                f.enterprise = body.u32();
            }
            if (f.length == 0)
                c.format(what + ": field " + std::to_string(f.id) + " has length 0");
            if (v9 && f.length == IPFIX_VARLEN)
                c.format(what + ": v9 has no variable-length fields (field " +
                         std::to_string(f.id) + ")");
            t.fields.push_back(f);
        }
        ++c.template_records;
        ++stats_.templates;
        KvLine l;
        l.tag = options ? "options_template" : "template";
        l.add("version", static_cast<uint64_t>(c.res.version));
        l.add("exporter", c.from.str());
        l.add("domain", c.stream.domain);
        l.add("id", t.id);
        if (options)
            l.add("scope", field_list(t.fields, 0, t.scope_count));
        l.add("fields", field_list(t.fields, t.scope_count, t.fields.size()));
        l.add("record_len", min_record_len(t));
        c.res.templates.push_back(l);
        c.body.push_back(std::move(l));
        templates_[{c.stream, t.id}] = std::move(t);
    }
    if (!body.empty()) {
        size_t pad = body.remaining();
        if (!all_zero(body.take(pad), pad))
            c.format(ver + "template set " + std::to_string(set_id) + ": non-zero padding");
    }
}

void Decoder::parse_data(Ctx& c, ByteReader& body, uint16_t set_id)
{
    const bool v9 = c.res.version == 9;
    const std::string ver = v9 ? "v9: " : "ipfix: ";
    auto it = templates_.find({c.stream, set_id});
    if (it == templates_.end()) {
        c.issue(Issue::Kind::NoTemplate, ver + "data set " + std::to_string(set_id) + " (" +
                                             std::to_string(body.size()) +
                                             " bytes) for an unknown template");
        c.records_known = false;
        return;
    }
    const Template& t = it->second;
    const size_t min_len = min_record_len(t);
    if (min_len == 0)
        throw DecodeError("template " + std::to_string(set_id) + " has zero record length");
    size_t index = 0;
    while (body.remaining() >= min_len) {
        std::string rec = ver + "set " + std::to_string(set_id) + " record " + std::to_string(index++) + ": ";
        FlowRecord f;
        KvLine opt;
        opt.tag = "option";
        opt.add("version", static_cast<uint64_t>(c.res.version));
        opt.add("exporter", c.from.str());
        opt.add("domain", c.stream.domain);
        opt.add("template", set_id);
        f.add_extra("ver", static_cast<uint64_t>(c.res.version));
        f.add_extra("exporter", c.from.str());
        f.add_extra("domain", c.stream.domain);
        f.add_extra("template", set_id);
        bool have_icmp = false, have_first = false, have_last = false;
        uint64_t first = 0, last = 0;
        for (size_t i = 0; i < t.fields.size(); ++i) {
            const TemplateField& fld = t.fields[i];
            size_t n = fld.length;
            if (n == IPFIX_VARLEN) {
                n = body.u8();
                if (n == 255)
                    n = body.u16();
            }
            const uint8_t* p = body.take(n);
            // RFC 5103: a reverse element is its forward one, "rev_" named
            const bool reverse = fld.enterprise == PEN_REVERSE;
            const IeInfo* info = !fld.enterprise || reverse ? find_ie(fld.id) : nullptr;
            std::string name = info ? std::string(reverse ? "rev_" : "") + info->name
                                    : (fld.enterprise ? "ie" + std::to_string(fld.enterprise) + "." : "ie") +
                                          std::to_string(fld.id);
            if (!fld.enterprise && fld.id == ie::paddingOctets) {
                if (!all_zero(p, n))
                    c.format(rec + "non-zero paddingOctets");
                continue;
            }
            std::string err;
            auto value = format_value(info, p, n, err);
            if (!value) {
                c.format(rec + "field " + std::to_string(fld.id) + ": " + err);
                continue;
            }
            if (t.options) {
                bool scope = i < t.scope_count;
                // v9 scope field types are their own numbering (RFC 3954 6.1)
                if (scope && v9) {
                    static const char* scopes[] = {"?", "system", "interface", "line_card", "cache", "template"};
                    name = fld.id >= 1 && fld.id <= 5 ? scopes[fld.id] : "type" + std::to_string(fld.id);
                    value = std::to_string(be_uint(p, std::min<size_t>(n, 8)));
                }
                opt.add(scope ? "scope." + name : name, *value);
                continue;
            }
            const bool num = info && info->kind == IeKind::Unsigned;
            const uint64_t v = num ? be_uint(p, n) : 0;
            if (fld.enterprise) {
                f.add_extra(name, *value);
                continue;
            }
            switch (fld.id) {
            case ie::octetDeltaCount: f.bytes = v; break;
            case ie::packetDeltaCount: f.packets = v; break;
            case ie::protocolIdentifier: f.proto = static_cast<uint8_t>(v); break;
            case ie::tcpControlBits: f.tcpflags = static_cast<uint8_t>(v); break;
            case ie::sourceTransportPort: f.sport = static_cast<uint16_t>(v); break;
            case ie::destinationTransportPort: f.dport = static_cast<uint16_t>(v); break;
            case ie::sourceIPv4Address: f.src = IpAddr::v4_bytes(p); break;
            case ie::destinationIPv4Address: f.dst = IpAddr::v4_bytes(p); break;
            case ie::sourceIPv6Address: f.src = IpAddr::v6_bytes(p); break;
            case ie::destinationIPv6Address: f.dst = IpAddr::v6_bytes(p); break;
            case ie::icmpTypeCodeIPv4:
            case ie::icmpTypeCodeIPv6:
                f.icmp_type = static_cast<uint8_t>(v >> 8);
                f.icmp_code = static_cast<uint8_t>(v);
                have_icmp = true;
                break;
            case ie::icmpTypeIPv4:
            case ie::icmpTypeIPv6:
                f.icmp_type = static_cast<uint8_t>(v);
                have_icmp = true;
                break;
            case ie::icmpCodeIPv4:
            case ie::icmpCodeIPv6:
                f.icmp_code = static_cast<uint8_t>(v);
                have_icmp = true;
                break;
            case ie::flowStartSysUpTime:
                first = v;
                have_first = true;
                f.add_extra(name, *value);
                break;
            case ie::flowEndSysUpTime:
                last = v;
                have_last = true;
                f.add_extra(name, *value);
                break;
            default: f.add_extra(name, *value); break;
            }
        }
        if (t.options) {
            ++stats_.options;
            c.res.options.push_back(opt);
            c.body.push_back(std::move(opt));
        } else {
            if (is_icmp_proto(f.proto) && !have_icmp) {
                // exporters without an ICMP element use the v5 convention
                f.icmp_type = static_cast<uint8_t>(f.dport >> 8);
                f.icmp_code = static_cast<uint8_t>(f.dport);
            }
            if (have_first && have_last && first > last)
                c.issue(Issue::Kind::Warning, rec + "first " + std::to_string(first) + " > last " +
                                                  std::to_string(last));
            const std::string* rev_pkts = f.get_extra("rev_packets");
            const std::string* rev_bytes = f.get_extra("rev_bytes");
            std::optional<FlowRecord> rev;
            if (rev_pkts || rev_bytes) {
                uint64_t rp = rev_pkts ? std::stoull(*rev_pkts) : 0;
                uint64_t rb = rev_bytes ? std::stoull(*rev_bytes) : 0;
                if (!rev_pkts || !rev_bytes)
                    c.format(rec + "biflow: reverse packets and bytes must come together");
                else if (rb < rp || (rb && !rp))
                    c.format(rec + "biflow: reverse " + std::to_string(rp) + " packets, " +
                             std::to_string(rb) + " bytes");
                const std::string *rs = f.get_extra("rev_start_ms"), *re = f.get_extra("rev_end_ms");
                if (rs && re && std::stoull(*rs) > std::stoull(*re))
                    c.issue(Issue::Kind::Warning, rec + "reverse start " + *rs + " > reverse end " + *re);
                if (opts_.split_biflows) {
                    if (rp)
                        rev = reverse_of(f);
                    f.add_extra("biflow", "forward");
                }
            }
            ++stats_.flows;
            c.body.push_back(f.to_kv());
            c.res.flows.push_back(std::move(f));
            if (rev) {
                ++stats_.flows;
                c.body.push_back(rev->to_kv());
                c.res.flows.push_back(std::move(*rev));
            }
        }
        ++c.data_records;
    }
    if (!body.empty()) {
        size_t pad = body.remaining();
        const uint8_t* p = body.take(pad);
        if (pad >= 4)
            c.format(ver + "data set " + std::to_string(set_id) + ": " + std::to_string(pad) +
                     " bytes left after the records (padding must be < 4, record length " +
                     std::to_string(min_len) + ")");
        else if (!all_zero(p, pad))
            c.format(ver + "data set " + std::to_string(set_id) + ": non-zero padding");
    }
}

} // namespace nft
