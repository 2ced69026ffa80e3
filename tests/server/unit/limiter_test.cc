// Rate limiter, failed-login limiter and challenge registry, on a fake clock.
#include <gtest/gtest.h>

#include "securebase/crypto/random.h"
#include "server/src/auth/challenges.h"
#include "server/src/auth/login_limiter.h"
#include "server/src/auth/rate_limiter.h"
#include "server/src/common/clock.h"
#include "server/src/common/log_limiter.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::server {
namespace {

TEST(LogLimiterTest, OneLineASecondPerKeyWithTheCountLeftOut) {
  LogLimiter limiter;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t suppressed = 99;
  EXPECT_TRUE(limiter.Admit("a", t0, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Admit("a", t0, &suppressed));
  EXPECT_TRUE(limiter.Admit("b", t0, &suppressed));  // Keys are independent.
  EXPECT_FALSE(limiter.Admit("a", t0 + std::chrono::milliseconds(999), &suppressed));
  EXPECT_TRUE(limiter.Admit("a", t0 + std::chrono::seconds(1), &suppressed));
  EXPECT_EQ(suppressed, 6u);
}

TEST(LogLimiterTest, ACapAcrossKeys) {
  LogLimiter limiter(/*max_lines_per_second=*/3);
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t suppressed = 0;
  int admitted = 0;
  for (int key = 0; key < 10; ++key) {
    if (limiter.Admit("k" + std::to_string(key), t0, &suppressed)) ++admitted;
  }
  EXPECT_EQ(admitted, 3);
  EXPECT_TRUE(limiter.Admit("k9", t0 + std::chrono::seconds(1), &suppressed));
  EXPECT_EQ(suppressed, 1u);
}

TEST(RateLimiterTest, BurstThenRefill) {
  FakeClock clock;
  RateLimiter limiter(clock, /*rate_per_second=*/10, /*burst=*/5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.TryAcquire("a")) << i;
  EXPECT_FALSE(limiter.TryAcquire("a"));
  EXPECT_TRUE(limiter.TryAcquire("b"));  // Accounts are independent.
  clock.AdvanceMs(99);
  EXPECT_FALSE(limiter.TryAcquire("a"));
  clock.AdvanceMs(1);  // 100 ms at 10/s: one token.
  EXPECT_TRUE(limiter.TryAcquire("a"));
  EXPECT_FALSE(limiter.TryAcquire("a"));
  clock.AdvanceMs(60'000);  // Refill caps at the burst.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.TryAcquire("a")) << i;
  EXPECT_FALSE(limiter.TryAcquire("a"));
}

TEST(RateLimiterTest, ClockGoingBackwardsGrantsNothing) {
  FakeClock clock;
  RateLimiter limiter(clock, 1, 1);
  EXPECT_TRUE(limiter.TryAcquire("a"));
  clock.AdvanceMs(-10'000);
  EXPECT_FALSE(limiter.TryAcquire("a"));
}

TEST(RateLimiterTest, PruneForgetsOnlyFullBuckets) {
  FakeClock clock;
  RateLimiter limiter(clock, 1, 2);
  EXPECT_TRUE(limiter.TryAcquire("a"));
  EXPECT_TRUE(limiter.TryAcquire("a"));
  limiter.Prune();  // "a" is empty: kept, so still limited.
  EXPECT_FALSE(limiter.TryAcquire("a"));
  clock.AdvanceMs(10'000);
  limiter.Prune();
  EXPECT_TRUE(limiter.TryAcquire("a"));
}

TEST(LoginLimiterTest, BlocksAfterMaxFailuresUntilWindowEnds) {
  FakeClock clock;
  LoginLimiter limiter(clock, /*max_failures=*/3, /*window_ms=*/900'000);
  EXPECT_FALSE(limiter.IsBlocked("d"));
  limiter.RecordFailure("d");
  limiter.RecordFailure("d");
  EXPECT_FALSE(limiter.IsBlocked("d"));
  limiter.RecordFailure("d");
  EXPECT_TRUE(limiter.IsBlocked("d"));
  EXPECT_FALSE(limiter.IsBlocked("other"));
  clock.AdvanceMs(899'999);
  EXPECT_TRUE(limiter.IsBlocked("d"));
  clock.AdvanceMs(1);
  EXPECT_FALSE(limiter.IsBlocked("d"));
  limiter.RecordFailure("d");  // A new window.
  EXPECT_FALSE(limiter.IsBlocked("d"));
}

TEST(LoginLimiterTest, FailuresInOldWindowDoNotCount) {
  FakeClock clock;
  LoginLimiter limiter(clock, 2, 1000);
  limiter.RecordFailure("d");
  clock.AdvanceMs(1500);
  limiter.RecordFailure("d");
  EXPECT_FALSE(limiter.IsBlocked("d"));
  limiter.Prune();
  limiter.RecordFailure("d");
  EXPECT_TRUE(limiter.IsBlocked("d"));
}

TEST(ChallengeRegistryTest, SingleUseAndExpiry) {
  FakeClock clock;
  testing::DeterministicRandom random(7);
  ChallengeRegistry challenges(clock, random, /*ttl_ms=*/60'000);
  auto first = challenges.Issue("dev");
  ASSERT_EQ(first.challenge.size(), 32u);
  EXPECT_EQ(first.expires_at_unix_ms, clock.NowUnixMs() + 60'000);
  EXPECT_FALSE(challenges.Consume("other-dev", first.challenge));
  EXPECT_TRUE(challenges.Consume("dev", first.challenge));
  EXPECT_FALSE(challenges.Consume("dev", first.challenge));  // Replay.

  auto second = challenges.Issue("dev");
  clock.AdvanceMs(60'000);
  EXPECT_FALSE(challenges.Consume("dev", second.challenge));  // Expired.
  EXPECT_FALSE(challenges.Consume("dev", std::string(32, '\0')));
}

TEST(ChallengeRegistryTest, KeepsOnlyTheNewestFew) {
  FakeClock clock;
  testing::DeterministicRandom random(8);
  ChallengeRegistry challenges(clock, random, 60'000);
  std::vector<std::string> issued;
  for (int i = 0; i < 6; ++i) issued.push_back(challenges.Issue("dev").challenge);
  EXPECT_FALSE(challenges.Consume("dev", issued[0]));
  EXPECT_FALSE(challenges.Consume("dev", issued[1]));
  for (int i = 2; i < 6; ++i) EXPECT_TRUE(challenges.Consume("dev", issued[i])) << i;
}

}  // namespace
}  // namespace securebase::server
