// Text codes that people type or scan: the link code and the recovery key.
// Private to crypto/; the formats that use it say what the caller may rely on.
//
// Alphabet: Crockford's base32 (0-9, A-Z without I, L, O, U), upper case, so
// no two characters look alike, nothing spells words by accident, and the
// text fits a QR code's compact alphanumeric mode. Decoding is forgiving the
// way Crockford specifies: lower case is accepted, I and L read as 1, O as 0,
// and spaces, dashes, tabs and line breaks are ignored. Every code carries a
// checksum (a truncated BLAKE2b of its bytes under a fixed label), so a typo
// is reported as a typo before any key is used.
#ifndef SECUREBASE_CRYPTO_SRC_CHECKED_TEXT_H_
#define SECUREBASE_CRYPTO_SRC_CHECKED_TEXT_H_

#include <cstddef>
#include <string_view>

#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto::internal {

struct CheckedTextFormat {
  // What the code is called in error messages ("link code").
  std::string_view name;
  // Domain label of the checksum hash.
  std::string_view checksum_label;
  // Checksum bytes appended to the payload before encoding.
  size_t checksum_size;
  // Characters per group in the text form (groups are joined by '-').
  size_t group_size;
  // Characters (without separators) of the current version's code.
  size_t text_length;
};

// payload || checksum as grouped text. (payload + checksum) must be a whole
// number of 5-byte blocks, so the text has no padding bits. The text is
// returned in wiped memory: a recovery key is secret.
SecretBytes EncodeCheckedText(const CheckedTextFormat& format, ByteSpan payload);

// The payload `text` carries, its checksum verified. kInvalidMessage, with a
// message for a person, for a character outside the alphabet (its position
// is named, the character itself is not repeated: it may be part of a
// secret), a wrong number of characters, or a checksum mismatch ("has a
// typo"). A text of another length whose checksum verifies is returned as is,
// so the caller can tell a code of a newer version by its version byte.
Result<SecretBytes> DecodeCheckedText(const CheckedTextFormat& format, std::string_view text);

}  // namespace securebase::crypto::internal

#endif  // SECUREBASE_CRYPTO_SRC_CHECKED_TEXT_H_
