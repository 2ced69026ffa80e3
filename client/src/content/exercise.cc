// An exercise a therapist assigns: what to do, what to send back (a
// check-in, a free reflection or a structured kind), maybe recurring, maybe
// due on a date.
#include "client/src/content/checks.h"
#include "client/src/content/content_type.h"

namespace securebase::client {
namespace {

namespace pb = content::v1;

// The answer kinds besides the structured reflection kinds.
constexpr std::string_view kCheckInAnswer = "check-in";
constexpr std::string_view kFreeAnswer = "free";

bool IsAnswerKind(std::string_view kind) {
  return kind == kCheckInAnswer || kind == kFreeAnswer || FindReflectionKind(kind) != nullptr;
}

std::string AnswerKinds() {
  std::string out = std::string(kCheckInAnswer) + ", " + std::string(kFreeAnswer);
  for (const ReflectionKindSchema& kind : ReflectionKinds()) out += ", " + kind.name;
  return out;
}

const char* RecurrenceName(Recurrence recurrence) {
  switch (recurrence) {
    case Recurrence::kNone:
      return "none";
    case Recurrence::kDaily:
      return "daily";
    case Recurrence::kWeekly:
      return "weekly";
  }
  return nullptr;
}

}  // namespace

using Rules = ContentType<Exercise>;

const char* Rules::Name() { return "exercise"; }

std::string Rules::Validate(const Exercise& e) {
  std::string error;
  if (e.title.empty()) return "Exercise title is empty.";
  if (!CheckText(error, "Exercise title", e.title, kMaxTextFieldBytes)) return error;
  if (!CheckText(error, "Exercise instructions", e.instructions, kMaxTextFieldBytes)) return error;
  if (!e.kind.empty() && !IsAnswerKind(e.kind)) {
    return "Exercise kind must be one of " + AnswerKinds() + ".";
  }
  if (RecurrenceName(e.recurrence) == nullptr) return "Exercise recurrence is unknown.";
  if (!e.due_date.empty() && !IsCalendarDate(e.due_date)) {
    return "Exercise due date must be a calendar date written YYYY-MM-DD.";
  }
  return error;
}

void Rules::Encode(const Exercise& v, pb::Content& out) {
  pb::Exercise* e = out.mutable_exercise();
  e->set_title(v.title);
  e->set_instructions(v.instructions);
  e->set_kind(v.kind);
  e->set_recurrence(v.recurrence == Recurrence::kDaily    ? pb::RECURRENCE_DAILY
                    : v.recurrence == Recurrence::kWeekly ? pb::RECURRENCE_WEEKLY
                                                          : pb::RECURRENCE_NONE);
  e->set_due_date(v.due_date);
}

std::optional<Exercise> Rules::Decode(const pb::Content& in) {
  const pb::Exercise& e = in.exercise();
  const Recurrence recurrence = e.recurrence() == pb::RECURRENCE_DAILY    ? Recurrence::kDaily
                                : e.recurrence() == pb::RECURRENCE_WEEKLY ? Recurrence::kWeekly
                                                                          : Recurrence::kNone;
  return Exercise{e.title(), e.instructions(), e.kind(), recurrence, e.due_date()};
}

void Rules::WriteJson(const Exercise& e, JsonWriter& w) {
  w.Member("title", e.title);
  w.Member("instructions", e.instructions);
  w.Member("kind", e.kind);
  w.Key("recurrence");
  // An out-of-range value (a bad cast somewhere) is written as its number.
  if (const char* name = RecurrenceName(e.recurrence)) {
    w.String(name);
  } else {
    w.Int(static_cast<int64_t>(e.recurrence));
  }
  w.Member("due_date", e.due_date);
}

Exercise Rules::ReadJson(JsonFields& in) {
  Exercise e;
  e.title = in.Text("title", /*required=*/true);
  e.instructions = in.Text("instructions");
  e.kind = in.Text("kind");
  e.recurrence = static_cast<Recurrence>(in.Name("recurrence", {"none", "daily", "weekly"}, 0));
  e.due_date = in.Text("due_date");
  return e;
}

Status Rules::CheckSendable(Role role) {
  if (role != Role::kTherapist) {
    return Status(ErrorCode::kPermissionDenied, "only therapists assign exercises");
  }
  return Status::Ok();
}

void Rules::FindRiskSignals(const Exercise&, std::vector<RiskSignal>&) {
  // A therapist's instructions are not a person's own words about themselves.
}

}  // namespace securebase::client
