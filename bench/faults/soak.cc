#include "bench/faults/soak.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "bench/faults/sampling.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/server_process.h"

namespace securebase::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kDeadline(10000);
// A fifth of the default per-account limit: when the server falls behind and
// the overdue sends go out back to back, no client exceeds the limit unless
// the catch-up runs at five times the set rate (beyond what a server that
// fell behind can do).
constexpr double kPerClientRate = 10;
constexpr int kClientsPerTherapist = 4;

// Sleeps up to `d`; returns early (true) once `stop` is set.
bool SleepUnlessStopped(std::mutex& mu, std::condition_variable& cv, const bool& stop,
                        Clock::duration d) {
  std::unique_lock<std::mutex> lock(mu);
  return cv.wait_for(lock, d, [&] { return stop; });
}

// KiB of the files in `dir` whose names end in `suffix`.
int64_t FilesKib(const std::string& dir, const std::string& suffix) {
  std::error_code ec;
  uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      bytes += entry.file_size(ec);
    }
  }
  return static_cast<int64_t>(bytes / 1024);
}

}  // namespace

double MeasureMaxRate(std::chrono::seconds probe, int workers) {
  it::ServerProcess server(
      it::WithFlags({"--rate-limit-rps=1000000", "--rate-limit-burst=1000000"}));
  if (::testing::AssertionResult started = server.Start(); !started) {
    std::cerr << "max rate probe: " << started.message() << "\n";
    return 0;
  }
  auto api = std::make_shared<it::Api>(server.channel());
  Accounts accounts;
  if (!MakeAccounts(api, 2, 8, &accounts)) return 0;
  std::atomic<int64_t> ok{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      const size_t c = static_cast<size_t>(w) % accounts.clients.size();
      for (int n = 0; !stop.load(); ++n) {
        grpc::Status s =
            SendOnce(*api, *accounts.clients[c], accounts.TherapistOf(c),
                     "probe-" + std::to_string(w) + "-" + std::to_string(n), kDeadline);
        if (s.ok()) ok.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(probe);
  stop = true;
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(ok.load()) / seconds;
}

bool RunSoak(const SoakOptions& options, SoakResult* result) {
  *result = SoakResult();
  if (options.rate <= 0) {
    std::cerr << "soak: no rate given; probing the maximum for " << options.max_rate_probe.count()
              << " s\n";
    result->measured_max_rate = MeasureMaxRate(options.max_rate_probe, options.workers);
    if (result->measured_max_rate <= 0) return false;
    result->rate = result->measured_max_rate / 2;
  } else {
    result->rate = options.rate;
  }
  const double rate = result->rate;
  const int clients = std::max(4, static_cast<int>(std::ceil(rate / kPerClientRate)));
  const int therapists = (clients + kClientsPerTherapist - 1) / kClientsPerTherapist;

  it::ServerProcess server;  // Default flags, default limits.
  if (::testing::AssertionResult started = server.Start(); !started) {
    std::cerr << "soak: " << started.message() << "\n";
    return false;
  }
  auto api = std::make_shared<it::Api>(server.channel());
  Accounts accounts;
  if (!MakeAccounts(api, therapists, clients, &accounts)) {
    std::cerr << "soak: account setup failed\n";
    return false;
  }
  const pid_t pid = server.pid();
  const std::string db_dir = server.db_dir();
  result->rss_before_load_kib =
      integration::ProcessMemoryKib(pid, integration::MemoryFigure::kResident);
  std::cerr << "soak: " << rate << " sends/s for " << options.duration.count() << " s over "
            << clients << " clients, " << therapists << " therapists; RSS before load "
            << result->rss_before_load_kib << " KiB\n";

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;  // Guarded by mu.
  std::atomic<int64_t> drain_errors{0};

  // Therapists fetch and acknowledge what arrived, once a second.
  std::thread drainer([&] {
    std::vector<uint64_t> cursor(accounts.therapists.size(), 0);
    while (!SleepUnlessStopped(mu, cv, stop, std::chrono::seconds(1))) {
      for (size_t t = 0; t < accounts.therapists.size(); ++t) {
        std::vector<it::v1::Envelope> envelopes;
        grpc::Status s = accounts.therapists[t]->FetchAll(0, cursor[t], &envelopes);
        if (!s.ok()) {
          drain_errors.fetch_add(1);
          continue;
        }
        if (envelopes.empty()) continue;
        cursor[t] = envelopes.back().seq();
        if (!accounts.therapists[t]->Acknowledge(0, cursor[t]).ok()) drain_errors.fetch_add(1);
      }
    }
  });

  // RSS samples, and the start figure after the warm-up.
  const auto start = Clock::now();
  const auto warmup = std::min<Clock::duration>(std::chrono::seconds(60), options.duration / 10);
  std::thread sampler([&] {
    bool have_start = false;
    auto next_sample = start;
    for (;;) {
      auto now = Clock::now();
      if (!have_start && now >= start + warmup) {
        result->rss_start_kib =
            integration::ProcessMemoryKib(pid, integration::MemoryFigure::kResident);
        have_start = true;
      }
      if (now >= next_sample) {
        SoakResult::Sample sample;
        sample.second = std::chrono::duration_cast<std::chrono::seconds>(now - start).count();
        sample.rss_kib = integration::ProcessMemoryKib(pid, integration::MemoryFigure::kResident);
        sample.wal_kib = FilesKib(db_dir, ".log");
        sample.sst_kib = FilesKib(db_dir, ".sst");
        result->samples.push_back(sample);
        result->rss_max_kib = std::max(result->rss_max_kib, sample.rss_kib);
        std::cerr << "soak: t=" << sample.second << " s RSS " << sample.rss_kib << " KiB, WAL "
                  << sample.wal_kib << " KiB, SST " << sample.sst_kib << " KiB\n";
        next_sample += options.sample_every;
      }
      auto wake = have_start ? next_sample : std::min(next_sample, start + warmup);
      if (SleepUnlessStopped(mu, cv, stop, wake - Clock::now())) break;
    }
  });

  // The open loop.
  const int64_t total = static_cast<int64_t>(rate * static_cast<double>(options.duration.count()));
  std::atomic<int64_t> next_slot{0};
  std::atomic<int64_t> late{0};
  Tally tally;
  std::vector<std::thread> workers;
  for (int w = 0; w < options.workers; ++w) {
    workers.emplace_back([&] {
      for (;;) {
        const int64_t k = next_slot.fetch_add(1);
        if (k >= total) return;
        const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(static_cast<double>(k) / rate));
        std::this_thread::sleep_until(due);
        if (Clock::now() - due > std::chrono::seconds(1)) late.fetch_add(1);
        const size_t c = static_cast<size_t>(k % clients);
        grpc::Status s = SendOnce(*api, *accounts.clients[c], accounts.TherapistOf(c),
                                  "soak-" + std::to_string(k), kDeadline);
        tally.Add(s.error_code(), Clock::now() - due);
      }
    });
  }
  for (auto& thread : workers) thread.join();
  result->rss_end_kib = integration::ProcessMemoryKib(pid, integration::MemoryFigure::kResident);
  result->seconds = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count();
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
  }
  cv.notify_all();
  drainer.join();
  sampler.join();
  result->rss_max_kib = std::max(result->rss_max_kib, result->rss_end_kib);
  if (result->rss_start_kib == 0) result->rss_start_kib = result->rss_before_load_kib;
  result->samples.push_back(
      {result->seconds, result->rss_end_kib, FilesKib(db_dir, ".log"), FilesKib(db_dir, ".sst")});

  result->sends = tally.Total();
  result->sends_ok = tally.Count(grpc::StatusCode::OK);
  result->errors = result->sends - result->sends_ok + drain_errors.load();
  result->late_sends = late.load();
  result->p50_ms = tally.PercentileMs(50);
  result->p99_ms = tally.PercentileMs(99);
  result->codes = tally.CodesString() + " drain_errors=" + std::to_string(drain_errors.load());
  return true;
}

}  // namespace securebase::bench
