// The C API for apps that stay running (securebase.h, "Apps that stay
// running") against the real server: sb_vault_exists, a second handle
// without the passphrase, the own availability notice, conversation
// summaries, history by range, and sb_watch_events reporting "live",
// receipts and contact changes.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "securebase/client/securebase.h"
#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

// Drops spaces and newlines, so fragments match whatever layout the writer
// uses (the values checked hold no spaces).
std::string Squeeze(const char* json) {
  std::string out(json != nullptr ? json : "");
  out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return c == ' ' || c == '\n'; }),
            out.end());
  return out;
}

std::string Take(char* json) {
  std::string out = Squeeze(json);
  sb_free(json);
  return out;
}

class CApiAppsTest : public E2eTest {
 protected:
  sb_client* NewHandle(const std::string& name, sb_role role, const char* display_name) {
    sb_options options;
    sb_options_init(&options);
    const std::string home = Home(name);
    options.home = home.c_str();
    options.server_address = server_address().c_str();
    options.insecure_loopback = 1;
    options.passphrase_cost = SB_PASSPHRASE_COST_MINIMUM_FOR_TESTS;
    sb_client* handle = nullptr;
    const sb_error e =
        sb_client_create(&options, kPassphrase, role, display_name, nullptr, &handle);
    EXPECT_EQ(e, SB_OK) << sb_last_error_message();
    return handle;
  }
};

struct Events {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;  // kind, squeezed json
  bool Has(const std::string& kind, const std::string& fragment) {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [k, json] : seen) {
      if (k == kind && json.find(fragment) != std::string::npos) return true;
    }
    return false;
  }
};

bool WaitFor(const std::function<bool()>& ready) {
  for (int i = 0; i < 500; ++i) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_F(CApiAppsTest, SummariesRangesNoticeAndEventsThroughTheCApi) {
  EXPECT_EQ(sb_vault_exists(Home("t").c_str()), 0);
  EXPECT_EQ(sb_vault_exists(nullptr), 0);
  sb_client* therapist = NewHandle("t", SB_ROLE_THERAPIST, "Dr Rivera");
  sb_client* client = NewHandle("c", SB_ROLE_CLIENT, "Sam");
  ASSERT_TRUE(therapist && client);
  EXPECT_EQ(sb_vault_exists(Home("t").c_str()), 1);
  char* code = nullptr;
  ASSERT_EQ(sb_create_invite(therapist, 24, &code), SB_OK) << sb_last_error_message();
  ASSERT_EQ(sb_accept_invite(client, code, nullptr), SB_OK) << sb_last_error_message();
  sb_free(code);

  // The own notice: null before, the text after.
  char* json = nullptr;
  ASSERT_EQ(sb_own_availability_json(therapist, &json), SB_OK);
  EXPECT_EQ(Take(json), "null");
  ASSERT_EQ(sb_set_availability(therapist, "Mondays", "Call112"), SB_OK);
  ASSERT_EQ(sb_own_availability_json(therapist, &json), SB_OK);
  EXPECT_NE(Take(json).find("\"text\":\"Mondays\""), std::string::npos);

  // A second handle on the client's home, watching.
  sb_client* live = nullptr;
  ASSERT_EQ(sb_client_open_another(client, &live), SB_OK) << sb_last_error_message();
  Events events;
  std::thread watcher([&] {
    sb_watch_events(
        live,
        [](void* data, const char* kind, const char* event_json) {
          auto* e = static_cast<Events*>(data);
          std::lock_guard<std::mutex> lock(e->mu);
          e->seen.emplace_back(kind, Squeeze(event_json));
        },
        &events);
  });
  ASSERT_TRUE(WaitFor([&] { return events.Has("live", "null"); }));

  char* message_id = nullptr;
  for (const char* text : {"one", "two", "three"}) {
    ASSERT_EQ(sb_send_text(client, "Dr Rivera", text, &message_id), SB_OK);
    if (std::string(text) != "three") sb_free(message_id);
  }
  char* sync = nullptr;
  ASSERT_EQ(sb_sync(therapist, &sync), SB_OK);
  sb_free(sync);

  ASSERT_EQ(sb_conversation_summaries_json(therapist, &json), SB_OK);
  const std::string summaries = Take(json);
  EXPECT_NE(summaries.find("\"display_name\":\"Sam\""), std::string::npos) << summaries;
  // The notice sent to Sam and the three texts.
  EXPECT_NE(summaries.find("\"items\":4"), std::string::npos) << summaries;
  EXPECT_NE(summaries.find("\"unread\":3"), std::string::npos) << summaries;
  EXPECT_NE(summaries.find("\"unread_capped\":false"), std::string::npos) << summaries;

  ASSERT_EQ(sb_history_range_json(therapist, "Sam", UINT64_MAX, 2, &json), SB_OK);
  const std::string page = Take(json);
  EXPECT_NE(page.find("\"first_position\":2"), std::string::npos) << page;
  EXPECT_NE(page.find("\"total\":4"), std::string::npos) << page;
  EXPECT_EQ(page.find("\"one\""), std::string::npos) << page;

  // Receipts and the notice reach the watching handle.
  ASSERT_EQ(sb_mark_read(therapist, "Sam"), SB_OK);
  EXPECT_TRUE(WaitFor([&] {
    return events.Has("delivery", std::string(message_id)) && events.Has("delivery", "\"read\"");
  }));
  EXPECT_TRUE(WaitFor([&] { return events.Has("contact", ""); }));
  sb_free(message_id);
  sb_stop_watch(live);
  watcher.join();
  sb_client_close(live);
  sb_client_close(client);
  sb_client_close(therapist);
}

TEST_F(CApiAppsTest, NullArgumentsAreRefused) {
  char* json = nullptr;
  sb_client* out = nullptr;
  EXPECT_EQ(sb_client_open_another(nullptr, &out), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(sb_own_availability_json(nullptr, &json), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_conversation_summaries_json(nullptr, &json), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sb_history_range_json(nullptr, "x", 0, 0, &json), SB_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(json, nullptr);
  EXPECT_EQ(sb_watch_events(nullptr, nullptr, nullptr), SB_ERR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace securebase::e2e
