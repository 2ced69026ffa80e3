#include "content_codec.h"

#include <type_traits>

#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

namespace pb = content::v1;

// Ids are hex in the public structs and raw bytes on the wire; a malformed
// hex id is rejected by ValidateContent before encoding.
std::string IdToWire(const std::string& hex) {
  return crypto::FromHex(hex).value_or(std::string());
}
std::string IdFromWire(const std::string& bytes) { return crypto::ToHex(bytes); }

void EncodeEmotions(const std::vector<Emotion>& in,
                    google::protobuf::RepeatedPtrField<pb::Emotion>* out) {
  for (const Emotion& e : in) {
    pb::Emotion* m = out->Add();
    m->set_name(e.name);
    m->set_intensity(e.intensity);
  }
}

std::vector<Emotion> DecodeEmotions(const google::protobuf::RepeatedPtrField<pb::Emotion>& in) {
  std::vector<Emotion> out;
  for (const pb::Emotion& e : in) out.push_back(Emotion{e.name(), e.intensity()});
  return out;
}

void EncodeCheckIn(const CheckIn& c, pb::CheckIn* m) {
  m->set_mood(c.mood);
  EncodeEmotions(c.emotions, m->mutable_emotions());
  if (c.energy) m->set_energy(*c.energy);
  if (c.sleep_hours) m->set_sleep_hours(*c.sleep_hours);
  m->set_helped(c.helped);
  m->set_note(c.note);
  for (const QuestionnaireAnswers& q : c.questionnaires) {
    pb::QuestionnaireAnswers* a = m->add_questionnaires();
    a->set_questionnaire(q.questionnaire == Questionnaire::kPhq9 ? pb::QUESTIONNAIRE_PHQ9
                                                                 : pb::QUESTIONNAIRE_GAD7);
    for (uint32_t score : q.item_scores) a->add_item_scores(score);
  }
  m->set_exercise_id(IdToWire(c.exercise_id));
}

std::optional<CheckIn> DecodeCheckIn(const pb::CheckIn& m) {
  CheckIn c;
  c.mood = m.mood();
  c.emotions = DecodeEmotions(m.emotions());
  if (m.has_energy()) c.energy = m.energy();
  if (m.has_sleep_hours()) c.sleep_hours = m.sleep_hours();
  c.helped = m.helped();
  c.note = m.note();
  for (const pb::QuestionnaireAnswers& a : m.questionnaires()) {
    QuestionnaireAnswers q;
    if (a.questionnaire() == pb::QUESTIONNAIRE_PHQ9) {
      q.questionnaire = Questionnaire::kPhq9;
    } else if (a.questionnaire() == pb::QUESTIONNAIRE_GAD7) {
      q.questionnaire = Questionnaire::kGad7;
    } else {
      return std::nullopt;
    }
    q.item_scores.assign(a.item_scores().begin(), a.item_scores().end());
    c.questionnaires.push_back(std::move(q));
  }
  c.exercise_id = IdFromWire(m.exercise_id());
  return c;
}

void EncodeReflection(const Reflection& r, pb::Reflection* m) {
  switch (r.kind) {
    case ReflectionKind::kFree:
      m->set_kind(pb::REFLECTION_FREE);
      break;
    case ReflectionKind::kThoughtRecord:
      m->set_kind(pb::REFLECTION_THOUGHT_RECORD);
      break;
    case ReflectionKind::kMentalisation:
      m->set_kind(pb::REFLECTION_MENTALISATION);
      break;
    case ReflectionKind::kCommunication:
      m->set_kind(pb::REFLECTION_COMMUNICATION);
      break;
  }
  m->set_prompt(r.prompt);
  m->set_body(r.body);
  if (r.thought_record) {
    const ThoughtRecord& t = *r.thought_record;
    pb::ThoughtRecord* p = m->mutable_thought_record();
    p->set_situation(t.situation);
    p->set_automatic_thought(t.automatic_thought);
    EncodeEmotions(t.emotions_before, p->mutable_emotions_before());
    p->set_evidence_for(t.evidence_for);
    p->set_evidence_against(t.evidence_against);
    p->set_balanced_thought(t.balanced_thought);
    EncodeEmotions(t.emotions_after, p->mutable_emotions_after());
  } else if (r.mentalisation) {
    const Mentalisation& t = *r.mentalisation;
    pb::Mentalisation* p = m->mutable_mentalisation();
    p->set_my_feelings(t.my_feelings);
    p->set_my_needs(t.my_needs);
    p->set_other_felt(t.other_felt);
    p->set_other_thought(t.other_thought);
    p->set_other_intended(t.other_intended);
    p->set_other_readings(t.other_readings);
  } else if (r.communication) {
    const CommunicationPractice& t = *r.communication;
    pb::CommunicationPractice* p = m->mutable_communication();
    p->set_need(t.need);
    p->set_boundary(t.boundary);
    p->set_what_i_said(t.what_i_said);
    p->set_what_happened(t.what_happened);
  }
  m->set_exercise_id(IdToWire(r.exercise_id));
}

