// ProvisioningSlots' bookkeeping with an injected clock: what a slot holds is
// released exactly once, whether the message is delivered, its write fails,
// or the slot expires with the message held or being written.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/src/provisioning/slots.h"

namespace securebase::server {
namespace {

// A waiter that records what it was given; the test completes its writes.
class RecordingWaiter final : public ProvisioningWaiter {
 public:
  void Deliver(std::string message) override { delivered.push_back(std::move(message)); }
  void End(const Status& status) override { ended.push_back(status); }
  std::vector<std::string> delivered;
  std::vector<Status> ended;
};

class ProvisioningSlotsTest : public ::testing::Test {
 protected:
  ProvisioningLimits Limits() {
    ProvisioningLimits limits;
    limits.lifetime_ms = 1000;
    limits.max_slots = 3;
    limits.open_burst_per_source = 100;
    limits.max_message_bytes = 100;
    limits.max_held_per_account = 2;
    limits.max_held_bytes = 150;
    return limits;
  }
  FakeClock clock_;
  ProvisioningSlots slots_{clock_, Limits()};
  const std::string channel_ = std::string(16, 'c');
};

TEST_F(ProvisioningSlotsTest, DeliveredMessageIsReleasedOnce) {
  auto waiter = std::make_shared<RecordingWaiter>();
  ASSERT_TRUE(slots_.Open("src", channel_, waiter).ok());
  ASSERT_TRUE(slots_.Deposit(channel_, std::string(60, 'm'), "acct").ok());
  ASSERT_EQ(waiter->delivered.size(), 1u);
  EXPECT_EQ(slots_.HeldBytesForTesting(), 60u) << "held while the write is in flight";
  slots_.FinishedWrite(channel_, waiter.get(), true, waiter->delivered[0]);
  EXPECT_EQ(slots_.HeldBytesForTesting(), 0u);
  EXPECT_EQ(slots_.Deposit(channel_, "again", "acct").code(), StatusCode::kFailedPrecondition);
  clock_.AdvanceMs(1000);
  EXPECT_EQ(slots_.ExpireSlots(), 1u);
  EXPECT_EQ(slots_.HeldBytesForTesting(), 0u);
}

TEST_F(ProvisioningSlotsTest, FailedWriteKeepsTheMessageForTheNextWait) {
  auto first = std::make_shared<RecordingWaiter>();
  ASSERT_TRUE(slots_.Open("src", channel_, first).ok());
  ASSERT_TRUE(slots_.Deposit(channel_, std::string(40, 'm'), "acct").ok());
  slots_.FinishedWrite(channel_, first.get(), false, first->delivered[0]);
  slots_.Detach(channel_, first.get());
  auto second = std::make_shared<RecordingWaiter>();
  auto opened = slots_.Open("src", channel_, second);
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(opened->has_value()) << "the kept message comes with the new wait";
  EXPECT_EQ(**opened, std::string(40, 'm'));
  EXPECT_EQ(slots_.HeldBytesForTesting(), 40u);
}

TEST_F(ProvisioningSlotsTest, ExpiryReleasesHeldAndInFlightMessages) {
  const std::string other(16, 'd');
  ASSERT_TRUE(slots_.Open("src", channel_, std::make_shared<RecordingWaiter>()).ok());
  slots_.Detach(channel_, nullptr);  // Not its waiter: no effect.
  auto writing = std::make_shared<RecordingWaiter>();
  ASSERT_TRUE(slots_.Open("src", other, writing).ok());
  ASSERT_TRUE(slots_.Deposit(other, std::string(70, 'w'), "acct").ok());  // Being written.
  // The account's second held message, and the server-wide byte cap.
  auto waiter = std::make_shared<RecordingWaiter>();
  const std::string third(16, 'e');
  ASSERT_TRUE(slots_.Open("src", third, nullptr).ok());
  EXPECT_EQ(slots_.Deposit(third, std::string(90, 'h'), "acct").code(),
            StatusCode::kResourceExhausted)
      << "70 + 90 bytes is above the 150-byte cap";
  ASSERT_TRUE(slots_.Deposit(third, std::string(50, 'h'), "acct").ok());
  EXPECT_EQ(slots_.HeldBytesForTesting(), 120u);
  EXPECT_EQ(slots_.Open("src", std::string(16, 'f'), waiter).status().code(),
            StatusCode::kResourceExhausted)
      << "max_slots";
  clock_.AdvanceMs(1000);
  EXPECT_EQ(slots_.ExpireSlots(), 3u);
  EXPECT_EQ(slots_.HeldBytesForTesting(), 0u);
  // The write that was in flight completes late: nothing to release twice.
  slots_.FinishedWrite(other, writing.get(), true, writing->delivered[0]);
  EXPECT_EQ(slots_.HeldBytesForTesting(), 0u);
  EXPECT_EQ(slots_.SlotCountForTesting(), 0u);
  // The depositor may hold messages again.
  ASSERT_TRUE(slots_.Open("src", channel_, nullptr).ok());
  EXPECT_TRUE(slots_.Deposit(channel_, "x", "acct").ok());
}

}  // namespace
}  // namespace securebase::server
