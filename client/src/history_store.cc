#include "history_store.h"

#include "content/availability.h"
#include "content/content_type.h"
#include "records.h"
#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

constexpr std::string_view kCursorRecord = "cursor";

std::string MessageLocationName(std::string_view message_id) {
  return "message/" + crypto::ToHex(message_id);
}

}  // namespace

HistoryItem ItemWithoutContent(const records::HistoryEntry& entry,
                               const std::string& peer_user_id) {
  HistoryItem item;
  item.message_id = crypto::ToHex(entry.message_id());
  item.peer_user_id = crypto::ToHex(peer_user_id);
  item.direction = entry.outgoing() ? Direction::kOutgoing : Direction::kIncoming;
  item.sender_user_id = crypto::ToHex(entry.sender_user_id());
  item.sender_device_id = entry.sender_device_id();
  item.sent_at_unix_ms = entry.sent_at_unix_ms();
  item.received_at_unix_ms = entry.received_at_unix_ms();
  item.state = static_cast<DeliveryState>(entry.state());
  return item;
}

HistoryItem ToHistoryItem(const records::HistoryEntry& entry, const std::string& peer_user_id) {
  HistoryItem item = ItemWithoutContent(entry, peer_user_id);
  if (!entry.invalid_reason().empty()) {
    item.content = InvalidContent{entry.invalid_reason()};
  } else {
    item.content = DecodeStoredContent(entry.content());
  }
  return item;
}

const std::string& HistoryStore::ListName(const std::string& peer_user_id) {
  auto found = list_names_.find(peer_user_id);
  if (found == list_names_.end()) {
    found = list_names_.emplace(peer_user_id, "history/" + crypto::ToHex(peer_user_id)).first;
  }
  return found->second;
}

uint64_t HistoryStore::Append(records::Contact& peer, const records::HistoryEntry& entry) {
  const uint64_t index = peer.next_history_index();
  peer.set_next_history_index(index + 1);
  StoreItem(txn_, ListName(peer.user_id()), index, entry);
  if (entry.outgoing()) {
    // Receipts find outgoing items by message id. Incoming items get no such
    // record: receipts never change them, and a peer's message id must not
    // take over the location of one of ours.
    records::MessageLocation location;
    location.set_peer_user_id(peer.user_id());
    location.set_index(index);
    StoreRecord(txn_, MessageLocationName(entry.message_id()), location);
  }
  return index;
}

Result<std::vector<std::pair<uint64_t, records::HistoryEntry>>> HistoryStore::Read(
    const std::string& peer_user_id) {
  SB_ASSIGN_OR_RETURN(auto list, txn_.ReadList(ListName(peer_user_id)));
  std::vector<std::pair<uint64_t, records::HistoryEntry>> entries;
  entries.reserve(list.size());
  for (auto& [index, bytes] : list) {
    SB_ASSIGN_OR_RETURN(records::HistoryEntry entry, ParseRecord<records::HistoryEntry>(bytes));
    entries.emplace_back(index, std::move(entry));
  }
  return entries;
}

Result<std::optional<records::HistoryEntry>> HistoryStore::ReadAt(const std::string& peer_user_id,
                                                                  uint64_t index) {
  return LoadItem<records::HistoryEntry>(txn_, ListName(peer_user_id), index);
}

void HistoryStore::Update(const std::string& peer_user_id, uint64_t index,
                          const records::HistoryEntry& entry) {
  StoreItem(txn_, ListName(peer_user_id), index, entry);
}

void HistoryStore::AdvanceState(const std::string& message_id, DeliveryState state,
                                const std::string* expected_peer) {
  auto location = LoadRecord<records::MessageLocation>(txn_, MessageLocationName(message_id));
  if (!location.ok() || !*location) return;
  if (expected_peer != nullptr && (*location)->peer_user_id() != *expected_peer) return;
  const std::string peer = (*location)->peer_user_id();
  auto item = LoadItem<records::HistoryEntry>(txn_, ListName(peer), (*location)->index());
  if (!item.ok() || !*item || !(*item)->outgoing()) return;
  records::HistoryEntry& entry = **item;
  // States only move forward (a late "sent" never hides a "read"); kFailed
  // replaces only kQueued.
  const auto current = static_cast<DeliveryState>(entry.state());
  if (state == DeliveryState::kFailed ? current != DeliveryState::kQueued
                                      : static_cast<uint32_t>(state) <= entry.state()) {
    return;
  }
  entry.set_state(static_cast<uint32_t>(state));
  Update(peer, (*location)->index(), entry);
}

Result<uint64_t> HistoryStore::Cursor() {
  SB_ASSIGN_OR_RETURN(std::optional<records::Cursor> cursor,
                      LoadRecord<records::Cursor>(txn_, kCursorRecord));
  return cursor ? cursor->last_seq() : uint64_t{0};
}

void HistoryStore::SetCursor(uint64_t last_seq) {
  records::Cursor cursor;
  cursor.set_last_seq(last_seq);
  StoreRecord(txn_, kCursorRecord, cursor);
}

}  // namespace securebase::client
