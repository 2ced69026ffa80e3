// The content codec (client/src/content/, one file per type): every ContentBody
// alternative survives EncodeBody -> wire bytes -> DecodeBody field by field,
// and a received Content that is empty, out of range or of an unknown kind
// decodes to InvalidContent with a reason instead of failing.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/src/content/availability.h"
#include "client/src/content/content_type.h"

namespace securebase::client {
namespace {

namespace pb = content::v1;

// Lowercase: ids come back from the wire as lowercase hex.
constexpr char kId1[] = "00112233445566778899aabbccddeeff";
constexpr char kId2[] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
constexpr char kId3[] = "deadbeefcafef00d0123456789abcdef";

std::string WireId(const char* hex) {
  std::string out;
  for (size_t i = 0; hex[i] != '\0'; i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex + i, 2), nullptr, 16));
  }
  return out;
}

// Encodes, serializes, parses and decodes, as between two devices.
ContentBody RoundTrip(const ContentBody& body, pb::Content* wire_out = nullptr) {
  pb::Content content;
  EXPECT_TRUE(EncodeBody(body, content));
  std::string bytes;
  EXPECT_TRUE(content.SerializeToString(&bytes));
  pb::Content received;
  EXPECT_TRUE(received.ParseFromString(bytes));
  if (wire_out != nullptr) *wire_out = received;
  return DecodeBody(received);
}

// A copy, so the result may outlive `body`.
template <typename T>
T As(const ContentBody& body) {
  if (const T* v = std::get_if<T>(&body)) return *v;
  ADD_FAILURE() << "decoded as " << ContentTypeName(body)
                << (std::holds_alternative<InvalidContent>(body)
                        ? ": " + std::get<InvalidContent>(body).reason
                        : std::string());
  return T{};
}

void ExpectEmotionsEq(const std::vector<Emotion>& expected, const std::vector<Emotion>& actual) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].name, expected[i].name) << i;
    EXPECT_EQ(actual[i].intensity, expected[i].intensity) << i;
  }
}

void ExpectInvalidWith(const ContentBody& body, std::string_view word) {
  ASSERT_TRUE(std::holds_alternative<InvalidContent>(body)) << ContentTypeName(body);
  const std::string& reason = std::get<InvalidContent>(body).reason;
  EXPECT_FALSE(reason.empty());
  EXPECT_NE(reason.find(word), std::string::npos) << reason;
}

// --- TextMessage ---

TEST(ContentCodec, TextRoundTrip) {
  pb::Content wire;
  const TextMessage sent{"I noticed I was less anxious today \xF0\x9F\x99\x82", kId1};
  const TextMessage& got = As<TextMessage>(RoundTrip(sent, &wire));
  EXPECT_EQ(got.body, sent.body);
  EXPECT_EQ(got.reply_to, sent.reply_to);
  // Ids travel as 16 raw bytes.
  ASSERT_EQ(wire.body_case(), pb::Content::kText);
  EXPECT_EQ(wire.text().reply_to(), WireId(kId1));

  const TextMessage& no_reply = As<TextMessage>(RoundTrip(TextMessage{"plain", ""}, &wire));
  EXPECT_EQ(no_reply.body, "plain");
  EXPECT_EQ(no_reply.reply_to, "");
  EXPECT_TRUE(wire.text().reply_to().empty());
}

// --- CheckIn ---

CheckIn FullCheckIn() {
  CheckIn c;
  c.mood = 7;
  c.emotions = {{"anxious", 61}, {"hopeful", 33}, {"tired", 100}};
  c.energy = 4;
  c.sleep_hours = 6.25;
  c.helped = "a walk by the river";
  c.note = "slept badly, better after lunch";
  c.questionnaires = {{Questionnaire::kPhq9, {0, 1, 2, 3, 0, 1, 2, 3, 1}},
                      {Questionnaire::kGad7, {3, 2, 1, 0, 3, 2, 1}}};
  c.exercise_id = kId2;
  return c;
}

void ExpectCheckInEq(const CheckIn& expected, const CheckIn& actual) {
  EXPECT_EQ(actual.mood, expected.mood);
  ExpectEmotionsEq(expected.emotions, actual.emotions);
  EXPECT_EQ(actual.energy, expected.energy);
  EXPECT_EQ(actual.sleep_hours, expected.sleep_hours);
  EXPECT_EQ(actual.helped, expected.helped);
  EXPECT_EQ(actual.note, expected.note);
  ASSERT_EQ(actual.questionnaires.size(), expected.questionnaires.size());
  for (size_t i = 0; i < expected.questionnaires.size(); ++i) {
    EXPECT_EQ(actual.questionnaires[i].questionnaire, expected.questionnaires[i].questionnaire);
    EXPECT_EQ(actual.questionnaires[i].item_scores, expected.questionnaires[i].item_scores);
  }
  EXPECT_EQ(actual.exercise_id, expected.exercise_id);
}

