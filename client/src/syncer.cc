#include "syncer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "account.h"

namespace securebase::client {
namespace {

using QueuedReceipts = std::vector<std::pair<uint64_t, records::OutboxEntry>>;

// The finisher of the Sync pipeline (syncer.h), on its own thread: for the
// committed pages posted to it, in order, makes them durable, acknowledges
// the highest, then sends the receipts they queued. Pages posted while it
// works are taken together (one log sync, one acknowledgement).
class PageFinisher {
 public:
  explicit PageFinisher(ClientCore& core) : core_(core), thread_([this] { Run(); }) {}
  PageFinisher(const PageFinisher&) = delete;
  PageFinisher& operator=(const PageFinisher&) = delete;
  ~PageFinisher() { Stop(); }

  // A page committed with Durability::kDeferred: acknowledge up to
  // `last_seq` once it is durable, then send `receipts` (already in the
  // outbox, so a failure only leaves them there).
  void Post(uint64_t last_seq, QueuedReceipts receipts) {
    std::lock_guard<std::mutex> lock(mu_);
    pages_.push_back(Page{last_seq, std::move(receipts)});
    wake_.notify_one();
  }

  // A step failed: the pipeline should stop.
  bool failed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return !failure_.ok();
  }

  // The outbox indexes of receipts the server took since the last call.
  std::vector<uint64_t> TakeSent() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(sent_, {});
  }

  // Finishes every posted page and stops the thread. Returns the first
  // failure (a log sync or an acknowledgement); appends the receipts that
  // need Sender::Deliver (a device list to repair, a refusal) to `unsent`.
  Status Finish(QueuedReceipts& unsent) {
    Stop();
    for (auto& receipt : unsent_) unsent.push_back(std::move(receipt));
    unsent_.clear();
    return failure_;
  }

  // After Finish(): the highest seq the server took an acknowledgement for
  // (0 if none).
  uint64_t acked_through() const { return acked_through_; }

 private:
  struct Page {
    uint64_t last_seq;
    QueuedReceipts receipts;
  };

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      wake_.wait(lock, [&] { return !pages_.empty() || stopping_; });
      if (pages_.empty()) return;
      std::vector<Page> pages(std::make_move_iterator(pages_.begin()),
                              std::make_move_iterator(pages_.end()));
      pages_.clear();
      const bool failed = !failure_.ok();
      lock.unlock();
      std::vector<uint64_t> sent;
      Status status = failed ? Status::Ok() : FinishPages(pages, sent);
      lock.lock();
      if (failure_.ok()) failure_ = status;
      sent_.insert(sent_.end(), sent.begin(), sent.end());
    }
  }

  // Unlocked: only this thread touches unsent_ and receipts_stopped_ until
  // Finish() has joined it.
  Status FinishPages(std::vector<Page>& pages, std::vector<uint64_t>& sent) {
    SB_RETURN_IF_ERROR(core_.SyncDeferred());
    if (core_.Fault(FaultPoint::kAfterCommitBeforeAcknowledge)) {
      return Status(ErrorCode::kUnavailable, "interrupted before acknowledging");
    }
    SB_RETURN_IF_ERROR(core_.server().Acknowledge(pages.back().last_seq));
    acked_through_ = std::max(acked_through_, pages.back().last_seq);
    if (core_.Fault(FaultPoint::kAfterAcknowledgeBeforeReceipts)) {
      return Status(ErrorCode::kUnavailable, "interrupted before sending delivered receipts");
    }
    for (Page& page : pages) {
      for (auto& [index, entry] : page.receipts) {
        if (receipts_stopped_) return Status::Ok();  // They stay in the outbox.
        Result<SendOutcome> outcome = core_.server().Send(RequestFor(entry));
        if (outcome.ok() && !outcome->mismatch) {
          sent.push_back(index);
        } else if (!outcome.ok() && outcome.status().code() == ErrorCode::kUnavailable) {
          receipts_stopped_ = true;
        } else {
          unsent_.emplace_back(index, std::move(entry));
        }
      }
    }
    return Status::Ok();
  }

  ClientCore& core_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Page> pages_;         // Guarded by mu_.
  bool stopping_ = false;          // Guarded by mu_.
  Status failure_ = Status::Ok();  // Guarded by mu_.
  std::vector<uint64_t> sent_;     // Guarded by mu_.
  QueuedReceipts unsent_;
  bool receipts_stopped_ = false;
  uint64_t acked_through_ = 0;
  std::thread thread_;  // Last: started once the rest exists.
};

uint64_t HighestSeq(const std::vector<Envelope>& envelopes) {
  uint64_t highest = 0;
  for (const Envelope& envelope : envelopes) highest = std::max(highest, envelope.seq);
  return highest;
}

}  // namespace

void Syncer::DeliverReceipts(QueuedReceipts& queued, std::vector<uint64_t>* sent_receipts) {
  for (auto& [index, entry] : queued) {
    Status sent = sender_.Deliver(index, std::move(entry), sent_receipts);
    // Unsent ones stay in the outbox for the next sync; a refused one is
    // dropped by Deliver (an ended link: not worth a fuss).
    if (!sent.ok() && sent.code() == ErrorCode::kUnavailable) break;
  }
  queued.clear();
}

