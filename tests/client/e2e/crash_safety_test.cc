// Crash safety (DESIGN.md "Delivery"): the client is killed (_exit in a fault
// hook, in a child process) or made to fail at each named point of its
// critical paths — between decrypt and commit, between commit and its disk
// sync, between the sync and the acknowledgement, between the
// acknowledgement and the delivered receipts, between commit and send —
// on the pipelined Sync (pages overlapping on several threads) and on the
// batched Watch. After a restart nothing the server had acknowledged is
// missing, nothing is lost, nothing is shown twice, and no message key is
// reused (the peer decrypts everything; nothing shows as invalid).
//
// The crashing side runs in a fresh process: this test binary re-executed
// (fork + exec of /proc/self/exe) with its orders in the environment; only
// then is the CrashChild.Run test registered (so ctest never lists it). A
// plain fork of a process with live gRPC threads could deadlock in the child.
#include <rocksdb/db.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "securebase/crypto/encoding.h"
#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

constexpr int kCrashExitCode = 77;
// "sync", "send:<peer>:<text>", or "watch" (Watch; the fault points are armed
// once the first item arrived, and the first item's callback waits for the
// gate file, so that what the parent sends next arrives together).
constexpr char kEnvRole[] = "SB_E2E_CRASH_CHILD";
constexpr char kEnvHome[] = "SB_E2E_CRASH_HOME";
constexpr char kEnvServer[] = "SB_E2E_CRASH_SERVER";
constexpr char kEnvPoint[] = "SB_E2E_CRASH_POINT";
constexpr char kEnvNth[] = "SB_E2E_CRASH_NTH";    // Crash at the n-th hit (default 1).
constexpr char kEnvGate[] = "SB_E2E_CRASH_GATE";  // "watch": a file the parent creates.

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// Ends the process (no destructors, no flush) at the n-th hit of a point,
// once armed; may be hit from several threads.
class CrashAtPoint final : public sc::FaultInjector {
 public:
  CrashAtPoint(std::string point, int nth, bool armed)
      : point_(std::move(point)), nth_(nth), armed_(armed) {}
  void Arm() { armed_ = true; }
  bool ShouldFail(sc::FaultPoint at) override {
    if (!armed_.load() || sc::FaultPointName(at) != point_) return false;
    if (++hits_ == nth_) ::_exit(kCrashExitCode);
    return false;
  }

 private:
  const std::string point_;
  const int nth_;
  std::atomic<bool> armed_;
  std::atomic<int> hits_{0};
};