TEST(ContentCodec, CheckInRoundTripAllFieldsSet) {
  const CheckIn sent = FullCheckIn();
  pb::Content wire;
  ExpectCheckInEq(sent, As<CheckIn>(RoundTrip(sent, &wire)));
  ASSERT_EQ(wire.body_case(), pb::Content::kCheckIn);
  EXPECT_EQ(wire.check_in().exercise_id(), WireId(kId2));
  EXPECT_EQ(wire.check_in().questionnaires(0).questionnaire(), pb::QUESTIONNAIRE_PHQ9);
  EXPECT_EQ(wire.check_in().questionnaires(1).questionnaire(), pb::QUESTIONNAIRE_GAD7);
}

TEST(ContentCodec, CheckInRoundTripOptionalsUnset) {
  CheckIn sent;
  sent.mood = 0;
  const CheckIn& got = As<CheckIn>(RoundTrip(sent));
  ExpectCheckInEq(sent, got);
  EXPECT_FALSE(got.energy.has_value());
  EXPECT_FALSE(got.sleep_hours.has_value());
  EXPECT_TRUE(got.emotions.empty());
  EXPECT_TRUE(got.questionnaires.empty());
  EXPECT_EQ(got.exercise_id, "");
}

// Zero is a value, not "unset".
TEST(ContentCodec, CheckInKeepsOptionalZeros) {
  CheckIn sent = FullCheckIn();
  sent.energy = 0;
  sent.sleep_hours = 0.0;
  const CheckIn& got = As<CheckIn>(RoundTrip(sent));
  ASSERT_TRUE(got.energy.has_value());
  EXPECT_EQ(*got.energy, 0u);
  ASSERT_TRUE(got.sleep_hours.has_value());
  EXPECT_EQ(*got.sleep_hours, 0.0);

  // Each optional alone.
  sent.energy.reset();
  sent.sleep_hours = 24.0;
  ExpectCheckInEq(sent, As<CheckIn>(RoundTrip(sent)));
  sent.energy = 10;
  sent.sleep_hours.reset();
  ExpectCheckInEq(sent, As<CheckIn>(RoundTrip(sent)));
}

// --- Reflection ---

void ExpectReflectionEq(const Reflection& expected, const Reflection& actual) {
  EXPECT_EQ(actual.kind, expected.kind);
  EXPECT_EQ(actual.prompt, expected.prompt);
  EXPECT_EQ(actual.body, expected.body);
  EXPECT_EQ(actual.exercise_id, expected.exercise_id);
  // Field by field, over the kind's whole schema (an absent field reads as
  // empty on both sides).
  const ReflectionKindSchema* kind = FindReflectionKind(expected.kind);
  if (kind == nullptr) {
    EXPECT_TRUE(actual.fields.empty());
    return;
  }
  for (const ReflectionFieldSchema& field : kind->fields) {
    EXPECT_EQ(actual.Text(field.key), expected.Text(field.key)) << field.key;
    ExpectEmotionsEq(expected.Emotions(field.key), actual.Emotions(field.key));
  }
}

TEST(ContentCodec, FreeReflectionRoundTrip) {
  Reflection sent;
  sent.kind = "free";
  sent.prompt = "What went well this week?";
  sent.body = "I said no to an extra shift.";
  sent.exercise_id = kId3;
  pb::Content wire;
  ExpectReflectionEq(sent, As<Reflection>(RoundTrip(sent, &wire)));
  EXPECT_EQ(wire.reflection().kind(), pb::REFLECTION_FREE);
  EXPECT_EQ(wire.reflection().structured_case(), pb::Reflection::STRUCTURED_NOT_SET);
  EXPECT_EQ(wire.reflection().exercise_id(), WireId(kId3));

  sent.exercise_id = "";
  ExpectReflectionEq(sent, As<Reflection>(RoundTrip(sent)));
}

