// Sequence numbers become visible in order: while many senders write to one
// mailbox, a reader polling Fetch with a cursor never skips an envelope that
// commits late, and a live subscriber sees the same sequence.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subscription.h"

namespace securebase::integration {
namespace {

class SequenceVisibilityTest : public ServerSuite<SequenceVisibilityTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--rate-limit-rps=1000000", "--rate-limit-burst=1000000"});
  }
};

std::vector<uint64_t> SeqsOf(const std::vector<v1::Envelope>& envelopes) {
  std::vector<uint64_t> out;
  for (const auto& e : envelopes) out.push_back(e.seq());
  return out;
}

TEST_F(SequenceVisibilityTest, PollingReaderNeverSkipsALateCommit) {
  constexpr int kSenders = 6;
  constexpr int kPerSender = 40;
  constexpr size_t kTotal = kSenders * kPerSender;
  auto t = NewTherapist();
  ASSERT_TRUE(t);
  std::vector<std::unique_ptr<TestAccount>> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.push_back(NewClient());
    ASSERT_TRUE(senders.back());
    ASSERT_GRPC_OK(LinkAccounts(*t, *senders.back()));
  }
  // A live subscriber from the start, alongside the polling reader.
  Subscription live(*t, 0, 0);

  std::atomic<bool> senders_done{false};
  std::vector<v1::Envelope> observed;  // Written by the reader thread only.
  std::string reader_error;
  std::thread reader([&] {
    uint64_t cursor = 0;
    while (true) {
      const bool last_round = senders_done.load();
      v1::FetchResponse page;
      grpc::Status s = t->Fetch(0, cursor, 7, &page);
      if (!s.ok()) {
        reader_error = StatusString(s);
        return;
      }
      for (const v1::Envelope& e : page.envelopes()) {
        if (e.seq() <= cursor) {
          reader_error =
              "seq " + std::to_string(e.seq()) + " after cursor " + std::to_string(cursor);
          return;
        }
        cursor = e.seq();
        observed.push_back(e);
      }
      // After the senders finished, read until the mailbox is drained.
      if (last_round && page.envelopes_size() == 0 && !page.more()) return;
    }
  });
  std::vector<std::thread> threads;
  std::atomic<int> send_failures{0};
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < kPerSender; ++i) {
        grpc::Status st =
            senders[s]->Send(*t, "seq-" + std::to_string(s) + "-" + std::to_string(i));
        if (!st.ok()) {
          ADD_FAILURE() << StatusString(st);
          send_failures.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  senders_done = true;
  reader.join();
  ASSERT_EQ(reader_error, "");
  ASSERT_EQ(send_failures.load(), 0);

  std::vector<v1::Envelope> stored;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &stored));
  ASSERT_EQ(stored.size(), kTotal);
  // The poller saw every envelope of the final mailbox: none was skipped
  // because a higher seq became visible first.
  EXPECT_EQ(SeqsOf(observed), SeqsOf(stored));
  std::set<std::string> texts;
  for (const auto& e : observed) texts.insert(e.ciphertext());
  EXPECT_EQ(texts.size(), kTotal);

  // So did the live stream.
  ASSERT_TRUE(live.WaitForCount(kTotal, std::chrono::seconds(20))) << live.ReceivedCount();
  EXPECT_EQ(SeqsOf(live.Received()), SeqsOf(stored));
}

}  // namespace
}  // namespace securebase::integration
