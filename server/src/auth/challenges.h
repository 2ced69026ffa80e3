// Outstanding login challenges, in memory only (a restart invalidates them).
// Each is 32 random bytes, expires, and is consumed by its first use,
// successful or not. At most kMaxChallengesPerDevice per device (oldest
// dropped), so unauthenticated callers cannot grow memory without bound.
//
// Thread-safety: thread-safe.
#ifndef SECUREBASE_SERVER_AUTH_CHALLENGES_H_
#define SECUREBASE_SERVER_AUTH_CHALLENGES_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "securebase/crypto/random.h"
#include "server/src/common/clock.h"

namespace securebase::server {

class ChallengeRegistry {
 public:
  ChallengeRegistry(const Clock& clock, crypto::RandomSource& random, int64_t ttl_ms);
  ~ChallengeRegistry();

  struct Issued {
    std::string challenge;  // 32 bytes.
    int64_t expires_at_unix_ms = 0;
  };
  Issued Issue(std::string_view device_key);

  // True if `challenge` is an unexpired outstanding challenge of the device
  // (constant-time comparison). Removes it either way: single use.
  bool Consume(std::string_view device_key, std::string_view challenge);

  void Prune();

 private:
  struct Entry {
    std::string challenge;
    int64_t expires_at_unix_ms;
  };

  const Clock& clock_;
  crypto::RandomSource& random_;
  const int64_t ttl_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Entry>> by_device_;  // Guarded by mu_.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_AUTH_CHALLENGES_H_
