#include "tests/testing/fake_server_api.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"

namespace securebase::testing {

using client::ErrorCode;
using client::Result;
using client::Status;

namespace {

std::string UserId(uint64_t n) {
  std::string id(16, '\0');
  for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<char>(n >> (8 * i));
  id[0] = 'U';  // Never all zeros.
  return id;
}

}  // namespace

// A subscription: the device's waiting envelopes after `after_seq`, then new
// ones as they are delivered.
class FakeStream final : public client::EnvelopeStream {
 public:
  // Under the server's mutex.
  FakeStream(FakeServer& server, FakeServer::Address address, uint64_t after)
      : server_(server),
        address_(std::move(address)),
        next_after_(after),
        number_(server.next_stream_++) {}

  bool Read(client::Envelope& out) override {
    std::unique_lock<std::mutex> lock(server_.mu_);
    for (;;) {
      if (cancelled_) {
        ended_ = Status::Ok();
        return false;
      }
      if (!server_.reachable_) {
        ended_ = Status(ErrorCode::kUnavailable, "live updates: the fake server went away");
        return false;
      }
      if (number_ < server_.streams_ended_below_) {
        ended_ = server_.streams_ended_with_;
        return false;
      }
      FakeServer::Device* device = server_.FindDevice(address_);
      if (device == nullptr) {
        ended_ = Status(ErrorCode::kNotFound, "live updates: no such device");
        return false;
      }
      for (const client::Envelope& envelope : device->mailbox) {
        if (envelope.seq > next_after_) {
          out = envelope;
          next_after_ = envelope.seq;
          device->given_up_to = std::max(device->given_up_to, envelope.seq);
          return true;
        }
      }
      server_.changed_.wait(lock);
    }
  }

  void Cancel() override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    cancelled_ = true;
    server_.changed_.notify_all();
  }

  Status Finish() override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    return ended_;
  }

 private:
  FakeServer& server_;
  FakeServer::Address address_;
  uint64_t next_after_;
  const uint64_t number_;
  bool cancelled_ = false;  // Guarded by the server's mutex.
  Status ended_;
};

class FakeConnection final : public client::ServerApi {
 public:
  explicit FakeConnection(FakeServer& server) : server_(server) {}

