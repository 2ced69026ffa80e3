// Builds content structs from command-line options (checkin, reflect,
// assign). Each returns false with a sentence in `error` for malformed or
// unknown options; the result is then also checked with ValidateContent by
// the caller.
#ifndef SECUREBASE_CLIENT_CLI_CONTENT_FLAGS_H_
#define SECUREBASE_CLIENT_CLI_CONTENT_FLAGS_H_

#include <string>
#include <string_view>
#include <vector>

#include "args.h"
#include "securebase/client/content.h"

namespace securebase::cli {

// "NAME=INTENSITY" (separator '=') or "NAME:INTENSITY" (':'); split at the
// last separator, so a name may itself contain one.
bool ParseEmotion(std::string_view spec, char separator, client::Emotion& out, std::string& error);
// "NAME:N,NAME:N,..." appended to `out`. Names cannot contain ','.
bool ParseEmotionList(std::string_view spec, std::vector<client::Emotion>& out, std::string& error);
// "S1,S2,...": exactly `items` scores 0-3.
bool ParseScores(std::string_view spec, size_t items, std::string_view what,
                 std::vector<uint32_t>& out, std::string& error);

// checkin: --mood N [--emotion NAME=INTENSITY]... [--energy N] [--sleep HOURS]
// [--helped TEXT] [--note TEXT] [--phq9 S,..] [--gad7 S,..] [--exercise ID]
bool BuildCheckIn(const ParsedArgs& args, client::CheckIn& out, std::string& error);
// reflect: --body TEXT [--prompt TEXT] [--kind KIND] [--field KEY=VALUE]...
// [--exercise ID]
bool BuildReflection(const ParsedArgs& args, client::Reflection& out, std::string& error);
// assign: --title T --instructions T [--kind KIND] [--every day|week] [--due D]
bool BuildExercise(const ParsedArgs& args, client::Exercise& out, std::string& error);

// The --field keys a structured kind accepts (empty for "free" and unknown
// kinds), from the library's schema (client::ReflectionKinds()).
std::vector<std::string> ReflectionFieldKeys(std::string_view kind);

}  // namespace securebase::cli

#endif  // SECUREBASE_CLIENT_CLI_CONTENT_FLAGS_H_
