// Injected time. Everything in the server that reads the time takes a Clock&,
// so tests control expiry, rate limits and retention.
#ifndef SECUREBASE_SERVER_COMMON_CLOCK_H_
#define SECUREBASE_SERVER_COMMON_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace securebase::server {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch. Thread-safe.
  virtual int64_t NowUnixMs() const = 0;
};

// The system's wall clock. Thread-safe; one process-wide instance.
Clock& SystemClock();

// A clock that moves only when told. Thread-safe. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_unix_ms = 1'700'000'000'000) : now_(start_unix_ms) {}
  int64_t NowUnixMs() const override { return now_.load(); }
  void AdvanceMs(int64_t ms) { now_.fetch_add(ms); }
  void SetMs(int64_t ms) { now_.store(ms); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_COMMON_CLOCK_H_
