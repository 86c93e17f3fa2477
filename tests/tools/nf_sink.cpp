// nf-sink: a receiver that accepts and discards traffic, so UDP test flows do
// not provoke ICMP port-unreachable replies (extra flows) and so a test can
// check what actually arrived.
#include "cli.hpp"
#include "flow.hpp"
#include "net.hpp"
#include "packet.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <getopt.h>
#include <iostream>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <vector>

using namespace nft;

namespace {

const char kUsage[] = R"(usage: nf-sink [options] udp|udp6|tcp|tcp6 [ADDR:]PORT

Listens on PORT (all addresses of the family unless ADDR / [V6] is given),
reads and discards everything, and on exit prints per peer:

  recv proto=17 src=A sport=N dst=A dport=N packets=N bytes=N
       (UDP; bytes are IP-layer bytes: payload + IP and UDP headers, assuming
        no IP options / extension headers)
  recv proto=6 src=A sport=N dst=A dport=N connections=N payload_bytes=N   (TCP)

  -t, --timeout S    exit after S seconds without traffic (default: never)
  -c, --count N      UDP: exit after N datagrams
  -e, --echo         UDP: send every datagram back to its sender (a reply
                     makes a connection established for conntrack)
  -h, --help
SIGINT/SIGTERM end the run. Exit: 0, or 2 on usage/socket errors.
)";

struct PeerKey {
    Endpoint src, dst;
    bool operator<(const PeerKey& o) const { return src < o.src || (src == o.src && dst < o.dst); }
};

struct Totals {
    uint64_t packets = 0, bytes = 0, connections = 0;
};

} // namespace