  void SetDevice(const std::string& user_id, uint32_t device_id, const crypto::DeviceAuthKeyPair*,
                 std::string token) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    caller_ = {user_id, device_id};
    token_ = std::move(token);
  }

  std::string token() const override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    return token_;
  }

  Result<client::Registration> Register(const client::RegisterRequest& request) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    if (auto failure = server_.Failure(FakeCall::kRegister)) return *failure;
    const std::string user_id = UserId(server_.next_user_++);
    FakeServer::Account& account = server_.accounts_[user_id];
    account.role = request.role;
    account.identity_key = request.identity_key;
    FakeServer::Device& device = account.devices[account.next_device_id];
    device.signed_prekey = request.signed_prekey;
    device.one_time_prekeys.assign(request.one_time_prekeys.begin(),
                                   request.one_time_prekeys.end());
    return client::Registration{user_id, account.next_device_id++};
  }

  Result<uint32_t> GetPreKeyCount() override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_ASSIGN_OR_RETURN(FakeServer::Device * device, Caller(FakeCall::kGetPreKeyCount));
    return static_cast<uint32_t>(device->one_time_prekeys.size());
  }

  Status UploadPreKeys(const client::PreKeyUpload& upload) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_ASSIGN_OR_RETURN(FakeServer::Device * device, Caller(FakeCall::kUploadPreKeys));
    FakeServer::Apply(*device, upload);
    return Status::Ok();
  }

  Result<client::PreKeyBundles> GetPreKeyBundles(const std::string& user_id) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kGetPreKeyBundles).status());
    auto account = server_.accounts_.find(user_id);
    if (account == server_.accounts_.end()) {
      return Status(ErrorCode::kNotFound, "fetch keys: no such user");
    }
    client::PreKeyBundles bundles;
    bundles.identity_key = account->second.identity_key;
    for (auto& [id, device] : account->second.devices) {
      client::DeviceBundle bundle;
      bundle.device_id = id;
      bundle.signed_prekey = device.signed_prekey;
      bundle.device_binding = device.device_binding;
      if (!device.one_time_prekeys.empty()) {
        bundle.one_time_prekey = device.one_time_prekeys.front();
        device.one_time_prekeys.pop_front();  // Handed out once.
      }
      bundles.devices.push_back(std::move(bundle));
    }
    return bundles;
  }

  Result<std::string> CreateInvite(uint32_t, const std::string& sealed_profile) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kCreateInvite).status());
    if (server_.accounts_.at(caller_.first).role != client::Role::kTherapist) {
      return Status(ErrorCode::kPermissionDenied, "create invite: only therapists create invites");
    }
    const std::string secret = UserId(server_.next_user_++ + (uint64_t{1} << 40));
    server_.invites_[secret] = FakeServer::Invite{caller_.first, sealed_profile};
    return secret;
  }

  Result<client::RedeemedInvite> RedeemInvite(const std::string& secret) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kRedeemInvite).status());
    auto invite = server_.invites_.find(secret);
    if (invite == server_.invites_.end()) {
      return Status(ErrorCode::kNotFound, "accept invite: no such invite");
    }
    const FakeServer::Invite used = invite->second;
    server_.invites_.erase(invite);
    server_.links_.insert({used.therapist, caller_.first});
    const FakeServer::Account& therapist = server_.accounts_.at(used.therapist);
    return client::RedeemedInvite{
        client::Link{used.therapist, client::Role::kTherapist, therapist.identity_key},
        used.sealed_profile};
  }

  Result<std::vector<client::Link>> ListLinks() override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kListLinks).status());
    std::vector<client::Link> links;
    for (const auto& [therapist, client_id] : server_.links_) {
      const std::string* peer = therapist == caller_.first   ? &client_id
                                : client_id == caller_.first ? &therapist
                                                             : nullptr;
      if (peer == nullptr) continue;
      const FakeServer::Account& account = server_.accounts_.at(*peer);
      links.push_back(client::Link{*peer, account.role, account.identity_key});
    }
    return links;
  }

  Status EndLink(const std::string& peer) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kEndLink).status());
    const size_t erased =
        server_.links_.erase({caller_.first, peer}) + server_.links_.erase({peer, caller_.first});
    if (erased == 0) return Status(ErrorCode::kNotFound, "end link: no such link");
    return Status::Ok();
  }

  Result<client::SendOutcome> Send(const client::SendRequest& request) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kSend).status());
    const std::string& recipient = request.recipient_user_id;
    if (recipient != caller_.first && !server_.Linked(caller_.first, recipient)) {
      if (!server_.accounts_.count(recipient)) {
        return Status(ErrorCode::kNotFound, "send: no such recipient");
      }
      return Status(ErrorCode::kPermissionDenied,
                    "send: no active link between sender and recipient");
    }
    if (!server_.forced_mismatches_.empty()) {
      client::DeviceMismatch mismatch = std::move(server_.forced_mismatches_.front());
      server_.forced_mismatches_.pop_front();
      return client::SendOutcome{std::move(mismatch)};
    }
    if (server_.stored_message_ids_.count({caller_.first, request.client_message_id})) {
      return client::SendOutcome{};  // A retry: stored once already.
    }
    std::set<FakeServer::Address> expected, given;
    for (const std::string* user : {&recipient, static_cast<const std::string*>(&caller_.first)}) {
      for (const auto& [id, device] : server_.accounts_.at(*user).devices) {
        if (*user == caller_.first && id == caller_.second) continue;
        expected.insert({*user, id});
      }
    }
    for (const client::OutgoingCiphertext& c : request.ciphertexts) {
      given.insert({c.recipient.user_id, c.recipient.device_id});
    }
    if (expected != given) {
      client::DeviceMismatch mismatch;
      for (const auto& [user, device] : expected) {
        if (!given.count({user, device})) mismatch.missing_devices.push_back({user, device});
      }
      for (const auto& [user, device] : given) {
        if (!expected.count({user, device})) mismatch.stale_devices.push_back({user, device});
      }
      return client::SendOutcome{std::move(mismatch)};
    }
    for (const client::OutgoingCiphertext& c : request.ciphertexts) {
      server_.Deliver({c.recipient.user_id, c.recipient.device_id},
                      client::ServerDevice{caller_.first, caller_.second}, c.ciphertext);
    }
    server_.stored_message_ids_.insert({caller_.first, request.client_message_id});
    server_.stored_sends_.push_back(request);
    if (server_.lost_send_answers_ > 0) {
      --server_.lost_send_answers_;
      return Status(ErrorCode::kUnavailable, "send: the answer was lost");
    }
    return client::SendOutcome{};
  }

  Result<client::EnvelopePage> Fetch(uint64_t after_seq, uint32_t limit) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_ASSIGN_OR_RETURN(FakeServer::Device * device, Caller(FakeCall::kFetch));
    client::EnvelopePage page;
    for (const client::Envelope& envelope : device->mailbox) {
      if (envelope.seq <= after_seq) continue;
      const uint32_t cap = std::min(limit == 0 ? 100 : limit, server_.page_limit_.load());
      if (page.envelopes.size() == cap) {
        page.more = true;
        break;
      }
      page.envelopes.push_back(envelope);
    }
    if (!page.envelopes.empty()) {
      device->given_up_to = std::max(device->given_up_to, page.envelopes.back().seq);
    }
    return page;
  }

  Status Acknowledge(uint64_t up_to_seq) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_ASSIGN_OR_RETURN(FakeServer::Device * device, Caller(FakeCall::kAcknowledge));
    if (up_to_seq > device->given_up_to) {
      return Status(ErrorCode::kFailedPrecondition,
                    "acknowledge: beyond the highest seq given to this device");
    }
    while (!device->mailbox.empty() && device->mailbox.front().seq <= up_to_seq) {
      device->mailbox.pop_front();
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<client::EnvelopeStream>> Subscribe(uint64_t after_seq) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kSubscribe).status());
    return std::unique_ptr<client::EnvelopeStream>(new FakeStream(server_, caller_, after_seq));
  }

  // --- Linked devices: the real server's rules (server/src/service/accounts_service.cc).
  Result<uint32_t> AddDevice(const client::AddDeviceRequest& request) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    if (auto failure = server_.Failure(FakeCall::kAddDevice)) return *failure;
    const Status refused(ErrorCode::kPermissionDenied,
                         "add device: the binding is not signed by the account's identity key");
    auto account = server_.accounts_.find(request.user_id);
    if (account == server_.accounts_.end()) return refused;
    auto identity =
        crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(account->second.identity_key));
    if (!identity.ok()) return refused;
    auto binding =
        crypto::ParseAndVerifyDeviceBinding(*identity, crypto::AsBytes(request.device_binding));
    if (!binding.ok()) return refused;
    if (crypto::AsStringView(binding->device.user_id.span()) != request.user_id ||
        crypto::AsStringView(binding->device_auth_key.span()) != request.device_auth_key) {
      return Status(ErrorCode::kInvalidArgument, "add device: the binding names another device");
    }
    const uint32_t id = binding->device.device_id;
    FakeServer::Account& owner = account->second;
    if (id < owner.next_device_id || id - owner.next_device_id >= 16) {
      return Status(ErrorCode::kFailedPrecondition, "add device: device id already used");
    }
    if (owner.devices.size() >= server_.max_devices_) {
      return Status(ErrorCode::kResourceExhausted, "add device: the account has the maximum");
    }
    FakeServer::Device& device = owner.devices[id];
    device.signed_prekey = request.signed_prekey;
    device.one_time_prekeys.assign(request.one_time_prekeys.begin(),
                                   request.one_time_prekeys.end());
    owner.device_auth_keys[id] = request.device_auth_key;
    owner.next_device_id = id + 1;
    return id;
  }

  Result<client::DeviceList> ListDevices() override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kListDevices).status());
    const FakeServer::Account& account = server_.accounts_.at(caller_.first);
    client::DeviceList list;
    list.next_device_id = account.next_device_id;
    for (const auto& [id, device] : account.devices) {
      auto key = account.device_auth_keys.find(id);
      list.devices.push_back(client::DeviceInfo{
          id, key != account.device_auth_keys.end() ? key->second : "", server_.now_unix_ms_});
    }
    return list;
  }

  Status RemoveDevice(uint32_t device_id) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kRemoveDevice).status());
    if (device_id == caller_.second) {
      return Status(ErrorCode::kFailedPrecondition, "remove device: a device cannot remove itself");
    }
    FakeServer::Account& account = server_.accounts_.at(caller_.first);
    if (account.devices.erase(device_id) == 0) {
      return Status(ErrorCode::kNotFound, "remove device: no such device");
    }
    server_.removed_.insert({caller_.first, device_id});
    server_.changed_.notify_all();
    return Status::Ok();
  }

  // --- Provisioning slots (server/src/provisioning/slots.h).
  Result<std::unique_ptr<client::ProvisioningWait>> WaitForProvisioning(
      const std::string& channel_id) override;

  Status DepositProvisioning(const std::string& channel_id, const std::string& message) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kDepositProvisioning).status());
    auto slot = server_.slots_.find(channel_id);
    if (slot == server_.slots_.end() || slot->second.expired) {
      return Status(ErrorCode::kNotFound, "add device: no open provisioning slot");
    }
    if (slot->second.used || slot->second.message.has_value()) {
      return Status(ErrorCode::kFailedPrecondition, "add device: the link code was already used");
    }
    slot->second.message = message;
    server_.changed_.notify_all();
    return Status::Ok();
  }

  // --- Blobs (server/src/service/blobs_service.cc).
  Result<client::BlobInfo> PutBlob(const client::BlobUpload& upload,
                                   const std::string& data) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kPutBlob).status());
    std::string id;
    if (upload.resume_blob_id.empty()) {
      if (upload.total_size == 0) return Status(ErrorCode::kInvalidArgument, "upload: empty blob");
      id = UserId(server_.next_blob_++);
      server_.blobs_[id] = FakeServer::Blob{caller_.first, upload.kind, upload.total_size, "",
                                            upload.read_capability};
    } else {
      id = upload.resume_blob_id;
      auto found = server_.blobs_.find(id);
      if (found == server_.blobs_.end() || found->second.owner != caller_.first) {
        return Status(ErrorCode::kNotFound, "upload: no such blob");
      }
      if (upload.offset != found->second.data.size()) {
        return Status(ErrorCode::kInvalidArgument, "upload: offset is not the stored size");
      }
    }
    FakeServer::Blob& blob = server_.blobs_[id];
    if (blob.data.size() + data.size() > blob.total_size) {
      return Status(ErrorCode::kInvalidArgument, "upload: more data than total_size");
    }
    blob.data += data;
    const bool complete = blob.data.size() == blob.total_size;
    if (complete && blob.kind == client::BlobKind::kBackup) {
      const std::string owner = blob.owner;
      std::erase_if(server_.blobs_, [&](const auto& entry) {
        return entry.first != id && entry.second.owner == owner &&
               entry.second.kind == client::BlobKind::kBackup &&
               entry.second.data.size() == entry.second.total_size;
      });
    }
    const FakeServer::Blob& stored = server_.blobs_.at(id);
    return client::BlobInfo{id, stored.kind, stored.total_size, stored.data.size(), complete, 0};
  }

  Result<uint64_t> GetBlob(const std::string& blob_id, uint64_t offset,
                           const std::string& read_capability,
                           const std::function<Status(const std::string&)>& sink) override {
    std::string data;
    uint64_t total = 0;
    {
      std::lock_guard<std::mutex> lock(server_.mu_);
      if (read_capability.empty()) {
        SB_RETURN_IF_ERROR(Caller(FakeCall::kGetBlob).status());
      } else if (auto failure = server_.Failure(FakeCall::kGetBlob)) {
        return *failure;
      }
      auto found = server_.blobs_.find(blob_id);
      const bool allowed =
          found != server_.blobs_.end() &&
          (found->second.owner == caller_.first ||
           (!read_capability.empty() && found->second.read_capability == read_capability)) &&
          found->second.data.size() == found->second.total_size;
      if (!allowed) return Status(ErrorCode::kNotFound, "download: no such blob");
      if (offset > found->second.total_size) {
        return Status(ErrorCode::kInvalidArgument, "download: offset beyond the blob");
      }
      data = found->second.data.substr(offset);
      total = found->second.total_size;
    }
    for (size_t at = 0; at < data.size(); at += client::kBlobPieceSize) {
      SB_RETURN_IF_ERROR(sink(data.substr(at, client::kBlobPieceSize)));
    }
    return total;
  }

  Result<client::BlobInfo> GetBlobInfo(const std::string& blob_id, client::BlobKind kind) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kGetBlobInfo).status());
    for (const auto& [id, blob] : server_.blobs_) {
      if (blob.owner != caller_.first) continue;
      const bool complete = blob.data.size() == blob.total_size;
      if (id == blob_id || (blob_id.empty() && kind == client::BlobKind::kBackup &&
                            blob.kind == client::BlobKind::kBackup && complete)) {
        return client::BlobInfo{id, blob.kind, blob.total_size, blob.data.size(), complete, 0};
      }
    }
    return Status(ErrorCode::kNotFound, "blob info: no such blob");
  }

  Status DeleteBlob(const std::string& blob_id) override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    SB_RETURN_IF_ERROR(Caller(FakeCall::kDeleteBlob).status());
    auto found = server_.blobs_.find(blob_id);
    if (found == server_.blobs_.end() || found->second.owner != caller_.first) {
      return Status(ErrorCode::kNotFound, "delete blob: no such blob");
    }
    server_.blobs_.erase(found);
    return Status::Ok();
  }

 private:
  // Under the server's mutex: counts the call, applies injected failures and
  // "logs in", then finds the calling device.
  Result<FakeServer::Device*> Caller(FakeCall call) {
    if (auto failure = server_.Failure(call)) return *failure;
    if (server_.removed_.count(caller_) != 0) {
      return Status(ErrorCode::kPermissionDenied,
                    "this device was removed from the account; link it again");
    }
    FakeServer::Device* device = server_.FindDevice(caller_);
    if (device == nullptr) return Status(ErrorCode::kUnauthenticated, "no such device");
    if (token_.empty()) token_ = "fake-token";
    return device;
  }

  FakeServer& server_;
  FakeServer::Address caller_;
  std::string token_;
};

