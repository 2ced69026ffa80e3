// Mapping of checkin/reflect/assign options to content structs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/cli/content_flags.h"

namespace securebase::cli {
namespace {

ParsedArgs Args(std::vector<std::pair<std::string, std::string>> options) {
  ParsedArgs args;
  for (auto& [name, value] : options) args.Slot(name).push_back(value);
  return args;
}

TEST(ParseEmotion, Forms) {
  client::Emotion e;
  std::string error;
  ASSERT_TRUE(ParseEmotion("anxious=60", '=', e, error)) << error;
  EXPECT_EQ(e.name, "anxious");
  EXPECT_EQ(e.intensity, 60u);
  ASSERT_TRUE(ParseEmotion("a=b=0", '=', e, error));  // Split at the last '='.
  EXPECT_EQ(e.name, "a=b");
  ASSERT_TRUE(ParseEmotion("sad:100", ':', e, error));
  EXPECT_EQ(e.intensity, 100u);
  EXPECT_FALSE(ParseEmotion("sad=101", '=', e, error));
  EXPECT_FALSE(ParseEmotion("sad", '=', e, error));
  EXPECT_FALSE(ParseEmotion("=5", '=', e, error));
  EXPECT_FALSE(ParseEmotion("sad=", '=', e, error));
  EXPECT_FALSE(ParseEmotion("sad=-1", '=', e, error));
}

TEST(ParseEmotionList, Lists) {
  std::vector<client::Emotion> list;
  std::string error;
  ASSERT_TRUE(ParseEmotionList("anxious:70,sad:40", list, error)) << error;
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].name, "sad");
  EXPECT_EQ(list[1].intensity, 40u);
  EXPECT_FALSE(ParseEmotionList("anxious:70,", list, error));
  EXPECT_FALSE(ParseEmotionList("anxious=70", list, error));
}

TEST(ParseScores, ExactCount) {
  std::vector<uint32_t> scores;
  std::string error;
  ASSERT_TRUE(ParseScores("0,1,2,3,0,1,2,3,0", 9, "--phq9", scores, error)) << error;
  EXPECT_EQ(scores, (std::vector<uint32_t>{0, 1, 2, 3, 0, 1, 2, 3, 0}));
  EXPECT_FALSE(ParseScores("0,1,2,3,0,1,2,3", 9, "--phq9", scores, error));
  EXPECT_NE(error.find("exactly 9"), std::string::npos);
  EXPECT_FALSE(ParseScores("0,1,2,3,0,1,4", 7, "--gad7", scores, error));
  EXPECT_FALSE(ParseScores("", 7, "--gad7", scores, error));
}

