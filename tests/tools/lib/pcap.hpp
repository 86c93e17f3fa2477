// Minimal reader for classic pcap files (dumpcap -P, tcpdump -w): yields the
// UDP datagrams in them, so nf-collect can decode captured export packets.
#pragma once

#include "net.hpp"

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace nft {

struct UdpDatagram {
    Endpoint src, dst;
    std::vector<uint8_t> payload;
    uint64_t frame = 0; // 1-based frame number in the file
};

class PcapReader {
public:
    // Throws std::runtime_error if the file cannot be read or is not pcap.
    explicit PcapReader(const std::string& path);
    // Next UDP datagram (non-UDP frames and IP fragments are skipped and
    // counted); nullopt at end of file. Throws std::runtime_error on a
    // truncated record.
    std::optional<UdpDatagram> next();
    uint64_t skipped() const { return skipped_; }

private:
    std::ifstream in_;
    bool swap_ = false;
    uint32_t linktype_ = 0;
    uint64_t frame_ = 0, skipped_ = 0;
    uint32_t u32(const uint8_t* p) const;
};

// Parses one link-layer frame into a UDP datagram (nullopt if it is not an
// unfragmented UDP-over-IP packet). Exposed for tests.
std::optional<UdpDatagram> parse_frame(uint32_t linktype, const uint8_t* p, size_t n);

} // namespace nft
