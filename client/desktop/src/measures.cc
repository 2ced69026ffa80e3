#include "measures.h"

#include <QVariantMap>

namespace securebase::desktop {

const MeasureInfo& Phq9() {
  static const MeasureInfo info{
      sc::Questionnaire::kPhq9,
      "PHQ-9",
      "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
      {
          "Little interest or pleasure in doing things",
          "Feeling down, depressed, or hopeless",
          "Trouble falling or staying asleep, or sleeping too much",
          "Feeling tired or having little energy",
          "Poor appetite or overeating",
          "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or "
          "your family down",
          "Trouble concentrating on things, such as reading the newspaper or watching television",
          "Moving or speaking so slowly that other people could have noticed? Or the opposite "
          "\u2014 being so fidgety or restless that you have been moving around a lot more than "
          "usual",
          "Thoughts that you would be better off dead or of hurting yourself in some way",
      },
      27,
      {{0, 4, "minimal"},
       {5, 9, "mild"},
       {10, 14, "moderate"},
       {15, 19, "moderately severe"},
       {20, 27, "severe"}},
  };
  return info;
}

const MeasureInfo& Gad7() {
  static const MeasureInfo info{
      sc::Questionnaire::kGad7,
      "GAD-7",
      "Over the last 2 weeks, how often have you been bothered by the following problems?",
      {
          "Feeling nervous, anxious, or on edge",
          "Not being able to stop or control worrying",
          "Worrying too much about different things",
          "Trouble relaxing",
          "Being so restless that it is hard to sit still",
          "Becoming easily annoyed or irritable",
          "Feeling afraid as if something awful might happen",
      },
      21,
      {{0, 4, "minimal"}, {5, 9, "mild"}, {10, 14, "moderate"}, {15, 21, "severe"}},
  };
  return info;
}

const MeasureInfo& InfoFor(sc::Questionnaire questionnaire) {
  return questionnaire == sc::Questionnaire::kPhq9 ? Phq9() : Gad7();
}

const QStringList& AnswerOptions() {
  static const QStringList options{"Not at all", "Several days", "More than half the days",
                                   "Nearly every day"};
  return options;
}

QString BandFor(sc::Questionnaire questionnaire, int total) {
  for (const SeverityBand& band : InfoFor(questionnaire).bands) {
    if (total >= band.min && total <= band.max) return QString::fromUtf8(band.label);
  }
  return {};
}

MeasureScore Score(const sc::QuestionnaireAnswers& answers) {
  const MeasureInfo& info = InfoFor(answers.questionnaire);
  MeasureScore score;
  score.complete = answers.item_scores.size() == static_cast<size_t>(info.items.size());
  for (uint32_t item : answers.item_scores) {
    if (item > 3) {
      score.complete = false;
      continue;
    }
    score.total += static_cast<int>(item);
  }
  score.band = BandFor(answers.questionnaire, score.total);
  return score;
}

QVariantList BandsAsVariant(sc::Questionnaire questionnaire) {
  QVariantList out;
  for (const SeverityBand& band : InfoFor(questionnaire).bands) {
    out.append(QVariantMap{{"min", band.min}, {"max", band.max}, {"label", band.label}});
  }
  return out;
}

}  // namespace securebase::desktop