TEST(BuildCheckIn, AllOptions) {
  ParsedArgs args = Args({{"mood", "6"},
                          {"emotion", "anxious=60"},
                          {"emotion", "calm=20"},
                          {"energy", "4"},
                          {"sleep", "7.5"},
                          {"helped", "a walk"},
                          {"note", "ok"},
                          {"phq9", "0,0,0,0,0,0,0,0,1"},
                          {"gad7", "1,1,1,1,1,1,1"},
                          {"exercise", "0123456789abcdef0123456789abcdef"}});
  client::CheckIn c;
  std::string error;
  ASSERT_TRUE(BuildCheckIn(args, c, error)) << error;
  EXPECT_EQ(c.mood, 6u);
  ASSERT_EQ(c.emotions.size(), 2u);
  EXPECT_EQ(c.emotions[0].name, "anxious");
  EXPECT_EQ(c.emotions[1].intensity, 20u);
  EXPECT_EQ(c.energy, 4u);
  EXPECT_EQ(c.sleep_hours, 7.5);
  EXPECT_EQ(c.helped, "a walk");
  EXPECT_EQ(c.note, "ok");
  ASSERT_EQ(c.questionnaires.size(), 2u);
  EXPECT_EQ(c.questionnaires[0].questionnaire, client::Questionnaire::kPhq9);
  EXPECT_EQ(c.questionnaires[1].questionnaire, client::Questionnaire::kGad7);
  EXPECT_EQ(c.exercise_id, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(client::ValidateContent(c).ok());
}

TEST(BuildCheckIn, MinimalAndErrors) {
  client::CheckIn c;
  std::string error;
  ASSERT_TRUE(BuildCheckIn(Args({{"mood", "0"}}), c, error));
  EXPECT_FALSE(c.energy.has_value());
  EXPECT_FALSE(c.sleep_hours.has_value());
  EXPECT_TRUE(c.emotions.empty());
  EXPECT_FALSE(BuildCheckIn(Args({}), c, error));
  EXPECT_NE(error.find("--mood"), std::string::npos);
  EXPECT_FALSE(BuildCheckIn(Args({{"mood", "11"}}), c, error));
  EXPECT_FALSE(BuildCheckIn(Args({{"mood", "5"}, {"energy", "11"}}), c, error));
  EXPECT_FALSE(BuildCheckIn(Args({{"mood", "5"}, {"sleep", "25"}}), c, error));
  EXPECT_FALSE(BuildCheckIn(Args({{"mood", "5"}, {"emotion", "x=101"}}), c, error));
}

TEST(BuildReflection, FreeForm) {
  client::Reflection r;
  std::string error;
  ASSERT_TRUE(BuildReflection(Args({{"body", "b"}, {"prompt", "p"}}), r, error)) << error;
  EXPECT_EQ(r.kind, "free");
  EXPECT_EQ(r.body, "b");
  EXPECT_EQ(r.prompt, "p");
  EXPECT_TRUE(r.fields.empty());
  EXPECT_FALSE(BuildReflection(Args({{"prompt", "p"}}), r, error));
  EXPECT_NE(error.find("--body"), std::string::npos);
  EXPECT_FALSE(BuildReflection(Args({{"body", "b"}, {"field", "situation=x"}}), r, error));
  EXPECT_FALSE(BuildReflection(Args({{"body", "b"}, {"kind", "diary"}}), r, error));
}

TEST(BuildReflection, ThoughtRecordFields) {
  ParsedArgs args = Args({{"body", "b"},
                          {"kind", "thought-record"},
                          {"field", "situation=At work = stressful"},
                          {"field", "automatic-thought=I fail"},
                          {"field", "emotions_before=anxious:70,sad:40"},
                          {"field", "emotions_before=ashamed:10"},
                          {"field", "evidence_for=e1"},
                          {"field", "evidence_against=e2"},
                          {"field", "balanced_thought=bt"},
                          {"field", "emotions_after=anxious:30"}});
  client::Reflection r;
  std::string error;
  ASSERT_TRUE(BuildReflection(args, r, error)) << error;
  EXPECT_EQ(r.kind, "thought-record");
  EXPECT_EQ(r.Text("situation"), "At work = stressful");
  EXPECT_EQ(r.Text("automatic_thought"), "I fail");
  ASSERT_EQ(r.Emotions("emotions_before").size(), 3u);
  EXPECT_EQ(r.Emotions("emotions_before")[2].name, "ashamed");
  EXPECT_EQ(r.Text("evidence_for"), "e1");
  EXPECT_EQ(r.Text("evidence_against"), "e2");
  EXPECT_EQ(r.Text("balanced_thought"), "bt");
  ASSERT_EQ(r.Emotions("emotions_after").size(), 1u);
  EXPECT_TRUE(client::ValidateContent(r).ok());
}

TEST(BuildReflection, MentalisationAndCommunicationFields) {
  client::Reflection r;
  std::string error;
  ASSERT_TRUE(BuildReflection(Args({{"body", "b"},
                                    {"kind", "mentalisation"},
                                    {"field", "my_feelings=1"},
                                    {"field", "my_needs=2"},
                                    {"field", "other_felt=3"},
                                    {"field", "other_thought=4"},
                                    {"field", "other_intended=5"},
                                    {"field", "other_readings=6"}}),
                              r, error))
      << error;
  EXPECT_EQ(r.kind, "mentalisation");
  EXPECT_EQ(r.Text("my_feelings"), "1");
  EXPECT_EQ(r.Text("other_readings"), "6");

  ASSERT_TRUE(BuildReflection(Args({{"body", "b"},
                                    {"kind", "communication"},
                                    {"field", "need=1"},
                                    {"field", "boundary=2"},
                                    {"field", "what_i_said=3"},
                                    {"field", "what_happened=4"}}),
                              r, error))
      << error;
  EXPECT_EQ(r.kind, "communication");
  EXPECT_EQ(r.Text("need"), "1");
  EXPECT_EQ(r.Text("what_happened"), "4");
  EXPECT_EQ(r.fields.size(), 4u) << "nothing of another kind";
}

TEST(BuildReflection, UnknownOrRepeatedKeysAreErrors) {
  client::Reflection r;
  std::string error;
  EXPECT_FALSE(BuildReflection(
      Args({{"body", "b"}, {"kind", "communication"}, {"field", "situation=x"}}), r, error));
  EXPECT_NE(error.find("situation"), std::string::npos);
  EXPECT_NE(error.find("need, boundary"), std::string::npos);  // Lists the valid keys.
  EXPECT_FALSE(BuildReflection(Args({{"body", "b"}, {"kind", "communication"}, {"field", "need"}}),
                               r, error));
  EXPECT_FALSE(BuildReflection(
      Args({{"body", "b"}, {"kind", "communication"}, {"field", "need=1"}, {"field", "need=2"}}), r,
      error));
  EXPECT_NE(error.find("more than once"), std::string::npos);
  EXPECT_FALSE(BuildReflection(
      Args({{"body", "b"}, {"kind", "thought-record"}, {"field", "emotions_after=sad"}}), r,
      error));
}

TEST(BuildExercise, Options) {
  client::Exercise e;
  std::string error;
  ASSERT_TRUE(BuildExercise(Args({{"title", "T"}, {"instructions", "I"}}), e, error));
  EXPECT_EQ(e.kind, "free");
  EXPECT_EQ(e.recurrence, client::Recurrence::kNone);
  EXPECT_EQ(e.due_date, "");
  ASSERT_TRUE(BuildExercise(Args({{"title", "T"},
                                  {"instructions", "I"},
                                  {"kind", "check-in"},
                                  {"every", "day"},
                                  {"due", "2026-12-01"}}),
                            e, error));
  EXPECT_EQ(e.kind, "check-in");
  EXPECT_EQ(e.recurrence, client::Recurrence::kDaily);
  EXPECT_EQ(e.due_date, "2026-12-01");
  ASSERT_TRUE(
      BuildExercise(Args({{"title", "T"}, {"instructions", "I"}, {"every", "week"}}), e, error));
  EXPECT_EQ(e.recurrence, client::Recurrence::kWeekly);
  EXPECT_FALSE(BuildExercise(Args({{"title", "T"}}), e, error));
  EXPECT_FALSE(
      BuildExercise(Args({{"title", "T"}, {"instructions", "I"}, {"every", "month"}}), e, error));
  EXPECT_FALSE(
      BuildExercise(Args({{"title", "T"}, {"instructions", "I"}, {"kind", "journal"}}), e, error));
}

}  // namespace
}  // namespace securebase::cli
