#include "server/src/auth/challenges.h"

#include "securebase/crypto/secret.h"
#include "server/src/common/limits.h"
#include "server/src/common/secrets.h"

namespace securebase::server {
namespace {

crypto::ByteSpan Span(std::string_view s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

void Wipe(std::string& s) { crypto::SecureWipe(s.data(), s.size()); }

}  // namespace

ChallengeRegistry::ChallengeRegistry(const Clock& clock, crypto::RandomSource& random,
                                     int64_t ttl_ms)
    : clock_(clock), random_(random), ttl_ms_(ttl_ms) {}

ChallengeRegistry::~ChallengeRegistry() {
  for (auto& [device, entries] : by_device_) {
    for (auto& entry : entries) Wipe(entry.challenge);
  }
}

ChallengeRegistry::Issued ChallengeRegistry::Issue(std::string_view device_key) {
  Issued issued;
  issued.challenge = RandomBytes(random_, kChallengeSize);
  issued.expires_at_unix_ms = clock_.NowUnixMs() + ttl_ms_;
  std::lock_guard<std::mutex> lock(mu_);
  auto& entries = by_device_[std::string(device_key)];
  if (entries.size() >= kMaxChallengesPerDevice) {
    Wipe(entries.front().challenge);
    entries.pop_front();
  }
  entries.push_back({issued.challenge, issued.expires_at_unix_ms});
  return issued;
}

bool ChallengeRegistry::Consume(std::string_view device_key, std::string_view challenge) {
  int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  auto found = by_device_.find(std::string(device_key));
  if (found == by_device_.end()) return false;
  auto& entries = found->second;
  bool valid = false;
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    // Constant time: the comparison does not reveal how many bytes matched.
    if (crypto::ConstantTimeEquals(Span(it->challenge), Span(challenge))) {
      valid = it->expires_at_unix_ms > now;
      Wipe(it->challenge);
      entries.erase(it);
      break;
    }
  }
  if (entries.empty()) by_device_.erase(found);
  return valid;
}

void ChallengeRegistry::Prune() {
  int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = by_device_.begin(); it != by_device_.end();) {
    auto& entries = it->second;
    while (!entries.empty() && entries.front().expires_at_unix_ms <= now) {
      Wipe(entries.front().challenge);
      entries.pop_front();
    }
    it = entries.empty() ? by_device_.erase(it) : std::next(it);
  }
}

}  // namespace securebase::server
