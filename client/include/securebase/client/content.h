// The typed content people exchange, as the client library hands it to apps.
// Mirrors proto/securebase/v1/content.proto (which is what travels inside the
// ciphertext); see that file for field meanings. The same rules are checked
// before sending and after receiving (ValidateContent; docs/CLIENT.md,
// "Content limits"); content from a peer that breaks them is kept as
// InvalidContent, never dropped.
//
// Each content type's rules (name, validation, codec, JSON, receipt rule,
// risk signals) live in one file of client/src/content/. Structured
// reflections are generic: a kind names its fields (ReflectionKinds()), and
// its schema comes from content.proto, so a new kind is a proto change only.
#ifndef SECUREBASE_CLIENT_CONTENT_H_
#define SECUREBASE_CLIENT_CONTENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "securebase/client/export.h"
#include "securebase/client/status.h"

namespace securebase::client {

struct TextMessage {
  std::string body;
  std::string reply_to;  // Message id (hex) answered, or empty.
};

struct Emotion {
  std::string name;
  uint32_t intensity = 0;  // 0-100.
};

enum class Questionnaire { kPhq9, kGad7 };

struct QuestionnaireAnswers {
  Questionnaire questionnaire = Questionnaire::kPhq9;
  std::vector<uint32_t> item_scores;  // PHQ-9: 9 items, GAD-7: 7 items, each 0-3.
};

struct CheckIn {
  uint32_t mood = 0;  // 0-10.
  std::vector<Emotion> emotions;
  std::optional<uint32_t> energy;     // 0-10.
  std::optional<double> sleep_hours;  // 0-24.
  std::string helped;                 // What helped regulate.
  std::string note;
  std::vector<QuestionnaireAnswers> questionnaires;
  std::string exercise_id;  // Hex id of the exercise this answers, or empty.
};

// One field of a structured reflection: text, or a list of emotions, as its
// kind's schema says (ReflectionFieldSchema::type).
struct ReflectionField {
  std::string key;  // The schema's key, e.g. "automatic_thought".
  std::string text;
  std::vector<Emotion> emotions;
};

struct Reflection {
  // A kind's name: "free" (no structured part), or one of ReflectionKinds().
  std::string kind = "free";
  std::string prompt;
  std::string body;
  // The kind's structured part: any of its fields, each key at most once.
  std::vector<ReflectionField> fields;
  std::string exercise_id;

  // The field `key`, or nullptr.
  const ReflectionField* Field(std::string_view key) const {
    for (const ReflectionField& f : fields) {
      if (f.key == key) return &f;
    }
    return nullptr;
  }
  // The text of field `key` ("" when unset).
  std::string Text(std::string_view key) const {
    const ReflectionField* f = Field(key);
    return f != nullptr ? f->text : std::string();
  }
  // The emotions of field `key` (empty when unset).
  std::vector<Emotion> Emotions(std::string_view key) const {
    const ReflectionField* f = Field(key);
    return f != nullptr ? f->emotions : std::vector<Emotion>();
  }
  // Sets field `key`, adding it when absent.
  ReflectionField& Set(std::string_view key) {
    for (ReflectionField& f : fields) {
      if (f.key == key) return f;
    }
    fields.push_back(ReflectionField{std::string(key), {}, {}});
    return fields.back();
  }
  void SetText(std::string_view key, std::string text) { Set(key).text = std::move(text); }
  void SetEmotions(std::string_view key, std::vector<Emotion> emotions) {
    Set(key).emotions = std::move(emotions);
  }
};

enum class ReflectionFieldType { kText, kEmotions };

struct ReflectionFieldSchema {
  std::string key;    // "automatic_thought" (the proto field's name; the JSON key).
  std::string label;  // "automatic thought", for people.
  ReflectionFieldType type = ReflectionFieldType::kText;
};

// What a structured reflection kind holds: enough for an app to build a form
// for any kind, including ones added after it was written.
struct ReflectionKindSchema {
  std::string name;      // "thought-record": Reflection::kind, the CLI's --kind.
  std::string title;     // "Thought record", for people.
  std::string json_key;  // "thought_record": its object in the JSON.
  std::vector<ReflectionFieldSchema> fields;  // In the order forms show them.
};

// Every structured kind ("free" is not one: it has no fields), in the
// proto's order. Built once; thread-safe.
SECUREBASE_EXPORT const std::vector<ReflectionKindSchema>& ReflectionKinds();
// The kind called `name`, or nullptr (also for "free").
SECUREBASE_EXPORT const ReflectionKindSchema* FindReflectionKind(std::string_view name);

enum class Recurrence { kNone, kDaily, kWeekly };

struct Exercise {
  std::string title;
  std::string instructions;
  // What the client is asked to send back: "check-in", "free", or a
  // reflection kind's name ("thought-record", ...); may be empty.
  std::string kind;
  Recurrence recurrence = Recurrence::kNone;
  std::string due_date;  // YYYY-MM-DD or empty.
};

struct Availability {
  std::string text;
  std::string emergency_guidance;
};

enum class ReceiptType { kDelivered, kRead };

struct Receipt {
  ReceiptType type = ReceiptType::kDelivered;
  std::vector<std::string> message_ids;  // Hex.
};

struct Profile {
  std::string display_name;
  std::optional<Availability> availability;
};

// Content that did not parse or validate. Kept so nothing is silently lost.
struct InvalidContent {
  std::string reason;
};

using ContentBody = std::variant<TextMessage, CheckIn, Reflection, Exercise, Availability, Receipt,
                                 Profile, InvalidContent>;

// "text", "check-in", "reflection", "exercise", "availability", "receipt",
// "profile", "invalid".
SECUREBASE_EXPORT const char* ContentTypeName(const ContentBody& body);

// OK when valid, else kInvalidArgument with a sentence naming the offending
// field (never quoting the content).
SECUREBASE_EXPORT Status ValidateContent(const ContentBody& body);

// The JSON form of content (docs/CLIENT.md, "Content JSON"):
//   {"type": "<ContentTypeName>", "content": {<the type's members>}}
// the same members the history item JSON carries. ContentFromJson is strict
// (unknown keys, wrong types and out-of-range numbers are errors naming the
// key) and then checks the result with ValidateContent: kInvalidArgument.
SECUREBASE_EXPORT Result<ContentBody> ContentFromJson(std::string_view json);
SECUREBASE_EXPORT std::string ContentToJson(const ContentBody& content);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_CONTENT_H_
