// The client's live path (Client::Watch, client/src/syncer.cc) on the fake
// server: what arrives together is stored as one commit, acknowledged once
// and answered with one receipt per sender; stop ends it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/client/unit/fake_server_fixture.h"

namespace securebase::client::testing {
namespace {

using namespace std::chrono_literals;

// Waits up to 20 s for `done`, polling.
bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A Watch on its own thread, recording what it reports.
class WatchThread {
 public:
  // `on_item` runs on the watch thread before the item is recorded.
  explicit WatchThread(Client& client, std::function<void(const HistoryItem&)> on_item = {})
      : on_item_(std::move(on_item)), thread_([this, &client] {
          Status ended = client.Watch(
              [this](const HistoryItem& item) {
                if (on_item_) on_item_(item);
                std::lock_guard<std::mutex> lock(mu_);
                items_.push_back(item);
              },
              stop_,
              [this](const std::string& warning) {
                std::lock_guard<std::mutex> lock(mu_);
                warnings_.push_back(warning);
              });
          std::lock_guard<std::mutex> lock(mu_);
          ended_ = ended;
          done_ = true;
        }) {}
  ~WatchThread() { Stop().IgnoreError(); }

  size_t items() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }
  bool done() const {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }
  // Stops the watch and returns how it ended.
  Status Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }
  std::vector<HistoryItem> Items() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_;
  }
  std::vector<std::string> Warnings() const {
    std::lock_guard<std::mutex> lock(mu_);
    return warnings_;
  }
  // How the watch ended (once done()).
  Status ended() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }

 private:
  std::function<void(const HistoryItem&)> on_item_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<HistoryItem> items_;     // Guarded by mu_.
  std::vector<std::string> warnings_;  // Guarded by mu_.
  Status ended_;                       // Guarded by mu_.
  bool done_ = false;                  // Guarded by mu_.
  std::thread thread_;
};

class WatchLogicTest : public LinkedPairTest {};

// While the watch is busy (its callback holds it), 20 messages arrive: they
// are stored together — at most two commits, acknowledgements and receipts
// (the last one read may miss the batch by a hair), not twenty.
TEST_F(WatchLogicTest, WhatArrivesTogetherIsOneCommitOneAcknowledgementOneReceipt) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, released = false;
  WatchThread watch(*therapist_, [&](const HistoryItem&) {
    std::unique_lock<std::mutex> lock(mu);
    if (entered) return;
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return released; });
  });
  ASSERT_TRUE(WaitFor([&] { return server_.calls(FakeCall::kSubscribe) >= 1; }));
  ASSERT_TRUE(client_->SendText("T", "first").ok());
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 20s, [&] { return entered; }));
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client_->SendText("T", "m" + std::to_string(i)).ok());
  const uint64_t last = server_.Mailbox(TherapistRaw(), 1).back().seq;
  ASSERT_TRUE(WaitFor([&] { return server_.GivenUpTo(TherapistRaw(), 1) >= last; }))
      << "the stream did not hand out the messages";
  const int acks = server_.calls(FakeCall::kAcknowledge);
  const int sends = server_.calls(FakeCall::kSend);
  {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
    cv.notify_all();
  }
  ASSERT_TRUE(WaitFor([&] { return watch.items() >= 21; }));
  ASSERT_TRUE(WaitFor([&] { return server_.Mailbox(TherapistRaw(), 1).empty(); }));
  EXPECT_TRUE(watch.Stop().ok());
  EXPECT_LE(server_.calls(FakeCall::kAcknowledge) - acks, 2);
  EXPECT_LE(server_.calls(FakeCall::kSend) - sends, 2) << "one delivered receipt per batch";

  std::vector<HistoryItem> items = watch.Items();
  ASSERT_EQ(items.size(), 21u);
  for (int i = 0; i < 20; ++i) {
    const auto* text = std::get_if<TextMessage>(&items[i + 1].content);
    ASSERT_NE(text, nullptr);
    EXPECT_EQ(text->body, "m" + std::to_string(i)) << "in order";
  }
  // Every message is stored once, and the sender learns all were delivered.
  auto history = therapist_->History("C");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 21u);
  ASSERT_TRUE(client_->Sync().ok());
  auto theirs = client_->History("T");
  ASSERT_TRUE(theirs.ok());
  for (const HistoryItem& item : *theirs) {
    EXPECT_EQ(item.state, DeliveryState::kDelivered) << item.message_id;
  }
}

