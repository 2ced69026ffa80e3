// Crash safety (DESIGN.md "Delivery"): the client is killed (_exit in a fault
// hook, in a child process) or made to fail at each named point of its
// critical paths — between decrypt and commit, between commit and
// acknowledge, between commit and send. After a restart nothing is lost,
// nothing is shown twice, and no message key is reused (the peer decrypts
// everything; nothing shows as invalid).
//
// The crashing side runs in a fresh process: this test binary re-executed
// (fork + exec of /proc/self/exe) with its orders in the environment; only
// then is the CrashChild.Run test registered (so ctest never lists it). A
// plain fork of a process with live gRPC threads could deadlock in the child.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

constexpr int kCrashExitCode = 77;
constexpr char kEnvRole[] = "SB_E2E_CRASH_CHILD";  // "sync" or "send:<peer>:<text>"
constexpr char kEnvHome[] = "SB_E2E_CRASH_HOME";
constexpr char kEnvServer[] = "SB_E2E_CRASH_SERVER";
constexpr char kEnvPoint[] = "SB_E2E_CRASH_POINT";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// The child: opens the vault, installs a hook that ends the process at the
// point, and runs the operation. Exit codes: 77 crashed at the point, 3 the
// operation finished without reaching it, 4 setup failed.
void RunCrashChild() {
  const std::string orders = Env(kEnvRole);
  const std::string point = Env(kEnvPoint);
  // A crash at the point: no destructors, no flush.
  class CrashAtPoint final : public sc::FaultInjector {
   public:
    explicit CrashAtPoint(std::string point) : point_(std::move(point)) {}
    bool ShouldFail(sc::FaultPoint at) override {
      if (sc::FaultPointName(at) == point_) ::_exit(kCrashExitCode);
      return false;
    }

   private:
    std::string point_;
  };
  CrashAtPoint crash(point);
  sc::ClientOptions options;
  options.home = Env(kEnvHome);
  options.server_address = Env(kEnvServer);
  options.insecure_loopback = true;
  options.rpc_timeout = kClientRpcTimeout;
  options.faults = &crash;
  auto opened = sc::Client::Open(options, kPassphrase);
  if (!opened.ok()) {
    std::fprintf(stderr, "crash child: open: %s\n", Describe(opened.status()).c_str());
    std::_Exit(4);
  }
  std::unique_ptr<sc::Client> client = std::move(opened).value();
  if (orders == "sync") {
    auto result = client->Sync();
    std::fprintf(stderr, "crash child: sync finished: %s\n", DescribeAny(result).c_str());
  } else if (orders.rfind("send:", 0) == 0) {
    const std::string rest = orders.substr(5);
    const size_t colon = rest.find(':');
    auto result = client->SendText(rest.substr(0, colon), rest.substr(colon + 1));
    std::fprintf(stderr, "crash child: send finished: %s\n", DescribeAny(result).c_str());
  }
  std::_Exit(3);
}

class CrashChildTest : public ::testing::Test {
  void TestBody() override { RunCrashChild(); }
};

// Registered only in a crash child (static initialisation, before main).
[[maybe_unused]] const bool kCrashChildRegistered = [] {
  if (std::getenv(kEnvRole) == nullptr) return false;
  ::testing::RegisterTest("CrashChild", "Run", nullptr, nullptr, __FILE__, __LINE__,
                          []() -> ::testing::Test* { return new CrashChildTest(); });
  return true;
}();

class CrashSafetyTest : public E2eTest {
 protected:
  void TearDown() override {
    faults_.Set(nullptr);
    E2eTest::TearDown();
  }

