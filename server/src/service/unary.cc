#include "server/src/service/unary.h"

#include <string>
#include <utility>

#include "server/src/common/log_limiter.h"

namespace securebase::server {
namespace {

// Client mistakes and refusals (a flooding account's RESOURCE_EXHAUSTED, a
// stale token) are logged at most once a second per method and code, with
// how many were left out: under a flood, a line per refused call cost more
// than refusing it, and would let a client fill the log.
LogLimiter& OutcomeLogLimiter() {
  static auto* limiter = new LogLimiter();
  return *limiter;
}

}  // namespace

void LogRpcOutcome(const char* method, const Status& status,
                   std::chrono::steady_clock::time_point start) {
  if (status.ok()) return;
  auto now = std::chrono::steady_clock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - start).count();
  if (status.code() == StatusCode::kInternal) {
    Log(LogLevel::kError, "rpc", {{"method", method}, {"code", StatusCodeName(status.code())},
                                  {"duration_us", std::to_string(micros)}});
    return;
  }
  uint64_t suppressed = 0;
  const std::string key = std::string(method) + " " + StatusCodeName(status.code());
  if (!OutcomeLogLimiter().Admit(key, now, &suppressed)) return;
  Log(LogLevel::kInfo, "rpc", {{"method", method}, {"code", StatusCodeName(status.code())},
                               {"duration_us", std::to_string(micros)},
                               {"suppressed_before", std::to_string(suppressed)}});
}

Status ParseRequest(const Method& method, const grpc::ByteBuffer& raw,
                    google::protobuf::MessageLite& request) {
  const size_t size = raw.Length();
  if (size > method.max_request_bytes) {
    return Status::ResourceExhausted("request of " + std::to_string(size) +
                                     " bytes is larger than the limit for " + method.name + " (" +
                                     std::to_string(method.max_request_bytes) + " bytes)");
  }
  grpc::ByteBuffer copy(raw);  // Shares the slices; the reader consumes the copy.
  grpc::ProtoBufferReader reader(&copy);
  if (!reader.status().ok() || !request.ParseFromZeroCopyStream(&reader)) {
    return Status::InvalidArgument("the request body is not a valid " + request.GetTypeName() +
                                   " message");
  }
  return Status::Ok();
}

void PostToWorkQueue(WorkQueue& work, grpc::CallbackServerContext* context, UnaryFinish finish,
                     std::function<void(UnaryFinish)> body) {
  auto task = [context, finish, body = std::move(body)]() mutable {
    // Nobody waits for the answer any more: do none of the work.
    if (context->IsCancelled()) {
      return finish(Status(StatusCode::kCancelled, "the call was cancelled before it ran"));
    }
    body(std::move(finish));
  };
  switch (work.TryPost(std::move(task))) {
    case WorkQueue::PostResult::kQueued:
      return;
    case WorkQueue::PostResult::kFull:
      return finish(Status::ResourceExhausted("the server is busy; retry later"));
    case WorkQueue::PostResult::kStopped:
      return finish(Status::Unavailable("server is shutting down"));
  }
}

}  // namespace securebase::server
