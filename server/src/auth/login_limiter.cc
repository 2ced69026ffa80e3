#include "server/src/auth/login_limiter.h"

namespace securebase::server {

LoginLimiter::LoginLimiter(const Clock& clock, uint32_t max_failures, int64_t window_ms)
    : clock_(clock), max_failures_(max_failures), window_ms_(window_ms) {}

bool LoginLimiter::IsBlocked(std::string_view device_key) {
  int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = windows_.find(std::string(device_key));
  if (it == windows_.end()) return false;
  if (now - it->second.start_ms >= window_ms_) {
    windows_.erase(it);
    return false;
  }
  return it->second.failures >= max_failures_;
}

void LoginLimiter::RecordFailure(std::string_view device_key) {
  int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  Window& window = windows_[std::string(device_key)];
  if (window.failures == 0 || now - window.start_ms >= window_ms_) {
    window.start_ms = now;
    window.failures = 0;
  }
  ++window.failures;
}

void LoginLimiter::Prune() {
  int64_t now = clock_.NowUnixMs();
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start_ms >= window_ms_; });
}

}  // namespace securebase::server
