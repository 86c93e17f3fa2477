// The flow record every tool speaks, and its one-line text form:
//
//   flow proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=10
//        bytes=1280 tcpflags=0x00 icmp_type=0 icmp_code=0 [extra k=v ...]
//
// bytes are IP-layer bytes (IP header + payload). For ICMP/ICMPv6 the port
// fields follow the NetFlow v5 convention sport=0 dport=type*256+code.
#pragma once

#include "net.hpp"
#include "text.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nft {

constexpr uint8_t PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMPV6 = 58;

inline bool is_icmp_proto(uint8_t p) { return p == PROTO_ICMP || p == PROTO_ICMPV6; }

struct FlowRecord {
    uint8_t proto = 0;
    IpAddr src, dst;
    uint16_t sport = 0, dport = 0;
    uint64_t packets = 0, bytes = 0;
    uint8_t tcpflags = 0;
    uint8_t icmp_type = 0, icmp_code = 0;
    // Further fields (first/last, nexthop, ifindexes, engine, ...), in order.
    std::vector<std::pair<std::string, std::string>> extra;

    void add_extra(std::string k, std::string v) { extra.emplace_back(std::move(k), std::move(v)); }
    void add_extra(std::string k, uint64_t v) { add_extra(std::move(k), std::to_string(v)); }
    const std::string* get_extra(std::string_view k) const;

    KvLine to_kv() const;
    std::string str() const { return to_kv().str(); }
    // From a KvLine tagged "flow". Throws std::invalid_argument naming the
    // bad or missing key.
    static FlowRecord from_kv(const KvLine& line);
};

// Reads a stream of lines in the truth format; non-"flow" lines (pdu,
// summary, comments, ...) are skipped. Throws std::invalid_argument with the
// line number on malformed "flow" lines.
std::vector<FlowRecord> read_flow_lines(std::istream& in);

} // namespace nft
