// HKDF with HMAC-SHA256 (RFC 5869), built on libsodium's HMAC-SHA256 because
// libsodium 1.0.18 has no HKDF of its own. Checked against every SHA-256 test
// vector of RFC 5869 (tests/crypto/hkdf_test.cc).
#ifndef SECUREBASE_CRYPTO_HKDF_H_
#define SECUREBASE_CRYPTO_HKDF_H_

#include <cstddef>
#include <span>

#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr size_t kHkdfHashSize = 32;
inline constexpr size_t kHkdfMaxOutputSize = 255 * kHkdfHashSize;

// PRK = HMAC-SHA256(salt, ikm). An empty salt means HashLen zero bytes, as the
// RFC specifies.
SecretArray<kHkdfHashSize> HkdfExtract(ByteSpan salt, ByteSpan ikm);

// Fills `out` with the expansion of `prk` under `info`.
// kInvalidArgument if out is larger than kHkdfMaxOutputSize or prk is shorter
// than kHkdfHashSize. On error `out` is zeroed.
Status HkdfExpand(ByteSpan prk, ByteSpan info, std::span<uint8_t> out);

// Extract then expand.
Status Hkdf(ByteSpan salt, ByteSpan ikm, ByteSpan info, std::span<uint8_t> out);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_HKDF_H_
