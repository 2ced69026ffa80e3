// Durability: acknowledged sends survive SIGKILL; retried sends (same client
// message id) are stored once, before and after a restart.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

constexpr int kSenders = 4;
constexpr int kPerSender = 50;

ServerOptions DurabilityOptions() {
  // Default --sync-writes (on). Rate limits out of the way of the bursts.
  return WithFlags({"--rate-limit-rps=100000", "--rate-limit-burst=100000"});
}

struct World {
  std::shared_ptr<Api> api;
  std::unique_ptr<TestAccount> therapist;
  std::vector<std::unique_ptr<TestAccount>> clients;

  // Drops every reference to the channel, so no connection stays open
  // while the server is stopped.
  void Release() {
    therapist->set_api(nullptr);
    for (auto& c : clients) c->set_api(nullptr);
    api.reset();
  }
  void Rebind(const std::shared_ptr<grpc::Channel>& channel) {
    api = std::make_shared<Api>(channel);
    therapist->set_api(api);
    for (auto& c : clients) c->set_api(api);
  }
};

void MakeWorld(ServerProcess& server, World* w) {
  w->api = std::make_shared<Api>(server.channel());
  w->therapist = TestAccount::Create(w->api, v1::ROLE_THERAPIST, 1);
  ASSERT_TRUE(w->therapist);
  for (int i = 0; i < kSenders; ++i) {
    w->clients.push_back(TestAccount::Create(w->api, v1::ROLE_CLIENT, 1));
    ASSERT_TRUE(w->clients.back());
    ASSERT_GRPC_OK(LinkAccounts(*w->therapist, *w->clients.back()));
  }
}

// Every ciphertext in the therapist's mailbox with how often it occurs;
// checks the seqs are strictly increasing.
std::map<std::string, int> MailboxCounts(const TestAccount& t) {
  std::vector<v1::Envelope> all;
  EXPECT_GRPC_OK(t.FetchAll(0, 0, &all));
  std::map<std::string, int> counts;
  uint64_t last = 0;
  for (const v1::Envelope& e : all) {
    EXPECT_GT(e.seq(), last);
    last = e.seq();
    ++counts[e.ciphertext()];
  }
  return counts;
}

TEST(DurabilityTest, AcknowledgedSendsSurviveSigkillExactlyOnce) {
  ServerProcess server(DurabilityOptions());
  ASSERT_TRUE(server.Start());
  World w;
  ASSERT_NO_FATAL_FAILURE(MakeWorld(server, &w));

  // A send retried with the same client message id is stored once and
  // answered the same way.
  const v1::SendRequest retried = w.clients[0]->MakeSend(*w.therapist, "retried");
  v1::SendResponse first;
  v1::SendResponse again;
  ASSERT_GRPC_OK(w.clients[0]->SendRequest(retried, 0, &first));
  ASSERT_GRPC_OK(w.clients[0]->SendRequest(retried, 0, &again));
  EXPECT_EQ(again.server_timestamp_unix_ms(), first.server_timestamp_unix_ms());

  // kSenders clients send concurrently; remember what was acknowledged.
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < kPerSender; ++i) {
        const std::string base = "durable-" + std::to_string(s) + "-" + std::to_string(i);
        grpc::Status st = w.clients[s]->Send(*w.therapist, base);
        std::lock_guard<std::mutex> lock(mu);
        if (st.ok()) {
          acknowledged.insert(TargetCiphertext(base, w.therapist->address(0)));
        } else {
          failures.push_back(base + ": " + StatusString(st));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " sends failed, first: " << failures[0];
  ASSERT_EQ(acknowledged.size(), static_cast<size_t>(kSenders * kPerSender));

  server.Kill();  // SIGKILL: no shutdown path runs.
  ASSERT_TRUE(server.Start());
  w.Rebind(server.channel());
  ASSERT_GRPC_OK(w.therapist->Login(0));
  ASSERT_GRPC_OK(w.clients[0]->Login(0));

  // The retry after the restart is still recognised.
  v1::SendResponse after_restart;
  ASSERT_GRPC_OK(w.clients[0]->SendRequest(retried, 0, &after_restart));
  EXPECT_EQ(after_restart.server_timestamp_unix_ms(), first.server_timestamp_unix_ms());

  std::map<std::string, int> counts = MailboxCounts(*w.therapist);
  for (const std::string& c : acknowledged) {
    EXPECT_EQ(counts[c], 1) << c;
  }
  EXPECT_EQ(counts[TargetCiphertext("retried", w.therapist->address(0))], 1);
  EXPECT_EQ(counts.size(), acknowledged.size() + 1) << "nothing else is in the mailbox";

  // Seqs are never reused: a new envelope comes after all of them.
  std::vector<v1::Envelope> before_new;
  ASSERT_GRPC_OK(w.therapist->FetchAll(0, 0, &before_new));
  ASSERT_FALSE(before_new.empty());
  ASSERT_GRPC_OK(w.clients[0]->Send(*w.therapist, "after-restart"));
  std::vector<v1::Envelope> tail;
  ASSERT_GRPC_OK(w.therapist->FetchAll(0, before_new.back().seq(), &tail));
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].ciphertext(), TargetCiphertext("after-restart", w.therapist->address(0)));

  // Acknowledgements are durable too, across a clean shutdown.
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(w.therapist->Acknowledge(0, tail[0].seq(), &ack));
  EXPECT_EQ(ack.deleted(), acknowledged.size() + 2);
  w.Release();
  ASSERT_TRUE(server.Stop());  // SIGTERM: exit 0.
  ASSERT_TRUE(server.Start());
  w.Rebind(server.channel());
  ASSERT_GRPC_OK(w.therapist->Login(0));
  std::vector<v1::Envelope> left;
  ASSERT_GRPC_OK(w.therapist->FetchAll(0, 0, &left));
  EXPECT_TRUE(left.empty());
}

