// Session::Decrypt on arbitrary bytes, against Bob's session in the middle of
// the fixed conversation (tests/fuzz/fuzz_support.h): it holds skipped keys
// (a0b, a2) and can take a DH step (a5), so mutations of the seeds reach the
// skipped-key, in-order, DH-step and too-far-ahead paths.
//
// Checks the transaction promise of session.h: any refused message leaves the
// state byte-for-byte as it was. A message that decrypts cannot decrypt again.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/session.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using securebase::crypto::ErrorCode;
using securebase::crypto::Session;
using securebase::fuzz::AsSpan;
using securebase::fuzz::FuzzRandom;
using securebase::fuzz::GetWorld;

// Largest input worth trying: a maximal plaintext, padded and framed, is
// below this; larger inputs only exercise the length check.
constexpr size_t kMaxInput = 160 * 1024;

std::unique_ptr<Session> FreshSession() {
  auto session = Session::Deserialize(GetWorld().bob_mid_state.span());
  FUZZ_CHECK(session.ok());
  return std::make_unique<Session>(std::move(session).value());
}

// The fixed established session, rebuilt only after an input changed it.
std::unique_ptr<Session>& TheSession() {
  static std::unique_ptr<Session> session = FreshSession();
  return session;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  TheSession();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  const auto message = AsSpan(data, size);
  const auto& baseline = GetWorld().bob_mid_state;
  Session& session = *TheSession();
  FuzzRandom rng(size);

  auto type = securebase::crypto::PeekMessageType(message);
  if (!type.ok()) FUZZ_CHECK(type.status().code() == ErrorCode::kInvalidMessage);

  auto plaintext = session.Decrypt(message, rng);
  if (!plaintext.ok()) {
    const ErrorCode code = plaintext.status().code();
    FUZZ_CHECK(code == ErrorCode::kInvalidMessage || code == ErrorCode::kDuplicateMessage ||
               code == ErrorCode::kUndecryptableMessage);
    FUZZ_CHECK(session.Serialize().Equals(baseline));  // State unchanged on refusal.
    return 0;
  }
  // Only (mutations of) genuine messages get here.
  FUZZ_CHECK(type.ok());
  FUZZ_CHECK(plaintext->size() <= securebase::crypto::kMaxPlaintextSize);
  const auto after = session.Serialize();
  auto replay = session.Decrypt(message, rng);
  FUZZ_CHECK(!replay.ok());
  // A message this session decrypted is a duplicate, never "undecryptable".
  FUZZ_CHECK(replay.status().code() == ErrorCode::kInvalidMessage ||
             replay.status().code() == ErrorCode::kDuplicateMessage);
  FUZZ_CHECK(session.Serialize().Equals(after));
  // The session keeps working: Bob can always answer once he has received.
  auto reply = session.Encrypt(AsSpan("ok"), rng);
  FUZZ_CHECK(reply.ok());

  TheSession() = FreshSession();
  return 0;
}
