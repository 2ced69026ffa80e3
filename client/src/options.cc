// The defaults of the seams in options.h.
#include "securebase/client/options.h"

#include <chrono>

namespace securebase::client {
namespace {

class SystemClockImpl final : public Clock {
 public:
  int64_t NowUnixMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Clock& SystemClock() {
  static SystemClockImpl clock;
  return clock;
}

const char* FaultPointName(FaultPoint point) {
  switch (point) {
    case FaultPoint::kAfterDecryptBeforeCommit:
      return "after-decrypt-before-commit";
    case FaultPoint::kAfterCommitBeforeSync:
      return "after-commit-before-sync";
    case FaultPoint::kAfterCommitBeforeAcknowledge:
      return "after-commit-before-ack";
    case FaultPoint::kAfterAcknowledgeBeforeReceipts:
      return "after-ack-before-receipts";
    case FaultPoint::kAfterCommitBeforeSend:
      return "after-commit-before-send";
  }
  return "unknown";
}

}  // namespace securebase::client
