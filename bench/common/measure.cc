#include "bench/common/measure.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fstream>
#include <sstream>
#include <string>

namespace securebase::bench {

int64_t ProcessCpuMicros(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  // The command name (field 2) may hold spaces; fields after its ')' are
  // fixed: state is field 3, utime 14, stime 15 (clock ticks).
  size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  int64_t utime = -1, stime = -1;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stoll(field);
    if (number == 15) stime = std::stoll(field);
  }
  if (utime < 0 || stime < 0) return -1;
  static const long ticks_per_second = sysconf(_SC_CLK_TCK);
  return (utime + stime) * 1'000'000 / ticks_per_second;
}

int64_t ProcessRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

double PercentileMs(std::vector<int64_t>& nanos, double p) {
  if (nanos.empty()) return 0;
  std::sort(nanos.begin(), nanos.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(nanos.size())));
  rank = std::clamp<size_t>(rank, 1, nanos.size());
  return static_cast<double>(nanos[rank - 1]) / 1e6;
}

}  // namespace securebase::bench