class FakeProvisioningWait final : public client::ProvisioningWait {
 public:
  FakeProvisioningWait(FakeServer& server, std::string channel_id)
      : server_(server), channel_id_(std::move(channel_id)) {}
  ~FakeProvisioningWait() override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    auto slot = server_.slots_.find(channel_id_);
    if (slot != server_.slots_.end()) slot->second.waiting = false;
  }
  bool WaitUntilOpen() override { return true; }
  Result<std::string> Receive() override {
    std::unique_lock<std::mutex> lock(server_.mu_);
    server_.changed_.wait(lock, [&] {
      const FakeServer::Slot& slot = server_.slots_[channel_id_];
      return cancelled_ || !server_.reachable_ || slot.expired || slot.message.has_value();
    });
    FakeServer::Slot& slot = server_.slots_[channel_id_];
    slot.waiting = false;
    if (cancelled_ || !server_.reachable_) {
      return Status(ErrorCode::kUnavailable, "link: the wait ended; wait again");
    }
    if (slot.expired) return Status(ErrorCode::kNotFound, "link: the link code expired");
    std::string message = std::move(*slot.message);
    slot.message.reset();
    slot.used = true;
    return message;
  }
  void Cancel() override {
    std::lock_guard<std::mutex> lock(server_.mu_);
    cancelled_ = true;
    server_.changed_.notify_all();
  }

 private:
  FakeServer& server_;
  const std::string channel_id_;
  bool cancelled_ = false;  // Guarded by server_.mu_.
};

