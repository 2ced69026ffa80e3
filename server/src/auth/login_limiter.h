// Counts failed logins per device in a fixed window: after `max_failures`
// failures within `window_ms` of the first one, the device is blocked until
// the window ends. Memory only: a restart forgets the counts.
//
// Thread-safety: thread-safe.
#ifndef SECUREBASE_SERVER_AUTH_LOGIN_LIMITER_H_
#define SECUREBASE_SERVER_AUTH_LOGIN_LIMITER_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/src/common/clock.h"

namespace securebase::server {

class LoginLimiter {
 public:
  LoginLimiter(const Clock& clock, uint32_t max_failures, int64_t window_ms);

  // True when the device has used up its failures in the current window.
  bool IsBlocked(std::string_view device_key);
  void RecordFailure(std::string_view device_key);
  // Drops windows that have ended.
  void Prune();

 private:
  struct Window {
    int64_t start_ms = 0;
    uint32_t failures = 0;
  };

  const Clock& clock_;
  const uint32_t max_failures_;
  const int64_t window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;  // Guarded by mu_.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_AUTH_LOGIN_LIMITER_H_
