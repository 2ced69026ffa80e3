#include "client/src/content/checks.h"

#include "securebase/client/utf8.h"

namespace securebase::client {

bool CheckText(std::string& error, std::string_view field, std::string_view value,
               size_t max_bytes) {
  if (value.size() > max_bytes) {
    error =
        std::string(field) + " is too long (at most " + std::to_string(max_bytes / 1024) + " KiB).";
    return false;
  }
  if (!IsValidUtf8(value)) {
    error = std::string(field) + " is not valid UTF-8 text.";
    return false;
  }
  return true;
}

bool IsOneLine(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

bool IsHexId(std::string_view id) {
  if (id.size() != kIdHexChars) return false;
  for (char c : id) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

bool CheckOptionalId(std::string& error, std::string_view field, std::string_view id) {
  if (id.empty() || IsHexId(id)) return true;
  error = std::string(field) + " must be empty or a 32-character hex message id.";
  return false;
}

bool CheckEmotions(std::string& error, std::string_view field,
                   const std::vector<Emotion>& emotions) {
  if (emotions.size() > kMaxEmotions) {
    error = std::string(field) + " has too many emotions (at most " + std::to_string(kMaxEmotions) +
            ").";
    return false;
  }
  for (size_t i = 0; i < emotions.size(); ++i) {
    const Emotion& e = emotions[i];
    const std::string where = std::string(field) + " #" + std::to_string(i + 1);
    if (e.name.empty()) {
      error = where + ": the emotion name is empty.";
      return false;
    }
    if (e.name.size() > kMaxEmotionNameBytes) {
      error = where + ": the emotion name is too long (at most " +
              std::to_string(kMaxEmotionNameBytes) + " bytes).";
      return false;
    }
    if (!IsValidUtf8(e.name) || !IsOneLine(e.name)) {
      error = where + ": the emotion name must be plain UTF-8 text on one line.";
      return false;
    }
    if (e.intensity > kMaxIntensity) {
      error = where + ": intensity must be between 0 and 100.";
      return false;
    }
  }
  return true;
}

namespace {

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

bool IsCalendarDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const int max_day = kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= max_day;
}

}  // namespace securebase::client
