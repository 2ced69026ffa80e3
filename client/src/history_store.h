// Conversations, over one vault transaction: each contact's history (an
// ordered list of items), where each of our outgoing messages sits (so
// receipts find it), and the receive cursor (the highest envelope sequence
// number whose content is committed). Private to client/.
//
// Records: list "history/<peer hex>" (records::HistoryEntry per index; the
// next index lives in the contact), "message/<message id hex>"
// (records::MessageLocation, outgoing items only), "cursor".
#ifndef SECUREBASE_CLIENT_SRC_HISTORY_STORE_H_
#define SECUREBASE_CLIENT_SRC_HISTORY_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/src/vault_records.pb.h"
#include "securebase/client/client.h"
#include "securebase/client/status.h"
#include "vault.h"

namespace securebase::client {

// The public item of a stored entry: its content decoded, or InvalidContent
// with the reason it could not be shown.
HistoryItem ToHistoryItem(const records::HistoryEntry& entry, const std::string& peer_user_id);
// Everything of the public item but its content.
HistoryItem ItemWithoutContent(const records::HistoryEntry& entry, const std::string& peer_user_id);

class HistoryStore {
 public:
  explicit HistoryStore(VaultTransaction& txn) : txn_(txn) {}

  // Appends `entry` to the conversation with `peer` at the contact's next
  // index, which it advances (the contact is the caller's to write back).
  // Returns the index.
  uint64_t Append(records::Contact& peer, const records::HistoryEntry& entry);
  // The whole conversation, oldest first.
  Result<std::vector<std::pair<uint64_t, records::HistoryEntry>>> Read(
      const std::string& peer_user_id);
  // The entry at `index`, or nullopt.
  Result<std::optional<records::HistoryEntry>> ReadAt(const std::string& peer_user_id,
                                                      uint64_t index);
  void Update(const std::string& peer_user_id, uint64_t index, const records::HistoryEntry& entry);
  // Moves an outgoing item's delivery state forward (never back; kFailed
  // replaces only kQueued). With `expected_peer`, only if the item belongs to
  // that conversation (a receipt may only touch its sender's). Unknown ids
  // and unreadable records are ignored: a receipt is not worth failing for.
  void AdvanceState(const std::string& message_id, DeliveryState state,
                    const std::string* expected_peer);

  // The receive cursor (0 before anything was received).
  Result<uint64_t> Cursor();
  void SetCursor(uint64_t last_seq);

 private:
  const std::string& ListName(const std::string& peer_user_id);

  VaultTransaction& txn_;
  // History list names by user id: a page is mostly one conversation.
  std::map<std::string, std::string> list_names_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_HISTORY_STORE_H_
