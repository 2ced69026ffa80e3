#include "server/src/service/messages_service.h"

#include <algorithm>
#include <set>
#include <utility>

#include "server/src/service/authenticator.h"
#include "server/src/service/request_limits.h"
#include "server/src/service/subscribe_reactor.h"
#include "server/src/service/unary.h"
#include "server/src/service/validation.h"
#include "server/src/service/wire_envelope.h"

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
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) {
  // Nothing in a send waits on a disk sync (the commit thread answers it),
  // so it runs on gRPC's callback thread.
  return ServeUnary<v1::SendRequest, v1::SendResponse>(
      context, request, response, {"Messages.Send", MaxSendRequestBytes(services_.limits)},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        if (context->IsCancelled()) {
          return finish(Status(StatusCode::kCancelled, "the call was cancelled before it ran"));
        }
        DoSend(*context, req, resp, std::move(finish));
      });
}

grpc::ServerUnaryReactor* MessagesService::Fetch(grpc::CallbackServerContext* context,
                                                 const grpc::ByteBuffer* request,
                                                 grpc::ByteBuffer* response) {
  return ServeUnary<v1::FetchRequest, v1::FetchResponse>(
      context, request, response, {"Messages.Fetch", kSmallRequestBytes},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &req, &resp] { return DoFetch(*context, req, resp); });
      });
}

grpc::ServerUnaryReactor* MessagesService::Acknowledge(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return ServeUnary<v1::AcknowledgeRequest, v1::AcknowledgeResponse>(
      context, request, response, {"Messages.Acknowledge", kSmallRequestBytes},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        PostToWorkQueue(services_.work, context, std::move(finish),
                        [this, context, &req, &resp](UnaryFinish done) {
                          DoAcknowledge(*context, req, resp, std::move(done));
                        });
      });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* MessagesService::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  constexpr Method kSubscribe{"Messages.Subscribe", kSmallRequestBytes};
  const auto started = std::chrono::steady_clock::now();
  v1::SubscribeRequest request;
  Status parsed = ParseRequest(kSubscribe, *raw_request, request);
  if (!parsed.ok()) {
    LogRpcOutcome(kSubscribe.name, parsed, started);
    return FailedSubscribe(ToGrpcStatus(parsed));
  }
  // Token lookup is a local read; the stream itself never blocks.
  auto caller = AuthenticateCall(services_, *context);
  if (!caller.ok()) {
    LogRpcOutcome(kSubscribe.name, caller.status(), started);
    return FailedSubscribe(ToGrpcStatus(caller.status()));
  }
  auto* reactor = StartSubscribe(services_, context, caller->address(), request.after_seq());
  // A RemoveDevice that committed after the token check above ended no
  // stream of this call (it was not registered yet): look again now that it
  // is, so a removed device never keeps a stream.
  auto token = services_.store.GetSessionToken(caller->token_hash);
  if (token.ok() && token->device_removed()) {
    services_.delivery.EndDevice(caller->address(), EndReason::kRemoved);
  }
  return reactor;
}

void MessagesService::DoSend(grpc::CallbackServerContext& context, const v1::SendRequest& request,
                             v1::SendResponse& response, UnaryFinish finish) {
  auto caller = AuthenticateCall(services_, context);
  if (!caller.ok()) return finish(caller.status());
  std::vector<OutgoingEnvelope> envelopes;
  std::set<DeviceKey> given;
  Status valid = ValidateSend(*caller, request, envelopes, given);
  if (!valid.ok()) return finish(valid);

  v1::DeviceMismatch mismatch;
  Status current = CheckRecipientAndDevices(*caller, request, given, mismatch);
  uint64_t bytes = 0;
  for (const auto& envelope : envelopes) bytes += envelope.ciphertext.size();
  if (current.ok()) current = CheckRoomToGrow(services_);
  if (current.ok() && !services_.send_budget.Allows(caller->user_id, bytes)) {
    current = Status::ResourceExhausted("this account's sends stored their daily maximum (" +
                                        std::to_string(services_.limits.max_account_mb_per_day) +
                                        " MiB); retry after 00:00 UTC");
  }
  if (!current.ok()) {
    // A retry gets the first answer, whatever changed since (the link
    // ended, a device was added). Looked up only here: on the way to a new
    // append, AppendEnvelopesAsync finds a stored retry itself.
    auto previous =
        services_.store.FindIdempotent(caller->address(), request.client_message_id(), envelopes);
    if (!previous.ok()) return finish(previous.status());
    if (previous->has_value()) {
      response.set_server_timestamp_unix_ms(**previous);
      return finish(Status::Ok());
    }
    if (mismatch.missing_devices_size() + mismatch.stale_devices_size() > 0) {
      context.AddTrailingMetadata(kDeviceMismatchTrailer, mismatch.SerializeAsString());
    }
    return finish(current);
  }

  services_.store.AppendEnvelopesAsync(
      caller->address(), request.client_message_id(), envelopes, services_.clock.NowUnixMs(),
      MailboxQuotaOf(services_.limits),
      [this, sender = caller->address(), bytes, &request, &response,
       finish = std::move(finish)](Result<AppendResult> appended) {
        if (!appended.ok()) return finish(appended.status());
        if (!appended->duplicate) services_.send_budget.Charge(sender.user_id, bytes);
        response.set_server_timestamp_unix_ms(appended->server_timestamp_unix_ms);
        // Open streams get the envelopes as committed (assigned is in the
        // order of request.ciphertexts); a duplicate assigned nothing.
        for (size_t i = 0; i < appended->assigned.size(); ++i) {
          const auto& [mailbox, seq] = appended->assigned[i];
          StoredEnvelope stored;
          stored.seq = seq;
          stored.record.mutable_sender()->set_user_id(sender.user_id);
          stored.record.mutable_sender()->set_device_id(sender.device_id);
          stored.record.set_server_timestamp_unix_ms(appended->server_timestamp_unix_ms);
          stored.record.set_ciphertext(request.ciphertexts(static_cast<int>(i)).ciphertext());
          services_.delivery.Deliver(mailbox, ToWireEnvelope(std::move(stored)));
        }
        finish(Status::Ok());
      });
}

