// The content JSON (ContentFromJson / ContentToJson, content.h): every type
// round-trips, reading is strict and names the member, the result is
// validated exactly as Client::Send validates; and the reflection kinds'
// schema follows content.proto's rules.
#include <gtest/gtest.h>

#include <string>

#include "securebase/client/content.h"
#include "securebase/v1/content.pb.h"
#include "tests/client/e2e/e2e_support.h"

namespace securebase::client {
namespace {

void ExpectRoundTrip(const ContentBody& content) {
  const std::string json = ContentToJson(content);
  auto back = ContentFromJson(json);
  ASSERT_TRUE(back.ok()) << json << "\n" << back.status().ToString();
  EXPECT_EQ(ContentToJson(*back), json);
  EXPECT_TRUE(e2e::ContentEquals(content, *back)) << json;
}

TEST(ContentJson, EveryPersonsTypeRoundTrips) {
  ExpectRoundTrip(e2e::MakeText("m1"));
  ExpectRoundTrip(e2e::MakeCheckIn("m2"));
  ExpectRoundTrip(e2e::MakeFreeReflection("m3"));
  for (const ReflectionKindSchema& kind : ReflectionKinds()) {
    ExpectRoundTrip(e2e::MakeStructuredReflection(kind.name, "m4"));
  }
  ExpectRoundTrip(e2e::MakeExercise("m5"));
  ExpectRoundTrip(e2e::MakeAvailability("m6"));
  ExpectRoundTrip(Receipt{ReceiptType::kRead, {std::string(32, 'a')}});
  ExpectRoundTrip(Profile{"Dr. R", Availability{"a", "b"}});
}

TEST(ContentJson, TheFormIsTheHistoryItemsContent) {
  auto content = ContentFromJson(
      R"({"type":"check-in","content":{"mood":6,"energy":4,"sleep_hours":7.5,)"
      R"("emotions":[{"name":"anxious","intensity":60}],)"
      R"("questionnaires":[{"questionnaire":"gad7","item_scores":[1,0,2,1,0,0,3]}]}})");
  ASSERT_TRUE(content.ok()) << content.status().ToString();
  const auto& c = std::get<CheckIn>(*content);
  EXPECT_EQ(c.mood, 6u);
  EXPECT_EQ(c.energy, 4u);
  EXPECT_EQ(c.sleep_hours, 7.5);
  ASSERT_EQ(c.emotions.size(), 1u);
  EXPECT_EQ(c.questionnaires.at(0).questionnaire, Questionnaire::kGad7);
  EXPECT_FALSE(c.exercise_id.size());

  auto reflection =
      ContentFromJson(R"({"type":"reflection","content":{"kind":"communication","body":"b",)"
                      R"("communication":{"need":"rest","what_i_said":"no"}}})");
  ASSERT_TRUE(reflection.ok()) << reflection.status().ToString();
  EXPECT_EQ(std::get<Reflection>(*reflection).Text("what_i_said"), "no");
}

// Each refusal names what is wrong, and never quotes the content.
TEST(ContentJson, StrictAndNamesTheMember) {
  const std::pair<std::string, std::string> refused[] = {
      {R"(not json)", "invalid JSON"},
      {R"([])", "must be a JSON object"},
      {R"({"content":{}})", "\"type\" is required"},
      {R"({"type":"text"})", "\"content\" is required"},
      {R"({"type":"poem","content":{}})", "\"type\" must be one of"},
      {R"({"type":"text","content":{"body":"hi"},"extra":1})", "unknown member \"extra\""},
      {R"({"type":"text","content":{"body":"hi","bdoy":"x"}})", "unknown member \"bdoy\""},
      {R"({"type":"text","content":{"body":7}})", "\"body\" must be a string"},
      {R"({"type":"text","content":{}})", "\"body\" is required"},
      {R"({"type":"check-in","content":{"mood":"six"}})", "\"mood\" must be a number"},
      {R"({"type":"check-in","content":{"mood":6.5}})", "\"mood\" must be a whole number"},
      {R"({"type":"check-in","content":{"mood":-1}})", "\"mood\" must be a whole number"},
      {R"({"type":"check-in","content":{"mood":11}})", "mood must be between 0 and 10"},
      {R"({"type":"check-in","content":{"mood":1,"emotions":[{"name":"x"}]}})",
       "\"intensity\" is required"},
      {R"({"type":"check-in","content":{"mood":1,"questionnaires":[{"item_scores":[]}]}})",
       "\"questionnaire\" is required"},
      {R"({"type":"check-in","content":{"mood":1,"questionnaires":[{"questionnaire":"bdi"}]}})",
       "must be one of \"phq9\", \"gad7\""},
      {R"({"type":"reflection","content":{"kind":"free","body":"b","mentalisation":{}}})",
       "does not belong"},
      {R"({"type":"reflection","content":{"kind":"mentalisation","mentalisation":{"x":"y"}}})",
       "unknown member \"x\""},
      {R"({"type":"exercise","content":{"title":"t","recurrence":"hourly"}})",
       "\"recurrence\" must be one of"},
      {R"({"type":"text","content":{"body":"private words","reply_to":"zz"}})", "reply-to"},
  };
  for (const auto& [json, why] : refused) {
    auto result = ContentFromJson(json);
    ASSERT_FALSE(result.ok()) << json;
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument) << json;
    EXPECT_NE(result.status().message().find(why), std::string::npos) << json << "\n"
                                                                      << result.status().message();
    EXPECT_EQ(result.status().message().find("private"), std::string::npos);
  }
}

// content.proto's rules for kinds (reflection_kinds.h): every member of the
// structured oneof is a message of strings and repeated Emotion with a
// ReflectionKind value named after it, and every kind value has a member.
TEST(ReflectionKinds, FollowContentProtoRules) {
  namespace pb = content::v1;
  const auto& kinds = ReflectionKinds();
  ASSERT_GE(kinds.size(), 3u);
  EXPECT_EQ(kinds[0].name, "thought-record");
  EXPECT_EQ(kinds[0].title, "Thought record");
  EXPECT_EQ(kinds[0].json_key, "thought_record");
  EXPECT_EQ(kinds[0].fields.front().key, "situation");
  EXPECT_EQ(kinds[0].fields.front().label, "situation");
  const auto* communication = FindReflectionKind("communication");
  ASSERT_NE(communication, nullptr);
  EXPECT_EQ(communication->title, "Communication practice");
  EXPECT_EQ(communication->fields[2].label, "what I said");  // The proto's label option.
  EXPECT_EQ(FindReflectionKind("free"), nullptr);
  EXPECT_EQ(FindReflectionKind("diary"), nullptr);

  const auto* values = pb::ReflectionKind_descriptor();
  int structured_values = 0;
  for (int i = 0; i < values->value_count(); ++i) {
    const std::string name = values->value(i)->name();
    if (name == "REFLECTION_KIND_UNSPECIFIED" || name == "REFLECTION_FREE") continue;
    ++structured_values;
  }
  EXPECT_EQ(structured_values, static_cast<int>(kinds.size()))
      << "a ReflectionKind value without a structured member, or the reverse";
  for (const ReflectionKindSchema& kind : kinds) {
    Reflection r = e2e::MakeStructuredReflection(kind.name, "schema");
    EXPECT_TRUE(ValidateContent(r).ok()) << kind.name << ": " << ValidateContent(r).ToString();
    EXPECT_FALSE(kind.fields.empty()) << kind.name;
  }
}

}  // namespace
}  // namespace securebase::client
