// Byte views and hex: the one place the libraries (and their tests and apps)
// convert between text containers and byte spans, and to and from hex.
//
// None of these is for secrets: a std::string is never wiped. Use them for
// public keys, ids, ciphertexts and test vectors.
#ifndef SECUREBASE_CRYPTO_ENCODING_H_
#define SECUREBASE_CRYPTO_ENCODING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "securebase/crypto/secret.h"

namespace securebase::crypto {

// The bytes of a string, without copying.
inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
// The bytes as a string view, without copying.
inline std::string_view AsStringView(ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// Lowercase hex, two digits per byte.
std::string ToHex(ByteSpan bytes);
inline std::string ToHex(std::string_view bytes) { return ToHex(AsBytes(bytes)); }

// The bytes `hex` spells (either case), or nullopt unless it is an even
// number of hex digits.
std::optional<std::string> FromHex(std::string_view hex);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_ENCODING_H_
