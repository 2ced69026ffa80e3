// Receiving: fetch or subscribe, decrypt, commit, acknowledge; history.
//
// Per page of envelopes: decrypt every envelope on the stored sessions,
// then commit the advanced sessions, the new history items, the used-up
// one-time prekeys and the cursor (highest processed seq) in one vault
// transaction, and only then acknowledge to the server. A crash before the
// commit re-processes the page (the sessions were not advanced); a crash
// after it skips the envelopes at or below the cursor and acknowledges them.
// The delivered receipts a page owes are outbox entries of the same commit,
// sent after the acknowledgement; a crash before they are sent leaves them to
// the next sync's outbox flush.
#include <thread>

#include "client_impl.h"
#include "content_codec.h"
#include "fault_points.h"
#include "securebase/crypto/random.h"
#include "util.h"

namespace securebase::client {
namespace {

// The server's cap (it also stops a page at 3 MiB): fewer, larger pages mean
// fewer vault transactions, fsyncs and acknowledgements per message.
constexpr uint32_t kFetchPageSize = 1000;
// ValidateContent's bound on the ids in one receipt.
constexpr size_t kMaxIdsPerReceipt = 1000;

records::Contact* FindContactRecord(records::Contacts& contacts, const std::string& user_id) {
  for (auto& c : *contacts.mutable_contacts()) {
    if (c.user_id() == user_id) return &c;
  }
  return nullptr;
}

std::string NameOf(const records::Contact& contact) {
  return contact.display_name().empty() ? "a contact (" + ToHex(contact.user_id()).substr(0, 8) + ")"
                                        : contact.display_name();
}

bool WantsReceipt(const ContentBody& body) {
  return std::holds_alternative<TextMessage>(body) || std::holds_alternative<CheckIn>(body) ||
         std::holds_alternative<Reflection>(body) || std::holds_alternative<Exercise>(body);
}

Result<std::optional<crypto::Session>> LoadSession(VaultTransaction& txn,
                                                   const std::string& name) {
  SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> blob, txn.Get(name));
  if (!blob) return std::optional<crypto::Session>();
  auto restored = crypto::Session::Deserialize(blob->span());
  if (!restored.ok()) return Status(ErrorCode::kVaultCorrupted, "a stored session is damaged");
  return std::optional<crypto::Session>(std::move(restored).value());
}

}  // namespace

namespace {

// Everything of the public item but its content.
HistoryItem ItemWithoutContent(const records::HistoryEntry& entry,
                               const std::string& peer_user_id) {
  HistoryItem item;
  item.message_id = ToHex(entry.message_id());
  item.peer_user_id = ToHex(peer_user_id);
  item.direction = entry.outgoing() ? Direction::kOutgoing : Direction::kIncoming;
  item.sender_user_id = ToHex(entry.sender_user_id());
  item.sender_device_id = entry.sender_device_id();
  item.sent_at_unix_ms = entry.sent_at_unix_ms();
  item.received_at_unix_ms = entry.received_at_unix_ms();
  item.state = static_cast<DeliveryState>(entry.state());
  return item;
}

}  // namespace

HistoryItem ToHistoryItem(const records::HistoryEntry& entry, const std::string& peer_user_id) {
  HistoryItem item = ItemWithoutContent(entry, peer_user_id);
  if (!entry.invalid_reason().empty()) {
    item.content = InvalidContent{entry.invalid_reason()};
  } else {
    content::v1::Content content;
    if (content.ParseFromString(entry.content())) {
      item.content = DecodeBody(content);
    } else {
      item.content = InvalidContent{"the stored item does not parse"};
    }
  }
  return item;
}

namespace {

// The current and the previous session with one sender device while a page
// is decrypted, and whether either must be stored with the page.
struct PageSessions {
  std::string name;  // SessionName(); the previous one is stored under name + "/previous".
  std::optional<crypto::Session> current;
  std::optional<crypto::Session> previous;
  bool current_changed = false;
  bool previous_changed = false;
};

}  // namespace

struct ClientImpl::PageOutcome {
  std::vector<HistoryItem> new_items;
  std::map<std::string, std::vector<std::string>> receipts_due;  // Sender -> message ids (hex).
  // Receipts committed to the outbox with the page, to send (outbox index, entry).
  std::vector<std::pair<uint64_t, records::OutboxEntry>> receipts_queued;
  bool receipts_pending = false;  // Some were committed as pending receipts instead.
  std::vector<std::string> warnings;
  uint64_t last_seq = 0;
};

