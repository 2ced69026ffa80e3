#include "grpc_server_api.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/keys.h"
#include "securebase/v1/accounts.grpc.pb.h"
#include "securebase/v1/blobs.grpc.pb.h"
#include "securebase/v1/keys.grpc.pb.h"
#include "securebase/v1/links.grpc.pb.h"
#include "securebase/v1/messages.grpc.pb.h"
#include "securebase/v1/provisioning.grpc.pb.h"

namespace securebase::client {
namespace {

// The trailer a FAILED_PRECONDITION send carries when the device list was
// out of date (server/src/service/messages_service.cc).
constexpr std::string_view kMismatchTrailer = "securebase-device-mismatch-bin";

bool IsLoopbackAddress(const std::string& address) {
  std::string host = address;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// A failed RPC as a client Status a person understands. Codes a server of
// this protocol never sends for a well-formed request are its fault.
Status FromGrpc(const grpc::Status& status, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return Status::Ok();
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    // This side never cancels a call whose status it reads (a stream it
    // cancels reports OK): CANCELLED is the server going away mid-call.
    case grpc::StatusCode::CANCELLED:
      return Status(ErrorCode::kUnavailable, prefix + "the server could not be reached (" +
                                                 status.error_message() +
                                                 "); nothing was lost, try again later");
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Status(ErrorCode::kInvalidArgument, prefix + status.error_message());
    case grpc::StatusCode::NOT_FOUND:
      return Status(ErrorCode::kNotFound, prefix + status.error_message());
    case grpc::StatusCode::ALREADY_EXISTS:
      return Status(ErrorCode::kAlreadyExists, prefix + status.error_message());
    case grpc::StatusCode::PERMISSION_DENIED:
      return Status(ErrorCode::kPermissionDenied, prefix + status.error_message());
    case grpc::StatusCode::UNAUTHENTICATED:
      return Status(ErrorCode::kUnauthenticated, prefix + status.error_message());
    case grpc::StatusCode::FAILED_PRECONDITION:
      return Status(ErrorCode::kFailedPrecondition, prefix + status.error_message());
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Status(ErrorCode::kResourceExhausted, prefix + status.error_message());
    case grpc::StatusCode::ABORTED:
      // The server ended the call for another one (e.g. a newer subscription
      // of this device replaced this one): valid, but not now.
      return Status(
          ErrorCode::kFailedPrecondition,
          prefix + "ended by the server for another call (" + status.error_message() + ")");
    default:
      return Status(ErrorCode::kInvalidServerResponse, prefix + "unexpected server answer (" +
                                                           std::to_string(status.error_code()) +
                                                           "): " + status.error_message());
  }
}

v1::Role ToWire(Role role) {
  return role == Role::kTherapist ? v1::ROLE_THERAPIST : v1::ROLE_CLIENT;
}
Role FromWire(v1::Role role) {
  return role == v1::ROLE_THERAPIST ? Role::kTherapist : Role::kClient;
}

void ToWire(const SignedPreKeyWire& key, v1::SignedPreKey* out) {
  out->set_key_id(key.key_id);
  out->set_public_key(key.public_key);
  out->set_signature(key.signature);
}
void ToWire(const OneTimePreKeyWire& key, v1::OneTimePreKey* out) {
  out->set_key_id(key.key_id);
  out->set_public_key(key.public_key);
}
// The device part of a RegisterRequest or an AddDeviceRequest.
template <typename Request>
void NewDeviceToWire(const Request& in, v1::NewDevice* device) {
  device->set_device_auth_key(in.device_auth_key);
  device->set_device_binding_signature(in.device_binding_signature);
  ToWire(in.signed_prekey, device->mutable_signed_prekey());
  for (const OneTimePreKeyWire& key : in.one_time_prekeys) {
    ToWire(key, device->add_one_time_prekeys());
  }
}

SignedPreKeyWire FromWire(const v1::SignedPreKey& key) {
  return SignedPreKeyWire{key.key_id(), key.public_key(), key.signature()};
}
Link FromWire(const v1::Link& link) {
  return Link{link.peer_user_id(), FromWire(link.peer_role()), link.peer_identity_key()};
}
Envelope FromWire(v1::Envelope&& envelope) {
  Envelope out;
  out.seq = envelope.seq();
  out.sender = ServerDevice{std::move(*envelope.mutable_sender()->mutable_user_id()),
                            envelope.sender().device_id()};
  out.server_timestamp_unix_ms = envelope.server_timestamp_unix_ms();
  out.ciphertext = std::move(*envelope.mutable_ciphertext());
  return out;
}
std::vector<ServerDevice> FromWire(
    const google::protobuf::RepeatedPtrField<v1::DeviceAddress>& in) {
  std::vector<ServerDevice> out;
  for (const v1::DeviceAddress& d : in) out.push_back(ServerDevice{d.user_id(), d.device_id()});
  return out;
}

class GrpcEnvelopeStream final : public EnvelopeStream {
 public:
  GrpcEnvelopeStream(std::unique_ptr<grpc::ClientContext> context,
                     std::unique_ptr<grpc::ClientReader<v1::Envelope>> reader,
                     std::function<void()> on_unauthenticated)
      : context_(std::move(context)),
        reader_(std::move(reader)),
        on_unauthenticated_(std::move(on_unauthenticated)) {}
  ~GrpcEnvelopeStream() override {
    if (!finished_) {
      context_->TryCancel();
      reader_->Finish().error_code();  // Its status is of no interest now.
    }
  }

