#include "server/src/app/fd_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>

namespace securebase::server {

FdLimit RaiseFdLimit() {
  FdLimit result;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return result;
  result.before = result.now = limit.rlim_cur;
  result.hard = limit.rlim_max;
  rlim_t target = limit.rlim_max;
  if (target == RLIM_INFINITY) {
    // setrlimit refuses more than fs.nr_open.
    uint64_t nr_open = 1 << 20;
    std::ifstream in("/proc/sys/fs/nr_open");
    in >> nr_open;
    target = static_cast<rlim_t>(nr_open);
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= target) return result;
  limit.rlim_cur = target;
  if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) result.now = target;
  return result;
}

uint64_t CurrentFdLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  return limit.rlim_cur == RLIM_INFINITY ? uint64_t{1} << 20 : limit.rlim_cur;
}

int MaxOpenTableFiles(uint64_t fd_limit) {
  return static_cast<int>(std::clamp<uint64_t>(fd_limit / 4, 64, 1024));
}

}  // namespace securebase::server
