// Sync: the outbox flush, fetching pages and processing them (receiver.h),
// acknowledging, and sending the receipts pages owe. Private to client/.
//
// Sync is a pipeline of four threads, so that the page being decrypted is
// never waiting on the network or the disk:
//   - a fetch runs ahead: page N+1 is requested as soon as page N arrived;
//   - this thread decrypts and applies page N and commits it with
//     Durability::kDeferred;
//   - the vault's writer thread seals and writes that commit (vault.h);
//   - a finisher thread makes committed pages durable (one log sync for all
//     that are waiting), then acknowledges the highest of them, then sends
//     the delivered receipts they queued.
// So the order of effects for every page is still decrypt -> commit ->
// durable -> acknowledge -> receipts (client.h's crash-safety rules); only
// the next page's decryption overlaps them. A failure anywhere stops the
// pipeline: what was committed is made durable, nothing after a failed step
// is acknowledged, and what is unacknowledged comes back with the next sync.
#ifndef SECUREBASE_CLIENT_SRC_SYNCER_H_
#define SECUREBASE_CLIENT_SRC_SYNCER_H_

#include <algorithm>
#include <cstdint>
#include <future>
#include <utility>
#include <vector>

#include "client_core.h"
#include "contact_book.h"
#include "receiver.h"
#include "sender.h"

namespace securebase::client {

// Envelopes asked for per fetch: the server's cap (it also stops a page at
// 3 MiB). Fewer, larger pages mean fewer vault transactions, log syncs and
// acknowledgements per message.
inline constexpr uint32_t kFetchPageSize = 1000;

class Syncer {
 public:
  Syncer(ClientCore& core, Sender& sender, ContactBook& contacts, Receiver& receiver)
      : core_(core), sender_(sender), contacts_(contacts), receiver_(receiver) {}

  // Client::Sync.
  Result<SyncResult> Sync();

  // Every envelope up to this seq was acknowledged by this Client, so the
  // server no longer has it: fetches and subscriptions start after it rather
  // than at 0 (the server would step over the deleted envelopes again). 0
  // at first: then whatever is still there comes back once, and the
  // receiver skips what it processed before (its cursor).
  uint64_t acked_through() const { return acked_through_; }
  void NoteAcknowledged(uint64_t seq) { acked_through_ = std::max(acked_through_, seq); }

  // Delivers queued receipts (or notices) through Sender::Deliver, until the
  // server is unreachable (the rest stay in the outbox); the indexes of the
  // receipts sent are appended to `sent_receipts` (entries with a history
  // item, such as notices, are removed by Deliver itself).
  void DeliverReceipts(std::vector<std::pair<uint64_t, records::OutboxEntry>>& queued,
                       std::vector<uint64_t>* sent_receipts);
  // Removes sent receipts' outbox entries (at worst they are sent again,
  // under the same client message id, which the server stores once).
  void RemoveSentReceipts(std::vector<uint64_t>& sent_receipts, Durability durability);

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

  ClientCore& core_;
  Sender& sender_;
  ContactBook& contacts_;
  Receiver& receiver_;
  uint64_t acked_through_ = 0;  // See acked_through().
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_SYNCER_H_
