// Runs a unary RPC's body on the work queue and finishes the default reactor
// with its Status (converted in grpc_status.cc). Non-OK outcomes are logged
// with the method, code and duration only.
#ifndef SECUREBASE_SERVER_SERVICE_UNARY_H_
#define SECUREBASE_SERVER_SERVICE_UNARY_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <utility>

#include "server/src/common/log.h"
#include "server/src/service/grpc_status.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

void LogRpcOutcome(const char* method, const Status& status,
                   std::chrono::steady_clock::time_point start);

// `body` is a callable returning Status; it runs on a work-queue thread, and
// may use the request, response and context until it returns.
template <typename Body>
grpc::ServerUnaryReactor* RunUnary(ServiceContext& services, grpc::CallbackServerContext* context,
                                   const char* method, Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto start = std::chrono::steady_clock::now();
  bool posted = services.work.Post([reactor, method, start, body = std::move(body)]() mutable {
    Status status = body();
    LogRpcOutcome(method, status, start);
    reactor->Finish(ToGrpcStatus(status));
  });
  if (!posted) reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
  return reactor;
}

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_UNARY_H_
