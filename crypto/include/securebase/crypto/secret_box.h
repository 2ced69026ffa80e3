// Symmetric sealing under a key that travels out of band.
//
// Used where a key is handed to someone through a channel the server does not
// see: the therapist's profile is sealed under a key carried only inside the
// invite code. XChaCha20-Poly1305, random nonce, and a context label as
// associated data so a box sealed for one purpose never opens for another.
//
// Format v1: 0x01 | nonce(24) | ciphertext(len + 16)
#ifndef SECUREBASE_CRYPTO_SECRET_BOX_H_
#define SECUREBASE_CRYPTO_SECRET_BOX_H_

#include <string_view>

#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr size_t kSecretBoxKeySize = 32;
inline constexpr size_t kSecretBoxOverhead = 1 + 24 + 16;
inline constexpr size_t kMaxSecretBoxSize = 1024 * 1024;

class SecretBoxKey {
 public:
  static SecretBoxKey Generate(RandomSource& rng);
  // kInvalidArgument unless `bytes` is kSecretBoxKeySize long.
  static Result<SecretBoxKey> FromBytes(ByteSpan bytes);
  // Secret: only for putting the key into the out-of-band carrier.
  ByteSpan bytes() const { return key_.span(); }

 private:
  explicit SecretBoxKey(SecureBuffer key) : key_(std::move(key)) { key_.MakeReadOnly(); }
  SecureBuffer key_;
};

// kInvalidArgument if the result would exceed kMaxSecretBoxSize.
Result<Bytes> SealBox(const SecretBoxKey& key, std::string_view context, ByteSpan plaintext,
                      RandomSource& rng);
// kInvalidMessage if malformed, sealed under another key or context, or modified.
Result<SecretBytes> OpenBox(const SecretBoxKey& key, std::string_view context, ByteSpan sealed);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SECRET_BOX_H_
