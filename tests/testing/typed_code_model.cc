#include "tests/testing/typed_code_model.h"

#include <sodium.h>

#include <cstdlib>

namespace securebase::testing {

std::string TypedCodeText(std::string_view label, size_t check_size, const crypto::Bytes& bytes) {
  static constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  crypto::Bytes hashed(label.begin(), label.end());
  hashed.push_back(0);
  hashed.insert(hashed.end(), bytes.begin(), bytes.end());
  uint8_t hash[32];
  crypto_generichash(hash, sizeof hash, hashed.data(), hashed.size(), nullptr, 0);
  crypto::Bytes all = bytes;
  all.insert(all.end(), hash, hash + check_size);
  if (all.size() % 5 != 0) std::abort();
  // One character per 5 bits, most significant first, as a bit string.
  std::string bits;
  for (uint8_t b : all) {
    for (int i = 7; i >= 0; --i) bits += ((b >> i) & 1) ? '1' : '0';
  }
  std::string out;
  for (size_t i = 0; i < bits.size(); i += 5) {
    if (i > 0 && (i / 5) % 4 == 0) out += '-';
    out += kCrockford[std::stoi(bits.substr(i, 5), nullptr, 2)];
  }
  return out;
}

}  // namespace securebase::testing
