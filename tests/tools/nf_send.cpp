// nf-send: sends exactly the specified flows and prints the ground truth.
//
// UDP goes through ordinary sockets (unconnected, bound to the source port,
// don't-fragment so a packet is never split). TCP and ICMP/ICMPv6 are built
// byte by byte and written to raw sockets (IP_HDRINCL / IPv6 IPPROTO_RAW), so
// every packet of a flow, its flags and sizes are exactly as specified and
// nothing else (handshakes, ACKs) is sent in that direction.
#include "cli.hpp"
#include "flow.hpp"
#include "flowspec.hpp"
#include "net.hpp"
#include "packet.hpp"

#include <cerrno>
#include <chrono>
#include <getopt.h>
#include <iostream>
#include <netinet/in.h>
#include <optional>
#include <random>
#include <thread>

using namespace nft;

namespace {

const char kUsage[] = R"(usage: nf-send [options] SPEC [SPEC ...]
       nf-send [options] -f FILE

Sends the flows described by the SPECs (a new SPEC starts at each protocol
word) and prints one ground-truth line per flow to stdout once it is sent:

  flow proto=17 src=10.1.0.1 sport=40000 dst=10.1.0.2 dport=5000 packets=10
       bytes=1280 tcpflags=0x00 icmp_type=0 icmp_code=0

bytes counts IP-layer bytes (IP header + L4 header + payload), as NetFlow
does. ICMP flows have sport=0 and dport=type*256+code (the v5 convention).

SPEC:  PROTO DEST [key=value | flag] ...
  PROTO   udp tcp icmp (IPv4), udp6 tcp6 icmp6 (IPv6)
  DEST    udp/tcp: A.B.C.D:PORT or [V6]:PORT; icmp/icmp6: the address only
  count=N        packets per flow (tcp: data segments, see syn/fin; default 1)
  size=N         L4 payload bytes per packet (UDP/TCP data, ICMP data after the
                 8-byte header; default 0)
  sport=N        source port; sport=A-B or ports=A-B sends one flow per port
                 (default: a random port in 32768-60999)
  src=ADDR       source address (default: --src, else the routing decision)
  tos=N          IPv4 TOS / IPv6 traffic class
  ttl=N          TTL / hop limit
  tcp6, icmp6: flowlabel=N       IPv6 flow label (0..0xfffff)
               exthdr=hbh,dst    extension headers before L4, 8 bytes each
  tcp, tcp6: tcpopts=HEX   TCP options of every segment, as sent (hex bytes,
                           a multiple of 4, at most 40: pad them yourself)
  udp, tcp, icmp: ipopts=HEX   IPv4 options of every packet, the same way;
                           udp sets them with IP_OPTIONS (the kernel checks
                           them and fills in record route and timestamps)
  tcp:   syn      first send a SYN (no payload)
         fin      finally send a FIN|ACK (no payload)
         flags=N  flags of the data segments (default 0x18 = PSH|ACK)
         packets = count + syn + fin; count=0 is allowed with syn or fin
  icmp:  type=N code=N id=N   (default echo request: type 8 / icmp6 128, code 0)

Examples:
  nf-send udp 10.1.0.2:5000 count=10 size=100 sport=40000
  nf-send tcp 10.1.0.2:80 count=5 size=200 syn fin sport=41000
  nf-send icmp 10.1.0.2 count=3 size=56 type=8
  nf-send udp6 [fd00::2]:5000 count=2 ports=10000-10999 --interval-ms 1
  nf-send icmp6 fd00::2 count=4 udp 10.1.0.2:53 size=40

Options:
  -f, --file FILE      read SPECs from FILE ('#' comments, any line layout);
                       they are sent before the SPECs of the command line
  -s, --src ADDR       default source address (repeat for IPv4 and IPv6)
  -I, --dev IFNAME     bind the sockets to this interface (SO_BINDTODEVICE)
  -i, --interval-ms N  pause N ms between packets (default 0)
  -n, --dry-run        print the ground truth without sending anything
  -h, --help

TCP and ICMP use raw sockets (root or CAP_NET_RAW). A packet larger than the
path MTU is an error (EMSGSIZE), never fragmented.
Exit: 0 all sent, 1 send error, 2 bad spec or usage.
)";

struct Options {
    std::vector<FlowSpec> specs;
    std::vector<IpAddr> src;
    std::string dev;
    uint32_t interval_ms = 0;
    bool dry_run = false;
};