Result<ClientImpl::PageOutcome> ClientImpl::ProcessEnvelopes(
    const std::vector<v1::Envelope>& envelopes, const std::vector<uint64_t>& remove_from_outbox) {
  const std::string own = account_.user_id();
  PageOutcome outcome;
  crypto::RandomSource& rng = crypto::SystemRandom();
  // Senders we do not know yet (a client who just accepted our invite) are
  // learned from the server's link list first: the transaction below stops
  // without writing when it meets one, and runs again after the refresh.
  bool refreshed = false;
  for (;;) {
    bool needs_refresh = false;
    SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
      outcome = PageOutcome();
      SB_ASSIGN_OR_RETURN(std::optional<records::Cursor> stored_cursor,
                          LoadRecord<records::Cursor>(txn, kCursorRecord));
      records::Cursor cursor = stored_cursor.value_or(records::Cursor());
      SB_ASSIGN_OR_RETURN(std::optional<records::Contacts> loaded,
                          LoadRecord<records::Contacts>(txn, kContactsRecord));
      records::Contacts contacts = loaded.value_or(records::Contacts());
      if (!refreshed) {
        for (const v1::Envelope& envelope : envelopes) {
          const std::string& sender = envelope.sender().user_id();
          if (sender != own && FindContactRecord(contacts, sender) == nullptr) {
            needs_refresh = true;
            return Status::Ok();  // Nothing written yet.
          }
        }
      }
      SB_ASSIGN_OR_RETURN(records::Contact self, LoadPeer(txn, own, own));
      // The sessions of every sender device in this page, loaded on first use
      // and kept in memory: state not committed yet; each changed one is sealed
      // and stored once, with the rest of the page, below.
      std::map<DeviceTarget, PageSessions> sessions;
      // History list names by user id: a page is mostly one conversation.
      std::map<std::string, std::string> history_lists;
      const int64_t now = NowUnixMs();

      // `body`: the entry's decoded content (null for an invalid item).
      auto append_history = [&](records::Contact& peer, records::HistoryEntry& entry,
                                ContentBody* body) {
        const uint64_t position = peer.next_history_index();
        peer.set_next_history_index(position + 1);
        auto list = history_lists.find(peer.user_id());
        if (list == history_lists.end()) {
          list = history_lists.emplace(peer.user_id(), HistoryListName(peer.user_id())).first;
        }
        StoreItem(txn, list->second, position, entry);
        if (entry.outgoing()) {
          // Receipts find outgoing items by message id. Incoming items get no
          // such record: receipts never change them, and a peer's message id
          // must not take over the location of one of ours.
          records::MessageLocation location;
          location.set_peer_user_id(peer.user_id());
          location.set_index(position);
          StoreRecord(txn, MessageLocationName(entry.message_id()), location);
        }
        if (body != nullptr) {
          HistoryItem item = ItemWithoutContent(entry, peer.user_id());
          item.content = std::move(*body);  // The body's last use.
          outcome.new_items.push_back(std::move(item));
        } else {
          outcome.new_items.push_back(ToHistoryItem(entry, peer.user_id()));
        }
      };

      for (const v1::Envelope& envelope : envelopes) {
        outcome.last_seq = std::max(outcome.last_seq, envelope.seq());
        if (envelope.seq() <= cursor.last_seq()) continue;  // Committed before a crash.
        cursor.set_last_seq(envelope.seq());
        const std::string& sender = envelope.sender().user_id();
        const uint32_t device = envelope.sender().device_id();
        const bool from_self = sender == own;
        records::Contact* peer = from_self ? &self : FindContactRecord(contacts, sender);
        if (peer == nullptr) {
          outcome.warnings.push_back("a message from someone who is not a contact was discarded");
          continue;
        }
        const crypto::ByteSpan ciphertext = AsBytes(envelope.ciphertext());

        // Decrypt on the stored session, or start one from an initial message.
        // Nothing is written unless it decrypts.
        crypto::Result<crypto::SecretBytes> plaintext =
            crypto::Status::InvalidMessage("no session");
        // Two sessions per device are kept: the current one and the one it
        // replaced. If both sides started a session at the same moment, each
        // side's messages arrive on the other's "previous" session; the session
        // that decrypts becomes current, so both sides converge on one.
        auto cached = sessions.find(DeviceTarget{sender, device});
        if (cached == sessions.end()) {
          PageSessions loaded_sessions;
          loaded_sessions.name = SessionName(sender, device);
          SB_ASSIGN_OR_RETURN(loaded_sessions.current, LoadSession(txn, loaded_sessions.name));
          SB_ASSIGN_OR_RETURN(loaded_sessions.previous,
                              LoadSession(txn, loaded_sessions.name + "/previous"));
          cached = sessions.emplace(DeviceTarget{sender, device}, std::move(loaded_sessions)).first;
        }
        // Decrypt and Accept leave a session unchanged when they fail, so the
        // cached copies only ever hold states that decrypted something.
        std::optional<crypto::Session>& session = cached->second.current;
        std::optional<crypto::Session>& previous = cached->second.previous;
        bool session_replaced = false;
        auto type = crypto::PeekMessageType(ciphertext);
        auto initial = type.ok() && *type == crypto::MessageType::kInitial
                           ? crypto::ParseInitialMessage(ciphertext)
                           : crypto::Result<crypto::InitialMessage>(
                                 crypto::Status::InvalidMessage("not initial"));
        auto has_base = [&](const std::optional<crypto::Session>& s) {
          return initial.ok() && s && s->base_key() == initial->header.base_key;
        };
        bool key_changed = false;
        if (initial.ok() && !has_base(session) && !has_base(previous)) {
          const crypto::InitialHeader& header = initial->header;
          const bool matches_pin = AsStringView(header.initiator_identity.span()) == peer->identity_key();
          if (from_self && !matches_pin) {
            plaintext = crypto::Status::UntrustedIdentity("not our identity");
          } else {
            SB_ASSIGN_OR_RETURN(std::optional<records::PreKey> spk_record,
                                LoadRecord<records::PreKey>(txn, SignedPreKeyName(header.signed_prekey_id)));
            std::optional<records::PreKey> otk_record;
            if (header.one_time_prekey_id) {
              SB_ASSIGN_OR_RETURN(otk_record, LoadRecord<records::PreKey>(
                                                  txn, OneTimePreKeyName(*header.one_time_prekey_id)));
            }
            if (spk_record && (!header.one_time_prekey_id || otk_record)) {
              auto spk_key = crypto::DhKeyPair::FromPrivateKey(AsBytes(spk_record->private_key()));
              auto spk_sig = crypto::Signature::FromBytes(AsBytes(spk_record->signature()));
              std::optional<crypto::OneTimePreKey> otk;
              if (otk_record) {
                auto otk_key = crypto::DhKeyPair::FromPrivateKey(AsBytes(otk_record->private_key()));
                if (otk_key.ok()) otk.emplace(crypto::OneTimePreKey{otk_record->id(), std::move(otk_key).value()});
              }
              if (spk_key.ok() && spk_sig.ok() && (!otk_record || otk)) {
                crypto::SignedPreKey spk{spk_record->id(), std::move(spk_key).value(), *spk_sig};
                auto accepted = crypto::Session::Accept(identity_, spk, otk ? &*otk : nullptr,
                                                        ciphertext, rng);
                if (accepted.ok()) {
                  previous = std::move(session);
                  session.emplace(std::move(accepted->session));
                  session_replaced = true;
                  plaintext = std::move(accepted->plaintext);
                  // The one-time prekey is used up only now that it decrypted.
                  if (otk_record) txn.Delete(OneTimePreKeyName(otk_record->id()));
                  key_changed = !matches_pin;
                } else {
                  plaintext = accepted.status();
                }
              }
            } else {
              plaintext = crypto::Status::InvalidMessage("the prekey it names is gone (replayed?)");
            }
          }
        } else {
          if (session && (!initial.ok() || has_base(session))) {
            plaintext = session->Decrypt(ciphertext, rng);
          }
          if (!plaintext.ok() && previous && (!initial.ok() || has_base(previous))) {
            auto from_previous = previous->Decrypt(ciphertext, rng);
            if (from_previous.ok() ||
                from_previous.status().code() == crypto::ErrorCode::kDuplicateMessage) {
              plaintext = std::move(from_previous);
              if (plaintext.ok()) {
                std::swap(session, previous);
                session_replaced = true;
              }
            }
          }
        }

        if (!plaintext.ok() && plaintext.status().code() == crypto::ErrorCode::kDuplicateMessage) {
          continue;  // Already shown; a replay changes nothing.
        }
        if (plaintext.ok()) {
          cached->second.current_changed = true;
          if (session_replaced && previous) cached->second.previous_changed = true;
          auto& ids = *peer->mutable_device_ids();
          if (std::find(ids.begin(), ids.end(), device) == ids.end()) ids.Add(device);
        }
        if (key_changed) {
          // A new identity key, proven by a message that decrypts under it.
          for (uint32_t other : peer->device_ids()) {
            if (other != device) {
              DeleteSessions(txn, sender, other);
              sessions.erase(DeviceTarget{sender, other});  // Never stored back.
            }
          }
          peer->clear_device_ids();
          peer->add_device_ids(device);
          peer->set_identity_key(std::string(AsStringView(initial->header.initiator_identity.span())));
          peer->set_identity_changed(true);
          outcome.warnings.push_back(NameOf(*peer) + "'s safety number has changed" +
                                     (peer->verified() ? "; messages to them wait until you trust "
                                                         "the new one (`securebase trust`)"
                                                       : ""));
        }

        records::HistoryEntry entry;
        entry.set_outgoing(false);
        entry.set_sender_user_id(sender);
        entry.set_sender_device_id(device);
        entry.set_received_at_unix_ms(now);
        entry.set_state(static_cast<uint32_t>(DeliveryState::kDelivered));
        if (!plaintext.ok()) {
          if (from_self) continue;
          entry.set_message_id(RandomId());
          entry.set_sent_at_unix_ms(envelope.server_timestamp_unix_ms());
          entry.set_invalid_reason("a message from " + NameOf(*peer) + " could not be decrypted");
          append_history(*peer, entry, nullptr);
          continue;
        }
        content::v1::Content content;
        if (!content.ParseFromArray(plaintext->data(), static_cast<int>(plaintext->size())) ||
            content.message_id().size() != 16) {
          if (from_self) continue;
          entry.set_message_id(RandomId());
          entry.set_sent_at_unix_ms(envelope.server_timestamp_unix_ms());
          entry.set_invalid_reason("a message from " + NameOf(*peer) + " has unreadable content");
          append_history(*peer, entry, nullptr);
          continue;
        }
        ContentBody body = DecodeBody(content);
        entry.set_message_id(content.message_id());
        entry.set_sent_at_unix_ms(content.sent_at_unix_ms());
        entry.set_content(std::string(AsStringView(plaintext->span())));

        if (from_self) {
          // A copy of what our other device sent to a contact.
          records::Contact* recipient = FindContactRecord(contacts, content.sent_to_user_id());
          if (recipient == nullptr || std::holds_alternative<Receipt>(body) ||
              std::holds_alternative<Profile>(body)) {
            continue;
          }
          content.clear_sent_to_user_id();
          entry.set_content(content.SerializeAsString());
          entry.set_outgoing(true);
          entry.set_state(static_cast<uint32_t>(DeliveryState::kSent));
          append_history(*recipient, entry, &body);
          continue;
        }
        if (const auto* receipt = std::get_if<Receipt>(&body)) {
          const DeliveryState state =
              receipt->type == ReceiptType::kRead ? DeliveryState::kRead : DeliveryState::kDelivered;
          for (const std::string& id : receipt->message_ids) {
            if (auto raw = FromHex(id)) SetHistoryState(txn, *raw, state, &sender);
          }
          continue;
        }
        if (const auto* profile = std::get_if<Profile>(&body)) {
          peer->set_display_name(profile->display_name);
          if (profile->availability) {
            *peer->mutable_availability() = EncodeAvailability(*profile->availability);
          }
          continue;
        }
        if (const auto* availability = std::get_if<Availability>(&body)) {
          *peer->mutable_availability() = EncodeAvailability(*availability);
        }
        if (WantsReceipt(body)) outcome.receipts_due[sender].push_back(ToHex(content.message_id()));
        append_history(*peer, entry, &body);
      }
      for (const auto& [device_target, device_sessions] : sessions) {
        if (device_sessions.current_changed && device_sessions.current) {
          crypto::SecretBytes state = device_sessions.current->Serialize();
          txn.Put(device_sessions.name, state.span());
        }
        if (device_sessions.previous_changed && device_sessions.previous) {
          crypto::SecretBytes state = device_sessions.previous->Serialize();
          txn.Put(device_sessions.name + "/previous", state.span());
        }
      }
      if (FaultPoint("after-decrypt-before-commit")) {
        return Status(ErrorCode::kInternal, "interrupted before the vault commit");
      }
      StoreRecord(txn, kContactsRecord, contacts);
      StoreRecord(txn, kSelfRecord, self);
      StoreRecord(txn, kCursorRecord, cursor);
      if (!outcome.receipts_due.empty()) {
        // The receipts become outbox entries of this commit, encrypted on the
        // sessions as this page leaves them (stored above). The index is taken
        // before the removals below, so no entry removed here is reused.
        SB_ASSIGN_OR_RETURN(uint64_t index, NextOutboxIndex(txn));
        records::PendingReceipts unqueued;
        for (const auto& [user, ids] : outcome.receipts_due) {
          const records::Contact* to = FindContactRecord(contacts, user);
          if (to == nullptr || !to->linked()) continue;  // SendBody refuses these too.
          for (size_t first = 0; first < ids.size(); first += kMaxIdsPerReceipt) {
            const size_t last = std::min(ids.size(), first + kMaxIdsPerReceipt);
            Receipt receipt{ReceiptType::kDelivered,
                            std::vector<std::string>(ids.begin() + first, ids.begin() + last)};
            records::OutboxEntry entry;
            if (QueueInTransaction(txn, *to, self, receipt, index, &entry)) {
              if (!entry.held()) outcome.receipts_queued.emplace_back(index, std::move(entry));
              ++index;
            } else {
              records::PendingReceipt* pending = unqueued.add_receipts();
              pending->set_user_id(user);
              for (const std::string& id : receipt.message_ids) pending->add_message_ids(id);
            }
          }
        }
        if (unqueued.receipts_size() > 0) {
          // Sent after the acknowledgement through SendBody (SendPendingReceipts).
          SB_ASSIGN_OR_RETURN(std::optional<records::PendingReceipts> pending,
                              LoadRecord<records::PendingReceipts>(txn, kPendingReceiptsRecord));
          records::PendingReceipts all = pending.value_or(records::PendingReceipts());
          all.MergeFrom(unqueued);
          StoreRecord(txn, kPendingReceiptsRecord, all);
          outcome.receipts_pending = true;
        }
      }
      for (uint64_t sent : remove_from_outbox) txn.DeleteItem(kOutboxList, sent);
      return Status::Ok();
    }));
    if (!needs_refresh) return outcome;
    SB_RETURN_IF_ERROR(RefreshLinks());
    refreshed = true;
  }
}

