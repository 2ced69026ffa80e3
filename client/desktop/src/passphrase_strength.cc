#include "passphrase_strength.h"

#include <QSet>
#include <cmath>

namespace securebase::desktop {

PassphraseStrength EstimatePassphrase(const QString& passphrase) {
  PassphraseStrength s;
  const QString p = passphrase;
  if (p.isEmpty()) {
    s.label = "empty";
    s.hint = "Choose a passphrase of four or more words that only you would put together.";
    return s;
  }
  bool lower = false, upper = false, digit = false, other = false;
  QSet<QChar> distinct;
  for (QChar c : p) {
    distinct.insert(c);
    if (c.isLower())
      lower = true;
    else if (c.isUpper())
      upper = true;
    else if (c.isDigit())
      digit = true;
    else
      other = true;
  }
  const int pool = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 33 : 0);
  // Bits if characters were random, discounted for repetition (aaaa...).
  const double variety = std::min(1.0, static_cast<double>(distinct.size()) / 8.0);
  const double bits = p.size() * std::log2(std::max(pool, 2)) * variety;
  const int words = p.simplified().split(' ', Qt::SkipEmptyParts).size();

  if (p.size() < 10) {
    s.score = 1;
    s.label = "too short";
    s.hint = "Use at least 10 characters; several words are easier to remember.";
  } else if (bits < 45) {
    s.score = 1;
    s.label = "weak";
    s.hint = "Add more words or characters; avoid repeated letters and names.";
  } else if (bits < 60 && words < 4) {
    s.score = 2;
    s.label = "fair";
    s.hint = "Good enough to start. Four or more unrelated words make it much stronger.";
  } else if (bits < 80) {
    s.score = 3;
    s.label = "good";
    s.hint = "A good passphrase. Keep it somewhere only you can reach.";
  } else {
    s.score = 4;
    s.label = "strong";
    s.hint = "A strong passphrase.";
  }
  s.acceptable = s.score >= 2;
  return s;
}

}  // namespace securebase::desktop
