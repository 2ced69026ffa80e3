#include "receiver.h"

#include <algorithm>
#include <map>

#include "content/availability.h"
#include "content/content_type.h"
#include "device_address.h"
#include "introduction.h"
#include "securebase/crypto/encoding.h"
#include "securebase/v1/content.pb.h"

namespace securebase::client {
namespace {

// ValidateContent's bound on the ids in one receipt.
constexpr size_t kMaxIdsPerReceipt = 1000;

void AddDevice(records::Contact& contact, uint32_t device) {
  auto& ids = *contact.mutable_device_ids();
  if (std::find(ids.begin(), ids.end(), device) == ids.end()) ids.Add(device);
}

}  // namespace

// One page inside its vault transaction.
class Receiver::Page {
 public:
  Page(ClientCore& core, Sender& sender, Stores& stores, PageOutcome& outcome)
      : core_(core), sender_(sender), stores_(stores), outcome_(outcome), now_(core.Now()) {}

  // Decrypt -> decode -> apply, for one envelope.
  Status Receive(const Envelope& envelope) {
    const std::string& sender = envelope.sender.user_id;
    SB_ASSIGN_OR_RETURN(records::Contact * peer, stores_.contacts().Find(sender));
    // A sender we do not know may only be a therapist's new client, with its
    // invite proof (introduction.h).
    const bool introducing = peer == nullptr;
    if (introducing) {
      SB_ASSIGN_OR_RETURN(peer, AdmitNewClient(core_, stores_, envelope));
    }
    if (peer == nullptr) {
      outcome_.warnings.push_back("a message from someone who is not a contact was discarded");
      return Status::Ok();
    }
    const bool from_self = sender == core_.own_user_id();
    std::optional<Decrypted> decrypted;
    SB_RETURN_IF_ERROR(Decrypt(envelope, *peer, introducing, decrypted));
    content::v1::Content content;
    const bool readable = decrypted &&
                          content.ParseFromArray(decrypted->plaintext.data(),
                                                 static_cast<int>(decrypted->plaintext.size())) &&
                          content.message_id().size() == 16;
    if (introducing) {
      bool notice_outdated = false;
      SB_ASSIGN_OR_RETURN(bool accepted,
                          SettleNewClient(core_, stores_, envelope, readable ? &content : nullptr,
                                          &notice_outdated));
      if (!accepted) {
        outcome_.warnings.push_back(
            "a message from someone who did not prove an invite of yours was discarded");
        return Status::Ok();
      }
      SB_ASSIGN_OR_RETURN(peer, stores_.contacts().Get(sender));
      if (notice_outdated) SB_RETURN_IF_ERROR(QueueNotice(*peer));
    }
    if (!decrypted) return Status::Ok();
    if (!readable) {
      if (!from_self) RecordInvalid(*peer, envelope, " has unreadable content");
      return Status::Ok();
    }
    // Under a changed key the user has not accepted: kept, not shown as the
    // contact's (contact_store.h's trust policy).
    const bool quarantined = !from_self && !IsAcceptedKey(*peer, decrypted->identity);
    ContentBody body = DecodeBody(content);
    return Apply(envelope, *peer, content, std::move(body), decrypted->plaintext, quarantined);
  }

  // A new client learns the therapist's availability notice as it is now:
  // the invite carried the one of when it was made, and a notice set since
  // went only to the contacts known then.
  Status QueueNotice(const records::Contact& client) {
    SB_ASSIGN_OR_RETURN(records::Contact * self, stores_.contacts().Self());
    records::OutboxEntry entry;
    const ContentBody notice = DecodeAvailability(core_.account().availability());
    if (auto index = sender_.Queue(stores_, client, *self, notice, &entry,
                                   /*record_history=*/true)) {
      if (!entry.held()) outcome_.notices_queued.emplace_back(*index, std::move(entry));
    }
    return Status::Ok();
  }

  // The receipts this page owes, as outbox entries of its commit.
  Status QueueReceipts() {
    if (receipts_due_.empty()) return Status::Ok();
    SB_ASSIGN_OR_RETURN(records::Contact * self, stores_.contacts().Self());
    records::PendingReceipts unqueued;
    for (const auto& [user, ids] : receipts_due_) {
      SB_ASSIGN_OR_RETURN(records::Contact * to, stores_.contacts().Find(user));
      if (to == nullptr || !to->linked()) continue;  // Send() refuses these too.
      for (size_t first = 0; first < ids.size(); first += kMaxIdsPerReceipt) {
        const size_t last = std::min(ids.size(), first + kMaxIdsPerReceipt);
        Receipt receipt{ReceiptType::kDelivered,
                        std::vector<std::string>(ids.begin() + first, ids.begin() + last)};
        records::OutboxEntry entry;
        if (auto index = sender_.Queue(stores_, *to, *self, receipt, &entry)) {
          if (!entry.held()) outcome_.receipts_queued.emplace_back(*index, std::move(entry));
        } else {
          // Sent after the acknowledgement through Send() (SendPendingReceipts).
          records::PendingReceipt* pending = unqueued.add_receipts();
          pending->set_user_id(user);
          for (const std::string& id : receipt.message_ids) pending->add_message_ids(id);
        }
      }
    }
    if (unqueued.receipts_size() > 0) {
      SB_ASSIGN_OR_RETURN(records::PendingReceipts all, stores_.outbox().PendingReceipts());
      all.MergeFrom(unqueued);
      stores_.outbox().SetPendingReceipts(all);
      outcome_.receipts_pending = true;
    }
    return Status::Ok();
  }

