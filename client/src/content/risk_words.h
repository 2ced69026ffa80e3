// The free-text risk check the content types share (risk.cc). Private to
// client/.
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_RISK_WORDS_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_RISK_WORDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "securebase/client/risk.h"

namespace securebase::client {

// Whether `text` holds one of risk.cc's self-harm phrases.
bool HasSelfHarmWords(std::string_view text);
// Appends a kSelfHarmWords signal for `where` when it does.
void AddIfSelfHarmWords(std::string_view text, std::string where, std::vector<RiskSignal>& out);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_RISK_WORDS_H_
