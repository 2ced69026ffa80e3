// How every RPC of the securebase.v1 services is served.
//
// Requests arrive as raw bytes (gRPC's raw callback methods), so the server
// checks each method's own size limit before parsing anything, and a body
// that does not parse gets INVALID_ARGUMENT with a message instead of gRPC's
// bare UNIMPLEMENTED. The answer is the Status a body returns (converted in
// grpc_status.cc); non-OK outcomes are logged with the method, code and
// duration only (rate limited, see unary.cc).
#ifndef SECUREBASE_SERVER_SERVICE_UNARY_H_
#define SECUREBASE_SERVER_SERVICE_UNARY_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "server/src/common/log.h"
#include "server/src/service/grpc_status.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

// A method as its RPC is served: its name in logs and the largest request
// body (bytes on the wire) it accepts.
struct Method {
  const char* name;
  size_t max_request_bytes;
};

void LogRpcOutcome(const char* method, const Status& status,
                   std::chrono::steady_clock::time_point start);

// Parses `raw` into `request`. kResourceExhausted above the method's limit,
// kInvalidArgument when it is not a valid `type_name` message.
Status ParseRequest(const Method& method, const grpc::ByteBuffer& raw,
                    google::protobuf::MessageLite& request);

// Answers the RPC: logs a non-OK outcome and finishes the reactor. Call it
// exactly once.
using UnaryFinish = std::function<void(const Status&)>;

// Serves one unary call: checks and parses the raw request, then runs
// `start(request, response, finish)` on this (gRPC's callback) thread.
// `start` must return at once and call the finish exactly once, on any
// thread, when the answer is ready; the request and response stay valid until
// then. The response is serialized only for an OK answer.
template <typename Request, typename Response, typename Start>
grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* raw_request,
                                     grpc::ByteBuffer* raw_response, Method method, Start start) {
  struct Call {
    Request request;
    Response response;
  };
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto started = std::chrono::steady_clock::now();
  auto call = std::make_shared<Call>();
  UnaryFinish finish = [reactor, raw_response, call, method, started](const Status& status) {
    LogRpcOutcome(method.name, status, started);
    if (status.ok()) {
      bool own_buffer = false;
      grpc::Status serialized =
          grpc::SerializationTraits<Response>::Serialize(call->response, raw_response, &own_buffer);
      if (!serialized.ok()) {
        reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize the answer"));
        return;
      }
    }
    reactor->Finish(ToGrpcStatus(status));
  };
  Status parsed = ParseRequest(method, *raw_request, call->request);
  if (!parsed.ok()) {
    finish(parsed);
    return reactor;
  }
  start(call->request, call->response, std::move(finish));
  return reactor;
}

// Runs `body(finish)` on the work queue (gRPC's callback threads must not
// block). A call cancelled (or past its deadline) by the time a thread takes
// it is answered CANCELLED without running the body; a full queue is
// RESOURCE_EXHAUSTED ("server busy") at once.
void PostToWorkQueue(WorkQueue& work, grpc::CallbackServerContext* context, UnaryFinish finish,
                     std::function<void(UnaryFinish)> body);

// PostToWorkQueue for a body that returns its Status.
template <typename Body>
void PostUnary(WorkQueue& work, grpc::CallbackServerContext* context, UnaryFinish finish,
               Body body) {
  PostToWorkQueue(work, context, std::move(finish),
                  [body = std::move(body)](UnaryFinish done) mutable { done(body()); });
}

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_UNARY_H_
