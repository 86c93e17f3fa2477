// NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) wire formats:
// constants and encoders. The encoders build correct packets for crafting
// (nf-craft) and for the decoder's unit tests; decoding is in decoder.hpp.
#pragma once

#include "flow.hpp"

#include <cstdint>
#include <vector>

namespace nft {

constexpr size_t V5_HEADER_LEN = 24, V5_RECORD_LEN = 48, V5_MAX_RECORDS = 30;
constexpr size_t V9_HEADER_LEN = 20, IPFIX_HEADER_LEN = 16, SET_HEADER_LEN = 4;
constexpr uint16_t V9_TEMPLATE_SET = 0, V9_OPTIONS_TEMPLATE_SET = 1;
constexpr uint16_t IPFIX_TEMPLATE_SET = 2, IPFIX_OPTIONS_TEMPLATE_SET = 3;
constexpr uint16_t MIN_DATA_SET_ID = 256;
constexpr uint16_t IPFIX_VARLEN = 65535;

struct V5Header {
    uint32_t uptime = 0, unix_secs = 0, unix_nsecs = 0, flow_sequence = 0;
    uint8_t engine_type = 0, engine_id = 0;
    uint16_t sampling = 0;
};

struct V5Record {
    IpAddr src, dst, nexthop; // IPv4 only
    uint16_t input = 0, output = 0;
    uint32_t packets = 0, octets = 0, first = 0, last = 0;
    uint16_t sport = 0, dport = 0;
    uint8_t tcp_flags = 0, proto = 0, tos = 0;
    uint16_t src_as = 0, dst_as = 0;
    uint8_t src_mask = 0, dst_mask = 0;
};

// count and length follow from records; throws std::invalid_argument for
// more than 30 records.
std::vector<uint8_t> encode_v5(const V5Header& h, const std::vector<V5Record>& records);
// Throws std::invalid_argument for IPv6 flows or counters above 32 bits.
// ICMP type/code go to dport as type*256+code; first/last/in_if/out_if/tos/
// nexthop are taken from the flow's extra fields when present.
V5Record v5_from_flow(const FlowRecord& f);

struct TemplateField {
    uint16_t id = 0;
    uint16_t length = 0;     // IPFIX_VARLEN for variable length (IPFIX only)
    uint32_t enterprise = 0; // IPFIX enterprise number, 0 = IANA
};

struct Template {
    uint16_t id = 0;
    std::vector<TemplateField> fields; // scope fields first for options templates
    bool options = false;
    uint16_t scope_count = 0; // number of leading scope fields (options only)
};

// The template nf-craft uses for flows of one address family.
Template standard_template(uint16_t id, bool v6, int version);
// Encodes one data record of a fixed-length template from a flow. Fields
// without a FlowRecord member are taken from the flow's extras by their
// output name (see ie.cpp) or written as zero.
std::vector<uint8_t> encode_flow_record(const Template& t, const FlowRecord& f);

// Builds one NetFlow v9 (version 9) or IPFIX (version 10) message set by set.
// Each set is zero padded to a multiple of 4 bytes.
class ExportBuilder {
public:
    explicit ExportBuilder(int version);

    uint32_t uptime = 0;      // v9 only
    uint32_t unix_secs = 0;   // v9 unix_secs / IPFIX export time
    uint32_t sequence = 0;
    uint32_t domain = 0;      // v9 source id / IPFIX observation domain

    void add_templates(const std::vector<Template>& templates); // all options or all not
    void add_data(uint16_t template_id, const std::vector<std::vector<uint8_t>>& records);
    // Appends a raw set (for malformed-packet tests); `data_records` is added
    // to the record counts the header is built from.
    void add_raw_set(uint16_t set_id, const std::vector<uint8_t>& body, bool pad = true,
                     size_t data_records = 0);

    size_t records() const { return records_; }          // v9 header count
    size_t data_records() const { return data_records_; } // IPFIX sequence step
    std::vector<uint8_t> finish() const;

private:
    int version_;
    std::vector<uint8_t> sets_;
    size_t records_ = 0, data_records_ = 0;
};

} // namespace nft