Status ClientImpl::Acknowledge(uint64_t up_to_seq) {
  v1::AcknowledgeRequest request;
  request.set_up_to_seq(up_to_seq);
  v1::AcknowledgeResponse response;
  return connection_->Call("acknowledge", [&](grpc::ClientContext& context) {
    return connection_->messages().Acknowledge(&context, request, &response);
  });
}

Status ClientImpl::SendPendingReceipts() {
  std::optional<records::PendingReceipts> pending;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(pending, LoadRecord<records::PendingReceipts>(txn, kPendingReceiptsRecord));
    return Status::Ok();
  }));
  if (!pending || pending->receipts().empty()) return Status::Ok();
  std::map<std::string, std::vector<std::string>> due;
  for (const auto& receipt : pending->receipts()) {
    auto& ids = due[receipt.user_id()];
    ids.insert(ids.end(), receipt.message_ids().begin(), receipt.message_ids().end());
  }
  SB_RETURN_IF_ERROR(SendReceipts(due, ReceiptType::kDelivered));
  // Receipts queued in the outbox count as sent: the outbox retries them.
  return vault_->Transact([&](VaultTransaction& txn) {
    txn.Delete(kPendingReceiptsRecord);
    return Status::Ok();
  });
}

Status ClientImpl::SendReceipts(const std::map<std::string, std::vector<std::string>>& ids,
                                ReceiptType type) {
  Status result = Status::Ok();
  for (const auto& [user, message_ids] : ids) {
    for (size_t first = 0; first < message_ids.size(); first += kMaxIdsPerReceipt) {
      const size_t last = std::min(message_ids.size(), first + kMaxIdsPerReceipt);
      Receipt receipt{type, std::vector<std::string>(message_ids.begin() + first,
                                                     message_ids.begin() + last)};
      auto sent = SendBody(user, receipt, /*record_history=*/false);
      // An ended link or an unverified key change: receipts are not worth a fuss.
      if (!sent.ok() && sent.status().code() == ErrorCode::kUnavailable && result.ok()) {
        result = sent.status();
      }
    }
  }
  return result;
}

