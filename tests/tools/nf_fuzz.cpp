// nf-fuzz: seeded, reproducible malformed IPv4/IPv6 packets through a
// metered path, and the ground truth of what the kernel lets through to
// the NETFLOW rule and what ipt_NETFLOW must count of it.
//
// packet mode writes Ethernet frames with AF_PACKET on a veth: the peer
// receives them exactly as built, and the rule meets what ip_rcv /
// ipv6_rcv let through in PREROUTING.  raw mode writes to raw IP sockets
// (IP_HDRINCL, IPv6 IPPROTO_RAW): the rule meets them in OUTPUT, where the
// kernel checks much less.  tap mode writes the GSO classes, each frame
// after a virtio_net_hdr, to a tap device (IFF_VNET_HDR) as a VM's virtio
// NIC does: PREROUTING of the tap meets GSO skbs whose segments nobody has
// counted yet.  The generator and the model are lib/fuzz.*.
#include "cli.hpp"
#include "fuzz.hpp"
#include "net.hpp"
#include "text.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <getopt.h>
#include <iostream>
#include <map>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <fcntl.h>
#include <unistd.h>
#include <optional>
#include <random>
#include <sys/ioctl.h>
#include <thread>
#include <vector>

using namespace nft;
using namespace nft::fuzz;

namespace {

const char kUsage[] = R"(usage: nf-fuzz [options]

Generates --count packets of the classes below (drawn by weight, each class
from its own seeded stream: the same seed, count and destinations give
byte-identical packets, and --class sends exactly the packets those classes
have in a full run) and sends them:

  -m packet   Ethernet frames written with AF_PACKET on --dev (a veth end):
              the peer's stack receives them as built; a rule on the peer's
              PREROUTING sees what ip_rcv/ipv6_rcv let through
  -m raw      raw IP sockets (IP_HDRINCL, IPv6 IPPROTO_RAW) to --dst4/--dst6:
              a rule in OUTPUT sees them; the kernel fixes IPv4 total length
              and checksum and refuses a bad IHL (EINVAL, counted "rejected")
  -m tap      the GSO classes (only they; the others in the two modes
              above): frames after a virtio_net_hdr written to tap device
              --dev (IFF_VNET_HDR; made persistent beforehand, e.g. ip tuntap
              add nftap mode tap vnet_hdr), to its own MAC: a rule on its
              PREROUTING sees what ip_rcv/ipv6_rcv let through; a header
              the tap refuses (EINVAL) is counted "rejected"

Class k's packets come from 10.99.k.1-2 (IPv4) or 2001:db8:f1f:k::1-2, so an
iptables rule matching that prefix counts the class at a hook.

Prints "nf-fuzz seed=N ..." first, then per class "class=NAME sent=N", and
"total sent=N". With --truth also, per class and in total, what reaches the
hook and what ipt_NETFLOW must count there, from a model of the kernel's
checks (6.1, 6.12) and of the module's parser:

  truth class=NAME index=K family=4 path=prerouting src=PREFIX sent=N hook=N
        bytes=N trunc=N trunc_bytes=N frag=N frag_ext=N gso=N accounted=N
        accounted_bytes=N drop_hdr=N drop_csum=N drop_short=N drop_discard=N
        rejected=N
  (then class=total4, total6 and total: the sums)

  hook       packets the rule sees, bytes their IP-layer bytes there; trunc:
             of them, the module's cache_trunc (flow key unreadable, counted
             in dropPackets, trunc_bytes in dropBytes); frag: accounted
             fragments (cache_frag); accounted: the packets the module
             counts of the rest (inPackets; accounted_bytes: inBytes): hook
             - trunc, but a GSO skb counts as its segments, each with its
             own headers
  gso        of hook - trunc: GSO skbs at the hook (tap)
  frag_ext   of frag: later IPv6 fragments whose fragment header names an
             extension header next (RFC 8200 allows it; ipv6_find_hdr()
             says -ENOENT, and the module finds the fragment header itself)
  drop_hdr   PREROUTING: InHdrErrors (IPv4 also on a bad checksum, which
             alone is drop_csum: InCsumErrors); drop_short: InTruncatedPkts;
             drop_discard: tap, IPv4 cut to its total length before the end
             of the checksum field its header asked for (InDiscards; IPv6
             counts that in drop_hdr)

