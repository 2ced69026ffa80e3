#include "securebase/client/utf8.h"

#include <cstring>

namespace securebase::client {

Utf8Sequence DecodeUtf8(std::string_view s, size_t i) {
  const auto at = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100;
  };
  Utf8Sequence out;
  out.invalid = 1;
  const unsigned b0 = at(0);
  if (b0 < 0x80) {
    out.length = 1;
    out.code_point = b0;
    out.invalid = 0;
    return out;
  }
  size_t need;
  unsigned lo = 0x80, hi = 0xBF;
  uint32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // No UTF-16 surrogates.
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // Nothing above U+10FFFF.
  } else {
    return out;  // 0x80-0xC1 and 0xF5-0xFF never start a sequence.
  }
  for (size_t k = 1; k <= need; ++k) {
    const unsigned b = at(k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
      out.invalid = k;
      return out;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  out.length = need + 1;
  out.code_point = cp;
  out.invalid = 0;
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Runs of ASCII eight bytes at a time (text is mostly ASCII; every
    // received message is checked).
    while (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ull) != 0) break;
      i += 8;
    }
    if (i == s.size()) break;
    const Utf8Sequence sequence = DecodeUtf8(s, i);
    if (sequence.length == 0) return false;
    i += sequence.length;
  }
  return true;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace securebase::client
