// Store guarantees under concurrency (labelled `concurrency`: CI runs these
// under ThreadSanitizer too).
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "server/src/delivery/registry.h"
#include "tests/server/unit/store_fixture.h"

namespace securebase::server::testing {
namespace {

std::string MessageId(int thread, int i) {
  std::string id(16, '\0');
  id[0] = static_cast<char>(thread);
  id[1] = static_cast<char>(i >> 8);
  id[2] = static_cast<char>(i & 0xff);
  return id;
}

TEST_F(StoreTest, ReadersNeverSeeAGapUnderConcurrentAppends) {
  constexpr int kWriters = 6;
  constexpr int kPerWriter = 60;
  MailboxAddress shared{Id('a'), 1};
  std::atomic<bool> done{false};
  std::atomic<int> violations{0};
  std::atomic<uint64_t> reads{0};

  std::thread reader([&] {
    while (!done.load()) {
      auto page = store_->ReadMailbox(shared, 0, 1000, 64 << 20);
      ASSERT_TRUE(page.ok());
      uint64_t expected = 1;
      for (const auto& envelope : page->envelopes) {
        if (envelope.seq != expected) violations.fetch_add(1);
        expected = envelope.seq + 1;
      }
      reads.fetch_add(1);
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        // Every other send also targets a second, per-writer mailbox, so
        // multi-mailbox sends take several stripes.
        std::vector<OutgoingEnvelope> envelopes = {{shared, "x"}};
        if (i % 2 == 0) envelopes.push_back({{Id('b'), static_cast<uint32_t>(w + 1)}, "y"});
        auto appended = store_->AppendEnvelopes({Id('s'), static_cast<uint32_t>(w + 1)},
                                                MessageId(w, i), envelopes, 1000);
        ASSERT_TRUE(appended.ok());
      }
    });
  }
  for (auto& writer : writers) writer.join();
  done.store(true);
  reader.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(reads.load(), 0u);
  auto page = store_->ReadMailbox(shared, 0, 100000, 64 << 20);
  ASSERT_EQ(page->envelopes.size(), static_cast<size_t>(kWriters * kPerWriter));
  for (size_t i = 0; i < page->envelopes.size(); ++i) EXPECT_EQ(page->envelopes[i].seq, i + 1);
}

// A mailbox's usage record stays exact while appends, acknowledgements and
// the sweep change it at once (hardening finding 5's quotas rely on it).
TEST_F(StoreTest, MailboxUsageStaysExactUnderConcurrentAppendsAndDeletes) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 50;
  MailboxAddress shared{Id('a'), 1};
  std::atomic<bool> done{false};
  std::thread acker([&] {
    uint64_t up_to = 0;
    while (!done.load()) {
      up_to += 3;
      ASSERT_TRUE(store_->DeleteEnvelopes(shared, up_to > 6 ? up_to - 6 : 0, up_to).ok());
      ASSERT_TRUE(store_->DeleteEnvelopes(shared, 0, up_to / 2).ok());  // Overlapping.
    }
  });
  std::thread sweeper([&] {
    while (!done.load()) ASSERT_TRUE(store_->Sweep(/*retention_ms=*/0, 86'400'000).ok());
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        std::vector<OutgoingEnvelope> to = {{shared, std::string(100 + i, 'x')}};
        // Half of them already expired: the sweep deletes those it reaches.
        ASSERT_TRUE(store_
                        ->AppendEnvelopes({Id('s'), static_cast<uint32_t>(w + 1)}, MessageId(w, i),
                                          to, clock_.NowUnixMs() + (i % 2 == 0 ? -1000 : 1'000'000))
                        .ok());
      }
    });
  }
  for (auto& writer : writers) writer.join();
  done = true;
  acker.join();
  sweeper.join();
  auto page = store_->ReadMailbox(shared, 0, 100000, 64 << 20);
  ASSERT_TRUE(page.ok());
  MailboxUsage counted;
  for (const auto& envelope : page->envelopes) {
    counted += MailboxUsage{1, static_cast<int64_t>(envelope.record.SerializeAsString().size())};
  }
  EXPECT_EQ(*store_->GetMailboxUsage(shared), counted)
      << page->envelopes.size() << " envelopes left";
}

