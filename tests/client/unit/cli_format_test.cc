// Terminal-safe output, one-line and transcript rendering, atomic file writes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "client/cli/files.h"
#include "client/cli/format.h"
#include "securebase/client/risk.h"

namespace securebase::cli {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Printable, NeutralisesTerminalControls) {
  EXPECT_EQ(Printable("plain text"), "plain text");
  EXPECT_EQ(Printable("caf\xC3\xA9 \xF0\x9F\x98\x8A"), "caf\xC3\xA9 \xF0\x9F\x98\x8A");
  EXPECT_EQ(Printable("\x1b[2J"), kFffd + "[2J");
  EXPECT_EQ(Printable("a\rb"), "a" + kFffd + "b");
  EXPECT_EQ(Printable("\x07\x7f"), kFffd + kFffd);
  EXPECT_EQ(Printable("\xC2\x9B"
                      "31m"),
            kFffd + "31m");  // C1 CSI.
  EXPECT_EQ(Printable("\xE2\x80\xAE"
                      "evil"),
            kFffd + "evil");                           // RIGHT-TO-LEFT OVERRIDE.
  EXPECT_EQ(Printable("\xE2\x81\xA6x"), kFffd + "x");  // LEFT-TO-RIGHT ISOLATE.
  EXPECT_EQ(Printable("bad\xFF"), "bad" + kFffd);
  EXPECT_EQ(Printable("a\tb"), "a b");
}

TEST(Printable, Newlines) {
  EXPECT_EQ(Printable("a\nb", Lines::kSingle), "a \xE2\x86\xB5 b");
  EXPECT_EQ(Printable("a\nb", Lines::kMultiple), "a\nb");
}

client::HistoryItem Item(client::ContentBody content, client::Direction direction) {
  client::HistoryItem item;
  item.message_id = "00112233445566778899aabbccddeeff";
  item.peer_user_id = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  item.direction = direction;
  item.sender_user_id = direction == client::Direction::kIncoming
                            ? "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                            : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  item.sent_at_unix_ms = 1795861865123;
  item.state = client::DeliveryState::kDelivered;
  item.content = std::move(content);
  return item;
}

