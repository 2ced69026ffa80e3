// The field checks content types share (docs/CLIENT.md, "Content limits").
// Each returns false with a sentence in `error` that names the field and
// never quotes its content. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CONTENT_CHECKS_H_
#define SECUREBASE_CLIENT_SRC_CONTENT_CHECKS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "securebase/client/content.h"

namespace securebase::client {

inline constexpr size_t kMaxBodyBytes = 64 * 1024;       // Text and reflection bodies.
inline constexpr size_t kMaxTextFieldBytes = 16 * 1024;  // Every other text field.
inline constexpr size_t kMaxEmotionNameBytes = 64;
inline constexpr size_t kMaxDisplayNameBytes = 128;
inline constexpr size_t kMaxEmotions = 32;  // Per list.
inline constexpr uint32_t kMaxIntensity = 100;
inline constexpr size_t kIdHexChars = 32;  // 16-byte ids.

// Valid UTF-8 of at most `max_bytes`.
bool CheckText(std::string& error, std::string_view field, std::string_view value,
               size_t max_bytes);
// One line of plain text: no control characters.
bool IsOneLine(std::string_view value);
// 32 hex digits.
bool IsHexId(std::string_view id);
// Empty or a 32-digit hex id.
bool CheckOptionalId(std::string& error, std::string_view field, std::string_view id);
// At most kMaxEmotions, each with a 1-64 byte one-line name and intensity 0-100.
bool CheckEmotions(std::string& error, std::string_view field,
                   const std::vector<Emotion>& emotions);
// YYYY-MM-DD naming a real day of the years 0001-9999.
bool IsCalendarDate(std::string_view date);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTENT_CHECKS_H_
