// Client::Watch against the real server when the server goes away: stopped
// while a device watches, the watch warns and keeps trying (with growing
// pauses, not a hot loop); started again, the watch catches up on what was
// sent meanwhile and receives what comes next, each message once.
#include <atomic>
#include <mutex>
#include <thread>

#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

using namespace std::chrono_literals;

class WatchReconnectTest : public E2eTest {};

// Polls `done` for up to `timeout`.
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST_F(WatchReconnectTest, WatchOutlivesAServerRestartAndCatchesUp) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Watch");
  auto client = Create(sc::Role::kClient, "Kim");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));

  std::mutex mu;
  std::vector<std::string> texts;
  std::vector<std::string> warnings;
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  sc::Status ended;
  std::thread watcher([&] {
    ended = therapist->Watch(
        [&](const sc::HistoryItem& item) {
          std::lock_guard<std::mutex> lock(mu);
          if (const auto* text = std::get_if<sc::TextMessage>(&item.content)) {
            texts.push_back(text->body);
          }
        },
        stop,
        [&](const std::string& warning) {
          std::lock_guard<std::mutex> lock(mu);
          warnings.push_back(warning);
        });
    done = true;
  });
  // Ends the watch however the test ends.
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } joiner{stop, watcher};
  auto count_texts = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return texts.size();
  };
  auto count_warnings = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return warnings.size();
  };

  ASSERT_SB_OK(client->SendText("Dr. Watch", "before the restart"));
  ASSERT_TRUE(Eventually([&] { return count_texts() == 1; }, 30s)) << "the watch never started";

  ASSERT_TRUE(server().Stop());
  ASSERT_TRUE(Eventually([&] { return count_warnings() >= 1; }, 30s))
      << "the watch did not notice the server went away";
  // Time must pass here: the test counts the attempts made while the server
  // is down (pauses of 0.125-0.25, 0.25-0.5, 0.5-1, 1-2 s...).
  std::this_thread::sleep_for(2500ms);
  EXPECT_FALSE(done.load()) << "the watch gave up: " << Describe(ended);
  EXPECT_LE(count_warnings(), 5u) << "a hot loop";

  ASSERT_TRUE(server().Start());
  // The sender's own connection is back once a sync of its goes through.
  ASSERT_TRUE(Eventually([&] { return client->Sync().ok(); }, 30s));
  // Most likely sent while the watch is still pausing: it catches up when
  // it is back.
  ASSERT_SB_OK(client->SendText("Dr. Watch", "while the watch was away"));
  ASSERT_TRUE(Eventually([&] { return count_texts() == 2; }, 60s))
      << "the watch did not come back after the restart";
  ASSERT_SB_OK(client->SendText("Dr. Watch", "after it came back"));
  ASSERT_TRUE(Eventually([&] { return count_texts() == 3; }, 30s));

  stop = true;
  watcher.join();
  EXPECT_SB_OK(ended);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(texts, (std::vector<std::string>{"before the restart", "while the watch was away",
                                               "after it came back"}));
    ASSERT_FALSE(warnings.empty());
    EXPECT_NE(warnings[0].find("trying again in"), std::string::npos) << warnings[0];
  }
  auto history = therapist->History("Kim");
  ASSERT_SB_OK(history);
  EXPECT_EQ(history->size(), 3u) << DescribeHistory(*history);
}

}  // namespace
}  // namespace securebase::e2e
