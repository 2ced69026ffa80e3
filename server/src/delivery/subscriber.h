// What the delivery registry knows about an open Subscribe stream.
#ifndef SECUREBASE_SERVER_DELIVERY_SUBSCRIBER_H_
#define SECUREBASE_SERVER_DELIVERY_SUBSCRIBER_H_

#include <chrono>
#include <optional>

#include "securebase/v1/messages.pb.h"

namespace securebase::server {

// Why the registry asks a stream to end.
enum class EndReason {
  kShutdown,  // The server is shutting down (clients reconnect).
  kReplaced,  // The device opened more streams than it may: this, its oldest, gives way.
  kStalled,   // A write has waited longer than the limit: the client does not read.
  kRemoved,   // The device was removed from its account.
};

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // New envelopes were committed to the subscriber's mailbox. Must not block:
  // called from the sending RPC's thread after its commit.
  virtual void Notify() = 0;
  // `envelope` was just committed to the subscriber's mailbox; called in seq
  // order per mailbox, from the store's commit thread. A subscriber may write
  // it at once if it is idle; it must not keep it otherwise (the store holds
  // it: read it back later). Must not block.
  virtual void Deliver(const v1::Envelope& envelope) { Notify(); }
  // Finish the stream soon (cancelling a write in flight). Must not block.
  virtual void End(EndReason reason) = 0;
  // When the write in flight started; nullopt when none is.
  virtual std::optional<std::chrono::steady_clock::time_point> WriteStartedAt() { return {}; }
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_DELIVERY_SUBSCRIBER_H_
