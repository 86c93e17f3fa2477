// Helpers shared by the command-line tools.
#pragma once

#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

namespace nft {

// Bad command line: the tool prints the message and a usage hint, exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

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
