#include "bench/faults/fairness.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include "bench/faults/sampling.h"
#include "tests/server/integration/harness/server_process.h"

namespace securebase::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kDeadline(10000);

// The other accounts, each paced at `rate` sends/s from its own thread, for
// `duration`. A call that overruns its slot delays the next one (the pace is
// far below what the server handles unloaded).
void RunOthers(it::Api& api, const Accounts& accounts, size_t count, double rate,
               std::chrono::seconds duration, const std::string& tag, Tally* tally) {
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
  const auto start = Clock::now();
  const auto end = start + duration;
  std::vector<std::thread> threads;
  for (size_t c = 0; c < count; ++c) {
    threads.emplace_back([&, c] {
      // Stagger the accounts across one interval.
      auto next = start + interval * c / count;
      for (int n = 0; next < end; ++n, next += interval) {
        std::this_thread::sleep_until(next);
        const auto t0 = Clock::now();
        grpc::Status status =
            SendOnce(api, *accounts.clients[c], accounts.TherapistOf(c),
                     tag + "-" + std::to_string(c) + "-" + std::to_string(n), kDeadline);
        tally->Add(status.error_code(), Clock::now() - t0);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

}  // namespace

bool RunFairness(const FairnessOptions& options, FairnessResult* result) {
  *result = FairnessResult();
  // Default limits: the point is the per-account token bucket.
  it::ServerProcess server;
  if (::testing::AssertionResult started = server.Start(); !started) {
    std::cerr << "fairness: " << started.message() << "\n";
    return false;
  }
  auto api = std::make_shared<it::Api>(server.channel());
  // Client c is linked to therapist c (no shared mailboxes), the flooder is
  // the last client: only the per-account limit and the shared server stand
  // between it and the others.
  Accounts accounts;
  const int others = options.others;
  if (!MakeAccounts(api, /*therapists=*/others + 1, /*clients=*/others + 1, &accounts)) {
    std::cerr << "fairness: account setup failed\n";
    return false;
  }
  const size_t flooder = static_cast<size_t>(others);

  Tally unloaded;
  Tally loaded;
  Tally flood_warmup;
  Tally flood;
  double flood_seconds = 0;
  double unloaded_seconds = 0;
  // CPU seconds over the measured phases: [server, bench][unloaded, loaded].
  double cpu[2][2] = {{0, 0}, {0, 0}};
  const pid_t pid = server.pid();
  auto cpu_now = [&](double* out) {
    out[0] = CpuSeconds(pid);
    out[1] = CpuSeconds(::getpid());
  };
  double before[2];
  double after[2];
  for (int round = 1; round <= options.rounds; ++round) {
    std::cerr << "fairness: round " << round << "/" << options.rounds << ": unloaded, " << others
              << " accounts at " << options.other_rate << " sends/s each, " << options.phase.count()
              << " s\n";
    Tally round_unloaded;
    const auto unloaded_start = Clock::now();
    cpu_now(before);
    RunOthers(*api, accounts, flooder, options.other_rate, options.phase,
              "unloaded-" + std::to_string(round), &round_unloaded);
    cpu_now(after);
    unloaded_seconds += std::chrono::duration<double>(Clock::now() - unloaded_start).count();
    for (int i = 0; i < 2; ++i) cpu[i][0] += after[i] - before[i];

    std::atomic<bool> measuring{false};
    std::atomic<bool> stop{false};
    std::vector<std::thread> flooders;
    for (int f = 0; f < options.flooder_threads; ++f) {
      flooders.emplace_back([&, f] {
        if (options.flooder_nice != 0) {
          // Per thread on Linux: PRIO_PROCESS with a thread id.
          (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), options.flooder_nice);
        }
        for (int n = 0; !stop.load(); ++n) {
          const bool counted = measuring.load();
          const auto t0 = Clock::now();
          grpc::Status status = SendOnce(
              *api, *accounts.clients[flooder], accounts.TherapistOf(flooder),
              "flood-" + std::to_string(round) + "-" + std::to_string(f) + "-" + std::to_string(n),
              kDeadline);
          (counted ? flood : flood_warmup).Add(status.error_code(), Clock::now() - t0);
        }
      });
    }
    std::this_thread::sleep_for(options.warmup);
    measuring = true;
    std::cerr << "fairness: round " << round << ": loaded, " << options.flooder_threads
              << " flooder threads\n";
    Tally round_loaded;
    const auto flood_start = Clock::now();
    cpu_now(before);
    RunOthers(*api, accounts, flooder, options.other_rate, options.phase,
              "loaded-" + std::to_string(round), &round_loaded);
    cpu_now(after);
    flood_seconds += std::chrono::duration<double>(Clock::now() - flood_start).count();
    for (int i = 0; i < 2; ++i) cpu[i][1] += after[i] - before[i];
    stop = true;
    for (auto& thread : flooders) thread.join();
    std::cerr << "fairness: round " << round << ": others' p99 " << round_unloaded.PercentileMs(99)
              << " ms unloaded, " << round_loaded.PercentileMs(99) << " ms loaded\n";
    unloaded.Merge(round_unloaded);
    loaded.Merge(round_loaded);
  }

  result->unloaded_p50_ms = unloaded.PercentileMs(50);
  result->unloaded_p99_ms = unloaded.PercentileMs(99);
  result->loaded_p50_ms = loaded.PercentileMs(50);
  result->loaded_p99_ms = loaded.PercentileMs(99);
  result->p99_ratio =
      result->unloaded_p99_ms > 0 ? result->loaded_p99_ms / result->unloaded_p99_ms : 0;
  result->others_unloaded_ok = unloaded.Count(grpc::StatusCode::OK);
  result->others_loaded_ok = loaded.Count(grpc::StatusCode::OK);
  result->others_resource_exhausted = unloaded.Count(grpc::StatusCode::RESOURCE_EXHAUSTED) +
                                      loaded.Count(grpc::StatusCode::RESOURCE_EXHAUSTED);
  result->others_other_errors = unloaded.Total() + loaded.Total() - result->others_unloaded_ok -
                                result->others_loaded_ok - result->others_resource_exhausted;
  result->flooder_ok = flood.Count(grpc::StatusCode::OK);
  result->flooder_resource_exhausted = flood.Count(grpc::StatusCode::RESOURCE_EXHAUSTED);
  result->flooder_other_errors =
      flood.Total() - result->flooder_ok - result->flooder_resource_exhausted;
  result->flooder_ok_per_second =
      flood_seconds > 0 ? static_cast<double>(result->flooder_ok) / flood_seconds : 0;
  if (unloaded_seconds > 0 && flood_seconds > 0) {
    result->server_cores_unloaded = cpu[0][0] / unloaded_seconds;
    result->server_cores_loaded = cpu[0][1] / flood_seconds;
    result->bench_cores_unloaded = cpu[1][0] / unloaded_seconds;
    result->bench_cores_loaded = cpu[1][1] / flood_seconds;
  }
  result->others_codes =
      "unloaded: " + unloaded.CodesString() + "; loaded: " + loaded.CodesString();
  result->flooder_codes = flood.CodesString() + " (warm-up: " + flood_warmup.CodesString() + ")";
  return true;
}

}  // namespace securebase::bench
