#include "server/src/common/secrets.h"

#include <sodium.h>

#include <cstdint>
#include <vector>

namespace securebase::server {
namespace {

std::string_view PurposeLabel(SecretPurpose purpose) {
  switch (purpose) {
    case SecretPurpose::kSessionToken: return "SecureBase/v1/server/session-token";
    case SecretPurpose::kInviteSecret: return "SecureBase/v1/server/invite-secret";
    case SecretPurpose::kRegistrationToken: return "SecureBase/v1/server/registration-token";
    case SecretPurpose::kBlobReadCapability: return "SecureBase/v1/server/blob-read-capability";
  }
  return "";
}

}  // namespace

std::string HashSecret(SecretPurpose purpose, std::string_view secret) {
  crypto::EnsureSodiumInitialized();
  std::string_view label = PurposeLabel(purpose);
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kSecretHashSize);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(label.data()),
                            label.size());
  const unsigned char separator = 0;
  crypto_generichash_update(&state, &separator, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                            secret.size());
  std::string out(kSecretHashSize, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  sodium_memzero(&state, sizeof(state));  // The state held the secret.
  return out;
}

std::string RandomBytes(crypto::RandomSource& random, size_t size) {
  std::vector<uint8_t> buffer(size);
  random.Fill(buffer);
  std::string out(buffer.begin(), buffer.end());
  sodium_memzero(buffer.data(), buffer.size());
  return out;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::optional<std::string> FromLowerHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]);
    int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

}  // namespace securebase::server
