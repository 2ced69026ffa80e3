#include "server/src/app/grpc_log.h"

#include <grpc/support/log.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "server/src/common/log.h"
#include "server/src/common/log_limiter.h"

namespace securebase::server {
namespace {

// At most one line a second from each place in gRPC's code, and at most
// kMaxLinesPerSecond in all.
constexpr uint32_t kMaxLinesPerSecond = 20;

LogLimiter& Limiter() {
  static auto* limiter = new LogLimiter(kMaxLinesPerSecond);
  return *limiter;
}

void OnGrpcLog(gpr_log_func_args* args) {
  std::string source = std::string(args->file != nullptr ? args->file : "?") + ":" +
                       std::to_string(args->line);
  uint64_t suppressed = 0;
  if (!Limiter().Admit(source, std::chrono::steady_clock::now(), &suppressed)) return;
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
