#include "securebase/crypto/secret.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "securebase/crypto/random.h"

namespace securebase::crypto {

void SecureWipe(void* data, size_t size) {
  if (data != nullptr && size > 0) sodium_memzero(data, size);
}

bool ConstantTimeEquals(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

SecureBuffer::SecureBuffer(size_t size) : size_(size) {
  if (size == 0) return;
  EnsureSodiumInitialized();
  data_ = static_cast<uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr) std::abort();  // Out of memory: not recoverable.
  std::memset(data_, 0, size);
}

SecureBuffer::~SecureBuffer() {
  // sodium_free wipes the memory before releasing it.
  if (data_ != nullptr) sodium_free(data_);
}

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : data_(other.data_), size_(other.size_), read_only_(other.read_only_) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.read_only_ = false;
}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);
    data_ = other.data_;
    size_ = other.size_;
    read_only_ = other.read_only_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.read_only_ = false;
  }
  return *this;
}

void SecureBuffer::MakeReadOnly() {
  if (data_ == nullptr || read_only_) return;
  if (sodium_mprotect_readonly(data_) != 0) std::abort();  // Not recoverable.
  read_only_ = true;
}

SecureBuffer SecureBuffer::Clone() const { return CopyOf(span()); }

SecureBuffer SecureBuffer::CopyOf(ByteSpan source) {
  SecureBuffer out(source.size());
  if (!source.empty()) std::memcpy(out.data_, source.data(), source.size());
  return out;
}

}  // namespace securebase::crypto
