#include "securebase/crypto/secret_box.h"

#include <sodium.h>

namespace securebase::crypto {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::string_view kLabel = "SecureBase/v1/secret-box";

// label || version || context. The label and version have fixed lengths, so
// the context is unambiguous.
Bytes AssociatedData(std::string_view context) {
  Bytes ad(kLabel.begin(), kLabel.end());
  ad.push_back(kVersion);
  ad.insert(ad.end(), context.begin(), context.end());
  return ad;
}

}  // namespace

SecretBoxKey SecretBoxKey::Generate(RandomSource& rng) {
  SecureBuffer key(kSecretBoxKeySize);
  rng.Fill(key.mutable_span());
  return SecretBoxKey(std::move(key));
}

Result<SecretBoxKey> SecretBoxKey::FromBytes(ByteSpan bytes) {
  if (bytes.size() != kSecretBoxKeySize) {
    return Status::InvalidArgument("secret box key must be 32 bytes");
  }
  return SecretBoxKey(SecureBuffer::CopyOf(bytes));
}

Result<Bytes> SealBox(const SecretBoxKey& key, std::string_view context, ByteSpan plaintext,
                      RandomSource& rng) {
  EnsureSodiumInitialized();
  if (plaintext.size() > kMaxSecretBoxSize - kSecretBoxOverhead) {
    return Status::InvalidArgument("plaintext too large for a secret box");
  }
  Bytes out(kSecretBoxOverhead + plaintext.size());
  out[0] = kVersion;
  rng.Fill(std::span<uint8_t>(out.data() + 1, kNonceSize));
  const Bytes ad = AssociatedData(context);
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + 1 + kNonceSize, nullptr,
                                             plaintext.data(), plaintext.size(), ad.data(),
                                             ad.size(), nullptr, out.data() + 1,
                                             key.bytes().data());
  return out;
}

Result<SecretBytes> OpenBox(const SecretBoxKey& key, std::string_view context, ByteSpan sealed) {
  EnsureSodiumInitialized();
  if (sealed.size() < kSecretBoxOverhead || sealed.size() > kMaxSecretBoxSize ||
      sealed[0] != kVersion) {
    return Status::InvalidMessage("sealed box is malformed");
  }
  const Bytes ad = AssociatedData(context);
  const ByteSpan ciphertext = sealed.subspan(1 + kNonceSize);
  SecretBytes plaintext(ciphertext.size() - kTagSize);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext.data(), nullptr, nullptr,
                                                 ciphertext.data(), ciphertext.size(), ad.data(),
                                                 ad.size(), sealed.data() + 1,
                                                 key.bytes().data()) != 0) {
    return Status::InvalidMessage("sealed box does not open");
  }
  return plaintext;
}

}  // namespace securebase::crypto
