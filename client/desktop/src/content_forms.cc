#include "content_forms.h"

#include <QVariantList>

namespace securebase::desktop {

namespace {

std::string S(const QVariantMap& form, const char* key) {
  return form.value(key).toString().trimmed().toStdString();
}

std::vector<sc::Emotion> Emotions(const QVariant& value) {
  std::vector<sc::Emotion> out;
  for (const QVariant& entry : value.toList()) {
    const QVariantMap e = entry.toMap();
    const QString name = e.value("name").toString().trimmed();
    if (name.isEmpty()) continue;
    out.push_back(
        {name.toStdString(), static_cast<uint32_t>(qMax(0, e.value("intensity").toInt()))});
  }
  return out;
}

void AddAnswers(const QVariantMap& form, const char* key, sc::Questionnaire which,
                sc::CheckIn& check_in) {
  if (!form.contains(key)) return;
  const QVariantList items = form.value(key).toList();
  if (items.isEmpty()) return;
  sc::QuestionnaireAnswers answers{which, {}};
  // An unanswered item (-1) is passed on as out of range: the library refuses it.
  for (const QVariant& item : items)
    answers.item_scores.push_back(static_cast<uint32_t>(item.toInt()));
  check_in.questionnaires.push_back(std::move(answers));
}

}  // namespace

sc::CheckIn CheckInFromForm(const QVariantMap& form) {
  sc::CheckIn c;
  c.mood = static_cast<uint32_t>(qMax(0, form.value("mood").toInt()));
  c.emotions = Emotions(form.value("emotions"));
  if (form.contains("energy") && form.value("energy").toInt() >= 0) {
    c.energy = static_cast<uint32_t>(form.value("energy").toInt());
  }
  if (form.contains("sleep") && form.value("sleep").toDouble() >= 0) {
    c.sleep_hours = form.value("sleep").toDouble();
  }
  c.helped = S(form, "helped");
  c.note = S(form, "note");
  AddAnswers(form, "phq9", sc::Questionnaire::kPhq9, c);
  AddAnswers(form, "gad7", sc::Questionnaire::kGad7, c);
  c.exercise_id = S(form, "exerciseId");
  return c;
}

sc::Reflection ReflectionFromForm(const QVariantMap& form) {
  sc::Reflection r;
  r.prompt = S(form, "prompt");
  r.body = S(form, "body");
  r.exercise_id = S(form, "exerciseId");
  const sc::ReflectionKindSchema* schema = sc::FindReflectionKind(S(form, "kind"));
  if (schema == nullptr) return r;  // "free" (the default kind).
  r.kind = schema->name;
  for (const sc::ReflectionFieldSchema& field : schema->fields) {
    const char* key = field.key.c_str();
    if (field.type == sc::ReflectionFieldType::kEmotions) {
      std::vector<sc::Emotion> emotions = Emotions(form.value(key));
      if (!emotions.empty()) r.SetEmotions(field.key, std::move(emotions));
    } else {
      std::string text = S(form, key);
      if (!text.empty()) r.SetText(field.key, std::move(text));
    }
  }
  return r;
}

sc::Exercise ExerciseFromForm(const QVariantMap& form) {
  sc::Exercise e;
  e.title = S(form, "title");
  e.instructions = form.value("instructions").toString().trimmed().toStdString();
  e.kind = S(form, "kind");
  const QString recurrence = form.value("recurrence").toString();
  e.recurrence = recurrence == "daily"    ? sc::Recurrence::kDaily
                 : recurrence == "weekly" ? sc::Recurrence::kWeekly
                                          : sc::Recurrence::kNone;
  e.due_date = S(form, "due");
  return e;
}

sc::Availability AvailabilityFromForm(const QVariantMap& form) {
  return sc::Availability{S(form, "text"), S(form, "emergency")};
}

}  // namespace securebase::desktop
