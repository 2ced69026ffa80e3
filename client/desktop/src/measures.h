// The standard questionnaires a check-in can carry, scored on the device:
// PHQ-9 (depression) and GAD-7 (anxiety), with their published item texts,
// answer options and severity bands.
//
// Sources: Kroenke, Spitzer & Williams, "The PHQ-9", J Gen Intern Med
// 2001;16:606-613 (bands 5/10/15/20); Spitzer et al., "A brief measure for
// assessing generalized anxiety disorder: the GAD-7", Arch Intern Med
// 2006;166:1092-1097 (bands 5/10/15). Both were developed with a grant from
// Pfizer and are free to reproduce, translate and distribute.
#ifndef SECUREBASE_DESKTOP_MEASURES_H_
#define SECUREBASE_DESKTOP_MEASURES_H_

#include <QString>
#include <QStringList>
#include <QVariantList>
#include <vector>

#include "securebase/client/content.h"

namespace securebase::desktop {

namespace sc = ::securebase::client;

struct SeverityBand {
  int min = 0;  // Inclusive.
  int max = 0;  // Inclusive.
  const char* label = "";
};

struct MeasureInfo {
  sc::Questionnaire questionnaire;
  const char* name;   // "PHQ-9".
  const char* stem;   // "Over the last 2 weeks, how often ...".
  QStringList items;  // The item texts, in order.
  int max_total;      // 27 / 21.
  std::vector<SeverityBand> bands;
};

const MeasureInfo& Phq9();
const MeasureInfo& Gad7();
const MeasureInfo& InfoFor(sc::Questionnaire questionnaire);
// "Not at all" (0), "Several days" (1), "More than half the days" (2),
// "Nearly every day" (3): the same four for both.
const QStringList& AnswerOptions();

struct MeasureScore {
  int total = 0;
  QString band;           // "moderate".
  bool complete = false;  // Every item answered within 0..3.
};
MeasureScore Score(const sc::QuestionnaireAnswers& answers);
QString BandFor(sc::Questionnaire questionnaire, int total);
// The bands as [{min, max, label}] for QML (chart bands, legends).
QVariantList BandsAsVariant(sc::Questionnaire questionnaire);

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_MEASURES_H_
