// The writer of deferred vault commits (vault.h, Durability::kDeferred): a
// transaction's writes are handed over as plaintext records and sealed and
// written to the database on a thread of their own, strictly in the order
// they were posted, while the transacting thread goes on (a sync decrypts the
// next page meanwhile). Until a posted batch is written, later transactions
// read it from InFlight() (VaultTransaction looks there before the
// database), so they see exactly what they would see had it been written.
// Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_VAULT_WRITER_H_
#define SECUREBASE_CLIENT_SRC_VAULT_WRITER_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "securebase/client/status.h"
#include "securebase/crypto/record_sealer.h"
#include "securebase/crypto/secret.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace securebase::client {

// One record a transaction writes: its name (the associated data it is
// sealed with) and its plaintext, wiped when dropped.
struct PendingRecord {
  std::string name;
  crypto::SecretBytes plaintext;
};
// A transaction's writes by physical key; nullopt deletes the key.
using PendingWrites = std::map<std::string, std::optional<PendingRecord>>;
using PendingBatch = std::shared_ptr<const PendingWrites>;

// Seals every record of `writes` with `sealer` into `batch` (cleared first).
void SealInto(const PendingWrites& writes, crypto::RecordSealer& sealer,
              rocksdb::WriteBatch& batch);

// Thread-safety: Post, InFlight, Drain and failure may be called from any
// thread; posting is meant for the one transacting thread (the order of
// posts is the order of writes).
class VaultWriter {
 public:
  // `db` must outlive the writer; `sealer` seals every record it writes.
  // Sets `unsynced` after each write (unsynced: Durability::kDeferred).
  VaultWriter(rocksdb::DB& db, std::unique_ptr<crypto::RecordSealer> sealer,
              std::atomic<bool>& unsynced);
  VaultWriter(const VaultWriter&) = delete;
  VaultWriter& operator=(const VaultWriter&) = delete;
  // Writes what is still posted (Drain), then stops the thread.
  ~VaultWriter();

  // Queues one transaction's writes behind the ones posted before. After a
  // failure they are dropped (failure() says so).
  void Post(PendingBatch writes);
  // The posted batches not yet written, oldest first.
  std::vector<PendingBatch> InFlight() const;
  // Waits until every posted batch is written (to the log buffer, not
  // synced). Returns failure().
  Status Drain();
  // OK, or the first write that failed (kInternal); once failed, nothing
  // posted later is written.
  Status failure() const;

 private:
  void Run();

  rocksdb::DB& db_;
  std::unique_ptr<crypto::RecordSealer> sealer_;  // Only the writer thread uses it.
  std::atomic<bool>& unsynced_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<PendingBatch> queue_;  // Guarded by mu_; the front is being written.
  Status failure_;                  // Guarded by mu_.
  bool stopping_ = false;           // Guarded by mu_.
  std::thread thread_;              // Last: started once the rest exists.
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_VAULT_WRITER_H_
