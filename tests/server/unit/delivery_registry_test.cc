// What an acknowledgement may delete (the delivery invariant): one contiguous
// range given to the device, marked by Fetch answers and by completed stream
// writes, never by writes that only started (hardening finding 11).
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "server/src/delivery/registry.h"

namespace securebase::server::testing {
namespace {

class QuietSubscriber final : public Subscriber {
 public:
  void Notify() override {}
  void End(EndReason) override { ended = true; }
  bool ended = false;
};

class GivenRangeTest : public ::testing::Test {
 protected:
  // The answer when decided at once; FAILs if it has to wait.
  Result<AckRange> Decide(uint64_t up_to) {
    auto answer = registry_.AwaitGiven(mailbox_, up_to, [](Result<AckRange>) {
      ADD_FAILURE() << "decided later, expected at once";
    });
    if (!answer.has_value()) return Status::Internal("waiting");
    return std::move(*answer);
  }
  // Acknowledge(up_to) deletes (after, last], decided at once.
  void ExpectDeletes(uint64_t up_to, uint64_t after, uint64_t last) {
    auto range = Decide(up_to);
    ASSERT_TRUE(range.ok()) << range.status().message();
    EXPECT_EQ(range->after, after) << "up_to " << up_to;
    EXPECT_EQ(range->up_to, last) << "up_to " << up_to;
  }
  void ExpectDeletesNothing(uint64_t up_to) {
    auto range = Decide(up_to);
    ASSERT_TRUE(range.ok()) << range.status().message();
    EXPECT_TRUE(range->empty()) << "up_to " << up_to << " deletes (" << range->after << ", "
                                << range->up_to << "]";
  }

