// What a process (the server under test) uses, from /proc: CPU time,
// memory, open file descriptors. Shared by the tests and the benchmarks.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_PROCESS_STATS_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_PROCESS_STATS_H_

#include <sys/types.h>

#include <cstdint>

namespace securebase::integration {

// User + system CPU time of `pid` in microseconds (all threads); -1 if it
// cannot be read.
int64_t ProcessCpuMicros(pid_t pid);

enum class MemoryFigure {
  kResident,      // VmRSS: now.
  kPeakResident,  // VmHWM: the most it ever held.
};
// KiB; -1 if it cannot be read.
int64_t ProcessMemoryKib(pid_t pid, MemoryFigure figure);

// Entries in /proc/<pid>/fd; 0 if it cannot be read.
size_t OpenFdCount(pid_t pid);

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_PROCESS_STATS_H_
