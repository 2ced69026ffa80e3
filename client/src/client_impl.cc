#include "client_impl.h"

#include <utility>

#include "account.h"
#include "content/availability.h"
#include "content/content_type.h"
#include "conversations.h"
#include "json_writer.h"
#include "prekey_rotation.h"
#include "securebase/crypto/encoding.h"

namespace securebase::client {

Result<std::unique_ptr<Client>> Client::Create(const ClientOptions& options,
                                               std::string_view passphrase, Role role,
                                               std::string_view display_name,
                                               std::string_view registration_token) {
  SB_ASSIGN_OR_RETURN(std::unique_ptr<ClientCore> core,
                      CreateAccount(options, passphrase, role, display_name, registration_token));
  return std::unique_ptr<Client>(new ClientImpl(std::move(core)));
}

Result<std::unique_ptr<Client>> Client::Open(const ClientOptions& options,
                                             std::string_view passphrase) {
  SB_ASSIGN_OR_RETURN(std::unique_ptr<ClientCore> core, OpenAccount(options, passphrase));
  return std::unique_ptr<Client>(new ClientImpl(std::move(core)));
}

bool VaultExists(std::string_view home) { return Vault::Exists(std::string(home)); }

Result<std::string> Client::SendText(std::string_view peer, std::string_view text,
                                     std::string_view reply_to) {
  return Send(peer, TextMessage{std::string(text), std::string(reply_to)});
}

Result<std::string> Client::SendCheckIn(std::string_view peer, const CheckIn& check_in) {
  return Send(peer, check_in);
}

Result<std::string> Client::SendReflection(std::string_view peer, const Reflection& reflection) {
  return Send(peer, reflection);
}

Result<std::string> Client::AssignExercise(std::string_view peer, const Exercise& exercise) {
  return Send(peer, exercise);
}

ClientImpl::ClientImpl(std::unique_ptr<ClientCore> core)
    : core_(std::move(core)),
      sender_(*core_),
      contacts_(*core_, sender_),
      receiver_(*core_, sender_),
      syncer_(*core_, sender_, contacts_, receiver_),
      watcher_(*core_, sender_, receiver_, syncer_) {}

Result<std::unique_ptr<Client>> ClientImpl::OpenAnother() {
  SB_ASSIGN_OR_RETURN(std::unique_ptr<ClientCore> core, OpenAnotherAccount(*core_));
  return std::unique_ptr<Client>(new ClientImpl(std::move(core)));
}

std::string ClientImpl::user_id() const { return crypto::ToHex(core_->own_user_id()); }

Result<std::string> ClientImpl::CreateInvite(std::chrono::hours expires_in) {
  return contacts_.CreateInvite(expires_in);
}

Result<Contact> ClientImpl::AcceptInvite(std::string_view code) {
  return contacts_.AcceptInvite(code);
}

Result<std::vector<Contact>> ClientImpl::Contacts() { return contacts_.List(); }

Result<Contact> ClientImpl::FindContact(std::string_view peer) { return contacts_.Find(peer); }

Result<std::string> ClientImpl::Send(std::string_view peer, const ContentBody& content) {
  SB_RETURN_IF_ERROR(CheckSendable(core_->role(), content));
  SB_ASSIGN_OR_RETURN(VaultHold hold, core_->Hold());  // One open for the whole send.
  SB_ASSIGN_OR_RETURN(std::string user_id, contacts_.Resolve(peer));
  return sender_.Send(user_id, content, /*record_history=*/true);
}

Status ClientImpl::SetAvailability(const Availability& availability) {
  if (core_->role() != Role::kTherapist) {
    return Status(ErrorCode::kPermissionDenied, "only therapists set an availability notice");
  }
  SB_RETURN_IF_ERROR(ValidateContent(availability));
  SB_ASSIGN_OR_RETURN(VaultHold hold, core_->Hold());
  SB_RETURN_IF_ERROR(core_->Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::Account account, stores.account().LoadExisting());
    *account.mutable_availability() = EncodeAvailability(availability);
    stores.account().Store(account);
    WipeSeeds(account);
    core_->set_account(std::move(account));
    return Status::Ok();
  }));
  // Contacts that linked since the last sync get it too.
  contacts_.RefreshLinks().IgnoreError();  // Offline: known contacts still get it.
  SB_ASSIGN_OR_RETURN(std::vector<Contact> contacts, contacts_.List());
  Status result = Status::Ok();
  for (const Contact& contact : contacts) {
    if (!contact.linked || contact.role != Role::kClient) continue;
    auto sent = sender_.Send(*crypto::FromHex(contact.user_id), availability,
                             /*record_history=*/true);
    if (!sent.ok() && result.ok()) result = sent.status();
  }
  return result;
}

