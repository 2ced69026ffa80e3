#include "server/src/service/unary.h"

#include <map>
#include <string>
#include <mutex>
#include <utility>

namespace securebase::server {
namespace {

// Client mistakes and refusals (a flooding account's RESOURCE_EXHAUSTED, a
// stale token) are logged at most once a second per method and code, with
// how many were left out: under a flood, a line per refused call cost more
// than refusing it, and would let a client fill the log.
class OutcomeLogLimiter {
 public:
  // True if this outcome should be logged now; `*suppressed` gets how many
  // of its kind were left out since the last logged one.
  bool Admit(const char* method, StatusCode code, std::chrono::steady_clock::time_point now,
             uint64_t* suppressed) {
    std::lock_guard<std::mutex> lock(mu_);
    Entry& entry = entries_[{method, code}];
    if (entry.logged && now - entry.last < std::chrono::seconds(1)) {
      ++entry.suppressed;
      return false;
    }
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
  // Keyed by the method's string literal (its address) and the code.
  std::map<std::pair<const char*, StatusCode>, Entry> entries_;
};

OutcomeLogLimiter& LogLimiter() {
  static OutcomeLogLimiter* limiter = new OutcomeLogLimiter();
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
  if (!LogLimiter().Admit(method, status.code(), now, &suppressed)) return;
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
    case WorkQueue::PostResult::kQueued: return;
    case WorkQueue::PostResult::kFull:
      return finish(Status::ResourceExhausted("the server is busy; retry later"));
    case WorkQueue::PostResult::kStopped:
      return finish(Status::Unavailable("server is shutting down"));
  }
}

}  // namespace securebase::server
