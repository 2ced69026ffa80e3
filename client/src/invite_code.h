// Invite codes: what a therapist hands a client (by a channel of their
// choosing) to link up.
//
//   "sb1-" base32( 0x01 | invite secret(16) | profile key(32) | key pin(16) )
//
// The invite secret redeems the invite at the server (which stores only its
// hash). The profile key opens the therapist's sealed profile, which the
// server stores but cannot read. The key pin is the first 16 bytes of the
// therapist's identity fingerprint: the client refuses a therapist key that
// does not match, so first contact is verified rather than trusted on first
// use. Dashes, spaces and case are ignored when parsing.
#ifndef SECUREBASE_CLIENT_SRC_INVITE_CODE_H_
#define SECUREBASE_CLIENT_SRC_INVITE_CODE_H_

#include <optional>
#include <string>
#include <string_view>

#include "securebase/crypto/safety_number.h"
#include "securebase/crypto/secret.h"

namespace securebase::client {

inline constexpr size_t kInviteSecretSize = 16;
inline constexpr size_t kInviteKeyPinSize = 16;

struct InviteCode {
  std::string invite_secret;        // 16 bytes.
  crypto::SecretBytes profile_key;  // 32 bytes.
  std::string key_pin;              // 16 bytes.
};

std::string FormatInviteCode(const InviteCode& code);
// nullopt for anything malformed.
std::optional<InviteCode> ParseInviteCode(std::string_view text);

// The pin of an identity key, and a constant-time check against it.
std::string KeyPin(const crypto::IdentityPublicKey& key);
bool KeyPinMatches(std::string_view pin, const crypto::IdentityPublicKey& key);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_INVITE_CODE_H_
