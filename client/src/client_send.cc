// Sending: sessions per device, the outbox, fan-out and device-list repair.
//
// Order of effects (DESIGN.md, "Delivery" and crash safety): encrypt (which
// advances sending chains) and commit sessions + the outbox entry (+ history)
// in one vault transaction, then send; remove the entry when the server has
// accepted it. A crash after the commit resends the same ciphertexts with the
// same client message id, which the server stores once.
#include <algorithm>
#include <set>

#include "client_impl.h"
#include "content_codec.h"
#include "fault_points.h"
#include "securebase/crypto/random.h"
#include "util.h"

namespace securebase::client {
namespace {

constexpr int kMaxDeliveryAttempts = 5;
constexpr std::string_view kMismatchTrailer = "securebase-device-mismatch-bin";

}  // namespace

Result<records::Contact> LoadPeer(VaultTransaction& txn, const std::string& own_user_id,
                                  const std::string& user_id) {
  if (user_id == own_user_id) {
    SB_ASSIGN_OR_RETURN(std::optional<records::Contact> self,
                        LoadRecord<records::Contact>(txn, kSelfRecord));
    if (!self) return Status(ErrorCode::kVaultCorrupted, "the vault lost its own device list");
    return *self;
  }
  SB_ASSIGN_OR_RETURN(std::optional<records::Contacts> contacts,
                      LoadRecord<records::Contacts>(txn, kContactsRecord));
  if (contacts) {
    for (const auto& c : contacts->contacts()) {
      if (c.user_id() == user_id) return c;
    }
  }
  return Status(ErrorCode::kNotFound, "no such contact");
}

Status StorePeer(VaultTransaction& txn, const std::string& own_user_id,
                 const records::Contact& peer) {
  if (peer.user_id() == own_user_id) {
    StoreRecord(txn, kSelfRecord, peer);
    return Status::Ok();
  }
  SB_ASSIGN_OR_RETURN(std::optional<records::Contacts> contacts,
                      LoadRecord<records::Contacts>(txn, kContactsRecord));
  if (!contacts) return Status(ErrorCode::kNotFound, "no such contact");
  for (auto& c : *contacts->mutable_contacts()) {
    if (c.user_id() == peer.user_id()) c = peer;
  }
  StoreRecord(txn, kContactsRecord, *contacts);
  return Status::Ok();
}

Result<uint64_t> NextOutboxIndex(VaultTransaction& txn) {
  SB_ASSIGN_OR_RETURN(auto items, txn.ReadList(kOutboxList));
  return items.empty() ? uint64_t{1} : items.back().first + 1;
}

void SetHistoryState(VaultTransaction& txn, const std::string& message_id, DeliveryState state,
                     const std::string* expected_peer) {
  auto location = LoadRecord<records::MessageLocation>(txn, MessageLocationName(message_id));
  if (!location.ok() || !*location) return;
  // A receipt may only touch the conversation with the peer that sent it.
  if (expected_peer != nullptr && (*location)->peer_user_id() != *expected_peer) return;
  const std::string list = HistoryListName((*location)->peer_user_id());
  auto item = txn.GetItem(list, (*location)->index());
  if (!item.ok() || !*item) return;
  records::HistoryEntry entry;
  if (!entry.ParseFromArray((*item)->data(), static_cast<int>((*item)->size()))) return;
  // States only move forward (a late "sent" never hides a "read"); kFailed
  // replaces only kQueued.
  const auto current = static_cast<DeliveryState>(entry.state());
  if (state == DeliveryState::kFailed ? current != DeliveryState::kQueued
                                      : static_cast<uint32_t>(state) <= entry.state()) {
    return;
  }
  entry.set_state(static_cast<uint32_t>(state));
  if (!entry.outgoing()) return;
  StoreItem(txn, list, (*location)->index(), entry);
}

namespace {

std::string MessageIdOf(const std::string& serialized_content) {
  content::v1::Content content;
  if (!content.ParseFromString(serialized_content)) return std::string();
  return content.message_id();
}

}  // namespace

struct ClientImpl::FetchedBundles {
  std::string user_id;
  crypto::IdentityPublicKey identity_key;
  std::map<uint32_t, v1::DeviceBundle> devices;
  bool held = false;  // A verified contact's key changed: do not send.
};

Result<ClientImpl::FetchedBundles> ClientImpl::FetchBundles(const std::string& user_id) {
  v1::GetPreKeyBundlesRequest request;
  request.set_user_id(user_id);
  v1::GetPreKeyBundlesResponse response;
  SB_RETURN_IF_ERROR(connection_->Call("fetch keys", [&](grpc::ClientContext& context) {
    return connection_->keys().GetPreKeyBundles(&context, request, &response);
  }));
  FetchedBundles fetched;
  fetched.user_id = user_id;
  auto key = crypto::IdentityPublicKey::FromBytes(AsBytes(response.identity_key()));
  if (!key.ok()) return Status(ErrorCode::kInternal, "the server sent a malformed identity key");
  fetched.identity_key = *key;
  for (const v1::DeviceBundle& device : response.devices()) {
    fetched.devices[device.device_id()] = device;
  }
  const std::string own = account_.user_id();
  if (user_id == own) {
    if (!(fetched.identity_key == identity_.public_key())) {
      return Status(ErrorCode::kInternal,
                    "the server returned a different identity key for your own account");
    }
    return fetched;
  }
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contact peer, LoadPeer(txn, own, user_id));
    if (peer.identity_key() == response.identity_key()) {
      fetched.held = peer.verified() && peer.identity_changed();
      return Status::Ok();
    }
    // The contact's identity key changed: remember the new one, drop the old
    // sessions, warn; a verified contact's sends wait for Trust().
    for (uint32_t device : peer.device_ids()) DeleteSessions(txn, user_id, device);
    peer.clear_device_ids();
    peer.set_identity_key(response.identity_key());
    peer.set_identity_changed(true);
    fetched.held = peer.verified();
    return StorePeer(txn, own, peer);
  }));
  return fetched;
}