std::optional<Reflection> DecodeReflection(const pb::Reflection& m) {
  Reflection r;
  switch (m.kind()) {
    case pb::REFLECTION_FREE:
      r.kind = ReflectionKind::kFree;
      break;
    case pb::REFLECTION_THOUGHT_RECORD:
      r.kind = ReflectionKind::kThoughtRecord;
      break;
    case pb::REFLECTION_MENTALISATION:
      r.kind = ReflectionKind::kMentalisation;
      break;
    case pb::REFLECTION_COMMUNICATION:
      r.kind = ReflectionKind::kCommunication;
      break;
    default:
      return std::nullopt;
  }
  r.prompt = m.prompt();
  r.body = m.body();
  if (m.has_thought_record()) {
    const pb::ThoughtRecord& p = m.thought_record();
    r.thought_record = ThoughtRecord{p.situation(),
                                     p.automatic_thought(),
                                     DecodeEmotions(p.emotions_before()),
                                     p.evidence_for(),
                                     p.evidence_against(),
                                     p.balanced_thought(),
                                     DecodeEmotions(p.emotions_after())};
  } else if (m.has_mentalisation()) {
    const pb::Mentalisation& p = m.mentalisation();
    r.mentalisation = Mentalisation{p.my_feelings(),   p.my_needs(),       p.other_felt(),
                                    p.other_thought(), p.other_intended(), p.other_readings()};
  } else if (m.has_communication()) {
    const pb::CommunicationPractice& p = m.communication();
    r.communication =
        CommunicationPractice{p.need(), p.boundary(), p.what_i_said(), p.what_happened()};
  }
  r.exercise_id = IdFromWire(m.exercise_id());
  return r;
}

}  // namespace

pb::AvailabilityNotice EncodeAvailability(const Availability& availability) {
  pb::AvailabilityNotice notice;
  notice.set_text(availability.text);
  notice.set_emergency_guidance(availability.emergency_guidance);
  return notice;
}

Availability DecodeAvailability(const pb::AvailabilityNotice& notice) {
  return Availability{notice.text(), notice.emergency_guidance()};
}

