#include "server/src/app/grpc_log.h"

#include <grpc/support/log.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "server/src/common/log.h"

namespace securebase::server {
namespace {

// At most one line a second from each place in gRPC's code, and at most
// kMaxLinesPerSecond in all.
constexpr int kMaxLinesPerSecond = 20;

class GrpcLogLimiter {
 public:
  // True if a line from `source` may be written now; `*suppressed` gets how
  // many from it were left out since its last line.
  bool Admit(const std::string& source, uint64_t* suppressed) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    if (now - window_start_ >= std::chrono::seconds(1)) {
      window_start_ = now;
      lines_in_window_ = 0;
    }
    Entry& entry = entries_[source];
    if ((entry.logged && now - entry.last < std::chrono::seconds(1)) ||
        lines_in_window_ >= kMaxLinesPerSecond) {
      ++entry.suppressed;
      return false;
    }
    ++lines_in_window_;
    entry.logged = true;
    entry.last = now;
    *suppressed = entry.suppressed;
    entry.suppressed = 0;
    return true;
  }

 private:
  struct Entry {
    bool logged = false;
    std::chrono::steady_clock::time_point last;
    uint64_t suppressed = 0;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // Bounded by gRPC's log call sites.
  std::chrono::steady_clock::time_point window_start_;
  int lines_in_window_ = 0;
};

GrpcLogLimiter& Limiter() {
  static auto* limiter = new GrpcLogLimiter();
  return *limiter;
}

void OnGrpcLog(gpr_log_func_args* args) {
  std::string source = std::string(args->file != nullptr ? args->file : "?") + ":" +
                       std::to_string(args->line);
  uint64_t suppressed = 0;
  if (!Limiter().Admit(source, &suppressed)) return;
  LogLevel level = LogLevel::kInfo;
  if (args->severity == GPR_LOG_SEVERITY_ERROR) level = LogLevel::kError;
  if (args->severity == GPR_LOG_SEVERITY_DEBUG) level = LogLevel::kDebug;
  Log(level, "grpc",
      {{"source", std::move(source)},
       {"message", args->message != nullptr ? args->message : ""},
       {"suppressed_before", std::to_string(suppressed)}});
}

}  // namespace

void RouteGrpcLogsThroughOurs() { gpr_set_log_function(&OnGrpcLog); }

}  // namespace securebase::server
