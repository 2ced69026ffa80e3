// The pause before trying an unreachable server again (client/src/backoff.h):
// it doubles from 250 ms up to 30 s, each pause drawn from the upper half of
// its range (jitter from the injected randomness), and starts small again
// after a reset.
#include "client/src/backoff.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/testing/deterministic_random.h"

namespace securebase::client {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesWithJitterUpToTheBound) {
  securebase::testing::DeterministicRandom rng(7);
  Backoff backoff(rng);
  milliseconds ceiling = Backoff::kInitial;
  for (int i = 0; i < 40; ++i) {
    const milliseconds pause = backoff.Next();
    EXPECT_GE(pause, ceiling / 2) << "attempt " << i;
    EXPECT_LE(pause, ceiling) << "attempt " << i;
    ceiling = std::min(ceiling * 2, Backoff::kMax);
  }
  EXPECT_EQ(ceiling, Backoff::kMax);
}

TEST(BackoffTest, PausesAtTheBoundDifferFromClientToClient) {
  std::set<int64_t> pauses;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    securebase::testing::DeterministicRandom rng(seed);
    Backoff backoff(rng);
    milliseconds pause{0};
    for (int i = 0; i < 12; ++i) pause = backoff.Next();
    EXPECT_LE(pause, Backoff::kMax);
    pauses.insert(pause.count());
  }
  EXPECT_GE(pauses.size(), 15u) << "clients cut off together would come back together";
}

TEST(BackoffTest, ResetStartsSmallAgain) {
  securebase::testing::DeterministicRandom rng(3);
  Backoff backoff(rng);
  for (int i = 0; i < 10; ++i) static_cast<void>(backoff.Next());
  backoff.Reset();
  EXPECT_LE(backoff.Next(), Backoff::kInitial);
}

}  // namespace
}  // namespace securebase::client
