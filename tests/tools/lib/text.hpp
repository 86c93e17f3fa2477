// Small text helpers: number parsing with range checks, splitting, and the
// `tag key=value key=value ...` line format shared by all tools.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nft {

std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
std::vector<std::string> split_ws(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);

// Decimal, or hexadecimal with a 0x prefix. nullopt if malformed or > max.
std::optional<uint64_t> parse_uint(std::string_view s, uint64_t max = UINT64_MAX);

// An inclusive range "A-B" or a single number "A" (then lo == hi).
std::optional<std::pair<uint64_t, uint64_t>> parse_range(std::string_view s, uint64_t max);

std::string hex(uint64_t v, int width = 2); // "0x1b" style, zero padded to width digits
std::string hex_bytes(const uint8_t* p, size_t n);

// One `tag k=v k=v` line. Values containing spaces, quotes or '=' are written
// double-quoted with backslash escapes.
struct KvLine {
    std::string tag;
    std::vector<std::pair<std::string, std::string>> fields;

    void add(std::string key, std::string value) { fields.emplace_back(std::move(key), std::move(value)); }
    void add(std::string key, uint64_t value) { add(std::move(key), std::to_string(value)); }
    const std::string* get(std::string_view key) const;
    std::string str() const;
};

// Parses a KvLine; nullopt for blank lines and '#' comments. Throws
// std::invalid_argument on malformed input (bad quoting, token without '=').
std::optional<KvLine> parse_kv_line(std::string_view line);

} // namespace nft