Options parse_args(int argc, char** argv)
{
    static const option longopts[] = {
        {"file", required_argument, nullptr, 'f'},        {"src", required_argument, nullptr, 's'},
        {"dev", required_argument, nullptr, 'I'},         {"interval-ms", required_argument, nullptr, 'i'},
        {"dry-run", no_argument, nullptr, 'n'},           {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0}};
    Options o;
    std::vector<std::string> files;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "f:s:I:i:nh", longopts, nullptr)) != -1) {
        switch (c) {
        case 'f': files.emplace_back(optarg); break;
        case 's': {
            auto a = IpAddr::parse(optarg);
            if (!a)
                throw UsageError(std::string("bad --src '") + optarg + "'");
            for (const auto& s : o.src)
                if (s.family() == a->family())
                    throw UsageError("--src given twice for one address family");
            o.src.push_back(*a);
            break;
        }
        case 'I': o.dev = optarg; break;
        case 'i': {
            auto v = parse_uint(optarg, 3'600'000);
            if (!v)
                throw UsageError(std::string("bad --interval-ms '") + optarg + "'");
            o.interval_ms = static_cast<uint32_t>(*v);
            break;
        }
        case 'n': o.dry_run = true; break;
        case 'h': std::cout << kUsage; std::exit(0);
        default: throw UsageError(std::string("unknown or incomplete option '") + argv[optind - 1] + "'");
        }
    }
    // GNU getopt permutes: options may come before, between or after the SPEC
    // words (which never start with '-'); the words keep their order.
    std::vector<std::string> words(argv + optind, argv + argc);
    for (const auto& f : files) { // file specs first, then those of the command line
        std::optional<Input> in;
        try {
            in.emplace(f);
        } catch (const std::runtime_error& e) {
            throw UsageError(e.what());
        }
        for (auto& s : parse_flow_spec_stream(in->stream()))
            o.specs.push_back(std::move(s));
    }
    if (!words.empty())
        for (auto& s : parse_flow_specs(words))
            o.specs.push_back(std::move(s));
    return o;
}

class Sender {
public:
    explicit Sender(const Options& o) : o_(o), rng_(std::random_device{}()) {}

    void run()
    {
        for (const auto& spec : o_.specs) {
            IpAddr src = source_for(spec);
            if (spec.sports) {
                for (uint32_t p = spec.sports->first; p <= spec.sports->second; ++p)
                    send_flow(spec, src, static_cast<uint16_t>(p), true);
            } else {
                send_flow(spec, src, random_port(), false);
            }
        }
    }

private:
    IpAddr source_for(const FlowSpec& s) const
    {
        if (s.src)
            return *s.src;
        for (const auto& a : o_.src)
            if (a.family() == s.dst.family())
                return a;
        return route_source(s.dst, o_.dev);
    }

    uint16_t random_port() { return static_cast<uint16_t>(std::uniform_int_distribution<int>(32768, 60999)(rng_)); }

    void pace()
    {
        if (o_.interval_ms && sent_any_)
            std::this_thread::sleep_for(std::chrono::milliseconds(o_.interval_ms));
        sent_any_ = true;
    }

