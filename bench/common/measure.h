// What every benchmark measures the same way: a process's CPU time (the
// stable cost figure on a shared, noisy machine) and resident memory from
// /proc, and nearest-rank percentiles of latency samples.
#ifndef SECUREBASE_BENCH_COMMON_MEASURE_H_
#define SECUREBASE_BENCH_COMMON_MEASURE_H_

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace securebase::bench {

// User + system CPU time of `pid` in microseconds (all threads), from
// /proc/<pid>/stat; -1 if it cannot be read.
int64_t ProcessCpuMicros(pid_t pid);

// VmRSS of `pid` in KiB from /proc/<pid>/status; -1 if it cannot be read.
int64_t ProcessRssKib(pid_t pid);

// The p-th percentile (0..100, nearest rank) of `nanos` in milliseconds; 0
// when empty. Sorts `nanos`.
double PercentileMs(std::vector<int64_t>& nanos, double p);

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_COMMON_MEASURE_H_
