// UTF-8, written once for the library and its apps: decoding one sequence
// strictly (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing
// above U+10FFFF), checking a whole string, and encoding a code point.
#ifndef SECUREBASE_CLIENT_UTF8_H_
#define SECUREBASE_CLIENT_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "securebase/client/export.h"

namespace securebase::client {

struct Utf8Sequence {
  // Bytes of the well-formed sequence at the position, or 0 if ill-formed.
  size_t length = 0;
  uint32_t code_point = 0;
  // When ill-formed: the length of the maximal ill-formed prefix (at least
  // 1), which a reader replaces with one U+FFFD and skips.
  size_t invalid = 0;
};

// The sequence starting at text[pos] (pos < text.size()).
SECUREBASE_EXPORT Utf8Sequence DecodeUtf8(std::string_view text, size_t pos);

// True if all of `text` is well-formed UTF-8. Fast on ASCII runs.
SECUREBASE_EXPORT bool IsValidUtf8(std::string_view text);

// Appends the UTF-8 form of a scalar value (not a surrogate, <= U+10FFFF).
SECUREBASE_EXPORT void AppendUtf8(std::string& out, uint32_t code_point);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_UTF8_H_