Status ClientImpl::EncryptFor(VaultTransaction& txn, const std::vector<DeviceTarget>& targets,
                              const FetchedBundles* bundles, const std::string& plaintext,
                              records::OutboxEntry& entry, std::vector<uint32_t>* new_devices) {
  crypto::RandomSource& rng = crypto::SystemRandom();
  const std::string own = account_.user_id();
  // All or nothing: every session is loaded (or started) before any is
  // advanced, and the advanced ones are stored, and the ciphertexts added to
  // `entry`, only once every target encrypted; on failure `txn` and `entry`
  // are as they were. A device listed twice advances its one session twice.
  std::map<std::string, crypto::Session> sessions;  // By session record name.
  std::vector<const std::string*> names;            // Per target, into `sessions`.
  names.reserve(targets.size());
  for (const DeviceTarget& target : targets) {
    std::string name = SessionName(target.user_id, target.device_id);
    auto found = sessions.find(name);
    if (found == sessions.end()) {
      SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> blob, txn.Get(name));
      std::optional<crypto::Session> session;
      if (blob) {
        auto restored = crypto::Session::Deserialize(blob->span());
        if (!restored.ok()) {
          return Status(ErrorCode::kVaultCorrupted, "a stored session is damaged");
        }
        session.emplace(std::move(restored).value());
      } else {
        if (bundles == nullptr || bundles->user_id != target.user_id ||
            !bundles->devices.count(target.device_id)) {
          return Status(ErrorCode::kInternal, "no session and no prekey bundle for a device");
        }
        const v1::DeviceBundle& device = bundles->devices.at(target.device_id);
        crypto::PreKeyBundle bundle;
        bundle.identity_key = bundles->identity_key;
        bundle.signed_prekey_id = device.signed_prekey().key_id();
        auto spk = crypto::DhPublicKey::FromBytes(AsBytes(device.signed_prekey().public_key()));
        auto sig = crypto::Signature::FromBytes(AsBytes(device.signed_prekey().signature()));
        if (!spk.ok() || !sig.ok()) {
          return Status(ErrorCode::kInternal, "the server sent a malformed prekey bundle");
        }
        bundle.signed_prekey = *spk;
        bundle.signed_prekey_signature = *sig;
        if (device.has_one_time_prekey()) {
          auto otk = crypto::DhPublicKey::FromBytes(AsBytes(device.one_time_prekey().public_key()));
          if (!otk.ok()) return Status(ErrorCode::kInternal, "the server sent a malformed prekey");
          bundle.one_time_prekey =
              crypto::OneTimePreKeyPublic{device.one_time_prekey().key_id(), *otk};
        }
        auto started = crypto::Session::Initiate(identity_, bundle, rng);
        if (!started.ok()) {
          return Status(ErrorCode::kInternal, "refusing a prekey bundle that does not verify: " +
                                                  started.status().message());
        }
        session.emplace(std::move(started).value());
        if (new_devices != nullptr) new_devices->push_back(target.device_id);
      }
      found = sessions.emplace(std::move(name), std::move(*session)).first;
    }
    names.push_back(&found->first);
  }
  // Our other devices get a transcript: the same content plus who it went to.
  std::string transcript;
  std::vector<crypto::Bytes> ciphertexts;
  ciphertexts.reserve(targets.size());
  Status encrypted = Status::Ok();
  for (size_t i = 0; i < targets.size() && encrypted.ok(); ++i) {
    const std::string* body = &plaintext;
    if (targets[i].user_id == own) {
      if (transcript.empty()) {
        content::v1::Content copy;
        copy.ParseFromString(plaintext);
        copy.set_sent_to_user_id(entry.recipient_user_id());
        transcript = copy.SerializeAsString();
      }
      body = &transcript;
    }
    auto ciphertext = sessions.at(*names[i]).Encrypt(AsBytes(*body), rng);
    if (ciphertext.ok()) {
      ciphertexts.push_back(std::move(ciphertext).value());
    } else {
      encrypted = Status(ErrorCode::kInternal, ciphertext.status().message());
    }
  }
  crypto::SecureWipe(transcript.data(), transcript.size());  // Wiped on all paths.
  SB_RETURN_IF_ERROR(encrypted);
  for (const auto& [name, session] : sessions) {
    crypto::SecretBytes state = session.Serialize();
    txn.Put(name, state.span());
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    records::OutgoingCiphertext* out = entry.add_ciphertexts();
    out->set_user_id(targets[i].user_id);
    out->set_device_id(targets[i].device_id);
    out->set_ciphertext(ciphertexts[i].data(), ciphertexts[i].size());
  }
  return Status::Ok();
}

