#include "server/src/common/clock.h"

#include <chrono>

namespace securebase::server {
namespace {

class SystemClockImpl final : public Clock {
 public:
  int64_t NowUnixMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Clock& SystemClock() {
  static SystemClockImpl* clock = new SystemClockImpl();  // Never destroyed.
  return *clock;
}

}  // namespace securebase::server
