#include "server/src/common/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace securebase::server {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// Values longer than this are cut (a log line must not grow with input).
constexpr size_t kMaxValueBytes = 512;

bool IsPlain(unsigned char c) { return c > 0x20 && c < 0x7f && c != '"' && c != '=' && c != '\\'; }

// Quotes values that need it and escapes every control byte, so that no
// value, whoever supplied it, can end a line or forge a field.
void AppendValue(std::string& out, std::string_view value) {
  bool truncated = value.size() > kMaxValueBytes;
  if (truncated) value = value.substr(0, kMaxValueBytes);
  bool needs_quotes = value.empty() || truncated;
  for (char c : value) {
    if (!IsPlain(static_cast<unsigned char>(c))) needs_quotes = true;
  }
  if (!needs_quotes) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20 || byte >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  if (truncated) out += "...";
  out.push_back('"');
}

}  // namespace

void SetMinLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  int millis = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char ts[40];
  std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string line = "ts=";
  line += ts;
  char ms[8];
  std::snprintf(ms, sizeof(ms), ".%03dZ", millis);
  line += ms;
  line += " level=";
  line += LevelName(level);
  line += " event=";
  AppendValue(line, event);
  for (const auto& [key, value] : fields) {
    line.push_back(' ');
    line.append(key);
    line.push_back('=');
    AppendValue(line, value);
  }
  line.push_back('\n');
  // One write so concurrent lines do not interleave; a failed log write is
  // not actionable.
  ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  (void)written;
}

}  // namespace securebase::server
