// Small helpers shared inside client/src.
#ifndef SECUREBASE_CLIENT_SRC_UTIL_H_
#define SECUREBASE_CLIENT_SRC_UTIL_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "securebase/crypto/secret.h"

namespace securebase::client {

std::string ToHex(std::string_view bytes);
// nullopt unless `hex` is an even number of hex digits.
std::optional<std::string> FromHex(std::string_view hex);

inline int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline crypto::ByteSpan AsBytes(std::string_view s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsStringView(crypto::ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// 16 random bytes (message ids, client message ids).
std::string RandomId();

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_UTIL_H_
