// A closed-loop driver: `concurrency` slots, each starting its next call as
// soon as the previous one completed, for a warm-up and then a measured
// window. The same driver runs the echo baseline and the real server, so
// their figures are comparable.
#ifndef SECUREBASE_BENCH_LOAD_CLOSED_LOOP_H_
#define SECUREBASE_BENCH_LOAD_CLOSED_LOOP_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "bench/common/measure.h"

namespace securebase::bench {

// Monotonic nanoseconds (steady_clock), shared by all timestamps here.
int64_t NowNanos();

// Given to an issuer; must be called exactly once, when the call completed.
using Done = std::function<void(grpc::StatusCode)>;
// Starts one asynchronous call for `slot` and arranges for `done` to run
// when it completes. Must not block.
using Issue = std::function<void(size_t slot, Done done)>;

struct LoopResult {
  double seconds = 0;                           // Length of the measured window.
  uint64_t ok = 0;                              // OK completions in the window.
  std::map<grpc::StatusCode, uint64_t> errors;  // Failed completions in the window.
  std::vector<int64_t> latencies_ns;            // OK calls wholly inside the window.
  int64_t server_cpu_us = 0;                    // Server CPU used in the window.
  int64_t server_rss_kib = 0;                   // At the end of the window.
  int64_t window_start_ns = 0;
  int64_t window_end_ns = 0;

  double per_second() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  double cpu_us_per_call() const {
    return ok > 0 ? static_cast<double>(server_cpu_us) / static_cast<double>(ok) : 0;
  }
  uint64_t error_count() const;
};

// Runs the loop; `on_window` (may be empty) is called with true when the
// measured window opens and false when it closes. Returns after every
// outstanding call completed.
LoopResult RunClosedLoop(size_t concurrency, std::chrono::milliseconds warmup,
                         std::chrono::milliseconds measure, pid_t server_pid, const Issue& issue,
                         const std::function<void(bool)>& on_window = {});

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_LOAD_CLOSED_LOOP_H_
