#include "content_cards.h"

#include <QVariantList>

#include "measures.h"
#include "securebase/client/risk.h"

namespace securebase::desktop {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

QVariantList EmotionsToVariant(const std::vector<sc::Emotion>& emotions) {
  QVariantList out;
  for (const sc::Emotion& e : emotions) {
    out.append(QVariantMap{{"name", Q(e.name)}, {"intensity", static_cast<int>(e.intensity)}});
  }
  return out;
}

QString EmotionsText(const std::vector<sc::Emotion>& emotions) {
  QStringList parts;
  for (const sc::Emotion& e : emotions) parts << QString("%1 %2").arg(Q(e.name)).arg(e.intensity);
  return parts.join(", ");
}

QVariantMap CheckInCard(const sc::CheckIn& c) {
  QVariantList measures;
  for (const sc::QuestionnaireAnswers& answers : c.questionnaires) {
    const MeasureScore score = Score(answers);
    const MeasureInfo& info = InfoFor(answers.questionnaire);
    measures.append(QVariantMap{{"name", info.name},
                                {"total", score.total},
                                {"max", info.max_total},
                                {"band", score.band},
                                {"complete", score.complete}});
  }
  return {{"mood", static_cast<int>(c.mood)},
          {"energy", c.energy ? static_cast<int>(*c.energy) : -1},
          {"sleep", c.sleep_hours ? *c.sleep_hours : -1.0},
          {"emotions", EmotionsToVariant(c.emotions)},
          {"helped", Q(c.helped)},
          {"note", Q(c.note)},
          {"measures", measures},
          {"exerciseId", Q(c.exercise_id)}};
}

QVariantMap ReflectionCard(const sc::Reflection& r) {
  QVariantList fields;
  if (const sc::ReflectionKindSchema* schema = sc::FindReflectionKind(r.kind)) {
    for (const sc::ReflectionFieldSchema& field : schema->fields) {
      const QString value = field.type == sc::ReflectionFieldType::kEmotions
                                ? EmotionsText(r.Emotions(field.key))
                                : Q(r.Text(field.key));
      if (value.trimmed().isEmpty()) continue;
      fields.append(QVariantMap{{"label", FieldHeading(field.label)}, {"value", value}});
    }
  }
  return {{"kind", Q(r.kind)},     {"kindLabel", ReflectionKindLabel(r.kind)},
          {"prompt", Q(r.prompt)}, {"body", Q(r.body)},
          {"fields", fields},      {"exerciseId", Q(r.exercise_id)}};
}

}  // namespace

QString TypeOf(const sc::HistoryItem& item) { return sc::ContentTypeName(item.content); }

QString ReflectionKindLabel(const std::string& kind) {
  if (kind == "free" || kind.empty()) return "Reflection";
  if (const sc::ReflectionKindSchema* schema = sc::FindReflectionKind(kind)) {
    return Q(schema->title);
  }
  return Q(kind);
}

QString FieldHeading(const std::string& label) {
  QString heading = Q(label);
  if (!heading.isEmpty()) heading[0] = heading[0].toUpper();
  return heading;
}

QString ExerciseKindLabel(const std::string& kind) {
  if (kind == "check-in") return "Check-in";
  return ReflectionKindLabel(kind);
}

QString RecurrenceLabel(sc::Recurrence recurrence) {
  switch (recurrence) {
    case sc::Recurrence::kNone:
      return "once";
    case sc::Recurrence::kDaily:
      return "every day";
    case sc::Recurrence::kWeekly:
      return "every week";
  }
  return "once";
}

QString StateName(sc::DeliveryState state) {
  switch (state) {
    case sc::DeliveryState::kQueued:
      return "queued";
    case sc::DeliveryState::kSent:
      return "sent";
    case sc::DeliveryState::kDelivered:
      return "delivered";
    case sc::DeliveryState::kRead:
      return "read";
    case sc::DeliveryState::kFailed:
      return "failed";
  }
  return "sent";
}

QString TypeLabel(const sc::ContentBody& body) {
  struct Visitor {
    QString operator()(const sc::TextMessage&) const { return "Message"; }
    QString operator()(const sc::CheckIn&) const { return "Check-in"; }
    QString operator()(const sc::Reflection& r) const { return ReflectionKindLabel(r.kind); }
    QString operator()(const sc::Exercise&) const { return "Exercise"; }
    QString operator()(const sc::Availability&) const { return "Availability notice"; }
    QString operator()(const sc::Receipt&) const { return "Receipt"; }
    QString operator()(const sc::Profile&) const { return "Profile"; }
    QString operator()(const sc::InvalidContent&) const { return "Unreadable item"; }
  };
  return std::visit(Visitor{}, body);
}

QVariantMap CardFor(const sc::ContentBody& body) {
  struct Visitor {
    QVariantMap operator()(const sc::TextMessage& t) const { return {{"body", Q(t.body)}}; }
    QVariantMap operator()(const sc::CheckIn& c) const { return CheckInCard(c); }
    QVariantMap operator()(const sc::Reflection& r) const { return ReflectionCard(r); }
    QVariantMap operator()(const sc::Exercise& e) const {
      return {{"title", Q(e.title)},
              {"instructions", Q(e.instructions)},
              {"kind", Q(e.kind)},
              {"kindLabel", ExerciseKindLabel(e.kind)},
              {"recurrence", RecurrenceLabel(e.recurrence)},
              {"due", Q(e.due_date)}};
    }
    QVariantMap operator()(const sc::Availability& a) const {
      return {{"text", Q(a.text)}, {"emergency", Q(a.emergency_guidance)}};
    }
    QVariantMap operator()(const sc::Receipt&) const { return {}; }
    QVariantMap operator()(const sc::Profile& p) const { return {{"name", Q(p.display_name)}}; }
    QVariantMap operator()(const sc::InvalidContent& i) const { return {{"reason", Q(i.reason)}}; }
  };
  return std::visit(Visitor{}, body);
}

QVariantMap CardFor(const sc::HistoryItem& item) {
  QVariantMap card = CardFor(item.content);
  if (item.direction != sc::Direction::kIncoming) return card;
  const std::vector<sc::RiskSignal> risk_signals = sc::DetectRiskSignals(item.content);
  if (risk_signals.empty()) return card;
  QStringList where;
  for (const sc::RiskSignal& risk : risk_signals) {
    if (!where.contains(Q(risk.where))) where << Q(risk.where);
  }
  const std::string_view attention = sc::CrisisResources().attention;
  card.insert("attention", QString::fromUtf8(attention.data(), static_cast<int>(attention.size())));
  card.insert("attentionWhere", where.join(", "));
  return card;
}

QString AccessibleSummary(const sc::HistoryItem& item) {
  const QString who = item.direction == sc::Direction::kOutgoing ? "You" : "They";
  const QString label = TypeLabel(item.content);
  if (const auto* text = std::get_if<sc::TextMessage>(&item.content)) {
    return QString("%1: %2").arg(who, Q(text->body));
  }
  if (const auto* check_in = std::get_if<sc::CheckIn>(&item.content)) {
    return QString("%1: check-in, mood %2 of 10").arg(who).arg(check_in->mood);
  }
  if (const auto* exercise = std::get_if<sc::Exercise>(&item.content)) {
    return QString("%1: exercise, %2").arg(who, Q(exercise->title));
  }
  return QString("%1: %2").arg(who, label);
}

}  // namespace securebase::desktop
