// Strict decoder for NetFlow v5, NetFlow v9 and IPFIX export packets.
//
// One Decoder instance keeps per-stream state across packets: the template
// cache (per exporter address, observation domain / source id, version) and
// the expected sequence numbers:
//   v5:    flow_sequence of the next PDU = this flow_sequence + this count,
//          per (exporter address, engine_type, engine_id)
//   v9:    sequence of the next packet = this sequence + 1, per (exporter, source id)
//   IPFIX: sequence of the next message = this sequence + data records in
//          this message, per (exporter, observation domain)
//
// decode() turns one datagram into output lines (`pdu`, `template`,
// `option`, `flow`, `error`, `warning`) plus structured results for tests.
#pragma once

#include "bytes.hpp"
#include "flow.hpp"
#include "net.hpp"
#include "netflow.hpp"
#include "text.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace nft {

struct Issue {
    enum class Kind {
        Format,     // the packet breaks the format (lengths, counts, padding, ids)
        Sequence,   // sequence number discontinuity
        NoTemplate, // data set for a template we have not seen (not an error)
        Warning,    // suspicious but legal (e.g. first > last)
    };
    Kind kind;
    std::string msg;
};

const char* issue_kind_name(Issue::Kind k);

struct DecodeResult {
    int version = 0;
    KvLine pdu;                  // the "pdu ..." line
    std::vector<KvLine> lines;   // every output line, pdu first, in packet order
    std::vector<FlowRecord> flows;
    std::vector<KvLine> templates; // "template" / "options_template" lines
    std::vector<KvLine> options;   // "option" lines (options data records)
    std::vector<Issue> issues;

    size_t count(Issue::Kind k) const;
    bool ok() const { return !count(Issue::Kind::Format) && !count(Issue::Kind::Sequence); }
};

struct DecoderOptions {
    // Expected sequence number of the first packet of every stream
    // (e.g. 0 when the collector is known to start before the exporter).
    std::optional<uint32_t> first_seq;
    // RFC 5103 biflow records (those with reverse counters) give two flow
    // lines: the forward one (biflow=forward) and, when the reverse
    // direction counted packets, the reverse one (biflow=reverse): from
    // the forward destination to its source as the reply packets came
    // in, i.e. from the post-NAT destination to the post-NAT source when
    // the record has NAT fields, with the reverse counts and times; ICMP
    // with the reply's type (echo 8 -> 0, ...).
    bool split_biflows = false;
};

struct DecoderStats {
    uint64_t pdus = 0, flows = 0, templates = 0, options = 0;
    uint64_t seq_errors = 0, format_errors = 0, no_template = 0, warnings = 0;
    KvLine summary() const; // "summary pdus=.. flows=.. seq_errors=.. format_errors=.. ..."
};

class Decoder {
public:
    explicit Decoder(DecoderOptions opts = {}) : opts_(opts) {}

    DecodeResult decode(const uint8_t* data, size_t len, const Endpoint& from);
    DecodeResult decode(const std::vector<uint8_t>& pkt, const Endpoint& from)
    {
        return decode(pkt.data(), pkt.size(), from);
    }
    const DecoderStats& stats() const { return stats_; }

private:
    struct StreamKey {
        IpAddr exporter;
        int version;
        uint32_t domain; // v5: engine_type << 8 | engine_id
        bool operator<(const StreamKey& o) const
        {
            return std::tie(exporter, version, domain) < std::tie(o.exporter, o.version, o.domain);
        }
    };
    struct TemplateKey {
        StreamKey stream;
        uint16_t id;
        bool operator<(const TemplateKey& o) const
        {
            return std::tie(stream, id) < std::tie(o.stream, o.id);
        }
    };
    struct Ctx; // per-datagram state (decoder.cpp)

    void decode_v5(Ctx& c);
    void decode_v9(Ctx& c);
    void decode_ipfix(Ctx& c);
    void decode_sets(Ctx& c, ByteReader& r);
    void parse_templates(Ctx& c, ByteReader& body, uint16_t set_id);
    void parse_data(Ctx& c, ByteReader& body, uint16_t set_id);
    // Checks seq against the expectation; then the caller sets the next one.
    void check_seq(Ctx& c, const StreamKey& k, uint32_t seq);
    void set_next_seq(const StreamKey& k, std::optional<uint32_t> next);

    DecoderOptions opts_;
    DecoderStats stats_;
    std::map<StreamKey, std::optional<uint32_t>> next_seq_;
    std::map<TemplateKey, Template> templates_;
};

} // namespace nft
