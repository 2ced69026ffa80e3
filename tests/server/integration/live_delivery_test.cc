// Live delivery over Subscribe: stored envelopes first, then live ones, in
// seq order; reconnecting with a cursor while sends continue loses nothing
// and repeats nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subscription.h"

namespace securebase::integration {
namespace {

using std::chrono::milliseconds;

class LiveDeliveryTest : public ServerSuite<LiveDeliveryTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--rate-limit-rps=100000", "--rate-limit-burst=100000"});
  }
};

std::vector<uint64_t> SeqsOf(const std::vector<v1::Envelope>& envelopes) {
  std::vector<uint64_t> out;
  for (const auto& e : envelopes) out.push_back(e.seq());
  return out;
}

TEST_F(LiveDeliveryTest, StoredFirstThenLiveFromOtherAccountsInSeqOrder) {
  auto t = NewTherapist();
  auto c1 = NewClient();
  auto c2 = NewClient();
  ASSERT_TRUE(t && c1 && c2);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c1));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c2));
  for (int i = 0; i < 5; ++i) ASSERT_GRPC_OK(c1->Send(*t, "stored-" + std::to_string(i)));

  Subscription sub(*t, 0, 0);
  ASSERT_TRUE(sub.WaitForCount(5, milliseconds(10000))) << sub.ReceivedCount();
  for (int i = 0; i < 6; ++i) {
    TestAccount& from = i % 2 == 0 ? *c1 : *c2;
    ASSERT_GRPC_OK(from.Send(*t, "live-" + std::to_string(i)));
    // Each one arrives while the stream stays open.
    ASSERT_TRUE(sub.WaitForCount(6 + i, milliseconds(10000))) << "live " << i;
  }
  std::vector<v1::Envelope> got = sub.Received();
  ASSERT_EQ(got.size(), 11u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(got[i].ciphertext(), TargetCiphertext("stored-" + std::to_string(i), t->address(0)));
  }
  for (int i = 0; i < 6; ++i) {
    const v1::Envelope& e = got[5 + i];
    EXPECT_EQ(e.ciphertext(), TargetCiphertext("live-" + std::to_string(i), t->address(0)));
    EXPECT_EQ(e.sender().user_id(), (i % 2 == 0 ? c1 : c2)->user_id());
  }
  std::vector<v1::Envelope> stored;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &stored));
  EXPECT_EQ(SeqsOf(got), SeqsOf(stored));
  EXPECT_FALSE(sub.ended());
}

TEST_F(LiveDeliveryTest, EveryOpenStreamOfADeviceGetsLiveEnvelopes) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  size_t second = 0;
  ASSERT_GRPC_OK(t->AddDevice(0, &second));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  ASSERT_GRPC_OK(c->Send(*t, "opening"));
  Subscription a(*t, 0, 0);
  Subscription b(*t, 0, 0);
  Subscription other(*t, second, 0);
  for (Subscription* s : {&a, &b, &other}) ASSERT_TRUE(s->WaitForCount(1, milliseconds(10000)));
  ASSERT_GRPC_OK(c->Send(*t, "live"));
  for (Subscription* s : {&a, &b}) {
    ASSERT_TRUE(s->WaitForCount(2, milliseconds(10000)));
    EXPECT_EQ(s->Received()[1].ciphertext(), TargetCiphertext("live", t->address(0)));
  }
  ASSERT_TRUE(other.WaitForCount(2, milliseconds(10000)));
  EXPECT_EQ(other.Received()[1].ciphertext(), TargetCiphertext("live", t->address(second)));
}

TEST_F(LiveDeliveryTest, ReconnectWithCursorWhileSendsContinue) {
  constexpr int kSenders = 3;
  constexpr int kPerSender = 50;
  constexpr size_t kTotal = kSenders * kPerSender;
  auto t = NewTherapist();
  ASSERT_TRUE(t);
  std::vector<std::unique_ptr<TestAccount>> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.push_back(NewClient());
    ASSERT_TRUE(senders.back());
    ASSERT_GRPC_OK(LinkAccounts(*t, *senders.back()));
  }
  std::atomic<int> send_failures{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < kPerSender; ++i) {
        grpc::Status st =
            senders[s]->Send(*t, "resume-" + std::to_string(s) + "-" + std::to_string(i));
        if (!st.ok()) {
          ADD_FAILURE() << StatusString(st);
          send_failures.fetch_add(1);
        }
      }
    });
  }

  // Read in sessions of ~20 envelopes, cancelling each and resuming after
  // the last seq seen, while the senders keep going.
  std::vector<v1::Envelope> seen;
  uint64_t cursor = 0;
  int sessions = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool in_order = true;
  while (in_order && seen.size() + send_failures.load() < kTotal &&
         std::chrono::steady_clock::now() < deadline) {
    ++sessions;
    Subscription sub(*t, 0, cursor);
    sub.WaitForCount(std::min<size_t>(20, kTotal - seen.size()), milliseconds(10000));
    sub.Cancel();
    for (const v1::Envelope& e : sub.Received()) {
      if (e.seq() <= cursor) {
        ADD_FAILURE() << "session " << sessions << " gave seq " << e.seq() << " after " << cursor;
        in_order = false;
        break;
      }
      cursor = e.seq();
      seen.push_back(e);
    }
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(in_order);
  ASSERT_EQ(send_failures.load(), 0);
  EXPECT_GE(sessions, 3);

  // Nothing lost, nothing repeated: the sessions together saw exactly the
  // mailbox, in order.
  std::vector<v1::Envelope> stored;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &stored));
  ASSERT_EQ(stored.size(), kTotal);
  EXPECT_EQ(SeqsOf(seen), SeqsOf(stored));
  std::set<std::string> texts;
  for (const auto& e : seen) texts.insert(e.ciphertext());
  EXPECT_EQ(texts.size(), kTotal);
  for (int s = 0; s < kSenders; ++s) {
    for (int i = 0; i < kPerSender; ++i) {
      const std::string want =
          TargetCiphertext("resume-" + std::to_string(s) + "-" + std::to_string(i), t->address(0));
      EXPECT_TRUE(texts.count(want)) << want;
    }
  }
}

TEST(LiveDeliveryShutdownTest, OpenStreamsEndWhenTheServerStops) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  auto api = std::make_shared<Api>(server.channel());
  auto t = TestAccount::Create(api, v1::ROLE_THERAPIST);
  auto c = TestAccount::Create(api, v1::ROLE_CLIENT);
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  ASSERT_GRPC_OK(c->Send(*t, "before-stop"));
  Subscription sub(*t, 0, 0);
  ASSERT_TRUE(sub.WaitForCount(1, milliseconds(10000)));
  ASSERT_TRUE(server.Stop());  // SIGTERM with a stream open: exit 0.
  auto status = sub.WaitForEnd(milliseconds(10000));
  EXPECT_TRUE(status.has_value()) << "the stream outlived the server";
}

}  // namespace
}  // namespace securebase::integration
