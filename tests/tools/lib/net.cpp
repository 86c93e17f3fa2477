#include "net.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <system_error>
#include <unistd.h>

namespace nft {

IpAddr IpAddr::v4(uint32_t host_order)
{
    uint8_t b[4] = {static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
                    static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
    return v4_bytes(b);
}

IpAddr IpAddr::v4_bytes(const uint8_t* p)
{
    IpAddr a;
    a.family_ = AF_INET;
    std::memcpy(a.bytes_.data(), p, 4);
    return a;
}

IpAddr IpAddr::v6_bytes(const uint8_t* p)
{
    IpAddr a;
    a.family_ = AF_INET6;
    std::memcpy(a.bytes_.data(), p, 16);
    return a;
}

std::optional<IpAddr> IpAddr::parse(std::string_view s)
{
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']')
        s = s.substr(1, s.size() - 2);
    if (s.empty() || s.size() > INET6_ADDRSTRLEN)
        return std::nullopt;
    std::string str(s);
    uint8_t buf[16];
    if (str.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, str.c_str(), buf) == 1)
            return v4_bytes(buf);
    } else if (inet_pton(AF_INET6, str.c_str(), buf) == 1) {
        return v6_bytes(buf);
    }
    return std::nullopt;
}

uint32_t IpAddr::v4_host_order() const
{
    return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
           bytes_[3];
}

bool IpAddr::is_unspecified() const
{
    for (size_t i = 0; i < size(); ++i)
        if (bytes_[i])
            return false;
    return true;
}

std::string IpAddr::str() const
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(family_, bytes_.data(), buf, sizeof buf);
    return buf;
}

std::optional<Endpoint> Endpoint::parse(std::string_view s, bool allow_no_port)
{
    Endpoint ep;
    std::string_view host = s, port;
    if (!s.empty() && s.front() == '[') {
        size_t close = s.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        host = s.substr(1, close - 1);
        std::string_view rest = s.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return std::nullopt;
            port = rest.substr(1);
            if (port.empty())
                return std::nullopt;
        }
    } else {
        size_t colon = s.rfind(':');
        if (colon != std::string_view::npos && s.find(':') == colon) {
            host = s.substr(0, colon);
            port = s.substr(colon + 1);
            if (port.empty())
                return std::nullopt;
        }
        // more than one ':' without brackets: a bare IPv6 address, no port
    }
    auto a = IpAddr::parse(host);
    if (!a)
        return std::nullopt;
    ep.addr = *a;
    if (port.empty()) {
        if (!allow_no_port)
            return std::nullopt;
        return ep;
    }
    bool digits = port.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits || port.size() > 5)
        return std::nullopt;
    unsigned long p = std::stoul(std::string(port));
    if (p > 65535)
        return std::nullopt;
    ep.port = static_cast<uint16_t>(p);
    return ep;
}

Endpoint Endpoint::from_sockaddr(const sockaddr_storage& ss)
{
    Endpoint ep;
    if (ss.ss_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
        ep.addr = IpAddr::v4_bytes(reinterpret_cast<const uint8_t*>(&sin->sin_addr));
        ep.port = ntohs(sin->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        ep.addr = IpAddr::v6_bytes(sin6->sin6_addr.s6_addr);
        ep.port = ntohs(sin6->sin6_port);
    }
    return ep;
}

socklen_t Endpoint::to_sockaddr(sockaddr_storage& ss) const
{
    std::memset(&ss, 0, sizeof ss);
    if (addr.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        std::memcpy(&sin->sin_addr, addr.data(), 4);
        return sizeof *sin;
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(sin6->sin6_addr.s6_addr, addr.data(), 16);
    return sizeof *sin6;
}

std::string Endpoint::str() const
{
    if (addr.is_v6())
        return "[" + addr.str() + "]:" + std::to_string(port);
    return addr.str() + ":" + std::to_string(port);
}

std::optional<Prefix> Prefix::parse(std::string_view s)
{
    Prefix p;
    size_t slash = s.find('/');
    auto a = IpAddr::parse(s.substr(0, slash));
    if (!a)
        return std::nullopt;
    p.addr = *a;
    int maxlen = a->is_v4() ? 32 : 128;
    p.len = maxlen;
    if (slash != std::string_view::npos) {
        std::string_view l = s.substr(slash + 1);
        if (l.empty() || l.size() > 3 || l.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        p.len = std::stoi(std::string(l));
        if (p.len > maxlen)
            return std::nullopt;
    }
    return p;
}

bool Prefix::contains(const IpAddr& a) const
{
    if (a.family() != addr.family())
        return false;
    int bits = len;
    for (size_t i = 0; bits > 0; ++i, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
        if ((a.data()[i] & mask) != (addr.data()[i] & mask))
            return false;
    }
    return true;
}

std::string Prefix::str() const
{
    return addr.str() + "/" + std::to_string(len);
}

Fd& Fd::operator=(Fd&& o) noexcept
{
    if (this != &o)
        reset(o.release());
    return *this;
}

void Fd::reset(int fd)
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = fd;
}

void throw_errno(const std::string& what)
{
    throw std::system_error(errno, std::generic_category(), what);
}

Fd make_socket(int family, int type, int protocol)
{
    Fd fd(::socket(family, type | SOCK_CLOEXEC, protocol));
    if (!fd)
        throw_errno("socket");
    return fd;
}

IpAddr route_source(const IpAddr& dst, const std::string& device)
{
    Fd s = make_socket(dst.family(), SOCK_DGRAM, 0);
    if (!device.empty() &&
        setsockopt(s.get(), SOL_SOCKET, SO_BINDTODEVICE, device.c_str(),
                   static_cast<socklen_t>(device.size())) < 0)
        throw_errno("SO_BINDTODEVICE " + device);
    sockaddr_storage ss;
    socklen_t len = Endpoint{dst, 9}.to_sockaddr(ss);
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0)
        throw_errno("no route to " + dst.str());
    sockaddr_storage local;
    socklen_t llen = sizeof local;
    if (getsockname(s.get(), reinterpret_cast<sockaddr*>(&local), &llen) < 0)
        throw_errno("getsockname");
    return Endpoint::from_sockaddr(local).addr;
}

} // namespace nft