  // Runs the crash child for `home` and asserts it died at `point`.
  void CrashAt(const std::string& home, const std::string& orders, const std::string& point) {
    ScopedEnv env({{kEnvRole, orders},
                   {kEnvHome, Home(home)},
                   {kEnvServer, server_address()},
                   {kEnvPoint, point}});
    it::CommandResult result;
    ASSERT_TRUE(it::RunCommand({"/proc/self/exe", "--gtest_filter=CrashChild.Run"},
                               std::chrono::seconds(60), &result));
    ASSERT_FALSE(result.timed_out) << "crash child hung\n" << result.stderr_text;
    ASSERT_EQ(result.exit_code, kCrashExitCode)
        << "the child did not die at " << point << " (exit " << result.exit_code << ", signal "
        << result.term_signal << ")\n"
        << result.stdout_text << result.stderr_text;
  }

  // Everything in `items` is valid and each id appears once; `ids` are there.
  void ExpectExactlyOnce(const std::vector<sc::HistoryItem>& items,
                         const std::vector<std::string>& ids) {
    const std::string dump = DescribeHistory(items);
    EXPECT_EQ(CountInvalid(items), 0u) << "undecryptable or invalid items:\n" << dump;
    std::map<std::string, int> seen;
    for (const auto& item : items) ++seen[item.message_id];
    for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id << " shown " << n << " times\n" << dump;
    for (const std::string& id : ids) EXPECT_EQ(CountId(items, id), 1u) << id << "\n" << dump;
  }

  std::unique_ptr<sc::Client> therapist_;
  std::unique_ptr<sc::Client> client_;
};

// Crash between decrypt and commit, on the very first sync of the therapist:
// the page holds the client's first-contact message (X3DH with a one-time
// prekey) and three texts. Nothing was committed, so the next sync decrypts
// all of it again — which only works if the one-time prekey was not deleted
// and the session not advanced on disk.
TEST_F(CrashSafetyTest, CrashBetweenDecryptAndCommit) {
  therapist_ = Create(sc::Role::kTherapist, "T");
  client_ = Create(sc::Role::kClient, "C");
  ASSERT_TRUE(therapist_ && client_);
  auto code = therapist_->CreateInvite(std::chrono::hours(1));
  ASSERT_SB_OK(code);
  ASSERT_SB_OK(client_->AcceptInvite(*code));
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = client_->SendText("T", "before crash " + std::to_string(i));
    ASSERT_SB_OK(id);
    ids.push_back(*id);
  }
  therapist_.reset();  // The child has the vault alone.
  ASSERT_NO_FATAL_FAILURE(CrashAt("T", "sync", "after-decrypt-before-commit"));
  // Twice: a crash during the recovery sync must be just as harmless.
  ASSERT_NO_FATAL_FAILURE(CrashAt("T", "sync", "after-decrypt-before-commit"));

  therapist_ = Reopen("T");
  ASSERT_TRUE(therapist_);
  auto synced = therapist_->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_EQ(synced->new_items.size(), 3u) << DescribeHistory(synced->new_items);
  auto contact = therapist_->FindContact("C");
  ASSERT_SB_OK(contact) << "the client's profile arrived";
  auto history = therapist_->History("C");
  ASSERT_SB_OK(history);
  ExpectExactlyOnce(*history, ids);
  EXPECT_EQ(history->size(), 3u) << DescribeHistory(*history);

  // The sessions still work both ways.
  auto reply = therapist_->SendText("C", "reply after recovery");
  ASSERT_SB_OK(reply);
  auto client_sync = client_->Sync();
  ASSERT_SB_OK(client_sync);
  auto client_history = client_->History("T");
  ASSERT_SB_OK(client_history);
  ids.push_back(*reply);
  ExpectExactlyOnce(*client_history, ids);
  for (size_t i = 0; i < 3; ++i) {
    const auto* item = FindId(*client_history, ids[i]);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(item->state, sc::DeliveryState::kDelivered) << "delivered receipt for " << ids[i];
  }
}

