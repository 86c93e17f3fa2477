// nf-collect: our own strict NetFlow v5 / v9 / IPFIX collector. Listens on a
// UDP port (or reads a pcap capture), decodes every export packet, checks its
// structure and sequence numbers, and prints one line per packet, template,
// options record and flow record.
#include "cli.hpp"
#include "decoder.hpp"
#include "net.hpp"
#include "pcap.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <getopt.h>
#include <iostream>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/signalfd.h>
#include <unistd.h>

using namespace nft;

namespace {

const char kUsage[] = R"(usage: nf-collect -l ADDR:PORT [options]
       nf-collect --pcap FILE [--port N] [options]

Receives NetFlow v5, NetFlow v9 and IPFIX export packets and decodes them
strictly. Output lines (key=value, stable order):

  pdu version=5 exporter=IP:PORT count=N length=N seq=N uptime=MS unix_secs=S
      unix_nsecs=NS engine_type=N engine_id=N sampling=N
  pdu version=9 exporter=.. count=N length=N seq=N uptime=MS unix_secs=S
      source_id=N sets=N template_records=N data_records=N
  pdu version=10 exporter=.. length=N export_time=S seq=N domain=N sets=N
      template_records=N data_records=N
  template / options_template version=V exporter=.. domain=N id=N [scope=..]
      fields=IE:LEN,... record_len=N      ([withdrawn=1] for IPFIX withdrawals)
  option version=V exporter=.. domain=N template=N scope.NAME=V NAME=V ...
  flow proto=N src=A sport=N dst=A dport=N packets=N bytes=N tcpflags=0xNN
      icmp_type=N icmp_code=N ver=V exporter=.. [engine_type engine_id first last
      nexthop in_if out_if tos src_as dst_as src_mask dst_mask] (v5)
      [domain template + one key per template field] (v9/IPFIX; RFC 5103
      reverse elements, PEN 29305, as rev_ + the forward key: rev_packets ...)
  error kind=format|seq version=V exporter=.. msg="..."
  warning / notice kind=warning|no_template ...
  summary pdus=N flows=N seq_errors=N format_errors=N templates=N options=N
      no_template=N warnings=N

Checks: v5 24-byte header, 1 <= count <= 30, length == 24+48*count, zero
padding; flow_sequence continuity per (exporter, engine_type, engine_id).
v9: sequence +1 per packet per (exporter, source id), header count == records,
set lengths, padding < 4 and zero, template ids >= 256. IPFIX: header length
== datagram length, sequence == previous + data records per (exporter, domain),
set ids and padding; a biflow's reverse packets and bytes come together,
bytes >= packets. Data for unknown templates is a notice, not an error.

