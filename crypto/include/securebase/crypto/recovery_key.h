// The recovery key: 256 random bits that only the user holds, under which
// backups are encrypted (backup.h). What the caller may rely on: the key
// lives only in sodium_malloc memory and in the wiped text this returns; its
// text is 64 characters a person can copy by hand and type back, and a
// mistyped key is reported as a typo (kInvalidMessage), never as a wrong key.
//
// Text v1: Crockford base32 (0-9 and A-Z without I, L, O, U) of
//   version(1) = 0x01 | key(32) | check(7)          = 40 bytes = 64 characters,
// upper case, in 16 groups of 4 joined by '-'; check = the first 7 bytes of
// BLAKE2b-256("SecureBase/v1/recovery-key-check" | 0x00 | version | key).
// Parsing ignores case, spaces, dashes, tabs and line breaks, and reads I and
// L as 1 and O as 0. (Every v1 key starts with '0', the version byte's high
// bits.) docs/LINKING.md has the details.
//
// Thread-safety: none; a plain value, wiped on destruction.
#ifndef SECUREBASE_CRYPTO_RECOVERY_KEY_H_
#define SECUREBASE_CRYPTO_RECOVERY_KEY_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr uint8_t kRecoveryKeyVersion = 1;
inline constexpr size_t kRecoveryKeySize = 32;
// Characters of the text, without the dashes between groups.
inline constexpr size_t kRecoveryKeyTextLength = 64;

class RecoveryKey {
 public:
  // 32 bytes from `rng` (SystemRandom(): libsodium's randombytes_buf).
  static RecoveryKey Generate(RandomSource& rng);

  // Reads a typed key. kInvalidMessage, with a message for a person, for a
  // character that cannot be in a key (by position; the character itself is
  // not repeated), a missing or extra character, or a typo ("that recovery
  // key has a typo": the check characters do not match); kUnsupportedVersion
  // for a key made by a newer SecureBase. The caller wipes its own copy of
  // `text`.
  static Result<RecoveryKey> Parse(std::string_view text);

  // The text to show the user once ("0ABC-DEFG-..."): 64 characters in 16
  // groups of 4, 79 bytes with the dashes. Wiped when dropped; view it with
  // AsStringView(text.span()) (encoding.h).
  SecretBytes ToText() const;

  RecoveryKey Clone() const { return RecoveryKey(key_.Clone()); }
  // Secret: for deriving backup keys (backup.h) and nothing else.
  ByteSpan bytes() const { return key_.span(); }
  bool Equals(const RecoveryKey& other) const { return key_.Equals(other.key_); }

 private:
  explicit RecoveryKey(SecureBuffer key) : key_(std::move(key)) { key_.MakeReadOnly(); }
  SecureBuffer key_;
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_RECOVERY_KEY_H_
