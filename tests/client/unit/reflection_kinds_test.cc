// The two reflection kinds added after the content registry: an emotion
// regulation log and mourning unmet needs. They were added by content.proto
// alone (plus docs and these tests); this file checks that everything a kind
// needs came with that: schema, validation, wire codec, JSON, the CLI's flags
// and help, risk signals, exercises, and a round trip between two clients.
#include <gtest/gtest.h>

#include "client/cli/app.h"
#include "client/cli/content_flags.h"
#include "client/src/content/content_type.h"
#include "securebase/client/risk.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/client/unit/fake_server_fixture.h"

namespace securebase::client {
namespace {

namespace pb = content::v1;

TEST(NewReflectionKinds, SchemaComesFromTheProto) {
  const ReflectionKindSchema* log = FindReflectionKind("emotion-regulation");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->title, "Emotion regulation log");
  EXPECT_EQ(log->json_key, "emotion_regulation");
  std::vector<std::string> keys;
  for (const auto& field : log->fields) keys.push_back(field.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"trigger", "body_sensations", "emotions_before",
                                            "skill_used", "emotions_after"}));
  EXPECT_EQ(log->fields[1].label, "body sensations");
  EXPECT_EQ(log->fields[2].type, ReflectionFieldType::kEmotions);
  EXPECT_EQ(log->fields[3].label, "the skill I used");

  const ReflectionKindSchema* mourning = FindReflectionKind("mourning");
  ASSERT_NE(mourning, nullptr);
  EXPECT_EQ(mourning->title, "Mourning unmet needs");
  EXPECT_EQ(mourning->fields[1].key, "unmet_need");
  EXPECT_EQ(mourning->fields[1].label, "the need that went unmet");
  EXPECT_EQ(mourning->fields[2].type, ReflectionFieldType::kEmotions);
}

TEST(NewReflectionKinds, ValidationAndWire) {
  Reflection log;
  log.kind = "emotion-regulation";
  log.SetText("trigger", "a text from my ex");
  log.SetEmotions("emotions_before", {{"anger", 90}});
  log.SetText("skill_used", "TIPP: cold water");
  log.SetEmotions("emotions_after", {{"anger", 40}});
  ASSERT_TRUE(ValidateContent(log).ok()) << ValidateContent(log).ToString();
  pb::Content wire;
  ASSERT_TRUE(EncodeBody(log, wire));
  EXPECT_EQ(wire.reflection().kind(), pb::REFLECTION_EMOTION_REGULATION);
  ASSERT_TRUE(wire.reflection().has_emotion_regulation());
  EXPECT_EQ(wire.reflection().emotion_regulation().skill_used(), "TIPP: cold water");
  EXPECT_TRUE(e2e::ContentEquals(log, DecodeBody(wire)));

  log.SetEmotions("emotions_after", {{"anger", 101}});
  EXPECT_NE(ValidateContent(log).message().find("Emotion regulation log emotions after"),
            std::string::npos);
  log.SetEmotions("emotions_after", {});
  log.SetText("unmet_need", "x");  // A mourning field.
  EXPECT_NE(ValidateContent(log).message().find("emotion regulation log"), std::string::npos);

  Reflection mourning = e2e::MakeStructuredReflection("mourning", "w");
  ASSERT_TRUE(EncodeBody(mourning, wire));
  EXPECT_EQ(wire.reflection().kind(), pb::REFLECTION_MOURNING);
  EXPECT_TRUE(wire.reflection().has_mourning());
  EXPECT_TRUE(e2e::ContentEquals(mourning, DecodeBody(wire)));
}

TEST(NewReflectionKinds, JsonRiskAndExercises) {
  Reflection mourning;
  mourning.kind = "mourning";
  mourning.SetText("what_i_mourn", "a childhood where someone noticed; some days I want to die");
  const std::string json = ContentToJson(mourning);
  EXPECT_NE(json.find(R"("mourning":{"situation":"","unmet_need":"","feelings":[],)"),
            std::string::npos)
      << json;
  auto back = ContentFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(e2e::ContentEquals(mourning, *back));
  auto signals = DetectRiskSignals(mourning);
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].where, "what I mourn");
  EXPECT_TRUE(ValidateContent(Exercise{"Log", "Each evening", "emotion-regulation", {}, ""}).ok());
  EXPECT_TRUE(ValidateContent(Exercise{"Grief work", "", "mourning", {}, ""}).ok());
}

TEST(NewReflectionKinds, TheCliTakesThemWithoutAChange) {
  cli::ParsedArgs args;
  args.Slot("body").push_back("after the call");
  args.Slot("kind").push_back("emotion-regulation");
  for (const char* field :
       {"trigger=the call", "body-sensations=tight chest", "emotions_before=fear:80",
        "skill_used=paced breathing", "emotions_after=fear:35"}) {
    args.Slot("field").push_back(field);
  }
  Reflection r;
  std::string error;
  ASSERT_TRUE(cli::BuildReflection(args, r, error)) << error;
  EXPECT_EQ(r.kind, "emotion-regulation");
  EXPECT_EQ(r.Text("body_sensations"), "tight chest");
  EXPECT_EQ(r.Emotions("emotions_after").at(0).intensity, 35u);
  EXPECT_TRUE(ValidateContent(r).ok());
  const cli::Command* reflect = cli::FindCommand("reflect");
  ASSERT_NE(reflect, nullptr);
  EXPECT_NE(std::string(reflect->usage).find("|mourning"), std::string::npos);
  EXPECT_NE(std::string(reflect->details).find("mourning: situation, unmet_need"),
            std::string::npos)
      << reflect->details;
  EXPECT_EQ(cli::ReflectionFieldKeys("mourning").size(), 5u);
}

class NewReflectionKindsOverTheWire : public testing::FakeServerTest {};

TEST_F(NewReflectionKindsOverTheWire, BothKindsArriveIntact) {
  auto therapist = Create(Role::kTherapist, "T");
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  const Reflection log = e2e::MakeStructuredReflection("emotion-regulation", "wire");
  const Reflection mourning = e2e::MakeStructuredReflection("mourning", "wire");
  ASSERT_TRUE(client->SendReflection("T", log).ok());
  ASSERT_TRUE(client->SendReflection("T", mourning).ok());
  auto synced = therapist->Sync();
  ASSERT_TRUE(synced.ok());
  ASSERT_EQ(synced->new_items.size(), 2u);
  EXPECT_TRUE(e2e::ContentEquals(log, synced->new_items[0].content));
  EXPECT_TRUE(e2e::ContentEquals(mourning, synced->new_items[1].content));
}

}  // namespace
}  // namespace securebase::client
