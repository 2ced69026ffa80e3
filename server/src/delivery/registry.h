// Open Subscribe streams per device, and the highest seq each device has been
// given (by Fetch or a stream), which bounds what Acknowledge may delete.
//
// A send notifies its target mailboxes after its commit; each stream then
// reads the store after its own cursor, so it neither skips nor repeats an
// envelope. In-memory and per process: with several server nodes this
// becomes the store's change notifications (DESIGN.md).
//
// Thread-safety: thread-safe; sharded by mailbox. Subscriber callbacks run
// outside the registry's locks.
#ifndef SECUREBASE_SERVER_DELIVERY_REGISTRY_H_
#define SECUREBASE_SERVER_DELIVERY_REGISTRY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/src/common/status.h"
#include "server/src/delivery/subscriber.h"
#include "server/src/store/store.h"

namespace securebase::server {

class DeliveryRegistry {
 public:
  explicit DeliveryRegistry(uint32_t max_streams_per_device);

  // kResourceExhausted: the device has max_streams_per_device streams open.
  // kUnavailable: shutting down.
  Status Register(const MailboxAddress& mailbox, std::shared_ptr<Subscriber> subscriber);
  // No-op if not registered.
  void Unregister(const MailboxAddress& mailbox, const Subscriber* subscriber);

  // Wakes every stream of `mailbox`.
  void Notify(const MailboxAddress& mailbox);
  // Hands a just-committed envelope to every stream of `mailbox` (in seq
  // order per mailbox, as commits complete).
  void Deliver(const MailboxAddress& mailbox, const v1::Envelope& envelope);

  // Refuses new registrations and asks every open stream to finish.
  void ShutdownAll();

  // Records that `mailbox` was given envelopes up to `seq` (monotonic).
  void MarkGiven(const MailboxAddress& mailbox, uint64_t seq);
  // Highest seq given to `mailbox` since this process started (0: none).
  uint64_t GivenUpTo(const MailboxAddress& mailbox);

  size_t StreamCountForTesting();

 private:
  // A snapshot of the mailbox's streams (called without the shard lock held).
  std::vector<std::shared_ptr<Subscriber>> StreamsOf(const MailboxAddress& mailbox);

  struct Shard {
    std::mutex mu;
    // Guarded by mu. Keyed by user_id || device_id.
    std::unordered_map<std::string, std::vector<std::shared_ptr<Subscriber>>> streams;
    std::unordered_map<std::string, uint64_t> given;
  };
  static constexpr size_t kShards = 32;
  Shard& ShardFor(const std::string& key);

  const uint32_t max_streams_per_device_;
  std::mutex shutdown_mu_;
  bool shutting_down_ = false;  // Guarded by shutdown_mu_.
  std::array<Shard, kShards> shards_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_DELIVERY_REGISTRY_H_