// The child: opens the vault, installs a hook that ends the process at the
// point, and runs the operation. Exit codes: 77 crashed at the point, 3 the
// operation finished without reaching it, 4 setup failed.
void RunCrashChild() {
  const std::string orders = Env(kEnvRole);
  const int nth = Env(kEnvNth).empty() ? 1 : std::atoi(Env(kEnvNth).c_str());
  CrashAtPoint crash(Env(kEnvPoint), nth, /*armed=*/orders != "watch");
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
  } else if (orders == "watch") {
    const std::string gate = Env(kEnvGate);
    std::atomic<bool> stop{false};
    bool first = true;
    sc::Status watched = client->Watch(
        [&](const sc::HistoryItem&) {
          if (!first) return;
          first = false;
          crash.Arm();
          std::fprintf(stderr, "armed\n");
          std::fflush(stderr);
          struct stat st;
          for (int i = 0; i < 3000 && ::stat(gate.c_str(), &st) != 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
        },
        stop);
    std::fprintf(stderr, "crash child: watch ended: %s\n", Describe(watched).c_str());
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

  // Runs the crash child for `home` and asserts it died at the `nth` hit of
  // `point`.
  void CrashAt(const std::string& home, const std::string& orders, const std::string& point,
               int nth = 1) {
    ScopedEnv env({{kEnvRole, orders},
                   {kEnvHome, Home(home)},
                   {kEnvServer, server_address()},
                   {kEnvPoint, point},
                   {kEnvNth, std::to_string(nth)}});
    it::CommandResult result;
    ASSERT_TRUE(it::RunCommand({"/proc/self/exe", "--gtest_filter=CrashChild.Run"},
                               std::chrono::seconds(60), &result));
    ASSERT_FALSE(result.timed_out) << "crash child hung\n" << result.stderr_text;
    ASSERT_EQ(result.exit_code, kCrashExitCode)
        << "the child did not die at " << point << " (exit " << result.exit_code << ", signal "
        << result.term_signal << ")\n"
        << result.stdout_text << result.stderr_text;
  }

  // Runs the crash child watching `home` at `point`: `wake` (a message that
  // makes the child arm its fault points) is sent as it starts; once armed,
  // `batch` is sent while the child waits, so it arrives together; the child
  // must die at the point.
  void CrashWatchAt(const std::string& home, const std::string& point,
                    const std::function<void()>& wake, const std::function<void()>& batch) {
    const std::string gate = temp_->Sub("gate-" + RandomHex(4));
    ScopedEnv env({{kEnvRole, "watch"},
                   {kEnvHome, Home(home)},
                   {kEnvServer, server_address()},
                   {kEnvPoint, point},
                   {kEnvNth, "1"},
                   {kEnvGate, gate}});
    auto child = LiveProcess::Start({"/proc/self/exe", "--gtest_filter=CrashChild.Run"});
    ASSERT_TRUE(child);
    ASSERT_NO_FATAL_FAILURE(wake());
    ASSERT_TRUE(child->WaitForStderr("armed", std::chrono::seconds(60)))
        << "the watch never received the wake-up message\n"
        << child->Stderr();
    ASSERT_NO_FATAL_FAILURE(batch());
    ASSERT_TRUE(WriteFile(gate, "go"));
    std::optional<int> status = child->Wait(std::chrono::seconds(60));
    ASSERT_TRUE(status.has_value()) << "the watch did not reach " << point << "\n"
                                    << child->Stderr();
    ASSERT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == kCrashExitCode)
        << "the watch did not die at " << point << " (wait status " << *status << ")\n"
        << child->Stderr();
  }

  // Envelopes waiting in the mailboxes of the user (hex id). The server is
  // stopped for the count and started again.
  size_t WaitingEnvelopes(const std::string& user_hex) {
    const std::optional<std::string> raw = crypto::FromHex(user_hex);
    EXPECT_TRUE(raw.has_value());
    EXPECT_TRUE(server().Stop());
    size_t count = 0;
    std::string error;
    EXPECT_TRUE(EditServerStore(
        server().db_dir(),
        [&](rocksdb::DB* db, std::map<std::string, rocksdb::ColumnFamilyHandle*>& cfs,
            std::string* why) {
          if (!cfs.count("mailboxes")) {
            *why = "no mailboxes column family";
            return false;
          }
          const std::string prefix = std::string(1, '\x01') + raw.value_or("");
          std::unique_ptr<rocksdb::Iterator> it(
              db->NewIterator(rocksdb::ReadOptions(), cfs["mailboxes"]));
          for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++count;
          return it->status().ok();
        },
        &error))
        << error;
    EXPECT_TRUE(server().Start());
    return count;
  }

  // After a crash of T's device: every message of `sent` (in the order the
  // server numbered them) that the server no longer holds was acknowledged,
  // so it must be in T's history, once; nothing there is shown twice or is
  // invalid.
  void ExpectAcknowledgedAreKept(const std::string& therapist_hex,
                                 const std::vector<std::string>& sent) {
    const size_t waiting = WaitingEnvelopes(therapist_hex);
    ASSERT_LE(waiting, sent.size());
    auto therapist = Reopen("T");
    ASSERT_TRUE(therapist);
    auto history = therapist->History("C");
    ASSERT_SB_OK(history);
    const std::vector<std::string> acknowledged(sent.begin(), sent.end() - waiting);
    ExpectExactlyOnce(*history, acknowledged);
  }

  // After the crashes: T's next syncs bring every message of `sent` exactly
  // once (the sessions as committed decrypt all of them), C learns each was
  // delivered, and both directions still work.
  void ExpectFullRecovery(const std::vector<std::string>& sent) {
    therapist_ = Reopen("T");
    ASSERT_TRUE(therapist_);
    ASSERT_SB_OK(therapist_->Sync());
    ASSERT_SB_OK(therapist_->Sync());  // Receipts left in the outbox, if any.
    auto history = therapist_->History("C");
    ASSERT_SB_OK(history);
    ExpectExactlyOnce(*history, sent);
    EXPECT_EQ(history->size(), sent.size()) << DescribeHistory(*history);
    ASSERT_SB_OK(client_->Sync());
    auto theirs = client_->History("T");
    ASSERT_SB_OK(theirs);
    for (const auto& item : *theirs) {
      EXPECT_EQ(item.state, sc::DeliveryState::kDelivered) << item.message_id;
    }
    auto reply = therapist_->SendText("C", "reply after the crashes");
    ASSERT_SB_OK(reply);
    ASSERT_SB_OK(client_->Sync());
    theirs = client_->History("T");
    ASSERT_SB_OK(theirs);
    std::vector<std::string> all = sent;
    all.push_back(*reply);
    ExpectExactlyOnce(*theirs, all);
  }

  // C sends `n` texts of about 60 KB (so 70 of them are two fetch pages);
  // their ids are appended to `sent`.
  void SendLarge(int n, const std::string& tag, std::vector<std::string>& sent) {
    for (int i = 0; i < n; ++i) {
      const std::string text =
          tag + " " + std::to_string(i) + " " + std::string(60000, static_cast<char>('a' + i % 26));
      auto id = client_->SendText("T", text);
      ASSERT_SB_OK(id);
      sent.push_back(*id);
    }
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

// The pipelined Sync (syncer.h) killed at every step while pages overlap:
// decrypting page 2 (page 1 committed, maybe durable and acknowledged),
// page 2 committed but not synced (a crash loses that commit, as a power cut
// would), page 1 synced but not acknowledged, page 1 acknowledged but its
// receipts not sent. After each crash every message the server had
// acknowledged is in the history exactly once; after all of them, the next
// syncs bring every message once, and the sessions still work both ways.
// Fails if an acknowledgement is made before its page is durable.
TEST_F(CrashSafetyTest, PipelinedSyncKilledAtEveryStepKeepsEveryAcknowledgedMessage) {
  therapist_ = Create(sc::Role::kTherapist, "T");
  client_ = Create(sc::Role::kClient, "C",
                   [](sc::ClientOptions& o) { o.vault_access = sc::VaultAccess::kExclusive; });
  ASSERT_TRUE(therapist_ && client_);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
  const std::string therapist_hex = therapist_->user_id();
  therapist_.reset();
  struct Step {
    const char* point;
    int nth;
  };
  const Step steps[] = {{"after-decrypt-before-commit", 2},
                        {"after-commit-before-sync", 2},
                        {"after-commit-before-ack", 1},
                        {"after-ack-before-receipts", 1}};
  std::vector<std::string> sent;
  for (const Step& step : steps) {
    SCOPED_TRACE(step.point);
    ASSERT_NO_FATAL_FAILURE(SendLarge(70, step.point, sent));
    ASSERT_NO_FATAL_FAILURE(CrashAt("T", "sync", step.point, step.nth));
    ASSERT_NO_FATAL_FAILURE(ExpectAcknowledgedAreKept(therapist_hex, sent));
  }
  ASSERT_NO_FATAL_FAILURE(ExpectFullRecovery(sent));
}

// The batched Watch killed at every step of a batch (what arrived together:
// one commit, one acknowledgement, one receipt): after each crash every
// acknowledged message is kept exactly once; afterwards all arrive once.
TEST_F(CrashSafetyTest, BatchedWatchKilledAtEveryStepKeepsEveryAcknowledgedMessage) {
  therapist_ = Create(sc::Role::kTherapist, "T");
  client_ = Create(sc::Role::kClient, "C",
                   [](sc::ClientOptions& o) { o.vault_access = sc::VaultAccess::kExclusive; });
  ASSERT_TRUE(therapist_ && client_);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist_, *client_));
  const std::string therapist_hex = therapist_->user_id();
  therapist_.reset();
  std::vector<std::string> sent;
  for (const char* point :
       {"after-decrypt-before-commit", "after-commit-before-ack", "after-ack-before-receipts"}) {
    SCOPED_TRACE(point);
    auto send = [&](int n, const std::string& tag) {
      for (int i = 0; i < n; ++i) {
        auto id = client_->SendText("T", tag + " " + std::to_string(i));
        ASSERT_SB_OK(id);
        sent.push_back(*id);
      }
    };
    ASSERT_NO_FATAL_FAILURE(CrashWatchAt(
        "T", point, [&] { send(1, std::string("wake ") + point); },
        [&] { send(10, std::string("batch ") + point); }));
    ASSERT_NO_FATAL_FAILURE(ExpectAcknowledgedAreKept(therapist_hex, sent));
  }
  ASSERT_NO_FATAL_FAILURE(ExpectFullRecovery(sent));
}

// Every point as a failure (the hook answers true): the operation
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

  for (const char* point : {"after-decrypt-before-commit", "after-commit-before-sync",
                            "after-commit-before-ack", "after-ack-before-receipts"}) {
    failing = point;
    EXPECT_FALSE(therapist_->Sync().ok()) << "the sync must report the failure at " << point;
  }
  failing.clear();
  auto synced = therapist_->Sync();
  ASSERT_SB_OK(synced);
  auto t_history = therapist_->History("C");
  ASSERT_SB_OK(t_history);
  ExpectExactlyOnce(*t_history, ids);
  EXPECT_EQ(t_history->size(), 2u) << DescribeHistory(*t_history);
  // The receipts held back by the last failure went out with the retry.
  ASSERT_SB_OK(client_->Sync());
  auto c_history = client_->History("T");
  ASSERT_SB_OK(c_history);
  for (const auto& item : *c_history) {
    EXPECT_EQ(item.state, sc::DeliveryState::kDelivered) << DescribeHistory(*c_history);
  }
}

}  // namespace
}  // namespace securebase::e2e