void ClientImpl::SendQueuedReceipts(
    std::vector<std::pair<uint64_t, records::OutboxEntry>>& queued,
    std::vector<uint64_t>* sent_receipts) {
  for (auto& [index, entry] : queued) {
    Status sent = DeliverOutboxEntry(index, std::move(entry), sent_receipts);
    // Unsent ones stay in the outbox for the next sync; a refused one is
    // dropped by DeliverOutboxEntry (an ended link: not worth a fuss).
    if (!sent.ok() && sent.code() == ErrorCode::kUnavailable) break;
  }
}

Result<SyncResult> ClientImpl::Sync() {
  // One lock and one database open for the whole sync (every page, its
  // acknowledgement and its receipts); each page is still its own synced
  // commit before its acknowledgement.
  SB_ASSIGN_OR_RETURN(VaultHold hold, vault_->Hold());
  // The outbox entries of receipts already sent: removed with the next
  // page's commit, else here. If that write is lost they are sent once more
  // (same client message ids, stored once by the server).
  std::vector<uint64_t> sent_receipts;
  Result<SyncResult> result = SyncPages(sent_receipts);
  if (!sent_receipts.empty()) {
    vault_
        ->Transact([&](VaultTransaction& txn) {
          for (uint64_t index : sent_receipts) txn.DeleteItem(kOutboxList, index);
          return Status::Ok();
        })
        .IgnoreError();  // See above: at worst sent again.
  }
  return result;
}