Result<std::unique_ptr<client::ProvisioningWait>> FakeConnection::WaitForProvisioning(
    const std::string& channel_id) {
  std::lock_guard<std::mutex> lock(server_.mu_);
  if (auto failure = server_.Failure(FakeCall::kWaitForProvisioning)) return *failure;
  FakeServer::Slot& slot = server_.slots_[channel_id];
  if (slot.used) return Status(ErrorCode::kFailedPrecondition, "link: the link code was used");
  if (slot.expired) return Status(ErrorCode::kNotFound, "link: the link code expired");
  if (slot.waiting) return Status(ErrorCode::kAlreadyExists, "link: another call waits");
  slot.waiting = true;
  return std::unique_ptr<client::ProvisioningWait>(new FakeProvisioningWait(server_, channel_id));
}

void FakeServer::ExpireProvisioningSlots() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [channel, slot] : slots_) {
    slot.expired = true;
    slot.message.reset();
  }
  changed_.notify_all();
}

std::optional<std::string> FakeServer::ProvisioningMessage(const std::string& channel_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto slot = slots_.find(channel_id);
  if (slot == slots_.end()) return std::nullopt;
  return slot->second.message;
}

void FakeServer::ReplaceProvisioningMessage(const std::string& channel_id, std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_[channel_id].message = std::move(message);
  changed_.notify_all();
}