TEST(ContentCodec, ThoughtRecordRoundTrip) {
  Reflection sent;
  sent.kind = "thought-record";
  sent.prompt = "thought record prompt";
  sent.body = "thought record body";
  sent.SetText("situation", "meeting with my manager");
  sent.SetText("automatic_thought", "they think I am useless");
  sent.SetEmotions("emotions_before", {{"shame", 80}, {"fear", 55}});
  sent.SetText("evidence_for", "she frowned");
  sent.SetText("evidence_against", "she praised the report last week");
  sent.SetText("balanced_thought", "she may have been tired");
  sent.SetEmotions("emotions_after", {{"shame", 30}, {"relief", 45}});
  sent.exercise_id = kId1;
  pb::Content wire;
  ExpectReflectionEq(sent, As<Reflection>(RoundTrip(sent, &wire)));
  EXPECT_EQ(wire.reflection().kind(), pb::REFLECTION_THOUGHT_RECORD);
  EXPECT_TRUE(wire.reflection().has_thought_record());
}

TEST(ContentCodec, MentalisationRoundTrip) {
  Reflection sent;
  sent.kind = "mentalisation";
  sent.prompt = "mentalisation prompt";
  sent.body = "";  // The structured part alone is enough.
  sent.SetText("my_feelings", "hurt");
  sent.SetText("my_needs", "to be heard");
  sent.SetText("other_felt", "overwhelmed");
  sent.SetText("other_thought", "I was angry");
  sent.SetText("other_intended", "to end the fight");
  sent.SetText("other_readings", "maybe just tired");
  sent.exercise_id = kId2;
  pb::Content wire;
  ExpectReflectionEq(sent, As<Reflection>(RoundTrip(sent, &wire)));
  EXPECT_EQ(wire.reflection().kind(), pb::REFLECTION_MENTALISATION);
  EXPECT_TRUE(wire.reflection().has_mentalisation());
}

TEST(ContentCodec, CommunicationRoundTrip) {
  Reflection sent;
  sent.kind = "communication";
  sent.prompt = "communication prompt";
  sent.body = "communication body";
  sent.SetText("need", "rest on Sundays");
  sent.SetText("boundary", "no calls after 9");
  sent.SetText("what_i_said", "I need Sunday off");
  sent.SetText("what_happened", "they agreed, grudgingly");
  sent.exercise_id = kId3;
  pb::Content wire;
  ExpectReflectionEq(sent, As<Reflection>(RoundTrip(sent, &wire)));
  EXPECT_EQ(wire.reflection().kind(), pb::REFLECTION_COMMUNICATION);
  EXPECT_TRUE(wire.reflection().has_communication());
}

// --- Exercise ---

TEST(ContentCodec, ExerciseRoundTripEveryRecurrence) {
  const std::pair<Recurrence, pb::Recurrence> recurrences[] = {
      {Recurrence::kNone, pb::RECURRENCE_NONE},
      {Recurrence::kDaily, pb::RECURRENCE_DAILY},
      {Recurrence::kWeekly, pb::RECURRENCE_WEEKLY}};
  for (const auto& [recurrence, wire_recurrence] : recurrences) {
    for (const std::string due : {"2024-02-29", ""}) {
      const Exercise sent{"Evening check-in", "Rate your mood before bed.", "check-in", recurrence,
                          due};
      pb::Content wire;
      const Exercise& got = As<Exercise>(RoundTrip(sent, &wire));
      EXPECT_EQ(got.title, sent.title);
      EXPECT_EQ(got.instructions, sent.instructions);
      EXPECT_EQ(got.kind, sent.kind);
      EXPECT_EQ(got.recurrence, sent.recurrence);
      EXPECT_EQ(got.due_date, sent.due_date);
      EXPECT_EQ(wire.exercise().recurrence(), wire_recurrence);
    }
  }
  const Exercise no_kind{"Just read this", "", "", Recurrence::kNone, ""};
  const Exercise& got = As<Exercise>(RoundTrip(no_kind));
  EXPECT_EQ(got.title, no_kind.title);
  EXPECT_EQ(got.instructions, "");
  EXPECT_EQ(got.kind, "");
}

// --- Availability ---

TEST(ContentCodec, AvailabilityRoundTrip) {
  const Availability sent{"Replies within two working days.",
                          "Not for emergencies: call 112 or go to A&E."};
  pb::Content wire;
  const Availability& got = As<Availability>(RoundTrip(sent, &wire));
  EXPECT_EQ(got.text, sent.text);
  EXPECT_EQ(got.emergency_guidance, sent.emergency_guidance);
  EXPECT_EQ(wire.body_case(), pb::Content::kAvailability);

  const Availability back = DecodeAvailability(EncodeAvailability(sent));
  EXPECT_EQ(back.text, sent.text);
  EXPECT_EQ(back.emergency_guidance, sent.emergency_guidance);
}

// --- Receipt ---

