// Measurement helpers for the fault benchmarks: latency samples with
// percentiles, status-code tallies, a server's resident memory, and the
// accounts every mode sets up.
#ifndef SECUREBASE_BENCH_FAULTS_SAMPLING_H_
#define SECUREBASE_BENCH_FAULTS_SAMPLING_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/common/measure.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::bench {

namespace it = ::securebase::integration;

// Latencies and status codes from many threads. Thread-safe.
class Tally {
 public:
  void Add(grpc::StatusCode code, std::chrono::nanoseconds latency);
  // Adds everything `other` holds (not `this`).
  void Merge(const Tally& other);
  // Percentile `p` in [0, 100] of the latencies of OK calls, in ms; 0 when
  // there are none. Nearest-rank.
  double PercentileMs(double p) const;
  int64_t Count(grpc::StatusCode code) const;
  int64_t Total() const;
  // "OK=812 RESOURCE_EXHAUSTED=3".
  std::string CodesString() const;

 private:
  mutable std::mutex mu_;
  std::vector<int64_t> ok_latency_ns_;         // Guarded by mu_.
  std::map<grpc::StatusCode, int64_t> codes_;  // Guarded by mu_.
};

// User + system CPU seconds of `pid` (ProcessCpuMicros); -1 if unreadable.
double CpuSeconds(pid_t pid);

// Therapists and clients, client c linked to therapist c % therapists.
struct Accounts {
  std::vector<std::unique_ptr<it::TestAccount>> therapists;
  std::vector<std::unique_ptr<it::TestAccount>> clients;
  const it::TestAccount& TherapistOf(size_t client) const {
    return *therapists[client % therapists.size()];
  }
};
// False (with the reason on stderr) if an account could not be set up.
bool MakeAccounts(std::shared_ptr<it::Api> api, int therapists, int clients, Accounts* out);

// One Send from `from` to `to` with a fresh client message id; `deadline`
// per call.
grpc::Status SendOnce(it::Api& api, const it::TestAccount& from, const it::TestAccount& to,
                      const std::string& base, std::chrono::milliseconds deadline);

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_FAULTS_SAMPLING_H_
