// Watch: a Sync, then the live subscription, handling what arrives together
// as one page (one commit, one acknowledgement, one receipt per sender: a
// reader thread queues envelopes from the stream, and each turn takes all
// that are queued, up to a page). Private to client/.
//
// When the server cannot be reached (kUnavailable: it is down, restarting,
// or the network is gone) Watch warns through on_warning and tries again
// after a pause that grows exponentially with jitter, up to 30 s
// (backoff.h); once back it syncs (the outbox, links, what arrived
// meanwhile) and subscribes again. It returns, instead of trying again, for
// errors retrying cannot fix — notably kResourceExhausted (too many
// subscriptions for this device) and kFailedPrecondition (the server ended
// this subscription because another one replaced it): looping on those
// would only fight the other subscriber.
//
// A watch can stay subscribed for weeks (the desktop app): at most once an
// hour on the client's clock it does for this device's keys what each sync
// does (prekey_rotation.h: the weekly signed prekey, deleting replaced ones
// after their grace period; one-time prekeys topped up), so peers' first
// messages are not made from a signed prekey older than the rules allow.
#ifndef SECUREBASE_CLIENT_SRC_WATCHER_H_
#define SECUREBASE_CLIENT_SRC_WATCHER_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client_core.h"
#include "receiver.h"
#include "sender.h"
#include "syncer.h"

namespace securebase::client {

class Watcher {
 public:
  Watcher(ClientCore& core, Sender& sender, Receiver& receiver, Syncer& syncer)
      : core_(core), sender_(sender), receiver_(receiver), syncer_(syncer) {}

  // Client::Watch.
  Status Watch(const WatchCallbacks& callbacks, const std::atomic<bool>& stop);

 private:
  // One subscription, until it ends or `stop` is set. Returns OK when
  // stopped, else why it ended (a clean end by the server is kUnavailable:
  // it went away). Sets `delivered` when an envelope arrived.
  Status Subscription(const WatchCallbacks& callbacks, const std::atomic<bool>& stop,
                      std::vector<uint64_t>& sent_receipts, bool& delivered);

  // Commits one batch (vault held), acknowledges it, sends its receipts.
  // `page` is set once the batch is committed, even if a later step failed.
  Status HandleBatch(const std::vector<Envelope>& batch, std::vector<uint64_t>& sent_receipts,
                     std::optional<PageOutcome>& page);

  // The key maintenance above, when a period has passed since the last
  // (each Sync a watch makes before it subscribes counts as one).
  void MaintainKeys();

  ClientCore& core_;
  Sender& sender_;
  Receiver& receiver_;
  Syncer& syncer_;
  int64_t last_maintenance_ms_ = 0;  // Client clock; Subscription's thread only.
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_WATCHER_H_