bool ClientImpl::QueueInTransaction(VaultTransaction& txn, const records::Contact& peer,
                                    const records::Contact& self, const ContentBody& body,
                                    uint64_t index, records::OutboxEntry* entry) {
  if (!ValidateContent(body).empty()) return false;
  content::v1::Content content;
  content.set_message_id(RandomId());
  content.set_sent_at_unix_ms(NowUnixMs());
  if (!EncodeBody(body, content)) return false;
  const std::string plaintext = content.SerializeAsString();
  records::OutboxEntry queued;
  queued.set_client_message_id(RandomId());
  queued.set_recipient_user_id(peer.user_id());
  queued.set_content(plaintext);
  queued.set_record_history(false);
  queued.set_held(peer.verified() && peer.identity_changed());  // As SendBody decides.
  if (!queued.held()) {
    if (peer.device_ids().empty()) return false;  // SendBody fetches the bundles.
    const std::string own = account_.user_id();
    std::vector<DeviceTarget> targets;
    for (uint32_t device : peer.device_ids()) targets.push_back({peer.user_id(), device});
    for (uint32_t device : self.device_ids()) targets.push_back({own, device});
    if (!EncryptFor(txn, targets, nullptr, plaintext, queued, nullptr).ok()) return false;
  }
  StoreItem(txn, kOutboxList, index, queued);
  *entry = std::move(queued);
  return true;
}

