// HKDF (RFC 5869, section 2) instantiated with HMAC-SHA256 from libsodium.
#include "securebase/crypto/hkdf.h"

#include <sodium.h>

#include <algorithm>

#include "securebase/crypto/random.h"

namespace securebase::crypto {
namespace {

// Wipes the HMAC state on every exit path.
struct HmacState {
  crypto_auth_hmacsha256_state state;
  ~HmacState() { SecureWipe(&state, sizeof(state)); }
};

}  // namespace

SecretArray<kHkdfHashSize> HkdfExtract(ByteSpan salt, ByteSpan ikm) {
  EnsureSodiumInitialized();
  static constexpr uint8_t kZeroSalt[kHkdfHashSize] = {};
  if (salt.empty()) salt = ByteSpan(kZeroSalt, sizeof(kZeroSalt));
  SecretArray<kHkdfHashSize> prk;
  HmacState hmac;
  crypto_auth_hmacsha256_init(&hmac.state, salt.data(), salt.size());
  crypto_auth_hmacsha256_update(&hmac.state, ikm.data(), ikm.size());
  crypto_auth_hmacsha256_final(&hmac.state, prk.data());
  return prk;
}

Status HkdfExpand(ByteSpan prk, ByteSpan info, std::span<uint8_t> out) {
  if (out.size() > kHkdfMaxOutputSize || prk.size() < kHkdfHashSize) {
    SecureWipe(out.data(), out.size());
    return Status::InvalidArgument("HKDF output too long or PRK too short");
  }
  EnsureSodiumInitialized();
  SecretArray<kHkdfHashSize> block;  // T(i), wiped on exit.
  size_t produced = 0;
  for (uint8_t counter = 1; produced < out.size(); ++counter) {
    HmacState hmac;
    crypto_auth_hmacsha256_init(&hmac.state, prk.data(), prk.size());
    if (counter > 1) crypto_auth_hmacsha256_update(&hmac.state, block.data(), block.size());
    crypto_auth_hmacsha256_update(&hmac.state, info.data(), info.size());
    crypto_auth_hmacsha256_update(&hmac.state, &counter, 1);
    crypto_auth_hmacsha256_final(&hmac.state, block.data());
    size_t take = std::min(block.size(), out.size() - produced);
    std::copy_n(block.data(), take, out.data() + produced);
    produced += take;
  }
  return Status::Ok();
}

Status Hkdf(ByteSpan salt, ByteSpan ikm, ByteSpan info, std::span<uint8_t> out) {
  SecretArray<kHkdfHashSize> prk = HkdfExtract(salt, ikm);
  return HkdfExpand(prk.span(), info, out);
}

}  // namespace securebase::crypto
