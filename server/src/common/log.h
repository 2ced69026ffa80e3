// Structured logs: one line per record on stderr, `key=value` pairs.
//
// Never pass tokens, challenges, signatures, ciphertext, invite secrets,
// registration tokens or user ids: log counts, status codes and durations.
// Thread-safe (one write(2) per line).
#ifndef SECUREBASE_SERVER_COMMON_LOG_H_
#define SECUREBASE_SERVER_COMMON_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace securebase::server {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

using LogField = std::pair<std::string_view, std::string>;

// Writes `ts=<RFC3339> level=<level> event=<event> k=v ...`. Values with
// spaces, quotes or '=' are quoted.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

// Records below `level` are dropped. Default kInfo.
void SetMinLogLevel(LogLevel level);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_COMMON_LOG_H_
