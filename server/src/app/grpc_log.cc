#include "server/src/app/grpc_log.h"

#include <grpc/support/log.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
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

std::mutex& HandlerMutex() {
  static auto* mu = new std::mutex();
  return *mu;
}
std::function<void()>& ListenerFailureHandler() {
  static auto* handler = new std::function<void()>();
  return *handler;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// gRPC 1.51, src/core/lib/iomgr/tcp_server_posix.cc, on_read(): the only
// "Failed accept4" line, logged right before the listener gives up.
bool MeansListenerDied(const gpr_log_func_args& args) {
  return args.file != nullptr && args.message != nullptr &&
         EndsWith(args.file, "tcp_server_posix.cc") &&
         std::string_view(args.message).rfind("Failed accept4", 0) == 0;
}

void OnGrpcLog(gpr_log_func_args* args) {
  if (MeansListenerDied(*args)) {
    std::function<void()> handler;
    {
      std::lock_guard<std::mutex> lock(HandlerMutex());
      handler = ListenerFailureHandler();
    }
    if (handler) handler();
  }
  std::string source =
      std::string(args->file != nullptr ? args->file : "?") + ":" + std::to_string(args->line);
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

void SetListenerFailureHandler(std::function<void()> on_failure) {
  std::lock_guard<std::mutex> lock(HandlerMutex());
  ListenerFailureHandler() = std::move(on_failure);
}

}  // namespace securebase::server
