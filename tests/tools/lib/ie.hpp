// Information Elements shared by NetFlow v9 (RFC 3954 field types) and IPFIX
// (IANA registry, RFC 7012) for the numbers below 128 and the common
// IPFIX-only ones our exporter and the collectors use.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace nft {

enum class IeKind { Unsigned, Ipv4, Ipv6, Mac, String, Octets };

struct IeInfo {
    uint16_t id;
    const char* name; // key used in our output lines
    IeKind kind;
};

// nullptr when unknown. Enterprise-specific elements are unknown, but
// for RFC 5103's reverse elements (PEN_REVERSE): the forward element,
// whose name the decoder prefixes with "rev_".
const IeInfo* find_ie(uint16_t id);

// RFC 5103 6.1: a reverse element is the forward id under this PEN.
constexpr uint32_t PEN_REVERSE = 29305;
// The whole table, sorted by id (for tests).
std::pair<const IeInfo*, size_t> ie_table();

namespace ie {
constexpr uint16_t octetDeltaCount = 1, packetDeltaCount = 2, protocolIdentifier = 4,
                   ipClassOfService = 5, tcpControlBits = 6, sourceTransportPort = 7,
                   sourceIPv4Address = 8, sourceIPv4PrefixLength = 9, ingressInterface = 10,
                   destinationTransportPort = 11, destinationIPv4Address = 12,
                   destinationIPv4PrefixLength = 13, egressInterface = 14, ipNextHopIPv4Address = 15,
                   bgpSourceAsNumber = 16, bgpDestinationAsNumber = 17, flowEndSysUpTime = 21,
                   flowStartSysUpTime = 22, sourceIPv6Address = 27, destinationIPv6Address = 28,
                   sourceIPv6PrefixLength = 29, destinationIPv6PrefixLength = 30,
                   flowLabelIPv6 = 31, icmpTypeCodeIPv4 = 32, samplingInterval = 34,
                   samplingAlgorithm = 35, ipVersion = 60, flowDirection = 61,
                   ipNextHopIPv6Address = 62, flowEndReason = 136, icmpTypeCodeIPv6 = 139,
                   flowStartSeconds = 150, flowEndSeconds = 151, flowStartMilliseconds = 152,
                   flowEndMilliseconds = 153, systemInitTimeMilliseconds = 160,
                   icmpTypeIPv4 = 176, icmpCodeIPv4 = 177, icmpTypeIPv6 = 178, icmpCodeIPv6 = 179,
                   paddingOctets = 210, biflowDirection = 239;
}

} // namespace nft
