// One Subscribe stream: envelopes of the caller's mailbox after its cursor,
// stored ones first, then live ones as sends notify it.
//
// The stream reads from the store after its own cursor whenever it has been
// notified, so it never skips or repeats an envelope. One write is in flight
// at a time. Memory per stream is bounded whatever the client does: the
// envelope being written plus at most one read batch (kStreamReadBytes); a
// committed envelope pushed by a send is taken only when the stream is idle,
// otherwise the stream just marks itself dirty and reads it back from the
// store later. A write that waits longer than the stall limit (the client
// stopped reading) gets the call cancelled (DeliveryRegistry::EndStalled).
//
// What the device was given is reported to the registry when a write
// completes (OnWriteDone(ok)), never when it starts.
//
// The reactor never blocks (store reads are local and short, done under its
// own mutex; gRPC calls are made outside it). Ownership: gRPC holds the raw
// pointer, the reactor holds itself (self_) and the delivery registry holds
// a reference; OnDone unregisters and drops self_, so the state is freed once
// the last notifier lets go.
#ifndef SECUREBASE_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_
#define SECUREBASE_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>

#include "securebase/v1/messages.pb.h"
#include "server/src/delivery/subscriber.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

// Starts a stream for an authenticated caller (or an immediately finished one
// when a stream limit refuses it). The returned reactor belongs to gRPC.
grpc::ServerWriteReactor<grpc::ByteBuffer>* StartSubscribe(ServiceContext& services,
                                                           grpc::CallbackServerContext* context,
                                                           const MailboxAddress& mailbox,
                                                           uint64_t after_seq);

// A stream that finishes at once with `status` (e.g. UNAUTHENTICATED).
grpc::ServerWriteReactor<grpc::ByteBuffer>* FailedSubscribe(const grpc::Status& status);

class SubscribeReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                               public Subscriber {
 public:
  SubscribeReactor(ServiceContext& services, grpc::CallbackServerContext* context,
                   MailboxAddress mailbox, uint64_t after_seq);

  // Subscriber
  void Notify() override;
  void Deliver(const v1::Envelope& envelope) override;
  void End(EndReason reason) override;
  std::optional<std::chrono::steady_clock::time_point> WriteStartedAt() override;

  // grpc::ServerWriteReactor
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  friend grpc::ServerWriteReactor<grpc::ByteBuffer>* StartSubscribe(ServiceContext&,
                                                                    grpc::CallbackServerContext*,
                                                                    const MailboxAddress&,
                                                                    uint64_t);
  enum class Action { kNone, kWrite, kFinish };
  // Decides the next step under mu_; the caller performs it after unlocking.
  Action NextLocked();
  void Step();
  void RequestFinish(grpc::Status status);

  ServiceContext& services_;
  grpc::CallbackServerContext* const context_;
  const MailboxAddress mailbox_;
  std::shared_ptr<SubscribeReactor> self_;  // Dropped in OnDone.

  std::mutex mu_;
  uint64_t cursor_;                  // Highest seq read or taken for writing. Guarded by mu_.
  uint64_t written_;                 // Highest seq whose write completed. Guarded by mu_.
  std::deque<v1::Envelope> buffer_;  // Read, not yet written. Guarded by mu_.
  bool dirty_ = true;                // The store may hold more after cursor_.
  bool write_in_flight_ = false;
  std::chrono::steady_clock::time_point write_started_;
  bool finish_requested_ = false;
  bool finished_ = false;  // Finish() called.
  bool done_ = false;      // OnDone ran.
  grpc::Status finish_status_;
  uint64_t current_seq_ = 0;  // The envelope being written,
  grpc::ByteBuffer current_;  //   serialized.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_
