// Flow specifications for nf-send:
//
//   PROTO DEST [key=value | flag] ...
//
//   PROTO  udp tcp icmp (IPv4) | udp6 tcp6 icmp6 (IPv6)
//   DEST   udp/tcp: A.B.C.D:PORT or [V6]:PORT; icmp: A.B.C.D; icmp6: V6 or [V6]
//   count=N       packets per flow (for tcp: data segments, see syn/fin); default 1
//   size=N        L4 payload bytes per packet (UDP/TCP data, ICMP echo data); default 0
//   sport=N | sport=A-B | ports=A-B   source port, or a range = one flow per port
//   src=ADDR      source address (default: routing decision / --src)
//   tos=N ttl=N   IPv4 TOS / IPv6 traffic class, TTL / hop limit (in the raw
//                 packets; as socket options for UDP)
//   tcp only:  syn (prepend a SYN), fin (append a FIN|ACK), flags=0xNN (flags of
//              the data segments, default PSH|ACK = 0x18)
//   icmp only: type=N code=N id=N (echo identifier; default type 8 / 128)
//   tcp, tcp6: tcpopts=HEX   TCP option bytes of every segment, as sent
//   udp, tcp, icmp: ipopts=HEX   IPv4 option bytes of every packet (udp:
//              by IP_OPTIONS, which the kernel checks and fills in)
//   HEX: a multiple of 4 bytes, at most 40, e.g. 94040000 (router alert)
#pragma once

#include "net.hpp"

#include <cstdint>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace nft {

class SpecError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct FlowSpec {
    uint8_t proto = 0;  // 6, 17, 1 or 58
    IpAddr dst;
    uint16_t dport = 0; // 0 for ICMP
    std::optional<IpAddr> src;
    std::optional<std::pair<uint16_t, uint16_t>> sports; // nullopt: choose one
    uint32_t count = 1;
    uint32_t size = 0;
    bool syn = false, fin = false;
    uint8_t data_flags = 0x18; // PSH|ACK
    uint8_t icmp_type = 0, icmp_code = 0;
    uint16_t icmp_id = 0x4e46;
    uint8_t tos = 0, ttl = 64;
    uint32_t flow_label = 0;        // IPv6 raw (tcp6, icmp6) only
    std::vector<uint8_t> ext_hdrs;  // IPv6 raw only: 0 hop-by-hop, 60 dest opts
    std::vector<uint8_t> tcp_opts;  // tcp, tcp6
    std::vector<uint8_t> ip_opts;   // IPv4 only
    std::string text; // the spec as written, for messages

    bool is_v6() const { return dst.is_v6(); }
    // Number of distinct flows (one per source port of the range).
    size_t flows() const { return sports ? size_t{sports->second} - sports->first + 1 : 1; }
    uint64_t packets_per_flow() const { return uint64_t{count} + syn + fin; }
    size_t header_bytes() const;          // IP + L4 header of one packet
    uint64_t bytes_per_flow() const;      // IP-layer bytes of one flow
    uint8_t tcpflags_union() const;       // OR of all TCP flags sent
};

// One spec from its tokens (first token is the protocol). Throws SpecError.
FlowSpec parse_flow_spec(const std::vector<std::string>& tokens);
// Several specs; a new spec starts at each protocol keyword. Throws SpecError.
std::vector<FlowSpec> parse_flow_specs(const std::vector<std::string>& tokens);
// Specs from a file: '#' starts a comment, otherwise as parse_flow_specs.
std::vector<FlowSpec> parse_flow_spec_stream(std::istream& in);

bool is_proto_keyword(const std::string& s);

} // namespace nft
