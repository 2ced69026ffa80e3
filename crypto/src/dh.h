// X25519 helpers shared by X3DH and the ratchet. Private to crypto/.
#ifndef SECUREBASE_CRYPTO_SRC_DH_H_
#define SECUREBASE_CRYPTO_SRC_DH_H_

#include <sodium.h>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/secret.h"

namespace securebase::crypto::internal {

inline constexpr size_t kDhOutputSize = crypto_scalarmult_BYTES;

// out = X25519(private_key, public_key). False if the result is all zeros
// (a low-order public key), which libsodium reports and which must be
// treated as hostile input. `out` is zeroed on failure.
[[nodiscard]] inline bool Dh(ByteSpan private_key, const DhPublicKey& public_key,
                             SecretArray<kDhOutputSize>& out) {
  if (crypto_scalarmult(out.data(), private_key.data(), public_key.data()) != 0) {
    SecureWipe(out.data(), out.size());
    return false;
  }
  return true;
}

}  // namespace securebase::crypto::internal

#endif  // SECUREBASE_CRYPTO_SRC_DH_H_
