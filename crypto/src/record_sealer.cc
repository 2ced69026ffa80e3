// Sealed record v1 (sealed_storage.h) with a cached subkey and counter
// nonces. The format constants are sealed_storage.cc's; the crypto tests
// cross-check both ways (RecordSealerTest) so they cannot drift apart.
#include "securebase/crypto/record_sealer.h"

#include <sodium.h>

#include <cstring>

#include "securebase/crypto/limits.h"

namespace securebase::crypto {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kOverhead = 1 + kNonceSize + kTagSize;
constexpr std::string_view kLabel = "SecureBase/v1/vault-record";
constexpr char kContext[crypto_kdf_CONTEXTBYTES] = {'S', 'B', 'v', 'a', 'u', 'l', 't', '1'};
constexpr uint64_t kRecordSubkeyId = 1;

// label || version || name, on the stack for the usual short names.
class AssociatedData {
 public:
  explicit AssociatedData(std::string_view name) {
    const size_t size = kLabel.size() + 1 + name.size();
    if (size > sizeof(inline_)) heap_.resize(size);
    uint8_t* out = heap_.empty() ? inline_ : heap_.data();
    std::memcpy(out, kLabel.data(), kLabel.size());
    out[kLabel.size()] = kVersion;
    if (!name.empty()) std::memcpy(out + kLabel.size() + 1, name.data(), name.size());
    data_ = out;
    size_ = size;
  }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t inline_[256];
  Bytes heap_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

RecordSealer::RecordSealer(const VaultKey& key, RandomSource& rng) {
  EnsureSodiumInitialized();
  crypto_kdf_derive_from_key(subkey_.data(), subkey_.size(), kRecordSubkeyId, kContext,
                             key.key_.data());
  rng.Fill(nonce_);
}

Result<Bytes> RecordSealer::Seal(std::string_view name, ByteSpan plaintext) {
  if (plaintext.size() > kMaxSealedRecordSize - kOverhead) {
    return Status::InvalidArgument("record too large to seal");
  }
  sodium_increment(nonce_.data(), nonce_.size());  // Never the same nonce twice.
  Bytes out(kOverhead + plaintext.size());
  out[0] = kVersion;
  std::memcpy(out.data() + 1, nonce_.data(), kNonceSize);
  const AssociatedData ad(name);
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + 1 + kNonceSize, nullptr, plaintext.data(),
                                             plaintext.size(), ad.data(), ad.size(), nullptr,
                                             nonce_.data(), subkey_.data());
  return out;
}

Result<SecretBytes> RecordSealer::Open(std::string_view name, ByteSpan sealed) const {
  if (sealed.size() < kOverhead || sealed.size() > kMaxSealedRecordSize) {
    return Status::InvalidMessage("sealed record is malformed");
  }
  if (sealed[0] != kVersion) return Status::InvalidMessage("sealed record has an unknown version");
  const AssociatedData ad(name);
  const ByteSpan ciphertext = sealed.subspan(1 + kNonceSize);
  SecretBytes plaintext(ciphertext.size() - kTagSize);
  // libsodium checks the tag before writing any plaintext.
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plaintext.data(), nullptr, nullptr, ciphertext.data(), ciphertext.size(), ad.data(),
          ad.size(), sealed.data() + 1, subkey_.data()) != 0) {
    return Status::InvalidMessage("sealed record does not authenticate");
  }
  return plaintext;
}

}  // namespace securebase::crypto
