// ParsePreKeyBundle on arbitrary bytes. Seeds: Bob's bundle with and without
// a one-time prekey, Alice's bundle.
//
// Checks: the v1 and v2 formats are canonical (fixed lengths, a 0/1 flag), so
// a parsed bundle serializes back to exactly the input. VerifyPreKeyBundle
// never crashes, and an initiator never starts a session from a bundle whose
// signature does not verify; the device-bound entry point accepts only a
// device-bound signature for the device asked for.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/session.h"
#include "securebase/crypto/x3dh.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using securebase::crypto::ErrorCode;
using securebase::crypto::Session;
using securebase::fuzz::AsSpan;
using securebase::fuzz::FuzzRandom;
using securebase::fuzz::GetWorld;

constexpr size_t kMaxInput = 4096;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  const auto& w = GetWorld();
  FuzzRandom rng(size);

  auto bundle = securebase::crypto::ParsePreKeyBundle(AsSpan(data, size));
  if (!bundle.ok()) {
    FUZZ_CHECK(bundle.status().code() == ErrorCode::kInvalidMessage);
    return 0;
  }
  const auto round_trip = securebase::crypto::SerializePreKeyBundle(*bundle);
  FUZZ_CHECK(round_trip.size() == size && std::equal(round_trip.begin(), round_trip.end(), data));

  const auto verified = securebase::crypto::VerifyPreKeyBundle(*bundle);
  if (!verified.ok()) FUZZ_CHECK(verified.code() == ErrorCode::kBadSignature);

  // Carol starts a session from it (Carol is neither Alice nor Bob, so the
  // own-identity refusal does not apply unless the input names Carol).
  auto session = Session::Initiate(w.carol_identity, *bundle, rng);
  if (!verified.ok()) FUZZ_CHECK(!session.ok());
  if (!session.ok()) {
    const ErrorCode code = session.status().code();
    FUZZ_CHECK(code == ErrorCode::kBadSignature || code == ErrorCode::kInvalidArgument);
  } else {
    auto first = session->Encrypt(AsSpan("hi"), rng);
    FUZZ_CHECK(first.ok());
  }

  // The device-bound entry point, for the device the world's v2 bundle names.
  const auto& device = *w.bob_device_bundle.device;
  const auto bound = securebase::crypto::VerifyPreKeyBundle(*bundle, device);
  auto device_session = Session::Initiate(w.carol_identity, w.carol_device, *bundle, device, rng);
  if (!bound.ok()) {
    FUZZ_CHECK(bound.code() == ErrorCode::kBadSignature);
    FUZZ_CHECK(!device_session.ok());
  }
  if (bound.ok()) {
    // Only a bundle with the device-bound signature for this device passes.
    FUZZ_CHECK(!bundle->device || *bundle->device == device);
  }
  return 0;
}