Options:
  -S, --seed N          seed (default: random; printed)
  -c, --count N         packets to generate (default 2000)
  -m, --mode MODE       packet (default) or raw
  -I, --dev IFNAME      packet: the interface to write on (required);
                        raw: bind the sockets to it (SO_BINDTODEVICE)
      --dst-mac MAC     packet: destination MAC (default ff:ff:ff:ff:ff:ff;
                        give the peer's own, or IPv4 runs into broadcast rules)
      --dst4 ADDR       IPv4 destination (default 192.0.2.1)
      --dst6 ADDR       IPv6 destination (default 2001:db8:f10::1)
  -C, --class LIST      send only these classes: names, NAME* prefixes, or
                        4 / 6 for a family, comma separated
  -t, --truth           print the ground truth
  -l, --list-classes    print the classes and exit
  -w, --pcap FILE       also write the packets sent to FILE (LINKTYPE_RAW)
  -x, --hex             print every packet sent: "packet n=N class=NAME hex=.."
  -n, --dry-run         generate and count, send nothing
      --interval-us N   pause N microseconds between packets (default 0)
  -h, --help

Examples:
  ip netns exec nfns nf-fuzz -I nfv1 --dst-mac 02:.. --seed 1 --count 20000 --truth
  nf-fuzz -m raw -I nfv0 --dst4 192.0.2.2 --dst6 2001:db8:f10::2 --seed 1 --truth
  nf-fuzz -n --seed 7 --count 50 --class v6_frag* --hex

Packet mode retries a frame the veth refused (ENOBUFS: the peer's backlog
was full; never seen by the peer's stack) and counts it in "retries".
Exit: 0 ok, 1 a send error or a raw-socket result the model did not
predict, 2 usage error.
)";

struct Options {
    std::optional<uint64_t> seed;
    uint64_t count = 2000;
    bool raw = false, tap = false;
    std::string dev;
    uint8_t dst_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    IpAddr dst4 = *IpAddr::parse("192.0.2.1");
    IpAddr dst6 = *IpAddr::parse("2001:db8:f10::1");
    std::vector<bool> selected;
    bool truth = false, list = false, hex = false, dry_run = false;
    std::string pcap;
    uint32_t interval_us = 0;
};

bool parse_mac(const char* s, uint8_t out[6])
{
    unsigned v[6];
    char tail;
    if (std::sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return false;
    for (int i = 0; i < 6; ++i) {
        if (v[i] > 255)
            return false;
        out[i] = static_cast<uint8_t>(v[i]);
    }
    return true;
}

std::vector<bool> parse_classes(const std::string& list)
{
    std::vector<bool> sel(classes().size(), false);
    for (auto item : split(list, ',')) {
        item = trim(item);
        bool any = false;
        for (size_t i = 0; i < classes().size(); ++i) {
            const ClassInfo& c = classes()[i];
            bool m = item == c.name || (item == "4" && c.family == 4) || (item == "6" && c.family == 6) ||
                     (!item.empty() && item.back() == '*' &&
                      starts_with(c.name, item.substr(0, item.size() - 1)));
            if (m)
                sel[i] = any = true;
        }
        if (!any)
            throw UsageError("no class matches '" + std::string(item) + "' (see --list-classes)");
    }
    return sel;
}

Options parse_args(int argc, char** argv)
{
    enum { DSTMAC = 256, DST4, DST6, INTERVAL };
    static const option longopts[] = {
        {"seed", required_argument, nullptr, 'S'},      {"count", required_argument, nullptr, 'c'},
        {"mode", required_argument, nullptr, 'm'},      {"dev", required_argument, nullptr, 'I'},
        {"dst-mac", required_argument, nullptr, DSTMAC}, {"dst4", required_argument, nullptr, DST4},
        {"dst6", required_argument, nullptr, DST6},     {"class", required_argument, nullptr, 'C'},
        {"truth", no_argument, nullptr, 't'},           {"list-classes", no_argument, nullptr, 'l'},
        {"pcap", required_argument, nullptr, 'w'},      {"hex", no_argument, nullptr, 'x'},
        {"dry-run", no_argument, nullptr, 'n'},         {"interval-us", required_argument, nullptr, INTERVAL},
        {"help", no_argument, nullptr, 'h'},            {nullptr, 0, nullptr, 0}};
    Options o;
    o.selected.assign(classes().size(), true);
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "S:c:m:I:C:tlw:xnh", longopts, nullptr)) != -1) {
        switch (c) {
        case 'S': o.seed = num_arg("--seed", optarg, UINT64_MAX); break;
        case 'c': o.count = num_arg("--count", optarg, 100'000'000); break;
        case 'm':
            if (std::string(optarg) == "raw")
                o.raw = true;
            else if (std::string(optarg) == "tap")
                o.tap = true;
            else if (std::string(optarg) != "packet")
                throw UsageError(std::string("bad --mode '") + optarg + "' (packet, raw or tap)");
            break;
        case 'I': o.dev = optarg; break;
        case DSTMAC:
            if (!parse_mac(optarg, o.dst_mac))
                throw UsageError(std::string("bad --dst-mac '") + optarg + "'");
            break;
        case DST4:
        case DST6: {
            auto a = IpAddr::parse(optarg);
            if (!a || a->is_v4() != (c == DST4))
                throw UsageError(std::string("bad ") + (c == DST4 ? "--dst4" : "--dst6") + " '" + optarg + "'");
            (c == DST4 ? o.dst4 : o.dst6) = *a;
            break;
        }
        case 'C': o.selected = parse_classes(optarg); break;
        case 't': o.truth = true; break;
        case 'l': o.list = true; break;
        case 'w': o.pcap = optarg; break;
        case 'x': o.hex = true; break;
        case 'n': o.dry_run = true; break;
        case INTERVAL: o.interval_us = static_cast<uint32_t>(num_arg("--interval-us", optarg, 10'000'000)); break;
        case 'h': std::cout << kUsage; std::exit(0);
        default: throw UsageError(std::string("unknown or incomplete option '") + argv[optind - 1] + "'");
        }
    }
    if (optind < argc)
        throw UsageError(std::string("unexpected argument '") + argv[optind] + "'");
    if (!o.list && !o.dry_run && !o.raw && o.dev.empty())
        throw UsageError(std::string(o.tap ? "tap" : "packet") + " mode needs --dev IFNAME");
    return o;
}

