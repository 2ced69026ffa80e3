#include "server/src/auth/challenges.h"

#include <sodium.h>

#include "server/src/common/limits.h"
#include "server/src/store/keys.h"

namespace securebase::server {
namespace {

constexpr std::string_view kMacLabel = "SecureBase/v1/server/login-challenge";
constexpr uint8_t kVersion = 0x01;
constexpr size_t kExpiryBytes = 6;
constexpr size_t kNonceBytes = 9;
constexpr size_t kBodyBytes = 1 + kExpiryBytes + kNonceBytes;
constexpr size_t kMacBytes = 16;
static_assert(kBodyBytes + kMacBytes == kChallengeSize);
constexpr size_t kKeyBytes = 32;

int64_t ReadExpiry(std::string_view challenge) {
  uint64_t value = 0;
  for (size_t i = 0; i < kExpiryBytes; ++i) {
    value = (value << 8) | static_cast<uint8_t>(challenge[1 + i]);
  }
  return static_cast<int64_t>(value);
}

}  // namespace

LoginChallenges::LoginChallenges(const Clock& clock, crypto::RandomSource& random, int64_t ttl_ms)
    : clock_(clock), random_(random), ttl_ms_(ttl_ms), key_(kKeyBytes) {
  random_.Fill(key_.mutable_span());
}

std::string LoginChallenges::Mac(std::string_view user_id, uint32_t device_id,
                                 std::string_view body) const {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key_.data(), key_.size(), kMacBytes);
  auto update = [&state](std::string_view bytes) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
  };
  update(kMacLabel);
  update(std::string_view("\0", 1));
  update(user_id);
  std::string device;
  keys::AppendBe32(device, device_id);
  update(device);
  update(body);
  std::string mac(kMacBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(mac.data()), mac.size());
  sodium_memzero(&state, sizeof(state));  // It held the key.
  return mac;
}

LoginChallenges::Issued LoginChallenges::Issue(std::string_view user_id, uint32_t device_id) {
  Issued issued;
  issued.expires_at_unix_ms = clock_.NowUnixMs() + ttl_ms_;
  std::string body;
  body.reserve(kChallengeSize);
  body.push_back(static_cast<char>(kVersion));
  const auto expiry = static_cast<uint64_t>(issued.expires_at_unix_ms);
  for (size_t i = kExpiryBytes; i-- > 0;) body.push_back(static_cast<char>(expiry >> (8 * i)));
  uint8_t nonce[kNonceBytes];
  random_.Fill(nonce);
  body.append(reinterpret_cast<const char*>(nonce), kNonceBytes);
  issued.challenge = body + Mac(user_id, device_id, body);
  return issued;
}

LoginChallenges::Check LoginChallenges::Verify(std::string_view user_id, uint32_t device_id,
                                               std::string_view challenge) {
  if (challenge.size() != kChallengeSize || static_cast<uint8_t>(challenge[0]) != kVersion) {
    return Check::kUnknown;
  }
  const std::string_view body = challenge.substr(0, kBodyBytes);
  const std::string expected = Mac(user_id, device_id, body);
  // Constant time: the comparison does not reveal how many bytes matched.
  if (crypto_verify_16(reinterpret_cast<const unsigned char*>(expected.data()),
                       reinterpret_cast<const unsigned char*>(challenge.data() + kBodyBytes)) !=
      0) {
    return Check::kUnknown;
  }
  if (ReadExpiry(challenge) <= clock_.NowUnixMs()) return Check::kExpired;
  std::lock_guard<std::mutex> lock(mu_);
  if (used_.count(std::string(challenge.substr(kBodyBytes)))) return Check::kUsed;
  return Check::kValid;
}

bool LoginChallenges::MarkUsed(std::string_view challenge) {
  if (challenge.size() != kChallengeSize) return false;
  std::lock_guard<std::mutex> lock(mu_);
  return used_.emplace(std::string(challenge.substr(kBodyBytes)), ReadExpiry(challenge)).second;
}

void LoginChallenges::Prune() {
  const int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(used_, [now](const auto& entry) { return entry.second <= now; });
}

}  // namespace securebase::server
