// Provisioning slots (issue 12): the single-use relay between a new device,
// which has no account and no token, and an existing device of the account.
// The adversaries: an anonymous flood opening slots (bounded per address and
// server-wide, no disk write, little memory per waiting slot), a depositor
// reusing or guessing slots, and a new device whose connection drops.
#include "securebase/crypto/provisioning.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "securebase/v1/provisioning.grpc.pb.h"
#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

// A new device waiting on its slot: the call, read on its own thread.
class Waiter {
 public:
  Waiter(std::shared_ptr<grpc::Channel> channel, const std::string& channel_id,
         std::chrono::seconds lifetime = std::chrono::seconds(60))
      : stub_(v1::Provisioning::NewStub(channel)) {
    context_.set_deadline(std::chrono::system_clock::now() + lifetime);
    v1::WaitForProvisioningRequest req;
    req.set_channel_id(channel_id);
    reader_ = stub_->WaitForProvisioning(&context_, req);
    // Initial metadata arrives once the slot is open (or with a refusal).
    reader_->WaitForInitialMetadata();
    thread_ = std::thread([this] {
      v1::ProvisioningMessage message;
      while (reader_->Read(&message)) messages_.push_back(message.message());
      status_ = reader_->Finish();
    });
  }
  ~Waiter() {
    context_.TryCancel();
    if (thread_.joinable()) thread_.join();
  }
  // Waits for the call to end; its status.
  grpc::Status Finish() {
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  void Cancel() {
    context_.TryCancel();
    Finish();
  }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::unique_ptr<v1::Provisioning::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::ProvisioningMessage>> reader_;
  std::thread thread_;
  std::vector<std::string> messages_;  // The thread's until joined.
  grpc::Status status_;
};

grpc::Status Deposit(const TestAccount& by, const std::string& channel_id,
                     const std::string& message) {
  auto stub = v1::Provisioning::NewStub(by.api().channel);
  v1::DepositProvisioningRequest req;
  req.set_channel_id(channel_id);
  req.set_message(message);
  v1::DepositProvisioningResponse resp;
  return stub->DepositProvisioning(by.Context(0).get(), req, &resp);
}

class ProvisioningTest : public ServerSuite<ProvisioningTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--provisioning-slot-seconds=3", "--provisioning-burst-per-source=1000"});
  }
};