// Classic pcap, LINKTYPE_RAW (IPv4 or IPv6 from the first byte).
class PcapWriter {
public:
    explicit PcapWriter(const std::string& path) : out_(path, std::ios::binary)
    {
        if (!out_)
            throw std::runtime_error("cannot write " + path);
        const uint32_t h[] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101};
        out_.write(reinterpret_cast<const char*>(h), sizeof h);
    }
    void add(const std::vector<uint8_t>& p)
    {
        const uint32_t r[] = {static_cast<uint32_t>(n_ / 1'000'000), static_cast<uint32_t>(n_ % 1'000'000),
                              static_cast<uint32_t>(p.size()), static_cast<uint32_t>(p.size())};
        ++n_;
        out_.write(reinterpret_cast<const char*>(r), sizeof r);
        out_.write(reinterpret_cast<const char*>(p.data()), static_cast<std::streamsize>(p.size()));
    }

private:
    std::ofstream out_;
    uint64_t n_ = 0;
};

struct Counts {
    uint64_t sent = 0, hook = 0, bytes = 0, trunc = 0, trunc_bytes = 0, frag = 0, frag_ext = 0;
    uint64_t gso = 0, acc = 0, acc_bytes = 0;
    uint64_t hdr = 0, csum = 0, shortp = 0, rejected = 0, discard = 0;
    void add(const Verdict& v)
    {
        ++sent;
        switch (v.drop) {
        case Drop::None:
            ++hook;
            bytes += v.len;
            trunc += v.trunc;
            trunc_bytes += v.trunc ? v.len : 0;
            frag += v.frag;
            frag_ext += v.frag_next_ext;
            if (!v.trunc) {
                gso += v.gso_size != 0;
                acc += v.segs;
                acc_bytes += v.wire_len;
            }
            break;
        case Drop::HdrError: ++hdr; break;
        case Drop::CsumError: ++csum, ++hdr; break;
        case Drop::TooShort: ++shortp; break;
        case Drop::Rejected: ++rejected; break;
        case Drop::Discard: ++discard; break;
        }
    }
    void add(const Counts& o)
    {
        sent += o.sent, hook += o.hook, bytes += o.bytes, trunc += o.trunc, trunc_bytes += o.trunc_bytes;
        frag += o.frag, frag_ext += o.frag_ext;
        gso += o.gso, acc += o.acc, acc_bytes += o.acc_bytes;
        hdr += o.hdr, csum += o.csum, shortp += o.shortp, rejected += o.rejected, discard += o.discard;
    }
    void fill(KvLine& l) const
    {
        l.add("sent", sent);
        l.add("hook", hook);
        l.add("bytes", bytes);
        l.add("trunc", trunc);
        l.add("trunc_bytes", trunc_bytes);
        l.add("frag", frag);
        l.add("frag_ext", frag_ext);
        l.add("gso", gso);
        l.add("accounted", acc);
        l.add("accounted_bytes", acc_bytes);
        l.add("drop_hdr", hdr);
        l.add("drop_csum", csum);
        l.add("drop_short", shortp);
        l.add("drop_discard", discard);
        l.add("rejected", rejected);
    }
};