TEST(ContentCodec, ReceiptRoundTripBothTypes) {
  for (ReceiptType type : {ReceiptType::kDelivered, ReceiptType::kRead}) {
    const Receipt sent{type, {kId1, kId2, kId3}};
    pb::Content wire;
    const Receipt& got = As<Receipt>(RoundTrip(sent, &wire));
    EXPECT_EQ(got.type, sent.type);
    EXPECT_EQ(got.message_ids, sent.message_ids);
    EXPECT_EQ(wire.receipt().type(),
              type == ReceiptType::kRead ? pb::RECEIPT_READ : pb::RECEIPT_DELIVERED);
    ASSERT_EQ(wire.receipt().message_ids_size(), 3);
    EXPECT_EQ(wire.receipt().message_ids(0), WireId(kId1));
    EXPECT_EQ(wire.receipt().message_ids(2), WireId(kId3));
  }
}

// --- Profile ---

TEST(ContentCodec, ProfileRoundTripWithAndWithoutAvailability) {
  Profile sent{"Dr. Rivera", Availability{"Mon-Thu 9-17", "Call 112 in an emergency."}};
  const Profile& got = As<Profile>(RoundTrip(sent));
  EXPECT_EQ(got.display_name, sent.display_name);
  ASSERT_TRUE(got.availability.has_value());
  EXPECT_EQ(got.availability->text, sent.availability->text);
  EXPECT_EQ(got.availability->emergency_guidance, sent.availability->emergency_guidance);

  sent.availability.reset();
  pb::Content wire;
  const Profile& bare = As<Profile>(RoundTrip(sent, &wire));
  EXPECT_EQ(bare.display_name, "Dr. Rivera");
  EXPECT_FALSE(bare.availability.has_value());
  EXPECT_FALSE(wire.profile().has_availability());

  // An empty availability is still "set".
  sent.availability = Availability{};
  const Profile& empty = As<Profile>(RoundTrip(sent));
  EXPECT_TRUE(empty.availability.has_value());
}

// --- InvalidContent and encoding contract ---

TEST(ContentCodec, InvalidContentCannotBeEncoded) {
  pb::Content out;
  out.set_message_id("0123456789abcdef");
  out.set_sent_at_unix_ms(42);
  EXPECT_FALSE(EncodeBody(InvalidContent{"whatever"}, out));
  EXPECT_EQ(out.body_case(), pb::Content::BODY_NOT_SET);
}

TEST(ContentCodec, EncodeLeavesIdsAndTimestampsAlone) {
  pb::Content out;
  out.set_message_id("0123456789abcdef");
  out.set_sent_at_unix_ms(42);
  ASSERT_TRUE(EncodeBody(TextMessage{"hi", ""}, out));
  EXPECT_EQ(out.message_id(), "0123456789abcdef");
  EXPECT_EQ(out.sent_at_unix_ms(), 42);
}

// --- Decoding untrusted content ---

pb::Content ValidCheckInWire() {
  pb::Content content;
  EXPECT_TRUE(EncodeBody(FullCheckIn(), content));
  return content;
}

TEST(ContentCodecDecode, NoBodyIsInvalid) {
  pb::Content content;
  content.set_message_id(WireId(kId1));
  const ContentBody body = DecodeBody(content);
  ASSERT_TRUE(std::holds_alternative<InvalidContent>(body));
  EXPECT_FALSE(std::get<InvalidContent>(body).reason.empty());
}

TEST(ContentCodecDecode, MoodOutOfRangeIsInvalid) {
  pb::Content content = ValidCheckInWire();
  content.mutable_check_in()->set_mood(10);
  EXPECT_TRUE(std::holds_alternative<CheckIn>(DecodeBody(content)));
  content.mutable_check_in()->set_mood(11);
  ExpectInvalidWith(DecodeBody(content), "mood");
}

TEST(ContentCodecDecode, IntensityOutOfRangeIsInvalid) {
  pb::Content content = ValidCheckInWire();
  content.mutable_check_in()->mutable_emotions(1)->set_intensity(101);
  ExpectInvalidWith(DecodeBody(content), "intensity");

  Reflection r;
  r.kind = "thought-record";
  r.SetText("situation", "s");
  r.SetText("automatic_thought", "t");
  r.SetEmotions("emotions_before", {{"fear", 100}});
  pb::Content reflection;
  ASSERT_TRUE(EncodeBody(r, reflection));
  EXPECT_TRUE(std::holds_alternative<Reflection>(DecodeBody(reflection)));
  reflection.mutable_reflection()
      ->mutable_thought_record()
      ->mutable_emotions_before(0)
      ->set_intensity(101);
  ExpectInvalidWith(DecodeBody(reflection), "intensity");
}