TEST(DurabilityTest, SigkillDuringConcurrentSendsLosesNothingAcknowledged) {
  ServerProcess server(DurabilityOptions());
  ASSERT_TRUE(server.Start());
  World w;
  ASSERT_NO_FATAL_FAILURE(MakeWorld(server, &w));

  struct Attempt {
    v1::SendRequest request;
    int sender;
    bool acknowledged = false;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Attempt> attempts;  // Guarded by mu.
  int acknowledged_count = 0;     // Guarded by mu.
  int finished = 0;               // Guarded by mu.
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; !stop.load(); ++i) {
        v1::SendRequest req = w.clients[s]->MakeSend(
            *w.therapist, "inflight-" + std::to_string(s) + "-" + std::to_string(i));
        size_t index;
        {
          std::lock_guard<std::mutex> lock(mu);
          attempts.push_back({req, s});
          index = attempts.size() - 1;
        }
        grpc::Status st = w.clients[s]->SendRequest(req);
        std::lock_guard<std::mutex> lock(mu);
        if (!st.ok()) break;  // The server is gone.
        attempts[index].acknowledged = true;
        ++acknowledged_count;
        cv.notify_all();
      }
      std::lock_guard<std::mutex> lock(mu);
      ++finished;
      cv.notify_all();
    });
  }
  // Kill once 100 sends were acknowledged, with the others still sending.
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(60),
                [&] { return acknowledged_count >= 100 || finished == kSenders; });
  }
  server.Kill();
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_GE(acknowledged_count, 100) << "sends stopped early";

  ASSERT_TRUE(server.Start());
  w.Rebind(server.channel());
  ASSERT_GRPC_OK(w.therapist->Login(0));
  for (auto& c : w.clients) ASSERT_GRPC_OK(c->Login(0));

  std::map<std::string, int> counts = MailboxCounts(*w.therapist);
  int acknowledged_seen = 0;
  for (const Attempt& a : attempts) {
    const std::string ct = a.request.ciphertexts(0).ciphertext();
    if (a.acknowledged) {
      EXPECT_EQ(counts[ct], 1) << "acknowledged: " << ct;
      ++acknowledged_seen;
    } else {
      EXPECT_LE(counts[ct], 1) << "in flight at the kill: " << ct;
    }
  }
  EXPECT_EQ(acknowledged_seen, acknowledged_count);

  // Retrying every attempt (as a client would after the crash) stores each
  // exactly once, whether or not it had made it before the kill.
  for (const Attempt& a : attempts) {
    ASSERT_GRPC_OK(w.clients[a.sender]->SendRequest(a.request));
  }
  counts = MailboxCounts(*w.therapist);
  for (const Attempt& a : attempts) {
    EXPECT_EQ(counts[a.request.ciphertexts(0).ciphertext()], 1);
  }
  EXPECT_EQ(counts.size(), attempts.size());
}

}  // namespace
}  // namespace securebase::integration
