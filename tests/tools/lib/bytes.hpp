// Big-endian byte writer/reader used by the packet builders and the
// NetFlow/IPFIX encoders and decoders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace nft {

// Thrown by ByteReader when a read would run past the end of its window.
class DecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ByteWriter {
public:
    explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}

    void u8(uint8_t v) { out_.push_back(v); }
    void u16(uint16_t v) { put(v, 2); }
    void u32(uint32_t v) { put(v, 4); }
    void u64(uint64_t v) { put(v, 8); }
    // Writes the low `len` bytes of v (1..8) in network order.
    void uint(uint64_t v, size_t len) { put(v, len); }
    void bytes(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
    void bytes(const std::vector<uint8_t>& v) { bytes(v.data(), v.size()); }
    void zeros(size_t n) { out_.insert(out_.end(), n, 0); }

    size_t size() const { return out_.size(); }
    void patch16(size_t offset, uint16_t v)
    {
        out_.at(offset) = static_cast<uint8_t>(v >> 8);
        out_.at(offset + 1) = static_cast<uint8_t>(v);
    }
    void patch32(size_t offset, uint32_t v)
    {
        for (size_t i = 0; i < 4; ++i)
            out_.at(offset + i) = static_cast<uint8_t>(v >> (24 - 8 * i));
    }

private:
    void put(uint64_t v, size_t len)
    {
        for (size_t i = len; i-- > 0;)
            out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    std::vector<uint8_t>& out_;
};

class ByteReader {
public:
    ByteReader(const uint8_t* data, size_t len) : data_(data), len_(len) {}
    explicit ByteReader(const std::vector<uint8_t>& v) : ByteReader(v.data(), v.size()) {}

    uint8_t u8() { return static_cast<uint8_t>(uint(1)); }
    uint16_t u16() { return static_cast<uint16_t>(uint(2)); }
    uint32_t u32() { return static_cast<uint32_t>(uint(4)); }
    uint64_t u64() { return uint(8); }
    // Reads an unsigned big-endian integer of 1..8 bytes.
    uint64_t uint(size_t n)
    {
        need(n);
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i)
            v = (v << 8) | data_[pos_ + i];
        pos_ += n;
        return v;
    }
    const uint8_t* take(size_t n)
    {
        need(n);
        const uint8_t* p = data_ + pos_;
        pos_ += n;
        return p;
    }
    // A reader over the next n bytes; this reader skips past them.
    ByteReader sub(size_t n) { return ByteReader(take(n), n); }
    void skip(size_t n) { take(n); }

    size_t pos() const { return pos_; }
    size_t size() const { return len_; }
    size_t remaining() const { return len_ - pos_; }
    bool empty() const { return pos_ == len_; }
    const uint8_t* here() const { return data_ + pos_; }

private:
    void need(size_t n) const
    {
        if (n > len_ - pos_)
            throw DecodeError("truncated: need " + std::to_string(n) + " bytes at offset " +
                              std::to_string(pos_) + ", have " + std::to_string(len_ - pos_));
    }
    const uint8_t* data_;
    size_t len_;
    size_t pos_ = 0;
};

} // namespace nft
