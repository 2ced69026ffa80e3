#include "server/src/common/log_limiter.h"

namespace securebase::server {

LogLimiter::LogLimiter(uint32_t max_lines_per_second)
    : max_lines_per_second_(max_lines_per_second) {}

bool LogLimiter::Admit(std::string_view key, std::chrono::steady_clock::time_point now,
                       uint64_t* suppressed) {
  constexpr auto kSecond = std::chrono::seconds(1);
  std::lock_guard<std::mutex> lock(mu_);
  if (now - window_start_ >= kSecond) {
    window_start_ = now;
    lines_in_window_ = 0;
  }
  auto found = entries_.find(key);
  if (found == entries_.end()) found = entries_.emplace(std::string(key), Entry{}).first;
  Entry& entry = found->second;
  const bool over_cap = max_lines_per_second_ != 0 && lines_in_window_ >= max_lines_per_second_;
  if ((entry.logged && now - entry.last < kSecond) || over_cap) {
    ++entry.suppressed;
    return false;
  }
  ++lines_in_window_;
  entry.logged = true;
  entry.last = now;
  *suppressed = entry.suppressed;
  entry.suppressed = 0;
  return true;
}

}  // namespace securebase::server
