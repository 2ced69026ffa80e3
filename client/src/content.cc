// Content type names and validation: the same rules run before sending and
// after receiving (content from a peer is untrusted input). A failure is a
// sentence naming the field; it never quotes the offending content, which may
// be private.
#include "securebase/client/content.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace securebase::client {
namespace {

// Limits on plaintext content (docs/CLIENT.md, "Content limits").
constexpr size_t kMaxBodyBytes = 64 * 1024;       // TextMessage.body, Reflection.body.
constexpr size_t kMaxTextFieldBytes = 16 * 1024;  // Every other text field.
constexpr size_t kMaxEmotionNameBytes = 64;
constexpr size_t kMaxDisplayNameBytes = 128;
constexpr size_t kMaxEmotions = 32;       // Per list.
constexpr size_t kMaxQuestionnaires = 8;  // Per check-in.
constexpr size_t kMaxReceiptIds = 1000;   // Per receipt.
constexpr uint32_t kMaxMood = 10;
constexpr uint32_t kMaxEnergy = 10;
constexpr double kMaxSleepHours = 24;
constexpr uint32_t kMaxIntensity = 100;
constexpr uint32_t kMaxQuestionnaireItemScore = 3;
constexpr size_t kPhq9Items = 9;
constexpr size_t kGad7Items = 7;
constexpr size_t kIdHexChars = 32;  // 16-byte ids.

constexpr std::string_view kExerciseKinds[] = {"check-in", "free", "thought-record",
                                               "mentalisation", "communication"};

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Runs of ASCII eight bytes at a time (text is mostly ASCII; every
    // received message is checked).
    while (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ull) != 0) break;
      i += 8;
    }
    if (i == s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + need >= s.size()) return false;  // Truncated sequence.
    for (size_t k = 1; k <= need; ++k) {
      const unsigned char b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
    }
    i += need + 1;
  }
  return true;
}

bool HasControlChars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// Appends nothing and returns true if `value` is an acceptable text field.
bool CheckText(std::string& error, std::string_view field, std::string_view value,
               size_t max_bytes) {
  if (value.size() > max_bytes) {
    error =
        std::string(field) + " is too long (at most " + std::to_string(max_bytes / 1024) + " KiB).";
    return false;
  }
  if (!IsValidUtf8(value)) {
    error = std::string(field) + " is not valid UTF-8 text.";
    return false;
  }
  return true;
}

