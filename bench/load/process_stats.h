// What a benchmark reads about another process from /proc: CPU time (the
// stable cost figure on a shared, noisy machine) and resident memory.
#ifndef SECUREBASE_BENCH_LOAD_PROCESS_STATS_H_
#define SECUREBASE_BENCH_LOAD_PROCESS_STATS_H_

#include <sys/types.h>

#include <cstdint>

namespace securebase::bench {

// User + system CPU time of `pid` in microseconds (all threads), from
// /proc/<pid>/stat; -1 if it cannot be read.
int64_t ProcessCpuMicros(pid_t pid);

// VmRSS of `pid` in KiB from /proc/<pid>/status; -1 if it cannot be read.
int64_t ProcessRssKib(pid_t pid);

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_LOAD_PROCESS_STATS_H_
