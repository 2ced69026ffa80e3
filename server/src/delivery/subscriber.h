// What the delivery registry knows about an open Subscribe stream.
#ifndef SECUREBASE_SERVER_DELIVERY_SUBSCRIBER_H_
#define SECUREBASE_SERVER_DELIVERY_SUBSCRIBER_H_

#include "securebase/v1/messages.pb.h"

namespace securebase::server {

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // New envelopes were committed to the subscriber's mailbox. Must not block:
  // called from the sending RPC's thread after its commit.
  virtual void Notify() = 0;
  // `envelope` was just committed to the subscriber's mailbox; called in seq
  // order per mailbox, from the store's commit thread. A subscriber may push
  // it without reading it back from the store. Must not block.
  virtual void Deliver(const v1::Envelope& envelope) { Notify(); }
  // The server is shutting down: finish the stream soon. Must not block.
  virtual void Shutdown() = 0;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_DELIVERY_SUBSCRIBER_H_
