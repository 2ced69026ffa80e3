#include "sender.h"

#include <algorithm>
#include <set>

#include "content/availability.h"
#include "content/content_type.h"
#include "device_address.h"
#include "device_list.h"
#include "securebase/crypto/encoding.h"
#include "securebase/v1/content.pb.h"
#include "session_expiry.h"

namespace securebase::client {
namespace {

constexpr int kMaxDeliveryAttempts = 5;
// ValidateContent's bound on the ids in one receipt.
constexpr size_t kMaxIdsPerReceipt = 1000;

std::string MessageIdOf(const std::string& serialized_content) {
  content::v1::Content content;
  if (!content.ParseFromString(serialized_content)) return std::string();
  return content.message_id();
}

bool Transient(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kVaultBusy ||
         code == ErrorCode::kResourceExhausted || code == ErrorCode::kUnauthenticated;
}

void AddDevice(records::Contact& contact, uint32_t device) {
  auto& ids = *contact.mutable_device_ids();
  if (std::find(ids.begin(), ids.end(), device) == ids.end()) ids.Add(device);
}

// The content of `entry` with `sent_to_user_id` set: what our own other
// devices get, so they can file it in the right conversation.
std::string Transcript(const records::OutboxEntry& entry) {
  content::v1::Content copy;
  copy.ParseFromString(entry.content());
  copy.set_sent_to_user_id(entry.recipient_user_id());
  return copy.SerializeAsString();
}

}  // namespace

struct Sender::Bundles {
  std::string user_id;
  crypto::IdentityPublicKey identity_key;
  // Only the devices the identity key vouches for (device_list.h).
  std::map<uint32_t, crypto::PreKeyBundle> devices;
  std::set<uint32_t> refused;  // Listed by the server, not vouched for.
  bool held = false;           // A contact's key change is not trusted yet: do not send.
};

Result<Sender::Bundles> Sender::FetchBundles(const std::string& user_id) {
  SB_ASSIGN_OR_RETURN(PreKeyBundles response, core_.server().GetPreKeyBundles(user_id));
  Bundles fetched;
  fetched.user_id = user_id;
  auto key = crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(response.identity_key));
  if (!key.ok()) {
    return Status(ErrorCode::kInvalidServerResponse, "the server sent a malformed identity key");
  }
  fetched.identity_key = *key;
  CheckedDevices checked = CheckDeviceList(user_id, *key, response);
  fetched.devices = std::move(checked.bundles);
  fetched.refused = std::move(checked.refused);
  if (user_id == core_.own_user_id()) fetched.devices.erase(core_.own_device_id());
  if (user_id == core_.own_user_id()) {
    if (!(fetched.identity_key == core_.identity().public_key())) {
      return Status(ErrorCode::kInvalidServerResponse,
                    "the server returned a different identity key for your own account");
    }
    return fetched;
  }
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contact * peer, stores.contacts().Get(user_id));
    SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress account, AddressOf(user_id, 0));
    // A key other than the accepted one is recorded as a pending change
    // (which clears `verified`); sends then wait for the user to accept it,
    // and the old key's sessions stay until then (ContactBook::Trust).
    auto change = stores.contacts().SaveIdentity(account, fetched.identity_key);
    if (!change.ok()) return stores.errors().FromCipher(change.status());
    fetched.held = SendsHeld(*peer);
    return Status::Ok();
  }));
  return fetched;
}

Result<bool> Sender::SendsHeldNow(const records::Contact& peer, std::optional<Bundles>& bundles) {
  if (SendsHeld(peer)) return true;
  if (!peer.device_ids().empty()) return false;
  SB_ASSIGN_OR_RETURN(bundles, FetchBundles(peer.user_id()));
  return bundles->held;
}

Result<std::vector<crypto::DeviceAddress>> Sender::Targets(const records::Contact& peer,
                                                           const records::Contact& self,
                                                           const Bundles* bundles) const {
  SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress peer_account, AddressOf(peer.user_id(), 0));
  SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress own_account, AddressOf(core_.own_user_id(), 0));
  std::vector<crypto::DeviceAddress> targets;
  if (bundles != nullptr) {
    for (const auto& [device, unused] : bundles->devices)
      targets.push_back({peer_account.user_id, device});
  } else {
    for (uint32_t device : peer.device_ids()) targets.push_back({peer_account.user_id, device});
  }
  for (uint32_t device : self.device_ids()) targets.push_back({own_account.user_id, device});
  return targets;
}

