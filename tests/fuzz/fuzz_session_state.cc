// Session::Deserialize on arbitrary bytes. Seeds: every state snapshot of the
// fixed conversation (tests/fuzz/fuzz_support.h).
//
// Checks what session.h promises: refusal is kInvalidMessage; a v2 blob is
// canonical (it re-serializes to exactly the input), a legacy v1 blob loads
// into a v2 state that restores again to the same bytes; the session
// never holds more than kMaxSkippedKeysTotal skipped keys; it can Encrypt and
// Decrypt (the conversation's later messages) without crashing, and a refused
// Decrypt leaves its state unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/session.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using securebase::crypto::ErrorCode;
using securebase::crypto::kMaxSessionStateSize;
using securebase::crypto::Session;
using securebase::fuzz::AsSpan;
using securebase::fuzz::FuzzRandom;
using securebase::fuzz::GetWorld;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Slightly above the limit, so the size check itself is exercised.
  if (size > kMaxSessionStateSize + 64) return 0;
  const auto& w = GetWorld();
  FuzzRandom rng(size);

  auto restored = Session::Deserialize(AsSpan(data, size));
  if (!restored.ok()) {
    FUZZ_CHECK(restored.status().code() == ErrorCode::kInvalidMessage);
    return 0;
  }
  FUZZ_CHECK(size <= kMaxSessionStateSize);
  Session& session = *restored;
  FUZZ_CHECK(session.skipped_key_count() <= securebase::crypto::kMaxSkippedKeysTotal);
  (void)session.local_identity();
  (void)session.remote_identity();
  (void)session.base_key();
  (void)session.awaiting_reply();

  // Serialize() output must restore, to a session that serializes the same.
  const auto state = session.Serialize();
  if (data[0] == securebase::crypto::kSessionStateVersion) {
    FUZZ_CHECK(state.span().size() == size &&
               std::equal(state.span().begin(), state.span().end(), data));
  }
  auto again = Session::Deserialize(state.span());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->Serialize().Equals(state));

  // Later messages of the conversation, for Bob-like and Alice-like states.
  for (const auto* message : {&w.a0b, &w.a2, &w.a5, &w.b1}) {
    const auto before = session.Serialize();
    auto plaintext = session.Decrypt(*message, rng);
    if (!plaintext.ok()) {
      const ErrorCode code = plaintext.status().code();
      FUZZ_CHECK(code == ErrorCode::kInvalidMessage || code == ErrorCode::kDuplicateMessage ||
                 code == ErrorCode::kUndecryptableMessage);
      FUZZ_CHECK(session.Serialize().Equals(before));
    }
    FUZZ_CHECK(session.skipped_key_count() <= securebase::crypto::kMaxSkippedKeysTotal);
  }

  auto sent = session.Encrypt(AsSpan("still here"), rng);
  if (!sent.ok()) FUZZ_CHECK(sent.status().code() == ErrorCode::kInvalidState);
  return 0;
}
