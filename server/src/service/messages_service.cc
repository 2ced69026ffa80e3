#include "server/src/service/messages_service.h"

#include <algorithm>
#include <set>
#include <utility>

#include "server/src/service/authenticator.h"
#include "server/src/service/subscribe_reactor.h"
#include "server/src/service/unary.h"
#include "server/src/service/validation.h"

namespace securebase::server {
namespace {

using DeviceKey = std::pair<std::string, uint32_t>;

void AddAddress(const DeviceKey& device, google::protobuf::RepeatedPtrField<v1::DeviceAddress>* out) {
  v1::DeviceAddress* address = out->Add();
  address->set_user_id(device.first);
  address->set_device_id(device.second);
}

}  // namespace

grpc::ServerUnaryReactor* MessagesService::Send(grpc::CallbackServerContext* context,
                                                const v1::SendRequest* request,
                                                v1::SendResponse* response) {
  return RunUnary(services_, context, "Messages.Send",
                  [=, this] { return DoSend(*context, *request, *response); });
}

grpc::ServerUnaryReactor* MessagesService::Fetch(grpc::CallbackServerContext* context,
                                                 const v1::FetchRequest* request,
                                                 v1::FetchResponse* response) {
  return RunUnary(services_, context, "Messages.Fetch",
                  [=, this] { return DoFetch(*context, *request, *response); });
}

grpc::ServerUnaryReactor* MessagesService::Acknowledge(grpc::CallbackServerContext* context,
                                                       const v1::AcknowledgeRequest* request,
                                                       v1::AcknowledgeResponse* response) {
  return RunUnary(services_, context, "Messages.Acknowledge",
                  [=, this] { return DoAcknowledge(*context, *request, *response); });
}

grpc::ServerWriteReactor<v1::Envelope>* MessagesService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  // Token lookup is a local read; the stream itself never blocks.
  auto caller = AuthenticateCall(services_, *context);
  if (!caller.ok()) {
    LogRpcOutcome("Messages.Subscribe", caller.status(), std::chrono::steady_clock::now());
    return FailedSubscribe(ToGrpcStatus(caller.status()));
  }
  return StartSubscribe(services_, caller->address(), request->after_seq());
}

