// A check-in: mood, named emotions, energy, sleep, what helped, a note and
// standard questionnaires (PHQ-9, GAD-7) scored item by item.
#include <cmath>
#include <limits>

#include "client/src/content/checks.h"
#include "client/src/content/content_type.h"
#include "client/src/content/ids.h"
#include "client/src/content/risk_words.h"

namespace securebase::client {
namespace {

namespace pb = content::v1;

constexpr uint32_t kMaxMood = 10;
constexpr uint32_t kMaxEnergy = 10;
constexpr double kMaxSleepHours = 24;
constexpr size_t kMaxQuestionnaires = 8;  // Per check-in.
constexpr uint32_t kMaxItemScore = 3;
// PHQ-9 item 9: "thoughts that you would be better off dead, or of hurting
// yourself".
constexpr size_t kPhq9SelfHarmItem = 8;

struct QuestionnaireInfo {
  Questionnaire questionnaire;
  const char* name;   // JSON.
  const char* title;  // Messages.
  size_t items;
  pb::Questionnaire wire;
};
constexpr QuestionnaireInfo kQuestionnaires[] = {
    {Questionnaire::kPhq9, "phq9", "PHQ-9", 9, pb::QUESTIONNAIRE_PHQ9},
    {Questionnaire::kGad7, "gad7", "GAD-7", 7, pb::QUESTIONNAIRE_GAD7},
};

const QuestionnaireInfo* InfoOf(Questionnaire q) {
  for (const QuestionnaireInfo& info : kQuestionnaires) {
    if (info.questionnaire == q) return &info;
  }
  return nullptr;
}

void EncodeEmotions(const std::vector<Emotion>& in,
                    google::protobuf::RepeatedPtrField<pb::Emotion>* out) {
  for (const Emotion& e : in) {
    pb::Emotion* m = out->Add();
    m->set_name(e.name);
    m->set_intensity(e.intensity);
  }
}

}  // namespace

using Rules = ContentType<CheckIn>;

const char* Rules::Name() { return "check-in"; }

std::string Rules::Validate(const CheckIn& c) {
  std::string error;
  if (c.mood > kMaxMood) return "Check-in mood must be between 0 and 10.";
  if (!CheckEmotions(error, "Check-in emotion", c.emotions)) return error;
  if (c.energy && *c.energy > kMaxEnergy) return "Check-in energy must be between 0 and 10.";
  if (c.sleep_hours &&
      !(std::isfinite(*c.sleep_hours) && *c.sleep_hours >= 0 && *c.sleep_hours <= kMaxSleepHours)) {
    return "Check-in sleep must be between 0 and 24 hours.";
  }
  if (!CheckText(error, "Check-in \"what helped\"", c.helped, kMaxTextFieldBytes)) return error;
  if (!CheckText(error, "Check-in note", c.note, kMaxTextFieldBytes)) return error;
  if (c.questionnaires.size() > kMaxQuestionnaires) return "Check-in has too many questionnaires.";
  bool seen[std::size(kQuestionnaires)] = {};
  for (const QuestionnaireAnswers& q : c.questionnaires) {
    const QuestionnaireInfo* info = InfoOf(q.questionnaire);
    if (info == nullptr) return "Check-in questionnaire is of an unknown kind.";
    bool& was_seen = seen[info - kQuestionnaires];
    if (was_seen)
      return std::string("Check-in has more than one ") + info->title + " questionnaire.";
    was_seen = true;
    if (q.item_scores.size() != info->items) {
      return std::string("Check-in ") + info->title + " answers must have exactly " +
             std::to_string(info->items) + " item scores.";
    }
    for (size_t i = 0; i < info->items; ++i) {
      if (q.item_scores[i] > kMaxItemScore) {
        return std::string("Check-in ") + info->title + " item " + std::to_string(i + 1) +
               " must be scored 0 to 3.";
      }
    }
  }
  CheckOptionalId(error, "Check-in exercise id", c.exercise_id);
  return error;
}

void Rules::Encode(const CheckIn& c, pb::Content& out) {
  pb::CheckIn* m = out.mutable_check_in();
  m->set_mood(c.mood);
  EncodeEmotions(c.emotions, m->mutable_emotions());
  if (c.energy) m->set_energy(*c.energy);
  if (c.sleep_hours) m->set_sleep_hours(*c.sleep_hours);
  m->set_helped(c.helped);
  m->set_note(c.note);
  for (const QuestionnaireAnswers& q : c.questionnaires) {
    pb::QuestionnaireAnswers* a = m->add_questionnaires();
    const QuestionnaireInfo* info = InfoOf(q.questionnaire);
    a->set_questionnaire(info != nullptr ? info->wire : pb::QUESTIONNAIRE_UNSPECIFIED);
    for (uint32_t score : q.item_scores) a->add_item_scores(score);
  }
  m->set_exercise_id(IdToWire(c.exercise_id));
}

std::optional<CheckIn> Rules::Decode(const pb::Content& in) {
  const pb::CheckIn& m = in.check_in();
  CheckIn c;
  c.mood = m.mood();
  for (const pb::Emotion& e : m.emotions()) c.emotions.push_back(Emotion{e.name(), e.intensity()});
  if (m.has_energy()) c.energy = m.energy();
  if (m.has_sleep_hours()) c.sleep_hours = m.sleep_hours();
  c.helped = m.helped();
  c.note = m.note();
  for (const pb::QuestionnaireAnswers& a : m.questionnaires()) {
    const QuestionnaireInfo* info = nullptr;
    for (const QuestionnaireInfo& candidate : kQuestionnaires) {
      if (candidate.wire == a.questionnaire()) info = &candidate;
    }
    if (info == nullptr) return std::nullopt;  // Unknown to this version.
    c.questionnaires.push_back(QuestionnaireAnswers{
        info->questionnaire,
        std::vector<uint32_t>(a.item_scores().begin(), a.item_scores().end())});
  }
  c.exercise_id = IdFromWire(m.exercise_id());
  return c;
}

void Rules::WriteJson(const CheckIn& c, JsonWriter& w) {
  w.Member("mood", c.mood);
  WriteEmotions(w, "emotions", c.emotions);
  if (c.energy) w.Member("energy", *c.energy);
  if (c.sleep_hours) {
    w.Key("sleep_hours");
    w.Double(*c.sleep_hours);
  }
  w.Member("helped", c.helped);
  w.Member("note", c.note);
  w.Key("questionnaires");
  w.BeginArray();
  for (const QuestionnaireAnswers& q : c.questionnaires) {
    w.BeginObject();
    w.Key("questionnaire");
    // An out-of-range value (a bad cast somewhere) is written as its number.
    if (const QuestionnaireInfo* info = InfoOf(q.questionnaire)) {
      w.String(info->name);
    } else {
      w.Int(static_cast<int64_t>(q.questionnaire));
    }
    w.Key("item_scores");
    w.BeginArray();
    for (uint32_t score : q.item_scores) w.Uint(score);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Member("exercise_id", c.exercise_id);
}

CheckIn Rules::ReadJson(JsonFields& in) {
  constexpr uint32_t kAny = std::numeric_limits<uint32_t>::max();
  CheckIn c;
  c.mood = in.Uint("mood", kAny, /*required=*/true);
  c.emotions = in.Emotions("emotions");
  c.energy = in.OptionalUint("energy", kAny);
  c.sleep_hours = in.OptionalDouble("sleep_hours");
  c.helped = in.Text("helped");
  c.note = in.Text("note");
  size_t i = 0;
  for (const JsonValue* element : in.Array("questionnaires")) {
    JsonFields q = in.Nested(*element, "check-in questionnaire #" + std::to_string(++i));
    const int which = q.Name("questionnaire", {"phq9", "gad7"}, -1);
    if (which < 0 && q.ok()) q.Fail("\"questionnaire\" is required");
    QuestionnaireAnswers answers;
    if (which >= 0) answers.questionnaire = kQuestionnaires[which].questionnaire;
    answers.item_scores = q.UintArray("item_scores", kAny);
    q.Finish();
    c.questionnaires.push_back(std::move(answers));
  }
  c.exercise_id = in.Text("exercise_id");
  return c;
}

Status Rules::CheckSendable(Role) { return Status::Ok(); }

void Rules::FindRiskSignals(const CheckIn& c, std::vector<RiskSignal>& out) {
  for (const QuestionnaireAnswers& q : c.questionnaires) {
    if (q.questionnaire == Questionnaire::kPhq9 && q.item_scores.size() > kPhq9SelfHarmItem &&
        q.item_scores[kPhq9SelfHarmItem] > 0) {
      out.push_back(RiskSignal{RiskSignalKind::kSelfHarmItem, "PHQ-9 item 9"});
    }
  }
  AddIfSelfHarmWords(c.note, "the note", out);
  AddIfSelfHarmWords(c.helped, "what helped", out);
}

}  // namespace securebase::client