  -l, --listen ADDR:PORT  UDP address to listen on ([::]:2055 for IPv6)
      --pcap FILE         decode the UDP datagrams of a classic pcap capture
                          (dumpcap -P) instead of listening
      --port N            with --pcap: only datagrams to this port
  -c, --count N           stop after N export packets
  -t, --timeout S         stop after S seconds without a packet (default: never)
      --first-seq N       the first packet of every stream must carry sequence N
      --split-biflows     a biflow record (RFC 5103) gives two flow lines: itself
                          with biflow=forward and, if its reverse direction
                          counted packets, that direction with biflow=reverse:
                          from the (post-NAT) destination to the (post-NAT)
                          source, as the reply came in, with the reverse counts
                          (ICMP: the reply's type); summary flows= counts lines
  -o, --output FILE       write the lines to FILE instead of stdout
  -q, --quiet             print only error/warning/notice and summary lines
      --totals            flow records of one packet or more are summed, not
                          printed (those of 0 packets, NAT events, are): one
                          "totals ver=V flows=N packets=N bytes=N" line per
                          version before the summary (long runs: less output)
      --rcvbuf BYTES      socket receive buffer (default 4194304)
  -h, --help

SIGINT/SIGTERM end the run. The summary line is always printed last.
Exit: 0 no format or sequence errors, 1 errors found, 2 usage/socket error.
)";

struct Options {
    std::optional<Endpoint> listen;
    std::string pcap;
    std::optional<uint16_t> port;
    uint64_t count = 0;
    double timeout = 0;
    DecoderOptions dec;
    std::string output;
    bool quiet = false, totals = false;
    int rcvbuf = 4 * 1024 * 1024;
};

Options parse_args(int argc, char** argv)
{
    enum { PCAP = 256, PORT, FIRST_SEQ, RCVBUF, TOTALS, SPLIT };
    static const option longopts[] = {
        {"listen", required_argument, nullptr, 'l'},   {"pcap", required_argument, nullptr, PCAP},
        {"port", required_argument, nullptr, PORT},    {"count", required_argument, nullptr, 'c'},
        {"timeout", required_argument, nullptr, 't'},  {"first-seq", required_argument, nullptr, FIRST_SEQ},
        {"output", required_argument, nullptr, 'o'},   {"quiet", no_argument, nullptr, 'q'},
        {"rcvbuf", required_argument, nullptr, RCVBUF}, {"help", no_argument, nullptr, 'h'},
        {"totals", no_argument, nullptr, TOTALS},       {"split-biflows", no_argument, nullptr, SPLIT},
        {nullptr, 0, nullptr, 0}};
    Options o;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "l:c:t:o:qh", longopts, nullptr)) != -1) {
        switch (c) {
        case 'l':
            o.listen = Endpoint::parse(optarg);
            if (!o.listen)
                throw UsageError(std::string("bad --listen '") + optarg + "' (expected ADDR:PORT or [V6]:PORT)");
            break;
        case PCAP: o.pcap = optarg; break;
        case PORT: o.port = static_cast<uint16_t>(num_arg("--port", optarg, 65535)); break;
        case 'c': o.count = num_arg("--count", optarg, UINT64_MAX); break;
        case 't': {
            char* end = nullptr;
            o.timeout = std::strtod(optarg, &end);
            if (!end || *end || o.timeout < 0)
                throw UsageError(std::string("bad --timeout '") + optarg + "'");
            break;
        }
        case FIRST_SEQ: o.dec.first_seq = static_cast<uint32_t>(num_arg("--first-seq", optarg, UINT32_MAX)); break;
        case 'o': o.output = optarg; break;
        case 'q': o.quiet = true; break;
        case TOTALS: o.totals = true; break;
        case SPLIT: o.dec.split_biflows = true; break;
        case RCVBUF: o.rcvbuf = static_cast<int>(num_arg("--rcvbuf", optarg, INT32_MAX)); break;
        case 'h': std::cout << kUsage; std::exit(0);
        default: throw UsageError(std::string("unknown or incomplete option '") + argv[optind - 1] + "'");
        }
    }
    if (optind != argc)
        throw UsageError(std::string("unexpected argument '") + argv[optind] + "'");
    if (!o.listen == o.pcap.empty())
        throw UsageError("give exactly one of --listen and --pcap");
    return o;
}

class Printer {
public:
    Printer(std::ostream& out, bool quiet, bool totals) : out_(out), quiet_(quiet), totals_(totals) {}
    void print(const DecodeResult& r)
    {
        for (const auto& l : r.lines) {
            if (totals_ && l.tag == "flow" && add(l))
                continue;
            if (!quiet_ || l.tag == "error" || l.tag == "warning" || l.tag == "notice")
                out_ << l.str() << '\n';
        }
        out_.flush();
    }
    void line(const KvLine& l) { out_ << l.str() << std::endl; }
    void totals()
    {
        for (const auto& [ver, t] : sums_) {
            KvLine l{"totals", {}};
            l.add("ver", ver);
            l.add("flows", t[0]);
            l.add("packets", t[1]);
            l.add("bytes", t[2]);
            line(l);
        }
    }

private:
    // a flow of 1 packet or more into the sums (true), or not (false)
    bool add(const KvLine& l)
    {
        const std::string *p = l.get("packets"), *b = l.get("bytes"), *v = l.get("ver");
        if (!p || !b || !v || *p == "0")
            return false;
        auto& t = sums_[*v];
        ++t[0];
        t[1] += std::stoull(*p);
        t[2] += std::stoull(*b);
        return true;
    }
    std::ostream& out_;
    bool quiet_, totals_;
    std::map<std::string, std::array<uint64_t, 3>> sums_;
};

