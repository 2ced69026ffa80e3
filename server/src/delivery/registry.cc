#include "server/src/delivery/registry.h"

#include <algorithm>
#include <functional>

#include "server/src/store/keys.h"

namespace securebase::server {
namespace {

std::string KeyOf(const MailboxAddress& mailbox) {
  return keys::Device(mailbox.user_id, mailbox.device_id);
}

using Ready = std::vector<std::pair<DeliveryRegistry::AckDecision, Result<AckRange>>>;

void RunReady(Ready& ready) {
  for (auto& [decide, answer] : ready) decide(std::move(answer));
}

}  // namespace

DeliveryRegistry::DeliveryRegistry(StreamLimits limits) : limits_(limits) {}

DeliveryRegistry::~DeliveryRegistry() {
  // Acknowledgements still waiting get an answer: their RPCs must finish.
  Ready ready;
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    for (auto& [key, device] : shard.devices) {
      for (auto& waiter : device.waiters) {
        ready.emplace_back(std::move(waiter.decide),
                           Status::Unavailable("server is shutting down"));
      }
      device.waiters.clear();
    }
  }
  RunReady(ready);
}

DeliveryRegistry::Shard& DeliveryRegistry::ShardFor(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

Status DeliveryRegistry::Register(const MailboxAddress& mailbox,
                                  std::shared_ptr<Subscriber> subscriber) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::shared_ptr<Subscriber> replaced;
  Ready ready;
  {
    // shutdown_mu_ then the shard: ShutdownAll takes them in the same order.
    std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
    if (shutting_down_) return Status::Unavailable("server is shutting down");
    std::lock_guard<std::mutex> lock(shard.mu);
    Device& device = shard.devices[key];
    if (!device.streams.empty() && device.streams.size() >= limits_.per_device) {
      // A device that lost its network silently still has streams here until
      // keepalive notices; its newest stream is the one that works.
      replaced = std::move(device.streams.front());
      device.streams.erase(device.streams.begin());
      std::erase_if(device.writing, [&](const Write& w) { return w.stream == replaced.get(); });
      SettleWaitersLocked(device, ready);
    } else {
      std::lock_guard<std::mutex> counts_lock(counts_mu_);
      uint32_t& account = per_account_[mailbox.user_id];
      if (account >= limits_.per_account || total_ >= limits_.total) {
        bool account_full = account >= limits_.per_account;
        if (account == 0) per_account_.erase(mailbox.user_id);
        if (device.streams.empty() && !device.given && device.writing.empty()) {
          shard.devices.erase(key);
        }
        return Status::ResourceExhausted(account_full
                                             ? "too many open streams for this account (maximum " +
                                                   std::to_string(limits_.per_account) + ")"
                                             : "the server has too many open streams; retry later");
      }
      ++account;
      ++total_;
    }
    device.streams.push_back(std::move(subscriber));
  }
  RunReady(ready);
  if (replaced) replaced->End(EndReason::kReplaced);
  return Status::Ok();
}

void DeliveryRegistry::ReleaseCountsLocked(const std::string& user_id, size_t streams) {
  std::lock_guard<std::mutex> counts_lock(counts_mu_);
  auto found = per_account_.find(user_id);
  if (found != per_account_.end()) {
    found->second -= std::min<uint32_t>(found->second, static_cast<uint32_t>(streams));
    if (found->second == 0) per_account_.erase(found);
  }
  total_ -= std::min<uint32_t>(total_, static_cast<uint32_t>(streams));
}

void DeliveryRegistry::Unregister(const MailboxAddress& mailbox, const Subscriber* subscriber) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::shared_ptr<Subscriber> removed;  // Released after the lock.
  Ready ready;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    auto found = shard.devices.find(key);
    if (found == shard.devices.end()) return;
    Device& device = found->second;
    std::erase_if(device.writing, [&](const Write& w) { return w.stream == subscriber; });
    auto it = std::find_if(device.streams.begin(), device.streams.end(),
                           [&](const auto& s) { return s.get() == subscriber; });
    if (it != device.streams.end()) {
      removed = std::move(*it);
      device.streams.erase(it);
      ReleaseCountsLocked(mailbox.user_id, 1);
    }
    SettleWaitersLocked(device, ready);
  }
  RunReady(ready);
}

std::vector<std::shared_ptr<Subscriber>> DeliveryRegistry::StreamsOf(const MailboxAddress& mailbox) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.devices.find(key);
  if (found == shard.devices.end()) return {};
  return found->second.streams;
}

void DeliveryRegistry::Notify(const MailboxAddress& mailbox) {
  for (auto& target : StreamsOf(mailbox)) target->Notify();
}

void DeliveryRegistry::Deliver(const MailboxAddress& mailbox, const v1::Envelope& envelope) {
  for (auto& target : StreamsOf(mailbox)) target->Deliver(envelope);
}

void DeliveryRegistry::EndDevice(const MailboxAddress& mailbox, EndReason reason) {
  // Each stream unregisters itself when it finishes.
  for (auto& target : StreamsOf(mailbox)) target->End(reason);
}

void DeliveryRegistry::ShutdownAll() {
  std::vector<std::shared_ptr<Subscriber>> targets;
  Ready ready;
  {
    std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
    shutting_down_ = true;
    for (Shard& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard.mu);
      for (auto& [key, device] : shard.devices) {
        targets.insert(targets.end(), device.streams.begin(), device.streams.end());
        for (auto& waiter : device.waiters) {
          ready.emplace_back(std::move(waiter.decide),
                             Status::Unavailable("server is shutting down"));
        }
        device.waiters.clear();
      }
    }
  }
  RunReady(ready);
  for (auto& target : targets) target->End(EndReason::kShutdown);
}

