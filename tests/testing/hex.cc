#include "tests/testing/hex.h"

#include <sodium.h>

#include <cstdlib>

namespace securebase::testing {

crypto::Bytes FromHex(std::string_view hex) {
  crypto::Bytes out(hex.size() / 2);
  size_t written = 0;
  if (hex.size() % 2 != 0 ||
      sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &written, nullptr) !=
          0 ||
      written != out.size()) {
    std::abort();
  }
  return out;
}

std::string ToHex(crypto::ByteSpan bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

}  // namespace securebase::testing
