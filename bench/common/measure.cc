#include "bench/common/measure.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fstream>
#include <sstream>
#include <string>

namespace securebase::bench {

double PercentileMs(std::vector<int64_t>& nanos, double p) {
  if (nanos.empty()) return 0;
  std::sort(nanos.begin(), nanos.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(nanos.size())));
  rank = std::clamp<size_t>(rank, 1, nanos.size());
  return static_cast<double>(nanos[rank - 1]) / 1e6;
}

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double load = -1;
  in >> load;
  return load;
}

}  // namespace securebase::bench
