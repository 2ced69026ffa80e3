// Sync and Watch: the outbox flush, fetching pages and processing them
// (receiver.h), acknowledging, sending the receipts pages owe, and the live
// subscription. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_SYNCER_H_
#define SECUREBASE_CLIENT_SRC_SYNCER_H_

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "client_core.h"
#include "contact_book.h"
#include "receiver.h"
#include "sender.h"

namespace securebase::client {

class Syncer {
 public:
  Syncer(ClientCore& core, Sender& sender, ContactBook& contacts, Receiver& receiver)
      : core_(core), sender_(sender), contacts_(contacts), receiver_(receiver) {}

  // Client::Sync.
  Result<SyncResult> Sync();
  // Client::Watch.
  Status Watch(const WatchCallbacks& callbacks, const std::atomic<bool>& stop);

 private:
  // Sync() within its vault hold; indexes of receipts sent but still in the
  // outbox are appended to `sent_receipts` (see Sender::Deliver).
  Result<SyncResult> SyncPages(std::vector<uint64_t>& sent_receipts);
  // Sends the receipts a page queued (after its acknowledgement).
  void SendQueuedReceipts(std::vector<std::pair<uint64_t, records::OutboxEntry>>& queued,
                          std::vector<uint64_t>* sent_receipts);

  ClientCore& core_;
  Sender& sender_;
  ContactBook& contacts_;
  Receiver& receiver_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_SYNCER_H_
