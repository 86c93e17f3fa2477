#include "text.hpp"

#include <cctype>
#include <stdexcept>

namespace nft {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        size_t p = s.find(sep, start);
        if (p == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, p - start));
        start = p + 1;
    }
}

std::vector<std::string> split_ws(std::string_view s)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
            ++i;
        size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])))
            ++j;
        if (j > i)
            out.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

bool starts_with(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

std::optional<uint64_t> parse_uint(std::string_view s, uint64_t max)
{
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    if (s.empty())
        return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return std::nullopt;
        if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
            return std::nullopt;
        v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    if (v > max)
        return std::nullopt;
    return v;
}

std::optional<std::pair<uint64_t, uint64_t>> parse_range(std::string_view s, uint64_t max)
{
    size_t dash = s.find('-');
    if (dash == std::string_view::npos) {
        auto v = parse_uint(s, max);
        if (!v)
            return std::nullopt;
        return std::make_pair(*v, *v);
    }
    auto lo = parse_uint(s.substr(0, dash), max);
    auto hi = parse_uint(s.substr(dash + 1), max);
    if (!lo || !hi || *lo > *hi)
        return std::nullopt;
    return std::make_pair(*lo, *hi);
}

std::string hex(uint64_t v, int width)
{
    static const char digits[] = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & 15]);
        v >>= 4;
    } while (v);
    while (static_cast<int>(s.size()) < width)
        s.insert(s.begin(), '0');
    return "0x" + s;
}

std::string hex_bytes(const uint8_t* p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

const std::string* KvLine::get(std::string_view key) const
{
    for (const auto& kv : fields)
        if (kv.first == key)
            return &kv.second;
    return nullptr;
}

static bool needs_quotes(const std::string& v)
{
    if (v.empty())
        return true;
    for (char c : v)
        if (std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\\' || c == '=')
            return true;
    return false;
}

std::string KvLine::str() const
{
    std::string s = tag;
    for (const auto& [k, v] : fields) {
        s += ' ';
        s += k;
        s += '=';
        if (!needs_quotes(v)) {
            s += v;
            continue;
        }
        s += '"';
        for (char c : v) {
            if (c == '"' || c == '\\')
                s += '\\';
            s += (c == '\n' ? ' ' : c);
        }
        s += '"';
    }
    return s;
}

std::optional<KvLine> parse_kv_line(std::string_view line)
{
    line = trim(line);
    if (line.empty() || line.front() == '#')
        return std::nullopt;
    KvLine out;
    size_t i = 0;
    auto skip_ws = [&] {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
            ++i;
    };
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
        ++i;
    out.tag = std::string(line.substr(0, i));
    if (out.tag.find('=') != std::string::npos)
        throw std::invalid_argument("line starts with key=value instead of a tag");
    for (;;) {
        skip_ws();
        if (i >= line.size())
            break;
        size_t k0 = i;
        while (i < line.size() && line[i] != '=' && !std::isspace(static_cast<unsigned char>(line[i])))
            ++i;
        if (i >= line.size() || line[i] != '=' || i == k0)
            throw std::invalid_argument("expected key=value at '" + std::string(line.substr(k0)) + "'");
        std::string key(line.substr(k0, i - k0));
        ++i; // '='
        std::string value;
        if (i < line.size() && line[i] == '"') {
            ++i;
            bool closed = false;
            while (i < line.size()) {
                char c = line[i++];
                if (c == '\\' && i < line.size()) {
                    value += line[i++];
                } else if (c == '"') {
                    closed = true;
                    break;
                } else {
                    value += c;
                }
            }
            if (!closed)
                throw std::invalid_argument("unterminated quoted value for '" + key + "'");
        } else {
            size_t v0 = i;
            while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
                ++i;
            value = std::string(line.substr(v0, i - v0));
        }
        out.fields.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

} // namespace nft