    void bind_device(const Fd& fd) const
    {
        if (!o_.dev.empty() &&
            setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, o_.dev.c_str(),
                       static_cast<socklen_t>(o_.dev.size())) < 0)
            throw_errno("SO_BINDTODEVICE " + o_.dev);
    }

    void send_flow(const FlowSpec& s, const IpAddr& src, uint16_t sport, bool sport_fixed)
    {
        FlowRecord truth;
        truth.proto = s.proto;
        truth.src = src;
        truth.dst = s.dst;
        if (is_icmp_proto(s.proto)) {
            truth.icmp_type = s.icmp_type;
            truth.icmp_code = s.icmp_code;
            truth.dport = static_cast<uint16_t>(s.icmp_type << 8 | s.icmp_code);
        } else {
            truth.dport = s.dport;
        }
        truth.packets = s.packets_per_flow();
        truth.bytes = s.bytes_per_flow();
        truth.tcpflags = s.tcpflags_union();
        if (s.proto == PROTO_UDP)
            truth.sport = o_.dry_run ? sport : send_udp(s, src, sport, sport_fixed);
        else if (!is_icmp_proto(s.proto))
            truth.sport = sport;
        if (!o_.dry_run && s.proto != PROTO_UDP)
            send_raw(s, src, truth.sport);
        std::cout << truth.str() << std::endl;
    }

    // Returns the source port actually used.
    uint16_t send_udp(const FlowSpec& s, const IpAddr& src, uint16_t sport, bool sport_fixed)
    {
        const bool v6 = s.is_v6();
        for (int attempt = 0;; ++attempt) {
            Fd fd = make_socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
            int one = 1;
            setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            bind_device(fd);
            int tos = s.tos, ttl = s.ttl;
            if (v6) {
                int pmtu = IPV6_PMTUDISC_DO;
                setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu);
                setsockopt(fd.get(), IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof one);
                if (setsockopt(fd.get(), IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos) < 0 ||
                    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) < 0)
                    throw_errno("setsockopt IPV6_TCLASS/HOPS");
            } else {
                int pmtu = IP_PMTUDISC_DO;
                setsockopt(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
                if (setsockopt(fd.get(), IPPROTO_IP, IP_TOS, &tos, sizeof tos) < 0 ||
                    setsockopt(fd.get(), IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) < 0)
                    throw_errno("setsockopt IP_TOS/TTL");
                if (!s.ip_opts.empty() &&
                    setsockopt(fd.get(), IPPROTO_IP, IP_OPTIONS, s.ip_opts.data(),
                               static_cast<socklen_t>(s.ip_opts.size())) < 0)
                    throw_errno("setsockopt IP_OPTIONS (" + s.text + ")");
            }
            sockaddr_storage ss;
            socklen_t len = Endpoint{src, sport}.to_sockaddr(ss);
            if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0) {
                if (errno == EADDRINUSE && !sport_fixed && attempt < 20) {
                    sport = random_port();
                    continue;
                }
                throw_errno("bind " + Endpoint{src, sport}.str());
            }
            sockaddr_storage dst;
            socklen_t dlen = Endpoint{s.dst, s.dport}.to_sockaddr(dst);
            const auto payload = payload_pattern(s.size);
            for (uint32_t i = 0; i < s.count; ++i) {
                pace();
                if (::sendto(fd.get(), payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&dst), dlen) < 0)
                    throw_errno("sendto " + Endpoint{s.dst, s.dport}.str() + " (packet " +
                                std::to_string(i + 1) + " of '" + s.text + "')");
            }
            return sport;
        }
    }

    void send_raw(const FlowSpec& s, const IpAddr& src, uint16_t sport)
    {
        const bool v6 = s.is_v6();
        Fd fd = make_socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW, IPPROTO_RAW);
        bind_device(fd);
        sockaddr_storage dst;
        socklen_t dlen = Endpoint{s.dst, 0}.to_sockaddr(dst);
        IpParams ip;
        ip.src = src;
        ip.dst = s.dst;
        ip.proto = s.proto;
        ip.tos = s.tos;
        ip.ttl = s.ttl;
        ip.flow_label = s.flow_label;
        ip.ext_hdrs = s.ext_hdrs;
        ip.ip_opts = s.ip_opts;
        const auto payload = payload_pattern(s.size);
        auto send = [&](const std::vector<uint8_t>& l4, uint64_t n) {
            pace();
            ip.ident = static_cast<uint16_t>(ident_++);
            auto pkt = build_ip(ip, l4);
            if (::sendto(fd.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&dst), dlen) < 0)
                throw_errno("raw sendto " + s.dst.str() + " (packet " + std::to_string(n) + " of '" +
                            s.text + "', " + std::to_string(pkt.size()) + " bytes)");
        };
        uint64_t n = 0;
        if (s.proto == PROTO_TCP) {
            TcpParams t;
            t.sport = sport;
            t.dport = s.dport;
            t.seq = static_cast<uint32_t>(rng_());
            t.ack = 1;
            t.options = s.tcp_opts;
            const std::vector<uint8_t> none;
            if (s.syn) {
                TcpParams syn = t;
                syn.flags = tcpflag::SYN;
                syn.ack = 0;
                send(build_tcp(src, s.dst, syn, none), ++n);
                ++t.seq;
            }
            t.flags = s.data_flags;
            for (uint32_t i = 0; i < s.count; ++i) {
                send(build_tcp(src, s.dst, t, payload), ++n);
                t.seq += s.size;
            }
            if (s.fin) {
                t.flags = tcpflag::FIN | tcpflag::ACK;
                send(build_tcp(src, s.dst, t, none), ++n);
            }
        } else {
            IcmpParams p;
            p.type = s.icmp_type;
            p.code = s.icmp_code;
            p.id = s.icmp_id;
            for (uint32_t i = 0; i < s.count; ++i) {
                p.seq = static_cast<uint16_t>(i + 1);
                send(build_icmp(src, s.dst, p, payload), ++n);
            }
        }
    }

    const Options& o_;
    std::mt19937 rng_;
    bool sent_any_ = false;
    uint32_t ident_ = 1;
};

} // namespace

int main(int argc, char** argv)
{
    try {
        Options o = parse_args(argc, argv);
        if (o.specs.empty())
            throw UsageError("no flow spec given");
        Sender(o).run();
        return 0;
    } catch (const SpecError& e) {
        std::cerr << "nf-send: " << e.what() << "\n(see nf-send --help)\n";
        return 2;
    } catch (const UsageError& e) {
        std::cerr << "nf-send: " << e.what() << "\n(see nf-send --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "nf-send: " << e.what() << "\n";
        return 1;
    }
}
