// Token-bucket rate limiting per key (an account): `rate` tokens per second
// refill up to `burst`; each request takes one.
//
// Thread-safety: thread-safe; sharded so accounts do not contend on one lock.
#ifndef SECUREBASE_SERVER_AUTH_RATE_LIMITER_H_
#define SECUREBASE_SERVER_AUTH_RATE_LIMITER_H_

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/src/common/clock.h"

namespace securebase::server {

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, double rate_per_second, double burst);

  // Takes one token for `key`. False: the bucket is empty (refuse the call).
  bool TryAcquire(std::string_view key);

  // Forgets buckets that have refilled completely (they hold no state worth
  // keeping). Call periodically to bound memory.
  void Prune();

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_ms = 0;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;  // Guarded by mu.
  };
  static constexpr size_t kShards = 32;

  const Clock& clock_;
  const double rate_;
  const double burst_;
  std::array<Shard, kShards> shards_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_AUTH_RATE_LIMITER_H_