std::optional<std::string> FakeServer::BlobBytes(const std::string& blob_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto blob = blobs_.find(blob_id);
  if (blob == blobs_.end()) return std::nullopt;
  return blob->second.data;
}

void FakeServer::ReplaceBlobBytes(const std::string& blob_id, std::string bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  blobs_.at(blob_id).data = std::move(bytes);
}

std::unique_ptr<client::ServerApi> FakeServer::Connect() {
  return std::make_unique<FakeConnection>(*this);
}

std::optional<Status> FakeServer::Failure(FakeCall call) {
  ++calls_[call];
  if (!reachable_) return Status(ErrorCode::kUnavailable, "the fake server is unreachable");
  auto& queue = failures_[call];
  if (queue.empty()) return std::nullopt;
  Status status = std::move(queue.front());
  queue.pop_front();
  return status;
}

FakeServer::Device* FakeServer::FindDevice(const Address& address) {
  auto account = accounts_.find(address.first);
  if (account == accounts_.end()) return nullptr;
  auto device = account->second.devices.find(address.second);
  return device == account->second.devices.end() ? nullptr : &device->second;
}

bool FakeServer::Linked(const std::string& a, const std::string& b) const {
  return links_.count({a, b}) || links_.count({b, a});
}

void FakeServer::Deliver(const Address& to, const client::ServerDevice& from,
                         const std::string& ciphertext) {
  Device* device = FindDevice(to);
  if (device == nullptr) return;
  client::Envelope envelope;
  envelope.seq = device->next_seq++;
  envelope.sender = from;
  envelope.server_timestamp_unix_ms = now_unix_ms_;
  envelope.ciphertext = ciphertext;
  device->mailbox.push_back(std::move(envelope));
  changed_.notify_all();
}