size_t DeliveryRegistry::EndStalled(std::chrono::steady_clock::time_point now,
                                    std::chrono::milliseconds timeout) {
  std::vector<std::shared_ptr<Subscriber>> all;
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    for (auto& [key, device] : shard.devices) {
      if (!device.writing.empty()) {
        all.insert(all.end(), device.streams.begin(), device.streams.end());
      }
    }
  }
  size_t ended = 0;
  for (auto& stream : all) {
    auto started = stream->WriteStartedAt();
    if (started.has_value() && now - *started > timeout) {
      stream->End(EndReason::kStalled);
      ++ended;
    }
  }
  return ended;
}

void DeliveryRegistry::MergeGivenLocked(Device& device, Range range) {
  if (range.last <= range.after) return;
  if (device.given.has_value() && range.after <= device.given->last &&
      device.given->after <= range.last) {
    device.given->after = std::min(device.given->after, range.after);
    device.given->last = std::max(device.given->last, range.last);
  } else {
    // Disjoint: keep the newest. What the older range covered is delivered
    // again later, never deleted unseen.
    device.given = range;
  }
}

std::optional<AckRange> DeliveryRegistry::DecideLocked(const Device& device, uint64_t up_to,
                                                       bool may_wait) {
  if (up_to == 0) return AckRange{0, 0};
  const std::optional<Range>& given = device.given;
  if (given.has_value() && up_to <= given->last) return AckRange{given->after, up_to};
  const uint64_t given_last = given.has_value() ? given->last : 0;
  if (may_wait) {
    for (const Write& write : device.writing) {
      // Its completion may extend (or replace) the range toward up_to.
      if (write.range.last > given_last) return std::nullopt;
    }
  }
  // Asked beyond what was given: delete what was, the rest comes again.
  if (!given.has_value()) return AckRange{0, 0};
  return AckRange{given->after, given->last};
}

void DeliveryRegistry::SettleWaitersLocked(Device& device, Ready& ready) {
  for (auto it = device.waiters.begin(); it != device.waiters.end();) {
    auto answer = DecideLocked(device, it->up_to, /*may_wait=*/true);
    if (!answer.has_value()) {
      ++it;
      continue;
    }
    ready.emplace_back(std::move(it->decide), *answer);
    it = device.waiters.erase(it);
  }
}

size_t DeliveryRegistry::ExpireAckWaiters(std::chrono::steady_clock::time_point now,
                                          std::chrono::milliseconds max_wait) {
  Ready ready;
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    for (auto& [key, device] : shard.devices) {
      for (auto it = device.waiters.begin(); it != device.waiters.end();) {
        if (now - it->since < max_wait) {
          ++it;
          continue;
        }
        ready.emplace_back(std::move(it->decide),
                           *DecideLocked(device, it->up_to, /*may_wait=*/false));
        it = device.waiters.erase(it);
      }
    }
  }
  RunReady(ready);
  return ready.size();
}

void DeliveryRegistry::MarkGiven(const MailboxAddress& mailbox, uint64_t after, uint64_t last) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  Ready ready;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    Device& device = shard.devices[key];
    MergeGivenLocked(device, {after, last});
    SettleWaitersLocked(device, ready);
  }
  RunReady(ready);
}

void DeliveryRegistry::StartedWrite(const MailboxAddress& mailbox, const Subscriber* stream,
                                    uint64_t after, uint64_t last) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.devices.find(key);
  if (found == shard.devices.end()) return;  // Not registered (any more).
  Device& device = found->second;
  bool registered = std::any_of(device.streams.begin(), device.streams.end(),
                                [&](const auto& s) { return s.get() == stream; });
  if (!registered) return;
  std::erase_if(device.writing, [&](const Write& w) { return w.stream == stream; });
  device.writing.push_back({stream, {after, last}});
}

void DeliveryRegistry::FinishedWrite(const MailboxAddress& mailbox, const Subscriber* stream,
                                     bool ok) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  Ready ready;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    auto found = shard.devices.find(key);
    if (found == shard.devices.end()) return;
    Device& device = found->second;
    auto it = std::find_if(device.writing.begin(), device.writing.end(),
                           [&](const Write& w) { return w.stream == stream; });
    if (it == device.writing.end()) return;
    if (ok) MergeGivenLocked(device, it->range);
    device.writing.erase(it);
    SettleWaitersLocked(device, ready);
  }
  RunReady(ready);
}

std::optional<Result<AckRange>> DeliveryRegistry::AwaitGiven(const MailboxAddress& mailbox,
                                                             uint64_t up_to, AckDecision later) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.devices.find(key);
  if (found == shard.devices.end()) return Result<AckRange>(AckRange{0, 0});
  Device& device = found->second;
  // Too many waiting already: answer with what was given, without waiting.
  const bool may_wait = device.waiters.size() < kMaxWaitersPerDevice;
  auto answer = DecideLocked(device, up_to, may_wait);
  if (answer.has_value()) return Result<AckRange>(*answer);
  device.waiters.push_back({up_to, std::move(later), std::chrono::steady_clock::now()});
  return std::nullopt;
}

size_t DeliveryRegistry::StreamCountForTesting() {
  size_t count = 0;
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    for (auto& [key, device] : shard.devices) count += device.streams.size();
  }
  return count;
}

}  // namespace securebase::server
