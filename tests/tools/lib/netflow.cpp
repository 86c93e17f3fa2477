#include "netflow.hpp"

#include "bytes.hpp"
#include "ie.hpp"

#include <stdexcept>

namespace nft {

namespace {

uint64_t extra_uint(const FlowRecord& f, const char* key, uint64_t def = 0)
{
    const std::string* v = f.get_extra(key);
    if (!v)
        return def;
    auto n = parse_uint(*v);
    return n ? *n : def;
}

IpAddr extra_addr(const FlowRecord& f, const char* key, const IpAddr& def)
{
    const std::string* v = f.get_extra(key);
    if (!v)
        return def;
    auto a = IpAddr::parse(*v);
    return a ? *a : def;
}

uint16_t icmp_type_code(const FlowRecord& f)
{
    return static_cast<uint16_t>((f.icmp_type << 8) | f.icmp_code);
}

} // namespace

std::vector<uint8_t> encode_v5(const V5Header& h, const std::vector<V5Record>& records)
{
    if (records.size() > V5_MAX_RECORDS)
        throw std::invalid_argument("v5: more than 30 records in one PDU");
    std::vector<uint8_t> out;
    ByteWriter w(out);
    w.u16(5);
    w.u16(static_cast<uint16_t>(records.size()));
    w.u32(h.uptime);
    w.u32(h.unix_secs);
    w.u32(h.unix_nsecs);
    w.u32(h.flow_sequence);
    w.u8(h.engine_type);
    w.u8(h.engine_id);
    w.u16(h.sampling);
    for (const auto& r : records) {
        for (const IpAddr* a : {&r.src, &r.dst, &r.nexthop}) {
            if (!a->is_v4())
                throw std::invalid_argument("v5: IPv6 address");
            w.bytes(a->data(), 4);
        }
        w.u16(r.input);
        w.u16(r.output);
        w.u32(r.packets);
        w.u32(r.octets);
        w.u32(r.first);
        w.u32(r.last);
        w.u16(r.sport);
        w.u16(r.dport);
        w.u8(0); // pad1
        w.u8(r.tcp_flags);
        w.u8(r.proto);
        w.u8(r.tos);
        w.u16(r.src_as);
        w.u16(r.dst_as);
        w.u8(r.src_mask);
        w.u8(r.dst_mask);
        w.u16(0); // pad2
    }
    return out;
}

V5Record v5_from_flow(const FlowRecord& f)
{
    if (!f.src.is_v4() || !f.dst.is_v4())
        throw std::invalid_argument("NetFlow v5 cannot carry IPv6 flows");
    if (f.packets > UINT32_MAX || f.bytes > UINT32_MAX)
        throw std::invalid_argument("NetFlow v5 counters are 32 bits");
    V5Record r;
    r.src = f.src;
    r.dst = f.dst;
    r.nexthop = extra_addr(f, "nexthop", IpAddr());
    r.input = static_cast<uint16_t>(extra_uint(f, "in_if"));
    r.output = static_cast<uint16_t>(extra_uint(f, "out_if"));
    r.packets = static_cast<uint32_t>(f.packets);
    r.octets = static_cast<uint32_t>(f.bytes);
    r.first = static_cast<uint32_t>(extra_uint(f, "first"));
    r.last = static_cast<uint32_t>(extra_uint(f, "last"));
    r.sport = is_icmp_proto(f.proto) ? 0 : f.sport;
    r.dport = is_icmp_proto(f.proto) ? icmp_type_code(f) : f.dport;
    r.tcp_flags = f.tcpflags;
    r.proto = f.proto;
    r.tos = static_cast<uint8_t>(extra_uint(f, "tos"));
    return r;
}

Template standard_template(uint16_t id, bool v6, int version)
{
    Template t;
    t.id = id;
    auto add = [&](uint16_t ie, uint16_t len) { t.fields.push_back({ie, len, 0}); };
    add(v6 ? ie::sourceIPv6Address : ie::sourceIPv4Address, v6 ? 16 : 4);
    add(v6 ? ie::destinationIPv6Address : ie::destinationIPv4Address, v6 ? 16 : 4);
    add(ie::sourceTransportPort, 2);
    add(ie::destinationTransportPort, 2);
    add(ie::protocolIdentifier, 1);
    add(ie::tcpControlBits, 1);
    add(ie::ipClassOfService, 1);
    // v9 has one ICMP_TYPE (32) for both families (nfdump ignores 139 in
    // v9); IPFIX has icmpTypeCodeIPv6 (139) for ICMPv6.
    add(v6 && version == 10 ? ie::icmpTypeCodeIPv6 : ie::icmpTypeCodeIPv4, 2);
    add(ie::packetDeltaCount, 8);
    add(ie::octetDeltaCount, 8);
    add(ie::ingressInterface, 4);
    add(ie::egressInterface, 4);
    if (version == 9) {
        add(ie::flowStartSysUpTime, 4);
        add(ie::flowEndSysUpTime, 4);
    } else {
        add(ie::flowStartMilliseconds, 8);
        add(ie::flowEndMilliseconds, 8);
        add(ie::flowEndReason, 1);
    }
    return t;
}

std::vector<uint8_t> encode_flow_record(const Template& t, const FlowRecord& f)
{
    std::vector<uint8_t> out;
    ByteWriter w(out);
    for (const auto& fld : t.fields) {
        if (fld.length == IPFIX_VARLEN)
            throw std::invalid_argument("encode_flow_record: variable-length field");
        auto put_addr = [&](const IpAddr& a) {
            if (a.size() != fld.length)
                w.zeros(fld.length);
            else
                w.bytes(a.data(), a.size());
        };
        uint64_t v = 0;
        if (fld.enterprise) {
            w.zeros(fld.length);
            continue;
        }
        switch (fld.id) {
        case ie::sourceIPv4Address:
        case ie::sourceIPv6Address: put_addr(f.src); continue;
        case ie::destinationIPv4Address:
        case ie::destinationIPv6Address: put_addr(f.dst); continue;
        case ie::ipNextHopIPv4Address:
        case ie::ipNextHopIPv6Address:
            put_addr(extra_addr(f, "nexthop", IpAddr()));
            continue;
        case ie::octetDeltaCount: v = f.bytes; break;
        case ie::packetDeltaCount: v = f.packets; break;
        case ie::protocolIdentifier: v = f.proto; break;
        case ie::tcpControlBits: v = f.tcpflags; break;
        case ie::sourceTransportPort: v = is_icmp_proto(f.proto) ? 0 : f.sport; break;
        case ie::destinationTransportPort: v = is_icmp_proto(f.proto) ? 0 : f.dport; break;
        case ie::icmpTypeCodeIPv4:
        case ie::icmpTypeCodeIPv6: v = is_icmp_proto(f.proto) ? icmp_type_code(f) : 0; break;
        case ie::icmpTypeIPv4:
        case ie::icmpTypeIPv6: v = is_icmp_proto(f.proto) ? f.icmp_type : 0; break;
        case ie::icmpCodeIPv4:
        case ie::icmpCodeIPv6: v = is_icmp_proto(f.proto) ? f.icmp_code : 0; break;
        default:
            if (const IeInfo* info = find_ie(fld.id))
                v = extra_uint(f, info->name);
            break;
        }
        if (fld.length > 8)
            w.zeros(fld.length - 8u);
        w.uint(v, fld.length > 8 ? 8 : fld.length);
    }
    return out;
}

ExportBuilder::ExportBuilder(int version) : version_(version)
{
    if (version != 9 && version != 10)
        throw std::invalid_argument("ExportBuilder: version must be 9 or 10");
}

void ExportBuilder::add_raw_set(uint16_t set_id, const std::vector<uint8_t>& body, bool pad,
                                size_t data_records)
{
    records_ += data_records;
    data_records_ += data_records;
    size_t len = SET_HEADER_LEN + body.size();
    size_t padding = pad ? (4 - len % 4) % 4 : 0;
    ByteWriter w(sets_);
    w.u16(set_id);
    w.u16(static_cast<uint16_t>(len + padding));
    w.bytes(body);
    w.zeros(padding);
}

void ExportBuilder::add_templates(const std::vector<Template>& templates)
{
    if (templates.empty())
        return;
    bool options = templates.front().options;
    std::vector<uint8_t> body;
    ByteWriter w(body);
    for (const auto& t : templates) {
        if (t.options != options)
            throw std::invalid_argument("add_templates: mixed options and plain templates");
        w.u16(t.id);
        if (options && version_ == 9) {
            w.u16(static_cast<uint16_t>(4 * t.scope_count));
            w.u16(static_cast<uint16_t>(4 * (t.fields.size() - t.scope_count)));
        } else {
            w.u16(static_cast<uint16_t>(t.fields.size()));
            if (options)
                w.u16(t.scope_count);
        }
        for (const auto& f : t.fields) {
            if (version_ == 10 && f.enterprise) {
                w.u16(static_cast<uint16_t>(f.id | 0x8000));
                w.u16(f.length);
                w.u32(f.enterprise);
            } else {
                w.u16(f.id);
                w.u16(f.length);
            }
        }
        ++records_;
    }
    uint16_t set_id = version_ == 9 ? (options ? V9_OPTIONS_TEMPLATE_SET : V9_TEMPLATE_SET)
                                    : (options ? IPFIX_OPTIONS_TEMPLATE_SET : IPFIX_TEMPLATE_SET);
    add_raw_set(set_id, body);
}

void ExportBuilder::add_data(uint16_t template_id, const std::vector<std::vector<uint8_t>>& records)
{
    std::vector<uint8_t> body;
    for (const auto& r : records)
        body.insert(body.end(), r.begin(), r.end());
    add_raw_set(template_id, body);
    records_ += records.size();
    data_records_ += records.size();
}

std::vector<uint8_t> ExportBuilder::finish() const
{
    std::vector<uint8_t> out;
    ByteWriter w(out);
    w.u16(static_cast<uint16_t>(version_));
    if (version_ == 9) {
        w.u16(static_cast<uint16_t>(records_));
        w.u32(uptime);
        w.u32(unix_secs);
        w.u32(sequence);
        w.u32(domain);
    } else {
        size_t len = IPFIX_HEADER_LEN + sets_.size();
        if (len > 65535)
            throw std::invalid_argument("IPFIX message longer than 65535 bytes");
        w.u16(static_cast<uint16_t>(len));
        w.u32(unix_secs);
        w.u32(sequence);
        w.u32(domain);
    }
    w.bytes(sets_);
    return out;
}

} // namespace nft
