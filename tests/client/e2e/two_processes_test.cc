// Two app processes on one home: `securebase sync --watch` stays subscribed
// in one process while `securebase send` (and `history`) run from others on
// the same home. Both work, nothing fails with a lock error, the watch prints
// what arrives, and SIGTERM ends it with exit 0.
#include <sys/wait.h>

#include <csignal>

#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

class TwoProcessesTest : public E2eTest {
 protected:
  std::vector<std::string> Argv(const std::string& home, std::vector<std::string> args) {
    std::vector<std::string> argv = {CliBinary(), "--home",         home,
                                     "--server",  server_address(), "--insecure"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  it::CommandResult Cli(const std::string& home, std::vector<std::string> args) {
    it::CommandResult result;
    EXPECT_TRUE(it::RunCommand(Argv(home, args), kCliTimeout, &result));
    EXPECT_FALSE(result.timed_out) << "CLI hung: " << args.at(0);
    return result;
  }
  ::testing::AssertionResult Ok(const it::CommandResult& r, const std::string& what) {
    if (r.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << what << ": exit " << r.exit_code << " signal " << r.term_signal << "\n"
           << r.stderr_text;
  }
};

TEST_F(TwoProcessesTest, WatchAndSendShareAHome) {
  ASSERT_FALSE(CliBinary().empty()) << "the securebase CLI was not built";
  const std::string t = Home("therapist"), c = Home("client");
  ASSERT_TRUE(Ok(Cli(t, {"init", "--role", "therapist", "--name", "Dr. Watch"}), "init"));
  ASSERT_TRUE(Ok(Cli(c, {"init", "--role", "client", "--name", "Mo"}), "init"));
  it::CommandResult invite = Cli(t, {"invite"});
  ASSERT_TRUE(Ok(invite, "invite"));
  std::string code = invite.stdout_text;
  while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
  ASSERT_TRUE(Ok(Cli(c, {"accept", code}), "accept"));
  ASSERT_TRUE(Ok(Cli(t, {"sync"}), "sync"));

  // The therapist's watch, in its own process.
  auto watch = LiveProcess::Start(Argv(t, {"sync", "--watch"}));
  ASSERT_TRUE(watch);
  ASSERT_TRUE(watch->WaitForStderr("Watching", std::chrono::seconds(20)))
      << "the watch did not start\nstdout: " << watch->Stdout() << "\nstderr: " << watch->Stderr();

  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string incoming = "incoming-" + std::to_string(round) + "-" + RandomHex(4);
    const std::string outgoing = "outgoing-" + std::to_string(round) + "-" + RandomHex(4);
    // The client writes; the watch prints it.
    ASSERT_TRUE(Ok(Cli(c, {"send", "Dr. Watch", incoming}), "client send"));
    EXPECT_TRUE(watch->WaitForStdout(incoming, std::chrono::seconds(20)))
        << "the watch did not print the incoming message\nstdout: " << watch->Stdout()
        << "\nstderr: " << watch->Stderr();
    // Meanwhile the same home sends and reads from other processes.
    it::CommandResult sent = Cli(t, {"send", "Mo", outgoing});
    EXPECT_TRUE(Ok(sent, "therapist send beside the watch"));
    it::CommandResult history = Cli(t, {"history", "Mo", "--json"});
    EXPECT_TRUE(Ok(history, "therapist history beside the watch"));
    for (const it::CommandResult* r : {&sent, &history}) {
      for (const char* bad : {"lock", "busy", "LOCK", "Resource temporarily unavailable"}) {
        EXPECT_EQ(r->stderr_text.find(bad), std::string::npos) << r->stderr_text;
      }
    }
    auto doc = ParseJson(history.stdout_text);
    ASSERT_TRUE(doc.has_value()) << history.stdout_text;
    size_t in = 0, out = 0;
    for (const Json& item : AsList(*doc)) {
      const std::string body = Str(Member(item, "content"), "body");
      in += body == incoming;
      out += body == outgoing;
    }
    EXPECT_EQ(in, 1u) << "the watch's commit is visible to the other process, once";
    EXPECT_EQ(out, 1u);
    // The client receives the therapist's message.
    it::CommandResult client_sync = Cli(c, {"sync"});
    EXPECT_TRUE(Ok(client_sync, "client sync"));
    EXPECT_NE(client_sync.stdout_text.find(outgoing), std::string::npos) << client_sync.stdout_text;
  }
  EXPECT_EQ(watch->Stderr().find("lock"), std::string::npos) << watch->Stderr();

  // SIGTERM: a normal end.
  watch->Signal(SIGTERM);
  std::optional<int> status = watch->Wait(std::chrono::seconds(15));
  ASSERT_TRUE(status.has_value()) << "the watch did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << it::DescribeWaitStatus(*status) << "\n"
      << watch->Stderr();

  // Everything is in the vault exactly once after the watch ended.
  it::CommandResult final_history = Cli(t, {"history", "Mo", "--json"});
  ASSERT_TRUE(Ok(final_history, "history"));
  auto doc = ParseJson(final_history.stdout_text);
  ASSERT_TRUE(doc.has_value());
  std::map<std::string, int> ids;
  for (const Json& item : AsList(*doc)) ++ids[Str(item, "message_id")];
  EXPECT_EQ(ids.size(), 6u) << final_history.stdout_text;
  for (const auto& [id, n] : ids) EXPECT_EQ(n, 1) << id;
}

// Two library clients on one home, in one process, hammering the vault from
// two threads while the server delivers: no kVaultBusy, nothing lost.
TEST_F(TwoProcessesTest, ConcurrentLibraryClientsOnOneHome) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Twin");
  auto client = Create(sc::Role::kClient, "Twin");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  auto second = Reopen("Twin");
  ASSERT_TRUE(second);
  std::vector<std::string> sent_a, sent_b;
  std::thread a([&] {
    for (int i = 0; i < 5; ++i) {
      auto id = client->SendText("Dr. Twin", "a" + std::to_string(i));
      if (id.ok())
        sent_a.push_back(*id);
      else
        ADD_FAILURE() << "a: " << Describe(id.status());
    }
  });
  std::thread b([&] {
    for (int i = 0; i < 5; ++i) {
      auto id = second->SendText("Dr. Twin", "b" + std::to_string(i));
      if (id.ok())
        sent_b.push_back(*id);
      else
        ADD_FAILURE() << "b: " << Describe(id.status());
      auto synced = second->Sync();
      if (!synced.ok()) ADD_FAILURE() << "b sync: " << Describe(synced.status());
    }
  });
  a.join();
  b.join();
  auto received = therapist->Sync();
  ASSERT_SB_OK(received);
  auto history = therapist->History("Twin");
  ASSERT_SB_OK(history);
  EXPECT_EQ(CountInvalid(*history), 0u) << "two handles on one vault must not reuse a message key\n"
                                        << DescribeHistory(*history);
  for (const auto& id : sent_a) EXPECT_EQ(CountId(*history, id), 1u) << id;
  for (const auto& id : sent_b) EXPECT_EQ(CountId(*history, id), 1u) << id;
  EXPECT_EQ(history->size(), 10u) << DescribeHistory(*history);
}

}  // namespace
}  // namespace securebase::e2e
