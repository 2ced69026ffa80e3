#include "content_flags.h"

#include <set>

namespace securebase::cli {
namespace {

using client::Emotion;
using client::ReflectionKind;

// Where a --field KEY lands. Exactly one of text/emotions is set.
struct FieldTarget {
  std::string* text = nullptr;
  std::vector<Emotion>* emotions = nullptr;
};

FieldTarget FindField(client::Reflection& r, std::string_view key) {
  if (r.thought_record) {
    client::ThoughtRecord& t = *r.thought_record;
    if (key == "situation") return {&t.situation};
    if (key == "automatic_thought") return {&t.automatic_thought};
    if (key == "emotions_before") return {nullptr, &t.emotions_before};
    if (key == "evidence_for") return {&t.evidence_for};
    if (key == "evidence_against") return {&t.evidence_against};
    if (key == "balanced_thought") return {&t.balanced_thought};
    if (key == "emotions_after") return {nullptr, &t.emotions_after};
  }
  if (r.mentalisation) {
    client::Mentalisation& m = *r.mentalisation;
    if (key == "my_feelings") return {&m.my_feelings};
    if (key == "my_needs") return {&m.my_needs};
    if (key == "other_felt") return {&m.other_felt};
    if (key == "other_thought") return {&m.other_thought};
    if (key == "other_intended") return {&m.other_intended};
    if (key == "other_readings") return {&m.other_readings};
  }
  if (r.communication) {
    client::CommunicationPractice& c = *r.communication;
    if (key == "need") return {&c.need};
    if (key == "boundary") return {&c.boundary};
    if (key == "what_i_said") return {&c.what_i_said};
    if (key == "what_happened") return {&c.what_happened};
  }
  return {};
}

std::string JoinKeys(const std::vector<std::string_view>& keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

}  // namespace

bool ParseEmotion(std::string_view spec, char separator, Emotion& out, std::string& error) {
  std::string_view name, intensity;
  const std::string form = std::string("NAME") + separator + "INTENSITY";
  if (!SplitPair(spec, separator, SplitAt::kLast, name, intensity) || name.empty()) {
    error = "an emotion is written " + form + ", e.g. anxious" + separator + "60";
    return false;
  }
  uint32_t value = 0;
  if (!ParseUint(intensity, 0, 100, "emotion intensity", value, error)) return false;
  out = Emotion{std::string(name), value};
  return true;
}

bool ParseEmotionList(std::string_view spec, std::vector<Emotion>& out, std::string& error) {
  while (true) {
    const size_t comma = spec.find(',');
    Emotion e;
    if (!ParseEmotion(spec.substr(0, comma), ':', e, error)) return false;
    out.push_back(std::move(e));
    if (comma == std::string_view::npos) return true;
    spec.remove_prefix(comma + 1);
  }
}

bool ParseScores(std::string_view spec, size_t items, std::string_view what,
                 std::vector<uint32_t>& out, std::string& error) {
  std::vector<uint32_t> scores;
  while (true) {
    const size_t comma = spec.find(',');
    uint32_t score = 0;
    if (!ParseUint(spec.substr(0, comma), 0, 3, std::string(what) + " item scores", score, error)) {
      return false;
    }
    scores.push_back(score);
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  if (scores.size() != items) {
    error = std::string(what) + " needs exactly " + std::to_string(items) +
            " comma-separated item scores (0-3), got " + std::to_string(scores.size());
    return false;
  }
  out = std::move(scores);
  return true;
}

bool BuildCheckIn(const ParsedArgs& args, client::CheckIn& out, std::string& error) {
  client::CheckIn c;
  const std::optional<std::string> mood = args.Get("mood");
  if (!mood) {
    error = "checkin needs --mood N (0-10)";
    return false;
  }
  if (!ParseUint(*mood, 0, 10, "--mood", c.mood, error)) return false;
  for (const std::string& spec : args.GetAll("emotion")) {
    Emotion e;
    if (!ParseEmotion(spec, '=', e, error)) return false;
    c.emotions.push_back(std::move(e));
  }
  if (auto energy = args.Get("energy")) {
    uint32_t value = 0;
    if (!ParseUint(*energy, 0, 10, "--energy", value, error)) return false;
    c.energy = value;
  }
  if (auto sleep = args.Get("sleep")) {
    double hours = 0;
    if (!ParseDecimal(*sleep, 0, 24, "--sleep", hours, error)) return false;
    c.sleep_hours = hours;
  }
  c.helped = args.Get("helped").value_or("");
  c.note = args.Get("note").value_or("");
  if (auto phq9 = args.Get("phq9")) {
    client::QuestionnaireAnswers q{client::Questionnaire::kPhq9, {}};
    if (!ParseScores(*phq9, 9, "--phq9", q.item_scores, error)) return false;
    c.questionnaires.push_back(std::move(q));
  }
  if (auto gad7 = args.Get("gad7")) {
    client::QuestionnaireAnswers q{client::Questionnaire::kGad7, {}};
    if (!ParseScores(*gad7, 7, "--gad7", q.item_scores, error)) return false;
    c.questionnaires.push_back(std::move(q));
  }
  c.exercise_id = args.Get("exercise").value_or("");
  out = std::move(c);
  return true;
}

bool ParseReflectionKind(std::string_view text, ReflectionKind& out) {
  if (text == "free")
    out = ReflectionKind::kFree;
  else if (text == "thought-record")
    out = ReflectionKind::kThoughtRecord;
  else if (text == "mentalisation")
    out = ReflectionKind::kMentalisation;
  else if (text == "communication")
    out = ReflectionKind::kCommunication;
  else
    return false;
  return true;
}

std::vector<std::string_view> ReflectionFieldKeys(ReflectionKind kind) {
  switch (kind) {
    case ReflectionKind::kThoughtRecord:
      return {"situation",        "automatic_thought", "emotions_before", "evidence_for",
              "evidence_against", "balanced_thought",  "emotions_after"};
    case ReflectionKind::kMentalisation:
      return {"my_feelings",   "my_needs",       "other_felt",
              "other_thought", "other_intended", "other_readings"};
    case ReflectionKind::kCommunication:
      return {"need", "boundary", "what_i_said", "what_happened"};
    case ReflectionKind::kFree:
      break;
  }
  return {};
}

bool BuildReflection(const ParsedArgs& args, client::Reflection& out, std::string& error) {
  client::Reflection r;
  const std::optional<std::string> body = args.Get("body");
  if (!body) {
    error = "reflect needs --body TEXT";
    return false;
  }
  r.body = *body;
  r.prompt = args.Get("prompt").value_or("");
  const std::string kind = args.Get("kind").value_or("free");
  if (!ParseReflectionKind(kind, r.kind)) {
    error = "--kind must be free, thought-record, mentalisation or communication";
    return false;
  }
  switch (r.kind) {
    case ReflectionKind::kThoughtRecord:
      r.thought_record.emplace();
      break;
    case ReflectionKind::kMentalisation:
      r.mentalisation.emplace();
      break;
    case ReflectionKind::kCommunication:
      r.communication.emplace();
      break;
    case ReflectionKind::kFree:
      break;
  }
  const std::vector<std::string>& fields = args.GetAll("field");
  if (r.kind == ReflectionKind::kFree && !fields.empty()) {
    error = "--field needs --kind thought-record, mentalisation or communication";
    return false;
  }
  std::set<std::string> seen;
  for (const std::string& spec : fields) {
    std::string_view raw_key, value;
    if (!SplitPair(spec, '=', SplitAt::kFirst, raw_key, value) || raw_key.empty()) {
      error = "--field is written KEY=VALUE, e.g. --field situation='At work'";
      return false;
    }
    std::string key(raw_key);
    for (char& ch : key) ch = ch == '-' ? '_' : ch;  // automatic-thought == automatic_thought
    const FieldTarget target = FindField(r, key);
    if (target.text == nullptr && target.emotions == nullptr) {
      error = "--field " + key + " is not a field of a " + kind +
              " reflection (fields: " + JoinKeys(ReflectionFieldKeys(r.kind)) + ")";
      return false;
    }
    if (target.emotions != nullptr) {
      if (!ParseEmotionList(value, *target.emotions, error)) {
        error = "--field " + key + ": " + error + " (e.g. " + key + "=anxious:70,sad:40)";
        return false;
      }
      continue;
    }
    if (!seen.insert(key).second) {
      error = "--field " + key + " is given more than once";
      return false;
    }
    *target.text = std::string(value);
  }
  r.exercise_id = args.Get("exercise").value_or("");
  out = std::move(r);
  return true;
}

bool BuildExercise(const ParsedArgs& args, client::Exercise& out, std::string& error) {
  client::Exercise e;
  const std::optional<std::string> title = args.Get("title");
  const std::optional<std::string> instructions = args.Get("instructions");
  if (!title || !instructions) {
    error = "assign needs --title TITLE and --instructions TEXT";
    return false;
  }
  e.title = *title;
  e.instructions = *instructions;
  e.kind = args.Get("kind").value_or("free");
  static constexpr std::string_view kKinds[] = {"check-in", "free", "thought-record",
                                                "mentalisation", "communication"};
  bool known = false;
  for (std::string_view k : kKinds) known |= e.kind == k;
  if (!known) {
    error = "--kind must be check-in, free, thought-record, mentalisation or communication";
    return false;
  }
  if (auto every = args.Get("every")) {
    if (*every == "day" || *every == "daily") {
      e.recurrence = client::Recurrence::kDaily;
    } else if (*every == "week" || *every == "weekly") {
      e.recurrence = client::Recurrence::kWeekly;
    } else {
      error = "--every must be day or week";
      return false;
    }
  }
  e.due_date = args.Get("due").value_or("");
  out = std::move(e);
  return true;
}

}  // namespace securebase::cli
