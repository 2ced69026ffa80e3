#include "securebase/crypto/safety_number.h"

#include <sodium.h>

#include <algorithm>
#include <string_view>

#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"

namespace securebase::crypto {
namespace {

constexpr std::string_view kSafetyNumberLabel = "SecureBase/v1/safety-number";
constexpr std::string_view kFingerprintLabel = "SecureBase/v1/identity-fingerprint";
// As Signal's numeric fingerprints: makes searching for a key whose number
// collides with a given one ~5200 times more expensive per guess.
constexpr int kIterations = 5200;
constexpr size_t kDigitsPerParty = kSafetyNumberDigits / 2;

// 30 digits for one identity key: six 5-byte chunks, each taken mod 100000.
std::string PartyDigits(const IdentityPublicKey& key) {
  uint8_t digest[crypto_hash_sha512_BYTES];
  crypto_hash_sha512_state state;
  crypto_hash_sha512_init(&state);
  crypto_hash_sha512_update(&state, reinterpret_cast<const uint8_t*>(kSafetyNumberLabel.data()),
                            kSafetyNumberLabel.size());
  crypto_hash_sha512_update(&state, key.data(), key.size());
  crypto_hash_sha512_final(&state, digest);
  for (int i = 1; i < kIterations; ++i) {
    crypto_hash_sha512_init(&state);
    crypto_hash_sha512_update(&state, digest, sizeof(digest));
    crypto_hash_sha512_update(&state, key.data(), key.size());
    crypto_hash_sha512_final(&state, digest);
  }
  std::string digits;
  digits.reserve(kDigitsPerParty);
  for (size_t chunk = 0; chunk < kDigitsPerParty / 5; ++chunk) {
    uint64_t value = 0;
    for (size_t i = 0; i < 5; ++i) value = (value << 8) | digest[chunk * 5 + i];
    std::string group = std::to_string(value % 100000);
    digits.append(5 - group.size(), '0');
    digits += group;
  }
  return digits;
}

}  // namespace

std::string SafetyNumber(const IdentityPublicKey& a, const IdentityPublicKey& b) {
  EnsureSodiumInitialized();
  std::string first = PartyDigits(a);
  std::string second = PartyDigits(b);
  // Sorting makes the number independent of who computes it.
  if (second < first) std::swap(first, second);
  const std::string all = first + second;
  std::string out;
  out.reserve(kSafetyNumberDigits + kSafetyNumberDigits / 5);
  for (size_t i = 0; i < all.size(); i += 5) {
    if (i > 0) out += ' ';
    out.append(all, i, 5);
  }
  return out;
}

IdentityFingerprint FingerprintIdentity(const IdentityPublicKey& key) {
  EnsureSodiumInitialized();
  IdentityFingerprint out{};
  crypto_generichash(out.data(), out.size(), key.data(), key.size(),
                     reinterpret_cast<const uint8_t*>(kFingerprintLabel.data()),
                     kFingerprintLabel.size());
  return out;
}

bool FingerprintMatches(const IdentityFingerprint& fingerprint, const IdentityPublicKey& key) {
  IdentityFingerprint actual = FingerprintIdentity(key);
  return ConstantTimeEquals(ByteSpan(actual.data(), actual.size()),
                            ByteSpan(fingerprint.data(), fingerprint.size()));
}

}  // namespace securebase::crypto
