// The process's file descriptor limit (hardening finding 3: 1,100 idle TCP
// connections under the default soft limit of 1,024 made gRPC's listener
// stop accepting for good, and RocksDB could no longer open its WAL).
#ifndef SECUREBASE_SERVER_APP_FD_LIMIT_H_
#define SECUREBASE_SERVER_APP_FD_LIMIT_H_

#include <cstdint>

namespace securebase::server {

struct FdLimit {
  uint64_t before = 0;  // Soft limit at start.
  uint64_t now = 0;     // Soft limit after raising it.
  uint64_t hard = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (to the kernel's
// fs.nr_open when the hard limit is unlimited). Never lowers it; on failure
// leaves it as it was (`now` = `before`).
FdLimit RaiseFdLimit();

// The current soft RLIMIT_NOFILE.
uint64_t CurrentFdLimit();

// How many table files RocksDB may keep open under `fd_limit`: a quarter of
// it, at least 64 and at most 1,024, so connections keep most descriptors.
int MaxOpenTableFiles(uint64_t fd_limit);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_APP_FD_LIMIT_H_
