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
  void ExpectRange(uint64_t up_to, uint64_t after) {
    auto range = Decide(up_to);
    ASSERT_TRUE(range.ok()) << range.status().message();
    EXPECT_EQ(range->after, after) << "up_to " << up_to;
    EXPECT_EQ(range->up_to, up_to);
  }
  void ExpectRefused(uint64_t up_to) {
    auto range = Decide(up_to);
    ASSERT_FALSE(range.ok());
    EXPECT_EQ(range.status().code(), StatusCode::kFailedPrecondition) << up_to;
  }

  DeliveryRegistry registry_{StreamLimits{}};
  MailboxAddress mailbox_{std::string(16, 'd'), 1};
};

TEST_F(GivenRangeTest, NothingGivenNothingDeleted) {
  ExpectRefused(1);
  ExpectRange(0, 0);
}

TEST_F(GivenRangeTest, AFetchAfterSixGivesOnlyWhatItReturned) {
  // The attack of the finding: Fetch(after_seq=6, limit=1) returned 7; the
  // acknowledgement of 7 deleted 3..7 although 3..6 were never given.
  registry_.MarkGiven(mailbox_, 6, 7);
  ExpectRange(7, 6);  // Deletes (6, 7] only.
  ExpectRefused(8);
  ExpectRange(5, 6);  // Nothing below the range: (6, 5] is empty.
}

TEST_F(GivenRangeTest, ContiguousPagesExtendTheRangeAndDisjointOnesReplaceIt) {
  registry_.MarkGiven(mailbox_, 0, 10);
  registry_.MarkGiven(mailbox_, 10, 20);
  ExpectRange(20, 0);
  registry_.MarkGiven(mailbox_, 5, 12);  // Inside: no change.
  ExpectRange(20, 0);
  registry_.MarkGiven(mailbox_, 30, 40);  // A gap (21..30 unseen): replaced.
  ExpectRange(40, 30);
  ExpectRange(20, 30);  // Deletes nothing below 31 any more.
}

TEST_F(GivenRangeTest, AStreamWriteCountsOnlyWhenItCompletes) {
  auto stream = std::make_shared<QuietSubscriber>();
  ASSERT_TRUE(registry_.Register(mailbox_, stream).ok());
  registry_.StartedWrite(mailbox_, stream.get(), 0, 3);
  std::optional<Result<AckRange>> later;
  auto now = registry_.AwaitGiven(mailbox_, 3, [&](Result<AckRange> r) { later = std::move(r); });
  EXPECT_FALSE(now.has_value()) << "must wait for the write in flight";
  EXPECT_FALSE(later.has_value());
  ExpectRefused(4);  // Beyond even the write in flight.
  registry_.FinishedWrite(mailbox_, stream.get(), /*ok=*/true);
  ASSERT_TRUE(later.has_value());
  ASSERT_TRUE(later->ok());
  EXPECT_EQ((*later)->after, 0u);
  EXPECT_EQ((*later)->up_to, 3u);
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
  EXPECT_EQ(later->status().code(), StatusCode::kFailedPrecondition);
  ExpectRefused(5);
}

TEST_F(GivenRangeTest, AStreamThatEndsMidWriteFailsItsWaiters) {
  auto stream = std::make_shared<QuietSubscriber>();
  ASSERT_TRUE(registry_.Register(mailbox_, stream).ok());
  registry_.StartedWrite(mailbox_, stream.get(), 2, 9);
  std::optional<Result<AckRange>> later;
  EXPECT_FALSE(registry_.AwaitGiven(mailbox_, 9, [&](Result<AckRange> r) { later = std::move(r); })
                   .has_value());
  registry_.Unregister(mailbox_, stream.get());
  ASSERT_TRUE(later.has_value());
  EXPECT_FALSE(later->ok());
}

}  // namespace
}  // namespace securebase::server::testing
