#include "server/src/service/provisioning_service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <mutex>

#include "securebase/crypto/provisioning.h"
#include "server/src/service/authenticator.h"
#include "server/src/service/call_source.h"
#include "server/src/service/grpc_status.h"
#include "server/src/service/request_limits.h"
#include "server/src/service/subscribe_reactor.h"
#include "server/src/service/unary.h"
#include "server/src/service/validation.h"

namespace securebase::server {
namespace {

constexpr Method kWait{"Provisioning.WaitForProvisioning", kSmallRequestBytes};

// One waiting new device. Holds nothing but its channel id until a message
// is deposited; then the message until its write completes.
class WaitReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                          public ProvisioningWaiter {
 public:
  WaitReactor(ProvisioningSlots& slots, std::string channel_id)
      : slots_(slots), channel_id_(std::move(channel_id)) {}

  void Start(std::shared_ptr<WaitReactor> self, std::string_view source,
             grpc::CallbackServerContext* context) {
    self_ = self;
    auto opened = slots_.Open(source, channel_id_, std::move(self));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!opened.ok()) {
        FinishLocked(ToGrpcStatus(opened.status()));
        return;
      }
      // The slot is open: the new device can show its code now.
      context->AddInitialMetadata(std::string(kSlotOpenMetadata), "1");
      StartSendInitialMetadata();
    }
    if (opened->has_value()) Deliver(std::move(**opened));
  }

  void Deliver(std::string message) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) {
      // Ended before the message came: it goes back into the slot.
      slots_.FinishedWrite(channel_id_, this, false, std::move(message));
      return;
    }
    v1::ProvisioningMessage wire;
    wire.set_message(message);
    message_ = std::move(message);
    bool own = false;
    if (!grpc::SerializationTraits<v1::ProvisioningMessage>::Serialize(wire, &buffer_, &own).ok()) {
      slots_.FinishedWrite(channel_id_, this, false, std::move(message_));
      FinishLocked(grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize the message"));
      return;
    }
    writing_ = true;
    StartWrite(&buffer_);
  }

  void End(const Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (writing_) return;  // The write's completion finishes the call.
    FinishLocked(ToGrpcStatus(status));
  }

  void OnWriteDone(bool ok) override {
    std::string message;
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      message = std::move(message_);
    }
    slots_.FinishedWrite(channel_id_, this, ok, std::move(message));
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(ok ? grpc::Status::OK
                    : grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                   "the message could not be written; wait again"));
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!writing_) FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    slots_.Detach(channel_id_, this);
    std::shared_ptr<WaitReactor> self;
    {
      std::lock_guard<std::mutex> lock(mu_);
      self = std::move(self_);
    }
    // `self` (possibly the last reference) goes here; the slots may hold
    // another until they let go.
  }

 private:
  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  ProvisioningSlots& slots_;
  const std::string channel_id_;
  std::mutex mu_;
  std::shared_ptr<WaitReactor> self_;  // Guarded by mu_. Released in OnDone.
  bool finished_ = false;              // Guarded by mu_.
  bool writing_ = false;               // Guarded by mu_.
  std::string message_;                // Guarded by mu_. While writing.
  grpc::ByteBuffer buffer_;            // Guarded by mu_.
};

Status CheckChannelId(const std::string& channel_id) {
  return CheckSize("channel_id", channel_id, crypto::kChannelIdSize);
}

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* ProvisioningService::WaitForProvisioning(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  const auto started = std::chrono::steady_clock::now();
  v1::WaitForProvisioningRequest request;
  Status parsed = ParseRequest(kWait, *raw_request, request);
  if (parsed.ok()) parsed = CheckChannelId(request.channel_id());
  if (!parsed.ok()) {
    LogRpcOutcome(kWait.name, parsed, started);
    return FailedSubscribe(ToGrpcStatus(parsed));
  }
  // No store access and no disk write: the slot lives in memory.
  auto reactor = std::make_shared<WaitReactor>(slots_, request.channel_id());
  WaitReactor* raw = reactor.get();
  raw->Start(std::move(reactor), CallSource(*context, services_.trusted_proxies), context);
  return raw;
}

grpc::ServerUnaryReactor* ProvisioningService::DepositProvisioning(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::DepositProvisioningRequest, v1::DepositProvisioningResponse>(
      context, request, response,
      {"Provisioning.DepositProvisioning",
       kSmallRequestBytes + crypto::kMaxProvisioningMessageSize},
      [=, this](const auto& req, auto&, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish), [this, context, &req]() -> Status {
          SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, *context));
          SBS_RETURN_IF_ERROR(CheckChannelId(req.channel_id()));
          if (req.message().empty()) return Status::InvalidArgument("message is empty");
          return slots_.Deposit(req.channel_id(), req.message(), caller.user_id);
        });
      });
}

}  // namespace securebase::server
