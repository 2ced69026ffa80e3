// The exact byte string a domain-separated signature covers. Private.
#ifndef SECUREBASE_CRYPTO_SRC_SIGNING_MESSAGE_H_
#define SECUREBASE_CRYPTO_SRC_SIGNING_MESSAGE_H_

#include "securebase/crypto/signature.h"

namespace securebase::crypto::internal {

// label || 0x00 || message. The 0x00 cannot occur in a label, so no two
// (context, message) pairs produce the same bytes.
Bytes SigningMessage(SignatureContext context, ByteSpan message);

// OK if `signature` is `public_key`'s Ed25519 signature over
// SigningMessage(context, message); kBadSignature otherwise, also for a public
// key that is not a valid full-order point.
Status VerifyWithContext(SignatureContext context, ByteSpan public_key, ByteSpan message,
                         const Signature& signature);

}  // namespace securebase::crypto::internal

#endif  // SECUREBASE_CRYPTO_SRC_SIGNING_MESSAGE_H_
