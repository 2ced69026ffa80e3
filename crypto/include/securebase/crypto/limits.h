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

// Skipped message keys of one receiving chain: one incoming message may make
// its chain skip at most this many (a message further ahead is refused with
// kUndecryptableMessage and changes nothing), and a chain holds at most this
// many (when a later skip in the same chain would exceed it, that chain's
// oldest keys are evicted).
inline constexpr uint32_t kMaxSkipPerChain = 1000;

// Skipped message keys kept in total across chains. When a new skip would
// exceed it, the oldest keys (oldest chain first) are evicted; later messages
// are never refused because of this bound. An evicted message is reported as
// kUndecryptableMessage, never as a duplicate.
inline constexpr size_t kMaxSkippedKeysTotal = 2000;

// Old receiving chains a session keeps (libsignal and vodozemac keep 5), each
// with its header key, its skipped keys and what was evicted from it. A
// message of an older chain no longer authenticates (kInvalidMessage), so a
// junk message costs at most 2 + 5 header trials.
inline constexpr size_t kMaxPreviousReceivingChains = 5;

// Per kept chain, evicted counters are remembered as at most this many
// ranges. Past it the two closest ranges merge: the counters between them,
// which were decrypted, then read as evicted too (a replay of one is reported
// as kUndecryptableMessage instead of kDuplicateMessage, never the reverse).
inline constexpr size_t kMaxEvictedRangesPerChain = 16;

// Largest serialized session state accepted by Session::Deserialize.
inline constexpr size_t kMaxSessionStateSize = 256 * 1024;

// Bounds on the Argon2id parameters of a wrapped vault key, checked by both
// WrapVaultKey and UnwrapVaultKey before any Argon2id work. The lower bound is
// libsodium's INTERACTIVE cost (2 passes over 64 MiB): an edited vault.key
// cannot make a passphrase cheaper to guess. The upper bound keeps an edited
// vault.key from making unlocking take seconds and gigabytes (at most 4 passes
// over 256 MiB, slightly above libsodium's MODERATE, our default).
// Test builds (SECUREBASE_TEST_PASSPHRASE_COST, see sealed_storage.h) lower the
// minimum to libsodium's absolute minimum (1 pass, 8 KiB); the maximum is the
// same in every build.
inline constexpr uint64_t kMinPassphraseOpsLimit = 2;
inline constexpr size_t kMinPassphraseMemLimit = size_t{64} << 20;  // 64 MiB
inline constexpr uint64_t kMaxPassphraseOpsLimit = 4;
inline constexpr size_t kMaxPassphraseMemLimit = size_t{256} << 20;  // 256 MiB

// Signed-prekey rotation, for the caller that owns the prekey store (crypto
// has no clock). A device makes a new signed prekey (new id,
// SignedPreKey::GenerateForDevice) every kSignedPreKeyRotationSeconds and on
// demand, and deletes a replaced one's private key kSignedPreKeyGraceSeconds
// after it was replaced: initial messages made from a bundle fetched before
// the rotation may still sit in the mailbox until the server's retention
// (30 days by default) expires them, so the grace must not be shorter than
// that retention. The replay cache of accepted base keys (see
// ParseInitialMessage in session.h) is kept per signed prekey and dropped with
// its private key: without the private key no initial message made with that
// prekey can be accepted again anyway.
inline constexpr uint64_t kSignedPreKeyRotationSeconds = 7 * 24 * 3600;
inline constexpr uint64_t kSignedPreKeyGraceSeconds = 35 * 24 * 3600;

// Largest vault record accepted by OpenRecord.
inline constexpr size_t kMaxSealedRecordSize = 64 * 1024 * 1024;

// Sessions a SessionRecord keeps besides the current one (the ones it
// replaced, for simultaneous first contact; see session_record.h). Each one
// kept is one more trial decryption for a message no session knows.
inline constexpr size_t kMaxPreviousSessions = 1;

// Linking a device (provisioning.h). The opaque payload of one provisioning
// message (account, profile, contacts with their verification state,
// settings): a therapist's caseload of a few hundred contacts stays far below.
inline constexpr size_t kMaxProvisioningPayloadSize = 1024 * 1024;
// A provisioning message is accepted only if its sealed creation time lies in
// [link code created - skew, now + skew] and is at most kMaxProvisioningAge
// before now: a message made before this code existed, or long ago, is a
// replay. The age matches the server's provisioning slot lifetime (10 min);
// the skew tolerates the two devices' clocks disagreeing by minutes.
inline constexpr uint64_t kMaxProvisioningAgeSeconds = 10 * 60;
inline constexpr uint64_t kProvisioningClockSkewSeconds = 5 * 60;

// Archives (archive.h): history transfer and backups. Every chunk carries
// chunk-size plaintext bytes, so both ends hold one chunk in memory; the
// bounds keep a hostile header from making a reader allocate much (upper) or
// spend one AEAD per handful of bytes (lower).
inline constexpr uint32_t kMinArchiveChunkSize = 256;
inline constexpr uint32_t kMaxArchiveChunkSize = 1024 * 1024;
// Largest record in an archive. A reader holds at most one record that spans
// chunks besides its chunk buffer, so memory stays bounded by
// kMaxArchiveChunkSize + kMaxArchiveRecordSize whatever the archive's size.
inline constexpr uint32_t kMaxArchiveRecordSize = 4 * 1024 * 1024;

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_LIMITS_H_