  DeliveryRegistry registry_{StreamLimits{}};
  MailboxAddress mailbox_{std::string(16, 'd'), 1};
};

TEST_F(GivenRangeTest, NothingGivenNothingDeleted) {
  ExpectDeletesNothing(1);
  ExpectDeletesNothing(UINT64_MAX);
  ExpectDeletesNothing(0);
}

TEST_F(GivenRangeTest, AFetchAfterSixGivesOnlyWhatItReturned) {
  // The attack of the finding: Fetch(after_seq=6, limit=1) returned 7; the
  // acknowledgement of 7 deleted 3..7 although 3..6 were never given.
  registry_.MarkGiven(mailbox_, 6, 7);
  ExpectDeletes(7, 6, 7);  // (6, 7] only.
  ExpectDeletes(8, 6, 7);  // Asking beyond: still (6, 7], not an error.
  ExpectDeletes(UINT64_MAX, 6, 7);
  ExpectDeletesNothing(5);  // Nothing below the range: (6, 5] is empty.
}

TEST_F(GivenRangeTest, ContiguousPagesExtendTheRangeAndDisjointOnesReplaceIt) {
  registry_.MarkGiven(mailbox_, 0, 10);
  registry_.MarkGiven(mailbox_, 10, 20);
  ExpectDeletes(20, 0, 20);
  registry_.MarkGiven(mailbox_, 5, 12);  // Inside: no change.
  ExpectDeletes(20, 0, 20);
  registry_.MarkGiven(mailbox_, 30, 40);  // A gap (21..30 unseen): replaced.
  ExpectDeletes(40, 30, 40);
  ExpectDeletesNothing(20);  // Nothing below 31 any more.
}

TEST_F(GivenRangeTest, AStreamWriteCountsOnlyWhenItCompletes) {
  auto stream = std::make_shared<QuietSubscriber>();
  ASSERT_TRUE(registry_.Register(mailbox_, stream).ok());
  registry_.StartedWrite(mailbox_, stream.get(), 0, 3);
  std::optional<Result<AckRange>> later;
  std::optional<Result<AckRange>> beyond;
  auto now = registry_.AwaitGiven(mailbox_, 3, [&](Result<AckRange> r) { later = std::move(r); });
  EXPECT_FALSE(now.has_value()) << "must wait for the write in flight";
  EXPECT_FALSE(registry_.AwaitGiven(mailbox_, 4, [&](Result<AckRange> r) { beyond = std::move(r); })
                   .has_value());
  EXPECT_FALSE(later.has_value());
  registry_.FinishedWrite(mailbox_, stream.get(), /*ok=*/true);
  ASSERT_TRUE(later.has_value() && beyond.has_value());
  ASSERT_TRUE(later->ok() && beyond->ok());
  EXPECT_EQ((*later)->after, 0u);
  EXPECT_EQ((*later)->up_to, 3u);
  EXPECT_EQ((*beyond)->up_to, 3u) << "only what the write gave";
}

TEST_F(GivenRangeTest, AFailedWriteGivesNothing) {
  auto stream = std::make_shared<QuietSubscriber>();
  ASSERT_TRUE(registry_.Register(mailbox_, stream).ok());
  registry_.StartedWrite(mailbox_, stream.get(), 0, 5);
  std::optional<Result<AckRange>> later;
  EXPECT_FALSE(registry_.AwaitGiven(mailbox_, 5, [&](Result<AckRange> r) { later = std::move(r); })
                   .has_value());
  registry_.FinishedWrite(mailbox_, stream.get(), /*ok=*/false);
  ASSERT_TRUE(later.has_value());
  ASSERT_TRUE(later->ok());
  EXPECT_TRUE((*later)->empty());
  ExpectDeletesNothing(5);
}

TEST_F(GivenRangeTest, AStreamThatEndsMidWriteAnswersItsWaitersWithWhatWasGiven) {
  auto stream = std::make_shared<QuietSubscriber>();
  ASSERT_TRUE(registry_.Register(mailbox_, stream).ok());
  registry_.MarkGiven(mailbox_, 0, 2);
  registry_.StartedWrite(mailbox_, stream.get(), 2, 9);
  std::optional<Result<AckRange>> later;
  EXPECT_FALSE(registry_.AwaitGiven(mailbox_, 9, [&](Result<AckRange> r) { later = std::move(r); })
                   .has_value());
  registry_.Unregister(mailbox_, stream.get());
  ASSERT_TRUE(later.has_value());
  ASSERT_TRUE(later->ok());
  EXPECT_EQ((*later)->after, 0u);
  EXPECT_EQ((*later)->up_to, 2u);
}

// A write the client never completes (it does not read) holds an
// acknowledgement only briefly: then it is answered with what was given.
TEST_F(GivenRangeTest, AWaitingAcknowledgementIsAnsweredAfterTheWaitLimit) {
  auto stream = std::make_shared<QuietSubscriber>();
  ASSERT_TRUE(registry_.Register(mailbox_, stream).ok());
  registry_.MarkGiven(mailbox_, 0, 4);
  registry_.StartedWrite(mailbox_, stream.get(), 4, 5);
  std::optional<Result<AckRange>> later;
  EXPECT_FALSE(registry_.AwaitGiven(mailbox_, 5, [&](Result<AckRange> r) { later = std::move(r); })
                   .has_value());
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(registry_.ExpireAckWaiters(now, std::chrono::seconds(10)), 0u);
  EXPECT_FALSE(later.has_value());
  EXPECT_EQ(registry_.ExpireAckWaiters(now + std::chrono::seconds(11), std::chrono::seconds(10)),
            1u);
  ASSERT_TRUE(later.has_value() && later->ok());
  EXPECT_EQ((*later)->after, 0u);
  EXPECT_EQ((*later)->up_to, 4u) << "the envelope still in the write is not deleted";
}

TEST_F(GivenRangeTest, TooManyWaitingAcknowledgementsAreAnsweredAtOnce) {
  auto stream = std::make_shared<QuietSubscriber>();
  ASSERT_TRUE(registry_.Register(mailbox_, stream).ok());
  registry_.MarkGiven(mailbox_, 0, 1);
  registry_.StartedWrite(mailbox_, stream.get(), 1, 2);
  int waiting = 0;
  for (;; ++waiting) {
    auto answer = registry_.AwaitGiven(mailbox_, 2, [](Result<AckRange>) {});
    if (answer.has_value()) {
      ASSERT_TRUE(answer->ok());
      EXPECT_EQ((*answer)->up_to, 1u);
      break;
    }
    ASSERT_LT(waiting, 1000) << "waiters are not bounded";
  }
  EXPECT_GT(waiting, 0);
}

}  // namespace
}  // namespace securebase::server::testing