Result<std::string> ClientImpl::SendBody(const std::string& peer_user_id, const ContentBody& body,
                                         bool record_history) {
  if (std::string problem = ValidateContent(body); !problem.empty()) {
    return Status(ErrorCode::kInvalidArgument, problem);
  }
  content::v1::Content content;
  const std::string message_id = RandomId();
  content.set_message_id(message_id);
  content.set_sent_at_unix_ms(NowUnixMs());
  if (!EncodeBody(body, content)) {
    return Status(ErrorCode::kInvalidArgument, "this content cannot be sent");
  }
  const std::string plaintext = content.SerializeAsString();
  const std::string own = account_.user_id();

  // What do we know about the peer's devices?
  std::optional<records::Contact> peer;
  std::optional<records::Contact> self;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(peer, LoadPeer(txn, own, peer_user_id));
    SB_ASSIGN_OR_RETURN(self, LoadPeer(txn, own, own));
    return Status::Ok();
  }));
  if (!peer->linked()) {
    return Status(ErrorCode::kFailedPrecondition,
                  "the care link with this contact has ended; messages can no longer be sent");
  }
  bool held = peer->verified() && peer->identity_changed();
  std::optional<FetchedBundles> bundles;
  if (!held && peer->device_ids().empty()) {
    auto fetched = FetchBundles(peer_user_id);
    if (!fetched.ok()) return fetched.status();
    held = fetched->held;
    bundles.emplace(std::move(fetched).value());
  }

  records::OutboxEntry entry;
  entry.set_client_message_id(RandomId());
  entry.set_recipient_user_id(peer_user_id);
  entry.set_content(plaintext);
  entry.set_record_history(record_history);
  entry.set_held(held);
  uint64_t index = 0;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contact current, LoadPeer(txn, own, peer_user_id));
    SB_ASSIGN_OR_RETURN(records::Contact current_self, LoadPeer(txn, own, own));
    if (!held) {
      std::vector<DeviceTarget> targets;
      if (bundles) {
        for (const auto& [device, unused] : bundles->devices) targets.push_back({peer_user_id, device});
      } else {
        for (uint32_t device : current.device_ids()) targets.push_back({peer_user_id, device});
      }
      for (uint32_t device : current_self.device_ids()) targets.push_back({own, device});
      std::vector<uint32_t> new_devices;
      SB_RETURN_IF_ERROR(EncryptFor(txn, targets, bundles ? &*bundles : nullptr, plaintext, entry,
                                    &new_devices));
      for (uint32_t device : new_devices) {
        if (std::find(current.device_ids().begin(), current.device_ids().end(), device) ==
            current.device_ids().end()) {
          current.add_device_ids(device);
        }
      }
    }
    if (record_history) {
      records::HistoryEntry item;
      item.set_message_id(message_id);
      item.set_outgoing(true);
      item.set_sender_user_id(own);
      item.set_sender_device_id(account_.device_id());
      item.set_sent_at_unix_ms(content.sent_at_unix_ms());
      item.set_state(static_cast<uint32_t>(DeliveryState::kQueued));
      item.set_content(plaintext);
      const uint64_t position = current.next_history_index();
      current.set_next_history_index(position + 1);
      StoreItem(txn, HistoryListName(peer_user_id), position, item);
      records::MessageLocation location;
      location.set_peer_user_id(peer_user_id);
      location.set_index(position);
      StoreRecord(txn, MessageLocationName(message_id), location);
    }
    SB_RETURN_IF_ERROR(StorePeer(txn, own, current));
    SB_ASSIGN_OR_RETURN(index, NextOutboxIndex(txn));
    StoreItem(txn, kOutboxList, index, entry);
    return Status::Ok();
  }));
  if (held) {
    return Status(ErrorCode::kIdentityChanged,
                  "this contact's safety number changed; the message is kept and will be sent "
                  "once you check the new safety number and run `securebase trust`");
  }
  if (FaultPoint("after-commit-before-send")) {
    return Status(ErrorCode::kUnavailable, "send interrupted; the message is queued");
  }
  Status delivered = DeliverOutboxEntry(index, std::move(entry));
  PersistTokenIfChanged();
  if (!delivered.ok()) {
    if (delivered.code() == ErrorCode::kUnavailable) {
      return Status(ErrorCode::kUnavailable,
                    "the server could not be reached; the message is queued and will be sent by "
                    "the next `securebase sync`");
    }
    return delivered;
  }
  return ToHex(message_id);
}

