#include "server/src/service/unary.h"

namespace securebase::server {

void LogRpcOutcome(const char* method, const Status& status,
                   std::chrono::steady_clock::time_point start) {
  if (status.ok()) return;
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  LogLevel level = status.code() == StatusCode::kInternal ? LogLevel::kError : LogLevel::kInfo;
  Log(level, "rpc", {{"method", method}, {"code", StatusCodeName(status.code())},
                     {"duration_us", std::to_string(micros)}});
}

}  // namespace securebase::server