  bool Read(Envelope& out) override {
    v1::Envelope envelope;
    if (!reader_->Read(&envelope)) return false;
    out = FromWire(std::move(envelope));
    return true;
  }
  void Cancel() override {
    cancelled_ = true;
    context_->TryCancel();
  }
  // The server sends its initial metadata as soon as the stream is
  // registered (subscribe_reactor.cc), even with nothing stored.
  bool WaitUntilRegistered() override {
    reader_->WaitForInitialMetadata();
    return !cancelled_;
  }
  Status Finish() override {
    finished_ = true;
    const grpc::Status status = reader_->Finish();
    if (cancelled_) return Status::Ok();
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) on_unauthenticated_();
    return FromGrpc(status, "live updates");
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::Envelope>> reader_;
  std::function<void()> on_unauthenticated_;
  std::atomic<bool> cancelled_{false};
  bool finished_ = false;
};

// The new device's wait at its provisioning slot: one server stream that
// carries at most one message.
class GrpcProvisioningWait final : public ProvisioningWait {
 public:
  GrpcProvisioningWait(std::unique_ptr<grpc::ClientContext> context,
                       std::unique_ptr<grpc::ClientReader<v1::ProvisioningMessage>> reader)
      : context_(std::move(context)), reader_(std::move(reader)) {}
  ~GrpcProvisioningWait() override {
    context_->TryCancel();
    if (!finished_) reader_->Finish().ok();  // Drained; the status no longer matters.
  }

  bool WaitUntilOpen() override {
    reader_->WaitForInitialMetadata();
    // Sent by the server once the slot is open (server/src/service/provisioning_service.h).
    return context_->GetServerInitialMetadata().count("securebase-slot-open") != 0;
  }

  Result<std::string> Receive() override {
    v1::ProvisioningMessage message;
    const bool got = reader_->Read(&message);
    grpc::Status status = reader_->Finish();
    finished_ = true;
    if (got && status.ok()) return std::move(*message.mutable_message());
    if (status.ok()) {
      return Status(ErrorCode::kInvalidServerResponse,
                    "link: the server ended the wait without a message");
    }
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
        status.error_message().find("expired") != std::string::npos) {
      return Status(ErrorCode::kNotFound, "link: " + status.error_message());
    }
    return FromGrpc(status, "link");
  }

  void Cancel() override { context_->TryCancel(); }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::ProvisioningMessage>> reader_;
  bool finished_ = false;
};

v1::BlobKind ToWire(BlobKind kind) {
  return kind == BlobKind::kBackup ? v1::BLOB_KIND_BACKUP : v1::BLOB_KIND_HISTORY_TRANSFER;
}
BlobKind FromWire(v1::BlobKind kind) {
  return kind == v1::BLOB_KIND_BACKUP ? BlobKind::kBackup : BlobKind::kHistoryTransfer;
}

class GrpcServerApi final : public ServerApi {
 public:
  GrpcServerApi(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout)
      : channel_(std::move(channel)),
        timeout_(timeout),
        accounts_(v1::Accounts::NewStub(channel_)),
        keys_(v1::Keys::NewStub(channel_)),
        links_(v1::Links::NewStub(channel_)),
        messages_(v1::Messages::NewStub(channel_)),
        provisioning_(v1::Provisioning::NewStub(channel_)),
        blobs_(v1::Blobs::NewStub(channel_)) {}

