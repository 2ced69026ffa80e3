// Small helpers shared by the integration tests.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_UTIL_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_UTIL_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace securebase::integration {

inline int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sleeps until the wall clock is past `unix_ms` plus `margin`. Only for
// waiting out a server-side TTL (expiry is the thing under test).
inline void SleepUntilPast(int64_t unix_ms, std::chrono::milliseconds margin) {
  int64_t wait = unix_ms + margin.count() - NowUnixMs();
  if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
}

// Allowed difference between the server's clock readings and ours (same
// machine; covers rounding and scheduling).
inline constexpr int64_t kClockSlackMs = 5000;

inline bool IsLowerHex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_UTIL_H_
