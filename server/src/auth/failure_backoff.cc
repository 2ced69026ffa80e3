#include "server/src/auth/failure_backoff.h"

#include <algorithm>

namespace securebase::server {

FailureBackoff::FailureBackoff(const Clock& clock, uint32_t free_failures, int64_t window_ms,
                               int64_t max_backoff_ms)
    : clock_(clock),
      free_failures_(free_failures),
      window_ms_(window_ms),
      max_backoff_ms_(max_backoff_ms) {}

int64_t FailureBackoff::BackoffMs(std::string_view key) {
  const int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  auto found = entries_.find(std::string(key));
  if (found == entries_.end()) return 0;
  if (now - found->second.last_failure_ms >= window_ms_) {
    entries_.erase(found);
    return 0;
  }
  return std::max<int64_t>(0, found->second.backoff_until_ms - now);
}

FailureBackoff::Failure FailureBackoff::RecordFailure(std::string_view key) {
  const int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = entries_[std::string(key)];
  if (entry.failures > 0 && now - entry.last_failure_ms >= window_ms_) entry = Entry{};
  Failure failure;
  failure.during_backoff = now < entry.backoff_until_ms;
  entry.last_failure_ms = now;
  ++entry.failures;
  failure.failures_in_window = entry.failures;
  if (entry.failures > free_failures_ && !failure.during_backoff) {
    // 1 s << backoffs, capped (and the shift kept small).
    const int64_t backoff =
        std::min<int64_t>(max_backoff_ms_, int64_t{1000} << std::min<uint32_t>(entry.backoffs, 30));
    ++entry.backoffs;
    entry.backoff_until_ms = now + backoff;
  }
  return failure;
}

void FailureBackoff::Clear(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(std::string(key));
}

void FailureBackoff::Prune() {
  const int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(entries_, [&](const auto& entry) {
    return now - entry.second.last_failure_ms >= window_ms_;
  });
}

}  // namespace securebase::server