 private:
  struct Decrypted {
    crypto::SecretBytes plaintext;
    crypto::IdentityPublicKey identity;  // What the message authenticated under.
  };

  // Step 1: the session cipher. Leaves `decrypted` empty for a message that
  // is dropped (a duplicate or a replayed first message) or recorded as one
  // that could not be decrypted; only a vault failure is an error (it aborts
  // the page). Nothing is recorded for a would-be new client (`introducing`).
  Status Decrypt(const Envelope& envelope, records::Contact& peer, bool introducing,
                 std::optional<Decrypted>& decrypted) {
    // The sender is a contact, this account or an admitted new client, so
    // its user id is well formed.
    SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress from,
                        AddressOf(envelope.sender.user_id, envelope.sender.device_id));
    auto result = stores_.cipher().Decrypt(from, crypto::AsBytes(envelope.ciphertext));
    if (!result.ok()) {
      // Not shown for our own devices (a forged "transcript" is no news), nor
      // for someone who is not a contact.
      const bool show = envelope.sender.user_id != core_.own_user_id() && !introducing;
      switch (result.status().code()) {
        case crypto::ErrorCode::kDuplicateMessage:
          return Status::Ok();  // Already shown; a replay changes nothing.
        case crypto::ErrorCode::kStorageFailure:
          return stores_.errors().FromCipher(result.status());
        case crypto::ErrorCode::kUndecryptableMessage:
          // Really sent in the session, but its keys are gone: never dropped
          // silently (crypto session.h).
          if (show) {
            RecordInvalid(peer, envelope,
                          " could not be decrypted: it arrived too late or too far out of order "
                          "(ask them to send it again)");
          }
          return Status::Ok();
        default:
          if (show) RecordInvalid(peer, envelope, " could not be decrypted");
          return Status::Ok();
      }
    }
    AddDevice(peer, from.device_id);
    if (result->identity == crypto::IdentityChange::kReplaced) {
      // The sessions under the accepted key stay until the user accepts the
      // new one (Trust drops them then).
      outcome_.warnings.push_back(NameOf(peer) +
                                  "'s safety number has changed. What arrives under the new one "
                                  "is kept but not shown, and messages to them wait, until you "
                                  "compare it again and accept it (`securebase trust`)");
    }
    decrypted.emplace(Decrypted{std::move(result->plaintext), result->remote_identity});
    return Status::Ok();
  }

