// One thread that commits the writes handed to it in order, many at a time:
// every write queued while the previous commit was syncing goes into the
// next RocksDB WriteBatch, with one WAL sync for all of them. Callers do not
// block (no thread waits out an fsync, and writers do not queue up inside
// RocksDB's write thread); each write's `done` runs on the commit thread once
// its group is durable, or failed, in submission order.
//
// Thread-safety: Submit() may be called from any thread.
#ifndef SECUREBASE_SERVER_STORE_GROUP_COMMIT_H_
#define SECUREBASE_SERVER_STORE_GROUP_COMMIT_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/src/common/status.h"

namespace securebase::server {

class GroupCommitter {
 public:
  enum class Op { kPut, kDelete };
  struct Put {
    rocksdb::ColumnFamilyHandle* family;
    std::string key;
    std::string value;  // Unused for kDelete.
    Op op = Op::kPut;
  };
  using Done = std::function<void(const Status&)>;
  // Writes one group's batch (synced as the store is configured).
  using WriteFn = std::function<Status(rocksdb::WriteBatch&)>;

  explicit GroupCommitter(WriteFn write);
  // Commits everything submitted so far, then joins the thread.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `puts` to be committed atomically (together with other writes of
  // the same group: a failed group fails every write in it). Writes commit
  // in the order of their Submit() calls.
  void Submit(std::vector<Put> puts, Done done);
  // Submit, waiting for the answer (for callers on a thread that may block).
  Status SubmitAndWait(std::vector<Put> puts);

 private:
  struct Pending {
    std::vector<Put> puts;
    Done done;
  };
  void Loop();

  WriteFn write_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> queue_;  // Guarded by mu_.
  bool stopping_ = false;       // Guarded by mu_.
  std::thread thread_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_STORE_GROUP_COMMIT_H_
