// Invite codes: what a therapist hands a client (by a channel of their
// choosing) to link up.
//
//   v2: "sb2-" base32( 0x02 | invite secret(16) | invite key(32) | key pin(16) )
//   v1: "sb1-" base32( 0x01 | invite secret(16) | profile key(32) | key pin(16) )
//
// The invite secret redeems the invite at the server (which stores only its
// hash). The invite key never reaches the server: the profile key that opens
// the therapist's sealed profile (stored by the server) and the proof key
// with which the client proves its identity key to the therapist are derived
// from it (crypto/include/securebase/crypto/invite_proof.h). The key pin is
// the first 16 bytes of the therapist's identity fingerprint: the client
// refuses a therapist key that does not match, so first contact is verified
// in both directions rather than trusted on first use.
//
// v1 codes (made before mutual pinning) carried the profile key itself and
// nothing the client could prove with. They still decode (the version says
// which they are), so a client can tell the user to ask for a new invite
// instead of failing as if the code were mistyped.
//
// Dashes, spaces and case are ignored when parsing; the prefix's digit must
// match the version byte.
#ifndef SECUREBASE_CLIENT_SRC_INVITE_CODE_H_
#define SECUREBASE_CLIENT_SRC_INVITE_CODE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "securebase/crypto/safety_number.h"
#include "securebase/crypto/secret.h"

namespace securebase::client {

inline constexpr uint8_t kInviteCodeVersion = 2;
inline constexpr uint8_t kLegacyInviteCodeVersion = 1;
inline constexpr size_t kInviteSecretSize = 16;
inline constexpr size_t kInviteKeyPinSize = 16;

struct InviteCode {
  uint8_t version = kInviteCodeVersion;
  std::string invite_secret;  // 16 bytes.
  // 32 bytes: v2 the invite key, v1 (legacy) the profile key itself.
  crypto::SecretBytes invite_key;
  std::string key_pin;  // 16 bytes.
};

// `code` in its version's format (a v1 code only for tests of the legacy
// path: the library makes v2 codes).
std::string FormatInviteCode(const InviteCode& code);
// nullopt for anything malformed, of another version or with a prefix that
// does not match its version byte.
std::optional<InviteCode> ParseInviteCode(std::string_view text);

// The pin of an identity key, and a constant-time check against it.
std::string KeyPin(const crypto::IdentityPublicKey& key);
bool KeyPinMatches(std::string_view pin, const crypto::IdentityPublicKey& key);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_INVITE_CODE_H_
