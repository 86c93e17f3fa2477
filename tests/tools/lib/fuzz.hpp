// Malformed-packet generator for nf-fuzz, and a reference model of what
// the kernel and ipt_NETFLOW make of each packet.
//
// The generator is seeded and deterministic: for one seed, one destination
// pair and one count, it yields byte-identical packets on every run and
// platform (its own PRNG and arithmetic, no std distributions).  Each class
// has its own random stream, so a run restricted to some classes sends
// exactly the packets those classes have in a full run.
//
// The model (predict()) replays, for a packet as built, the checks the
// kernel makes before the NETFLOW rule sees it (ip_rcv_core, ip6_rcv_core
// with ipv6_parse_hopopts on PREROUTING; raw_send_hdrinc, rawv6_send_hdrinc
// on OUTPUT), the length the hook sees, and what the module must then
// count: "trunc" when the header fields of the flow key cannot be read
// (the module's cache_trunc), "frag" when the packet is an accounted
// fragment (cache_frag).  It follows the kernel sources of 6.1 and 6.12,
// which agree on all of this.
#pragma once

#include "net.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace nft::fuzz {

// Where a packet meets the NETFLOW rule.
enum class Path {
    Prerouting, // written as an Ethernet frame on a veth (AF_PACKET)
    Output,     // written to a raw IP socket (IP_HDRINCL / IPv6 IPPROTO_RAW)
    Tap,        // written with a virtio_net_hdr to a tap device (IFF_VNET_HDR):
                // PREROUTING of the tap, GSO packets as a VM's virtio NIC sends them
};
const char* path_name(Path p);

// Largest packet (IP layer) the generator makes: fits a 1500-byte MTU;
// GSO packets (tap) are larger, up to kMaxGsoPacket.
constexpr size_t kMaxPacket = 1500;
constexpr size_t kMaxGsoPacket = 16000;

struct ClassInfo {
    const char* name;
    int family;      // 4 or 6
    unsigned weight; // share of --count (among the classes of its stream)
    const char* what;
    bool gso = false; // a GSO class: sent on a tap (Path::Tap) only
};

// The virtio_net_hdr a tap write starts with (struct virtio_net_hdr, 10
// bytes; csum_start and hdr_len count from the Ethernet header).
struct Gso {
    uint8_t flags = 0;    // VIRTIO_NET_HDR_F_NEEDS_CSUM 1
    uint8_t type = 0;     // VIRTIO_NET_HDR_GSO_*: 0 none, 1 TCPv4, 3 UDP (UFO),
                          // 4 TCPv6, 5 UDP_L4 (USO); | 0x80 ECN
    uint16_t hdr_len = 0; // a hint: bytes of headers
    uint16_t size = 0;    // gso_size: payload bytes per segment
    uint16_t csum_start = 0;
    uint16_t csum_offset = 0;
};
constexpr size_t kEthHdr = 14;

const std::vector<ClassInfo>& classes();
int class_index(std::string_view name); // -1 if none has that name

// Class i's packets come from class_source(i, 1 or 2): 10.99.i.h for IPv4,
// 2001:db8:f1f:i::h for IPv6, so a rule matching class_prefix(i) counts
// exactly that class's packets at a hook.
IpAddr class_source(int cls, unsigned host);
Prefix class_prefix(int cls);

// A splitmix64 stream: portable, so the same seed gives the same bytes.
class Rng {
public:
    explicit Rng(uint64_t seed) : s_(seed) {}
    uint64_t next();
    uint32_t below(uint32_t n); // 0..n-1 (0 if n == 0)
    uint32_t range(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); } // inclusive
    bool chance(uint32_t percent) { return below(100) < percent; }
    uint8_t byte() { return static_cast<uint8_t>(next()); }
    std::vector<uint8_t> bytes(size_t n);

private:
    uint64_t s_;
};

struct Packet {
    int cls = 0;
    std::vector<uint8_t> ip; // from the IP header on
    Gso gso;                 // GSO classes: the tap's virtio_net_hdr
};

