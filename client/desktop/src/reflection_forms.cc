#include "reflection_forms.h"

#include <QHash>
#include <QVariantMap>

#include "content_cards.h"
#include "securebase/client/content.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

// What each technique asks of the writer, in a sentence.
QString IntroFor(const QString& kind) {
  static const QHash<QString, QString> kIntros = {
      {"free", "Write whatever you would like your therapist to read."},
      {"thought-record", "Notice a thought, weigh it, and find a more balanced one."},
      {"mentalisation",
       "Your own mind and the other person's: what might have been going on for each of you?"},
      {"communication", "A need, a boundary, what you said, and what happened."},
      {"emotion-regulation",
       "What set the feeling off, what your body felt, the emotion before and after, and the "
       "skill you used to calm your nervous system."},
      {"mourning",
       "Go slowly, and only as far as feels manageable: a need that went unmet, what you feel "
       "about it, and what you can give yourself now. If it becomes too much, stop and do "
       "something grounding."},
  };
  return kIntros.value(kind, "Fill in what you can: every field is optional.");
}

// A guiding question per field ("kind/key"); fields without one show only
// their label.
QString HintFor(const QString& kind, const QString& key) {
  static const QHash<QString, QString> kHints = {
      {"thought-record/situation", "Where were you, and what happened?"},
      {"thought-record/automatic_thought", "What went through your mind?"},
      {"thought-record/emotions_before", "How strong were your emotions at the time?"},
      {"thought-record/evidence_for", "What supports the thought?"},
      {"thought-record/evidence_against", "What does not fit it?"},
      {"thought-record/balanced_thought", "A more balanced way to see it."},
      {"thought-record/emotions_after", "How strong are they now?"},
      {"mentalisation/my_feelings", "What did you feel?"},
      {"mentalisation/my_needs", "What did you need?"},
      {"mentalisation/other_felt", "What might the other person have felt?"},
      {"mentalisation/other_thought", "What might they have thought?"},
      {"mentalisation/other_intended", "What might they have meant to do?"},
      {"mentalisation/other_readings", "Other ways to read the moment."},
      {"communication/need", "What did you need or wish for?"},
      {"communication/boundary", "What limit did you set, if any?"},
      {"communication/what_i_said", "What did you say?"},
      {"communication/what_happened", "What happened, and how did you feel afterwards?"},
      {"emotion-regulation/trigger", "What set the emotion off?"},
      {"emotion-regulation/body_sensations", "What did you notice in your body?"},
      {"emotion-regulation/emotions_before", "The emotion, and how strong it was."},
      {"emotion-regulation/skill_used",
       "What did you do to calm yourself (breathing, a walk, reaching out, a routine)?"},
      {"emotion-regulation/emotions_after", "The emotion, and how strong it is now."},
      {"mourning/situation", "What happened, or what was missing?"},
      {"mourning/unmet_need", "Which need went unmet (being comforted, seen, safe)?"},
      {"mourning/feelings", "What do you feel about it now?"},
      {"mourning/what_i_mourn", "What do you grieve for?"},
      {"mourning/what_i_can_give_now", "What can you give yourself now?"},
  };
  return kHints.value(kind + "/" + key);
}

}  // namespace

QVariantList ReflectionFormKinds() {
  QVariantList kinds;
  kinds.append(QVariantMap{{"name", "free"},
                           {"title", "Free reflection"},
                           {"intro", IntroFor("free")},
                           {"fields", QVariantList()}});
  for (const sc::ReflectionKindSchema& kind : sc::ReflectionKinds()) {
    const QString name = Q(kind.name);
    QVariantList fields;
    for (const sc::ReflectionFieldSchema& field : kind.fields) {
      const QString key = Q(field.key);
      fields.append(QVariantMap{
          {"key", key},
          {"label", FieldHeading(field.label)},
          {"type", field.type == sc::ReflectionFieldType::kEmotions ? "emotions" : "text"},
          {"hint", HintFor(name, key)}});
    }
    kinds.append(QVariantMap{
        {"name", name}, {"title", Q(kind.title)}, {"intro", IntroFor(name)}, {"fields", fields}});
  }
  return kinds;
}

}  // namespace securebase::desktop
