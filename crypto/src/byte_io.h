// Bounds-checked readers and writers for crypto's own compact binary formats.
// Private to crypto/. Integers are big-endian.
#ifndef SECUREBASE_CRYPTO_SRC_BYTE_IO_H_
#define SECUREBASE_CRYPTO_SRC_BYTE_IO_H_

#include <cstdint>
#include <cstring>
#include <span>

#include "securebase/crypto/secret.h"

namespace securebase::crypto::internal {

inline void PutU32(uint8_t* out, uint32_t v) {
  out[0] = static_cast<uint8_t>(v >> 24);
  out[1] = static_cast<uint8_t>(v >> 16);
  out[2] = static_cast<uint8_t>(v >> 8);
  out[3] = static_cast<uint8_t>(v);
}
inline uint32_t GetU32(const uint8_t* in) {
  return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | in[3];
}
inline void PutU64(uint8_t* out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out + 4, static_cast<uint32_t>(v));
}
inline uint64_t GetU64(const uint8_t* in) {
  return (uint64_t{GetU32(in)} << 32) | GetU32(in + 4);
}

// Appends to any container with insert(end, first, last) (Bytes, or the
// vector inside a SecretBytes via Append).
template <typename Sink>
class Writer {
 public:
  explicit Writer(Sink& sink) : sink_(sink) {}
  void U8(uint8_t v) { Raw(ByteSpan(&v, 1)); }
  void U32(uint32_t v) {
    uint8_t b[4];
    PutU32(b, v);
    Raw(ByteSpan(b, 4));
  }
  void U64(uint64_t v) {
    uint8_t b[8];
    PutU64(b, v);
    Raw(ByteSpan(b, 8));
  }
  void Raw(ByteSpan bytes) { sink_.Append(bytes); }

 private:
  Sink& sink_;
};

// Adapter so Writer can append to a plain Bytes vector.
struct BytesSink {
  Bytes& bytes;
  void Append(ByteSpan more) { bytes.insert(bytes.end(), more.begin(), more.end()); }
};

// Reads from a span; every read fails (returns false) past the end, after
// which the reader stays failed.
class Reader {
 public:
  explicit Reader(ByteSpan input) : input_(input) {}
  [[nodiscard]] bool U8(uint8_t& v) {
    if (!Need(1)) return false;
    v = input_[pos_++];
    return true;
  }
  [[nodiscard]] bool U32(uint32_t& v) {
    if (!Need(4)) return false;
    v = GetU32(input_.data() + pos_);
    pos_ += 4;
    return true;
  }
  [[nodiscard]] bool U64(uint64_t& v) {
    if (!Need(8)) return false;
    v = GetU64(input_.data() + pos_);
    pos_ += 8;
    return true;
  }
  [[nodiscard]] bool Raw(std::span<uint8_t> out) {
    if (!Need(out.size())) return false;
    if (!out.empty()) std::memcpy(out.data(), input_.data() + pos_, out.size());
    pos_ += out.size();
    return true;
  }
  [[nodiscard]] bool View(size_t n, ByteSpan& out) {
    if (!Need(n)) return false;
    out = input_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  ByteSpan Rest() {
    ByteSpan rest = input_.subspan(pos_);
    pos_ = input_.size();
    return rest;
  }
  size_t remaining() const { return failed_ ? 0 : input_.size() - pos_; }
  bool AtEnd() const { return !failed_ && pos_ == input_.size(); }

 private:
  bool Need(size_t n) {
    if (failed_ || input_.size() - pos_ < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  ByteSpan input_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace securebase::crypto::internal

#endif  // SECUREBASE_CRYPTO_SRC_BYTE_IO_H_