// Crash after the commit, before the acknowledgement: the server hands the
// envelopes out again; the client must skip them (no duplicates).
TEST_F(CrashSafetyTest, CrashBetweenCommitAndAcknowledge) {
  therapist_ = Create(sc::Role::kTherapist, "T");
  client_ = Create(sc::Role::kClient, "C");
  ASSERT_TRUE(therapist_ && client_);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = client_->SendText("T", "committed, not acknowledged " + std::to_string(i));
    ASSERT_SB_OK(id);
    ids.push_back(*id);
  }
  therapist_.reset();
  ASSERT_NO_FATAL_FAILURE(CrashAt("T", "sync", "after-commit-before-ack"));

  therapist_ = Reopen("T");
  ASSERT_TRUE(therapist_);
  // Committed before the crash: in the history already, exactly once.
  auto history = therapist_->History("C");
  ASSERT_SB_OK(history);
  ExpectExactlyOnce(*history, ids);
  auto synced = therapist_->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_TRUE(synced->new_items.empty()) << "already shown before the crash:\n"
                                         << DescribeHistory(synced->new_items);
  history = therapist_->History("C");
  ASSERT_SB_OK(history);
  ExpectExactlyOnce(*history, ids);
  EXPECT_EQ(history->size(), 3u) << DescribeHistory(*history);
  // The envelopes were acknowledged by the recovery sync: a third sync gets
  // nothing, and new messages flow in both directions.
  auto id = client_->SendText("T", "after recovery");
  ASSERT_SB_OK(id);
  ids.push_back(*id);
  auto later = therapist_->Sync();
  ASSERT_SB_OK(later);
  ASSERT_EQ(later->new_items.size(), 1u) << DescribeHistory(later->new_items);
  EXPECT_EQ(later->new_items[0].message_id, *id);
  auto reply = therapist_->SendText("C", "reply");
  ASSERT_SB_OK(reply);
  ASSERT_SB_OK(client_->Sync());
  auto client_history = client_->History("T");
  ASSERT_SB_OK(client_history);
  ids.push_back(*reply);
  ExpectExactlyOnce(*client_history, ids);
}

// After a crash between commit and acknowledge, the delivered receipts for
// the committed messages must still reach the sender (they were due when the
// process died; nothing may be lost).
TEST_F(CrashSafetyTest, DeliveredReceiptsSurviveCrashBetweenCommitAndAcknowledge) {
  therapist_ = Create(sc::Role::kTherapist, "T");
  client_ = Create(sc::Role::kClient, "C");
  ASSERT_TRUE(therapist_ && client_);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
  auto id = client_->SendText("T", "is this delivered?");
  ASSERT_SB_OK(id);
  therapist_.reset();
  ASSERT_NO_FATAL_FAILURE(CrashAt("T", "sync", "after-commit-before-ack"));
  therapist_ = Reopen("T");
  ASSERT_TRUE(therapist_);
  auto recovered = therapist_->Sync();
  ASSERT_SB_OK(recovered);
  // The receipt was committed with the page, as an outbox entry.
  EXPECT_EQ(recovered->outbox_sent, 1u);
  auto again = therapist_->Sync();
  ASSERT_SB_OK(again);
  EXPECT_EQ(again->outbox_sent, 0u) << "a sent receipt leaves the outbox";
  ASSERT_SB_OK(client_->Sync());
  auto history = client_->History("T");
  ASSERT_SB_OK(history);
  const auto* item = FindId(*history, *id);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->state, sc::DeliveryState::kDelivered)
      << "the therapist stored the message, but the client never learns it was delivered\n"
      << DescribeHistory(*history);
}

