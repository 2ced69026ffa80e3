// What every benchmark measures the same way: nearest-rank percentiles of
// latency samples. (A process's CPU time, the stable cost figure on a
// shared, noisy machine, and its memory come from the test harness:
// tests/server/integration/harness/process_stats.h.)
#ifndef SECUREBASE_BENCH_COMMON_MEASURE_H_
#define SECUREBASE_BENCH_COMMON_MEASURE_H_

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace securebase::bench {

// The p-th percentile (0..100, nearest rank) of `nanos` in milliseconds; 0
// when empty. Sorts `nanos`.
double PercentileMs(std::vector<int64_t>& nanos, double p);

// The 1-minute load average: how busy the machine was (figures are only
// comparable between quiet runs); -1 if it cannot be read.
double LoadAverage();

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_COMMON_MEASURE_H_