std::optional<Availability> ClientImpl::OwnAvailability() const {
  if (!core_->account().has_availability()) return std::nullopt;
  return DecodeAvailability(core_->account().availability());
}

Result<SyncResult> ClientImpl::Sync() { return syncer_.Sync(); }

Status ClientImpl::Watch(const std::function<void(const HistoryItem&)>& on_item,
                         const std::atomic<bool>& stop,
                         const std::function<void(const std::string&)>& on_warning) {
  WatchCallbacks callbacks;
  callbacks.on_item = on_item;
  callbacks.on_warning = on_warning;
  return watcher_.Watch(callbacks, stop);
}

Status ClientImpl::Watch(const WatchCallbacks& callbacks, const std::atomic<bool>& stop) {
  return watcher_.Watch(callbacks, stop);
}

Result<HistoryPage> ClientImpl::History(std::string_view peer, const HistoryRange& range) {
  SB_ASSIGN_OR_RETURN(std::string user_id, contacts_.Resolve(peer));
  return ReadHistoryRange(*core_, user_id, range);
}

Result<std::vector<ConversationSummary>> ClientImpl::ConversationSummaries() {
  return ReadConversationSummaries(*core_);
}

Result<std::vector<HistoryItem>> ClientImpl::History(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, contacts_.Resolve(peer));
  std::vector<HistoryItem> items;
  SB_RETURN_IF_ERROR(core_->Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(auto entries, stores.history().Read(user_id));
    items.reserve(entries.size());
    for (const auto& [index, entry] : entries) {
      // Quarantined: arrived under a key change not accepted yet.
      if (!entry.quarantined()) items.push_back(ToHistoryItem(entry, user_id));
    }
    return Status::Ok();
  }));
  return items;
}

Status ClientImpl::MarkRead(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(VaultHold hold, core_->Hold());
  SB_ASSIGN_OR_RETURN(std::string user_id, contacts_.Resolve(peer));
  std::vector<std::string> read;
  SB_RETURN_IF_ERROR(core_->Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(auto entries, stores.history().Read(user_id));
    for (auto& [index, entry] : entries) {
      if (entry.outgoing() || entry.state() == static_cast<uint32_t>(DeliveryState::kRead) ||
          !entry.invalid_reason().empty() || entry.quarantined()) {
        continue;
      }
      entry.set_state(static_cast<uint32_t>(DeliveryState::kRead));
      stores.history().Update(user_id, index, entry);
      read.push_back(crypto::ToHex(entry.message_id()));
    }
    return Status::Ok();
  }));
  Status sent = sender_.SendReceipts({{user_id, read}}, ReceiptType::kRead);
  core_->PersistTokenIfChanged();
  return sent;
}

Result<std::string> ClientImpl::ExportJson() {
  SB_ASSIGN_OR_RETURN(std::vector<Contact> contacts, Contacts());
  std::vector<std::pair<Contact, std::vector<HistoryItem>>> all;
  for (Contact& contact : contacts) {
    SB_ASSIGN_OR_RETURN(std::vector<HistoryItem> items, History(contact.user_id));
    all.emplace_back(std::move(contact), std::move(items));
  }
  ExportAccount account{user_id(), display_name(), role()};
  return ExportDocumentToJson(account, core_->Now(), all);
}

Result<std::string> ClientImpl::SafetyNumber(std::string_view peer) {
  return contacts_.SafetyNumber(peer);
}

Status ClientImpl::Verify(std::string_view peer) { return contacts_.Verify(peer); }

Status ClientImpl::Trust(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, contacts_.Resolve(peer));
  SB_RETURN_IF_ERROR(contacts_.Trust(user_id));
  // Held messages can go now.
  uint32_t sent = 0;
  Status flushed = sender_.FlushOutbox(&sent);
  if (!flushed.ok() && flushed.code() != ErrorCode::kUnavailable) return flushed;
  return Status::Ok();
}

Status ClientImpl::RotateSignedPreKey() {
  SB_ASSIGN_OR_RETURN(VaultHold hold, core_->Hold());
  Status rotated = MaintainSignedPreKeys(*core_, Rotation::kNow);
  core_->PersistTokenIfChanged();
  return rotated;
}

Status ClientImpl::EndLink(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, contacts_.Resolve(peer));
  // Take in what the peer sent before the link ends, so the kept history is
  // complete. (It would also arrive at a later sync; this is only sooner.)
  Sync().status().IgnoreError();  // Unreachable server: EndLink below says so.
  return contacts_.EndLink(user_id);
}

}  // namespace securebase::client
