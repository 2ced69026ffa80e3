#include "watcher.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "backoff.h"

namespace securebase::client {
namespace {

// How often a waiting Watch looks at its stop flag.
constexpr auto kStopPoll = std::chrono::milliseconds(50);
// A subscription that lasted this long worked: the next pause starts small.
constexpr auto kStableSubscription = std::chrono::seconds(10);

// Envelopes from a live stream, queued by a reader thread for Watch. At most
// kMaxQueued wait: beyond that the reader stops reading, and the stream's
// flow control holds the rest at the server.
class EnvelopeQueue {
 public:
  static constexpr size_t kMaxQueued = 2 * kFetchPageSize;

  // Waits while the queue is full; false once Close() was called (the
  // envelope is dropped: it was not acknowledged, so it comes back).
  bool Push(Envelope envelope) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return envelopes_.size() < kMaxQueued || closed_; });
    if (closed_) return false;
    envelopes_.push_back(std::move(envelope));
    changed_.notify_all();
    return true;
  }
  // The stream ended: Take returns what is left, then false.
  void End() {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    changed_.notify_all();
  }
  // The consumer is done: a waiting Push returns false.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  // Waits until an envelope is queued, the stream ended or `stop` is set;
  // moves up to `limit` queued envelopes to `out`. False once the stream
  // ended and nothing is left, or when `stop` is set.
  bool Take(std::vector<Envelope>& out, size_t limit, const std::atomic<bool>& stop) {
    std::unique_lock<std::mutex> lock(mu_);
    while (envelopes_.empty() && !ended_ && !stop.load()) changed_.wait_for(lock, kStopPoll);
    if (stop.load()) return false;
    while (!envelopes_.empty() && out.size() < limit) {
      out.push_back(std::move(envelopes_.front()));
      envelopes_.pop_front();
    }
    changed_.notify_all();
    return !out.empty();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Envelope> envelopes_;  // Guarded by mu_.
  bool ended_ = false;              // Guarded by mu_.
  bool closed_ = false;             // Guarded by mu_.
};

// Waits for `pause`, or until `stop` is set.
void Pause(std::chrono::milliseconds pause, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + pause;
  for (auto now = std::chrono::steady_clock::now(); !stop.load() && now < until;
       now = std::chrono::steady_clock::now()) {
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(kStopPoll, until - now));
  }
}

// Hands what arrived to Watch's callbacks (any may be unset).
void Report(const WatchCallbacks& callbacks, const std::vector<HistoryItem>& items,
            const std::vector<std::string>& warnings,
            const std::vector<DeliveryUpdate>& delivery_updates,
            const std::vector<std::string>& changed_contacts) {
  if (callbacks.on_item) {
    for (const HistoryItem& item : items) callbacks.on_item(item);
  }
  if (callbacks.on_warning) {
    for (const std::string& warning : warnings) callbacks.on_warning(warning);
  }
  if (callbacks.on_delivery) {
    for (const DeliveryUpdate& update : delivery_updates) callbacks.on_delivery(update);
  }
  if (callbacks.on_contact_changed) {
    for (const std::string& user_id : changed_contacts) callbacks.on_contact_changed(user_id);
  }
}

std::string InSeconds(std::chrono::milliseconds pause) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f s", static_cast<double>(pause.count()) / 1000.0);
  return text;
}

}  // namespace

