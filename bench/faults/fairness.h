// Fairness under one flooding account: other accounts' Send latency with and
// without one account sending as fast as it can from several threads, on a
// server with the default per-account rate limit (50 rps, burst 100).
//
// Each round has two phases. Unloaded: the other accounts send at a steady
// pace for `phase`. Loaded: the flooder starts, its burst is spent during
// `warmup`, then the others send again for `phase` while it keeps flooding;
// then it stops. Rounds alternate the two so that background load on a
// shared machine falls on both alike; the percentiles pool all rounds.
// Latency is per Send call, OK calls only.
#ifndef SECUREBASE_BENCH_FAULTS_FAIRNESS_H_
#define SECUREBASE_BENCH_FAULTS_FAIRNESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace securebase::bench {

struct FairnessOptions {
  int others = 4;           // Accounts with ordinary traffic.
  double other_rate = 20;   // Sends/s per other account (limit: 50).
  int flooder_threads = 8;  // Closed loop, back to back.
  // Nice value of the flooder's client threads. 0 (the default): normal
  // priority, the strict case, where the flooder's own client CPU shares the
  // machine's cores with the server and the other accounts' clients. In
  // production the flooder's client runs on another machine; a positive
  // value approximates that on a small machine.
  int flooder_nice = 0;
  int rounds = 3;
  std::chrono::seconds phase{10};  // Measured time of each phase per round.
  std::chrono::seconds warmup{2};  // Flooder running before phase 2 counts.
};

struct FairnessResult {
  double unloaded_p50_ms = 0;
  double unloaded_p99_ms = 0;
  double loaded_p50_ms = 0;
  double loaded_p99_ms = 0;
  double p99_ratio = 0;  // loaded / unloaded.
  int64_t others_unloaded_ok = 0;
  int64_t others_loaded_ok = 0;
  int64_t others_resource_exhausted = 0;  // Both phases.
  int64_t others_other_errors = 0;        // Neither OK nor RESOURCE_EXHAUSTED.
  int64_t flooder_ok = 0;                 // While loaded (after warm-up).
  int64_t flooder_resource_exhausted = 0;
  int64_t flooder_other_errors = 0;
  double flooder_ok_per_second = 0;
  // CPU use over the measured phases, in cores (1.0 = one core busy): the
  // server, and this benchmark process (the flooder's client side included).
  double server_cores_unloaded = 0;
  double server_cores_loaded = 0;
  double bench_cores_unloaded = 0;
  double bench_cores_loaded = 0;
  std::string others_codes;  // "OK=... RESOURCE_EXHAUSTED=..." both phases.
  std::string flooder_codes;

  // The criteria: others' p99 at most 2x unloaded, the flooder
  // refused with RESOURCE_EXHAUSTED, the others never.
  bool Passed() const {
    return p99_ratio > 0 && p99_ratio <= 2.0 && flooder_resource_exhausted > 0 &&
           others_resource_exhausted == 0 && others_other_errors == 0;
  }
};

// False if the server or the accounts could not be set up.
bool RunFairness(const FairnessOptions& options, FairnessResult* result);

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_FAULTS_FAIRNESS_H_
