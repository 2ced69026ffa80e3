#include "bench/faults/sampling.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/process_stats.h"

namespace securebase::bench {

void Tally::Add(grpc::StatusCode code, std::chrono::nanoseconds latency) {
  std::lock_guard<std::mutex> lock(mu_);
  ++codes_[code];
  if (code == grpc::StatusCode::OK) ok_latency_ns_.push_back(latency.count());
}

void Tally::Merge(const Tally& other) {
  std::scoped_lock lock(mu_, other.mu_);
  ok_latency_ns_.insert(ok_latency_ns_.end(), other.ok_latency_ns_.begin(),
                        other.ok_latency_ns_.end());
  for (const auto& [code, count] : other.codes_) codes_[code] += count;
}

double Tally::PercentileMs(double p) const {
  std::vector<int64_t> sorted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sorted = ok_latency_ns_;
  }
  return bench::PercentileMs(sorted, p);
}

int64_t Tally::Count(grpc::StatusCode code) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = codes_.find(code);
  return it == codes_.end() ? 0 : it->second;
}

int64_t Tally::Total() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t total = 0;
  for (const auto& [code, count] : codes_) total += count;
  return total;
}

std::string Tally::CodesString() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream out;
  for (const auto& [code, count] : codes_) {
    if (out.tellp() > 0) out << ' ';
    out << it::CodeName(code) << '=' << count;
  }
  return out.str();
}

double CpuSeconds(pid_t pid) {
  int64_t micros = integration::ProcessCpuMicros(pid);
  return micros < 0 ? -1 : static_cast<double>(micros) / 1e6;
}

bool MakeAccounts(std::shared_ptr<it::Api> api, int therapists, int clients, Accounts* out) {
  for (int t = 0; t < therapists; ++t) {
    out->therapists.push_back(it::TestAccount::Create(api, it::v1::ROLE_THERAPIST, 1));
    if (!out->therapists.back()) return false;
  }
  for (int c = 0; c < clients; ++c) {
    out->clients.push_back(it::TestAccount::Create(api, it::v1::ROLE_CLIENT, 1));
    if (!out->clients.back()) return false;
    grpc::Status linked = it::LinkAccounts(
        *out->therapists[static_cast<size_t>(c) % out->therapists.size()], *out->clients.back());
    if (!linked.ok()) {
      std::cerr << "LinkAccounts: " << it::StatusString(linked) << "\n";
      return false;
    }
  }
  return true;
}

grpc::Status SendOnce(it::Api& api, const it::TestAccount& from, const it::TestAccount& to,
                      const std::string& base, std::chrono::milliseconds deadline) {
  const it::v1::SendRequest request = from.MakeSend(to, base);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  context.AddMetadata("authorization", "Bearer " + from.token(0));
  it::v1::SendResponse response;
  return api.messages->Send(&context, request, &response);
}

}  // namespace securebase::bench
