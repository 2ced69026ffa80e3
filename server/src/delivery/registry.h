// Open Subscribe streams per device, and what each device has been given,
// which bounds what its Acknowledge may delete.
//
// A send notifies its target mailboxes after its commit; each stream then
// reads the store after its own cursor, so it neither skips nor repeats an
// envelope. In-memory and per process: with several server nodes this
// becomes the store's change notifications (DESIGN.md).
//
// "Given" (the delivery invariant: an acknowledgement never deletes an
// envelope the device has not been given). Per device the registry keeps one
// contiguous range (after, last]: every envelope stored with a seq in it was
// handed to the device. Fetch(after_seq) returning envelopes up to L marks
// (after_seq, L]; a stream marks (previous write, this write] when the write
// *completes* (gRPC's OnWriteDone(ok)), not when it starts. A range that
// overlaps or touches the current one extends it; a disjoint one replaces it
// (its older part is then simply delivered again later, never deleted
// unseen). Acknowledge(up_to) deletes only (after, min(up_to, last)] of the
// range and says so; it never fails for asking more (an honest client does:
// the server restarted between its Fetch and its Acknowledge, or it read a
// streamed envelope before the server heard that the write completed --
// gRPC does not order those). What it did not delete is delivered again. An
// acknowledgement that a stream write in flight could extend waits for that
// write's completion, at most about kAckWaitForWrite (ExpireAckWaiters).
//
// Thread-safety: thread-safe; sharded by device. Subscriber callbacks and
// AwaitGiven callbacks run outside the registry's locks.
#ifndef SECUREBASE_SERVER_DELIVERY_REGISTRY_H_
#define SECUREBASE_SERVER_DELIVERY_REGISTRY_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/src/common/status.h"
#include "server/src/delivery/subscriber.h"
#include "server/src/store/store.h"

namespace securebase::server {

struct StreamLimits {
  uint32_t per_device = 4;    // The oldest gives way to a new one.
  uint32_t per_account = 16;  // Across the account's devices; then refused.
  uint32_t total = 20000;     // The whole server; then refused.
};

// The part of a mailbox an Acknowledge deletes: seqs in (after, up_to].
// Empty (up_to <= after) when nothing it asked for was given.
struct AckRange {
  uint64_t after = 0;
  uint64_t up_to = 0;
  bool empty() const { return up_to <= after; }
};

// How long an acknowledgement waits for a stream write in flight that would
// extend what it may delete, before it is answered with what was given.
inline constexpr std::chrono::milliseconds kAckWaitForWrite{1000};

class DeliveryRegistry {
 public:
  explicit DeliveryRegistry(StreamLimits limits);
  ~DeliveryRegistry();

  // Adds a stream. When the device already has limits.per_device streams,
  // its oldest is removed and told to end (EndReason::kReplaced).
  // kResourceExhausted: the account or the server is at its stream limit.
  // kUnavailable: shutting down.
  Status Register(const MailboxAddress& mailbox, std::shared_ptr<Subscriber> subscriber);
  // No-op if not registered (e.g. already replaced). Fails the acknowledgements
  // waiting on a write of this stream.
  void Unregister(const MailboxAddress& mailbox, const Subscriber* subscriber);

  // Wakes every stream of `mailbox`.
  void Notify(const MailboxAddress& mailbox);
  // Hands a just-committed envelope to every stream of `mailbox` (in seq
  // order per mailbox, as commits complete).
  void Deliver(const MailboxAddress& mailbox, const v1::Envelope& envelope);

  // Ends every stream of `mailbox` with `reason` (a removed device).
  void EndDevice(const MailboxAddress& mailbox, EndReason reason);

  // Refuses new registrations, ends every open stream (kShutdown) and fails
  // waiting acknowledgements.
  void ShutdownAll();
  // Ends (kStalled) every stream whose write has been in flight longer than
  // `timeout` at `now`. Returns how many.
  size_t EndStalled(std::chrono::steady_clock::time_point now, std::chrono::milliseconds timeout);

  // Every envelope stored with a seq in (after, last] was given to `mailbox`
  // (a Fetch answer).
  void MarkGiven(const MailboxAddress& mailbox, uint64_t after, uint64_t last);
  // A stream started writing the envelope `last`, the next stored one after
  // `after` (its previous completed write, or its start cursor).
  void StartedWrite(const MailboxAddress& mailbox, const Subscriber* stream, uint64_t after,
                    uint64_t last);
  // That write completed; `ok`: the envelope reached the transport, so
  // (after, last] is given now.
  void FinishedWrite(const MailboxAddress& mailbox, const Subscriber* stream, bool ok);

  // Decides what Acknowledge(up_to) deletes: the given range's part at or
  // below up_to (possibly empty, never an error for asking too much).
  // Returns the answer at once when it is known; otherwise nullopt, and
  // `later` runs exactly once, on the thread that completes or fails the
  // write it waits for or that calls ExpireAckWaiters (it must not block).
  // kUnavailable (only later): shutting down.
  using AckDecision = std::function<void(Result<AckRange>)>;
  std::optional<Result<AckRange>> AwaitGiven(const MailboxAddress& mailbox, uint64_t up_to,
                                             AckDecision later);
  // Answers, with what was given by then, every acknowledgement that has
  // waited longer than `max_wait` at `now` for a stream write. Returns how
  // many. Call it periodically (the server does, once a second).
  size_t ExpireAckWaiters(std::chrono::steady_clock::time_point now,
                          std::chrono::milliseconds max_wait);

  size_t StreamCountForTesting();

 private:
  struct Range {
    uint64_t after = 0;
    uint64_t last = 0;
  };
  struct Write {
    const Subscriber* stream;
    Range range;
  };
  struct Waiter {
    uint64_t up_to;
    AckDecision decide;
    std::chrono::steady_clock::time_point since;
  };
  struct Device {
    std::vector<std::shared_ptr<Subscriber>> streams;  // Oldest first.
    std::optional<Range> given;
    std::vector<Write> writing;
    std::vector<Waiter> waiters;
  };
  struct Shard {
    std::mutex mu;
    // Guarded by mu. Keyed by user_id || device_id.
    std::unordered_map<std::string, Device> devices;
  };
  static constexpr size_t kShards = 32;
  // Acknowledgements waiting for writes, per device (more are answered at
  // once with what was given).
  static constexpr size_t kMaxWaitersPerDevice = 16;

  Shard& ShardFor(const std::string& key);
  // A snapshot of the mailbox's streams (called without the shard lock held).
  std::vector<std::shared_ptr<Subscriber>> StreamsOf(const MailboxAddress& mailbox);
  // Requires the shard lock. Decides the waiters that can be decided now and
  // moves them, with their answers, to `ready` (run them after unlocking).
  static void SettleWaitersLocked(Device& device,
                                  std::vector<std::pair<AckDecision, Result<AckRange>>>& ready);
  static void MergeGivenLocked(Device& device, Range range);
  // nullopt: a write in flight may extend the answer (only when `may_wait`).
  static std::optional<AckRange> DecideLocked(const Device& device, uint64_t up_to, bool may_wait);
  void ReleaseCountsLocked(const std::string& user_id, size_t streams);

  const StreamLimits limits_;
  std::mutex shutdown_mu_;
  bool shutting_down_ = false;  // Guarded by shutdown_mu_.
  std::array<Shard, kShards> shards_;
  // Taken after a shard's mutex.
  std::mutex counts_mu_;
  std::unordered_map<std::string, uint32_t> per_account_;  // Guarded by counts_mu_.
  uint32_t total_ = 0;                                     // Guarded by counts_mu_.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_DELIVERY_REGISTRY_H_