TEST_F(StoreTest, ConcurrentPreKeyClaimsNeverShareAKey) {
  constexpr int kPool = 200;
  constexpr int kThreads = 8;
  MakeAccount('u', v1::ROLE_CLIENT, 100);
  auto more = DeviceKeys(100, 101).one_time_prekeys;
  ASSERT_TRUE(store_->UploadPreKeys({Id('u'), 1}, std::nullopt, more, 1000).ok());
  std::vector<std::vector<uint32_t>> claimed(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPool / kThreads + 5; ++i) {
        auto bundles = store_->ClaimPreKeyBundles(Id('u'));
        ASSERT_TRUE(bundles.ok());
        if (bundles->devices[0].one_time_prekey.has_value()) {
          claimed[t].push_back(bundles->devices[0].one_time_prekey->key_id());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<uint32_t> all;
  size_t total = 0;
  for (const auto& ids : claimed) {
    total += ids.size();
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, static_cast<size_t>(kPool));
  EXPECT_EQ(all.size(), static_cast<size_t>(kPool));  // No key twice.
  EXPECT_EQ(store_->CountPreKeys({Id('u'), 1}).value(), 0u);
}

TEST_F(StoreTest, ConcurrentRetriesOfOneSendStoreItOnce) {
  constexpr int kThreads = 8;
  MailboxAddress a{Id('a'), 1};
  std::atomic<int> stored{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto appended = store_->AppendEnvelopes({Id('s'), 1}, std::string(16, 'r'), {{a, "x"}}, 1000);
      ASSERT_TRUE(appended.ok());
      if (!appended->duplicate) stored.fetch_add(1);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(store_->ReadMailbox(a, 0, 100, 1 << 20)->envelopes.size(), 1u);
}

TEST_F(StoreTest, ConcurrentRedeemsOfOneInviteLinkOnce) {
  MakeAccount('t', v1::ROLE_THERAPIST);
  std::vector<v1::AccountRecord> clients;
  for (char c = 'a'; c < 'a' + 6; ++c) clients.push_back(MakeAccount(c, v1::ROLE_CLIENT));
  v1::InviteRecord invite;
  invite.set_therapist_user_id(Id('t'));
  invite.set_expires_at_unix_ms(clock_.NowUnixMs() + 10'000);
  ASSERT_TRUE(store_->CreateInvite(std::string(32, 'i'), invite, 5).ok());
  std::atomic<int> redeemed{0};
  std::vector<std::thread> threads;
  for (const auto& client : clients) {
    threads.emplace_back([&, client] {
      if (store_->RedeemInvite(std::string(32, 'i'), client).ok()) redeemed.fetch_add(1);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(redeemed.load(), 1);
  EXPECT_EQ(store_->ListLinks(Id('t'))->size(), 1u);
}

class CountingSubscriber final : public Subscriber {
 public:
  void Notify() override { notified.fetch_add(1); }
  void End(EndReason reason) override {
    (reason == EndReason::kShutdown ? shutdown : replaced).fetch_add(1);
  }
  std::atomic<int> notified{0};
  std::atomic<int> shutdown{0};
  std::atomic<int> replaced{0};
};

TEST(DeliveryRegistryTest, LimitsNotifiesAndShutsDownConcurrently) {
  DeliveryRegistry registry(StreamLimits{/*per_device=*/2, /*per_account=*/3, /*total=*/100});
  MailboxAddress mailbox{std::string(16, 'u'), 1};
  auto first = std::make_shared<CountingSubscriber>();
  auto second = std::make_shared<CountingSubscriber>();
  ASSERT_TRUE(registry.Register(mailbox, first).ok());
  ASSERT_TRUE(registry.Register(mailbox, second).ok());
  // A third stream of the device replaces the oldest.
  auto third = std::make_shared<CountingSubscriber>();
  ASSERT_TRUE(registry.Register(mailbox, third).ok());
  EXPECT_EQ(first->replaced.load(), 1);
  EXPECT_EQ(registry.StreamCountForTesting(), 2u);
  // The account's limit counts its other devices too; then it refuses.
  MailboxAddress other_device{std::string(16, 'u'), 2};
  ASSERT_TRUE(registry.Register(other_device, std::make_shared<CountingSubscriber>()).ok());
  EXPECT_EQ(registry.Register(other_device, std::make_shared<CountingSubscriber>()).code(),
            StatusCode::kResourceExhausted);

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        registry.Notify(mailbox);
        registry.MarkGiven(mailbox, i, i + 1);
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 200; ++i) {
      auto transient = std::make_shared<CountingSubscriber>();
      MailboxAddress other{std::string(16, 'v'), 1};
      if (registry.Register(other, transient).ok()) registry.Unregister(other, transient.get());
    }
  });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(second->notified.load(), 2000);
  EXPECT_EQ(first->notified.load(), 0) << "a replaced stream gets nothing more";
  auto range = registry.AwaitGiven(mailbox, 500, [](Result<AckRange>) { FAIL(); });
  ASSERT_TRUE(range.has_value() && range->ok());
  EXPECT_EQ((*range)->after, 0u);
  EXPECT_EQ((*range)->up_to, 500u);

  registry.Unregister(mailbox, third.get());
  registry.ShutdownAll();
  EXPECT_EQ(second->shutdown.load(), 1);
  EXPECT_EQ(third->shutdown.load(), 0);
  EXPECT_EQ(registry.Register(mailbox, third).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace securebase::server::testing