TEST(ContentCodecDecode, Phq9WithEightItemsIsInvalid) {
  pb::Content content = ValidCheckInWire();
  auto* phq9 = content.mutable_check_in()->mutable_questionnaires(0);
  ASSERT_EQ(phq9->questionnaire(), pb::QUESTIONNAIRE_PHQ9);
  ASSERT_EQ(phq9->item_scores_size(), 9);
  phq9->mutable_item_scores()->RemoveLast();
  ExpectInvalidWith(DecodeBody(content), "PHQ-9");
}

TEST(ContentCodecDecode, OtherOutOfRangeCheckInFieldsAreInvalid) {
  pb::Content content = ValidCheckInWire();
  content.mutable_check_in()->set_energy(11);
  ExpectInvalidWith(DecodeBody(content), "energy");

  content = ValidCheckInWire();
  content.mutable_check_in()->set_sleep_hours(24.5);
  ExpectInvalidWith(DecodeBody(content), "sleep");

  content = ValidCheckInWire();
  content.mutable_check_in()->mutable_questionnaires(1)->set_item_scores(0, 4);
  ExpectInvalidWith(DecodeBody(content), "GAD-7");
}

TEST(ContentCodecDecode, UnknownQuestionnaireIsInvalid) {
  for (int value : {static_cast<int>(pb::QUESTIONNAIRE_UNSPECIFIED), 3, 99}) {
    pb::Content content = ValidCheckInWire();
    content.mutable_check_in()->mutable_questionnaires(0)->set_questionnaire(
        static_cast<pb::Questionnaire>(value));
    // Through the wire too: proto3 keeps unknown enum values.
    std::string bytes;
    ASSERT_TRUE(content.SerializeToString(&bytes));
    pb::Content received;
    ASSERT_TRUE(received.ParseFromString(bytes));
    const ContentBody body = DecodeBody(received);
    ASSERT_TRUE(std::holds_alternative<InvalidContent>(body)) << "questionnaire " << value;
    EXPECT_FALSE(std::get<InvalidContent>(body).reason.empty());
  }
}

TEST(ContentCodecDecode, UnknownReflectionKindIsInvalid) {
  // Values no version defines (new kinds take the next free numbers).
  for (int value : {static_cast<int>(pb::REFLECTION_KIND_UNSPECIFIED), 77, 1000}) {
    pb::Content content;
    content.mutable_reflection()->set_kind(static_cast<pb::ReflectionKind>(value));
    content.mutable_reflection()->set_body("body");
    const ContentBody body = DecodeBody(content);
    ASSERT_TRUE(std::holds_alternative<InvalidContent>(body)) << "kind " << value;
    EXPECT_FALSE(std::get<InvalidContent>(body).reason.empty());
  }
}

TEST(ContentCodecDecode, StructuredPartNotMatchingKindIsInvalid) {
  pb::Content content;
  content.mutable_reflection()->set_kind(pb::REFLECTION_FREE);
  content.mutable_reflection()->set_body("body");
  content.mutable_reflection()->mutable_mentalisation()->set_my_needs("rest");
  ExpectInvalidWith(DecodeBody(content), "reflection");
}

TEST(ContentCodecDecode, MalformedWireIdsAreInvalid) {
  pb::Content text;
  text.mutable_text()->set_body("hi");
  text.mutable_text()->set_reply_to("short");
  ExpectInvalidWith(DecodeBody(text), "reply-to");

  pb::Content receipt;
  receipt.mutable_receipt()->set_type(pb::RECEIPT_READ);
  receipt.mutable_receipt()->add_message_ids(WireId(kId1));
  receipt.mutable_receipt()->add_message_ids(WireId(kId1) + "x");  // 17 bytes.
  ExpectInvalidWith(DecodeBody(receipt), "Receipt");

  pb::Content empty_receipt;
  empty_receipt.mutable_receipt()->set_type(pb::RECEIPT_READ);
  ExpectInvalidWith(DecodeBody(empty_receipt), "Receipt");
}

TEST(ContentCodecDecode, EmptyRequiredTextIsInvalid) {
  pb::Content text;
  text.mutable_text()->set_body("");
  ExpectInvalidWith(DecodeBody(text), "body");

  pb::Content profile;
  profile.mutable_profile()->set_display_name("");
  ExpectInvalidWith(DecodeBody(profile), "display name");

  pb::Content exercise;
  exercise.mutable_exercise()->set_title("t");
  exercise.mutable_exercise()->set_due_date("2023-02-29");
  ExpectInvalidWith(DecodeBody(exercise), "due date");
}

}  // namespace
}  // namespace securebase::client
