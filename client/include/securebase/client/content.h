// The typed content people exchange, as the client library hands it to apps.
// Mirrors proto/securebase/v1/content.proto (which is what travels inside the
// ciphertext); see that file for field meanings. Ranges are checked by
// Validate*() before sending and after receiving.
#ifndef SECUREBASE_CLIENT_CONTENT_H_
#define SECUREBASE_CLIENT_CONTENT_H_

#include <cstdint>
#include <optional>
#include <string>
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

enum class ReflectionKind { kFree, kThoughtRecord, kMentalisation, kCommunication };

struct ThoughtRecord {
  std::string situation;
  std::string automatic_thought;
  std::vector<Emotion> emotions_before;
  std::string evidence_for;
  std::string evidence_against;
  std::string balanced_thought;
  std::vector<Emotion> emotions_after;
};

struct Mentalisation {
  std::string my_feelings;
  std::string my_needs;
  std::string other_felt;
  std::string other_thought;
  std::string other_intended;
  std::string other_readings;
};

struct CommunicationPractice {
  std::string need;
  std::string boundary;
  std::string what_i_said;
  std::string what_happened;
};

struct Reflection {
  ReflectionKind kind = ReflectionKind::kFree;
  std::string prompt;
  std::string body;
  std::optional<ThoughtRecord> thought_record;         // Only with kThoughtRecord.
  std::optional<Mentalisation> mentalisation;          // Only with kMentalisation.
  std::optional<CommunicationPractice> communication;  // Only with kCommunication.
  std::string exercise_id;
};

enum class Recurrence { kNone, kDaily, kWeekly };

struct Exercise {
  std::string title;
  std::string instructions;
  std::string kind;  // "check-in", "free", "thought-record", "mentalisation", "communication".
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

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_CONTENT_H_