Status ClientImpl::DeliverOutboxEntry(uint64_t index, records::OutboxEntry entry,
                                      std::vector<uint64_t>* sent_receipts) {
  const std::string own = account_.user_id();
  const std::string message_id = entry.record_history() ? MessageIdOf(entry.content()) : "";
  for (int attempt = 0; attempt < kMaxDeliveryAttempts; ++attempt) {
    v1::SendRequest request;
    request.set_recipient_user_id(entry.recipient_user_id());
    request.set_client_message_id(entry.client_message_id());
    for (const auto& c : entry.ciphertexts()) {
      v1::OutgoingCiphertext* out = request.add_ciphertexts();
      out->mutable_recipient()->set_user_id(c.user_id());
      out->mutable_recipient()->set_device_id(c.device_id());
      out->set_ciphertext(c.ciphertext());
    }
    v1::SendResponse response;
    std::optional<v1::DeviceMismatch> mismatch;
    Status sent = connection_->Call("send", [&](grpc::ClientContext& context) {
      grpc::Status status = connection_->messages().Send(&context, request, &response);
      mismatch.reset();
      if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
        const auto& trailers = context.GetServerTrailingMetadata();
        auto it = trailers.find(std::string(kMismatchTrailer));
        if (it != trailers.end()) {
          v1::DeviceMismatch parsed;
          if (parsed.ParseFromArray(it->second.data(), static_cast<int>(it->second.size()))) {
            mismatch = parsed;
          }
        }
      }
      return status;
    });
    if (sent.ok()) {
      if (sent_receipts != nullptr && !entry.record_history()) {
        sent_receipts->push_back(index);  // Removed with the caller's next commit.
        return Status::Ok();
      }
      return vault_->Transact([&](VaultTransaction& txn) {
        txn.DeleteItem(kOutboxList, index);
        if (!message_id.empty()) SetHistoryState(txn, message_id, DeliveryState::kSent, nullptr);
        return Status::Ok();
      });
    }
    if (!mismatch) {
      if (sent.code() == ErrorCode::kUnavailable || sent.code() == ErrorCode::kVaultBusy ||
          sent.code() == ErrorCode::kResourceExhausted || sent.code() == ErrorCode::kUnauthenticated) {
        return sent;  // Stays queued; retried by the next sync.
      }
      // Refused for good (e.g. the link ended): drop it, mark it failed.
      SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) {
        txn.DeleteItem(kOutboxList, index);
        if (!message_id.empty()) SetHistoryState(txn, message_id, DeliveryState::kFailed, nullptr);
        return Status::Ok();
      }));
      return sent;
    }
    // Our view of the devices is out of date: drop stale devices, add missing ones.
    std::set<DeviceTarget> stale;
    for (const auto& d : mismatch->stale_devices()) stale.insert({d.user_id(), d.device_id()});
    std::map<std::string, std::vector<uint32_t>> missing;
    for (const auto& d : mismatch->missing_devices()) missing[d.user_id()].push_back(d.device_id());
    std::map<std::string, FetchedBundles> fetched;
    for (const auto& [user, devices] : missing) {
      if (user != entry.recipient_user_id() && user != own) {
        return Status(ErrorCode::kInternal, "the server asked for devices of an unrelated user");
      }
      SB_ASSIGN_OR_RETURN(FetchedBundles bundles, FetchBundles(user));
      if (bundles.held) {
        return Status(ErrorCode::kIdentityChanged,
                      "this contact's safety number changed; the message waits for `trust`");
      }
      fetched.emplace(user, std::move(bundles));
    }
    SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
      records::OutboxEntry updated = entry;
      updated.clear_ciphertexts();
      for (const auto& c : entry.ciphertexts()) {
        if (!stale.count({c.user_id(), c.device_id()})) *updated.add_ciphertexts() = c;
      }
      std::map<std::string, records::Contact> peers;
      for (const DeviceTarget& target : stale) {
        DeleteSessions(txn, target.user_id, target.device_id);
        if (!peers.count(target.user_id)) {
          SB_ASSIGN_OR_RETURN(peers[target.user_id], LoadPeer(txn, own, target.user_id));
        }
        auto* ids = peers[target.user_id].mutable_device_ids();
        ids->erase(std::remove(ids->begin(), ids->end(), target.device_id), ids->end());
      }
      for (const auto& [user, devices] : missing) {
        if (!peers.count(user)) {
          SB_ASSIGN_OR_RETURN(peers[user], LoadPeer(txn, own, user));
        }
        std::vector<DeviceTarget> targets;
        for (uint32_t device : devices) {
          // A missing device may still have an old session (e.g. re-registered): start fresh.
          DeleteSessions(txn, user, device);
          targets.push_back({user, device});
        }
        SB_RETURN_IF_ERROR(
            EncryptFor(txn, targets, &fetched.at(user), entry.content(), updated, nullptr));
        for (uint32_t device : devices) {
          auto* ids = peers[user].mutable_device_ids();
          if (std::find(ids->begin(), ids->end(), device) == ids->end()) ids->Add(device);
        }
      }
      for (const auto& [user, peer] : peers) SB_RETURN_IF_ERROR(StorePeer(txn, own, peer));
      StoreItem(txn, kOutboxList, index, updated);
      entry = std::move(updated);
      return Status::Ok();
    }));
  }
  return Status(ErrorCode::kInternal, "the recipient's devices kept changing; try again");
}

