#include "server/src/provisioning/slots.h"

#include <utility>
#include <vector>

#include "server/src/common/limits.h"

namespace securebase::server {

ProvisioningSlots::ProvisioningSlots(const Clock& clock, ProvisioningLimits limits)
    : clock_(clock),
      limits_(limits),
      opens_per_source_(clock, limits.opens_per_second_per_source, limits.open_burst_per_source,
                        kMaxTrackedSources) {}

Result<std::optional<std::string>> ProvisioningSlots::Open(
    std::string_view source, const std::string& channel_id,
    std::shared_ptr<ProvisioningWaiter> waiter) {
  std::optional<std::string> deliver;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) return Status::Unavailable("server is shutting down");
    const int64_t now = clock_.NowUnixMs();
    auto found = slots_.find(channel_id);
    if (found != slots_.end() && found->second.expires_at_ms <= now) {
      // Expired but not swept yet: as if it were gone.
      Slot& old = found->second;
      // Its waiter is ended by the next ExpireSlots, which releases it.
      if (old.waiter != nullptr) return Status::AlreadyExists("another call waits on this slot");
      ReleaseLocked(old);
      slots_.erase(found);
      found = slots_.end();
    }
    if (found == slots_.end()) {
      // Only a new slot costs a token: waiting again after a dropped
      // connection is free (and needs the slot to exist already).
      if (!opens_per_source_.TryAcquire(source)) {
        return Status::ResourceExhausted(
            "too many provisioning slots opened from this address; retry later");
      }
      if (slots_.size() >= limits_.max_slots) {
        return Status::ResourceExhausted(
            "the server has too many open provisioning slots; retry later");
      }
      Slot slot;
      slot.expires_at_ms = now + limits_.lifetime_ms;
      slot.waiter = std::move(waiter);
      slots_.emplace(channel_id, std::move(slot));
      return deliver;
    }
    Slot& slot = found->second;
    if (slot.used)
      return Status::FailedPrecondition("this link code was already used; show a new one");
    if (slot.waiter != nullptr) return Status::AlreadyExists("another call waits on this slot");
    slot.waiter = waiter;
    if (slot.message.has_value() && !slot.writing) {
      deliver = std::move(slot.message);
      slot.message.reset();
      slot.writing = true;
    }
  }
  return deliver;
}

void ProvisioningSlots::Detach(const std::string& channel_id, const ProvisioningWaiter* waiter) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = slots_.find(channel_id);
  if (found == slots_.end() || found->second.waiter.get() != waiter) return;
  found->second.waiter.reset();
}

Status ProvisioningSlots::Deposit(const std::string& channel_id, std::string message,
                                  const std::string& depositor) {
  if (message.size() > limits_.max_message_bytes) {
    return Status::ResourceExhausted("the provisioning message is larger than the limit (" +
                                     std::to_string(limits_.max_message_bytes) + " bytes)");
  }
  std::shared_ptr<ProvisioningWaiter> waiter;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = slots_.find(channel_id);
    if (found == slots_.end() || found->second.expires_at_ms <= clock_.NowUnixMs()) {
      return Status::NotFound(
          "no open provisioning slot for this channel id (never opened, or expired): ask the new "
          "device for a new code");
    }
    Slot& slot = found->second;
    if (slot.used || slot.writing || slot.message.has_value()) {
      return Status::FailedPrecondition("this link code was already used");
    }
    uint32_t& held = held_per_account_[depositor];
    if (held >= limits_.max_held_per_account ||
        held_bytes_ + message.size() > limits_.max_held_bytes) {
      if (held == 0) held_per_account_.erase(depositor);
      return Status::ResourceExhausted(
          "too many undelivered provisioning messages (this account's or the server's); retry "
          "later");
    }
    ++held;
    held_bytes_ += message.size();
    slot.depositor = depositor;
    slot.held_bytes = message.size();
    if (slot.waiter != nullptr) {
      slot.writing = true;
      waiter = slot.waiter;
    } else {
      slot.message = std::move(message);
    }
  }
  if (waiter != nullptr) waiter->Deliver(std::move(message));
  return Status::Ok();
}

void ProvisioningSlots::FinishedWrite(const std::string& channel_id,
                                      const ProvisioningWaiter* waiter, bool ok,
                                      std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = slots_.find(channel_id);
  // Expired meanwhile: ExpireSlots released it.
  if (found == slots_.end() || !found->second.writing) return;
  Slot& slot = found->second;
  slot.writing = false;
  if (ok) {
    slot.used = true;
    ReleaseLocked(slot);
    return;
  }
  // Back into the slot for the device's next wait.
  slot.message = std::move(message);
  if (slot.waiter.get() == waiter) slot.waiter.reset();
}

void ProvisioningSlots::ReleaseLocked(Slot& slot) {
  if (slot.depositor.empty()) return;  // Holds nothing (or released already).
  held_bytes_ -= std::min<uint64_t>(held_bytes_, slot.held_bytes);
  auto held = held_per_account_.find(slot.depositor);
  if (held != held_per_account_.end() && --held->second == 0) held_per_account_.erase(held);
  slot.depositor.clear();
  slot.held_bytes = 0;
}

size_t ProvisioningSlots::ExpireSlots() {
  std::vector<std::shared_ptr<ProvisioningWaiter>> expired;
  size_t removed = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_.NowUnixMs();
    for (auto it = slots_.begin(); it != slots_.end();) {
      Slot& slot = it->second;
      if (slot.expires_at_ms > now) {
        ++it;
        continue;
      }
      // A write still in flight holds its bytes until it completes; they
      // count as free from now (bounded by the slot count meanwhile).
      ReleaseLocked(slot);
      if (slot.waiter != nullptr) expired.push_back(std::move(slot.waiter));
      it = slots_.erase(it);
      ++removed;
    }
  }
  for (auto& waiter : expired) {
    waiter->End(Status::DeadlineExceeded(
        "the link code expired before an existing device used it; show a new one"));
  }
  opens_per_source_.Prune();
  return removed;
}

void ProvisioningSlots::Shutdown() {
  std::vector<std::shared_ptr<ProvisioningWaiter>> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
    for (auto& [channel, slot] : slots_) {
      if (slot.waiter != nullptr) waiters.push_back(std::move(slot.waiter));
    }
  }
  for (auto& waiter : waiters) waiter->End(Status::Unavailable("server is shutting down"));
}

size_t ProvisioningSlots::SlotCountForTesting() {
  std::lock_guard<std::mutex> lock(mu_);
  return slots_.size();
}

uint64_t ProvisioningSlots::HeldBytesForTesting() {
  std::lock_guard<std::mutex> lock(mu_);
  return held_bytes_;
}

}  // namespace securebase::server
