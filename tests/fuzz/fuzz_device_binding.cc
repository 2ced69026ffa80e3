// ParseDeviceBinding / VerifyDeviceBindingRecord on arbitrary bytes: what the
// server runs on every device registration and every client on every device
// list. Seeds: Bob's genuine binding, and near misses (fuzz_support.h).
//
// Checks: refusals are kInvalidMessage (parse) or kBadSignature (verify); the
// format is canonical (a parsed record serializes back to exactly the input);
// and the oracle of the whole construction: the only record that verifies
// under Bob's identity key is the one Bob signed (no input forges a device),
// and nothing verifies under Carol's.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/device_binding.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using securebase::crypto::ErrorCode;
using securebase::fuzz::AsSpan;
using securebase::fuzz::GetWorld;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1024) return 0;
  const auto& w = GetWorld();
  const auto input = AsSpan(data, size);
  auto parsed = securebase::crypto::ParseDeviceBinding(input);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == ErrorCode::kInvalidMessage);
    FUZZ_CHECK(
        !securebase::crypto::ParseAndVerifyDeviceBinding(w.bob_identity.public_key(), input).ok());
    return 0;
  }
  const auto round_trip = securebase::crypto::SerializeDeviceBinding(*parsed);
  FUZZ_CHECK(round_trip.size() == size && std::equal(round_trip.begin(), round_trip.end(), data));

  const auto by_bob =
      securebase::crypto::VerifyDeviceBindingRecord(w.bob_identity.public_key(), *parsed);
  if (by_bob.ok()) {
    FUZZ_CHECK(round_trip == w.bob_device_binding);
  } else {
    FUZZ_CHECK(by_bob.code() == ErrorCode::kBadSignature);
  }
  const auto by_carol =
      securebase::crypto::VerifyDeviceBindingRecord(w.carol_identity.public_key(), *parsed);
  FUZZ_CHECK(!by_carol.ok() && by_carol.code() == ErrorCode::kBadSignature);
  return 0;
}
