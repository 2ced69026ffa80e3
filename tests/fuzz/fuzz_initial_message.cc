// ParseInitialMessage and Session::Accept on arbitrary bytes, with Bob's fixed
// prekeys (tests/fuzz/fuzz_support.h). Seeds: Alice's two initial messages
// (with a one-time prekey) and Carol's (without).
//
// Checks: Accept never succeeds on bytes ParseInitialMessage refuses; refusals
// use the documented codes; an accepted session can answer at once.
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/session.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using securebase::crypto::ErrorCode;
using securebase::crypto::Session;
using securebase::fuzz::AsSpan;
using securebase::fuzz::FuzzRandom;
using securebase::fuzz::GetWorld;

constexpr size_t kMaxInput = 160 * 1024;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  const auto& w = GetWorld();
  const auto message = AsSpan(data, size);
  FuzzRandom rng(size);

  auto parsed = securebase::crypto::ParseInitialMessage(message);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == ErrorCode::kInvalidMessage);
  } else {
    // The ratchet part points into the input.
    FUZZ_CHECK(parsed->ratchet_message.data() >= data &&
               parsed->ratchet_message.data() + parsed->ratchet_message.size() <= data + size);
  }

  // Bob's only prekeys, whatever the header names: a mismatch must be refused
  // (kInvalidArgument), never accepted.
  const bool names_otk = parsed.ok() && parsed->header.one_time_prekey_id.has_value();
  const auto* otk = names_otk ? &w.bob_one_time_prekey : nullptr;
  auto accepted =
      Session::Accept(w.bob_identity, w.bob_signed_prekey, otk, message, rng);
  if (!accepted.ok()) {
    const ErrorCode code = accepted.status().code();
    FUZZ_CHECK(code == ErrorCode::kInvalidMessage || code == ErrorCode::kInvalidArgument);
  } else {
    FUZZ_CHECK(parsed.ok());
    FUZZ_CHECK(parsed->header.signed_prekey_id == w.bob_signed_prekey.id);
    FUZZ_CHECK(!names_otk || *parsed->header.one_time_prekey_id == w.bob_one_time_prekey.id);
    FUZZ_CHECK(parsed->header.initiator_identity == accepted->session.remote_identity());
    FUZZ_CHECK(parsed->header.base_key == accepted->session.base_key());
    FUZZ_CHECK(accepted->plaintext.size() <= securebase::crypto::kMaxPlaintextSize);
    auto reply = accepted->session.Encrypt(AsSpan("welcome"), rng);
    FUZZ_CHECK(reply.ok());
  }

  // A header naming a one-time prekey, accepted without one: always refused.
  if (names_otk) {
    auto without = Session::Accept(w.bob_identity, w.bob_signed_prekey, nullptr, message, rng);
    FUZZ_CHECK(!without.ok());
  }
  return 0;
}