Status ClientImpl::FlushOutbox(uint32_t* sent) {
  std::vector<std::pair<uint64_t, records::OutboxEntry>> entries;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(auto items, txn.ReadList(kOutboxList));
    for (auto& [index, bytes] : items) {
      records::OutboxEntry entry;
      if (!entry.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return Status(ErrorCode::kVaultCorrupted, "an outbox record does not parse");
      }
      entries.emplace_back(index, std::move(entry));
    }
    return Status::Ok();
  }));
  const std::string own = account_.user_id();
  for (auto& pending : entries) {
    // Named references rather than structured bindings: lambdas below capture
    // them, which clang 14 does not allow for bindings.
    const uint64_t index = pending.first;
    records::OutboxEntry& entry = pending.second;
    if (entry.held()) {
      // Held for a key change: encrypt now if the user has trusted the key.
      std::optional<records::Contact> peer;
      SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
        SB_ASSIGN_OR_RETURN(peer, LoadPeer(txn, own, entry.recipient_user_id()));
        return Status::Ok();
      }));
      if (peer->verified() && peer->identity_changed()) continue;
      std::optional<FetchedBundles> bundles;
      if (peer->device_ids().empty()) {
        SB_ASSIGN_OR_RETURN(bundles, FetchBundles(entry.recipient_user_id()));
        if (bundles->held) continue;
      }
      SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
        SB_ASSIGN_OR_RETURN(records::Contact current, LoadPeer(txn, own, entry.recipient_user_id()));
        SB_ASSIGN_OR_RETURN(records::Contact self, LoadPeer(txn, own, own));
        std::vector<DeviceTarget> targets;
        if (bundles) {
          for (const auto& [device, unused] : bundles->devices) {
            targets.push_back({entry.recipient_user_id(), device});
          }
        } else {
          for (uint32_t device : current.device_ids()) {
            targets.push_back({entry.recipient_user_id(), device});
          }
        }
        for (uint32_t device : self.device_ids()) targets.push_back({own, device});
        std::vector<uint32_t> new_devices;
        SB_RETURN_IF_ERROR(EncryptFor(txn, targets, bundles ? &*bundles : nullptr,
                                      entry.content(), entry, &new_devices));
        for (uint32_t device : new_devices) current.add_device_ids(device);
        SB_RETURN_IF_ERROR(StorePeer(txn, own, current));
        entry.set_held(false);
        StoreItem(txn, kOutboxList, index, entry);
        return Status::Ok();
      }));
    }
    Status delivered = DeliverOutboxEntry(index, entry);
    if (delivered.ok()) {
      ++*sent;
    } else if (delivered.code() == ErrorCode::kUnavailable) {
      return delivered;
    }
    // Other failures are recorded on the item (kFailed); keep flushing.
  }
  return Status::Ok();
}

Result<std::string> ClientImpl::SendText(std::string_view peer, std::string_view text,
                                         std::string_view reply_to) {
  SB_ASSIGN_OR_RETURN(VaultHold hold, vault_->Hold());  // One open for the whole send.
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  return SendBody(user_id, TextMessage{std::string(text), std::string(reply_to)}, true);
}

Result<std::string> ClientImpl::SendCheckIn(std::string_view peer, const CheckIn& check_in) {
  SB_ASSIGN_OR_RETURN(VaultHold hold, vault_->Hold());  // One open for the whole send.
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  return SendBody(user_id, check_in, true);
}

Result<std::string> ClientImpl::SendReflection(std::string_view peer,
                                               const Reflection& reflection) {
  SB_ASSIGN_OR_RETURN(VaultHold hold, vault_->Hold());  // One open for the whole send.
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  return SendBody(user_id, reflection, true);
}

Result<std::string> ClientImpl::AssignExercise(std::string_view peer, const Exercise& exercise) {
  if (role() != Role::kTherapist) {
    return Status(ErrorCode::kPermissionDenied, "only therapists assign exercises");
  }
  SB_ASSIGN_OR_RETURN(VaultHold hold, vault_->Hold());  // One open for the whole send.
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  return SendBody(user_id, exercise, true);
}

}  // namespace securebase::client
