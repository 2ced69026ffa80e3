// Length hiding: plaintext is padded to a bucket before encryption.
//
// Buckets: everything shorter than kMinPaddedSize becomes kMinPaddedSize bytes;
// above that the Padmé scheme rounds up by at most ~12%, so a padded length
// reveals only O(log log n) bits about the real one. The padding itself is
// ISO/IEC 7816-4 (sodium_pad), so it is removable without a length field.
#ifndef SECUREBASE_CRYPTO_PADDING_H_
#define SECUREBASE_CRYPTO_PADDING_H_

#include <cstddef>

#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

// The padded size for an unpadded length (always > length).
size_t PaddedSize(size_t length);

// kInvalidArgument if plaintext is larger than kMaxPlaintextSize.
Result<SecretBytes> Pad(ByteSpan plaintext);

// Removes the padding in place. kInvalidMessage if it is malformed.
Status Unpad(SecretBytes& padded);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_PADDING_H_
