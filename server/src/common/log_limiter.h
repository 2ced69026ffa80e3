// Rate limits log lines of one kind: at most one a second per key (an RPC
// method and status code, a line of gRPC's source), and optionally at most
// `max_lines_per_second` in all. What is left out is counted and reported
// with the next line of its key (`suppressed_before`), so a flood costs a
// line a second, not a line per event, and cannot fill the disk.
//
// Thread-safety: thread-safe. Memory grows with the number of distinct keys:
// use keys from a bounded set (method names, source locations), never
// anything a client chooses.
#ifndef SECUREBASE_SERVER_COMMON_LOG_LIMITER_H_
#define SECUREBASE_SERVER_COMMON_LOG_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace securebase::server {

class LogLimiter {
 public:
  // 0: no cap across keys.
  explicit LogLimiter(uint32_t max_lines_per_second = 0);

  // True if a line of `key` may be written at `now`; `*suppressed` gets how
  // many of its kind were left out since its previous line.
  bool Admit(std::string_view key, std::chrono::steady_clock::time_point now, uint64_t* suppressed);

 private:
  struct Entry {
    bool logged = false;
    std::chrono::steady_clock::time_point last;
    uint64_t suppressed = 0;
  };
  const uint32_t max_lines_per_second_;
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;   // Guarded by mu_.
  std::chrono::steady_clock::time_point window_start_;  // Guarded by mu_.
  uint32_t lines_in_window_ = 0;                        // Guarded by mu_.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_COMMON_LOG_LIMITER_H_
