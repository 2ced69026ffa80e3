#include "server/src/service/send_budget.h"

namespace securebase::server {

SendBudget::SendBudget(const Clock& clock, uint64_t bytes_per_day)
    : clock_(clock), bytes_per_day_(bytes_per_day) {}

int64_t SendBudget::Today() const { return clock_.NowUnixMs() / 86'400'000; }

bool SendBudget::Allows(const std::string& user_id, uint64_t bytes) {
  const int64_t today = Today();
  std::lock_guard<std::mutex> lock(mu_);
  auto found = used_.find(user_id);
  const uint64_t used =
      found != used_.end() && found->second.day == today ? found->second.bytes : 0;
  return used + bytes <= bytes_per_day_;
}

void SendBudget::Charge(const std::string& user_id, uint64_t bytes) {
  const int64_t today = Today();
  std::lock_guard<std::mutex> lock(mu_);
  Day& day = used_[user_id];
  if (day.day != today) day = Day{today, 0};
  day.bytes += bytes;
}

void SendBudget::Prune() {
  const int64_t today = Today();
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(used_, [today](const auto& entry) { return entry.second.day != today; });
}

}  // namespace securebase::server