// Crash after the sending state is committed, before the send: the message
// is in the outbox (and in the history as queued); the next sync sends the
// same ciphertext once; the peer decrypts it and everything after it.
TEST_F(CrashSafetyTest, CrashBetweenCommitAndSend) {
  therapist_ = Create(sc::Role::kTherapist, "T");
  client_ = Create(sc::Role::kClient, "C");
  ASSERT_TRUE(therapist_ && client_);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
  auto first = client_->SendText("T", "sent normally");
  ASSERT_SB_OK(first);
  client_.reset();
  ASSERT_NO_FATAL_FAILURE(CrashAt("C", "send:T:crashed before send 1", "after-commit-before-send"));
  ASSERT_NO_FATAL_FAILURE(CrashAt("C", "send:T:crashed before send 2", "after-commit-before-send"));

  client_ = Reopen("C");
  ASSERT_TRUE(client_);
  auto queued = client_->History("T");
  ASSERT_SB_OK(queued);
  ASSERT_EQ(queued->size(), 3u) << DescribeHistory(*queued);
  EXPECT_EQ(queued->at(1).state, sc::DeliveryState::kQueued) << DescribeHistory(*queued);
  EXPECT_EQ(queued->at(2).state, sc::DeliveryState::kQueued) << DescribeHistory(*queued);
  std::vector<std::string> ids = {*first, queued->at(1).message_id, queued->at(2).message_id};

  // A message sent now, while two are queued: its ratchet step comes after
  // theirs (no key reuse); the peer decrypts all, out of order if need be.
  auto third = client_->SendText("T", "sent after the crashes");
  ASSERT_SB_OK(third);
  ids.push_back(*third);
  auto flushed = client_->Sync();
  ASSERT_SB_OK(flushed);
  EXPECT_EQ(flushed->outbox_sent, 2u);
  // Nothing left to send.
  auto again = client_->Sync();
  ASSERT_SB_OK(again);
  EXPECT_EQ(again->outbox_sent, 0u);

  auto received = therapist_->Sync();
  ASSERT_SB_OK(received);
  EXPECT_EQ(received->new_items.size(), 4u) << DescribeHistory(received->new_items);
  auto history = therapist_->History("C");
  ASSERT_SB_OK(history);
  ExpectExactlyOnce(*history, ids);
  ASSERT_EQ(history->size(), 4u) << DescribeHistory(*history);
  const auto* one = FindId(*history, ids[1]);
  const auto* two = FindId(*history, ids[2]);
  ASSERT_TRUE(one && two);
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"crashed before send 1", ""}, one->content));
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"crashed before send 2", ""}, two->content));

  ASSERT_SB_OK(client_->Sync());
  auto client_history = client_->History("T");
  ASSERT_SB_OK(client_history);
  ExpectExactlyOnce(*client_history, ids);
  for (const auto& item : *client_history) {
    EXPECT_EQ(item.state, sc::DeliveryState::kDelivered) << DescribeHistory(*client_history);
  }
}

// The same three points as failures (the hook answers true): the operation
// reports an error, and a retry recovers everything exactly once.
TEST_F(CrashSafetyTest, FailuresAtEveryPointRecover) {
  therapist_ = Create(sc::Role::kTherapist, "T");
  client_ = Create(sc::Role::kClient, "C");
  ASSERT_TRUE(therapist_ && client_);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
  std::string failing;
  faults_.Set([&failing](sc::FaultPoint at) { return sc::FaultPointName(at) == failing; });

  std::vector<std::string> ids;
  failing = "after-commit-before-send";
  auto queued = client_->SendText("T", "fails before send");
  EXPECT_TRUE(HasCode(queued, sc::ErrorCode::kUnavailable));
  failing.clear();
  auto history = client_->History("T");
  ASSERT_SB_OK(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->at(0).state, sc::DeliveryState::kQueued);
  ids.push_back(history->at(0).message_id);
  auto sent = client_->SendText("T", "second");
  ASSERT_SB_OK(sent);
  ids.push_back(*sent);
  auto flushed = client_->Sync();
  ASSERT_SB_OK(flushed);
  EXPECT_EQ(flushed->outbox_sent, 1u);

  failing = "after-decrypt-before-commit";
  EXPECT_FALSE(therapist_->Sync().ok()) << "the sync must report the failure";
  failing = "after-commit-before-ack";
  EXPECT_FALSE(therapist_->Sync().ok()) << "the sync must report the failure";
  failing.clear();
  auto synced = therapist_->Sync();
  ASSERT_SB_OK(synced);
  auto t_history = therapist_->History("C");
  ASSERT_SB_OK(t_history);
  ExpectExactlyOnce(*t_history, ids);
  EXPECT_EQ(t_history->size(), 2u) << DescribeHistory(*t_history);
}

}  // namespace
}  // namespace securebase::e2e