class Sender {
public:
    explicit Sender(const Options& o) : o_(o)
    {
        if (o.dry_run)
            return;
        if (o.tap) {
            fdt_ = Fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
            if (fdt_.get() < 0)
                throw_errno("open /dev/net/tun");
            ifreq ifr{};
            std::strncpy(ifr.ifr_name, o.dev.c_str(), IFNAMSIZ - 1);
            ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
            if (ioctl(fdt_.get(), TUNSETIFF, &ifr) < 0)
                throw_errno("TUNSETIFF " + o.dev + " (a tap device with vnet_hdr?)");
            int hsz = 10; // struct virtio_net_hdr
            if (ioctl(fdt_.get(), TUNSETVNETHDRSZ, &hsz) < 0)
                throw_errno("TUNSETVNETHDRSZ");
            Fd s = make_socket(AF_INET, SOCK_DGRAM, 0);
            if (ioctl(s.get(), SIOCGIFHWADDR, &ifr) < 0)
                throw_errno("SIOCGIFHWADDR " + o.dev);
            std::memcpy(tap_mac_, ifr.ifr_hwaddr.sa_data, 6);
            return;
        }
        if (o.raw) {
            fd4_ = make_socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
            fd6_ = make_socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
            for (const Fd* fd : {&fd4_, &fd6_})
                if (!o.dev.empty() && setsockopt(fd->get(), SOL_SOCKET, SO_BINDTODEVICE, o.dev.c_str(),
                                                 static_cast<socklen_t>(o.dev.size())) < 0)
                    throw_errno("SO_BINDTODEVICE " + o.dev);
            return;
        }
        fdp_ = make_socket(AF_PACKET, SOCK_RAW, 0); // 0: receives nothing
        ifindex_ = static_cast<int>(if_nametoindex(o.dev.c_str()));
        if (!ifindex_)
            throw_errno("no interface " + o.dev);
        ifreq ifr{};
        std::strncpy(ifr.ifr_name, o.dev.c_str(), IFNAMSIZ - 1);
        if (ioctl(fdp_.get(), SIOCGIFHWADDR, &ifr) < 0)
            throw_errno("SIOCGIFHWADDR " + o.dev);
        std::memcpy(src_mac_, ifr.ifr_hwaddr.sa_data, 6);
    }

