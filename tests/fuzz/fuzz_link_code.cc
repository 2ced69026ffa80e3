// The typed-code parsers on arbitrary input: LinkCode::ParseText and
// RecoveryKey::Parse (text a person typed or a camera scanned; they share one
// codec, crypto/src/checked_text.h) and LinkCode::Parse (bytes).
// Seeds: a link code's text and variants (lower case, no dashes, a typo), a
// recovery key's text, the 49 link code bytes.
//
// Checks: refusals are kInvalidMessage or kUnsupportedVersion; the text
// accepted is canonical up to the documented leniency (dropping spaces,
// dashes, tabs and line breaks, upper-casing, reading O as 0 and I, L as 1,
// the input equals the parsed code's own text), so no two different texts
// name one code; that text parses back to the same code or key; and the byte
// form accepts only exactly what Serialize() writes.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/provisioning.h"
#include "securebase/crypto/recovery_key.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

namespace crypto = securebase::crypto;
using crypto::ErrorCode;

bool IsRefusal(const crypto::Status& status) {
  return status.code() == ErrorCode::kInvalidMessage ||
         status.code() == ErrorCode::kUnsupportedVersion;
}

// The documented leniency, applied to the input: what the canonical text
// (without its dashes) must then be.
std::string Normalized(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r') continue;
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    out += c;
  }
  return out;
}

std::string WithoutDashes(std::string_view text) {
  std::string out(text);
  out.erase(std::remove(out.begin(), out.end(), '-'), out.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 512) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto code = crypto::LinkCode::ParseText(text);
  if (code.ok()) {
    const std::string canonical = code->ToText();
    FUZZ_CHECK(WithoutDashes(canonical) == Normalized(text));
    auto again = crypto::LinkCode::ParseText(canonical);
    FUZZ_CHECK(again.ok() && *again == *code);
  } else {
    FUZZ_CHECK(IsRefusal(code.status()));
  }

  auto key = crypto::RecoveryKey::Parse(text);
  if (key.ok()) {
    const crypto::SecretBytes canonical = key->ToText();
    FUZZ_CHECK(WithoutDashes(crypto::AsStringView(canonical.span())) == Normalized(text));
    auto again = crypto::RecoveryKey::Parse(crypto::AsStringView(canonical.span()));
    FUZZ_CHECK(again.ok() && again->Equals(*key));
  } else {
    FUZZ_CHECK(IsRefusal(key.status()));
  }

  auto parsed = crypto::LinkCode::Parse(crypto::ByteSpan(data, size));
  if (parsed.ok()) {
    const crypto::Bytes round_trip = parsed->Serialize();
    FUZZ_CHECK(round_trip.size() == size && std::equal(round_trip.begin(), round_trip.end(), data));
  } else {
    FUZZ_CHECK(IsRefusal(parsed.status()));
  }
  return 0;
}
