#include "server/src/store/group_commit.h"

#include <future>
#include <utility>

namespace securebase::server {

GroupCommitter::GroupCommitter(WriteFn write) : write_(std::move(write)) {
  thread_ = std::thread([this] { Loop(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void GroupCommitter::Submit(std::vector<Put> puts, Done done) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_empty = queue_.empty();
    queue_.push_back({std::move(puts), std::move(done)});
  }
  // A non-empty queue means the thread is committing and will look again.
  if (was_empty) cv_.notify_one();
}

Status GroupCommitter::SubmitAndWait(std::vector<Put> puts) {
  std::promise<Status> answer;
  std::future<Status> future = answer.get_future();
  Submit(std::move(puts), [&answer](const Status& status) { answer.set_value(status); });
  return future.get();
}

void GroupCommitter::Loop() {
  std::vector<Pending> group;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // Stopping and drained.
      group.swap(queue_);
    }
    rocksdb::WriteBatch batch;
    for (const Pending& pending : group) {
      for (const Put& put : pending.puts) {
        switch (put.op) {
          case Op::kPut:
            batch.Put(put.family, put.key, put.value);
            break;
          case Op::kDelete:
            batch.Delete(put.family, put.key);
            break;
        }
      }
    }
    Status status = write_(batch);
    for (Pending& pending : group) pending.done(status);
    group.clear();
  }
}

}  // namespace securebase::server
