// A fixed pool of threads for RPC work that blocks (synced RocksDB writes).
// gRPC's callback threads hand work here and return at once, so many synced
// writes are in flight together and RocksDB commits them as a group.
//
// Thread-safety: thread-safe.
#ifndef SECUREBASE_SERVER_SERVICE_WORK_QUEUE_H_
#define SECUREBASE_SERVER_SERVICE_WORK_QUEUE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace securebase::server {

class WorkQueue {
 public:
  // `max_queued`: tasks waiting for a thread beyond which TryPost refuses.
  WorkQueue(size_t threads, size_t max_queued);
  // Runs what was queued, then joins.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `task` whatever the queue's length (for work already admitted,
  // e.g. the second half of a call). False (and `task` not run) after Stop().
  [[nodiscard]] bool Post(std::function<void()> task);
  // Queues `task` unless max_queued tasks are waiting: new calls are refused
  // rather than queued behind a flood (their callers' latency would grow
  // without bound).
  enum class PostResult { kQueued, kFull, kStopped };
  [[nodiscard]] PostResult TryPost(std::function<void()> task);
  // Runs what was queued, refuses more, joins the threads. Idempotent.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // Guarded by mu_.
  bool stopping_ = false;                    // Guarded by mu_.
  const size_t max_queued_;
  std::vector<std::thread> threads_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_WORK_QUEUE_H_