int main(int argc, char** argv)
{
    try {
        static const option longopts[] = {{"timeout", required_argument, nullptr, 't'},
                                          {"count", required_argument, nullptr, 'c'},
                                          {"echo", no_argument, nullptr, 'e'},
                                          {"help", no_argument, nullptr, 'h'},
                                          {nullptr, 0, nullptr, 0}};
        double timeout = 0;
        uint64_t count = 0;
        bool echo = false;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "t:c:eh", longopts, nullptr)) != -1) {
            switch (c) {
            case 't': {
                char* end = nullptr;
                timeout = std::strtod(optarg, &end);
                if (!end || *end || timeout < 0)
                    throw UsageError(std::string("bad --timeout '") + optarg + "'");
                break;
            }
            case 'c': {
                auto v = parse_uint(optarg);
                if (!v)
                    throw UsageError(std::string("bad --count '") + optarg + "'");
                count = *v;
                break;
            }
            case 'e': echo = true; break;
            case 'h': std::cout << kUsage; return 0;
            default: throw UsageError(std::string("unknown or incomplete option '") + argv[optind - 1] + "'");
            }
        }
        if (argc - optind != 2)
            throw UsageError("expected PROTO and [ADDR:]PORT");
        std::string proto = argv[optind];
        std::string where = argv[optind + 1];
        bool v6 = proto == "udp6" || proto == "tcp6";
        bool tcp = proto == "tcp" || proto == "tcp6";
        if (!tcp && proto != "udp" && proto != "udp6")
            throw UsageError("protocol must be udp, udp6, tcp or tcp6");
        Endpoint local;
        local.addr = v6 ? *IpAddr::parse("::") : IpAddr();
        if (auto port = parse_uint(where, 65535)) {
            local.port = static_cast<uint16_t>(*port);
        } else {
            auto ep = Endpoint::parse(where);
            if (!ep || ep->addr.is_v6() != v6)
                throw UsageError("bad [ADDR:]PORT '" + where + "' for " + proto);
            local = *ep;
        }

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, nullptr);
        Fd sfd(signalfd(-1, &mask, SFD_CLOEXEC));
        if (!sfd)
            throw_errno("signalfd");

        Fd sock = make_socket(v6 ? AF_INET6 : AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
        int one = 1;
        setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (v6)
            setsockopt(sock.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        int rcvbuf = 4 * 1024 * 1024;
        if (setsockopt(sock.get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
            setsockopt(sock.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        if (!tcp) { // learn the destination address of each datagram
            if (v6)
                setsockopt(sock.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
            else
                setsockopt(sock.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
        }
        sockaddr_storage ss;
        socklen_t len = local.to_sockaddr(ss);
        if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0)
            throw_errno("bind " + local.str());
        if (tcp && ::listen(sock.get(), 128) < 0)
            throw_errno("listen");
        std::cerr << "nf-sink: listening on " << proto << " " << local.str() << std::endl;

        std::map<PeerKey, Totals> totals;
        std::vector<std::pair<Fd, PeerKey>> conns;
        std::vector<uint8_t> buf(65536);
        using clock = std::chrono::steady_clock;
        auto last = clock::now();
        uint64_t datagrams = 0;
        for (bool done = false; !done;) {
            int wait_ms = -1;
            if (timeout > 0) {
                double left = timeout - std::chrono::duration<double>(clock::now() - last).count();
                if (left <= 0)
                    break;
                wait_ms = static_cast<int>(left * 1000) + 1;
            }
            std::vector<pollfd> fds = {{sfd.get(), POLLIN, 0}, {sock.get(), POLLIN, 0}};
            for (const auto& cn : conns)
                fds.push_back({cn.first.get(), POLLIN, 0});
            if (::poll(fds.data(), fds.size(), wait_ms) < 0) {
                if (errno == EINTR)
                    continue;
                throw_errno("poll");
            }
            if (fds[0].revents & POLLIN)
                break;
            if (fds[1].revents & POLLIN) {
                last = clock::now();
                sockaddr_storage from;
                if (tcp) {
                    socklen_t flen = sizeof from;
                    Fd cfd(::accept4(sock.get(), reinterpret_cast<sockaddr*>(&from), &flen, SOCK_CLOEXEC));
                    if (cfd) {
                        sockaddr_storage me;
                        socklen_t mlen = sizeof me;
                        getsockname(cfd.get(), reinterpret_cast<sockaddr*>(&me), &mlen);
                        PeerKey k{Endpoint::from_sockaddr(from), Endpoint::from_sockaddr(me)};
                        ++totals[k].connections;
                        conns.emplace_back(std::move(cfd), k);
                    }
                } else {
                    char cbuf[256];
                    iovec iov{buf.data(), buf.size()};
                    msghdr msg{};
                    msg.msg_name = &from;
                    msg.msg_namelen = sizeof from;
                    msg.msg_iov = &iov;
                    msg.msg_iovlen = 1;
                    msg.msg_control = cbuf;
                    msg.msg_controllen = sizeof cbuf;
                    ssize_t got = ::recvmsg(sock.get(), &msg, 0);
                    if (got >= 0) {
                        Endpoint dst = local;
                        for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
                            if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
                                auto* pi = reinterpret_cast<in_pktinfo*>(CMSG_DATA(cm));
                                dst.addr = IpAddr::v4_bytes(reinterpret_cast<uint8_t*>(&pi->ipi_addr));
                            } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
                                auto* pi = reinterpret_cast<in6_pktinfo*>(CMSG_DATA(cm));
                                dst.addr = IpAddr::v6_bytes(pi->ipi6_addr.s6_addr);
                            }
                        }
                        if (echo)
                            (void)::sendto(sock.get(), buf.data(), static_cast<size_t>(got), 0,
                                     reinterpret_cast<const sockaddr*>(&from), msg.msg_namelen);
                        Totals& t = totals[{Endpoint::from_sockaddr(from), dst}];
                        ++t.packets;
                        t.bytes += static_cast<uint64_t>(got) + (v6 ? IPV6_HDR : IPV4_HDR) + UDP_HDR;
                        if (count && ++datagrams >= count)
                            done = true;
                    }
                }
            }
            for (size_t i = 2; i < fds.size(); ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                last = clock::now();
                auto& cn = conns[i - 2];
                ssize_t got = ::read(cn.first.get(), buf.data(), buf.size());
                if (got > 0)
                    totals[cn.second].bytes += static_cast<uint64_t>(got);
                else
                    cn.first.reset();
            }
            conns.erase(std::remove_if(conns.begin(), conns.end(), [](const auto& cn) { return !cn.first; }),
                        conns.end());
        }
        for (const auto& [k, t] : totals) {
            KvLine l;
            l.tag = "recv";
            l.add("proto", tcp ? PROTO_TCP : PROTO_UDP);
            l.add("src", k.src.addr.str());
            l.add("sport", k.src.port);
            l.add("dst", k.dst.addr.str());
            l.add("dport", k.dst.port);
            if (tcp) {
                l.add("connections", t.connections);
                l.add("payload_bytes", t.bytes);
            } else {
                l.add("packets", t.packets);
                l.add("bytes", t.bytes);
            }
            std::cout << l.str() << "\n";
        }
        std::cout.flush();
        return 0;
    } catch (const UsageError& e) {
        std::cerr << "nf-sink: " << e.what() << "\n(see nf-sink --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "nf-sink: " << e.what() << "\n";
        return 2;
    }
}
