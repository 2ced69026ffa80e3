// A fixed array of mutexes indexed by a key's hash: per-key locking without a
// global lock or per-key allocation. Distinct keys may share a stripe (that
// only serialises them). To hold several stripes, lock them through
// LockStripes, which takes them in ascending index order (no deadlock).
#ifndef SECUREBASE_SERVER_COMMON_STRIPED_MUTEX_H_
#define SECUREBASE_SERVER_COMMON_STRIPED_MUTEX_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

namespace securebase::server {

template <size_t N>
class StripedMutex {
 public:
  static size_t StripeOf(std::string_view key) { return std::hash<std::string_view>{}(key) % N; }
  std::mutex& Stripe(size_t index) { return mutexes_[index]; }
  std::mutex& For(std::string_view key) { return mutexes_[StripeOf(key)]; }

  // Locks the distinct stripes of `indexes` in ascending order; unlocks on
  // destruction.
  class MultiLock {
   public:
    MultiLock(StripedMutex& striped, std::vector<size_t> indexes) : striped_(striped) {
      std::sort(indexes.begin(), indexes.end());
      indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
      indexes_ = std::move(indexes);
      for (size_t i : indexes_) striped_.mutexes_[i].lock();
    }
    ~MultiLock() {
      for (auto it = indexes_.rbegin(); it != indexes_.rend(); ++it) striped_.mutexes_[*it].unlock();
    }
    MultiLock(const MultiLock&) = delete;
    MultiLock& operator=(const MultiLock&) = delete;
    const std::vector<size_t>& indexes() const { return indexes_; }

   private:
    StripedMutex& striped_;
    std::vector<size_t> indexes_;
  };

 private:
  std::array<std::mutex, N> mutexes_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_COMMON_STRIPED_MUTEX_H_