TEST_F(WatchLogicTest, StopEndsTheWatchWithOk) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  WatchThread watch(*therapist_);
  ASSERT_TRUE(WaitFor([&] { return server_.calls(FakeCall::kSubscribe) >= 1; }));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(watch.Stop().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// The server goes away while the watch is subscribed: the watch does not
// end, it warns and tries again after growing pauses (a handful of attempts
// in a second, not a hot loop), and once the server is back it catches up
// and receives what is sent.
TEST_F(WatchLogicTest, TriesAgainWithGrowingPausesWhileTheServerIsAway) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  WatchThread watch(*therapist_);
  ASSERT_TRUE(WaitFor([&] { return server_.calls(FakeCall::kSubscribe) >= 1; }));
  const int links_before = server_.calls(FakeCall::kListLinks);
  server_.SetReachable(false);
  // Time must pass here: the test counts the attempts made in it.
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(watch.done()) << Describe(watch.ended());
  // Pauses of 125-250, 250-500, 500-1000 ms: at most four attempts (each
  // starts with a sync, which lists the links).
  const int attempts = server_.calls(FakeCall::kListLinks) - links_before;
  EXPECT_GE(attempts, 1);
  EXPECT_LE(attempts, 4);
  const std::vector<std::string> warnings = watch.Warnings();
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings.back().find("trying again in"), std::string::npos) << warnings.back();

  server_.SetReachable(true);
  ASSERT_TRUE(client_->SendText("T", "after the outage").ok());
  ASSERT_TRUE(WaitFor([&] { return watch.items() >= 1; })) << "the watch did not come back";
  EXPECT_TRUE(watch.Stop().ok());
  const std::vector<HistoryItem> items = watch.Items();
  const auto* text = std::get_if<TextMessage>(&items.back().content);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->body, "after the outage");
}

// The server ends the subscription because another one of this device
// replaced it: the watch reports that to its caller at once instead of
// subscribing again (which would only fight the other subscriber).
TEST_F(WatchLogicTest, AReplacedSubscriptionIsReportedNotFoughtOver) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  WatchThread watch(*therapist_);
  ASSERT_TRUE(WaitFor([&] { return server_.calls(FakeCall::kSubscribe) >= 1; }));
  server_.EndStreams(Status(ErrorCode::kFailedPrecondition, "replaced by a newer subscription"));
  ASSERT_TRUE(WaitFor([&] { return watch.done(); })) << "the watch kept going";
  EXPECT_EQ(watch.ended().code(), ErrorCode::kFailedPrecondition) << Describe(watch.ended());
  EXPECT_EQ(server_.calls(FakeCall::kSubscribe), 1);
}

// Too many subscriptions for this device: reported, not retried.
TEST_F(WatchLogicTest, TooManySubscriptionsIsReportedNotRetried) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  server_.FailNext(FakeCall::kSubscribe,
                   Status(ErrorCode::kResourceExhausted, "too many streams for this device"));
  WatchThread watch(*therapist_);
  ASSERT_TRUE(WaitFor([&] { return watch.done(); })) << "the watch kept going";
  EXPECT_EQ(watch.ended().code(), ErrorCode::kResourceExhausted) << Describe(watch.ended());
  EXPECT_EQ(server_.calls(FakeCall::kSubscribe), 1);
}

// A watch that stays subscribed for weeks (the desktop app) with nothing
// arriving still rotates this device's signed prekey weekly, as a sync
// would: else a server could keep handing out one prekey for as long as the
// app runs, and every first message to it would be made from that one. Not
// before the week, and not on every wake (one maintenance an hour).
TEST_F(WatchLogicTest, AWatchThatStaysSubscribedRotatesTheSignedPreKeyWeekly) {
  ASSERT_NO_FATAL_FAILURE(SetUpPair());
  // Read before the watch starts: the handle belongs to the watch's thread
  // from then on (client.h's threading contract).
  const std::string therapist_raw = TherapistRaw();
  auto published = [&] {
    std::unique_ptr<ServerApi> connection = server_.Connect();
    connection->SetDevice(therapist_raw, 1, nullptr, "");  // The account's own view.
    auto bundles = connection->GetPreKeyBundles(therapist_raw);
    EXPECT_TRUE(bundles.ok() && bundles->devices.size() == 1u) << Describe(bundles);
    return bundles.ok() && !bundles->devices.empty() ? bundles->devices[0].signed_prekey.key_id
                                                     : 0u;
  };
  const uint32_t first = published();
  WatchThread watch(*therapist_);
  ASSERT_TRUE(WaitFor([&] { return server_.calls(FakeCall::kSubscribe) >= 1; }));
  const int counts_before = server_.calls(FakeCall::kGetPreKeyCount);
  clock_.Set(clock_.NowUnixMs() + 2 * 3600 * 1000LL);  // Two hours: maintained, not due.
  ASSERT_TRUE(WaitFor([&] { return server_.calls(FakeCall::kGetPreKeyCount) > counts_before; }))
      << "no maintenance while subscribed";
  std::this_thread::sleep_for(2500ms);  // Wakes every second: still one maintenance.
  EXPECT_EQ(server_.calls(FakeCall::kGetPreKeyCount) - counts_before, 1);
  EXPECT_EQ(published(), first) << "rotated before a week";
  clock_.Set(clock_.NowUnixMs() + 8 * 24 * 3600 * 1000LL);
  ASSERT_TRUE(WaitFor([&] { return published() != first; }))
      << "a watch that stayed subscribed for eight days kept its signed prekey";
  EXPECT_EQ(server_.calls(FakeCall::kSubscribe), 1) << "the subscription stayed up";
  EXPECT_TRUE(watch.Stop().ok());
}

}  // namespace
}  // namespace securebase::client::testing
