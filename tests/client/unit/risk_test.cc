// Risk signals (securebase/client/risk.h): PHQ-9 item 9 above 0 and
// self-harm phrases in what a person wrote, for every content type that
// holds such text; nothing for content a person did not write about
// themselves; and the one crisis prompt every app shows.
#include "securebase/client/risk.h"

#include <gtest/gtest.h>

namespace securebase::client {
namespace {

std::vector<std::string> Where(const ContentBody& content) {
  std::vector<std::string> where;
  for (const RiskSignal& s : DetectRiskSignals(content)) where.push_back(s.where);
  return where;
}

// (Moved here from the CLI's HasSelfHarmSignal test: the rule is the library's.)
TEST(RiskSignals, Phq9ItemNine) {
  CheckIn c;
  EXPECT_TRUE(DetectRiskSignals(c).empty());
  c.questionnaires = {{Questionnaire::kPhq9, {3, 3, 3, 3, 3, 3, 3, 3, 0}}};
  EXPECT_TRUE(DetectRiskSignals(c).empty());
  c.questionnaires = {{Questionnaire::kPhq9, {0, 0, 0, 0, 0, 0, 0, 0, 1}}};
  auto signals = DetectRiskSignals(c);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].kind, RiskSignalKind::kSelfHarmItem);
  EXPECT_EQ(signals[0].where, "PHQ-9 item 9");
  c.questionnaires = {{Questionnaire::kGad7, {0, 0, 0, 0, 0, 0, 1}}};
  EXPECT_TRUE(DetectRiskSignals(c).empty());
}

TEST(RiskSignals, SelfHarmWordsOnWordBoundariesInAnyCase) {
  for (const char* text :
       {"Some days I think about SUICIDE.", "I feel suicidal", "I want to hurt myself",
        "thoughts of self-harm again", "I would be better off dead", "took an overdose once"}) {
    EXPECT_EQ(Where(TextMessage{text, ""}), std::vector<std::string>{"the message"}) << text;
  }
  for (const char* text : {"a hard week", "I hurt my knee", "the skill of killing time",
                           "unkillable optimism", "harmless", "myselfharm"}) {
    EXPECT_TRUE(DetectRiskSignals(TextMessage{text, ""}).empty()) << text;
  }
}

TEST(RiskSignals, EveryFieldAPersonWritesIsLookedAt) {
  CheckIn c;
  c.note = "I want to die";
  c.helped = "nothing, I cut myself";
  EXPECT_EQ(Where(c), (std::vector<std::string>{"the note", "what helped"}));

  Reflection r;
  r.kind = "thought-record";
  r.body = "suicidal thoughts";
  r.SetText("automatic_thought", "no reason to live");
  EXPECT_EQ(Where(r), (std::vector<std::string>{"the reflection", "automatic thought"}));
}

TEST(RiskSignals, ContentNotWrittenAboutOneselfHasNone) {
  EXPECT_TRUE(
      DetectRiskSignals(Exercise{"Suicide prevention plan", "Write it down", "free", {}, ""})
          .empty());
  EXPECT_TRUE(DetectRiskSignals(Availability{"9-5", "In a suicidal crisis call 112"}).empty());
  EXPECT_TRUE(DetectRiskSignals(Profile{"Dr. Overdose", std::nullopt}).empty());
  EXPECT_TRUE(DetectRiskSignals(InvalidContent{"suicide"}).empty());
}

TEST(RiskSignals, OneCrisisPromptForEveryApp) {
  const CrisisPrompt& prompt = CrisisResources();
  EXPECT_FALSE(prompt.title.empty());
  EXPECT_NE(prompt.message.find("emergency"), std::string_view::npos);
  EXPECT_NE(prompt.emergency_guidance.find("not for emergencies"), std::string_view::npos);
  EXPECT_FALSE(prompt.attention.empty());
  EXPECT_EQ(&prompt, &CrisisResources());
}

}  // namespace
}  // namespace securebase::client