  void SetDevice(const std::string& user_id, uint32_t device_id,
                 const crypto::DeviceAuthKeyPair* key, std::string token) override {
    std::lock_guard<std::mutex> lock(mu_);
    user_id_ = user_id;
    device_id_ = device_id;
    device_key_ = key;
    token_ = std::move(token);
  }

  std::string token() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return token_;
  }

  Result<Registration> Register(const RegisterRequest& in) override {
    v1::RegisterRequest request;
    request.set_role(ToWire(in.role));
    request.set_identity_key(in.identity_key);
    NewDeviceToWire(in, request.mutable_device());
    request.set_registration_token(in.registration_token);
    v1::RegisterResponse response;
    grpc::ClientContext context;
    PrepareContext(context, "");
    SB_RETURN_IF_ERROR(FromGrpc(accounts_->Register(&context, request, &response), "register"));
    return Registration{response.user_id(), response.device_id()};
  }

  Result<uint32_t> GetPreKeyCount() override {
    v1::GetPreKeyCountResponse response;
    SB_RETURN_IF_ERROR(Call("count prekeys", [&](grpc::ClientContext& context) {
      return keys_->GetPreKeyCount(&context, v1::GetPreKeyCountRequest(), &response);
    }));
    return response.one_time_prekey_count();
  }

  Status UploadPreKeys(const PreKeyUpload& upload) override {
    v1::UploadPreKeysRequest request;
    if (upload.signed_prekey) ToWire(*upload.signed_prekey, request.mutable_signed_prekey());
    for (const OneTimePreKeyWire& key : upload.one_time_prekeys) {
      ToWire(key, request.add_one_time_prekeys());
    }
    request.set_device_binding(upload.device_binding);
    v1::UploadPreKeysResponse response;
    return Call("upload prekeys", [&](grpc::ClientContext& context) {
      return keys_->UploadPreKeys(&context, request, &response);
    });
  }

  Result<PreKeyBundles> GetPreKeyBundles(const std::string& user_id) override {
    v1::GetPreKeyBundlesRequest request;
    request.set_user_id(user_id);
    v1::GetPreKeyBundlesResponse response;
    SB_RETURN_IF_ERROR(Call("fetch keys", [&](grpc::ClientContext& context) {
      return keys_->GetPreKeyBundles(&context, request, &response);
    }));
    PreKeyBundles bundles;
    bundles.identity_key = response.identity_key();
    for (const v1::DeviceBundle& device : response.devices()) {
      DeviceBundle bundle;
      bundle.device_id = device.device_id();
      bundle.signed_prekey = FromWire(device.signed_prekey());
      if (device.has_one_time_prekey()) {
        bundle.one_time_prekey = OneTimePreKeyWire{device.one_time_prekey().key_id(),
                                                   device.one_time_prekey().public_key()};
      }
      bundle.device_binding = device.device_binding();
      bundles.devices.push_back(std::move(bundle));
    }
    return bundles;
  }

  Result<std::string> CreateInvite(uint32_t expires_in_seconds,
                                   const std::string& sealed_profile) override {
    v1::CreateInviteRequest request;
    request.set_expires_in_seconds(expires_in_seconds);
    request.set_sealed_profile(sealed_profile);
    v1::CreateInviteResponse response;
    SB_RETURN_IF_ERROR(Call("create invite", [&](grpc::ClientContext& context) {
      return links_->CreateInvite(&context, request, &response);
    }));
    return response.invite_secret();
  }

  Result<RedeemedInvite> RedeemInvite(const std::string& invite_secret) override {
    v1::RedeemInviteRequest request;
    request.set_invite_secret(invite_secret);
    v1::RedeemInviteResponse response;
    SB_RETURN_IF_ERROR(Call("accept invite", [&](grpc::ClientContext& context) {
      return links_->RedeemInvite(&context, request, &response);
    }));
    return RedeemedInvite{FromWire(response.link()), response.sealed_profile()};
  }

  Result<std::vector<Link>> ListLinks() override {
    v1::ListLinksResponse response;
    SB_RETURN_IF_ERROR(Call("list links", [&](grpc::ClientContext& context) {
      return links_->ListLinks(&context, v1::ListLinksRequest(), &response);
    }));
    std::vector<Link> links;
    for (const v1::Link& link : response.links()) links.push_back(FromWire(link));
    return links;
  }

  Status EndLink(const std::string& peer_user_id) override {
    v1::EndLinkRequest request;
    request.set_peer_user_id(peer_user_id);
    v1::EndLinkResponse response;
    return Call("end link", [&](grpc::ClientContext& context) {
      return links_->EndLink(&context, request, &response);
    });
  }

