// Risk signals: what in a piece of content should bring up crisis resources
// on the device, at once, without waiting for a reply. Every app gets the
// same signals and the same prompt from here. Detection runs on the device
// only; the server never learns of it, and nothing about it is sent.
//
// The signals are deliberately simple and err on the side of showing the
// prompt: a PHQ-9 answer above 0 on item 9 ("thoughts that you would be
// better off dead, or of hurting yourself"), and a short list of English
// phrases about self-harm or suicide in what a person wrote (text, check-in
// notes, reflections). Word lists miss things and sometimes fire on a quote;
// the prompt is written so that a false alarm costs nothing but a moment.
#ifndef SECUREBASE_CLIENT_RISK_H_
#define SECUREBASE_CLIENT_RISK_H_

#include <string>
#include <string_view>
#include <vector>

#include "securebase/client/content.h"
#include "securebase/client/export.h"

namespace securebase::client {

enum class RiskSignalKind {
  kSelfHarmItem,   // A questionnaire item about self-harm scored above 0 (PHQ-9 item 9).
  kSelfHarmWords,  // Words about self-harm or suicide in free text.
};

struct RiskSignal {
  RiskSignalKind kind = RiskSignalKind::kSelfHarmWords;
  // Where, for a person: "PHQ-9 item 9", "the message", "the note", or a
  // reflection field's label. Never the content itself.
  std::string where;
};

// Every signal in `content`, in field order; empty when there is none.
SECUREBASE_EXPORT std::vector<RiskSignal> DetectRiskSignals(const ContentBody& content);

// What to show when there is a signal (and what a therapist's availability
// notice falls back to when it gives no emergency guidance).
struct CrisisPrompt {
  std::string_view title;
  // Shown to the person who wrote it: help now, without waiting for a reply.
  std::string_view message;
  // Shown to the therapist beside a received item that carries a signal.
  std::string_view attention;
  // "Not for emergencies" guidance for when a therapist gave none.
  std::string_view emergency_guidance;
};
SECUREBASE_EXPORT const CrisisPrompt& CrisisResources();

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_RISK_H_