int finish(const Decoder& dec, Printer& p)
{
    p.totals();
    p.line(dec.stats().summary());
    const auto& s = dec.stats();
    return s.format_errors || s.seq_errors ? 1 : 0;
}

int run_pcap(const Options& o, Decoder& dec, Printer& p)
{
    PcapReader reader(o.pcap);
    uint64_t n = 0;
    while (auto d = reader.next()) {
        if (o.port && d->dst.port != *o.port)
            continue;
        p.print(dec.decode(d->payload, d->src));
        if (o.count && ++n >= o.count)
            break;
    }
    return finish(dec, p);
}

int run_listen(const Options& o, Decoder& dec, Printer& p)
{
    // SIGINT/SIGTERM arrive through a signalfd, so no handler state is needed.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &mask, nullptr) < 0)
        throw_errno("sigprocmask");
    Fd sfd(signalfd(-1, &mask, SFD_CLOEXEC));
    if (!sfd)
        throw_errno("signalfd");

    Fd sock = make_socket(o.listen->addr.family(), SOCK_DGRAM, 0);
    int one = 1;
    setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (o.listen->addr.is_v6())
        setsockopt(sock.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (o.rcvbuf > 0) {
        // SO_RCVBUFFORCE (root) lifts the rmem_max cap; fall back silently.
        if (setsockopt(sock.get(), SOL_SOCKET, SO_RCVBUFFORCE, &o.rcvbuf, sizeof o.rcvbuf) < 0)
            setsockopt(sock.get(), SOL_SOCKET, SO_RCVBUF, &o.rcvbuf, sizeof o.rcvbuf);
    }
    sockaddr_storage ss;
    socklen_t len = o.listen->to_sockaddr(ss);
    if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0)
        throw_errno("bind " + o.listen->str());
    sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    getsockname(sock.get(), reinterpret_cast<sockaddr*>(&bound), &blen);
    std::cerr << "nf-collect: listening on " << Endpoint::from_sockaddr(bound).str() << std::endl;

    using clock = std::chrono::steady_clock;
    auto last = clock::now();
    std::vector<uint8_t> buf(65536);
    uint64_t n = 0;
    for (;;) {
        int wait_ms = -1;
        if (o.timeout > 0) {
            double left = o.timeout - std::chrono::duration<double>(clock::now() - last).count();
            if (left <= 0)
                break;
            wait_ms = static_cast<int>(left * 1000) + 1;
        }
        pollfd fds[2] = {{sock.get(), POLLIN, 0}, {sfd.get(), POLLIN, 0}};
        int rc = ::poll(fds, 2, wait_ms);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            throw_errno("poll");
        }
        if (fds[1].revents & POLLIN)
            break; // SIGINT / SIGTERM
        if (!(fds[0].revents & POLLIN))
            continue;
        sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t got = ::recvfrom(sock.get(), buf.data(), buf.size(), MSG_TRUNC,
                                 reinterpret_cast<sockaddr*>(&from), &flen);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            throw_errno("recvfrom");
        }
        last = clock::now();
        size_t size = std::min(static_cast<size_t>(got), buf.size());
        p.print(dec.decode(buf.data(), size, Endpoint::from_sockaddr(from)));
        if (o.count && ++n >= o.count)
            break;
    }
    return finish(dec, p);
}

} // namespace

int main(int argc, char** argv)
{
    try {
        Options o = parse_args(argc, argv);
        std::ofstream file;
        if (!o.output.empty()) {
            file.open(o.output);
            if (!file)
                throw std::runtime_error("cannot write " + o.output);
        }
        Printer p(o.output.empty() ? std::cout : file, o.quiet, o.totals);
        Decoder dec(o.dec);
        return o.listen ? run_listen(o, dec, p) : run_pcap(o, dec, p);
    } catch (const UsageError& e) {
        std::cerr << "nf-collect: " << e.what() << "\n(see nf-collect --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "nf-collect: " << e.what() << "\n";
        return 2;
    }
}
