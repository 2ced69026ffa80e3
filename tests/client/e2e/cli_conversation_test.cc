// The whole conversation through the `securebase` app, as a person would run
// it: a therapist and a client (separate homes) init, invite, accept, write
// every content type with the documented flags, sync, see receipts, and find
// exactly what was sent in `history --json` on both sides; contacts, safety
// numbers, verify, export, and end.
#include <sys/stat.h>

#include <functional>
#include <set>

#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

class CliConversationTest : public E2eTest {
 protected:
  it::CommandResult Cli(const std::string& home, std::vector<std::string> args) {
    std::vector<std::string> argv = {CliBinary(), "--home",         home,
                                     "--server",  server_address(), "--insecure"};
    argv.insert(argv.end(), args.begin(), args.end());
    it::CommandResult result;
    EXPECT_TRUE(it::RunCommand(argv, kCliTimeout, &result));
    EXPECT_FALSE(result.timed_out) << "CLI hung: " << args.at(0);
    return result;
  }
  // Runs and expects exit 0; returns stdout.
  std::string Must(const std::string& home, std::vector<std::string> args) {
    it::CommandResult r = Cli(home, args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 0) << "securebase " << joined << "\nstdout: " << r.stdout_text
                              << "\nstderr: " << r.stderr_text;
    return r.stdout_text;
  }
  // A command that prints a message id alone on stdout.
  std::string MustId(const std::string& home, std::vector<std::string> args) {
    std::string out = Must(home, args);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    EXPECT_EQ(out.size(), 32u) << "expected a message id alone on stdout, got: " << out;
    return out;
  }
  Json History(const std::string& home, const std::string& peer) {
    const std::string out = Must(home, {"history", peer, "--json"});
    std::string error;
    auto doc = ParseJson(out, &error);
    EXPECT_TRUE(doc.has_value()) << error << "\n" << out;
    return doc.value_or(Json());
  }
};

std::string UserIdFrom(const std::string& init_stdout) {
  const std::string label = "User id: ";
  const size_t at = init_stdout.find(label);
  if (at == std::string::npos) return "";
  size_t end = init_stdout.find('\n', at);
  std::string id = init_stdout.substr(at + label.size(), end - at - label.size());
  while (!id.empty() && id.back() == ' ') id.pop_back();
  return id;
}

struct Emo {
  std::string name;
  double intensity;
};

::testing::AssertionResult EmotionsAre(const Json& list, const std::vector<Emo>& expected) {
  std::vector<Json> got = AsList(list);
  if (got.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << got.size() << " emotions, expected " << expected.size() << ": " << list.DebugString();
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (Str(got[i], "name") != expected[i].name ||
        Num(got[i], "intensity") != expected[i].intensity) {
      return ::testing::AssertionFailure() << "emotion " << i << ": " << got[i].DebugString();
    }
  }
  return ::testing::AssertionSuccess();
}

struct Sent {
  std::string id;
  std::string type;
  bool from_therapist;
  std::function<void(const Json& content)> check;
};