Result<SyncResult> ClientImpl::SyncPages(std::vector<uint64_t>& sent_receipts) {
  SyncResult result;
  // Links made or ended by the other side since the last sync.
  SB_RETURN_IF_ERROR(RefreshLinks());
  Status flushed = FlushOutbox(&result.outbox_sent);
  if (!flushed.ok()) return flushed;
  // Receipts owed from a sync that was interrupted after its commit.
  SendPendingReceipts().IgnoreError();  // They stay pending if this fails.
  uint64_t after = 0;  // From 0: envelopes processed but not acknowledged come back once.
  for (;;) {
    v1::FetchRequest request;
    request.set_after_seq(after);
    request.set_limit(kFetchPageSize);
    v1::FetchResponse response;
    SB_RETURN_IF_ERROR(connection_->Call("fetch messages", [&](grpc::ClientContext& context) {
      return connection_->messages().Fetch(&context, request, &response);
    }));
    if (response.envelopes().empty()) break;
    // Moved out of the response, not copied (a page is up to 3 MiB).
    std::vector<v1::Envelope> envelopes;
    envelopes.reserve(response.envelopes_size());
    for (v1::Envelope& envelope : *response.mutable_envelopes()) {
      envelopes.push_back(std::move(envelope));
    }
    SB_ASSIGN_OR_RETURN(PageOutcome page, ProcessEnvelopes(envelopes, sent_receipts));
    sent_receipts.clear();  // Removed by that commit.
    if (FaultPoint("after-commit-before-ack")) {
      return Status(ErrorCode::kUnavailable, "interrupted before acknowledging");
    }
    SB_RETURN_IF_ERROR(Acknowledge(page.last_seq));
    result.envelopes += static_cast<uint32_t>(envelopes.size());
    // Unsent receipts stay in the vault (outbox, pending) for the next sync.
    SendQueuedReceipts(page.receipts_queued, &sent_receipts);
    if (page.receipts_pending) SendPendingReceipts().IgnoreError();
    for (auto& item : page.new_items) result.new_items.push_back(std::move(item));
    for (auto& warning : page.warnings) result.warnings.push_back(std::move(warning));
    after = page.last_seq;
    if (!response.more()) break;
  }
  // Keep enough one-time prekeys for others' first contact; failing here
  // costs nothing now (first contact works without one).
  ReplenishPreKeys().IgnoreError();
  PersistTokenIfChanged();
  return result;
}

