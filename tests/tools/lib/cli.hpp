// Helpers shared by the command-line tools.
#pragma once

#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "text.hpp"

namespace nft {

// Bad command line: the tool prints the message and a usage hint, exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A numeric option's value, at most @max; anything else is a UsageError.
inline uint64_t num_arg(const char* opt, const char* v, uint64_t max)
{
    auto n = parse_uint(v, max);
    if (!n)
        throw UsageError(std::string("bad value for ") + opt + ": '" + v + "'");
    return *n;
}

// Input stream for a path, "-" meaning stdin. Throws std::runtime_error.
class Input {
public:
    explicit Input(const std::string& path)
    {
        if (path == "-")
            return;
        file_ = std::make_unique<std::ifstream>(path);
        if (!*file_)
            throw std::runtime_error("cannot open " + path);
    }
    std::istream& stream() { return file_ ? *file_ : std::cin; }

private:
    std::unique_ptr<std::ifstream> file_;
};

} // namespace nft
