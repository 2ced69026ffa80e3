// A hint about how hard a new passphrase is to guess, shown while it is
// typed. An estimate from length and variety, not a promise: it steers
// towards long passphrases of several words, which the vault's Argon2id
// unwrap makes slow to guess.
#ifndef SECUREBASE_DESKTOP_PASSPHRASE_STRENGTH_H_
#define SECUREBASE_DESKTOP_PASSPHRASE_STRENGTH_H_

#include <QString>

namespace securebase::desktop {

struct PassphraseStrength {
  int score = 0;            // 0 (empty) .. 4 (strong).
  QString label;            // "too short", "weak", "fair", "good", "strong".
  QString hint;             // One sentence on how to make it better, or why it is fine.
  bool acceptable = false;  // score >= 2: the form lets it through.
};

PassphraseStrength EstimatePassphrase(const QString& passphrase);

}  // namespace securebase::desktop

#endif  // SECUREBASE_DESKTOP_PASSPHRASE_STRENGTH_H_