Status ClientImpl::Watch(const std::function<void(const HistoryItem&)>& on_item,
                         const std::atomic<bool>& stop,
                         const std::function<void(const std::string&)>& on_warning) {
  SB_ASSIGN_OR_RETURN(SyncResult initial, Sync());
  for (const HistoryItem& item : initial.new_items) on_item(item);
  if (on_warning) {
    for (const std::string& warning : initial.warnings) on_warning(warning);
  }
  while (!stop.load()) {
    grpc::ClientContext context;
    SB_RETURN_IF_ERROR(connection_->PrepareStreamContext(context));
    v1::SubscribeRequest request;
    request.set_after_seq(0);
    std::atomic<bool> finished{false};
    std::thread canceller([&] {
      while (!finished.load() && !stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (stop.load()) context.TryCancel();
    });
    auto reader = connection_->messages().Subscribe(&context, request);
    v1::Envelope envelope;
    Status failure = Status::Ok();
    while (failure.ok() && reader->Read(&envelope)) {
      std::optional<PageOutcome> page;
      {
        // The vault is held while this envelope is handled: not while waiting
        // for the next one, nor while the callbacks run.
        auto hold = vault_->Hold();
        if (!hold.ok()) {
          failure = hold.status();
          break;
        }
        auto processed = ProcessEnvelopes({envelope}, {});
        if (!processed.ok()) {
          failure = processed.status();
          break;
        }
        page = std::move(processed).value();
        failure = Acknowledge(page->last_seq);
        if (failure.ok()) {
          // Kept in the vault until sent.
          SendQueuedReceipts(page->receipts_queued, nullptr);
          if (page->receipts_pending) SendPendingReceipts().IgnoreError();
        }
      }
      for (const HistoryItem& item : page->new_items) on_item(item);
      if (on_warning) {
        for (const std::string& warning : page->warnings) on_warning(warning);
      }
    }
    if (!failure.ok()) context.TryCancel();
    grpc::Status status = reader->Finish();
    finished = true;
    canceller.join();
    if (stop.load()) return Status::Ok();
    if (!failure.ok()) return failure;
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      // Token expired while subscribed: log in again and resubscribe.
      connection_->SetDevice(account_.user_id(), account_.device_id(), &device_key_, "");
      continue;
    }
    return FromGrpc(status, "live updates");
  }
  return Status::Ok();
}

