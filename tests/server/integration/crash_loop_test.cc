// The short crash loop (CI): concurrent senders, SIGKILL at random moments,
// restarts on the same data dir; every acknowledged send is delivered exactly
// once. The long loop is `securebase_faults --crash-cycles N` (bench/faults).
//
// SECUREBASE_CRASH_LOOP_SEED=<n> replays a schedule (the seed is printed).
#include "tests/server/integration/harness/crash_loop.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace securebase::integration {
namespace {

TEST(CrashLoopTest, AcknowledgedSendsAreDeliveredExactlyOnceAcrossSigkills) {
  CrashLoopOptions options;
  options.cycles = 3;
  options.therapists = 2;
  options.clients = 4;
  options.min_run = std::chrono::milliseconds(300);
  options.max_run = std::chrono::milliseconds(1500);
  options.log = &std::cerr;
  if (const char* seed = std::getenv("SECUREBASE_CRASH_LOOP_SEED"); seed != nullptr) {
    options.seed = std::strtoull(seed, nullptr, 10);
  }
  CrashLoopReport report;
  ASSERT_TRUE(RunCrashLoop(options, &report));
  EXPECT_EQ(report.cycles, options.cycles);
  EXPECT_GT(report.acknowledged, 0) << "no send got through";
  EXPECT_EQ(report.lost, 0);
  EXPECT_EQ(report.duplicates, 0);
  EXPECT_EQ(report.partial, 0);
  EXPECT_EQ(report.strays, 0);
  EXPECT_EQ(report.unresolved, 0);
  EXPECT_EQ(report.timestamp_mismatches, 0);
  EXPECT_EQ(report.delivered, report.acknowledged);
  // Failed calls are the kills' doing only: no INTERNAL, no UNAUTHENTICATED
  // (tokens persist across restarts), no refusals.
  for (const auto& [code, count] : report.failures_by_code) {
    EXPECT_TRUE(code == "UNAVAILABLE" || code == "DEADLINE_EXCEEDED" || code == "CANCELLED")
        << count << " sends failed with " << code;
  }
  EXPECT_TRUE(report.Clean()) << "seed " << report.seed << "\n" << report.ToString();
}

}  // namespace
}  // namespace securebase::integration
