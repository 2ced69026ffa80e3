// The crisis prompt and the free-text check shared by the content types'
// FindRiskSignals (each type says which of its fields are free text).
#include "securebase/client/risk.h"

#include <algorithm>
#include <cctype>

#include "client/src/content/risk_words.h"

namespace securebase::client {
namespace {

// Lowercase English phrases about self-harm or suicide. Matched on word
// boundaries, case-insensitively, so "suicidal" matches but "unkillable" does
// not match "kill".
constexpr std::string_view kSelfHarmPhrases[] = {
    "suicide",          "suicidal",
    "kill myself",      "killing myself",
    "end my life",      "ending my life",
    "take my own life", "take my life",
    "self-harm",        "self harm",
    "selfharm",         "harm myself",
    "hurt myself",      "hurting myself",
    "cut myself",       "cutting myself",
    "want to die",      "wanna die",
    "better off dead",  "no reason to live",
    "overdose",         "not be here anymore",
};

bool IsWordChar(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

}  // namespace

bool HasSelfHarmWords(std::string_view text) {
  std::string lower(text.size(), '\0');
  std::transform(text.begin(), text.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view phrase : kSelfHarmPhrases) {
    for (size_t at = lower.find(phrase); at != std::string::npos; at = lower.find(phrase, at + 1)) {
      const bool starts = at == 0 || !IsWordChar(static_cast<unsigned char>(lower[at - 1]));
      const size_t end = at + phrase.size();
      // A single word may go on ("suicides", "overdosed"); a phrase must end
      // on a word boundary ("hurt myself", not "hurt myselfie").
      const bool ends = end == lower.size() ||
                        !IsWordChar(static_cast<unsigned char>(lower[end])) ||
                        phrase.find(' ') == std::string_view::npos;
      if (starts && ends) return true;
    }
  }
  return false;
}

void AddIfSelfHarmWords(std::string_view text, std::string where, std::vector<RiskSignal>& out) {
  if (HasSelfHarmWords(text)) out.push_back(RiskSignal{RiskSignalKind::kSelfHarmWords, where});
}

const CrisisPrompt& CrisisResources() {
  static const CrisisPrompt kPrompt{
      "You do not have to wait",
      "If you are having thoughts of harming yourself, you do not have to wait for a reply: "
      "call your local emergency number or a crisis line now, or go to the nearest emergency "
      "department.",
      "This may speak of self-harm or suicide: please read it soon and follow your safety "
      "plan with this client.",
      "SecureBase is not for emergencies. If you are in crisis or in danger, call your local "
      "emergency number or go to the nearest emergency department.",
  };
  return kPrompt;
}

}  // namespace securebase::client
