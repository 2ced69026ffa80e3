// Sync and Watch: the outbox flush, fetching pages and processing them
// (receiver.h), acknowledging, sending the receipts pages owe, and the live
// subscription. Private to client/.
//
// Sync is a pipeline of three threads, so that the page being decrypted is
// never waiting on the network or the disk:
//   - a fetch runs ahead: page N+1 is requested as soon as page N arrived;
//   - this thread decrypts and commits page N (Durability::kDeferred: the
//     write is in the vault's log, not yet synced);
//   - a finisher thread makes committed pages durable (one log sync for all
//     that are waiting), then acknowledges the highest of them, then sends
//     the delivered receipts they queued.
// So the order of effects for every page is still decrypt -> commit ->
// durable -> acknowledge -> receipts (client.h's crash-safety rules); only
// the next page's decryption overlaps them. A failure anywhere stops the
// pipeline: what was committed is made durable, nothing after a failed step
// is acknowledged, and what is unacknowledged comes back with the next sync.
//
// Watch handles what arrived together as one page: a reader thread queues
// envelopes from the live stream, and each turn takes all queued (up to a
// page) into one commit, one acknowledgement and one receipt per sender.
#ifndef SECUREBASE_CLIENT_SRC_SYNCER_H_
#define SECUREBASE_CLIENT_SRC_SYNCER_H_

#include <atomic>
#include <functional>
#include <future>
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
  // Fetch(after) on a thread of its own.
  std::future<Result<EnvelopePage>> FetchAhead(uint64_t after);
  // Fetches and processes every waiting page (the pipeline above), starting
  // with the page `first` brings.
  Status ReceivePages(std::future<Result<EnvelopePage>> first, SyncResult& result,
                      std::vector<uint64_t>& sent_receipts, bool& receipts_pending);
  // Delivers queued receipts through Sender::Deliver, until the server is
  // unreachable (the rest stay in the outbox).
  void DeliverReceipts(std::vector<std::pair<uint64_t, records::OutboxEntry>>& queued,
                       std::vector<uint64_t>* sent_receipts);
  // Removes sent receipts' outbox entries (at worst they are sent again,
  // under the same client message id, which the server stores once).
  void RemoveSentReceipts(std::vector<uint64_t>& sent_receipts, Durability durability);

  ClientCore& core_;
  Sender& sender_;
  ContactBook& contacts_;
  Receiver& receiver_;
  // Every envelope up to this seq was acknowledged by this Client, so the
  // server no longer has it: fetches and subscriptions start after it rather
  // than at 0 (the server would step over the deleted envelopes again). 0
  // at first: then whatever is still there comes back once, and the
  // receiver skips what it processed before (its cursor).
  uint64_t acked_through_ = 0;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_SYNCER_H_