Status Sender::EncryptTo(Stores& stores, const std::vector<crypto::DeviceAddress>& targets,
                         const Bundles* bundles, records::OutboxEntry& entry) {
  const std::string& own = core_.own_user_id();
  std::string transcript;
  std::vector<crypto::SessionCipher::Recipient> recipients;
  recipients.reserve(targets.size());
  std::vector<bool> starts(targets.size(), false);  // A session begins with this message.
  for (size_t i = 0; i < targets.size(); ++i) {
    auto has = stores.cipher().HasSession(targets[i]);
    if (!has.ok()) return stores.errors().FromCipher(has.status());
    starts[i] = !*has;
  }
  for (const crypto::DeviceAddress& target : targets) {
    const crypto::PreKeyBundle* bundle = nullptr;
    const std::string target_user = RawUserId(target.user_id);
    if (bundles != nullptr && bundles->user_id == target_user) {
      auto found = bundles->devices.find(target.device_id);
      if (found != bundles->devices.end()) bundle = &found->second;
    }
    crypto::ByteSpan plaintext = crypto::AsBytes(entry.content());
    if (target_user == own) {
      if (transcript.empty()) transcript = Transcript(entry);
      plaintext = crypto::AsBytes(transcript);
    }
    recipients.push_back({target, plaintext, bundle});
  }
  auto ciphertexts = stores.cipher().EncryptToAll(recipients);
  crypto::SecureWipe(transcript.data(), transcript.size());  // Wiped on all paths.
  if (!ciphertexts.ok()) return stores.errors().FromCipher(ciphertexts.status());
  for (size_t i = 0; i < targets.size(); ++i) {
    records::OutgoingCiphertext* out = entry.add_ciphertexts();
    out->set_user_id(RawUserId(targets[i].user_id));
    out->set_device_id(targets[i].device_id);
    out->set_ciphertext((*ciphertexts)[i].data(), (*ciphertexts)[i].size());
    SB_ASSIGN_OR_RETURN(records::Contact * contact,
                        stores.contacts().Get(RawUserId(targets[i].user_id)));
    AddDevice(*contact, targets[i].device_id);
    if (starts[i] && RawUserId(targets[i].user_id) != own) {
      NoteSessionStarted(*contact, targets[i].device_id, core_.Now());
    }
  }
  return Status::Ok();
}

records::HistoryEntry Sender::OutgoingItem(const content::v1::Content& content,
                                           const std::string& plaintext) const {
  records::HistoryEntry item;
  item.set_message_id(content.message_id());
  item.set_outgoing(true);
  item.set_sender_user_id(core_.own_user_id());
  item.set_sender_device_id(core_.own_device_id());
  item.set_sent_at_unix_ms(content.sent_at_unix_ms());
  item.set_state(static_cast<uint32_t>(DeliveryState::kQueued));
  item.set_content(plaintext);
  return item;
}

std::optional<uint64_t> Sender::Queue(Stores& stores, const records::Contact& peer,
                                      const records::Contact& self, const ContentBody& body,
                                      records::OutboxEntry* entry, bool record_history) {
  if (!ValidateContent(body).ok()) return std::nullopt;
  content::v1::Content content;
  content.set_message_id(core_.RandomId());
  content.set_sent_at_unix_ms(core_.Now());
  if (!EncodeBody(body, content)) return std::nullopt;
  records::OutboxEntry queued;
  queued.set_client_message_id(core_.RandomId());
  queued.set_recipient_user_id(peer.user_id());
  queued.set_content(content.SerializeAsString());
  queued.set_record_history(record_history);
  queued.set_held(SendsHeld(peer));
  if (!queued.held()) {
    if (peer.device_ids().empty()) return std::nullopt;  // Send() fetches the bundles.
    auto targets = Targets(peer, self, nullptr);
    if (!targets.ok() || !EncryptTo(stores, *targets, nullptr, queued).ok()) return std::nullopt;
  }
  auto index = stores.outbox().Add(queued);
  if (!index.ok()) return std::nullopt;
  if (record_history) {
    auto contact = stores.contacts().Get(peer.user_id());
    if (!contact.ok()) return std::nullopt;  // The transaction fails with the vault.
    stores.history().Append(**contact, OutgoingItem(content, queued.content()));
  }
  *entry = std::move(queued);
  return *index;
}