  // Step 3: what the content does. Under a key the user has not accepted
  // (`quarantined`), nothing changes the contact (name, availability,
  // receipts) and what a person wrote is kept out of sight until Trust.
  Status Apply(const Envelope& envelope, records::Contact& peer, content::v1::Content& content,
               ContentBody body, const crypto::SecretBytes& plaintext, bool quarantined) {
    records::HistoryEntry entry = IncomingEntry(envelope);
    entry.set_message_id(content.message_id());
    entry.set_sent_at_unix_ms(content.sent_at_unix_ms());
    if (quarantined) {
      if (std::holds_alternative<Receipt>(body) || std::holds_alternative<Profile>(body) ||
          std::holds_alternative<Availability>(body)) {
        return Status::Ok();
      }
      entry.set_quarantined(true);
      entry.set_content(std::string(crypto::AsStringView(plaintext.span())));
      stores_.history().Append(peer, entry);
      outcome_.warnings.push_back("a message from " + NameOf(peer) +
                                  " arrived under their new safety number; it is shown once you "
                                  "compare it and accept it (`securebase trust`)");
      return Status::Ok();
    }
    if (envelope.sender.user_id == core_.own_user_id()) {
      // A copy of what our other device sent to a contact.
      SB_ASSIGN_OR_RETURN(records::Contact * recipient,
                          stores_.contacts().Find(content.sent_to_user_id()));
      if (recipient == nullptr || recipient == &peer || std::holds_alternative<Receipt>(body) ||
          std::holds_alternative<Profile>(body)) {
        return Status::Ok();
      }
      content.clear_sent_to_user_id();
      entry.set_content(content.SerializeAsString());
      entry.set_outgoing(true);
      entry.set_state(static_cast<uint32_t>(DeliveryState::kSent));
      Append(*recipient, entry, std::move(body));
      return Status::Ok();
    }
    if (const auto* receipt = std::get_if<Receipt>(&body)) {
      const DeliveryState state =
          receipt->type == ReceiptType::kRead ? DeliveryState::kRead : DeliveryState::kDelivered;
      for (const std::string& id : receipt->message_ids) {
        if (auto raw = crypto::FromHex(id)) {
          stores_.history().AdvanceState(*raw, state, &envelope.sender.user_id);
        }
      }
      outcome_.delivery_updates.push_back(
          {crypto::ToHex(envelope.sender.user_id), receipt->message_ids, state});
      return Status::Ok();
    }
    if (const auto* profile = std::get_if<Profile>(&body)) {
      peer.set_display_name(profile->display_name);
      if (profile->availability) {
        *peer.mutable_availability() = EncodeAvailability(*profile->availability);
      }
      outcome_.changed_contacts.push_back(crypto::ToHex(envelope.sender.user_id));
      return Status::Ok();
    }
    if (const auto* availability = std::get_if<Availability>(&body)) {
      *peer.mutable_availability() = EncodeAvailability(*availability);
      outcome_.changed_contacts.push_back(crypto::ToHex(envelope.sender.user_id));
    }
    if (WantsDeliveredReceipt(body)) {
      receipts_due_[envelope.sender.user_id].push_back(crypto::ToHex(content.message_id()));
    }
    entry.set_content(std::string(crypto::AsStringView(plaintext.span())));
    Append(peer, entry, std::move(body));
    return Status::Ok();
  }

  records::HistoryEntry IncomingEntry(const Envelope& envelope) const {
    records::HistoryEntry entry;
    entry.set_outgoing(false);
    entry.set_sender_user_id(envelope.sender.user_id);
    entry.set_sender_device_id(envelope.sender.device_id);
    entry.set_received_at_unix_ms(now_);
    entry.set_state(static_cast<uint32_t>(DeliveryState::kDelivered));
    return entry;
  }

  // A message that cannot be shown is kept as an item saying so.
  void RecordInvalid(records::Contact& peer, const Envelope& envelope, std::string_view what) {
    records::HistoryEntry entry = IncomingEntry(envelope);
    entry.set_message_id(core_.RandomId());
    entry.set_sent_at_unix_ms(envelope.server_timestamp_unix_ms);
    entry.set_invalid_reason("a message from " + NameOf(peer) + std::string(what));
    stores_.history().Append(peer, entry);
    outcome_.new_items.push_back(ToHistoryItem(entry, peer.user_id()));
  }

  void Append(records::Contact& peer, const records::HistoryEntry& entry, ContentBody body) {
    stores_.history().Append(peer, entry);
    HistoryItem item = ItemWithoutContent(entry, peer.user_id());
    item.content = std::move(body);
    outcome_.new_items.push_back(std::move(item));
  }

  ClientCore& core_;
  Sender& sender_;
  Stores& stores_;
  PageOutcome& outcome_;
  const int64_t now_;
  std::map<std::string, std::vector<std::string>> receipts_due_;  // Sender -> ids (hex).
};

Result<PageOutcome> Receiver::ProcessPage(const std::vector<Envelope>& envelopes,
                                          const std::vector<uint64_t>& remove_from_outbox,
                                          Durability durability) {
  PageOutcome outcome;
  auto commit = [&](Stores& stores) -> Status {
    outcome = PageOutcome();
    SB_ASSIGN_OR_RETURN(uint64_t cursor, stores.history().Cursor());
    Page page(core_, sender_, stores, outcome);
    for (const Envelope& envelope : envelopes) {
      outcome.last_seq = std::max(outcome.last_seq, envelope.seq);
      if (envelope.seq <= cursor) continue;  // Committed before a crash.
      cursor = envelope.seq;
      SB_RETURN_IF_ERROR(page.Receive(envelope));
    }
    if (core_.Fault(FaultPoint::kAfterDecryptBeforeCommit)) {
      return Status(ErrorCode::kInternal, "interrupted before the vault commit");
    }
    stores.history().SetCursor(cursor);
    SB_RETURN_IF_ERROR(page.QueueReceipts());
    for (uint64_t sent : remove_from_outbox) stores.outbox().Remove(sent);
    return Status::Ok();
  };
  SB_RETURN_IF_ERROR(core_.Transact(commit, durability));
  return outcome;
}

}  // namespace securebase::client
