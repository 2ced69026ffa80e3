// Token-bucket rate limiting per key (an account, a source address, or one
// key for a global limit): `rate` tokens per second refill up to `burst`;
// each request takes one.
//
// Memory: one bucket per key seen since its bucket last refilled. With
// `max_keys` set (keys an attacker can choose freely, such as source
// addresses), a full limiter first forgets refilled buckets and then refuses
// new keys: a flood from ever new addresses is refused instead of growing
// memory.
//
// Thread-safety: thread-safe; sharded so keys do not contend on one lock.
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
  // `max_keys` 0: unbounded.
  RateLimiter(const Clock& clock, double rate_per_second, double burst, size_t max_keys = 0);

  // Takes one token for `key`. False: the bucket is empty, or the limiter is
  // full and `key` is new (refuse the call).
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

  // Requires the shard's mutex.
  void PruneLocked(Shard& shard, int64_t now);

  const Clock& clock_;
  const double rate_;
  const double burst_;
  const size_t max_keys_per_shard_;  // 0: unbounded.
  std::array<Shard, kShards> shards_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_AUTH_RATE_LIMITER_H_
