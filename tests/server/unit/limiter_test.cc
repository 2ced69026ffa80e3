// Rate limiter, failed-login backoff, login challenges and the log limiter,
// on a fake clock.
#include <gtest/gtest.h>

#include "securebase/crypto/random.h"
#include "server/src/auth/anonymous_limits.h"
#include "server/src/auth/challenges.h"
#include "server/src/auth/failure_backoff.h"
#include "server/src/auth/rate_limiter.h"
#include "server/src/common/clock.h"
#include "server/src/common/limits.h"
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

TEST(RateLimiterTest, AFullLimiterRefusesNewKeysInsteadOfGrowing) {
  FakeClock clock;
  // 32 shards: a bound of 64 keys is 2 per shard.
  RateLimiter limiter(clock, /*rate_per_second=*/1, /*burst=*/5, /*max_keys=*/64);
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) {
    if (limiter.TryAcquire("source-" + std::to_string(i))) ++admitted;
  }
  EXPECT_LE(admitted, 64) << "the limiter kept more keys than its bound";
  EXPECT_GT(admitted, 0);
  // Once buckets refilled they are forgotten, and new keys fit again.
  clock.AdvanceMs(10'000);
  EXPECT_TRUE(limiter.TryAcquire("a-new-source"));
}

TEST(FailureBackoffTest, FreeFailuresThenADoublingBackoff) {
  FakeClock clock;
  FailureBackoff backoff(clock, /*free_failures=*/3, /*window_ms=*/900'000,
                         /*max_backoff_ms=*/10'000);
  for (int i = 1; i <= 3; ++i) {
    auto failure = backoff.RecordFailure("k");
    EXPECT_EQ(failure.failures_in_window, static_cast<uint32_t>(i));
    EXPECT_FALSE(failure.during_backoff);
    EXPECT_EQ(backoff.BackoffMs("k"), 0) << "failure " << i << " is free";
  }
  EXPECT_FALSE(backoff.RecordFailure("k").during_backoff);
  EXPECT_EQ(backoff.BackoffMs("k"), 1000);
  // A failure during the backoff does not lengthen it.
  clock.AdvanceMs(400);
  EXPECT_TRUE(backoff.RecordFailure("k").during_backoff);
  EXPECT_EQ(backoff.BackoffMs("k"), 600);
  clock.AdvanceMs(600);
  EXPECT_EQ(backoff.BackoffMs("k"), 0);
  backoff.RecordFailure("k");
  EXPECT_EQ(backoff.BackoffMs("k"), 2000);
  clock.AdvanceMs(2000);
  backoff.RecordFailure("k");
  EXPECT_EQ(backoff.BackoffMs("k"), 4000);
  clock.AdvanceMs(4000);
  backoff.RecordFailure("k");
  EXPECT_EQ(backoff.BackoffMs("k"), 8000);
  clock.AdvanceMs(8000);
  backoff.RecordFailure("k");
  EXPECT_EQ(backoff.BackoffMs("k"), 10'000) << "capped";
  EXPECT_EQ(backoff.BackoffMs("other"), 0) << "keys are independent";
}

TEST(FailureBackoffTest, NeverALockThatOutlivesTheWindowOrASuccess) {
  FakeClock clock;
  FailureBackoff backoff(clock, 1, /*window_ms=*/5000, /*max_backoff_ms=*/5000);
  backoff.RecordFailure("k");
  backoff.RecordFailure("k");
  EXPECT_GT(backoff.BackoffMs("k"), 0);
  backoff.Clear("k");
  EXPECT_EQ(backoff.BackoffMs("k"), 0);
  backoff.RecordFailure("k");
  EXPECT_EQ(backoff.RecordFailure("k").failures_in_window, 2u);
  clock.AdvanceMs(5000);
  backoff.Prune();
  EXPECT_EQ(backoff.RecordFailure("k").failures_in_window, 1u) << "forgotten after the window";
}

// Many addresses, each within its own login limit, never exhaust the
// server-wide one: only logins that succeed (AdmitNewToken) take from it, so
// a botnet's junk cannot lock everyone out.
TEST(AnonymousLimitsTest, OnlySuccessfulLoginsTakeFromTheServerWideLimit) {
  FakeClock clock;
  Limits limits;
  limits.login_rps_per_source = 1;
  limits.login_burst_per_source = 5;
  limits.login_rps = 0.001;
  limits.login_burst = 3;
  AnonymousLimits anonymous(clock, limits);
  for (int source = 0; source < 100; ++source) {
    const std::string address = "10.0.0." + std::to_string(source);
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(anonymous.AdmitLogin(address).ok()) << address;
    EXPECT_EQ(anonymous.AdmitLogin(address).code(), StatusCode::kResourceExhausted) << address;
  }
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(anonymous.AdmitNewToken().ok()) << i;
  Status refused = anonymous.AdmitNewToken();
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("too many logins right now"), std::string::npos);
}

class LoginChallengesTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  testing::DeterministicRandom random_{7};
  LoginChallenges challenges_{clock_, random_, /*ttl_ms=*/60'000};
  const std::string user_ = std::string(16, 'u');
};

TEST_F(LoginChallengesTest, ValidForItsDeviceOnceUntilItExpires) {
  auto issued = challenges_.Issue(user_, 1);
  ASSERT_EQ(issued.challenge.size(), kChallengeSize);
  EXPECT_EQ(issued.expires_at_unix_ms, clock_.NowUnixMs() + 60'000);
  EXPECT_EQ(challenges_.Verify(user_, 1, issued.challenge), LoginChallenges::Check::kValid);
  EXPECT_EQ(challenges_.Verify(user_, 2, issued.challenge), LoginChallenges::Check::kUnknown);
  EXPECT_EQ(challenges_.Verify(std::string(16, 'v'), 1, issued.challenge),
            LoginChallenges::Check::kUnknown);
  EXPECT_TRUE(challenges_.MarkUsed(issued.challenge));
  EXPECT_FALSE(challenges_.MarkUsed(issued.challenge)) << "a second login with it loses";
  EXPECT_EQ(challenges_.Verify(user_, 1, issued.challenge), LoginChallenges::Check::kUsed);

  auto later = challenges_.Issue(user_, 1);
  EXPECT_NE(later.challenge, issued.challenge);
  clock_.AdvanceMs(60'000);
  EXPECT_EQ(challenges_.Verify(user_, 1, later.challenge), LoginChallenges::Check::kExpired);
}

TEST_F(LoginChallengesTest, AnAlteredOrForeignChallengeIsUnknown) {
  auto issued = challenges_.Issue(user_, 1);
  for (size_t i = 0; i < issued.challenge.size(); ++i) {
    std::string altered = issued.challenge;
    altered[i] ^= 0x01;
    EXPECT_EQ(challenges_.Verify(user_, 1, altered), LoginChallenges::Check::kUnknown) << i;
  }
  // Extending the expiry is one of those alterations; so is another server's
  // (or a restarted one's) challenge.
  testing::DeterministicRandom other_random(8);
  LoginChallenges other(clock_, other_random, 60'000);
  EXPECT_EQ(challenges_.Verify(user_, 1, other.Issue(user_, 1).challenge),
            LoginChallenges::Check::kUnknown);
  EXPECT_EQ(challenges_.Verify(user_, 1, std::string(kChallengeSize, '\0')),
            LoginChallenges::Check::kUnknown);
  EXPECT_EQ(challenges_.Verify(user_, 1, "short"), LoginChallenges::Check::kUnknown);
}

// Finding 7: 1,060 GetChallenge calls evicted the victim's challenge. Now
// issuing stores nothing: any number of challenges leave the victim's valid.
TEST_F(LoginChallengesTest, IssuingManyStoresNothingAndEvictsNothing) {
  auto victim = challenges_.Issue(user_, 1);
  for (int i = 0; i < 5000; ++i) challenges_.Issue(user_, 1);
  EXPECT_EQ(challenges_.Verify(user_, 1, victim.challenge), LoginChallenges::Check::kValid);
}

TEST_F(LoginChallengesTest, UsedChallengesAreForgottenOnceExpired) {
  auto issued = challenges_.Issue(user_, 1);
  ASSERT_TRUE(challenges_.MarkUsed(issued.challenge));
  clock_.AdvanceMs(60'001);
  challenges_.Prune();
  // Expired either way; the set no longer holds it (MarkUsed would succeed).
  EXPECT_EQ(challenges_.Verify(user_, 1, issued.challenge), LoginChallenges::Check::kExpired);
  EXPECT_TRUE(challenges_.MarkUsed(issued.challenge));
}

}  // namespace
}  // namespace securebase::server