void FakeServer::FailNext(FakeCall call, Status status, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < times; ++i) failures_[call].push_back(status);
}

void FakeServer::AnswerNextSendWith(client::DeviceMismatch mismatch) {
  std::lock_guard<std::mutex> lock(mu_);
  forced_mismatches_.push_back(std::move(mismatch));
}

void FakeServer::LoseNextSendAnswer() {
  std::lock_guard<std::mutex> lock(mu_);
  ++lost_send_answers_;
}

void FakeServer::SetReachable(bool reachable) {
  std::lock_guard<std::mutex> lock(mu_);
  reachable_ = reachable;
  changed_.notify_all();
}

int FakeServer::calls(FakeCall call) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = calls_.find(call);
  return found == calls_.end() ? 0 : found->second;
}

std::vector<client::Envelope> FakeServer::Mailbox(const std::string& user_id,
                                                  uint32_t device_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto account = accounts_.find(user_id);
  if (account == accounts_.end()) return {};
  auto device = account->second.devices.find(device_id);
  if (device == account->second.devices.end()) return {};
  return std::vector<client::Envelope>(device->second.mailbox.begin(),
                                       device->second.mailbox.end());
}

void FakeServer::EndStreams(client::Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  streams_ended_with_ = std::move(status);
  streams_ended_below_ = next_stream_;
  changed_.notify_all();
}