    // false: the kernel refused it (EINVAL on a raw socket or the tap)
    bool send(const std::vector<uint8_t>& ip, int family, const Gso& g)
    {
        if (o_.raw)
            return send_raw(ip, family);
        if (o_.tap)
            return send_tap(ip, family, g);
        std::vector<uint8_t> f(o_.dst_mac, o_.dst_mac + 6);
        f.insert(f.end(), src_mac_, src_mac_ + 6);
        const uint16_t et = family == 4 ? ETH_P_IP : ETH_P_IPV6;
        f.push_back(static_cast<uint8_t>(et >> 8));
        f.push_back(static_cast<uint8_t>(et));
        f.insert(f.end(), ip.begin(), ip.end());
        sockaddr_ll sll{};
        sll.sll_family = AF_PACKET;
        sll.sll_ifindex = ifindex_;
        sll.sll_halen = 6;
        std::memcpy(sll.sll_addr, o_.dst_mac, 6);
        for (int attempt = 0;; ++attempt) {
            if (::sendto(fdp_.get(), f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&sll), sizeof sll) >= 0)
                return true;
            if ((errno != ENOBUFS && errno != EAGAIN) || attempt >= 10000)
                throw_errno("AF_PACKET sendto on " + o_.dev + " (" + std::to_string(f.size()) + " bytes)");
            ++retries;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    uint64_t retries = 0;

private:
    // a frame to the tap's own MAC after its virtio_net_hdr (little
    // endian: a legacy header on x86); the stack has it when write returns
    bool send_tap(const std::vector<uint8_t>& ip, int family, const Gso& g)
    {
        std::vector<uint8_t> f = {g.flags, g.type};
        for (uint16_t x : {g.hdr_len, g.size, g.csum_start, g.csum_offset}) {
            f.push_back(static_cast<uint8_t>(x));
            f.push_back(static_cast<uint8_t>(x >> 8));
        }
        f.insert(f.end(), tap_mac_, tap_mac_ + 6);
        f.insert(f.end(), {0x02, 0, 0, 0, 0xf0, 0x01}); // a guest's MAC
        const uint16_t et = family == 4 ? ETH_P_IP : ETH_P_IPV6;
        f.push_back(static_cast<uint8_t>(et >> 8));
        f.push_back(static_cast<uint8_t>(et));
        f.insert(f.end(), ip.begin(), ip.end());
        const ssize_t n = ::write(fdt_.get(), f.data(), f.size());
        if (n == static_cast<ssize_t>(f.size()))
            return true;
        if (n < 0 && errno == EINVAL)
            return false;
        throw_errno("write to tap " + o_.dev + " (" + std::to_string(f.size()) + " bytes)");
    }

    bool send_raw(const std::vector<uint8_t>& ip, int family)
    {
        sockaddr_storage ss;
        socklen_t len = Endpoint{family == 4 ? o_.dst4 : o_.dst6, 0}.to_sockaddr(ss);
        const Fd& fd = family == 4 ? fd4_ : fd6_;
        if (::sendto(fd.get(), ip.data(), ip.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) >= 0)
            return true;
        if (errno == EINVAL)
            return false;
        throw_errno("raw sendto " + (family == 4 ? o_.dst4 : o_.dst6).str() + " (" + std::to_string(ip.size()) +
                    " bytes)");
    }

    const Options& o_;
    Fd fdp_, fd4_, fd6_, fdt_;
    int ifindex_ = 0;
    uint8_t src_mac_[6] = {}, tap_mac_[6] = {};
};

int run(const Options& o)
{
    if (o.list) {
        for (size_t i = 0; i < classes().size(); ++i) {
            const ClassInfo& c = classes()[i];
            KvLine l{"class", {}};
            l.add("index", i);
            l.add("name", c.name);
            l.add("family", static_cast<uint64_t>(c.family));
            l.add("src", class_prefix(static_cast<int>(i)).str());
            l.add("weight", c.weight);
            l.add("mode", c.gso ? "tap" : "packet,raw");
            l.add("what", c.what);
            std::cout << l.str() << "\n";
        }
        return 0;
    }
    const uint64_t seed = o.seed ? *o.seed : (uint64_t{std::random_device{}()} << 32 | std::random_device{}());
    const Path path = o.raw ? Path::Output : o.tap ? Path::Tap : Path::Prerouting;
    std::cout << "nf-fuzz seed=" << seed << " count=" << o.count
              << " mode=" << (o.raw ? "raw" : o.tap ? "tap" : "packet")
              << " path=" << path_name(path) << (o.dry_run ? " dry_run=1" : "") << std::endl;

    Generator gen(seed, o.dst4, o.dst6, o.tap);
    Sender sender(o);
    std::optional<PcapWriter> pcap;
    if (!o.pcap.empty())
        pcap.emplace(o.pcap);
    std::vector<Counts> counts(classes().size());
    uint64_t mispredicted = 0;
    for (uint64_t i = 0; i < o.count; ++i) {
        Packet p = gen.next();
        if (!o.selected[static_cast<size_t>(p.cls)])
            continue;
        const ClassInfo& ci = classes()[static_cast<size_t>(p.cls)];
        Verdict v = predict(p.ip, ci.family, path, p.gso);
        if (o.hex)
            std::cout << "packet n=" << i << " class=" << ci.name << " len=" << p.ip.size()
                      << " verdict=" << drop_name(v.drop) << (v.trunc ? ",trunc" : "") << (v.frag ? ",frag" : "")
                      << (o.tap ? " gso=" + std::to_string(p.gso.type) + "/" + std::to_string(p.gso.size) + "/" +
                                      std::to_string(p.gso.flags) + "/" + std::to_string(p.gso.csum_start) + "+" +
                                      std::to_string(p.gso.csum_offset) + "/" + std::to_string(p.gso.hdr_len) +
                                      " segs=" + std::to_string(v.segs)
                                : "")
                      << " hex=" << hex_bytes(p.ip.data(), p.ip.size()) << "\n";
        if (pcap)
            pcap->add(p.ip);
        if (!o.dry_run) {
            if (o.interval_us && i)
                std::this_thread::sleep_for(std::chrono::microseconds(o.interval_us));
            const bool accepted = sender.send(p.ip, ci.family, p.gso);
            if (o.tap && !accepted) { // the tap said so
                v = Verdict{};
                v.drop = Drop::Rejected;
            }
            if (o.raw && accepted != (v.drop != Drop::Rejected)) {
                ++mispredicted;
                std::cerr << "nf-fuzz: packet " << i << " (" << ci.name << ", " << p.ip.size() << " bytes): sendto "
                          << (accepted ? "accepted" : "refused (EINVAL)") << ", the model said "
                          << drop_name(v.drop) << "\n  " << hex_bytes(p.ip.data(), p.ip.size()) << "\n";
            }
        }
        counts[static_cast<size_t>(p.cls)].add(v);
    }

    Counts total, fam[2];
    for (size_t i = 0; i < classes().size(); ++i) {
        if (!o.selected[i] || classes()[i].gso != o.tap)
            continue;
        std::cout << "class=" << classes()[i].name << " sent=" << counts[i].sent << "\n";
        total.add(counts[i]);
        fam[classes()[i].family == 6].add(counts[i]);
    }
    std::cout << "total sent=" << total.sent << " retries=" << sender.retries << "\n";
    if (o.truth) {
        for (size_t i = 0; i < classes().size(); ++i) {
            if (!o.selected[i] || classes()[i].gso != o.tap)
                continue;
            KvLine l{"truth", {}};
            l.add("class", classes()[i].name);
            l.add("index", i);
            l.add("family", static_cast<uint64_t>(classes()[i].family));
            l.add("path", path_name(path));
            l.add("src", class_prefix(static_cast<int>(i)).str());
            counts[i].fill(l);
            std::cout << l.str() << "\n";
        }
        for (int f = 0; f < 3; ++f) {
            KvLine l{"truth", {}};
            l.add("class", f == 0 ? "total4" : f == 1 ? "total6" : "total");
            l.add("path", path_name(path));
            (f < 2 ? fam[f] : total).fill(l);
            std::cout << l.str() << "\n";
        }
    }
    std::cout.flush();
    if (mispredicted) {
        std::cerr << "nf-fuzz: " << mispredicted << " raw-socket results differ from the model\n";
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(parse_args(argc, argv));
    } catch (const UsageError& e) {
        std::cerr << "nf-fuzz: " << e.what() << "\n(see nf-fuzz --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "nf-fuzz: " << e.what() << "\n";
        return 1;
    }
}