bool EncodeBody(const ContentBody& body, pb::Content& out) {
  return std::visit(
      [&out](const auto& v) -> bool {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, TextMessage>) {
          out.mutable_text()->set_body(v.body);
          out.mutable_text()->set_reply_to(IdToWire(v.reply_to));
        } else if constexpr (std::is_same_v<T, CheckIn>) {
          EncodeCheckIn(v, out.mutable_check_in());
        } else if constexpr (std::is_same_v<T, Reflection>) {
          EncodeReflection(v, out.mutable_reflection());
        } else if constexpr (std::is_same_v<T, Exercise>) {
          pb::Exercise* e = out.mutable_exercise();
          e->set_title(v.title);
          e->set_instructions(v.instructions);
          e->set_kind(v.kind);
          e->set_recurrence(v.recurrence == Recurrence::kDaily    ? pb::RECURRENCE_DAILY
                            : v.recurrence == Recurrence::kWeekly ? pb::RECURRENCE_WEEKLY
                                                                  : pb::RECURRENCE_NONE);
          e->set_due_date(v.due_date);
        } else if constexpr (std::is_same_v<T, Availability>) {
          *out.mutable_availability() = EncodeAvailability(v);
        } else if constexpr (std::is_same_v<T, Receipt>) {
          pb::Receipt* r = out.mutable_receipt();
          r->set_type(v.type == ReceiptType::kRead ? pb::RECEIPT_READ : pb::RECEIPT_DELIVERED);
          for (const std::string& id : v.message_ids) r->add_message_ids(IdToWire(id));
        } else if constexpr (std::is_same_v<T, Profile>) {
          pb::Profile* p = out.mutable_profile();
          p->set_display_name(v.display_name);
          if (v.availability) *p->mutable_availability() = EncodeAvailability(*v.availability);
        } else {
          return false;  // InvalidContent is never sent.
        }
        return true;
      },
      body);
}

ContentBody DecodeBody(const pb::Content& content) {
  ContentBody body = InvalidContent{"unknown content type (sent by a newer app?)"};
  switch (content.body_case()) {
    case pb::Content::kText:
      body = TextMessage{content.text().body(), IdFromWire(content.text().reply_to())};
      break;
    case pb::Content::kCheckIn:
      if (auto c = DecodeCheckIn(content.check_in())) body = std::move(*c);
      break;
    case pb::Content::kReflection:
      if (auto r = DecodeReflection(content.reflection())) body = std::move(*r);
      break;
    case pb::Content::kExercise: {
      const pb::Exercise& e = content.exercise();
      Recurrence recurrence = e.recurrence() == pb::RECURRENCE_DAILY    ? Recurrence::kDaily
                              : e.recurrence() == pb::RECURRENCE_WEEKLY ? Recurrence::kWeekly
                                                                        : Recurrence::kNone;
      body = Exercise{e.title(), e.instructions(), e.kind(), recurrence, e.due_date()};
      break;
    }
    case pb::Content::kAvailability:
      body = DecodeAvailability(content.availability());
      break;
    case pb::Content::kReceipt: {
      Receipt r;
      r.type = content.receipt().type() == pb::RECEIPT_READ ? ReceiptType::kRead
                                                            : ReceiptType::kDelivered;
      for (const std::string& id : content.receipt().message_ids()) {
        r.message_ids.push_back(IdFromWire(id));
      }
      body = std::move(r);
      break;
    }
    case pb::Content::kProfile: {
      Profile p;
      p.display_name = content.profile().display_name();
      if (content.profile().has_availability()) {
        p.availability = DecodeAvailability(content.profile().availability());
      }
      body = std::move(p);
      break;
    }
    default:
      break;
  }
  if (!std::holds_alternative<InvalidContent>(body)) {
    Status problem = ValidateContent(body);
    if (!problem.ok()) body = InvalidContent{"received content is invalid: " + problem.message()};
  }
  return body;
}

ContentBody DecodeStoredContent(const std::string& serialized) {
  pb::Content content;
  if (!content.ParseFromString(serialized)) {
    return InvalidContent{"the stored item does not parse"};
  }
  return DecodeBody(content);
}

bool WantsDeliveredReceipt(const ContentBody& body) {
  return std::holds_alternative<TextMessage>(body) || std::holds_alternative<CheckIn>(body) ||
         std::holds_alternative<Reflection>(body) || std::holds_alternative<Exercise>(body);
}

Status CheckSendable(Role role, const ContentBody& body) {
  if (std::holds_alternative<Exercise>(body) && role != Role::kTherapist) {
    return Status(ErrorCode::kPermissionDenied, "only therapists assign exercises");
  }
  if (std::holds_alternative<Receipt>(body) || std::holds_alternative<Profile>(body) ||
      std::holds_alternative<Availability>(body) || std::holds_alternative<InvalidContent>(body)) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string("a ") + ContentTypeName(body) +
                      " is sent by the library itself, not through Send");
  }
  return Status::Ok();
}

}  // namespace securebase::client