Status MessagesService::ValidateSend(const Caller& caller, const v1::SendRequest& request,
                                     std::vector<OutgoingEnvelope>& envelopes,
                                     std::set<DeviceKey>& given) {
  const Limits& limits = services_.limits;
  SBS_RETURN_IF_ERROR(CheckUserId("recipient_user_id", request.recipient_user_id()));
  SBS_RETURN_IF_ERROR(
      CheckSize("client_message_id", request.client_message_id(), kClientMessageIdSize));
  if (request.ciphertexts_size() == 0) {
    // It would store nothing but an idempotency record: a free way to grow
    // the store.
    return Status::InvalidArgument(
        "ciphertexts is empty: a send carries one ciphertext per device of the recipient and of "
        "the sender's other devices");
  }
  if (static_cast<uint32_t>(request.ciphertexts_size()) > limits.max_ciphertexts_per_send) {
    return Status::ResourceExhausted("ciphertexts: at most " +
                                     std::to_string(limits.max_ciphertexts_per_send) +
                                     " per send (got " +
                                     std::to_string(request.ciphertexts_size()) + ")");
  }
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
  return Status::Ok();
}

Status MessagesService::CheckRecipientAndDevices(const Caller& caller,
                                                 const v1::SendRequest& request,
                                                 const std::set<DeviceKey>& given,
                                                 v1::DeviceMismatch& mismatch) {
  const std::string& recipient_id = request.recipient_user_id();
  if (recipient_id != caller.user_id) {
    // One answer whether or not the recipient exists: a sender learns
    // nothing about accounts it is not linked to.
    auto link = services_.store.GetLink(caller.user_id, recipient_id);
    if (!link.ok()) {
      if (!link.status().IsNotFound()) return link.status();
      return Status::PermissionDenied("no active link between sender and recipient");
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
  if (expected == given) return Status::Ok();
  for (const auto& device : expected) {
    if (!given.count(device)) AddAddress(device, mismatch.mutable_missing_devices());
  }
  for (const auto& device : given) {
    if (!expected.count(device)) AddAddress(device, mismatch.mutable_stale_devices());
  }
  return Status::FailedPrecondition(
      "device set out of date: " + std::to_string(mismatch.missing_devices_size()) + " missing, " +
      std::to_string(mismatch.stale_devices_size()) +
      " stale (see the securebase-device-mismatch-bin trailer)");
}

Status MessagesService::DoFetch(grpc::CallbackServerContext& context, const v1::FetchRequest& request,
                                v1::FetchResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  uint32_t limit = request.limit() == 0 ? kDefaultFetchLimit : std::min(request.limit(), kMaxFetchLimit);
  SBS_ASSIGN_OR_RETURN(MailboxPage page,
                       services_.store.ReadMailbox(caller.address(), request.after_seq(), limit,
                                                   kMaxFetchResponseBytes));
  // Every envelope stored in (after_seq, last] is in this answer.
  if (!page.envelopes.empty()) {
    services_.delivery.MarkGiven(caller.address(), request.after_seq(), page.envelopes.back().seq);
  }
  for (auto& stored : page.envelopes) *response.add_envelopes() = ToWireEnvelope(std::move(stored));
  response.set_more(page.more);
  return Status::Ok();
}

void MessagesService::DoAcknowledge(grpc::CallbackServerContext& context,
                                    const v1::AcknowledgeRequest& request,
                                    v1::AcknowledgeResponse& response, UnaryFinish finish) {
  auto caller = AuthenticateCall(services_, context);
  if (!caller.ok()) return finish(caller.status());
  // Deletes only within the contiguous range given to this device, and says
  // how far that was; asking beyond it is not an error (see registry.h).
  auto remove = [this, mailbox = caller->address(), &response](const AckRange& range) -> Status {
    if (range.empty()) return Status::Ok();
    SBS_ASSIGN_OR_RETURN(uint32_t deleted,
                         services_.store.DeleteEnvelopes(mailbox, range.after, range.up_to));
    response.set_deleted(deleted);
    response.set_acknowledged_after_seq(range.after);
    response.set_acknowledged_up_to_seq(range.up_to);
    return Status::Ok();
  };
  auto decided = services_.delivery.AwaitGiven(
      caller->address(), request.up_to_seq(),
      [this, remove, finish](Result<AckRange> range) mutable {
        // Runs on the thread that completed a stream write (or the server's
        // monitor): the delete waits for a commit, so it goes back to the
        // work queue.
        if (!range.ok()) return finish(range.status());
        bool posted = services_.work.Post(
            [remove, finish, range = *range]() mutable { finish(remove(range)); });
        if (!posted) finish(Status::Unavailable("server is shutting down"));
      });
  if (!decided.has_value()) return;  // Answered when the write completes.
  if (!decided->ok()) return finish(decided->status());
  finish(remove(**decided));
}

}  // namespace securebase::server
