// Addresses, endpoints, prefixes and an RAII file descriptor.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace nft {

class IpAddr {
public:
    IpAddr() = default; // 0.0.0.0
    static IpAddr v4(uint32_t host_order);
    static IpAddr v4_bytes(const uint8_t* p);
    static IpAddr v6_bytes(const uint8_t* p);
    // Accepts dotted quad or any inet_pton AF_INET6 form (brackets allowed).
    static std::optional<IpAddr> parse(std::string_view s);

    bool is_v4() const { return family_ == AF_INET; }
    bool is_v6() const { return family_ == AF_INET6; }
    int family() const { return family_; }
    // 4 bytes for IPv4, 16 for IPv6.
    const uint8_t* data() const { return bytes_.data(); }
    size_t size() const { return is_v4() ? 4 : 16; }
    uint32_t v4_host_order() const;
    bool is_unspecified() const;
    std::string str() const;

    bool operator==(const IpAddr& o) const { return family_ == o.family_ && bytes_ == o.bytes_; }
    bool operator!=(const IpAddr& o) const { return !(*this == o); }
    bool operator<(const IpAddr& o) const
    {
        return family_ != o.family_ ? family_ < o.family_ : bytes_ < o.bytes_;
    }

private:
    int family_ = AF_INET;
    std::array<uint8_t, 16> bytes_{};
};

struct Endpoint {
    IpAddr addr;
    uint16_t port = 0;

    // "1.2.3.4:5", "[::1]:5"; with allow_no_port also "1.2.3.4" and "::1".
    static std::optional<Endpoint> parse(std::string_view s, bool allow_no_port = false);
    static Endpoint from_sockaddr(const sockaddr_storage& ss);
    socklen_t to_sockaddr(sockaddr_storage& ss) const;
    std::string str() const; // "1.2.3.4:5" / "[::1]:5"

    bool operator==(const Endpoint& o) const { return addr == o.addr && port == o.port; }
    bool operator<(const Endpoint& o) const
    {
        return addr < o.addr || (addr == o.addr && port < o.port);
    }
};

struct Prefix {
    IpAddr addr;
    int len = 0;

    // "10.1.0.0/24", "fd00::/64"; a bare address means a host prefix.
    static std::optional<Prefix> parse(std::string_view s);
    bool contains(const IpAddr& a) const;
    std::string str() const;
};

// Move-only owner of a file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release()
    {
        int f = fd_;
        fd_ = -1;
        return f;
    }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

// Throws std::system_error with `what` and errno.
[[noreturn]] void throw_errno(const std::string& what);

// Creates a socket or throws.
Fd make_socket(int family, int type, int protocol);

// The local address the kernel would use to reach dst (optionally bound to a
// device and/or a source address). Uses a connected UDP socket; sends nothing.
IpAddr route_source(const IpAddr& dst, const std::string& device = {});

} // namespace nft