void Syncer::RemoveSentReceipts(std::vector<uint64_t>& sent_receipts, Durability durability) {
  if (sent_receipts.empty()) return;
  core_
      .Transact(
          [&](Stores& stores) {
            for (uint64_t index : sent_receipts) stores.outbox().Remove(index);
            return Status::Ok();
          },
          durability)
      .IgnoreError();  // At worst sent again.
  sent_receipts.clear();
}

Result<SyncResult> Syncer::Sync() {
  // One lock and one database open for the whole sync (every page, its
  // acknowledgement and its receipts).
  SB_ASSIGN_OR_RETURN(VaultHold hold, core_.Hold());
  // The outbox entries of receipts already sent: removed with the next
  // page's commit, else here, unsynced: if that write is lost they are sent
  // once more (same client message ids, stored once by the server).
  std::vector<uint64_t> sent_receipts;
  Result<SyncResult> result = SyncPages(sent_receipts);
  RemoveSentReceipts(sent_receipts, Durability::kDeferred);
  return result;
}

std::future<Result<EnvelopePage>> Syncer::FetchAhead(uint64_t after) {
  return std::async(std::launch::async,
                    [this, after] { return core_.server().Fetch(after, kFetchPageSize); });
}

Result<SyncResult> Syncer::SyncPages(std::vector<uint64_t>& sent_receipts) {
  SyncResult result;
  // The first page travels while the links and the outbox are seen to.
  std::future<Result<EnvelopePage>> first = FetchAhead(acked_through_);
  // Links made or ended by the other side since the last sync.
  SB_RETURN_IF_ERROR(contacts_.RefreshLinks());
  SB_RETURN_IF_ERROR(sender_.FlushOutbox(&result.outbox_sent));
  // Receipts owed from a sync that was interrupted after its commit.
  sender_.SendPendingReceipts().IgnoreError();  // They stay pending if this fails.
  bool receipts_pending = false;
  SB_RETURN_IF_ERROR(ReceivePages(std::move(first), result, sent_receipts, receipts_pending));
  // Receipts that could only be kept as pending ones (sent through Send()).
  if (receipts_pending) sender_.SendPendingReceipts().IgnoreError();
  // Keep enough one-time prekeys for others' first contact; failing here
  // costs nothing now (first contact works without one).
  ReplenishPreKeys(core_).IgnoreError();
  core_.PersistTokenIfChanged();
  return result;
}

Status Syncer::ReceivePages(std::future<Result<EnvelopePage>> next, SyncResult& result,
                            std::vector<uint64_t>& sent_receipts, bool& receipts_pending) {
  PageFinisher finisher(core_);
  Status failure = Status::Ok();
  // Envelopes processed but not acknowledged (a crash, a failed
  // acknowledgement) come back once: the receiver skips them by its cursor.
  uint64_t after = acked_through_;
  while (next.valid()) {
    Result<EnvelopePage> fetched = next.get();
    if (!fetched.ok()) {
      failure = fetched.status();
      break;
    }
    if (fetched->envelopes.empty()) break;
    const uint64_t highest = HighestSeq(fetched->envelopes);
    if (highest <= after) {
      failure = Status(ErrorCode::kInvalidServerResponse,
                       "the server sent messages again that were not asked for");
      break;
    }
    after = highest;
    if (fetched->more) next = FetchAhead(after);  // Fetched while this page is processed.
    std::vector<uint64_t> remove = finisher.TakeSent();
    remove.insert(remove.end(), sent_receipts.begin(), sent_receipts.end());
    Result<PageOutcome> page =
        receiver_.ProcessPage(fetched->envelopes, remove, Durability::kDeferred);
    if (!page.ok()) {
      sent_receipts = std::move(remove);  // Not removed: the caller tries again.
      failure = page.status();
      break;
    }
    sent_receipts.clear();  // Removed by that commit.
    if (core_.Fault(FaultPoint::kAfterCommitBeforeSync)) {
      failure = Status(ErrorCode::kUnavailable, "interrupted before the commit was durable");
      break;
    }
    finisher.Post(page->last_seq, std::move(page->receipts_queued));
    result.envelopes += static_cast<uint32_t>(fetched->envelopes.size());
    receipts_pending = receipts_pending || page->receipts_pending;
    for (auto& item : page->new_items) result.new_items.push_back(std::move(item));
    for (auto& warning : page->warnings) result.warnings.push_back(std::move(warning));
    for (auto& update : page->delivery_updates)
      result.delivery_updates.push_back(std::move(update));
    for (auto& user : page->changed_contacts) result.changed_contacts.push_back(std::move(user));
    if (finisher.failed()) break;
  }
  if (next.valid()) next.wait();  // A fetch ahead of a failure: not used.
  QueuedReceipts unsent;
  Status finished = finisher.Finish(unsent);
  NoteAcknowledged(finisher.acked_through());
  std::vector<uint64_t> sent = finisher.TakeSent();
  sent_receipts.insert(sent_receipts.end(), sent.begin(), sent.end());
  // Whatever was committed is made durable, even when a step failed.
  Status durable = core_.SyncDeferred();
  if (failure.ok()) failure = finished;
  if (failure.ok()) failure = durable;
  SB_RETURN_IF_ERROR(failure);
  DeliverReceipts(unsent, &sent_receipts);
  return Status::Ok();
}

}  // namespace securebase::client
