// How much one account's sends may store per UTC day (hardening finding 5:
// one account sent to its own devices at 100 MiB/s). Counts the stored
// ciphertext of every send (all copies), in memory: a restart starts the
// day's count again.
//
// Thread-safety: thread-safe.
#ifndef SECUREBASE_SERVER_SERVICE_SEND_BUDGET_H_
#define SECUREBASE_SERVER_SERVICE_SEND_BUDGET_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/src/common/clock.h"

namespace securebase::server {

class SendBudget {
 public:
  SendBudget(const Clock& clock, uint64_t bytes_per_day);

  // Whether `user_id` may store `bytes` more today.
  bool Allows(const std::string& user_id, uint64_t bytes);
  // Counts `bytes` stored by `user_id` today.
  void Charge(const std::string& user_id, uint64_t bytes);
  // Forgets earlier days.
  void Prune();

 private:
  struct Day {
    int64_t day = 0;  // Days since the epoch (UTC).
    uint64_t bytes = 0;
  };
  int64_t Today() const;

  const Clock& clock_;
  const uint64_t bytes_per_day_;
  std::mutex mu_;
  std::unordered_map<std::string, Day> used_;  // Guarded by mu_.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_SEND_BUDGET_H_
