#include "bench/load/closed_loop.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "bench/common/measure.h"
#include "tests/server/integration/harness/process_stats.h"

namespace securebase::bench {
namespace {

enum Phase : int { kWarmup = 0, kMeasure = 1, kStop = 2 };

// What one slot saw; only that slot's completions touch it (they are
// sequential), and the driver reads it after every slot stopped.
struct SlotRecord {
  std::vector<std::pair<int64_t, int64_t>> ok;                // (start, end)
  std::vector<std::pair<int64_t, grpc::StatusCode>> errors;  // (end, code)
};

struct LoopState {
  const Issue* issue = nullptr;
  std::atomic<int> phase{kWarmup};
  std::vector<SlotRecord> slots;
  std::mutex mu;
  std::condition_variable stopped;
  size_t running = 0;  // Guarded by mu.
};

void Launch(const std::shared_ptr<LoopState>& state, size_t slot) {
  int64_t start = NowNanos();
  (*state->issue)(slot, [state, slot, start](grpc::StatusCode code) {
    int64_t end = NowNanos();
    int phase = state->phase.load(std::memory_order_acquire);
    if (phase == kMeasure) {
      SlotRecord& record = state->slots[slot];
      if (code == grpc::StatusCode::OK) {
        record.ok.emplace_back(start, end);
      } else {
        record.errors.emplace_back(end, code);
      }
    }
    if (phase == kStop) {
      std::lock_guard<std::mutex> lock(state->mu);
      if (--state->running == 0) state->stopped.notify_all();
      return;
    }
    Launch(state, slot);
  });
}

}  // namespace

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t LoopResult::error_count() const {
  uint64_t total = 0;
  for (const auto& [code, count] : errors) total += count;
  return total;
}

LoopResult RunClosedLoop(size_t concurrency, std::chrono::milliseconds warmup,
                         std::chrono::milliseconds measure, pid_t server_pid, const Issue& issue,
                         const std::function<void(bool)>& on_window) {
  auto state = std::make_shared<LoopState>();
  state->issue = &issue;
  state->slots.resize(concurrency);
  state->running = concurrency;
  for (size_t slot = 0; slot < concurrency; ++slot) Launch(state, slot);

  std::this_thread::sleep_for(warmup);
  LoopResult result;
  int64_t cpu_start = integration::ProcessCpuMicros(server_pid);
  result.window_start_ns = NowNanos();
  if (on_window) on_window(true);
  state->phase.store(kMeasure, std::memory_order_release);
  std::this_thread::sleep_for(measure);
  result.window_end_ns = NowNanos();
  int64_t cpu_end = integration::ProcessCpuMicros(server_pid);
  result.server_rss_kib =
      integration::ProcessMemoryKib(server_pid, integration::MemoryFigure::kResident);
  if (on_window) on_window(false);
  state->phase.store(kStop, std::memory_order_release);
  {
    std::unique_lock<std::mutex> lock(state->mu);
    state->stopped.wait(lock, [&] { return state->running == 0; });
  }

  result.seconds = static_cast<double>(result.window_end_ns - result.window_start_ns) / 1e9;
  result.server_cpu_us = cpu_end - cpu_start;
  for (const SlotRecord& record : state->slots) {
    for (const auto& [start, end] : record.ok) {
      if (end > result.window_end_ns) continue;
      ++result.ok;
      if (start >= result.window_start_ns) result.latencies_ns.push_back(end - start);
    }
    for (const auto& [end, code] : record.errors) {
      if (end <= result.window_end_ns) ++result.errors[code];
    }
  }
  return result;
}

}  // namespace securebase::bench