Result<std::vector<HistoryItem>> ClientImpl::History(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  std::vector<HistoryItem> items;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(auto list, txn.ReadList(HistoryListName(user_id)));
    for (auto& [index, bytes] : list) {
      records::HistoryEntry entry;
      if (!entry.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return Status(ErrorCode::kVaultCorrupted, "a history record does not parse");
      }
      items.push_back(ToHistoryItem(entry, user_id));
    }
    return Status::Ok();
  }));
  return items;
}

Status ClientImpl::MarkRead(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(VaultHold hold, vault_->Hold());
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  std::vector<std::string> read;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(auto list, txn.ReadList(HistoryListName(user_id)));
    for (auto& [index, bytes] : list) {
      records::HistoryEntry entry;
      if (!entry.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return Status(ErrorCode::kVaultCorrupted, "a history record does not parse");
      }
      if (entry.outgoing() || entry.state() == static_cast<uint32_t>(DeliveryState::kRead) ||
          !entry.invalid_reason().empty()) {
        continue;
      }
      entry.set_state(static_cast<uint32_t>(DeliveryState::kRead));
      StoreItem(txn, HistoryListName(user_id), index, entry);
      read.push_back(ToHex(entry.message_id()));
    }
    return Status::Ok();
  }));
  Status sent = SendReceipts({{user_id, read}}, ReceiptType::kRead);
  PersistTokenIfChanged();
  return sent;
}

}  // namespace securebase::client
