// securebase.v1.Messages: send, subscribe, fetch, acknowledge.
#ifndef SECUREBASE_SERVER_SERVICE_MESSAGES_SERVICE_H_
#define SECUREBASE_SERVER_SERVICE_MESSAGES_SERVICE_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "securebase/v1/messages.grpc.pb.h"
#include "server/src/service/authenticator.h"
#include "server/src/service/service_context.h"
#include "server/src/service/unary.h"

namespace securebase::server {

inline constexpr char kDeviceMismatchTrailer[] = "securebase-device-mismatch-bin";

// Every method raw (unary.h): size-checked before parsing.
using MessagesRawService = v1::Messages::WithRawCallbackMethod_Send<
    v1::Messages::WithRawCallbackMethod_Subscribe<v1::Messages::WithRawCallbackMethod_Fetch<
        v1::Messages::WithRawCallbackMethod_Acknowledge<v1::Messages::Service>>>>;

class MessagesService final : public MessagesRawService {
 public:
  explicit MessagesService(ServiceContext& services) : services_(services) {}

  grpc::ServerUnaryReactor* Send(grpc::CallbackServerContext* context,
                                 const grpc::ByteBuffer* request,
                                 grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* Fetch(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Acknowledge(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;

 private:
  using DeviceKey = std::pair<std::string, uint32_t>;

  // Answers through `finish` once the envelopes are durable (or at once on
  // an error or a retry of an already stored send).
  void DoSend(grpc::CallbackServerContext& context, const v1::SendRequest& request,
              v1::SendResponse& response, UnaryFinish finish);
  // The request's own shape; fills `envelopes` and `given`.
  Status ValidateSend(const Caller& caller, const v1::SendRequest& request,
                      std::vector<OutgoingEnvelope>& envelopes, std::set<DeviceKey>& given);
  // An active link to the recipient, and `given` naming exactly its devices
  // and the sender's other devices (else `mismatch` says how it differs).
  Status CheckRecipientAndDevices(const Caller& caller, const v1::SendRequest& request,
                                  const std::set<DeviceKey>& given, v1::DeviceMismatch& mismatch);
  Status DoFetch(grpc::CallbackServerContext& context, const v1::FetchRequest& request,
                 v1::FetchResponse& response);
  // Answers through `finish`, possibly after a stream write it waits for.
  void DoAcknowledge(grpc::CallbackServerContext& context, const v1::AcknowledgeRequest& request,
                     v1::AcknowledgeResponse& response, UnaryFinish finish);

  ServiceContext& services_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_MESSAGES_SERVICE_H_