TEST_F(ProvisioningTest, RelaysOneSealedMessageOnce) {
  auto existing = NewClient();
  ASSERT_TRUE(existing);
  const std::string channel = RandomBytes(16);
  const std::string sealed = RandomBytes(73 + 1024 * 64);  // A provisioning message's shape.
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  Waiter waiter(api_->channel, channel);
  ASSERT_GRPC_OK(Deposit(*existing, channel, sealed));
  ASSERT_GRPC_OK(waiter.Finish());
  ASSERT_EQ(waiter.messages().size(), 1u);
  EXPECT_EQ(waiter.messages()[0], sealed) << "relayed as deposited";
  EXPECT_TRUE(Unchanged(before)) << "slots never reach the disk";
  // One use: a second deposit and a second wait are told so.
  grpc::Status again = Deposit(*existing, channel, sealed);
  EXPECT_GRPC_CODE(again, StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(again.error_message().find("already used"), std::string::npos);
  Waiter late(api_->channel, channel);
  EXPECT_GRPC_CODE(late.Finish(), StatusCode::FAILED_PRECONDITION);
}

TEST_F(ProvisioningTest, BadDepositsAreRefusedAndChangeNothing) {
  auto existing = NewClient();
  ASSERT_TRUE(existing);
  const std::string channel = RandomBytes(16);
  Waiter waiter(api_->channel, channel);
  EXPECT_GRPC_CODE(Deposit(*existing, RandomBytes(16), "sealed"), StatusCode::NOT_FOUND);
  EXPECT_GRPC_CODE(Deposit(*existing, RandomBytes(15), "sealed"), StatusCode::INVALID_ARGUMENT);
  EXPECT_GRPC_CODE(Deposit(*existing, channel, ""), StatusCode::INVALID_ARGUMENT);
  EXPECT_GRPC_CODE(
      Deposit(*existing, channel, std::string(crypto::kMaxProvisioningMessageSize + 1, 'x')),
      StatusCode::RESOURCE_EXHAUSTED);
  // None of them used the slot up.
  ASSERT_GRPC_OK(Deposit(*existing, channel, "sealed"));
  ASSERT_GRPC_OK(waiter.Finish());
  EXPECT_EQ(waiter.messages(), std::vector<std::string>{"sealed"});
  // A largest legal message goes through.
  const std::string big_channel = RandomBytes(16);
  Waiter big_waiter(api_->channel, big_channel);
  const std::string largest(crypto::kMaxProvisioningMessageSize, 'y');
  ASSERT_GRPC_OK(Deposit(*existing, big_channel, largest));
  ASSERT_GRPC_OK(big_waiter.Finish());
  ASSERT_EQ(big_waiter.messages().size(), 1u);
  EXPECT_EQ(big_waiter.messages()[0].size(), largest.size());
  // A channel id of the wrong size, waiting.
  Waiter bad(api_->channel, RandomBytes(17));
  EXPECT_GRPC_CODE(bad.Finish(), StatusCode::INVALID_ARGUMENT);
}

TEST_F(ProvisioningTest, SecondWaiterOnAnOpenSlotIsRefused) {
  const std::string channel = RandomBytes(16);
  Waiter first(api_->channel, channel);
  Waiter second(api_->channel, channel);
  EXPECT_GRPC_CODE(second.Finish(), StatusCode::ALREADY_EXISTS);
  auto existing = NewClient();
  ASSERT_TRUE(existing);
  ASSERT_GRPC_OK(Deposit(*existing, channel, "for the first"));
  ASSERT_GRPC_OK(first.Finish());
  EXPECT_EQ(first.messages(), std::vector<std::string>{"for the first"});
}

TEST_F(ProvisioningTest, MessageWaitsForADeviceWhoseConnectionDropped) {
  auto existing = NewClient();
  ASSERT_TRUE(existing);
  const std::string channel = RandomBytes(16);
  {
    Waiter dropped(api_->channel, channel);
    dropped.Cancel();
  }
  ASSERT_GRPC_OK(Deposit(*existing, channel, "kept for you"));
  // The device comes back (the server may take a moment to notice the
  // dropped call: until then the slot is still taken).
  grpc::Status status;
  std::vector<std::string> got;
  for (int attempt = 0; attempt < 50; ++attempt) {
    Waiter back(api_->channel, channel);
    status = back.Finish();
    got = back.messages();
    if (status.error_code() != StatusCode::ALREADY_EXISTS) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GRPC_OK(status);
  EXPECT_EQ(got, std::vector<std::string>{"kept for you"});
}

TEST_F(ProvisioningTest, ExpiredSlotIsAClearError) {
  auto existing = NewClient();
  ASSERT_TRUE(existing);
  const std::string channel = RandomBytes(16);
  Waiter waiter(api_->channel, channel);
  grpc::Status ended = waiter.Finish();  // --provisioning-slot-seconds=3.
  EXPECT_GRPC_CODE(ended, StatusCode::DEADLINE_EXCEEDED);
  EXPECT_NE(ended.error_message().find("expired"), std::string::npos) << ended.error_message();
  grpc::Status late = Deposit(*existing, channel, "too late");
  EXPECT_GRPC_CODE(late, StatusCode::NOT_FOUND);
  EXPECT_NE(late.error_message().find("new code"), std::string::npos) << late.error_message();
}

// The anonymous flood: many slots from one address, then from "everyone".
class ProvisioningFloodTest : public ServerSuite<ProvisioningFloodTest> {
 public:
  static constexpr int kPerSourceBurst = 400;
  static constexpr int kMaxSlots = 300;
  static ServerOptions Options() {
    return WithFlags({"--provisioning-burst-per-source=" + std::to_string(kPerSourceBurst),
                      "--provisioning-rps-per-source=0.001",
                      "--max-provisioning-slots=" + std::to_string(kMaxSlots),
                      // All waiters share the test's one connection.
                      "--max-streams-per-connection=1000"});
  }
};

TEST_F(ProvisioningFloodTest, SlotsAreBoundedAndCheapAndNeverTouchTheDisk) {
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  const int64_t rss_before = ProcessMemoryKib(server_->pid(), MemoryFigure::kResident);
  std::vector<std::unique_ptr<Waiter>> waiting;
  for (int i = 0; i < kMaxSlots; ++i) {
    waiting.push_back(std::make_unique<Waiter>(api_->channel, RandomBytes(16)));
  }
  const int64_t rss_full = ProcessMemoryKib(server_->pid(), MemoryFigure::kResident);
  // Server-wide cap: the next one is refused at once.
  Waiter refused(api_->channel, RandomBytes(16));
  grpc::Status s = refused.Finish();
  EXPECT_GRPC_CODE(s, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("too many open provisioning slots"), std::string::npos)
      << s.error_message();
  // Memory per waiting slot (gRPC's call state included) stays small.
  const double kib_per_slot = static_cast<double>(rss_full - rss_before) / kMaxSlots;
  std::cout << "server RSS per waiting provisioning slot: " << kib_per_slot << " KiB\n";
  EXPECT_LT(kib_per_slot, 64.0);
  waiting.clear();  // Cancelled: slots stay open (until they expire) without waiters.
  EXPECT_TRUE(Unchanged(before)) << "unauthenticated slots wrote to the store";
}

class ProvisioningPerSourceTest : public ServerSuite<ProvisioningPerSourceTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--provisioning-burst-per-source=5", "--provisioning-rps-per-source=0.001"});
  }
};

TEST_F(ProvisioningPerSourceTest, OneAddressOpensOnlyItsShare) {
  std::vector<std::unique_ptr<Waiter>> waiting;
  for (int i = 0; i < 5; ++i) {
    waiting.push_back(std::make_unique<Waiter>(api_->channel, RandomBytes(16)));
  }
  Waiter refused(api_->channel, RandomBytes(16));
  grpc::Status s = refused.Finish();
  EXPECT_GRPC_CODE(s, StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("from this address"), std::string::npos) << s.error_message();
  // The existing device's part needs a token, and is not counted here.
  auto existing = NewClient();
  ASSERT_TRUE(existing);
  EXPECT_GRPC_CODE(Deposit(*existing, RandomBytes(16), "x"), StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace securebase::integration
