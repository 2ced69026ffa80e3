// Owning containers for secret bytes.
//
// Every container here is move-only, wipes its bytes (sodium_memzero) when it
// is destroyed and when it is moved from, cannot be printed or converted to a
// std::string, and compares only in constant time. Copies are explicit
// (Clone()), so a key is never duplicated by accident.
//
//   SecretArray<N>  N bytes inline. For short-lived keys on hot paths
//                   (chain keys, message keys, DH outputs): no allocation.
//   SecureBuffer    sodium_malloc'd memory (guard pages, mlock'd where the OS
//                   allows) for long-lived keys: identity, device, prekey and
//                   vault keys. Each allocation costs a few pages and syscalls,
//                   which is why ratchet keys use SecretArray instead. The key
//                   types of this library make their buffers read-only
//                   (sodium_mprotect_readonly) once filled: a stray write
//                   faults instead of corrupting or leaking a key.
//   SecretBytes     variable length, heap allocated through an allocator that
//                   wipes on every free (so growth never leaves stale copies):
//                   plaintexts, serialized session state.
//
// Thread-safety: none of these types is synchronised; treat them like values.
#ifndef SECUREBASE_CRYPTO_SECRET_H_
#define SECUREBASE_CRYPTO_SECRET_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <vector>

namespace securebase::crypto {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

// Overwrites `size` bytes with zeros in a way the compiler cannot elide.
void SecureWipe(void* data, size_t size);
// Constant-time equality of two equal-length regions (sodium_memcmp). Regions
// of different lengths compare unequal; the length itself is not secret.
bool ConstantTimeEquals(ByteSpan a, ByteSpan b);

template <size_t N>
class SecretArray {
 public:
  static constexpr size_t kSize = N;

  SecretArray() { bytes_.fill(0); }
  ~SecretArray() { SecureWipe(bytes_.data(), N); }
  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;
  SecretArray(SecretArray&& other) noexcept : bytes_(other.bytes_) {
    SecureWipe(other.bytes_.data(), N);
  }
  SecretArray& operator=(SecretArray&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      SecureWipe(other.bytes_.data(), N);
    }
    return *this;
  }

  // Explicit copy, for the rare places that need two live copies.
  SecretArray Clone() const {
    SecretArray copy;
    copy.bytes_ = bytes_;
    return copy;
  }
  // Copies `source` (which must be exactly N bytes) in; returns false otherwise.
  [[nodiscard]] bool Assign(ByteSpan source) {
    if (source.size() != N) return false;
    for (size_t i = 0; i < N; ++i) bytes_[i] = source[i];
    return true;
  }

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  static constexpr size_t size() { return N; }
  ByteSpan span() const { return ByteSpan(bytes_.data(), N); }
  std::span<uint8_t> mutable_span() { return std::span<uint8_t>(bytes_.data(), N); }

  // Constant time.
  bool Equals(const SecretArray& other) const { return ConstantTimeEquals(span(), other.span()); }

 private:
  std::array<uint8_t, N> bytes_;
};

class SecureBuffer {
 public:
  // Empty buffer (size 0, no allocation).
  SecureBuffer() = default;
  // Zero-filled buffer of `size` bytes in sodium_malloc memory. Aborts if the
  // allocation fails (out of memory is not a recoverable condition here).
  explicit SecureBuffer(size_t size);
  ~SecureBuffer();
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;
  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;

  // A writable copy (also of a read-only buffer).
  SecureBuffer Clone() const;
  static SecureBuffer CopyOf(ByteSpan source);

  // Write-protects the pages (sodium_mprotect_readonly) for the rest of the
  // buffer's life; reading stays allowed. Writing through data() or
  // mutable_span() afterwards faults. Destruction still wipes (sodium_free
  // makes the pages writable first). Aborts if the OS refuses.
  void MakeReadOnly();
  bool read_only() const { return read_only_; }

  // Not for a read-only buffer (writing faults).
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteSpan span() const { return ByteSpan(data_, size_); }
  std::span<uint8_t> mutable_span() { return std::span<uint8_t>(data_, size_); }
  bool Equals(const SecureBuffer& other) const { return ConstantTimeEquals(span(), other.span()); }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool read_only_ = false;
};

// std::allocator that wipes memory before giving it back.
template <typename T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept {
    SecureWipe(p, n * sizeof(T));
    ::operator delete(p);
  }
  template <typename U>
  bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
};

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size, 0) {}
  ~SecretBytes() { SecureWipe(bytes_.data(), bytes_.size()); }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept = default;  // vector move leaves `other` empty.
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      SecureWipe(bytes_.data(), bytes_.size());
      bytes_ = std::move(other.bytes_);
      other.bytes_.clear();
    }
    return *this;
  }

  static SecretBytes CopyOf(ByteSpan source) {
    SecretBytes out;
    out.bytes_.assign(source.begin(), source.end());
    return out;
  }
  SecretBytes Clone() const { return CopyOf(span()); }

  void Append(ByteSpan more) { bytes_.insert(bytes_.end(), more.begin(), more.end()); }
  void Reserve(size_t n) { bytes_.reserve(n); }
  // Shrinking wipes the bytes that are cut off.
  void Resize(size_t n) {
    if (n < bytes_.size()) SecureWipe(bytes_.data() + n, bytes_.size() - n);
    bytes_.resize(n, 0);
  }

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  ByteSpan span() const { return ByteSpan(bytes_.data(), bytes_.size()); }
  std::span<uint8_t> mutable_span() { return std::span<uint8_t>(bytes_.data(), bytes_.size()); }
  bool Equals(const SecretBytes& other) const { return ConstantTimeEquals(span(), other.span()); }

 private:
  std::vector<uint8_t, WipingAllocator<uint8_t>> bytes_;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SECRET_H_
