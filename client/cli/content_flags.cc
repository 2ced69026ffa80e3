#include "content_flags.h"

#include <set>

namespace securebase::cli {
namespace {

using client::Emotion;
using client::ReflectionFieldType;
using client::ReflectionKindSchema;

std::string JoinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

// "free, thought-record, mentalisation or communication".
std::string KindChoices() {
  std::string out = "free";
  const auto& kinds = client::ReflectionKinds();
  for (size_t i = 0; i < kinds.size(); ++i) {
    out += (i + 1 == kinds.size() ? " or " : ", ") + kinds[i].name;
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

std::vector<std::string> ReflectionFieldKeys(std::string_view kind) {
  std::vector<std::string> keys;
  if (const ReflectionKindSchema* schema = client::FindReflectionKind(kind)) {
    for (const auto& field : schema->fields) keys.push_back(field.key);
  }
  return keys;
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
  r.kind = args.Get("kind").value_or("free");
  const ReflectionKindSchema* schema = client::FindReflectionKind(r.kind);
  if (r.kind != "free" && schema == nullptr) {
    error = "--kind must be " + KindChoices();
    return false;
  }
  const std::vector<std::string>& fields = args.GetAll("field");
  if (schema == nullptr && !fields.empty()) {
    error = "--field needs --kind with a structured kind (" + KindChoices().substr(6) + ")";
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
    const client::ReflectionFieldSchema* field = nullptr;
    for (const auto& candidate : schema->fields) {
      if (candidate.key == key) field = &candidate;
    }
    if (field == nullptr) {
      error = "--field " + key + " is not a field of a " + r.kind +
              " reflection (fields: " + JoinKeys(ReflectionFieldKeys(r.kind)) + ")";
      return false;
    }
    if (field->type == ReflectionFieldType::kEmotions) {
      std::vector<client::Emotion> emotions = r.Emotions(key);
      if (!ParseEmotionList(value, emotions, error)) {
        error = "--field " + key + ": " + error + " (e.g. " + key + "=anxious:70,sad:40)";
        return false;
      }
      r.SetEmotions(key, std::move(emotions));
      continue;
    }
    if (!seen.insert(key).second) {
      error = "--field " + key + " is given more than once";
      return false;
    }
    r.SetText(key, std::string(value));
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
  if (e.kind != "check-in" && e.kind != "free" && client::FindReflectionKind(e.kind) == nullptr) {
    error = "--kind must be check-in, " + KindChoices();
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