bool IsHexId(std::string_view id) {
  if (id.size() != kIdHexChars) return false;
  for (char c : id) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

bool CheckOptionalId(std::string& error, std::string_view field, std::string_view id) {
  if (id.empty() || IsHexId(id)) return true;
  error = std::string(field) + " must be empty or a 32-character hex message id.";
  return false;
}

bool CheckEmotions(std::string& error, std::string_view field,
                   const std::vector<Emotion>& emotions) {
  if (emotions.size() > kMaxEmotions) {
    error = std::string(field) + " has too many emotions (at most " + std::to_string(kMaxEmotions) +
            ").";
    return false;
  }
  for (size_t i = 0; i < emotions.size(); ++i) {
    const Emotion& e = emotions[i];
    const std::string where = std::string(field) + " #" + std::to_string(i + 1);
    if (e.name.empty()) {
      error = where + ": the emotion name is empty.";
      return false;
    }
    if (e.name.size() > kMaxEmotionNameBytes) {
      error = where + ": the emotion name is too long (at most " +
              std::to_string(kMaxEmotionNameBytes) + " bytes).";
      return false;
    }
    if (!IsValidUtf8(e.name) || HasControlChars(e.name)) {
      error = where + ": the emotion name must be plain UTF-8 text on one line.";
      return false;
    }
    if (e.intensity > kMaxIntensity) {
      error = where + ": intensity must be between 0 and 100.";
      return false;
    }
  }
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsCalendarDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const int max_day = kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= max_day;
}

bool CheckAvailability(std::string& error, std::string_view prefix, const Availability& a) {
  return CheckText(error, std::string(prefix) + " text", a.text, kMaxTextFieldBytes) &&
         CheckText(error, std::string(prefix) + " emergency guidance", a.emergency_guidance,
                   kMaxTextFieldBytes);
}

struct Validator {
  std::string& error;

  void operator()(const TextMessage& t) const {
    if (t.body.empty()) {
      error = "The message body is empty.";
      return;
    }
    if (!CheckText(error, "The message body", t.body, kMaxBodyBytes)) return;
    CheckOptionalId(error, "The reply-to id", t.reply_to);
  }

  void operator()(const CheckIn& c) const {
    if (c.mood > kMaxMood) {
      error = "Check-in mood must be between 0 and 10.";
      return;
    }
    if (!CheckEmotions(error, "Check-in emotion", c.emotions)) return;
    if (c.energy && *c.energy > kMaxEnergy) {
      error = "Check-in energy must be between 0 and 10.";
      return;
    }
    if (c.sleep_hours && !(std::isfinite(*c.sleep_hours) && *c.sleep_hours >= 0 &&
                           *c.sleep_hours <= kMaxSleepHours)) {
      error = "Check-in sleep must be between 0 and 24 hours.";
      return;
    }
    if (!CheckText(error, "Check-in \"what helped\"", c.helped, kMaxTextFieldBytes)) return;
    if (!CheckText(error, "Check-in note", c.note, kMaxTextFieldBytes)) return;
    if (c.questionnaires.size() > kMaxQuestionnaires) {
      error = "Check-in has too many questionnaires.";
      return;
    }
    bool seen_phq9 = false, seen_gad7 = false;
    for (const QuestionnaireAnswers& q : c.questionnaires) {
      size_t items;
      const char* name;
      bool* seen;
      switch (q.questionnaire) {
        case Questionnaire::kPhq9:
          items = kPhq9Items, name = "PHQ-9", seen = &seen_phq9;
          break;
        case Questionnaire::kGad7:
          items = kGad7Items, name = "GAD-7", seen = &seen_gad7;
          break;
        default:
          error = "Check-in questionnaire is of an unknown kind.";
          return;
      }
      if (*seen) {
        error = std::string("Check-in has more than one ") + name + " questionnaire.";
        return;
      }
      *seen = true;
      if (q.item_scores.size() != items) {
        error = std::string("Check-in ") + name + " answers must have exactly " +
                std::to_string(items) + " item scores.";
        return;
      }
      for (size_t i = 0; i < items; ++i) {
        if (q.item_scores[i] > kMaxQuestionnaireItemScore) {
          error = std::string("Check-in ") + name + " item " + std::to_string(i + 1) +
                  " must be scored 0 to 3.";
          return;
        }
      }
    }
    CheckOptionalId(error, "Check-in exercise id", c.exercise_id);
  }

  void operator()(const Reflection& r) const {
    const bool has_thought = r.thought_record.has_value();
    const bool has_mental = r.mentalisation.has_value();
    const bool has_comm = r.communication.has_value();
    const char* expected = nullptr;  // The structured part this kind allows.
    switch (r.kind) {
      case ReflectionKind::kFree:
        break;
      case ReflectionKind::kThoughtRecord:
        expected = "thought record";
        break;
      case ReflectionKind::kMentalisation:
        expected = "mentalisation";
        break;
      case ReflectionKind::kCommunication:
        expected = "communication practice";
        break;
      default:
        error = "Reflection kind is unknown.";
        return;
    }
    if ((has_thought && r.kind != ReflectionKind::kThoughtRecord) ||
        (has_mental && r.kind != ReflectionKind::kMentalisation) ||
        (has_comm && r.kind != ReflectionKind::kCommunication)) {
      error = expected == nullptr
                  ? "A free-form reflection cannot carry structured fields."
                  : std::string("Reflection fields do not match its kind (") + expected + ").";
      return;
    }
    if (!CheckText(error, "Reflection prompt", r.prompt, kMaxTextFieldBytes)) return;
    if (!CheckText(error, "Reflection body", r.body, kMaxBodyBytes)) return;
    bool structured_nonempty = false;
    if (has_thought) {
      const ThoughtRecord& t = *r.thought_record;
      const std::pair<const char*, const std::string*> fields[] = {
          {"Thought record situation", &t.situation},
          {"Thought record automatic thought", &t.automatic_thought},
          {"Thought record evidence for", &t.evidence_for},
          {"Thought record evidence against", &t.evidence_against},
          {"Thought record balanced thought", &t.balanced_thought}};
      for (const auto& [name, value] : fields) {
        if (!CheckText(error, name, *value, kMaxTextFieldBytes)) return;
        structured_nonempty |= !value->empty();
      }
      if (!CheckEmotions(error, "Thought record emotion before", t.emotions_before)) return;
      if (!CheckEmotions(error, "Thought record emotion after", t.emotions_after)) return;
      structured_nonempty |= !t.emotions_before.empty() || !t.emotions_after.empty();
    }
    if (has_mental) {
      const Mentalisation& m = *r.mentalisation;
      const std::pair<const char*, const std::string*> fields[] = {
          {"Mentalisation \"my feelings\"", &m.my_feelings},
          {"Mentalisation \"my needs\"", &m.my_needs},
          {"Mentalisation \"other felt\"", &m.other_felt},
          {"Mentalisation \"other thought\"", &m.other_thought},
          {"Mentalisation \"other intended\"", &m.other_intended},
          {"Mentalisation \"other readings\"", &m.other_readings}};
      for (const auto& [name, value] : fields) {
        if (!CheckText(error, name, *value, kMaxTextFieldBytes)) return;
        structured_nonempty |= !value->empty();
      }
    }
    if (has_comm) {
      const CommunicationPractice& c = *r.communication;
      const std::pair<const char*, const std::string*> fields[] = {
          {"Communication practice need", &c.need},
          {"Communication practice boundary", &c.boundary},
          {"Communication practice \"what I said\"", &c.what_i_said},
          {"Communication practice \"what happened\"", &c.what_happened}};
      for (const auto& [name, value] : fields) {
        if (!CheckText(error, name, *value, kMaxTextFieldBytes)) return;
        structured_nonempty |= !value->empty();
      }
    }
    if (r.body.empty() && !structured_nonempty) {
      error = "Reflection body is empty.";
      return;
    }
    CheckOptionalId(error, "Reflection exercise id", r.exercise_id);
  }

  void operator()(const Exercise& e) const {
    if (e.title.empty()) {
      error = "Exercise title is empty.";
      return;
    }
    if (!CheckText(error, "Exercise title", e.title, kMaxTextFieldBytes)) return;
    if (!CheckText(error, "Exercise instructions", e.instructions, kMaxTextFieldBytes)) return;
    if (!e.kind.empty()) {
      bool known = false;
      for (std::string_view k : kExerciseKinds) known |= (e.kind == k);
      if (!known) {
        error =
            "Exercise kind must be one of check-in, free, thought-record, mentalisation, "
            "communication.";
        return;
      }
    }
    switch (e.recurrence) {
      case Recurrence::kNone:
      case Recurrence::kDaily:
      case Recurrence::kWeekly:
        break;
      default:
        error = "Exercise recurrence is unknown.";
        return;
    }
    if (!e.due_date.empty() && !IsCalendarDate(e.due_date)) {
      error = "Exercise due date must be a calendar date written YYYY-MM-DD.";
    }
  }

  void operator()(const Availability& a) const { CheckAvailability(error, "Availability", a); }

  void operator()(const Receipt& r) const {
    if (r.type != ReceiptType::kDelivered && r.type != ReceiptType::kRead) {
      error = "Receipt type is unknown.";
      return;
    }
    if (r.message_ids.empty()) {
      error = "Receipt lists no message ids.";
      return;
    }
    if (r.message_ids.size() > kMaxReceiptIds) {
      error = "Receipt lists too many message ids.";
      return;
    }
    for (const std::string& id : r.message_ids) {
      if (!IsHexId(id)) {
        error = "Receipt message ids must be 32-character hex ids.";
        return;
      }
    }
  }

  void operator()(const Profile& p) const {
    if (p.display_name.empty()) {
      error = "Profile display name is empty.";
      return;
    }
    if (p.display_name.size() > kMaxDisplayNameBytes) {
      error = "Profile display name is too long (at most 128 bytes).";
      return;
    }
    if (!IsValidUtf8(p.display_name) || HasControlChars(p.display_name)) {
      error = "Profile display name must be plain UTF-8 text on one line.";
      return;
    }
    if (p.availability) CheckAvailability(error, "Profile availability", *p.availability);
  }

  void operator()(const InvalidContent&) const {
    error = "The content is invalid and cannot be sent.";
  }
};

}  // namespace

const char* ContentTypeName(const ContentBody& body) {
  struct Namer {
    const char* operator()(const TextMessage&) const { return "text"; }
    const char* operator()(const CheckIn&) const { return "check-in"; }
    const char* operator()(const Reflection&) const { return "reflection"; }
    const char* operator()(const Exercise&) const { return "exercise"; }
    const char* operator()(const Availability&) const { return "availability"; }
    const char* operator()(const Receipt&) const { return "receipt"; }
    const char* operator()(const Profile&) const { return "profile"; }
    const char* operator()(const InvalidContent&) const { return "invalid"; }
  };
  if (body.valueless_by_exception()) return "invalid";
  return std::visit(Namer{}, body);
}

Status ValidateContent(const ContentBody& body) {
  if (body.valueless_by_exception()) {
    return Status(ErrorCode::kInvalidArgument, "The content is empty.");
  }
  std::string error;
  std::visit(Validator{error}, body);
  if (error.empty()) return Status::Ok();
  return Status(ErrorCode::kInvalidArgument, std::move(error));
}

}  // namespace securebase::client