class Generator {
public:
    // dst4/dst6: the destination of every packet of that family.  gso:
    // the stream of the GSO classes (tap) instead of the others.
    Generator(uint64_t seed, const IpAddr& dst4, const IpAddr& dst6, bool gso = false);
    // The next packet of the mixed stream (classes drawn by weight).
    Packet next();
    // The next packet of one class's own stream (next() draws from these).
    Packet make(int cls);

private:
    struct State {
        Rng rng;
        uint64_t n = 0; // packets made so far
        std::deque<std::vector<uint8_t>> pending;
    };
    std::vector<uint8_t> build(int cls, State& st, Gso& g);
    Rng pick_;
    std::vector<State> states_;
    IpAddr dst4_, dst6_;
    bool gso_;
    unsigned total_weight_ = 0;
};

// Why a packet does not reach the hook.
enum class Drop {
    None,      // it does
    HdrError,  // PREROUTING: Ip InHdrErrors / Ip6 InHdrErrors (not a checksum)
    CsumError, // PREROUTING: IPv4 header checksum (InCsumErrors, also InHdrErrors)
    TooShort,  // PREROUTING: length field beyond the frame (InTruncatedPkts)
    Discard,   // tap, IPv4: cut to its total length before the end of the
               // checksum field NEEDS_CSUM gave it (InDiscards)
    Rejected,  // OUTPUT: sendto() fails with EINVAL; tap: write() does
               // (virtio_net_hdr_to_skb() refused the header: not
               // predicted, nf-fuzz counts what the kernel says)
};
const char* drop_name(Drop d);

struct Verdict {
    bool uncertain = false; // the model cannot tell (the generator avoids these)
    Drop drop = Drop::None;
    size_t len = 0;     // bytes from the IP header on at the hook
    bool trunc = false; // the module counts it in cache_trunc (and dropPackets)
    bool frag = false;  // the module accounts it and counts it in cache_frag
    // A later IPv6 fragment whose fragment header names an extension
    // header (DST, AH, ...) next, as RFC 8200 allows: ipv6_find_hdr()
    // gives -ENOENT, and the module (nfl_ipv6_later_frag) accounts it as
    // a fragment (frag is set too) if the chain's first fragment header
    // is the later one; one of offset 0 before it leaves it truncated.
    bool frag_next_ext = false;
    // GSO (tap): the skb at the hook is a GSO one of gso_size (0: not),
    // which the module counts as segs packets of wire_len bytes in all
    // (each segment with its own copy of the headers: packet.c
    // nfl_pkt_len()); otherwise segs 1, wire_len len.
    unsigned gso_size = 0;
    unsigned segs = 1;
    size_t wire_len = 0;
    bool reach() const { return drop == Drop::None && !uncertain; }
};

// family: 4 or 6 (the frame's EtherType / the socket's family), not the
// version field, which may be anything.  gso: the tap's header (Path::Tap;
// the packet is then assumed accepted by the tap).
Verdict predict(const std::vector<uint8_t>& ip, int family, Path path, const Gso& gso = {});

// virtio_net_hdr_to_skb() for a frame of @frame_len bytes the tap took:
// the gso_size the skb gets (0: not a GSO skb, too short for one); 6.1
// and 6.12 differ where a GSO header lacks NEEDS_CSUM: -1 if that matters.
int gso_size_at_hook(const Gso& g, size_t frame_len);

// The transport header bytes the module reads for the flow key of
// protocol @proto: ports, ICMP type and code, TCP flags (packet.c).
size_t l4_key_bytes(uint8_t proto);

// IPv6 extension header walk as ipv6_find_hdr(skb, &off, -1, &fragoff,
// &flags) does it over @len bytes: the protocol (< 0: -EBADMSG/-ENOENT),
// the transport offset, the fragment offset, whether a fragment header
// was passed; first_fragoff: the offset field (& ~7) of the chain's first
// fragment header (what ipv6_find_hdr(..., NEXTHDR_FRAGMENT, ...) finds).
struct FindHdr {
    int proto = 0;
    size_t thoff = 0;
    unsigned fragoff = 0;
    bool frag = false;
    unsigned first_fragoff = 0;
    size_t first_frag_at = 0; // where that header is
};
FindHdr ipv6_find_hdr(const uint8_t* p, size_t len);

} // namespace nft::fuzz
