// Every hard limit of the crypto library, in one place.
#ifndef SECUREBASE_CRYPTO_LIMITS_H_
#define SECUREBASE_CRYPTO_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace securebase::crypto {

// Largest plaintext a session encrypts. Padded and framed it stays well under
// the server's default envelope limit (256 KiB).
inline constexpr size_t kMaxPlaintextSize = 128 * 1024;

// Smallest padding bucket: every message shorter than this looks the same.
inline constexpr size_t kMinPaddedSize = 256;

// Message keys a single receiving chain may skip for one incoming message.
// A message further ahead is refused (kInvalidMessage) and changes nothing.
inline constexpr uint32_t kMaxSkipPerChain = 1000;

// Skipped message keys kept in total across chains. When a new skip would
// exceed it, the oldest keys are evicted (those messages can then no longer be
// decrypted); later messages are never refused because of this bound.
inline constexpr size_t kMaxSkippedKeysTotal = 2000;

// Largest serialized session state accepted by Session::Deserialize.
inline constexpr size_t kMaxSessionStateSize = 256 * 1024;

// Bounds on Argon2id parameters read from a wrapped vault key, so a tampered
// file cannot make unwrapping take hours or all memory.
inline constexpr uint64_t kMaxPassphraseOpsLimit = 16;
inline constexpr size_t kMaxPassphraseMemLimit = size_t{1} << 30;  // 1 GiB

// Largest vault record accepted by OpenRecord.
inline constexpr size_t kMaxSealedRecordSize = 64 * 1024 * 1024;

// Sessions a SessionRecord keeps besides the current one (the ones it
// replaced, for simultaneous first contact; see session_record.h). Each one
// kept is one more trial decryption for a message no session knows.
inline constexpr size_t kMaxPreviousSessions = 1;

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_LIMITS_H_
