// Invite keys and proofs (invite_proof.h): libsodium's KDF for the subkeys,
// HMAC-SHA256 (crypto_auth_hmacsha256) for the proof.
#include "securebase/crypto/invite_proof.h"

#include <sodium.h>

#include <string_view>

namespace securebase::crypto {
namespace {

// crypto_kdf contexts are exactly 8 bytes: "SBinvit" and the format version.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES] = {'S', 'B', 'i', 'n', 'v', 'i', 't', '2'};
constexpr uint64_t kProfileKeyId = 1;
constexpr uint64_t kProofKeyId = 2;
constexpr uint64_t kInviteIdId = 3;
constexpr std::string_view kProofLabel = "SecureBase/v2/invite-proof";

static_assert(kInviteIdSize >= crypto_kdf_BYTES_MIN && kInviteKeySize <= crypto_kdf_BYTES_MAX);
static_assert(kInviteKeySize == crypto_kdf_KEYBYTES);
static_assert(kInviteProofKeySize == crypto_auth_hmacsha256_KEYBYTES);
static_assert(kInviteProofSize == crypto_auth_hmacsha256_BYTES);

SecureBuffer Derive(const InviteKey& key, uint64_t id, size_t size) {
  SecureBuffer out(size);
  crypto_kdf_derive_from_key(out.data(), out.size(), id, kKdfContext, key.bytes().data());
  return out;
}

// label || 0x00 || version || the statement's fields in order.
Bytes StatementBytes(const InviteProofStatement& s) {
  Bytes out(kProofLabel.begin(), kProofLabel.end());
  out.push_back(0x00);
  out.push_back(kInviteProofStatementVersion);
  for (ByteSpan part : {s.therapist_user_id.span(), s.therapist_identity.span(),
                        s.client_user_id.span(), s.client_identity.span()}) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

}  // namespace

InviteKey InviteKey::Generate(RandomSource& rng) {
  SecureBuffer key(kInviteKeySize);
  rng.Fill(key.mutable_span());
  return InviteKey(std::move(key));
}

Result<InviteKey> InviteKey::FromBytes(ByteSpan bytes) {
  if (bytes.size() != kInviteKeySize) return Status::InvalidArgument("invite key must be 32 bytes");
  return InviteKey(SecureBuffer::CopyOf(bytes));
}

Result<InviteProofKey> InviteProofKey::FromBytes(ByteSpan bytes) {
  if (bytes.size() != kInviteProofKeySize) {
    return Status::InvalidArgument("invite proof key must be 32 bytes");
  }
  return InviteProofKey(SecureBuffer::CopyOf(bytes));
}

InviteKeys DeriveInviteKeys(const InviteKey& key) {
  EnsureSodiumInitialized();
  SecureBuffer profile = Derive(key, kProfileKeyId, kSecretBoxKeySize);
  SecureBuffer id = Derive(key, kInviteIdId, kInviteIdSize);
  InviteId invite_id = InviteId::FromBytes(id.span()).value();
  return InviteKeys{SecretBoxKey::FromBytes(profile.span()).value(),
                    InviteProofKey(Derive(key, kProofKeyId, kInviteProofKeySize)), invite_id};
}

InviteProof MakeInviteProof(const InviteProofKey& key, const InviteProofStatement& statement) {
  EnsureSodiumInitialized();
  const Bytes message = StatementBytes(statement);
  InviteProof proof{};
  crypto_auth_hmacsha256(proof.data(), message.data(), message.size(), key.bytes().data());
  return proof;
}

Status VerifyInviteProof(const InviteProofKey& key, const InviteProofStatement& statement,
                         ByteSpan proof) {
  EnsureSodiumInitialized();
  if (proof.size() != kInviteProofSize) return Status::BadSignature("invite proof does not verify");
  const Bytes message = StatementBytes(statement);
  // Constant time (libsodium compares the tags with crypto_verify_32).
  if (crypto_auth_hmacsha256_verify(proof.data(), message.data(), message.size(),
                                    key.bytes().data()) != 0) {
    return Status::BadSignature("invite proof does not verify");
  }
  return Status::Ok();
}

}  // namespace securebase::crypto
