// Counts failed logins per key (a source address, a device) and backs off
// exponentially instead of locking hard (hardening finding 7: five junk
// logins locked a victim's device for 900 s, renewable for ever).
//
// The first `free_failures` failures of a key cost it nothing. Each further
// failure that happens while the key is not backing off starts a backoff of
// 1 s, 2 s, 4 s, ... (at most `max_backoff_ms`); failures during a backoff
// do not lengthen it. A key's count is forgotten `window_ms` after its last
// failure, and at once after a success (Clear).
//
// What a backoff means is the caller's choice: a source address that backs
// off is refused (it cannot even ask); a device that backs off still logs in
// with a correct signature -- only its failures are answered differently.
//
// Memory: one entry per key with a failure in the window. Keys are created
// only by failures, which the callers rate limit per source and globally.
//
// Thread-safety: thread-safe.
#ifndef SECUREBASE_SERVER_AUTH_FAILURE_BACKOFF_H_
#define SECUREBASE_SERVER_AUTH_FAILURE_BACKOFF_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/src/common/clock.h"

namespace securebase::server {

class FailureBackoff {
 public:
  FailureBackoff(const Clock& clock, uint32_t free_failures, int64_t window_ms,
                 int64_t max_backoff_ms);

  // Milliseconds until `key`'s backoff ends; 0 when it is not backing off.
  int64_t BackoffMs(std::string_view key);

  struct Failure {
    uint32_t failures_in_window = 0;  // This one included.
    bool during_backoff = false;      // The key was backing off already.
  };
  Failure RecordFailure(std::string_view key);

  // Forgets the key's failures (after a success).
  void Clear(std::string_view key);
  // Forgets keys whose last failure is older than the window.
  void Prune();

 private:
  struct Entry {
    int64_t last_failure_ms = 0;
    int64_t backoff_until_ms = 0;
    uint32_t failures = 0;
    uint32_t backoffs = 0;  // How many backoffs were imposed: the exponent.
  };

  const Clock& clock_;
  const uint32_t free_failures_;
  const int64_t window_ms_;
  const int64_t max_backoff_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // Guarded by mu_.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_AUTH_FAILURE_BACKOFF_H_
