// Provisioning slots: the single-use, short-lived relay between a new device
// (no account, no token) and an existing device of the account it joins
// (proto/securebase/v1/provisioning.proto). A slot is named by the random
// channel id of the new device's link code; it carries one sealed message
// the server cannot read.
//
// Memory only: an unauthenticated caller opening a slot costs no disk write,
// and slots end at a restart (the new device shows a new code). Bounds, so an
// anonymous flood costs the server no more than the caller:
//   - at most `max_slots` slots at once server-wide (then refused);
//   - a token bucket per source address for opening slots;
//   - a waiting slot holds its channel id, expiry and a pointer to the
//     waiting call (about 100 bytes plus gRPC's call state);
//   - messages are held only for an authenticated depositor: at most
//     `max_held_per_account` undelivered per account and `max_held_bytes`
//     server-wide, each at most `max_message_bytes`.
// A used slot is kept (without its message) until it expires, so a second
// deposit or wait is told "already used" rather than "not found".
//
// Thread-safety: thread-safe. Waiter callbacks run outside the lock.
#ifndef SECUREBASE_SERVER_PROVISIONING_SLOTS_H_
#define SECUREBASE_SERVER_PROVISIONING_SLOTS_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/src/auth/rate_limiter.h"
#include "server/src/common/clock.h"
#include "server/src/common/status.h"

namespace securebase::server {

struct ProvisioningLimits {
  int64_t lifetime_ms = 600'000;                 // A slot's life from its first open.
  uint32_t max_slots = 10000;                    // Open or used slots, server-wide.
  double opens_per_second_per_source = 0.2;      // Opening slots (not waiting again),
  double open_burst_per_source = 10;             //   per source address.
  size_t max_message_bytes = 0;                  // A deposited message.
  uint32_t max_held_per_account = 4;             // Undelivered deposits per depositor account.
  uint64_t max_held_bytes = uint64_t{64} << 20;  // Messages held or being written, server-wide.
};

// The call waiting on a slot (the new device's stream).
class ProvisioningWaiter {
 public:
  virtual ~ProvisioningWaiter() = default;
  // Write `message` and then end the call OK; call Slots::FinishedWrite with
  // the outcome. Must not block.
  virtual void Deliver(std::string message) = 0;
  // The slot is gone (expired, or the server stops): end the call with
  // `status`. Must not block.
  virtual void End(const Status& status) = 0;
};

class ProvisioningSlots {
 public:
  ProvisioningSlots(const Clock& clock, ProvisioningLimits limits);

  // Opens the slot `channel_id` for `waiter`, or attaches `waiter` to the
  // slot again (after a dropped call). Returns a message deposited
  // meanwhile: the caller hands it to `waiter->Deliver` (the write is then
  // pending, as for a deposit).
  // kResourceExhausted: the source's rate, or max_slots. kAlreadyExists:
  // another call waits on it. kFailedPrecondition: used. kUnavailable:
  // shutting down.
  Result<std::optional<std::string>> Open(std::string_view source, const std::string& channel_id,
                                          std::shared_ptr<ProvisioningWaiter> waiter);
  // The waiting call ended (any reason); no-op unless `waiter` is attached.
  void Detach(const std::string& channel_id, const ProvisioningWaiter* waiter);
  // Puts `message` into the slot for `depositor` (a user id).
  // kNotFound: no open slot (never opened or expired). kFailedPrecondition:
  // the slot already holds or delivered a message. kResourceExhausted: the
  // message is too large, or the holding limits.
  Status Deposit(const std::string& channel_id, std::string message, const std::string& depositor);
  // The write of a delivered message completed; `ok` false: it did not reach
  // the transport, so the message goes back into the slot for the next wait.
  void FinishedWrite(const std::string& channel_id, const ProvisioningWaiter* waiter, bool ok,
                     std::string message);

  // Ends waiters of expired slots (DEADLINE_EXCEEDED) and forgets expired
  // slots. Returns how many slots it removed. Call periodically.
  size_t ExpireSlots();
  // Ends every waiter (UNAVAILABLE) and refuses new opens.
  void Shutdown();

  size_t SlotCountForTesting();
  uint64_t HeldBytesForTesting();

 private:
  struct Slot {
    int64_t expires_at_ms = 0;
    std::shared_ptr<ProvisioningWaiter> waiter;
    std::optional<std::string> message;  // Deposited, not being written.
    bool writing = false;                // Handed to the waiter, write pending.
    bool used = false;                   // Delivered.
    std::string depositor;               // While a message is held or written.
    size_t held_bytes = 0;               // Its size, while counted as held.
  };

  // Requires mu_. The holding accounting for the slot's message, which
  // leaves the server (delivered or expired). No-op when it holds none.
  void ReleaseLocked(Slot& slot);

  const Clock& clock_;
  const ProvisioningLimits limits_;
  RateLimiter opens_per_source_;
  std::mutex mu_;
  bool shutting_down_ = false;                                  // Guarded by mu_.
  std::unordered_map<std::string, Slot> slots_;                 // Guarded by mu_.
  std::unordered_map<std::string, uint32_t> held_per_account_;  // Guarded by mu_.
  uint64_t held_bytes_ = 0;                                     // Guarded by mu_.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_PROVISIONING_SLOTS_H_
