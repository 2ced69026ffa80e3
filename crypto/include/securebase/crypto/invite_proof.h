// Invite keys and the client's proof of its identity key at redemption
// (mutual pinning of a care link).
//
// A therapist's invite code carries a random 32-byte invite key that never
// reaches the server (the server sees only the invite secret it redeems).
// libsodium's KDF (crypto_kdf_derive_from_key: keyed BLAKE2b, context
// "SBinvit2", a fixed versioned label) derives three values from it:
//   subkey 1  the profile key (32 bytes), sealing the therapist's profile
//             that the server stores for the invite (secret_box.h);
//   subkey 2  the proof key (32 bytes), kept by the therapist's device with
//             the invite;
//   subkey 3  the invite id (16 bytes, not secret), naming the invite in a
//             proof so the therapist finds its proof key.
// The client proves, inside its first end-to-end encrypted message, that it
// holds the invite code and that its identity key is the one it redeemed with:
//   proof = HMAC-SHA256(proof key, "SecureBase/v2/invite-proof" || 0x00 ||
//           0x01 (statement version) || therapist user id(16) ||
//           therapist identity key(32) || client user id(16) ||
//           client identity key(32))
// A server that links another account to the invite cannot make the proof
// for that account's key; one that replays a genuine proof under another key
// or user id fails the check, which binds both.
//
// Thread-safety: plain values and pure functions.
#ifndef SECUREBASE_CRYPTO_INVITE_PROOF_H_
#define SECUREBASE_CRYPTO_INVITE_PROOF_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/secret_box.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr size_t kInviteKeySize = 32;
inline constexpr size_t kInviteProofKeySize = 32;
inline constexpr size_t kInviteIdSize = 16;
inline constexpr size_t kInviteProofSize = 32;
inline constexpr uint8_t kInviteProofStatementVersion = 1;

struct InviteIdTag {};
using InviteId = FixedBytes<InviteIdTag, kInviteIdSize>;
using InviteProof = std::array<uint8_t, kInviteProofSize>;

struct InviteKeys;
class InviteKey;
InviteKeys DeriveInviteKeys(const InviteKey& key);

// Secret key material of one invite, in read-only sodium_malloc memory.
class InviteKey {
 public:
  static InviteKey Generate(RandomSource& rng);
  // kInvalidArgument unless `bytes` is kInviteKeySize long.
  static Result<InviteKey> FromBytes(ByteSpan bytes);
  // Secret: only for putting the key into the invite code.
  ByteSpan bytes() const { return key_.span(); }

 private:
  explicit InviteKey(SecureBuffer key) : key_(std::move(key)) { key_.MakeReadOnly(); }
  SecureBuffer key_;
};

class InviteProofKey {
 public:
  // kInvalidArgument unless `bytes` is kInviteProofKeySize long.
  static Result<InviteProofKey> FromBytes(ByteSpan bytes);
  // Secret: only for sealing it into the therapist's vault.
  ByteSpan bytes() const { return key_.span(); }

 private:
  friend InviteKeys DeriveInviteKeys(const InviteKey& key);
  explicit InviteProofKey(SecureBuffer key) : key_(std::move(key)) { key_.MakeReadOnly(); }
  SecureBuffer key_;
};

struct InviteKeys {
  SecretBoxKey profile_key;
  InviteProofKey proof_key;
  InviteId invite_id;
};

// The three subkeys of `key` (see the top of this header). Deterministic.
InviteKeys DeriveInviteKeys(const InviteKey& key);

// What a proof vouches for: the link between these two accounts, under these
// two identity keys.
struct InviteProofStatement {
  UserId therapist_user_id;
  IdentityPublicKey therapist_identity;
  UserId client_user_id;
  IdentityPublicKey client_identity;
};

InviteProof MakeInviteProof(const InviteProofKey& key, const InviteProofStatement& statement);

// OK if `proof` is MakeInviteProof(key, statement), compared in constant
// time; kBadSignature otherwise (also for a proof of the wrong length).
[[nodiscard]] Status VerifyInviteProof(const InviteProofKey& key,
                                       const InviteProofStatement& statement, ByteSpan proof);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_INVITE_PROOF_H_
