// ParseInviteCode on arbitrary text: what a client runs on a code a person
// pasted (or someone else put in front of them). Seeds: current (v2) and
// legacy (v1) codes, with dashes, spaces, upper case, and near misses
// (corpus/fuzz_invite_code/, hand-written).
//
// Checks, beyond no crash:
//   - a parsed code has a known version and exactly sized fields;
//   - round trip: formatting it and parsing that gives the same code back,
//     and formatting is a fixed point;
//   - canonical: the input, with separators (dash, space, tab, newline)
//     dropped and lower-cased, is exactly the formatted code without its
//     dashes. So the parser accepts nothing but the encodings it writes
//     (no extra bits, no second spelling of a code).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/src/invite_code.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using securebase::client::FormatInviteCode;
using securebase::client::InviteCode;
using securebase::client::ParseInviteCode;

// Without separators, lower case.
std::string Canonical(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '-' || c == ' ' || c == '\t' || c == '\n') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool Same(const InviteCode& a, const InviteCode& b) {
  return a.version == b.version && a.invite_secret == b.invite_secret &&
         a.invite_key.Equals(b.invite_key) && a.key_pin == b.key_pin;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<InviteCode> parsed = ParseInviteCode(text);
  if (!parsed) return 0;
  FUZZ_CHECK(parsed->version == securebase::client::kInviteCodeVersion ||
             parsed->version == securebase::client::kLegacyInviteCodeVersion);
  FUZZ_CHECK(parsed->invite_secret.size() == securebase::client::kInviteSecretSize);
  FUZZ_CHECK(parsed->invite_key.size() == 32);
  FUZZ_CHECK(parsed->key_pin.size() == securebase::client::kInviteKeyPinSize);

  const std::string formatted = FormatInviteCode(*parsed);
  std::optional<InviteCode> again = ParseInviteCode(formatted);
  FUZZ_CHECK(again.has_value() && Same(*parsed, *again));
  FUZZ_CHECK(FormatInviteCode(*again) == formatted);
  FUZZ_CHECK(Canonical(text) == Canonical(formatted));
  return 0;
}
