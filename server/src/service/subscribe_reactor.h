// One Subscribe stream: envelopes of the caller's mailbox after its cursor,
// stored ones first, then live ones as sends notify it.
//
// The stream reads from the store after its own cursor whenever it has been
// notified, so it never skips or repeats an envelope. One write is in flight
// at a time; the reactor never blocks (store reads are local and short, done
// under its own mutex; gRPC calls are made outside it). Ownership: gRPC holds
// the raw pointer, the reactor holds itself (self_) and the delivery
// registry holds a reference; OnDone unregisters and drops self_, so the
// state is freed once the last notifier lets go.
#ifndef SECUREBASE_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_
#define SECUREBASE_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include <deque>
#include <memory>
#include <mutex>

#include "securebase/v1/messages.pb.h"
#include "server/src/delivery/subscriber.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

// Starts a stream for an authenticated caller (or an immediately finished one
// when the stream limit is reached). The returned reactor belongs to gRPC.
grpc::ServerWriteReactor<v1::Envelope>* StartSubscribe(ServiceContext& services,
                                                       const MailboxAddress& mailbox,
                                                       uint64_t after_seq);

// A stream that finishes at once with `status` (e.g. UNAUTHENTICATED).
grpc::ServerWriteReactor<v1::Envelope>* FailedSubscribe(const grpc::Status& status);

class SubscribeReactor final : public grpc::ServerWriteReactor<v1::Envelope>, public Subscriber {
 public:
  SubscribeReactor(ServiceContext& services, MailboxAddress mailbox, uint64_t after_seq);

  // Subscriber
  void Notify() override;
  void Deliver(const v1::Envelope& envelope) override;
  void Shutdown() override;

  // grpc::ServerWriteReactor
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  friend grpc::ServerWriteReactor<v1::Envelope>* StartSubscribe(ServiceContext&,
                                                                const MailboxAddress&, uint64_t);
  enum class Action { kNone, kWrite, kFinish };
  // Decides the next step under mu_; the caller performs it after unlocking.
  Action NextLocked();
  void Step();
  void RequestFinish(grpc::Status status);

  ServiceContext& services_;
  const MailboxAddress mailbox_;
  std::shared_ptr<SubscribeReactor> self_;  // Dropped in OnDone.

  std::mutex mu_;
  uint64_t cursor_;                     // Highest seq handed to StartWrite. Guarded by mu_.
  std::deque<v1::Envelope> buffer_;     // Read, not yet written. Guarded by mu_.
  bool dirty_ = true;                   // The store may hold more after cursor_.
  bool write_in_flight_ = false;
  bool finish_requested_ = false;
  bool finished_ = false;               // Finish() called.
  bool done_ = false;                   // OnDone ran.
  grpc::Status finish_status_;
  v1::Envelope current_;                // The message being written.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_
