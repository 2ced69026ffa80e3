// The outbox, over one vault transaction: messages committed for sending
// (already encrypted, or held as plaintext while a verified contact's key
// change is not trusted), each under its own index, and the delivered
// receipts owed but not yet queued. Private to client/.
//
// Records: list "outbox" (records::OutboxEntry), "pending-receipts".
#ifndef SECUREBASE_CLIENT_SRC_OUTBOX_STORE_H_
#define SECUREBASE_CLIENT_SRC_OUTBOX_STORE_H_

#include <optional>
#include <utility>
#include <vector>

#include "client/src/vault_records.pb.h"
#include "securebase/client/status.h"
#include "vault.h"

namespace securebase::client {

class OutboxStore {
 public:
  explicit OutboxStore(VaultTransaction& txn) : txn_(txn) {}

  // Stores `entry` under a new index (after every index in use, including
  // those removed in this transaction, so none is reused) and returns it.
  Result<uint64_t> Add(const records::OutboxEntry& entry);
  void Put(uint64_t index, const records::OutboxEntry& entry);
  void Remove(uint64_t index);
  // Every entry, oldest first.
  Result<std::vector<std::pair<uint64_t, records::OutboxEntry>>> ReadAll();

  Result<records::PendingReceipts> PendingReceipts();
  void SetPendingReceipts(const records::PendingReceipts& receipts);
  void ClearPendingReceipts();

 private:
  VaultTransaction& txn_;
  std::optional<uint64_t> next_index_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_OUTBOX_STORE_H_