Status MessagesService::DoSend(grpc::CallbackServerContext& context, const v1::SendRequest& request,
                               v1::SendResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  const Limits& limits = services_.limits;
  SBS_RETURN_IF_ERROR(CheckUserId("recipient_user_id", request.recipient_user_id()));
  SBS_RETURN_IF_ERROR(
      CheckSize("client_message_id", request.client_message_id(), kClientMessageIdSize));
  if (static_cast<uint32_t>(request.ciphertexts_size()) > limits.max_ciphertexts_per_send) {
    return Status::ResourceExhausted("ciphertexts: at most " +
                                     std::to_string(limits.max_ciphertexts_per_send) +
                                     " per send (got " +
                                     std::to_string(request.ciphertexts_size()) + ")");
  }
  std::set<DeviceKey> given;
  std::vector<OutgoingEnvelope> envelopes;
  envelopes.reserve(request.ciphertexts_size());
  for (int i = 0; i < request.ciphertexts_size(); ++i) {
    const auto& outgoing = request.ciphertexts(i);
    std::string field = "ciphertexts[" + std::to_string(i) + "]";
    if (!outgoing.has_recipient()) return Status::InvalidArgument(field + ".recipient is missing");
    const auto& recipient = outgoing.recipient();
    SBS_RETURN_IF_ERROR(CheckUserId(field + ".recipient.user_id", recipient.user_id()));
    SBS_RETURN_IF_ERROR(CheckDeviceId(field + ".recipient.device_id", recipient.device_id()));
    if (recipient.user_id() != request.recipient_user_id() && recipient.user_id() != caller.user_id) {
      return Status::InvalidArgument(field +
                                     ".recipient must be a device of the recipient or the sender");
    }
    if (recipient.user_id() == caller.user_id && recipient.device_id() == caller.device_id) {
      return Status::InvalidArgument(field + ".recipient is the sending device itself");
    }
    if (!given.emplace(recipient.user_id(), recipient.device_id()).second) {
      return Status::InvalidArgument(field + ".recipient is repeated");
    }
    if (outgoing.ciphertext().empty()) return Status::InvalidArgument(field + ".ciphertext is empty");
    if (outgoing.ciphertext().size() > limits.max_envelope_bytes) {
      return Status::ResourceExhausted(field + ".ciphertext is larger than the envelope limit of " +
                                       std::to_string(limits.max_envelope_bytes) + " bytes");
    }
    envelopes.push_back({{recipient.user_id(), recipient.device_id()}, outgoing.ciphertext()});
  }

  // A retry gets the first answer, whatever changed since.
  SBS_ASSIGN_OR_RETURN(std::optional<int64_t> previous,
                       services_.store.FindIdempotent(caller.address(), request.client_message_id()));
  if (previous.has_value()) {
    response.set_server_timestamp_unix_ms(*previous);
    return Status::Ok();
  }

  const std::string& recipient_id = request.recipient_user_id();
  if (recipient_id != caller.user_id) {
    auto account = services_.store.GetAccount(recipient_id);
    if (!account.ok()) {
      return account.status().IsNotFound() ? Status::NotFound("no such recipient")
                                            : account.status();
    }
    auto link = services_.store.GetLink(caller.user_id, recipient_id);
    if (!link.ok()) {
      return link.status().IsNotFound()
                 ? Status::PermissionDenied("no active link between sender and recipient")
                 : link.status();
    }
  }

  // The device set the sender must cover: every device of the recipient,
  // and the sender's other devices.
  std::set<DeviceKey> expected;
  for (const std::string* user : {&recipient_id, static_cast<const std::string*>(&caller.user_id)}) {
    SBS_ASSIGN_OR_RETURN(std::vector<v1::DeviceRecord> devices, services_.store.ListDevices(*user));
    for (const auto& device : devices) {
      if (*user == caller.user_id && device.device_id() == caller.device_id) continue;
      expected.emplace(*user, device.device_id());
    }
  }
  if (expected != given) {
    v1::DeviceMismatch mismatch;
    for (const auto& device : expected) {
      if (!given.count(device)) AddAddress(device, mismatch.mutable_missing_devices());
    }
    for (const auto& device : given) {
      if (!expected.count(device)) AddAddress(device, mismatch.mutable_stale_devices());
    }
    context.AddTrailingMetadata(kDeviceMismatchTrailer, mismatch.SerializeAsString());
    return Status::FailedPrecondition(
        "device set out of date: " + std::to_string(mismatch.missing_devices_size()) +
        " missing, " + std::to_string(mismatch.stale_devices_size()) +
        " stale (see the securebase-device-mismatch-bin trailer)");
  }

  SBS_ASSIGN_OR_RETURN(AppendResult appended,
                       services_.store.AppendEnvelopes(caller.address(), request.client_message_id(),
                                                       envelopes, services_.clock.NowUnixMs()));
  response.set_server_timestamp_unix_ms(appended.server_timestamp_unix_ms);
  for (const auto& [mailbox, seq] : appended.assigned) services_.delivery.Notify(mailbox);
  return Status::Ok();
}

Status MessagesService::DoFetch(grpc::CallbackServerContext& context, const v1::FetchRequest& request,
                                v1::FetchResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  uint32_t limit = request.limit() == 0 ? kDefaultFetchLimit : std::min(request.limit(), kMaxFetchLimit);
  SBS_ASSIGN_OR_RETURN(MailboxPage page,
                       services_.store.ReadMailbox(caller.address(), request.after_seq(), limit,
                                                   kMaxFetchResponseBytes));
  for (auto& stored : page.envelopes) {
    v1::Envelope* envelope = response.add_envelopes();
    envelope->set_seq(stored.seq);
    *envelope->mutable_sender() = std::move(*stored.record.mutable_sender());
    envelope->set_server_timestamp_unix_ms(stored.record.server_timestamp_unix_ms());
    envelope->set_ciphertext(std::move(*stored.record.mutable_ciphertext()));
  }
  response.set_more(page.more);
  if (!page.envelopes.empty()) {
    services_.delivery.MarkGiven(caller.address(), page.envelopes.back().seq);
  }
  return Status::Ok();
}

Status MessagesService::DoAcknowledge(grpc::CallbackServerContext& context,
                                      const v1::AcknowledgeRequest& request,
                                      v1::AcknowledgeResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  uint64_t given = services_.delivery.GivenUpTo(caller.address());
  if (request.up_to_seq() > given) {
    return Status::FailedPrecondition(
        "up_to_seq " + std::to_string(request.up_to_seq()) +
        " is beyond the highest seq given to this device (" + std::to_string(given) +
        "); fetch or subscribe first");
  }
  SBS_ASSIGN_OR_RETURN(uint32_t deleted,
                       services_.store.DeleteEnvelopesUpTo(caller.address(), request.up_to_seq()));
  response.set_deleted(deleted);
  return Status::Ok();
}

}  // namespace securebase::server
