#include "server/src/delivery/registry.h"

#include <algorithm>
#include <functional>

#include "server/src/store/keys.h"

namespace securebase::server {
namespace {

std::string KeyOf(const MailboxAddress& mailbox) {
  return keys::Device(mailbox.user_id, mailbox.device_id);
}

}  // namespace

DeliveryRegistry::DeliveryRegistry(uint32_t max_streams_per_device)
    : max_streams_per_device_(max_streams_per_device) {}

DeliveryRegistry::Shard& DeliveryRegistry::ShardFor(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

Status DeliveryRegistry::Register(const MailboxAddress& mailbox,
                                  std::shared_ptr<Subscriber> subscriber) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  // shutdown_mu_ then the shard: ShutdownAll takes them in the same order.
  std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
  if (shutting_down_) return Status::Unavailable("server is shutting down");
  std::lock_guard<std::mutex> lock(shard.mu);
  auto& streams = shard.streams[key];
  if (streams.size() >= max_streams_per_device_) {
    return Status::ResourceExhausted("too many open streams for this device (maximum " +
                                     std::to_string(max_streams_per_device_) + ")");
  }
  streams.push_back(std::move(subscriber));
  return Status::Ok();
}

void DeliveryRegistry::Unregister(const MailboxAddress& mailbox, const Subscriber* subscriber) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::shared_ptr<Subscriber> removed;  // Released after the lock.
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.streams.find(key);
  if (found == shard.streams.end()) return;
  auto& streams = found->second;
  auto it = std::find_if(streams.begin(), streams.end(),
                         [&](const auto& s) { return s.get() == subscriber; });
  if (it != streams.end()) {
    removed = std::move(*it);
    streams.erase(it);
  }
  if (streams.empty()) shard.streams.erase(found);
}

std::vector<std::shared_ptr<Subscriber>> DeliveryRegistry::StreamsOf(const MailboxAddress& mailbox) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.streams.find(key);
  if (found == shard.streams.end()) return {};
  return found->second;
}

void DeliveryRegistry::Notify(const MailboxAddress& mailbox) {
  for (auto& target : StreamsOf(mailbox)) target->Notify();
}

void DeliveryRegistry::Deliver(const MailboxAddress& mailbox, const v1::Envelope& envelope) {
  for (auto& target : StreamsOf(mailbox)) target->Deliver(envelope);
}

void DeliveryRegistry::ShutdownAll() {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
    shutting_down_ = true;
    for (Shard& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard.mu);
      for (auto& [key, streams] : shard.streams) {
        targets.insert(targets.end(), streams.begin(), streams.end());
      }
    }
  }
  for (auto& target : targets) target->Shutdown();
}

void DeliveryRegistry::MarkGiven(const MailboxAddress& mailbox, uint64_t seq) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  uint64_t& given = shard.given[key];
  given = std::max(given, seq);
}

uint64_t DeliveryRegistry::GivenUpTo(const MailboxAddress& mailbox) {
  std::string key = KeyOf(mailbox);
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto found = shard.given.find(key);
  return found == shard.given.end() ? 0 : found->second;
}

size_t DeliveryRegistry::StreamCountForTesting() {
  size_t count = 0;
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    for (auto& [key, streams] : shard.streams) count += streams.size();
  }
  return count;
}

}  // namespace securebase::server