uint64_t FakeServer::GivenUpTo(const std::string& user_id, uint32_t device_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto account = accounts_.find(user_id);
  if (account == accounts_.end()) return 0;
  auto device = account->second.devices.find(device_id);
  return device == account->second.devices.end() ? 0 : device->second.given_up_to;
}

std::vector<client::SendRequest> FakeServer::StoredSends() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stored_sends_;
}

uint32_t FakeServer::AddDevice(const std::string& user_id, client::SignedPreKeyWire signed_prekey,
                               std::vector<client::OneTimePreKeyWire> one_time_prekeys) {
  std::lock_guard<std::mutex> lock(mu_);
  Account& account = accounts_.at(user_id);
  const uint32_t id = account.next_device_id++;
  Device& device = account.devices[id];
  device.signed_prekey = std::move(signed_prekey);
  device.one_time_prekeys.assign(one_time_prekeys.begin(), one_time_prekeys.end());
  return id;
}

void FakeServer::SetDeviceKeys(const std::string& user_id, uint32_t device_id,
                               const client::PreKeyUpload& upload) {
  std::lock_guard<std::mutex> lock(mu_);
  Apply(accounts_.at(user_id).devices.at(device_id), upload);
}

void FakeServer::Apply(Device& device, const client::PreKeyUpload& upload) {
  if (upload.signed_prekey) device.signed_prekey = *upload.signed_prekey;
  device.one_time_prekeys.insert(device.one_time_prekeys.end(), upload.one_time_prekeys.begin(),
                                 upload.one_time_prekeys.end());
  if (!upload.device_binding.empty()) device.device_binding = upload.device_binding;
}

void FakeServer::RemoveDevice(const std::string& user_id, uint32_t device_id) {
  std::lock_guard<std::mutex> lock(mu_);
  accounts_.at(user_id).devices.erase(device_id);
  changed_.notify_all();
}

void FakeServer::LinkAccounts(const std::string& therapist, const std::string& client_id) {
  std::lock_guard<std::mutex> lock(mu_);
  links_.insert({therapist, client_id});
}

void FakeServer::SetIdentityKey(const std::string& user_id, const std::string& identity_key) {
  std::lock_guard<std::mutex> lock(mu_);
  accounts_.at(user_id).identity_key = identity_key;
}

void FakeServer::Inject(const std::string& user_id, uint32_t device_id,
                        const client::ServerDevice& sender, const std::string& ciphertext) {
  std::lock_guard<std::mutex> lock(mu_);
  Deliver({user_id, device_id}, sender, ciphertext);
}

size_t FakeServer::one_time_prekeys(const std::string& user_id, uint32_t device_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto account = accounts_.find(user_id);
  if (account == accounts_.end()) return 0;
  auto device = account->second.devices.find(device_id);
  return device == account->second.devices.end() ? 0 : device->second.one_time_prekeys.size();
}

}  // namespace securebase::testing
