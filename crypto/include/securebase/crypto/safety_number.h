// Safety numbers and identity fingerprints.
//
// A safety number is what two people compare (in person, or over a call) to
// know that no one sits between them: 60 digits in 12 groups of 5, derived
// from both identity keys, the same on both sides whichever way round they are
// passed, and different as soon as either key changes.
//
// Each party's half is 30 digits from an iterated SHA-512 over a versioned
// label and the identity key (as Signal's numeric fingerprints, so guessing a
// colliding key is costly); the two halves are sorted and joined.
#ifndef SECUREBASE_CRYPTO_SAFETY_NUMBER_H_
#define SECUREBASE_CRYPTO_SAFETY_NUMBER_H_

#include <array>
#include <string>

#include "securebase/crypto/signature.h"

namespace securebase::crypto {

inline constexpr size_t kSafetyNumberDigits = 60;
inline constexpr size_t kIdentityFingerprintSize = 32;

// "12345 67890 ... " (12 groups of 5 digits separated by single spaces).
std::string SafetyNumber(const IdentityPublicKey& a, const IdentityPublicKey& b);

// A short binding of one identity key, used to pin a therapist's key inside an
// invite code. BLAKE2b-256 keyed by the label "SecureBase/v1/identity-fingerprint".
using IdentityFingerprint = std::array<uint8_t, kIdentityFingerprintSize>;
IdentityFingerprint FingerprintIdentity(const IdentityPublicKey& key);
// Constant time.
bool FingerprintMatches(const IdentityFingerprint& fingerprint, const IdentityPublicKey& key);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SAFETY_NUMBER_H_