TEST_F(CliConversationTest, WholeConversationThroughTheApp) {
  ASSERT_FALSE(CliBinary().empty()) << "the securebase CLI was not built";
  const std::string t = Home("therapist"), c = Home("client");
  const std::string m = RandomHex(4);

  const std::string t_init = Must(t, {"init", "--role", "therapist", "--name", "Dr. Rivera"});
  const std::string c_init = Must(c, {"init", "--role", "client", "--name", "Sam Client"});
  const std::string t_id = UserIdFrom(t_init), c_id = UserIdFrom(c_init);
  ASSERT_EQ(t_id.size(), 32u) << t_init;
  ASSERT_EQ(c_id.size(), 32u) << c_init;
  // A second init on the same home refuses.
  it::CommandResult again = Cli(t, {"init", "--role", "therapist", "--name", "X"});
  EXPECT_EQ(again.exit_code, 1) << again.stderr_text;
  // The vault directory is private.
  struct stat st {};
  ASSERT_EQ(::stat(t.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << "home is group/world accessible";

  Must(t, {"availability", "--text", "Mon-Thu 9-17, replies within a day " + m});

  // The invite code alone on stdout.
  it::CommandResult invite = Cli(t, {"invite", "--expires-hours", "2"});
  ASSERT_EQ(invite.exit_code, 0) << invite.stderr_text;
  std::string code = invite.stdout_text;
  ASSERT_FALSE(code.empty());
  ASSERT_EQ(code.back(), '\n');
  code.pop_back();
  EXPECT_EQ(code.find_first_of(" \t\n"), std::string::npos) << "stdout: " << invite.stdout_text;
  EXPECT_EQ(code.rfind("sb1-", 0), 0u) << code;
  // A client cannot invite; a therapist cannot accept.
  EXPECT_EQ(Cli(c, {"invite"}).exit_code, 1);
  EXPECT_EQ(Cli(t, {"accept", code}).exit_code, 1);
  auto swap_char = [](std::string text, size_t index) {
    while (index < text.size() && text[index] == '-') ++index;
    text[index] = text[index] == 'a' || text[index] == 'A' ? 'b' : 'a';
    return text;
  };
  // A wrong key pin (the last characters): the therapist's key does not
  // match, so accept refuses and no contact is made (this uses the invite up).
  it::CommandResult wrong_pin = Cli(c, {"accept", swap_char(code, code.size() - 1)});
  EXPECT_EQ(wrong_pin.exit_code, 1) << wrong_pin.stderr_text;
  EXPECT_NE(wrong_pin.stderr_text.find("key"), std::string::npos) << wrong_pin.stderr_text;
  EXPECT_EQ(Must(c, {"contacts", "--json"}), "[]\n");
  invite = Cli(t, {"invite"});
  ASSERT_EQ(invite.exit_code, 0) << invite.stderr_text;
  code = invite.stdout_text;
  while (!code.empty() && code.back() == '\n') code.pop_back();
  // A wrong invite secret (early characters) is unknown to the server and
  // does not use the invite up.
  EXPECT_EQ(Cli(c, {"accept", swap_char(code, 8)}).exit_code, 1);
  EXPECT_EQ(Cli(c, {"accept", "not-a-code"}).exit_code, 1);
  const std::string accepted = Must(c, {"accept", code});
  EXPECT_NE(accepted.find("Dr. Rivera"), std::string::npos) << accepted;
  // Used once.
  EXPECT_EQ(Cli(c, {"accept", code}).exit_code, 1);

  // The client knows the therapist by name, verified by the invite's pin,
  // with the availability notice.
  {
    auto doc = ParseJson(Must(c, {"contacts", "--json"}));
    ASSERT_TRUE(doc.has_value());
    auto list = AsList(*doc);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(Str(list[0], "user_id"), t_id);
    EXPECT_EQ(Str(list[0], "display_name"), "Dr. Rivera");
    EXPECT_EQ(Str(list[0], "role"), "therapist");
    EXPECT_TRUE(Bool(list[0], "linked"));
    EXPECT_TRUE(Bool(list[0], "verified"));
    EXPECT_FALSE(Bool(list[0], "identity_changed"));
    EXPECT_FALSE(Bool(list[0], "sends_held"));
    EXPECT_EQ(Str(Member(list[0], "availability"), "text"),
              "Mon-Thu 9-17, replies within a day " + m);
  }
  Must(t, {"sync"});
  {
    auto doc = ParseJson(Must(t, {"contacts", "--json"}));
    ASSERT_TRUE(doc.has_value());
    auto list = AsList(*doc);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(Str(list[0], "user_id"), c_id);
    EXPECT_EQ(Str(list[0], "display_name"), "Sam Client")
        << "the therapist knows the client's name after the next sync";
    EXPECT_EQ(Str(list[0], "role"), "client");
    EXPECT_FALSE(Bool(list[0], "verified"));
  }

  std::vector<Sent> sent;
  // --- Client -> therapist.
  const std::string hello = "Hello, it has been a hard week " + m;
  sent.push_back({MustId(c, {"send", "Dr. Rivera", hello}), "text", false,
                  [&](const Json& x) { EXPECT_EQ(Str(x, "body"), hello); }});
  sent.push_back({MustId(c, {"checkin", "Dr. Rivera", "--mood", "4", "--emotion", "anxious=70",
                             "--emotion", "sad=40", "--emotion", "hopeful=0", "--energy", "3",
                             "--sleep", "6.5", "--helped", "a walk " + m, "--note", "note " + m}),
                  "check-in", false, [&](const Json& x) {
                    EXPECT_EQ(Num(x, "mood"), 4);
                    EXPECT_TRUE(EmotionsAre(Member(x, "emotions"),
                                            {{"anxious", 70}, {"sad", 40}, {"hopeful", 0}}));
                    EXPECT_EQ(Num(x, "energy"), 3);
                    EXPECT_EQ(Num(x, "sleep_hours"), 6.5);
                    EXPECT_EQ(Str(x, "helped"), "a walk " + m);
                    EXPECT_EQ(Str(x, "note"), "note " + m);
                  }});
  sent.push_back({MustId(c, {"reflect", "Dr. Rivera", "--body", "free body " + m, "--prompt",
                             "What went well? " + m}),
                  "reflection", false, [&](const Json& x) {
                    EXPECT_EQ(Str(x, "kind"), "free");
                    EXPECT_EQ(Str(x, "body"), "free body " + m);
                    EXPECT_EQ(Str(x, "prompt"), "What went well? " + m);
                  }});
  sent.push_back(
      {MustId(c, {"reflect", "Dr. Rivera",
                  "--kind",  "thought-record",
                  "--body",  "tr " + m,
                  "--field", "situation=Meeting with my boss " + m,
                  "--field", "automatic_thought=I will be fired " + m,
                  "--field", "emotions_before=fear:80,shame:30",
                  "--field", "evidence-for=late twice " + m,
                  "--field", "evidence_against=good review " + m,
                  "--field", "balanced_thought=One meeting does not decide it " + m,
                  "--field", "emotions_after=fear:40"}),
       "reflection", false, [&](const Json& x) {
         EXPECT_EQ(Str(x, "kind"), "thought-record");
         EXPECT_EQ(Str(x, "body"), "tr " + m);
         const Json& tr = Member(x, "thought_record");
         EXPECT_EQ(Str(tr, "situation"), "Meeting with my boss " + m);
         EXPECT_EQ(Str(tr, "automatic_thought"), "I will be fired " + m);
         EXPECT_TRUE(EmotionsAre(Member(tr, "emotions_before"), {{"fear", 80}, {"shame", 30}}));
         EXPECT_EQ(Str(tr, "evidence_for"), "late twice " + m);
         EXPECT_EQ(Str(tr, "evidence_against"), "good review " + m);
         EXPECT_EQ(Str(tr, "balanced_thought"), "One meeting does not decide it " + m);
         EXPECT_TRUE(EmotionsAre(Member(tr, "emotions_after"), {{"fear", 40}}));
       }});
  sent.push_back(
      {MustId(c,
              {"reflect", "Dr. Rivera", "--kind", "mentalisation", "--body", "mz " + m, "--field",
               "my_feelings=hurt " + m, "--field", "my_needs=to be heard " + m, "--field",
               "other_felt=tired " + m, "--field", "other_thought=not now " + m, "--field",
               "other_intended=to rest " + m, "--field", "other_readings=maybe stress " + m}),
       "reflection", false, [&](const Json& x) {
         EXPECT_EQ(Str(x, "kind"), "mentalisation");
         const Json& mz = Member(x, "mentalisation");
         EXPECT_EQ(Str(mz, "my_feelings"), "hurt " + m);
         EXPECT_EQ(Str(mz, "my_needs"), "to be heard " + m);
         EXPECT_EQ(Str(mz, "other_felt"), "tired " + m);
         EXPECT_EQ(Str(mz, "other_thought"), "not now " + m);
         EXPECT_EQ(Str(mz, "other_intended"), "to rest " + m);
         EXPECT_EQ(Str(mz, "other_readings"), "maybe stress " + m);
       }});
  sent.push_back({MustId(c, {"reflect", "Dr. Rivera", "--kind", "communication", "--body",
                             "cp " + m, "--field", "need=quiet evenings " + m, "--field",
                             "boundary=no calls after 9 " + m, "--field",
                             "what_i_said=I need the evenings " + m, "--field",
                             "what_happened=they agreed " + m}),
                  "reflection", false, [&](const Json& x) {
                    EXPECT_EQ(Str(x, "kind"), "communication");
                    const Json& cp = Member(x, "communication");
                    EXPECT_EQ(Str(cp, "need"), "quiet evenings " + m);
                    EXPECT_EQ(Str(cp, "boundary"), "no calls after 9 " + m);
                    EXPECT_EQ(Str(cp, "what_i_said"), "I need the evenings " + m);
                    EXPECT_EQ(Str(cp, "what_happened"), "they agreed " + m);
                  }});
  // Usage errors exit 2 and send nothing.
  EXPECT_EQ(Cli(c, {"checkin", "Dr. Rivera", "--mood", "11"}).exit_code, 2);
  EXPECT_EQ(Cli(c, {"checkin", "Dr. Rivera", "--mood", "5", "--emotion", "x=101"}).exit_code, 2);
  EXPECT_EQ(Cli(c, {"reflect", "Dr. Rivera", "--body", "b", "--kind", "free", "--field", "need=x"})
                .exit_code,
            2);
  EXPECT_EQ(Cli(c, {"send", "Nobody", "hi"}).exit_code, 1);

  // --- The therapist reads, assigns, replies, updates availability.
  const std::string t_sync = Must(t, {"sync"});
  EXPECT_NE(t_sync.find(hello), std::string::npos) << t_sync;
  sent.push_back({MustId(t, {"assign", "Sam Client", "--title", "Daily check-in " + m,
                             "--instructions", "Every evening, rate your mood " + m, "--kind",
                             "check-in", "--every", "day", "--due", "2031-03-15"}),
                  "exercise", true, [&](const Json& x) {
                    EXPECT_EQ(Str(x, "title"), "Daily check-in " + m);
                    EXPECT_EQ(Str(x, "instructions"), "Every evening, rate your mood " + m);
                    EXPECT_EQ(Str(x, "kind"), "check-in");
                    EXPECT_EQ(Str(x, "recurrence"), "daily");
                    EXPECT_EQ(Str(x, "due_date"), "2031-03-15");
                  }});
  EXPECT_EQ(
      Cli(t, {"assign", "Sam Client", "--title", "x", "--instructions", "y", "--due", "2031-02-30"})
          .exit_code,
      2)
      << "not a calendar date";
  EXPECT_EQ(Cli(c, {"assign", "Dr. Rivera", "--title", "x", "--instructions", "y"}).exit_code, 1);
  const std::string reply = "Thank you for writing, Sam " + m;
  const std::string reply_to = sent[0].id;
  sent.push_back({MustId(t, {"send", "Sam Client", reply, "--reply-to", reply_to}), "text", true,
                  [&](const Json& x) {
                    EXPECT_EQ(Str(x, "body"), reply);
                    EXPECT_EQ(Str(x, "reply_to"), reply_to);
                  }});
  sent.push_back({MustId(t, {"reflect", "Sam Client", "--body", "therapist note " + m}),
                  "reflection", true, [&](const Json& x) {
                    EXPECT_EQ(Str(x, "kind"), "free");
                    EXPECT_EQ(Str(x, "body"), "therapist note " + m);
                  }});
  Must(t, {"availability", "--text", "Away until Monday " + m, "--emergency", "Call 112 " + m});

  // --- The client reads and answers.
  const std::string c_sync = Must(c, {"sync"});
  EXPECT_NE(c_sync.find(reply), std::string::npos) << c_sync;
  const std::string answer = "Will do " + m;
  const std::string answer_to = sent[7].id;
  sent.push_back({MustId(c, {"send", "Dr. Rivera", answer, "--reply-to", answer_to}), "text", false,
                  [&](const Json& x) {
                    EXPECT_EQ(Str(x, "body"), answer);
                    EXPECT_EQ(Str(x, "reply_to"), answer_to);
                  }});
  {
    auto doc = ParseJson(Must(c, {"contacts", "--json"}));
    ASSERT_TRUE(doc.has_value());
    auto list = AsList(*doc);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(Str(Member(list[0], "availability"), "text"), "Away until Monday " + m);
    EXPECT_EQ(Str(Member(list[0], "availability"), "emergency_guidance"), "Call 112 " + m);
  }

  // --- Receipts: the therapist syncs (delivered receipts go out), the
  // client syncs and sees "delivered"; the therapist views the transcript
  // (marks read), the client then sees "read".
  Must(t, {"sync"});
  Must(c, {"sync"});
  {
    Json history = History(c, "Dr. Rivera");
    for (const Json& item : AsList(history)) {
      if (Str(item, "direction") == "outgoing") {
        EXPECT_EQ(Str(item, "state"), "delivered") << item.DebugString();
      }
    }
  }
  const std::string transcript = Must(t, {"history", "Sam Client"});
  EXPECT_NE(transcript.find(hello), std::string::npos) << transcript;
  Must(c, {"sync"});
  Must(c, {"history", "Dr. Rivera"});  // The client reads too.
  Must(t, {"sync"});

  // --- history --json on both sides holds exactly what was sent.
  Json c_history = History(c, "Dr. Rivera");
  Json t_history = History(t, "Sam Client");
  for (const Sent& s : sent) {
    SCOPED_TRACE(s.type + " " + s.id + (s.from_therapist ? " from therapist" : " from client"));
    for (bool sender_side : {true, false}) {
      const bool therapist_side = sender_side == s.from_therapist;
      const Json& history = therapist_side ? t_history : c_history;
      std::vector<Json> matches;
      for (const Json& item : AsList(history)) {
        if (Str(item, "message_id") == s.id) matches.push_back(item);
      }
      ASSERT_EQ(matches.size(), 1u) << (therapist_side ? "therapist" : "client") << " history:\n"
                                    << history.DebugString();
      const Json& item = matches[0];
      EXPECT_EQ(Str(item, "type"), s.type);
      EXPECT_EQ(Str(item, "direction"), sender_side ? "outgoing" : "incoming");
      EXPECT_EQ(Str(item, "sender_user_id"), s.from_therapist ? t_id : c_id);
      EXPECT_EQ(Str(item, "peer_user_id"), therapist_side ? c_id : t_id);
      EXPECT_GT(Num(item, "sent_at_unix_ms"), 1.6e12);
      EXPECT_FALSE(Str(item, "sent_at").empty());
      if (!sender_side) {
        EXPECT_GT(Num(item, "received_at_unix_ms"), 1.6e12);
      }
      // Both sides read everything: outgoing items show "read".
      EXPECT_EQ(Str(item, "state"), "read") << item.DebugString();
      s.check(Member(item, "content"));
    }
  }
  // Nothing else but the availability notice sent while linked; no receipts,
  // no profiles, nothing invalid.
  for (const Json* history : {&c_history, &t_history}) {
    std::map<std::string, int> types;
    for (const Json& item : AsList(*history)) ++types[Str(item, "type")];
    EXPECT_EQ(types["availability"], 1) << history->DebugString();
    EXPECT_EQ(types["receipt"] + types["profile"] + types["invalid"], 0) << history->DebugString();
    EXPECT_EQ(AsList(*history).size(), sent.size() + 1) << history->DebugString();
  }

  // --- Safety numbers, verify.
  std::string t_number = Must(t, {"safety-number", "Sam Client"});
  std::string c_number = Must(c, {"safety-number", "Dr. Rivera"});
  EXPECT_EQ(t_number, c_number);
  size_t digits = 0, groups = 0;
  bool in_group = false;
  for (char ch : t_number) {
    const bool digit = ch >= '0' && ch <= '9';
    digits += digit;
    if (digit && !in_group) ++groups;
    in_group = digit;
  }
  EXPECT_EQ(digits, 60u) << t_number;
  EXPECT_EQ(groups, 12u) << t_number;
  Must(t, {"verify", "Sam Client"});
  {
    auto doc = ParseJson(Must(t, {"contacts", "--json"}));
    ASSERT_TRUE(doc.has_value());
    EXPECT_TRUE(Bool(AsList(*doc).at(0), "verified"));
  }
  // By user id works as well as by name.
  EXPECT_EQ(Must(c, {"safety-number", t_id}), c_number);

  // --- Export.
  const std::string export_file = temp_->Sub("export.json");
  Must(c, {"export", "--out", export_file});
  {
    struct stat es {};
    ASSERT_EQ(::stat(export_file.c_str(), &es), 0);
    EXPECT_EQ(es.st_mode & 0777, 0600u);
    std::string error;
    auto doc = ParseJson(ReadFile(export_file), &error);
    ASSERT_TRUE(doc.has_value()) << error;
    EXPECT_EQ(Str(*doc, "format"), "securebase-export");
    EXPECT_EQ(Str(Member(*doc, "account"), "user_id"), c_id);
    auto contacts = List(*doc, "contacts");
    ASSERT_EQ(contacts.size(), 1u);
    std::set<std::string> ids;
    for (const Json& item : List(contacts[0], "history")) ids.insert(Str(item, "message_id"));
    for (const Sent& s : sent) EXPECT_EQ(ids.count(s.id), 1u) << s.id;
    // The exported items are those of history --json.
    EXPECT_EQ(Member(contacts[0], "history").DebugString(), c_history.DebugString());
  }

  // --- End: no more messages, a clear error and a non-zero exit.
  Must(t, {"end", "Sam Client"});
  it::CommandResult refused = Cli(t, {"send", "Sam Client", "after the end"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.stderr_text.rfind("securebase: ", 0), 0u) << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("ended"), std::string::npos) << refused.stderr_text;
  it::CommandResult refused_client = Cli(c, {"send", "Dr. Rivera", "after the end"});
  EXPECT_EQ(refused_client.exit_code, 1) << refused_client.stderr_text;
  EXPECT_NE(refused_client.stderr_text.find("\nsecurebase: "), std::string::npos)
      << "an error line after the availability notice: " << refused_client.stderr_text;
  // The history stays.
  Json kept = History(t, "Sam Client");
  EXPECT_EQ(AsList(kept).size(), sent.size() + 1);
}

}  // namespace
}  // namespace securebase::e2e
