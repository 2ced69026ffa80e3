// The byte layout of ratchet and initial messages (documented in session.h):
// parsing into views, and the sizes the session needs. Private to crypto/.
// Nothing here touches a key; session.cc authenticates what is parsed.
#ifndef SECUREBASE_CRYPTO_SRC_WIRE_FORMAT_H_
#define SECUREBASE_CRYPTO_SRC_WIRE_FORMAT_H_

#include <sodium.h>

#include <cstddef>
#include <cstdint>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/status.h"
#include "securebase/crypto/x3dh.h"

namespace securebase::crypto::internal {

inline constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
inline constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
inline constexpr size_t kHeaderPlainSize = DhPublicKey::kSize + 4 + 4;  // dh || pn || n
inline constexpr size_t kHeaderCipherSize = kHeaderPlainSize + kTagSize;

// The leading bytes before the header nonce: version and type (v3), or the
// legacy type byte alone.
inline constexpr size_t kRatchetLeadSize = 2;
inline constexpr size_t kLegacyRatchetLeadSize = 1;
// Everything before the embedded ratchet message of an initial message.
inline constexpr size_t kX3dhHeaderSize = 1 + 32 + 32 + 4 + 1 + 4;
inline constexpr size_t kInitialPrefixSize = 2 + kX3dhHeaderSize;
inline constexpr size_t kLegacyInitialPrefixSize = 1 + kX3dhHeaderSize - 1;

// Sizes of a v3 ratchet message around its padded plaintext.
inline constexpr size_t kHeaderEnd = kRatchetLeadSize + kNonceSize + kHeaderCipherSize;
inline constexpr size_t kRatchetOverhead = kHeaderEnd + kNonceSize + kTagSize;

// Associated data for the body: session AD, then the ratchet message's bytes
// up to the body nonce, then the initial-message prefix when there is one.
inline constexpr size_t kMaxBodyAdSize = kAssociatedDataSize + kHeaderEnd + kInitialPrefixSize;

// A ratchet message split into its parts (views into the input buffer).
struct ParsedMessage {
  ByteSpan lead;  // Version and type bytes: bound into the header's AD.
  ByteSpan header_nonce;
  ByteSpan encrypted_header;
  ByteSpan prefix;  // lead, header nonce and encrypted header.
  ByteSpan body_nonce;
  ByteSpan encrypted_body;
  // For a ratchet message inside an initial message: the cleartext initial
  // prefix, bound into the body's associated data so it cannot be altered or
  // stripped.
  ByteSpan initial_prefix;
  bool legacy = false;  // Sealed by the format of commit e8ce7d0.
};

// A v3 or legacy ratchet message; kInvalidMessage on any malformed input.
Result<ParsedMessage> ParseRatchetMessage(ByteSpan message);

// Writes the v3 initial prefix (kInitialPrefixSize bytes) for `header`.
void WriteInitialPrefix(const InitialHeader& header, uint8_t* out);

}  // namespace securebase::crypto::internal

#endif  // SECUREBASE_CRYPTO_SRC_WIRE_FORMAT_H_
