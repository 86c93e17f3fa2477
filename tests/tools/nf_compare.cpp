// nf-compare: compares ground-truth flows (nf-send) with what an exporter /
// collector reported (nf-collect, nfdump, tshark).
#include "adapters.hpp"
#include "aggr.hpp"
#include "cli.hpp"
#include "compare.hpp"

#include <getopt.h>
#include <iostream>
#include <optional>

using namespace nft;

namespace {

std::string usage()
{
    return std::string(R"(usage: nf-compare [options] TRUTH OBSERVED

Aggregates both sides by flow key and compares packets, bytes and TCP flags
exactly. Key: proto src sport dst dport; for ICMP/ICMPv6 proto src dst
icmp_type icmp_code (ports ignored). Several records of one flow (interim
exports, per-CPU records) are summed, flags OR-ed. "-" reads stdin.

  -f, --format FMT        format of OBSERVED (default truth):
                            truth        "flow k=v ..." lines (nf-send, nf-collect)
                            nfdump-csv   nfdump -r FILE -o csv
                            tshark       tshark -r PCAP <TSHARK_FIELDS>
                            tshark-pdml  tshark -r PCAP <TSHARK_PDML>
      --truth-format FMT  format of TRUTH (default truth)
      --ignore-extra      flows only in OBSERVED are not an error (counted)
      --ignore-flags      do not compare TCP flags
      --only-src PREFIX   compare only flows whose source is in PREFIX
      --only-dst PREFIX   ... destination in PREFIX (both repeatable; any matches)
      --only-proto P      ... with protocol P (number or name; repeatable)
      --aggregate RULES   apply the module's aggregation= RULES to TRUTH first
                          (e.g. 10.0.0.0/8=16,1000-1999=1000): the flows they
                          merge are one, with src_mask/dst_mask as applied
      --masks             also compare src_mask/dst_mask (nf-collect output)
  -q, --quiet             print only the summary line
  -h, --help

TSHARK_FIELDS = )") + kTsharkFieldsArgs + "\nTSHARK_PDML   = " + kTsharkPdmlArgs + R"(
(replace 2055 with the collector port of the capture)

Output: one line per difference, then a summary:
  missing  <key> packets=N bytes=N tcpflags=0xNN            (in TRUTH only)
  extra    <key> packets=N bytes=N tcpflags=0xNN records=N  (in OBSERVED only)
  mismatch <key> packets=EXP/GOT bytes=EXP/GOT tcpflags=EXP/GOT records=N
           [masks=S/D/S/D]   (--masks; "mixed": records of one flow disagree)
  compare truth_flows=N observed_flows=N matched=N missing=N extra=N
          mismatched=N ignored_extra=N result=ok|FAIL
Exit: 0 all match, 1 differences, 2 usage or input error.
)";
}

struct Options {
    InputFormat format = InputFormat::Truth;
    InputFormat truth_format = InputFormat::Truth;
    CompareOptions cmp;
    std::optional<AggrRules> aggr;
    bool quiet = false;
    std::string truth, observed;
};

InputFormat format_arg(const char* v)
{
    auto f = parse_input_format(v);
    if (!f)
        throw UsageError(std::string("unknown format '") + v + "' (truth, nfdump-csv, tshark, tshark-pdml)");
    return *f;
}

Prefix prefix_arg(const char* v)
{
    auto p = Prefix::parse(v);
    if (!p)
        throw UsageError(std::string("bad prefix '") + v + "'");
    return *p;
}

Options parse_args(int argc, char** argv)
{
    enum { TRUTH_FORMAT = 256, IGNORE_EXTRA, IGNORE_FLAGS, ONLY_SRC, ONLY_DST, ONLY_PROTO,
           AGGREGATE, MASKS };
    static const option longopts[] = {
        {"format", required_argument, nullptr, 'f'},
        {"truth-format", required_argument, nullptr, TRUTH_FORMAT},
        {"ignore-extra", no_argument, nullptr, IGNORE_EXTRA},
        {"ignore-flags", no_argument, nullptr, IGNORE_FLAGS},
        {"only-src", required_argument, nullptr, ONLY_SRC},
        {"only-dst", required_argument, nullptr, ONLY_DST},
        {"only-proto", required_argument, nullptr, ONLY_PROTO},
        {"aggregate", required_argument, nullptr, AGGREGATE},
        {"masks", no_argument, nullptr, MASKS},
        {"quiet", no_argument, nullptr, 'q'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0}};
    Options o;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "f:qh", longopts, nullptr)) != -1) {
        switch (c) {
        case 'f': o.format = format_arg(optarg); break;
        case TRUTH_FORMAT: o.truth_format = format_arg(optarg); break;
        case IGNORE_EXTRA: o.cmp.ignore_extra = true; break;
        case IGNORE_FLAGS: o.cmp.ignore_flags = true; break;
        case ONLY_SRC: o.cmp.filter.src.push_back(prefix_arg(optarg)); break;
        case ONLY_DST: o.cmp.filter.dst.push_back(prefix_arg(optarg)); break;
        case ONLY_PROTO: {
            auto p = protocol_from_name(optarg);
            if (!p)
                throw UsageError(std::string("bad protocol '") + optarg + "'");
            o.cmp.filter.protos.insert(*p);
            break;
        }
        case AGGREGATE: {
            std::string bad;
            o.aggr = AggrRules::parse(optarg, &bad);
            if (!o.aggr)
                throw UsageError("bad aggregation rule '" + bad + "'");
            break;
        }
        case MASKS: o.cmp.masks = true; break;
        case 'q': o.quiet = true; break;
        case 'h': std::cout << usage(); std::exit(0);
        default: throw UsageError(std::string("unknown or incomplete option '") + argv[optind - 1] + "'");
        }
    }
    if (argc - optind != 2)
        throw UsageError("expected two files: TRUTH OBSERVED");
    o.truth = argv[optind];
    o.observed = argv[optind + 1];
    if (o.truth == "-" && o.observed == "-")
        throw UsageError("only one of TRUTH and OBSERVED can be stdin");
    return o;
}

std::vector<FlowRecord> load(const std::string& path, InputFormat fmt)
{
    Input in(path);
    try {
        return read_flows(in.stream(), fmt);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

} // namespace

int main(int argc, char** argv)
{
    try {
        Options o = parse_args(argc, argv);
        auto truth = load(o.truth, o.truth_format);
        auto observed = load(o.observed, o.format);
        if (o.aggr)
            for (auto& f : truth)
                f = o.aggr->apply(f);
        CompareResult r = compare_flows(truth, observed, o.cmp);
        if (!o.quiet)
            for (const auto& d : r.diffs)
                std::cout << d.line(o.cmp.masks).str() << "\n";
        std::cout << r.summary().str() << std::endl;
        return r.ok() ? 0 : 1;
    } catch (const UsageError& e) {
        std::cerr << "nf-compare: " << e.what() << "\n(see nf-compare --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "nf-compare: " << e.what() << "\n";
        return 2;
    }
}
