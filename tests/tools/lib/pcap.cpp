#include "pcap.hpp"

#include "bytes.hpp"

#include <stdexcept>

namespace nft {

PcapReader::PcapReader(const std::string& path) : in_(path, std::ios::binary)
{
    if (!in_)
        throw std::runtime_error("cannot open " + path);
    uint8_t h[24];
    if (!in_.read(reinterpret_cast<char*>(h), sizeof h))
        throw std::runtime_error(path + ": too short for a pcap header");
    uint32_t magic = (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
    if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
        swap_ = false; // big-endian file
    else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
        swap_ = true; // little-endian file
    else if (magic == 0x0a0d0d0a)
        throw std::runtime_error(path + ": pcapng is not supported; capture with dumpcap -P");
    else
        throw std::runtime_error(path + ": not a pcap file");
    linktype_ = u32(h + 20) & 0x0fffffff;
}

uint32_t PcapReader::u32(const uint8_t* p) const
{
    if (swap_)
        return (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

std::optional<UdpDatagram> PcapReader::next()
{
    for (;;) {
        uint8_t rh[16];
        if (!in_.read(reinterpret_cast<char*>(rh), sizeof rh)) {
            if (in_.gcount() == 0)
                return std::nullopt;
            throw std::runtime_error("truncated pcap record header");
        }
        uint32_t incl = u32(rh + 8);
        if (incl > 256 * 1024)
            throw std::runtime_error("pcap record of " + std::to_string(incl) + " bytes");
        std::vector<uint8_t> buf(incl);
        if (!in_.read(reinterpret_cast<char*>(buf.data()), incl))
            throw std::runtime_error("truncated pcap record");
        ++frame_;
        if (auto d = parse_frame(linktype_, buf.data(), buf.size())) {
            d->frame = frame_;
            return d;
        }
        ++skipped_;
    }
}

std::optional<UdpDatagram> parse_frame(uint32_t linktype, const uint8_t* p, size_t n)
{
    try {
        ByteReader r(p, n);
        uint16_t ethertype = 0;
        switch (linktype) {
        case 1: // Ethernet
            r.skip(12);
            ethertype = r.u16();
            while (ethertype == 0x8100 || ethertype == 0x88a8) {
                r.skip(2);
                ethertype = r.u16();
            }
            break;
        case 113: // Linux cooked v1
            r.skip(14);
            ethertype = r.u16();
            break;
        case 276: // Linux cooked v2
            ethertype = r.u16();
            r.skip(18);
            break;
        case 0: { // BSD loopback: host-order family
            const uint8_t* f = r.take(4);
            uint32_t fam = f[0] | (f[1] << 8) | (f[2] << 16) | (uint32_t{f[3]} << 24);
            if (fam == 0 || fam > 0xffff)
                fam = (uint32_t{f[0]} << 24) | (f[1] << 16) | (f[2] << 8) | f[3];
            ethertype = fam == 2 ? 0x0800 : 0x86dd;
            break;
        }
        case 101: // raw IP
        case 12:
            ethertype = (r.remaining() && (r.here()[0] >> 4) == 6) ? 0x86dd : 0x0800;
            break;
        default:
            return std::nullopt;
        }
        UdpDatagram d;
        size_t ip_payload = 0;
        if (ethertype == 0x0800) {
            const uint8_t* ip = r.here();
            size_t ihl = size_t(ip[0] & 15) * 4;
            if ((ip[0] >> 4) != 4 || ihl < 20)
                return std::nullopt;
            r.skip(2);
            uint16_t total = r.u16();
            r.skip(2);
            uint16_t frag = r.u16();
            r.skip(1);
            uint8_t proto = r.u8();
            r.skip(2);
            d.src.addr = IpAddr::v4_bytes(r.take(4));
            d.dst.addr = IpAddr::v4_bytes(r.take(4));
            r.skip(ihl - 20);
            if (proto != 17 || (frag & 0x3fff) || total < ihl)
                return std::nullopt;
            ip_payload = total - ihl;
        } else if (ethertype == 0x86dd) {
            r.skip(4);
            uint16_t plen = r.u16();
            uint8_t nh = r.u8();
            r.skip(1);
            d.src.addr = IpAddr::v6_bytes(r.take(16));
            d.dst.addr = IpAddr::v6_bytes(r.take(16));
            if (nh != 17)
                return std::nullopt;
            ip_payload = plen;
        } else {
            return std::nullopt;
        }
        d.src.port = r.u16();
        d.dst.port = r.u16();
        uint16_t ulen = r.u16();
        r.skip(2);
        if (ulen < 8 || ulen > ip_payload)
            return std::nullopt;
        const uint8_t* data = r.take(ulen - 8u);
        d.payload.assign(data, data + (ulen - 8u));
        return d;
    } catch (const DecodeError&) {
        return std::nullopt; // snapped or truncated frame
    }
}

} // namespace nft
