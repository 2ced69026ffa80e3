// Runs a unary RPC's body on the work queue and finishes the default reactor
// with its Status (converted in grpc_status.cc). Non-OK outcomes are logged
// with the method, code and duration only.
#ifndef SECUREBASE_SERVER_SERVICE_UNARY_H_
#define SECUREBASE_SERVER_SERVICE_UNARY_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <utility>

#include "server/src/common/log.h"
#include "server/src/service/grpc_status.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

void LogRpcOutcome(const char* method, const Status& status,
                   std::chrono::steady_clock::time_point start);

// Answers the RPC: logs a non-OK outcome and finishes the reactor.
using UnaryFinish = std::function<void(const Status&)>;

// `body` is a callable taking a UnaryFinish; it runs on a work-queue thread
// and must call the finish exactly once, on any thread, when the answer is
// ready (e.g. from the store's commit thread). The request, response and
// context stay valid until then.
template <typename Body>
grpc::ServerUnaryReactor* RunUnaryAsync(ServiceContext& services,
                                        grpc::CallbackServerContext* context, const char* method,
                                        Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto start = std::chrono::steady_clock::now();
  UnaryFinish finish = [reactor, method, start](const Status& status) {
    LogRpcOutcome(method, status, start);
    reactor->Finish(ToGrpcStatus(status));
  };
  bool posted = services.work.Post(
      [finish = std::move(finish), body = std::move(body)]() mutable { body(std::move(finish)); });
  if (!posted) reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
  return reactor;
}

// RunUnaryAsync on gRPC's own callback thread, without the hop to the work
// queue (two thread switches per RPC), for a body that never waits on a
// disk sync: it may read from the store and hand durable writes to the
// store's commit thread, which calls the finish.
template <typename Body>
grpc::ServerUnaryReactor* RunUnaryInline(grpc::CallbackServerContext* context, const char* method,
                                         Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto start = std::chrono::steady_clock::now();
  body(UnaryFinish([reactor, method, start](const Status& status) {
    LogRpcOutcome(method, status, start);
    reactor->Finish(ToGrpcStatus(status));
  }));
  return reactor;
}

// RunUnaryAsync for a body that returns its Status (it may use the request,
// response and context until it returns).
template <typename Body>
grpc::ServerUnaryReactor* RunUnary(ServiceContext& services, grpc::CallbackServerContext* context,
                                   const char* method, Body body) {
  return RunUnaryAsync(services, context, method,
                       [body = std::move(body)](UnaryFinish finish) mutable { finish(body()); });
}

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_UNARY_H_