  Result<SendOutcome> Send(const SendRequest& in) override {
    v1::SendRequest request;
    request.set_recipient_user_id(in.recipient_user_id);
    request.set_client_message_id(in.client_message_id);
    for (const OutgoingCiphertext& c : in.ciphertexts) {
      v1::OutgoingCiphertext* out = request.add_ciphertexts();
      out->mutable_recipient()->set_user_id(c.recipient.user_id);
      out->mutable_recipient()->set_device_id(c.recipient.device_id);
      out->set_ciphertext(c.ciphertext);
    }
    v1::SendResponse response;
    std::optional<v1::DeviceMismatch> mismatch;
    Status sent = Call("send", [&](grpc::ClientContext& context) {
      grpc::Status status = messages_->Send(&context, request, &response);
      mismatch.reset();
      if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
        const auto& trailers = context.GetServerTrailingMetadata();
        auto it = trailers.find(std::string(kMismatchTrailer));
        if (it != trailers.end()) {
          v1::DeviceMismatch parsed;
          if (parsed.ParseFromArray(it->second.data(), static_cast<int>(it->second.size()))) {
            mismatch = std::move(parsed);
          }
        }
      }
      return status;
    });
    if (mismatch) {
      return SendOutcome{DeviceMismatch{FromWire(mismatch->missing_devices()),
                                        FromWire(mismatch->stale_devices())}};
    }
    SB_RETURN_IF_ERROR(sent);
    return SendOutcome{};
  }

  Result<EnvelopePage> Fetch(uint64_t after_seq, uint32_t limit) override {
    v1::FetchRequest request;
    request.set_after_seq(after_seq);
    request.set_limit(limit);
    v1::FetchResponse response;
    SB_RETURN_IF_ERROR(Call("fetch messages", [&](grpc::ClientContext& context) {
      return messages_->Fetch(&context, request, &response);
    }));
    EnvelopePage page;
    page.more = response.more();
    page.envelopes.reserve(response.envelopes_size());
    // Moved out of the response, not copied (a page is up to 3 MiB).
    for (v1::Envelope& envelope : *response.mutable_envelopes()) {
      page.envelopes.push_back(FromWire(std::move(envelope)));
    }
    return page;
  }

  Status Acknowledge(uint64_t up_to_seq) override {
    v1::AcknowledgeRequest request;
    request.set_up_to_seq(up_to_seq);
    v1::AcknowledgeResponse response;
    return Call("acknowledge", [&](grpc::ClientContext& context) {
      return messages_->Acknowledge(&context, request, &response);
    });
  }

  Result<std::unique_ptr<EnvelopeStream>> Subscribe(uint64_t after_seq) override {
    SB_ASSIGN_OR_RETURN(std::string token, TokenOrLogin());
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);  // No deadline: a long stream.
    v1::SubscribeRequest request;
    request.set_after_seq(after_seq);
    auto reader = messages_->Subscribe(context.get(), request);
    return std::unique_ptr<EnvelopeStream>(
        new GrpcEnvelopeStream(std::move(context), std::move(reader), [this, token] {
          // Expired while subscribed: log in again at the next call.
          std::lock_guard<std::mutex> lock(mu_);
          if (token_ == token) token_.clear();
        }));
  }

  Result<uint32_t> AddDevice(const AddDeviceRequest& in) override {
    v1::AddDeviceRequest request;
    request.set_user_id(in.user_id);
    request.set_device_binding(in.device_binding);
    NewDeviceToWire(in, request.mutable_device());
    v1::AddDeviceResponse response;
    grpc::ClientContext context;
    PrepareContext(context, "");  // No token: the binding is the authority.
    SB_RETURN_IF_ERROR(FromGrpc(accounts_->AddDevice(&context, request, &response), "add device"));
    return response.device_id();
  }

  Result<DeviceList> ListDevices() override {
    v1::ListDevicesResponse response;
    SB_RETURN_IF_ERROR(Call("list devices", [&](grpc::ClientContext& context) {
      return accounts_->ListDevices(&context, v1::ListDevicesRequest(), &response);
    }));
    DeviceList list;
    list.next_device_id = response.next_device_id();
    for (const v1::DeviceInfo& d : response.devices()) {
      list.devices.push_back(
          DeviceInfo{d.device_id(), d.device_auth_key(), d.created_at_unix_ms()});
    }
    return list;
  }

  Status RemoveDevice(uint32_t device_id) override {
    v1::RemoveDeviceRequest request;
    request.set_device_id(device_id);
    v1::RemoveDeviceResponse response;
    return Call("remove device", [&](grpc::ClientContext& context) {
      return accounts_->RemoveDevice(&context, request, &response);
    });
  }

  Result<std::unique_ptr<ProvisioningWait>> WaitForProvisioning(
      const std::string& channel_id) override {
    auto context = std::make_unique<grpc::ClientContext>();  // No token, no deadline.
    v1::WaitForProvisioningRequest request;
    request.set_channel_id(channel_id);
    auto reader = provisioning_->WaitForProvisioning(context.get(), request);
    return std::unique_ptr<ProvisioningWait>(
        new GrpcProvisioningWait(std::move(context), std::move(reader)));
  }

  Status DepositProvisioning(const std::string& channel_id,
                             const std::string& sealed_message) override {
    v1::DepositProvisioningRequest request;
    request.set_channel_id(channel_id);
    request.set_message(sealed_message);
    v1::DepositProvisioningResponse response;
    return Call("add device", [&](grpc::ClientContext& context) {
      return provisioning_->DepositProvisioning(&context, request, &response);
    });
  }

  Result<BlobInfo> PutBlob(const BlobUpload& upload, const std::string& data) override {
    v1::PutBlobResponse response;
    SB_RETURN_IF_ERROR(Call("upload", [&](grpc::ClientContext& context) {
      // An upload takes longer than one call's timeout: none here.
      context.set_deadline(std::chrono::system_clock::time_point::max());
      auto writer = blobs_->PutBlob(&context, &response);
      v1::PutBlobRequest first;
      if (upload.resume_blob_id.empty()) {
        first.set_kind(ToWire(upload.kind));
        first.set_total_size(upload.total_size);
        first.set_read_capability(upload.read_capability);
      } else {
        first.set_resume_blob_id(upload.resume_blob_id);
        first.set_offset(upload.offset);
      }
      size_t at = 0;
      first.set_data(data.substr(0, kBlobPieceSize));
      at = first.data().size();
      bool ok = writer->Write(first);
      while (ok && at < data.size()) {
        v1::PutBlobRequest next;
        next.set_data(data.substr(at, kBlobPieceSize));
        at += next.data().size();
        ok = writer->Write(next);
      }
      writer->WritesDone();
      return writer->Finish();
    }));
    BlobInfo info;
    info.blob_id = response.blob_id();
    info.kind = upload.kind;
    info.stored_size = response.stored_size();
    info.complete = response.complete();
    return info;
  }

  Result<uint64_t> GetBlob(const std::string& blob_id, uint64_t offset,
                           const std::string& read_capability,
                           const std::function<Status(const std::string&)>& sink) override {
    v1::GetBlobRequest request;
    request.set_blob_id(blob_id);
    request.set_offset(offset);
    request.set_read_capability(read_capability);
    uint64_t total = 0;
    Status sunk = Status::Ok();
    auto download = [&](grpc::ClientContext& context) {
      context.set_deadline(std::chrono::system_clock::time_point::max());
      auto reader = blobs_->GetBlob(&context, request);
      v1::GetBlobResponse piece;
      while (reader->Read(&piece)) {
        if (piece.total_size() != 0) total = piece.total_size();
        sunk = sink(piece.data());
        if (!sunk.ok()) {
          context.TryCancel();
          break;
        }
      }
      grpc::Status status = reader->Finish();
      return sunk.ok() ? status : grpc::Status::OK;
    };
    bool has_device = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      has_device = device_key_ != nullptr || !token_.empty();
    }
    if (!has_device && !read_capability.empty()) {
      // A device restoring a backup has no login yet: the capability alone.
      grpc::ClientContext context;
      PrepareContext(context, "");
      SB_RETURN_IF_ERROR(FromGrpc(download(context), "download"));
    } else {
      SB_RETURN_IF_ERROR(Call("download", download));
    }
    SB_RETURN_IF_ERROR(sunk);
    return total;
  }

  Result<BlobInfo> GetBlobInfo(const std::string& blob_id, BlobKind kind) override {
    v1::GetBlobInfoRequest request;
    request.set_blob_id(blob_id);
    request.set_kind(ToWire(kind));
    v1::GetBlobInfoResponse response;
    SB_RETURN_IF_ERROR(Call("blob info", [&](grpc::ClientContext& context) {
      return blobs_->GetBlobInfo(&context, request, &response);
    }));
    return BlobInfo{response.blob_id(),    FromWire(response.kind()),
                    response.total_size(), response.stored_size(),
                    response.complete(),   response.expires_at_unix_ms()};
  }

  Status DeleteBlob(const std::string& blob_id) override {
    v1::DeleteBlobRequest request;
    request.set_blob_id(blob_id);
    v1::DeleteBlobResponse response;
    return Call("delete blob", [&](grpc::ClientContext& context) {
      return blobs_->DeleteBlob(&context, request, &response);
    });
  }

 private:
  void PrepareContext(grpc::ClientContext& context, const std::string& token) {
    context.set_deadline(std::chrono::system_clock::now() + timeout_);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  }

  // The current token, logging in first when there is none. Two threads may
  // both log in; the later token wins, and both are valid.
  Result<std::string> TokenOrLogin() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!token_.empty()) return token_;
    }
    return Login();
  }

  Result<std::string> Login() {
    std::string user_id;
    uint32_t device_id = 0;
    const crypto::DeviceAuthKeyPair* key = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      user_id = user_id_;
      device_id = device_id_;
      key = device_key_;
    }
    if (key == nullptr) return Status(ErrorCode::kInternal, "no device key to log in with");
    v1::GetChallengeRequest challenge_request;
    challenge_request.set_user_id(user_id);
    challenge_request.set_device_id(device_id);
    v1::GetChallengeResponse challenge;
    {
      grpc::ClientContext context;
      PrepareContext(context, "");
      SB_RETURN_IF_ERROR(
          FromGrpc(accounts_->GetChallenge(&context, challenge_request, &challenge), "log in"));
    }
    auto signature = key->SignAuthChallenge(crypto::AsBytes(challenge.challenge()));
    if (!signature.ok()) {
      return Status(ErrorCode::kInvalidServerResponse,
                    "log in: the server sent a malformed challenge");
    }
    v1::AuthenticateRequest request;
    request.set_user_id(user_id);
    request.set_device_id(device_id);
    request.set_challenge(challenge.challenge());
    request.set_signature(signature->data(), signature->size());
    v1::AuthenticateResponse response;
    grpc::ClientContext context;
    PrepareContext(context, "");
    SB_RETURN_IF_ERROR(FromGrpc(accounts_->Authenticate(&context, request, &response), "log in"));
    std::lock_guard<std::mutex> lock(mu_);
    token_ = response.token();
    return token_;
  }

  // Runs `call` with the deadline and the bearer token; logs in first when
  // there is no token, and once more if the server answers UNAUTHENTICATED.
  Status Call(std::string_view what,
              const std::function<grpc::Status(grpc::ClientContext&)>& call) {
    SB_ASSIGN_OR_RETURN(std::string token, TokenOrLogin());
    grpc::Status status;
    {
      grpc::ClientContext context;
      PrepareContext(context, token);
      status = call(context);
    }
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      SB_ASSIGN_OR_RETURN(token, Login());
      grpc::ClientContext context;
      PrepareContext(context, token);
      status = call(context);
    }
    return FromGrpc(status, what);
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Keys::Stub> keys_;
  std::unique_ptr<v1::Links::Stub> links_;
  std::unique_ptr<v1::Messages::Stub> messages_;
  std::unique_ptr<v1::Provisioning::Stub> provisioning_;
  std::unique_ptr<v1::Blobs::Stub> blobs_;
  mutable std::mutex mu_;  // Guards the device and the token.
  std::string user_id_;
  uint32_t device_id_ = 0;
  const crypto::DeviceAuthKeyPair* device_key_ = nullptr;
  std::string token_;
};

}  // namespace

Result<std::unique_ptr<ServerApi>> ConnectGrpcServerApi(const ClientOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.insecure_loopback) {
    if (!IsLoopbackAddress(options.server_address)) {
      return Status(ErrorCode::kInvalidArgument,
                    "an unencrypted connection is only allowed to a loopback address, not " +
                        options.server_address);
    }
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      std::ifstream in(options.ca_file);
      if (!in) {
        return Status(ErrorCode::kInvalidArgument, "cannot read the CA file " + options.ca_file);
      }
      std::stringstream pem;
      pem << in.rdbuf();
      ssl.pem_root_certs = pem.str();
    }
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  auto channel = grpc::CreateCustomChannel(options.server_address, credentials, args);
  return std::unique_ptr<ServerApi>(new GrpcServerApi(std::move(channel), options.rpc_timeout));
}

}  // namespace securebase::client
