// Input adapters: flow records from the outputs of real collectors, so they
// can be compared with nf-send's ground truth.
//
//   truth        our own `flow k=v ...` lines (nf-send, nf-collect, nf-craft input)
//   nfdump-csv   nfdump -r FILE -o csv          (nfdump 1.7.x; header line used
//                when present, the 1.7 default column order otherwise)
//   tshark       tshark -T fields with the columns of kTsharkFieldsArgs (header=y)
//   tshark-pdml  tshark -T pdml (robust when one packet mixes templates,
//                e.g. IPv4 and IPv6 records in one v9/IPFIX packet)
#pragma once

#include "flow.hpp"

#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace nft {

enum class InputFormat { Truth, NfdumpCsv, Tshark, TsharkPdml };

std::optional<InputFormat> parse_input_format(const std::string& name);

// The tshark arguments (after "-r FILE") the `tshark` format expects.
extern const char kTsharkFieldsArgs[];
extern const char kTsharkPdmlArgs[];

// All throw std::invalid_argument naming the line (and frame) on bad input.
std::vector<FlowRecord> parse_nfdump_csv(std::istream& in);
std::vector<FlowRecord> parse_tshark_fields(std::istream& in);
std::vector<FlowRecord> parse_tshark_pdml(std::istream& in);
std::vector<FlowRecord> read_flows(std::istream& in, InputFormat fmt);

// Protocol number for a name as nfdump prints it ("TCP", "ICMP6", "17").
std::optional<uint8_t> protocol_from_name(const std::string& name);
// TCP flags from nfdump's "...AP.SF" string (or a 0x hex value).
std::optional<uint8_t> tcpflags_from_string(const std::string& s);

} // namespace nft
