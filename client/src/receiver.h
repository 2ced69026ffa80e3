// Receiving one page of envelopes: for each, decrypt (the session cipher) ->
// decode (the content codec) -> apply (history, receipts, profiles); then
// commit the whole page in one vault transaction. Private to client/.
//
// The commit holds the advanced sessions, the new history items, the used-up
// one-time prekeys, the receive cursor (highest processed seq), and the
// delivered receipts the page owes as outbox entries already encrypted on
// the sessions as the page leaves them. Only after it may the page be
// acknowledged. A crash before the commit re-processes the page (nothing was
// advanced on disk); after it, the envelopes at or below the cursor are
// skipped and acknowledged. A message that does not decrypt becomes an
// "invalid" item saying so (for one that was really sent in the session but
// whose keys are gone, that it could not be decrypted), leaves its session as
// it was and costs no other message; only a replay is dropped silently. A
// message under a contact's changed key that the user has not accepted is
// kept quarantined: not shown, until Trust or Verify accepts the key.
#ifndef SECUREBASE_CLIENT_SRC_RECEIVER_H_
#define SECUREBASE_CLIENT_SRC_RECEIVER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "client_core.h"
#include "sender.h"

namespace securebase::client {

struct PageOutcome {
  std::vector<HistoryItem> new_items;
  // Receipts committed to the outbox with the page, to send after the
  // acknowledgement (outbox index, entry).
  std::vector<std::pair<uint64_t, records::OutboxEntry>> receipts_queued;
  bool receipts_pending = false;  // Some were committed as pending receipts instead.
  // A therapist's availability notice for each new client the page admitted
  // (introduction.h), committed with the page (outbox and history), to send
  // after the acknowledgement with Sender::Deliver (outbox index, entry).
  std::vector<std::pair<uint64_t, records::OutboxEntry>> notices_queued;
  std::vector<std::string> warnings;
  std::vector<DeliveryUpdate> delivery_updates;  // The receipts applied.
  std::vector<std::string> changed_contacts;     // Hex ids: a profile or notice arrived.
  uint64_t last_seq = 0;  // The highest seq of the page: acknowledge up to it.
};

class Receiver {
 public:
  Receiver(ClientCore& core, Sender& sender) : core_(core), sender_(sender) {}

  // Processes and commits one page. The outbox entries listed in
  // `remove_from_outbox` (receipts already sent) are removed in the same
  // commit. A sender the vault does not know becomes a contact only as a
  // therapist's new client with its invite proof (introduction.h); the
  // server's link list never makes one. With Durability::kDeferred the caller
  // makes the commit durable (ClientCore::SyncDeferred) before it acknowledges
  // the page or sends the receipts it queued.
  Result<PageOutcome> ProcessPage(const std::vector<Envelope>& envelopes,
                                  const std::vector<uint64_t>& remove_from_outbox,
                                  Durability durability = Durability::kSynced);

 private:
  class Page;

  ClientCore& core_;
  Sender& sender_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_RECEIVER_H_
