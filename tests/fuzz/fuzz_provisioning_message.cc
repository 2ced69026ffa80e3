// PendingLink::Open on arbitrary bytes: what the new device runs on whatever
// the server puts into its provisioning slot. Seeds: the messages sealed to
// the world's link code (linking_world.h), one sealed to another code, and
// near misses (truncated, extended, a newer version, a flipped bit).
//
// Checks: refusals are kInvalidMessage or kUnsupportedVersion, and opening is
// pure (the same input gives the same answer again); the only inputs that
// open are the messages the world sealed (no forgery, no swap), each giving
// exactly what was sealed; once remembered, a message is refused as a
// replay; nothing opens with the other link's secret unless it was sealed to
// that link.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/provisioning.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/linking_world.h"

namespace {

namespace crypto = securebase::crypto;
using crypto::ErrorCode;
using securebase::fuzz::GetLinkingWorld;
using securebase::fuzz::kLinkOpenedAt;

constexpr size_t kMaxInput = 8 * 1024;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetLinkingWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  const auto& w = GetLinkingWorld();
  const crypto::ByteSpan input(data, size);
  const crypto::InMemoryProvisioningReplayRecord none;

  auto opened = w.link.Open(input, kLinkOpenedAt, none);
  auto again = w.link.Open(input, kLinkOpenedAt, none);
  FUZZ_CHECK(opened.ok() == again.ok());
  if (!opened.ok()) {
    FUZZ_CHECK(opened.status().code() == ErrorCode::kInvalidMessage ||
               opened.status().code() == ErrorCode::kUnsupportedVersion);
    FUZZ_CHECK(again.status().code() == opened.status().code());
  } else {
    const auto known =
        std::find_if(w.provisioning.begin(), w.provisioning.end(), [&](const auto& k) {
          return k.bytes.size() == size && std::equal(k.bytes.begin(), k.bytes.end(), data);
        });
    FUZZ_CHECK(known != w.provisioning.end());
    FUZZ_CHECK(opened->id == known->id);
    FUZZ_CHECK(opened->created_at_unix_seconds == known->created_at);
    FUZZ_CHECK(crypto::AsStringView(opened->payload.span()) == known->payload);
    FUZZ_CHECK(opened->history_key.has_value() == known->has_history_key);
    if (opened->history_key) {
      FUZZ_CHECK(crypto::ConstantTimeEquals(opened->history_key->bytes(), w.history_key.bytes()));
    }
    crypto::InMemoryProvisioningReplayRecord seen;
    FUZZ_CHECK(seen.Remember(opened->id, opened->created_at_unix_seconds).ok());
    FUZZ_CHECK(w.link.Open(input, kLinkOpenedAt, seen).status().code() ==
               ErrorCode::kDuplicateMessage);
  }

  auto by_other = w.other_link.Open(input, kLinkOpenedAt, none);
  if (by_other.ok()) {
    FUZZ_CHECK(size == w.sealed_to_other_link.size() &&
               std::equal(w.sealed_to_other_link.begin(), w.sealed_to_other_link.end(), data));
  }
  return 0;
}
