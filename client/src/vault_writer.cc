#include "vault_writer.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdlib>

namespace securebase::client {

void SealInto(const PendingWrites& writes, crypto::RecordSealer& sealer,
              rocksdb::WriteBatch& batch) {
  batch.Clear();
  for (const auto& [key, record] : writes) {
    if (!record) {
      batch.Delete(key);
      continue;
    }
    auto sealed = sealer.Seal(record->name, record->plaintext.span());
    // Only fails above kMaxSealedRecordSize, which no record kind reaches: a
    // bug here, not an input to handle.
    if (!sealed.ok()) std::abort();
    batch.Put(key, rocksdb::Slice(reinterpret_cast<const char*>(sealed->data()), sealed->size()));
  }
}

VaultWriter::VaultWriter(rocksdb::DB& db, std::unique_ptr<crypto::RecordSealer> sealer,
                         std::atomic<bool>& unsynced)
    : db_(db), sealer_(std::move(sealer)), unsynced_(unsynced), thread_([this] { Run(); }) {}

VaultWriter::~VaultWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    changed_.notify_all();
  }
  thread_.join();
}

void VaultWriter::Post(PendingBatch writes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure_.ok()) return;
  queue_.push_back(std::move(writes));
  changed_.notify_all();
}

std::vector<PendingBatch> VaultWriter::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<PendingBatch>(queue_.begin(), queue_.end());
}

Status VaultWriter::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return queue_.empty(); });
  return failure_;
}

Status VaultWriter::failure() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

void VaultWriter::Run() {
  rocksdb::WriteBatch batch;  // Reused: its buffer keeps its capacity.
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // Stopping, with everything written.
    // The front stays queued (and so readable through InFlight) until the
    // database has it.
    PendingBatch writes = queue_.front();
    lock.unlock();
    SealInto(*writes, *sealer_, batch);
    rocksdb::WriteOptions options;
    options.sync = false;  // Synced by Vault::SyncDeferred.
    rocksdb::Status written = db_.Write(options, &batch);
    if (written.ok()) unsynced_.store(true);
    lock.lock();
    if (written.ok()) {
      queue_.pop_front();
    } else {
      // Later batches were built on this one: none of them may be written.
      failure_ = Status(ErrorCode::kInternal, "cannot write the vault: " + written.ToString());
      queue_.clear();
    }
    changed_.notify_all();
  }
}

}  // namespace securebase::client