Result<std::string> Sender::Send(const std::string& peer_user_id, const ContentBody& body,
                                 bool record_history,
                                 const content::v1::InviteProof* introduction) {
  SB_RETURN_IF_ERROR(ValidateContent(body));
  content::v1::Content content;
  const std::string message_id = core_.RandomId();
  content.set_message_id(message_id);
  content.set_sent_at_unix_ms(core_.Now());
  if (!EncodeBody(body, content)) {
    return Status(ErrorCode::kInvalidArgument, "this content cannot be sent");
  }
  if (introduction != nullptr) {
    if (!content.has_profile()) {
      return Status(ErrorCode::kInternal, "an invite proof travels only in a profile");
    }
    *content.mutable_profile()->mutable_invite_proof() = *introduction;
  }
  const std::string plaintext = content.SerializeAsString();
  const std::string& own = core_.own_user_id();

  // What do we know about the peer's devices? (Sessions nobody answered
  // for too long are dropped first: session_expiry.h.)
  records::Contact peer;
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(const records::Contact* found, stores.contacts().Peek(peer_user_id));
    if (found == nullptr) return Status(ErrorCode::kNotFound, "no such contact");
    if (HasUnansweredSessions(*found) && peer_user_id != own) {
      SB_ASSIGN_OR_RETURN(records::Contact * contact, stores.contacts().Get(peer_user_id));
      SB_RETURN_IF_ERROR(ExpireUnansweredSessions(stores, *contact, core_.Now()).status());
      found = contact;
    }
    peer = *found;
    return Status::Ok();
  }));
  if (!peer.linked()) {
    return Status(ErrorCode::kFailedPrecondition,
                  "the care link with this contact has ended; messages can no longer be sent");
  }
  std::optional<Bundles> bundles;
  SB_ASSIGN_OR_RETURN(const bool held, SendsHeldNow(peer, bundles));
  if (!held && bundles && bundles->devices.empty()) {
    return Status(ErrorCode::kInvalidServerResponse,
                  "the server lists no device of this contact that their identity key vouches "
                  "for (no valid device binding and device-bound prekey); nothing was sent");
  }

  records::OutboxEntry entry;
  entry.set_client_message_id(core_.RandomId());
  entry.set_recipient_user_id(peer_user_id);
  entry.set_content(plaintext);
  entry.set_record_history(record_history);
  entry.set_held(held);
  uint64_t index = 0;
  std::optional<uint64_t> introduction_queued;
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contact * current, stores.contacts().Get(peer_user_id));
    SB_ASSIGN_OR_RETURN(records::Contact * self, stores.contacts().Self());
    if (!held) {
      const Bundles* fetched = bundles ? &*bundles : nullptr;
      SB_ASSIGN_OR_RETURN(std::vector<crypto::DeviceAddress> targets,
                          Targets(*current, *self, fetched));
      SB_RETURN_IF_ERROR(EncryptTo(stores, targets, fetched, entry));
    }
    if (record_history) {
      stores.history().Append(*current, OutgoingItem(content, plaintext));
    }
    SB_ASSIGN_OR_RETURN(index, stores.outbox().Add(entry));
    SB_ASSIGN_OR_RETURN(introduction_queued, QueuedIntroduction(stores, peer_user_id, index));
    return Status::Ok();
  }));
  if (held) {
    return Status(ErrorCode::kIdentityChanged,
                  "this contact's safety number changed; the message is kept and will be sent "
                  "once you check the new safety number and run `securebase trust`");
  }
  if (core_.Fault(FaultPoint::kAfterCommitBeforeSend)) {
    return Status(ErrorCode::kUnavailable, "send interrupted; the message is queued");
  }
  // A new client's introduction still queued (the server was unreachable
  // when the invite was accepted) goes first: the therapist accepts nothing
  // from a new client before it (introduction.h).
  Status delivered = Status::Ok();
  if (introduction_queued) {
    std::vector<std::pair<uint64_t, records::OutboxEntry>> entries;
    SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
      SB_ASSIGN_OR_RETURN(entries, stores.outbox().ReadAll());
      return Status::Ok();
    }));
    for (auto& [queued, waiting] : entries) {
      if (queued == *introduction_queued) delivered = Deliver(queued, std::move(waiting));
    }
  }
  if (delivered.ok()) delivered = Deliver(index, std::move(entry));
  core_.PersistTokenIfChanged();
  if (!delivered.ok()) {
    if (delivered.code() == ErrorCode::kUnavailable) {
      return Status(ErrorCode::kUnavailable,
                    "the server could not be reached; the message is queued and will be sent by "
                    "the next `securebase sync`");
    }
    return delivered;
  }
  return crypto::ToHex(message_id);
}

