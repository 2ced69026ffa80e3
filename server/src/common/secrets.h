// Random secrets (tokens, invite secrets, challenges) and their storage form.
//
// The store keeps only a keyed-by-purpose BLAKE2b-256 hash of each bearer
// secret, so a copy of the database cannot be used to log in or redeem.
#ifndef SECUREBASE_SERVER_COMMON_SECRETS_H_
#define SECUREBASE_SERVER_COMMON_SECRETS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "securebase/crypto/random.h"

namespace securebase::server {

inline constexpr size_t kSecretHashSize = 32;

enum class SecretPurpose { kSessionToken, kInviteSecret, kRegistrationToken, kBlobReadCapability };

// BLAKE2b-256 over a purpose label and the secret bytes. Returns 32 bytes.
std::string HashSecret(SecretPurpose purpose, std::string_view secret);

// `size` random bytes from `random`.
std::string RandomBytes(crypto::RandomSource& random, size_t size);

// Lowercase hex.
std::string ToHex(std::string_view bytes);
// Lowercase hex only (what the API promises for tokens); nullopt otherwise.
std::optional<std::string> FromLowerHex(std::string_view hex);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_COMMON_SECRETS_H_
