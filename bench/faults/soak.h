// The soak: open-loop sends at a fixed rate for a long time on a server with
// default flags, with the therapists fetching and acknowledging every second
// (so mailboxes stay small, as with live clients), sampling the server's RSS.
//
// Open loop: send k is due at start + k / rate whatever happened to earlier
// sends; a pool of worker threads takes the due sends in order. Latency is
// measured from the due time, so a server that falls behind shows it.
// Accounts: enough clients that each sends at most 10/s (a fifth of the
// per-account limit, so catching up after a stall is not refused), four per
// therapist.
//
// Memory: most of the server's RSS growth under a steady write load is
// RocksDB memtables, which grow until a column family's write buffer (64 MiB
// by default) is flushed; RSS is then a sawtooth. The samples include the
// write-ahead log and table file sizes so the two can be told apart from a
// leak.
#ifndef SECUREBASE_BENCH_FAULTS_SOAK_H_
#define SECUREBASE_BENCH_FAULTS_SOAK_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace securebase::bench {

struct SoakOptions {
  std::chrono::seconds duration{600};
  double rate = 0;                          // Sends/s; 0: half of MeasureMaxRate().
  int workers = 32;                         // Threads issuing the due sends.
  std::chrono::seconds sample_every{10};    // RSS samples.
  std::chrono::seconds max_rate_probe{10};  // Closed-loop probe when rate is 0.
};

struct SoakResult {
  double rate = 0;               // What was run (sends/s).
  double measured_max_rate = 0;  // The probe's figure when rate was 0.
  int64_t seconds = 0;
  int64_t sends = 0;  // Attempted.
  int64_t sends_ok = 0;
  int64_t errors = 0;
  int64_t late_sends = 0;  // Started more than 1 s after their due time.
  double p50_ms = 0;
  double p99_ms = 0;
  int64_t rss_before_load_kib = 0;  // Accounts set up, no load yet.
  int64_t rss_start_kib = 0;        // After the warm-up (10% of the run, <= 60 s).
  int64_t rss_end_kib = 0;          // At the end, still under load.
  int64_t rss_max_kib = 0;
  struct Sample {
    int64_t second = 0;
    int64_t rss_kib = 0;
    // RocksDB files in the data dir: write-ahead logs (what the memtables
    // hold since their last flush, roughly) and table files.
    int64_t wal_kib = 0;
    int64_t sst_kib = 0;
  };
  std::vector<Sample> samples;
  std::string codes;
};

// Closed-loop Send throughput (sends/s) over `probe`, `workers` threads, on
// its own server with rate limits raised; 0 on failure.
double MeasureMaxRate(std::chrono::seconds probe, int workers);

// False if the server or the accounts could not be set up.
bool RunSoak(const SoakOptions& options, SoakResult* result);

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_FAULTS_SOAK_H_