Names TestNames() {
  Names names("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  client::Contact c;
  c.user_id = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  c.display_name = "Dr. Rivera";
  c.verified = true;
  names.Add(c);
  return names;
}

TEST(ItemLine, ShowsWhoWhenAndWhat) {
  setenv("TZ", "UTC", 1);
  tzset();
  const std::string line = ItemLine(
      Item(client::TextMessage{"hello\nthere", ""}, client::Direction::kIncoming), TestNames());
  EXPECT_EQ(line,
            "[2026-11-28 10:31] Dr. Rivera (verified) \xE2\x86\x92 you: hello \xE2\x86\xB5 there");
  client::CheckIn c;
  c.mood = 6;
  c.emotions = {{"anxious", 60}};
  const std::string out = ItemLine(Item(c, client::Direction::kOutgoing), TestNames());
  EXPECT_EQ(out.find("[2026-11-28 10:31] you \xE2\x86\x92 Dr. Rivera (verified): check-in"), 0u)
      << out;
  EXPECT_NE(out.find("mood: 6/10"), std::string::npos);
  EXPECT_NE(out.find("anxious 60"), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

// A look-alike: a second contact under the same name, not verified (or one
// whose key changed). Every line that names a contact says which is which.
TEST(ItemLine, LookAlikeNamesAreToldApartByTheirVerificationState) {
  Names names("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  client::Contact real;
  real.user_id = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  real.display_name = "Dr Rivera";
  real.verified = true;
  client::Contact fake = real;
  fake.user_id = "cccccccccccccccccccccccccccccccc";
  fake.verified = false;
  client::Contact changed = real;
  changed.user_id = "dddddddddddddddddddddddddddddddd";
  changed.identity_changed = true;
  changed.verified = false;
  for (const client::Contact& c : {real, fake, changed}) names.Add(c);
  client::HistoryItem item = Item(client::TextMessage{"x", ""}, client::Direction::kIncoming);
  EXPECT_NE(ItemLine(item, names).find("Dr Rivera (verified) \xE2\x86\x92 you"), std::string::npos);
  item.sender_user_id = fake.user_id;
  EXPECT_NE(ItemLine(item, names).find("Dr Rivera (not verified) \xE2\x86\x92 you"),
            std::string::npos);
  item.sender_user_id = changed.user_id;
  EXPECT_NE(ItemLine(item, names).find("Dr Rivera (safety number changed, not verified)"),
            std::string::npos);
  EXPECT_EQ(ContactLine(fake).find("Dr Rivera (not verified)"), 0u) << ContactLine(fake);
  EXPECT_EQ(ContactLine(real).find("Dr Rivera (verified)"), 0u) << ContactLine(real);
  client::Contact nameless;
  nameless.user_id = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
  EXPECT_EQ(client::ContactLabel(nameless), "a contact (eeeeeeee) (not verified)");
}

TEST(ItemLine, UnknownSenderAndHostileNames) {
  Names names("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  names.Set("cccccccccccccccccccccccccccccccc", "Mallory\x1b]0;pwned\x07");
  client::HistoryItem item = Item(client::TextMessage{"x", ""}, client::Direction::kIncoming);
  EXPECT_NE(ItemLine(item, names).find("bbbbbbbb\xE2\x80\xA6"), std::string::npos);
  item.sender_user_id = "cccccccccccccccccccccccccccccccc";
  const std::string line = ItemLine(item, names);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_EQ(line.find('\x07'), std::string::npos);
}

TEST(ItemTranscript, StructuredReflectionOnePerLine) {
  client::Reflection r;
  r.kind = "thought-record";
  r.body = "line one\nline two";
  r.SetText("situation", "At work");
  r.SetText("automatic_thought", "They hate me");
  r.SetEmotions("emotions_before", {{"anxious", 70}});
  const std::string out = ItemTranscript(Item(r, client::Direction::kOutgoing), TestNames());
  EXPECT_NE(out.find("reflection (thought-record) (delivered)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    line one\n    line two\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    situation: At work\n"), std::string::npos);
  EXPECT_NE(out.find("    emotions before: anxious 70\n"), std::string::npos);
  EXPECT_EQ(out.find("evidence for"), std::string::npos);  // Empty fields are left out.
}

TEST(ItemTranscript, EveryContentTypeRenders) {
  const client::ContentBody bodies[] = {
      client::TextMessage{"t", ""},
      client::CheckIn{},
      client::Reflection{},
      client::Exercise{"T", "I", "free", client::Recurrence::kWeekly, "2026-12-01"},
      client::Availability{"Mon", "112"},
      client::Receipt{client::ReceiptType::kRead, {"x"}},
      client::Profile{"P", std::nullopt},
      client::InvalidContent{"why"}};
  for (const auto& body : bodies) {
    EXPECT_FALSE(ItemTranscript(Item(body, client::Direction::kIncoming), TestNames()).empty());
    EXPECT_FALSE(ItemLine(Item(body, client::Direction::kIncoming), TestNames()).empty());
  }
}

TEST(Notices, AvailabilityAndIdentityChange) {
  client::Contact c;
  c.user_id = "bb";
  c.display_name = "Dr. Rivera";
  c.role = client::Role::kTherapist;
  EXPECT_NE(AvailabilityNotice(c).find("not for emergencies"), std::string::npos);
  c.availability = client::Availability{"Mon-Thu", "Call 112"};
  const std::string notice = AvailabilityNotice(c);
  EXPECT_NE(notice.find("Dr. Rivera's availability: Mon-Thu"), std::string::npos);
  EXPECT_NE(notice.find("Call 112"), std::string::npos);
  EXPECT_EQ(IdentityChangeWarning(c), "");
  c.identity_changed = true;
  c.sends_held = true;
  const std::string warning = IdentityChangeWarning(c);
  EXPECT_NE(warning.find("safety number has changed"), std::string::npos);
  EXPECT_NE(warning.find("held"), std::string::npos);
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// One command, two therapists, several sends: each therapist's availability
// line once, the emergency guidance once; the crisis prompt stands in for the
// generic guidance but not for a therapist's own.
TEST(Notices, EachLineOncePerCommand) {
  client::Contact rivera;
  rivera.display_name = "Dr. Rivera";
  rivera.role = client::Role::kTherapist;
  rivera.availability = client::Availability{"Mon-Thu", ""};
  client::Contact okafor = rivera;
  okafor.display_name = "Dr. Okafor";
  okafor.availability = client::Availability{"Fridays", ""};
  const std::string guidance(client::CrisisResources().emergency_guidance);

  Notices notices;
  std::string shown = notices.Availability(rivera);
  shown += notices.Availability(rivera);
  shown += notices.Availability(okafor);
  shown += notices.Availability(rivera);
  EXPECT_EQ(Occurrences(shown, "Dr. Rivera's availability: Mon-Thu"), 1u) << shown;
  EXPECT_EQ(Occurrences(shown, "Dr. Okafor's availability: Fridays"), 1u) << shown;
  EXPECT_EQ(Occurrences(shown, guidance), 1u) << shown;

  Notices risky;
  std::string crisis = risky.Crisis() + risky.Availability(rivera) + risky.Crisis();
  EXPECT_EQ(Occurrences(crisis, std::string(client::CrisisResources().message)), 1u) << crisis;
  EXPECT_EQ(Occurrences(crisis, guidance), 0u) << "the crisis prompt already says it\n" << crisis;
  EXPECT_EQ(Occurrences(crisis, "Dr. Rivera's availability: Mon-Thu"), 1u) << crisis;
  okafor.availability->emergency_guidance = "Call 112";
  crisis = risky.Availability(okafor);
  EXPECT_EQ(Occurrences(crisis, "Call 112"), 1u) << "a therapist's own guidance still shows";
}

// The library's risk signals (risk_test.cc) show as "attention" lines.
TEST(ItemLine, RiskSignalsShowAsAttention) {
  client::CheckIn c;
  c.questionnaires = {{client::Questionnaire::kPhq9, {0, 0, 0, 0, 0, 0, 0, 0, 1}}};
  const std::string line = ItemLine(Item(c, client::Direction::kIncoming), TestNames());
  EXPECT_NE(line.find("attention: PHQ-9 item 9 (thoughts of self-harm) is above 0"),
            std::string::npos)
      << line;
  c.questionnaires = {{client::Questionnaire::kPhq9, {3, 3, 3, 3, 3, 3, 3, 3, 0}}};
  EXPECT_EQ(ItemLine(Item(c, client::Direction::kIncoming), TestNames()).find("attention"),
            std::string::npos);
  const std::string text = ItemLine(Item(client::TextMessage{"some days I think about suicide", ""},
                                         client::Direction::kIncoming),
                                    TestNames());
  EXPECT_NE(text.find("attention: the message may speak of self-harm or suicide"),
            std::string::npos)
      << text;
}

class WriteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/securebase_cli_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string dir_;
};

TEST_F(WriteFileTest, CreatesWithMode0600AndReplaces) {
  const std::string path = dir_ + "/export.json";
  std::string error;
  const mode_t old_umask = umask(0);
  ASSERT_TRUE(WriteFileAtomically(path, "first", 0600, error)) << error;
  umask(old_umask);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Read(path), "first");
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(WriteFileAtomically(path, "second", 0600, error)) << error;
  EXPECT_EQ(Read(path), "second");
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // The new file, not the old one's mode.
  // No temporary file is left behind.
  const std::string ls = "test $(ls -A '" + dir_ + "' | wc -l) -eq 1";
  EXPECT_EQ(std::system(ls.c_str()), 0);
}

TEST_F(WriteFileTest, FailsCleanly) {
  std::string error;
  EXPECT_FALSE(WriteFileAtomically(dir_ + "/missing/x.json", "x", 0600, error));
  EXPECT_NE(error.find("missing"), std::string::npos);
  EXPECT_FALSE(WriteFileAtomically(dir_ + "/", "x", 0600, error));
  ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0700), 0);
  EXPECT_FALSE(WriteFileAtomically(dir_ + "/sub", "x", 0600, error));  // A directory.
  const std::string ls = "test $(ls -A '" + dir_ + "' | wc -l) -eq 1";
  EXPECT_EQ(std::system(ls.c_str()), 0);
}

TEST_F(WriteFileTest, RelativePath) {
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  std::string error;
  EXPECT_TRUE(WriteFileAtomically("rel.json", "r", 0600, error)) << error;
  ASSERT_EQ(chdir(cwd), 0);
  EXPECT_EQ(Read(dir_ + "/rel.json"), "r");
}

}  // namespace
}  // namespace securebase::cli
