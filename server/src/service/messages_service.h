// securebase.v1.Messages: send, subscribe, fetch, acknowledge.
#ifndef SECUREBASE_SERVER_SERVICE_MESSAGES_SERVICE_H_
#define SECUREBASE_SERVER_SERVICE_MESSAGES_SERVICE_H_

#include "securebase/v1/messages.grpc.pb.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

inline constexpr char kDeviceMismatchTrailer[] = "securebase-device-mismatch-bin";

class MessagesService final : public v1::Messages::CallbackService {
 public:
  explicit MessagesService(ServiceContext& services) : services_(services) {}

  grpc::ServerUnaryReactor* Send(grpc::CallbackServerContext* context,
                                 const v1::SendRequest* request,
                                 v1::SendResponse* response) override;
  grpc::ServerWriteReactor<v1::Envelope>* Subscribe(grpc::CallbackServerContext* context,
                                                    const v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* Fetch(grpc::CallbackServerContext* context,
                                  const v1::FetchRequest* request,
                                  v1::FetchResponse* response) override;
  grpc::ServerUnaryReactor* Acknowledge(grpc::CallbackServerContext* context,
                                        const v1::AcknowledgeRequest* request,
                                        v1::AcknowledgeResponse* response) override;

 private:
  Status DoSend(grpc::CallbackServerContext& context, const v1::SendRequest& request,
                v1::SendResponse& response);
  Status DoFetch(grpc::CallbackServerContext& context, const v1::FetchRequest& request,
                 v1::FetchResponse& response);
  Status DoAcknowledge(grpc::CallbackServerContext& context, const v1::AcknowledgeRequest& request,
                       v1::AcknowledgeResponse& response);

  ServiceContext& services_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_MESSAGES_SERVICE_H_
