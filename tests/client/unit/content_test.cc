// ValidateContent: every range and rule of docs/CLIENT.md ("Content limits"),
// with an accepted edge and a refused one for each.
#include "securebase/client/content.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace securebase::client {
namespace {

constexpr char kId[] = "0123456789abcdef0123456789ABCDEF";

bool Valid(const ContentBody& body) { return ValidateContent(body).ok(); }

// The error names the field.
void ExpectInvalid(const ContentBody& body, std::string_view field) {
  const Status status = ValidateContent(body);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << "expected an error about " << field;
  const std::string& error = status.message();
  EXPECT_FALSE(error.empty()) << "expected an error about " << field;
  EXPECT_NE(error.find(field), std::string::npos) << error;
}

TEST(ValidateText, BodyRules) {
  EXPECT_TRUE(Valid(TextMessage{"hi", ""}));
  ExpectInvalid(TextMessage{"", ""}, "body");
  EXPECT_TRUE(Valid(TextMessage{std::string(64 * 1024, 'a'), ""}));
  ExpectInvalid(TextMessage{std::string(64 * 1024 + 1, 'a'), ""}, "body");
  ExpectInvalid(TextMessage{"bad \xC3", ""}, "UTF-8");
  EXPECT_TRUE(Valid(TextMessage{"caf\xC3\xA9 \xF0\x9F\x98\x8A", ""}));
}

// The check skips ASCII eight bytes at a time: what follows a run, at any
// offset and at the very end, is still checked.
TEST(ValidateText, Utf8AfterAsciiRuns) {
  for (size_t run = 0; run <= 17; ++run) {
    const std::string ascii(run, 'a');
    EXPECT_TRUE(Valid(TextMessage{ascii + "\xC3\xA9" + ascii, ""})) << run;
    EXPECT_TRUE(Valid(TextMessage{ascii + "\xF0\x9F\x98\x8A", ""})) << run;
    ExpectInvalid(TextMessage{"x" + ascii + "\xC3", ""}, "UTF-8");
    ExpectInvalid(TextMessage{ascii + "\xE2\x82" + ascii + "x", ""}, "UTF-8");
    ExpectInvalid(TextMessage{ascii + "\xFF" + ascii + "x", ""}, "UTF-8");
    ExpectInvalid(TextMessage{ascii + "\xC0\xAF" + ascii + "x", ""}, "UTF-8");      // Overlong.
    ExpectInvalid(TextMessage{ascii + "\xED\xA0\x80" + ascii + "x", ""}, "UTF-8");  // Surrogate.
  }
}

TEST(ValidateText, ReplyToIsEmptyOrA32HexId) {
  EXPECT_TRUE(Valid(TextMessage{"hi", kId}));
  ExpectInvalid(TextMessage{"hi", "0123"}, "reply-to");
  ExpectInvalid(TextMessage{"hi", std::string(31, 'a') + "g"}, "reply-to");
  ExpectInvalid(TextMessage{"hi", std::string(34, 'a')}, "reply-to");
}

CheckIn GoodCheckIn() {
  CheckIn c;
  c.mood = 5;
  c.emotions = {{"anxious", 60}};
  c.energy = 4;
  c.sleep_hours = 7.5;
  return c;
}

TEST(ValidateCheckIn, Ranges) {
  EXPECT_TRUE(Valid(GoodCheckIn()));
  CheckIn c = GoodCheckIn();
  c.mood = 10;
  EXPECT_TRUE(Valid(c));
  c.mood = 11;
  ExpectInvalid(c, "mood");

  c = GoodCheckIn();
  c.energy = 10;
  EXPECT_TRUE(Valid(c));
  c.energy = 11;
  ExpectInvalid(c, "energy");
  c.energy.reset();
  EXPECT_TRUE(Valid(c));

  c = GoodCheckIn();
  c.sleep_hours = 0;
  EXPECT_TRUE(Valid(c));
  c.sleep_hours = 24;
  EXPECT_TRUE(Valid(c));
  c.sleep_hours = 24.01;
  ExpectInvalid(c, "sleep");
  c.sleep_hours = -0.5;
  ExpectInvalid(c, "sleep");
  c.sleep_hours = std::nan("");
  ExpectInvalid(c, "sleep");
  c.sleep_hours = INFINITY;
  ExpectInvalid(c, "sleep");
}

TEST(ValidateCheckIn, Emotions) {
  CheckIn c = GoodCheckIn();
  c.emotions = {{"calm", 0}, {"angry", 100}};
  EXPECT_TRUE(Valid(c));
  c.emotions = {{"angry", 101}};
  ExpectInvalid(c, "intensity");
  c.emotions = {{"", 10}};
  ExpectInvalid(c, "name");
  c.emotions = {{std::string(64, 'x'), 10}};
  EXPECT_TRUE(Valid(c));
  c.emotions = {{std::string(65, 'x'), 10}};
  ExpectInvalid(c, "name");
  c.emotions = {{"two\nlines", 10}};
  ExpectInvalid(c, "name");
  c.emotions.assign(32, Emotion{"x", 1});
  EXPECT_TRUE(Valid(c));
  c.emotions.assign(33, Emotion{"x", 1});
  ExpectInvalid(c, "emotion");
}

TEST(ValidateCheckIn, TextFields) {
  CheckIn c = GoodCheckIn();
  c.note = std::string(16 * 1024, 'n');
  c.helped = std::string(16 * 1024, 'h');
  EXPECT_TRUE(Valid(c));
  c.note += "n";
  ExpectInvalid(c, "note");
  c = GoodCheckIn();
  c.helped = std::string(16 * 1024 + 1, 'h');
  ExpectInvalid(c, "helped");
  c = GoodCheckIn();
  c.exercise_id = kId;
  EXPECT_TRUE(Valid(c));
  c.exercise_id = "xyz";
  ExpectInvalid(c, "exercise id");
}

TEST(ValidateCheckIn, Questionnaires) {
  CheckIn c = GoodCheckIn();
  c.questionnaires = {{Questionnaire::kPhq9, {0, 1, 2, 3, 0, 1, 2, 3, 3}},
                      {Questionnaire::kGad7, {3, 3, 3, 3, 3, 3, 3}}};
  EXPECT_TRUE(Valid(c));
  c.questionnaires = {{Questionnaire::kPhq9, {0, 1, 2, 3, 0, 1, 2, 3}}};
  ExpectInvalid(c, "PHQ-9");
  c.questionnaires = {{Questionnaire::kPhq9, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}};
  ExpectInvalid(c, "PHQ-9");
  c.questionnaires = {{Questionnaire::kPhq9, {0, 0, 0, 0, 0, 0, 0, 0, 4}}};
  ExpectInvalid(c, "PHQ-9 item 9");
  c.questionnaires = {{Questionnaire::kGad7, {0, 0, 0, 0, 0, 0, 0, 0, 0}}};
  ExpectInvalid(c, "GAD-7");
  c.questionnaires = {{Questionnaire::kGad7, {0, 0, 0, 0, 0, 0}}};
  ExpectInvalid(c, "GAD-7");
  c.questionnaires = {{Questionnaire::kGad7, {0, 0, 0, 0, 0, 0, 0}},
                      {Questionnaire::kGad7, {0, 0, 0, 0, 0, 0, 0}}};
  ExpectInvalid(c, "GAD-7");
  c.questionnaires = {{static_cast<Questionnaire>(9), {}}};
  ExpectInvalid(c, "questionnaire");
}

TEST(ValidateReflection, FreeForm) {
  Reflection r;
  r.body = "I noticed something";
  EXPECT_TRUE(Valid(r));
  r.body = "";
  ExpectInvalid(r, "body");
  r.body = std::string(64 * 1024, 'b');
  EXPECT_TRUE(Valid(r));
  r.body += "b";
  ExpectInvalid(r, "body");
  r.body = "x";
  r.prompt = std::string(16 * 1024 + 1, 'p');
  ExpectInvalid(r, "prompt");
}

TEST(ValidateReflection, StructuredPartMustMatchKind) {
  Reflection r;
  r.body = "b";
  r.SetText("situation", "");
  ExpectInvalid(r, "free-form");  // "free" with a structured part.

  r.kind = "thought-record";
  EXPECT_TRUE(Valid(r));
  r.SetText("my_needs", "");  // A mentalisation field.
  ExpectInvalid(r, "thought record");

  Reflection m;
  m.kind = "mentalisation";
  m.body = "b";
  m.SetText("need", "");  // A communication field.
  ExpectInvalid(m, "mentalisation");
  m.fields.clear();
  m.SetText("my_needs", "");
  EXPECT_TRUE(Valid(m));

  Reflection c;
  c.kind = "communication";
  c.body = "b";
  c.SetText("situation", "");
  ExpectInvalid(c, "communication");

  Reflection unknown;
  unknown.kind = "diary";
  unknown.body = "b";
  ExpectInvalid(unknown, "kind");
}

TEST(ValidateReflection, StructuredFields) {
  Reflection r;
  r.kind = "thought-record";
  r.SetText("situation", "At work");
  EXPECT_TRUE(Valid(r));  // An empty body is fine when a structured field says something.
  r.SetText("situation", "");
  ExpectInvalid(r, "body");
  r.SetEmotions("emotions_before", {{"sad", 101}});
  // The message names the field (its label): "Thought record emotions before #1: ...".
  ExpectInvalid(r, "emotions before");
  r.SetEmotions("emotions_before", {{"sad", 50}});
  r.SetEmotions("emotions_after", {{"", 50}});
  ExpectInvalid(r, "emotions after");
  r.SetEmotions("emotions_after", {});
  r.SetText("balanced_thought", std::string(16 * 1024 + 1, 'x'));
  ExpectInvalid(r, "balanced thought");

  Reflection m;
  m.kind = "mentalisation";
  m.SetText("other_readings", std::string(16 * 1024 + 1, 'x'));
  ExpectInvalid(m, "other readings");

  Reflection c;
  c.kind = "communication";
  c.SetText("what_i_said", "\xFF");
  ExpectInvalid(c, "what I said");

  // Text where the schema says emotions, and the other way round; a field
  // given twice.
  Reflection t;
  t.kind = "thought-record";
  t.body = "b";
  t.SetText("emotions_before", "sad");
  ExpectInvalid(t, "emotions before");
  t.fields.clear();
  t.SetEmotions("situation", {{"sad", 1}});
  ExpectInvalid(t, "situation");
  t.fields = {{"situation", "a", {}}, {"situation", "b", {}}};
  ExpectInvalid(t, "more than once");

  Reflection e;
  e.body = "b";
  e.exercise_id = "nothex";
  ExpectInvalid(e, "exercise id");
}

TEST(ValidateExercise, Rules) {
  Exercise e{"Daily check-in", "Each evening", "check-in", Recurrence::kDaily, "2026-12-01"};
  EXPECT_TRUE(Valid(e));
  e.title = "";
  ExpectInvalid(e, "title");
  e.title = "t";
  for (const char* kind : {"", "free", "thought-record", "mentalisation", "communication"}) {
    e.kind = kind;
    EXPECT_TRUE(Valid(e)) << kind;
  }
  e.kind = "journal";
  ExpectInvalid(e, "kind");
  e.kind = "free";
  e.recurrence = static_cast<Recurrence>(5);
  ExpectInvalid(e, "recurrence");
  e.recurrence = Recurrence::kWeekly;
  e.instructions = std::string(16 * 1024 + 1, 'i');
  ExpectInvalid(e, "instructions");
}

TEST(ValidateExercise, DueDate) {
  Exercise e{"t", "", "free", Recurrence::kNone, ""};
  for (const char* ok : {"", "2026-12-01", "2024-02-29", "2000-02-29", "2026-01-31", "2026-04-30",
                         "0001-01-01", "9999-12-31"}) {
    e.due_date = ok;
    EXPECT_TRUE(Valid(e)) << ok;
  }
  for (const char* bad : {"2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                          "2026-01-00", "0000-01-01", "2026-1-01", "2026/01/01", "26-01-01",
                          "2026-01-01T00", " 2026-01-01", "2026-0a-01", "tomorrow"}) {
    e.due_date = bad;
    ExpectInvalid(e, "due date");
  }
}

TEST(ValidateAvailability, Lengths) {
  EXPECT_TRUE(Valid(Availability{"Mon-Thu", ""}));
  EXPECT_TRUE(Valid(Availability{"", ""}));
  ExpectInvalid(Availability{std::string(16 * 1024 + 1, 'a'), ""}, "Availability text");
  ExpectInvalid(Availability{"", std::string(16 * 1024 + 1, 'a')}, "emergency guidance");
}

TEST(ValidateReceipt, Rules) {
  EXPECT_TRUE(Valid(Receipt{ReceiptType::kDelivered, {kId}}));
  EXPECT_TRUE(Valid(Receipt{ReceiptType::kRead, {kId, kId}}));
  ExpectInvalid(Receipt{ReceiptType::kRead, {}}, "Receipt");
  ExpectInvalid(Receipt{ReceiptType::kRead, {"abc"}}, "Receipt");
  ExpectInvalid(Receipt{static_cast<ReceiptType>(3), {kId}}, "Receipt type");
  EXPECT_TRUE(Valid(Receipt{ReceiptType::kRead, std::vector<std::string>(1000, kId)}));
  ExpectInvalid(Receipt{ReceiptType::kRead, std::vector<std::string>(1001, kId)}, "Receipt");
}

TEST(ValidateProfile, DisplayName) {
  EXPECT_TRUE(Valid(Profile{"Dr. Rivera", std::nullopt}));
  EXPECT_TRUE(Valid(Profile{"Dr. Rivera", Availability{"Mon", "112"}}));
  ExpectInvalid(Profile{"", std::nullopt}, "display name");
  EXPECT_TRUE(Valid(Profile{std::string(128, 'n'), std::nullopt}));
  ExpectInvalid(Profile{std::string(129, 'n'), std::nullopt}, "display name");
  ExpectInvalid(Profile{"evil\x1b[2J", std::nullopt}, "display name");
  ExpectInvalid(Profile{"bad\xC0", std::nullopt}, "display name");
  ExpectInvalid(Profile{"ok", Availability{std::string(16 * 1024 + 1, 'a'), ""}}, "availability");
}

TEST(ValidateInvalid, IsNeverSendable) { EXPECT_FALSE(Valid(InvalidContent{"received garbage"})); }

TEST(ValidateContent, ErrorsNeverQuoteTheContent) {
  CheckIn c = GoodCheckIn();
  c.note = "my private note " + std::string(16 * 1024, 'x');
  EXPECT_EQ(ValidateContent(c).message().find("private"), std::string::npos);
  Exercise e{"secret title", "", "nope", Recurrence::kNone, ""};
  EXPECT_EQ(ValidateContent(e).message().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace securebase::client
