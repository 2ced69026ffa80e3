#include "syncer.h"

#include <chrono>
#include <thread>

#include "account.h"

namespace securebase::client {
namespace {

// The server's cap (it also stops a page at 3 MiB): fewer, larger pages mean
// fewer vault transactions, fsyncs and acknowledgements per message.
constexpr uint32_t kFetchPageSize = 1000;

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

}  // namespace

void Syncer::SendQueuedReceipts(std::vector<std::pair<uint64_t, records::OutboxEntry>>& queued,
                                std::vector<uint64_t>* sent_receipts) {
  for (auto& [index, entry] : queued) {
    Status sent = sender_.Deliver(index, std::move(entry), sent_receipts);
    // Unsent ones stay in the outbox for the next sync; a refused one is
    // dropped by Deliver (an ended link: not worth a fuss).
    if (!sent.ok() && sent.code() == ErrorCode::kUnavailable) break;
  }
}

Result<SyncResult> Syncer::Sync() {
  // One lock and one database open for the whole sync (every page, its
  // acknowledgement and its receipts); each page is still its own synced
  // commit before its acknowledgement.
  SB_ASSIGN_OR_RETURN(VaultHold hold, core_.Hold());
  // The outbox entries of receipts already sent: removed with the next
  // page's commit, else here. If that write is lost they are sent once more
  // (same client message ids, stored once by the server).
  std::vector<uint64_t> sent_receipts;
  Result<SyncResult> result = SyncPages(sent_receipts);
  if (!sent_receipts.empty()) {
    core_
        .Transact([&](Stores& stores) {
          for (uint64_t index : sent_receipts) stores.outbox().Remove(index);
          return Status::Ok();
        })
        .IgnoreError();  // See above: at worst sent again.
  }
  return result;
}

Result<SyncResult> Syncer::SyncPages(std::vector<uint64_t>& sent_receipts) {
  SyncResult result;
  // Links made or ended by the other side since the last sync.
  SB_RETURN_IF_ERROR(contacts_.RefreshLinks());
  SB_RETURN_IF_ERROR(sender_.FlushOutbox(&result.outbox_sent));
  // Receipts owed from a sync that was interrupted after its commit.
  sender_.SendPendingReceipts().IgnoreError();  // They stay pending if this fails.
  uint64_t after = 0;  // From 0: envelopes processed but not acknowledged come back once.
  for (;;) {
    SB_ASSIGN_OR_RETURN(EnvelopePage fetched, core_.server().Fetch(after, kFetchPageSize));
    if (fetched.envelopes.empty()) break;
    SB_ASSIGN_OR_RETURN(PageOutcome page, receiver_.ProcessPage(fetched.envelopes, sent_receipts));
    sent_receipts.clear();  // Removed by that commit.
    if (core_.Fault(FaultPoint::kAfterCommitBeforeAcknowledge)) {
      return Status(ErrorCode::kUnavailable, "interrupted before acknowledging");
    }
    SB_RETURN_IF_ERROR(core_.server().Acknowledge(page.last_seq));
    result.envelopes += static_cast<uint32_t>(fetched.envelopes.size());
    // Unsent receipts stay in the vault (outbox, pending) for the next sync.
    SendQueuedReceipts(page.receipts_queued, &sent_receipts);
    if (page.receipts_pending) sender_.SendPendingReceipts().IgnoreError();
    for (auto& item : page.new_items) result.new_items.push_back(std::move(item));
    for (auto& warning : page.warnings) result.warnings.push_back(std::move(warning));
    for (auto& update : page.delivery_updates) result.delivery_updates.push_back(std::move(update));
    for (auto& user : page.changed_contacts) result.changed_contacts.push_back(std::move(user));
    after = page.last_seq;
    if (!fetched.more) break;
  }
  // Keep enough one-time prekeys for others' first contact; failing here
  // costs nothing now (first contact works without one).
  ReplenishPreKeys(core_).IgnoreError();
  core_.PersistTokenIfChanged();
  return result;
}

Status Syncer::Watch(const WatchCallbacks& callbacks, const std::atomic<bool>& stop) {
  SB_ASSIGN_OR_RETURN(SyncResult initial, Sync());
  Report(callbacks, initial.new_items, initial.warnings, initial.delivery_updates,
         initial.changed_contacts);
  while (!stop.load()) {
    SB_ASSIGN_OR_RETURN(std::unique_ptr<EnvelopeStream> stream, core_.server().Subscribe(0));
    std::atomic<bool> finished{false};
    std::thread canceller([&] {
      while (!finished.load() && !stop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (stop.load()) stream->Cancel();
    });
    if (stream->WaitUntilRegistered() && callbacks.on_live && !stop.load()) callbacks.on_live();
    Envelope envelope;
    Status failure = Status::Ok();
    while (failure.ok() && stream->Read(envelope)) {
      std::optional<PageOutcome> page;
      {
        // The vault is held while this envelope is handled: not while waiting
        // for the next one, nor while the callbacks run.
        auto hold = core_.Hold();
        if (!hold.ok()) {
          failure = hold.status();
          break;
        }
        auto processed = receiver_.ProcessPage({envelope}, {});
        if (!processed.ok()) {
          failure = processed.status();
          break;
        }
        page = std::move(processed).value();
        failure = core_.server().Acknowledge(page->last_seq);
        if (failure.ok()) {
          SendQueuedReceipts(page->receipts_queued, nullptr);  // Kept in the vault until sent.
          if (page->receipts_pending) sender_.SendPendingReceipts().IgnoreError();
        }
      }
      Report(callbacks, page->new_items, page->warnings, page->delivery_updates,
             page->changed_contacts);
    }
    if (!failure.ok()) stream->Cancel();
    Status ended = stream->Finish();
    finished = true;
    canceller.join();
    if (stop.load()) return Status::Ok();
    if (!failure.ok()) return failure;
    // Token expired while subscribed: the next Subscribe logs in again.
    if (ended.code() == ErrorCode::kUnauthenticated) continue;
    return ended;
  }
  return Status::Ok();
}

}  // namespace securebase::client