Status Sender::RepairDevices(uint64_t index, records::OutboxEntry& entry,
                             const DeviceMismatch& mismatch) {
  const std::string& own = core_.own_user_id();
  std::set<std::pair<std::string, uint32_t>> stale;
  for (const ServerDevice& d : mismatch.stale_devices) stale.insert({d.user_id, d.device_id});
  std::map<std::string, std::vector<uint32_t>> missing;
  for (const ServerDevice& d : mismatch.missing_devices) missing[d.user_id].push_back(d.device_id);
  std::map<std::string, Bundles> fetched;
  for (const auto& [user, devices] : missing) {
    if (user != entry.recipient_user_id() && user != own) {
      return Status(ErrorCode::kInvalidServerResponse,
                    "the server asked for devices of an unrelated user");
    }
    SB_ASSIGN_OR_RETURN(Bundles bundles, FetchBundles(user));
    if (bundles.held) {
      return Status(ErrorCode::kIdentityChanged,
                    "this contact's safety number changed; the message waits for `trust`");
    }
    fetched.emplace(user, std::move(bundles));
  }
  // Devices the server asks for that their account never vouched for are
  // not encrypted to; if that leaves nothing to change, asking again would
  // get the same answer.
  bool progress = !stale.empty();
  for (const auto& [user, devices] : missing) {
    for (uint32_t device : devices) progress |= fetched.at(user).devices.count(device) != 0;
  }
  if (!progress) {
    return Status(ErrorCode::kInvalidServerResponse,
                  "the server demands a copy for a device the account never vouched for (no "
                  "valid device binding); nothing was sent to it");
  }
  return core_.Transact([&](Stores& stores) -> Status {
    records::OutboxEntry updated = entry;
    updated.clear_ciphertexts();
    for (const auto& c : entry.ciphertexts()) {
      if (!stale.count({c.user_id(), c.device_id()})) *updated.add_ciphertexts() = c;
    }
    for (const auto& [user, device] : stale) {
      SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress stale_device, AddressOf(user, device));
      stores.sessions().Delete(stale_device);
      SB_ASSIGN_OR_RETURN(records::Contact * contact, stores.contacts().Get(user));
      auto* ids = contact->mutable_device_ids();
      ids->erase(std::remove(ids->begin(), ids->end(), device), ids->end());
    }
    for (const auto& [user, devices] : missing) {
      std::vector<crypto::DeviceAddress> targets;
      for (uint32_t device : devices) {
        if (fetched.at(user).devices.count(device) == 0) continue;  // Not vouched for.
        // A missing device may still have an old session (e.g. re-registered): start fresh.
        SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress missing_device, AddressOf(user, device));
        stores.sessions().Delete(missing_device);
        targets.push_back(missing_device);
      }
      if (!targets.empty()) {
        SB_RETURN_IF_ERROR(EncryptTo(stores, targets, &fetched.at(user), updated));
      }
    }
    stores.outbox().Put(index, updated);
    entry = std::move(updated);
    return Status::Ok();
  });
}

SendRequest RequestFor(const records::OutboxEntry& entry) {
  SendRequest request;
  request.recipient_user_id = entry.recipient_user_id();
  request.client_message_id = entry.client_message_id();
  request.ciphertexts.reserve(entry.ciphertexts_size());
  for (const auto& c : entry.ciphertexts()) {
    request.ciphertexts.push_back({ServerDevice{c.user_id(), c.device_id()}, c.ciphertext()});
  }
  return request;
}

Status Sender::Deliver(uint64_t index, records::OutboxEntry entry,
                       std::vector<uint64_t>* sent_receipts) {
  const std::string message_id = entry.record_history() ? MessageIdOf(entry.content()) : "";
  for (int attempt = 0; attempt < kMaxDeliveryAttempts; ++attempt) {
    Result<SendOutcome> sent = core_.server().Send(RequestFor(entry));
    if (sent.ok() && !sent->mismatch) {
      if (sent_receipts != nullptr && !entry.record_history()) {
        sent_receipts->push_back(index);  // Removed with the caller's next commit.
        return Status::Ok();
      }
      return core_.Transact([&](Stores& stores) {
        stores.outbox().Remove(index);
        if (!message_id.empty()) {
          stores.history().AdvanceState(message_id, DeliveryState::kSent, nullptr);
        }
        return Status::Ok();
      });
    }
    if (!sent.ok()) {
      if (Transient(sent.status().code())) return sent.status();  // Stays queued.
      // Refused for good (e.g. the link ended): drop it, mark it failed.
      SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) {
        stores.outbox().Remove(index);
        if (!message_id.empty()) {
          stores.history().AdvanceState(message_id, DeliveryState::kFailed, nullptr);
        }
        return Status::Ok();
      }));
      return sent.status();
    }
    // Our view of the devices is out of date: drop stale ones, add missing ones.
    SB_RETURN_IF_ERROR(RepairDevices(index, entry, *sent->mismatch));
  }
  return Status(ErrorCode::kInvalidServerResponse,
                "the recipient's devices kept changing; try again");
}