Status Watcher::Watch(const WatchCallbacks& callbacks, const std::atomic<bool>& stop) {
  auto warn = [&](const std::string& warning) {
    if (callbacks.on_warning) callbacks.on_warning(warning);
  };
  Backoff backoff(core_.rng());
  // Receipts sent but still in the outbox: removed with the next commit.
  std::vector<uint64_t> sent_receipts;
  // Subscriptions the server refused at once as unauthenticated, in a row.
  int quick_logins = 0;
  Status result = Status::Ok();
  while (!stop.load()) {
    // Catch up first: the outbox, the links, what arrived while not
    // subscribed.
    Status ended = Status::Ok();
    Result<SyncResult> synced = syncer_.Sync();
    if (synced.ok()) {
      Report(callbacks, synced->new_items, synced->warnings, synced->delivery_updates,
             synced->changed_contacts);
      const auto start = std::chrono::steady_clock::now();
      bool delivered = false;
      ended = Subscription(callbacks, stop, sent_receipts, delivered);
      if (stop.load()) break;
      const bool worked =
          delivered || std::chrono::steady_clock::now() - start >= kStableSubscription;
      if (worked) {
        backoff.Reset();
        quick_logins = 0;
      }
      // The login expired while subscribed: the next call logs in again. A
      // server that refuses the fresh login's subscription too is answered
      // with its error.
      if (ended.code() == ErrorCode::kUnauthenticated && ++quick_logins <= 1) continue;
    } else {
      ended = synced.status();
    }
    if (ended.code() != ErrorCode::kUnavailable) {
      result = ended;
      break;
    }
    const std::chrono::milliseconds pause = backoff.Next();
    const std::string why = ended.message() + "; trying again in " + InSeconds(pause);
    if (callbacks.on_offline) {
      callbacks.on_offline(why);
    } else {
      warn(why);
    }
    Pause(pause, stop);
  }
  syncer_.RemoveSentReceipts(sent_receipts, Durability::kSynced);
  return result;
}

Status Watcher::Subscription(const WatchCallbacks& callbacks, const std::atomic<bool>& stop,
                             std::vector<uint64_t>& sent_receipts, bool& delivered) {
  SB_ASSIGN_OR_RETURN(std::unique_ptr<EnvelopeStream> stream,
                      core_.server().Subscribe(syncer_.acked_through()));
  if (stream->WaitUntilRegistered() && callbacks.on_live && !stop.load()) callbacks.on_live();
  EnvelopeQueue queue;
  std::thread reader([&] {
    Envelope envelope;
    while (stream->Read(envelope)) {
      if (!queue.Push(std::move(envelope))) break;
    }
    queue.End();
  });
  Status failure = Status::Ok();
  std::vector<Envelope> batch;
  while (failure.ok() && queue.Take(batch, kFetchPageSize, stop)) {
    delivered = true;
    std::optional<PageOutcome> page;
    failure = HandleBatch(batch, sent_receipts, page);
    batch.clear();
    if (!page) continue;
    Report(callbacks, page->new_items, page->warnings, page->delivery_updates,
           page->changed_contacts);
  }
  // Cancelled only when this side ends the stream: after a cancel, Finish()
  // reports OK, not why the server ended it.
  if (stop.load() || !failure.ok()) stream->Cancel();
  queue.Close();
  reader.join();
  Status ended = stream->Finish();
  if (stop.load()) return Status::Ok();
  if (!failure.ok()) return failure;
  if (ended.ok()) return Status(ErrorCode::kUnavailable, "live updates: the server ended them");
  return ended;
}

Status Watcher::HandleBatch(const std::vector<Envelope>& batch,
                            std::vector<uint64_t>& sent_receipts,
                            std::optional<PageOutcome>& page) {
  // The vault is held while a batch is handled: not while waiting for the
  // next one, nor while the callbacks run.
  SB_ASSIGN_OR_RETURN(VaultHold hold, core_.Hold());
  SB_ASSIGN_OR_RETURN(PageOutcome processed, receiver_.ProcessPage(batch, sent_receipts));
  sent_receipts.clear();  // Removed by that commit.
  page = std::move(processed);
  if (core_.Fault(FaultPoint::kAfterCommitBeforeAcknowledge)) {
    return Status(ErrorCode::kUnavailable, "interrupted before acknowledging");
  }
  SB_RETURN_IF_ERROR(core_.server().Acknowledge(page->last_seq));
  syncer_.NoteAcknowledged(page->last_seq);
  if (core_.Fault(FaultPoint::kAfterAcknowledgeBeforeReceipts)) {
    return Status(ErrorCode::kUnavailable, "interrupted before sending delivered receipts");
  }
  syncer_.DeliverReceipts(page->receipts_queued, &sent_receipts);  // Kept in the vault until sent.
  if (page->receipts_pending) sender_.SendPendingReceipts().IgnoreError();
  return Status::Ok();
}

}  // namespace securebase::client
