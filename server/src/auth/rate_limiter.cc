#include "server/src/auth/rate_limiter.h"

#include <algorithm>
#include <functional>

namespace securebase::server {

RateLimiter::RateLimiter(const Clock& clock, double rate_per_second, double burst, size_t max_keys)
    : clock_(clock),
      rate_(rate_per_second),
      burst_(std::max(1.0, burst)),
      max_keys_per_shard_(max_keys == 0 ? 0 : std::max<size_t>(1, max_keys / kShards)) {}

bool RateLimiter::TryAcquire(std::string_view key) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(shard.mu);
  if (max_keys_per_shard_ != 0 && shard.buckets.size() >= max_keys_per_shard_ &&
      shard.buckets.find(std::string(key)) == shard.buckets.end()) {
    PruneLocked(shard, now);
    if (shard.buckets.size() >= max_keys_per_shard_) return false;
  }
  auto [it, inserted] = shard.buckets.try_emplace(std::string(key));
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = burst_;
  } else if (now > bucket.last_ms) {
    bucket.tokens = std::min(burst_, bucket.tokens + rate_ * (now - bucket.last_ms) / 1000.0);
  }
  bucket.last_ms = std::max(bucket.last_ms, now);
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

void RateLimiter::PruneLocked(Shard& shard, int64_t now) {
  std::erase_if(shard.buckets, [&](const auto& entry) {
    const Bucket& bucket = entry.second;
    return bucket.tokens + rate_ * (now - bucket.last_ms) / 1000.0 >= burst_;
  });
}

void RateLimiter::Prune() {
  int64_t now = clock_.NowUnixMs();
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    PruneLocked(shard, now);
  }
}

}  // namespace securebase::server