Result<std::optional<uint64_t>> Sender::QueuedIntroduction(Stores& stores,
                                                           const std::string& peer_user_id,
                                                           uint64_t before) {
  SB_ASSIGN_OR_RETURN(auto entries, stores.outbox().ReadAll());
  for (const auto& [index, entry] : entries) {
    if (index >= before || entry.held() || entry.recipient_user_id() != peer_user_id) continue;
    content::v1::Content content;
    if (content.ParseFromString(entry.content()) && content.has_profile() &&
        content.profile().has_invite_proof()) {
      return std::optional<uint64_t>(index);
    }
  }
  return std::optional<uint64_t>();
}

Status Sender::FlushOutbox(uint32_t* sent) {
  std::vector<std::pair<uint64_t, records::OutboxEntry>> entries;
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(entries, stores.outbox().ReadAll());
    return Status::Ok();
  }));
  for (auto& pending : entries) {
    const uint64_t index = pending.first;
    records::OutboxEntry& entry = pending.second;
    if (entry.held()) {
      // Held for a key change: encrypt now if the user has trusted the key.
      records::Contact peer;
      SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
        SB_ASSIGN_OR_RETURN(const records::Contact* found,
                            stores.contacts().Peek(entry.recipient_user_id()));
        if (found == nullptr) return Status(ErrorCode::kNotFound, "no such contact");
        peer = *found;
        return Status::Ok();
      }));
      std::optional<Bundles> bundles;
      SB_ASSIGN_OR_RETURN(const bool held, SendsHeldNow(peer, bundles));
      if (held) continue;
      SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
        SB_ASSIGN_OR_RETURN(records::Contact * current,
                            stores.contacts().Get(entry.recipient_user_id()));
        SB_ASSIGN_OR_RETURN(records::Contact * self, stores.contacts().Self());
        const Bundles* fetched = bundles ? &*bundles : nullptr;
        SB_ASSIGN_OR_RETURN(std::vector<crypto::DeviceAddress> targets,
                            Targets(*current, *self, fetched));
        SB_RETURN_IF_ERROR(EncryptTo(stores, targets, fetched, entry));
        entry.set_held(false);
        stores.outbox().Put(index, entry);
        return Status::Ok();
      }));
    }
    Status delivered = Deliver(index, entry);
    if (delivered.ok()) {
      ++*sent;
    } else if (delivered.code() == ErrorCode::kUnavailable) {
      return delivered;
    }
    // Other failures are recorded on the item (kFailed); keep flushing.
  }
  return Status::Ok();
}

Status Sender::SendReceipts(const std::map<std::string, std::vector<std::string>>& ids,
                            ReceiptType type) {
  Status result = Status::Ok();
  for (const auto& [user, message_ids] : ids) {
    for (size_t first = 0; first < message_ids.size(); first += kMaxIdsPerReceipt) {
      const size_t last = std::min(message_ids.size(), first + kMaxIdsPerReceipt);
      Receipt receipt{
          type, std::vector<std::string>(message_ids.begin() + first, message_ids.begin() + last)};
      auto sent = Send(user, receipt, /*record_history=*/false);
      if (!sent.ok() && sent.status().code() == ErrorCode::kUnavailable && result.ok()) {
        result = sent.status();
      }
    }
  }
  return result;
}

Status Sender::SendPendingReceipts() {
  records::PendingReceipts pending;
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(pending, stores.outbox().PendingReceipts());
    return Status::Ok();
  }));
  if (pending.receipts().empty()) return Status::Ok();
  std::map<std::string, std::vector<std::string>> due;
  for (const auto& receipt : pending.receipts()) {
    auto& ids = due[receipt.user_id()];
    ids.insert(ids.end(), receipt.message_ids().begin(), receipt.message_ids().end());
  }
  SB_RETURN_IF_ERROR(SendReceipts(due, ReceiptType::kDelivered));
  // Receipts queued in the outbox count as sent: the outbox retries them.
  return core_.Transact([&](Stores& stores) {
    stores.outbox().ClearPendingReceipts();
    return Status::Ok();
  });
}

}  // namespace securebase::client
