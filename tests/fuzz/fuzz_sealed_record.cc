// OpenRecord on arbitrary bytes with the fixed vault key and record name.
// Seeds: records sealed under that key and name (empty, short, 1 KiB), and one
// sealed under another name.
//
// Checks: refusal is kInvalidMessage; a record that opens yields exactly
// sealed size - overhead bytes, and re-seals and opens to the same plaintext.
#include <cstddef>
#include <cstdint>

#include "securebase/crypto/sealed_storage.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using securebase::crypto::ErrorCode;
using securebase::fuzz::AsSpan;
using securebase::fuzz::FuzzRandom;
using securebase::fuzz::GetWorld;
using securebase::fuzz::kRecordName;

constexpr size_t kMaxInput = 1024 * 1024;
constexpr size_t kRecordOverhead = 1 + 24 + 16;  // version | nonce | tag

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  const auto& key = *GetWorld().vault_key;

  auto opened = securebase::crypto::OpenRecord(key, kRecordName, AsSpan(data, size));
  if (!opened.ok()) {
    FUZZ_CHECK(opened.status().code() == ErrorCode::kInvalidMessage);
    return 0;
  }
  FUZZ_CHECK(opened->size() + kRecordOverhead == size);
  FuzzRandom rng(size);
  auto resealed = securebase::crypto::SealRecord(key, kRecordName, opened->span(), rng);
  FUZZ_CHECK(resealed.ok());
  auto reopened = securebase::crypto::OpenRecord(key, kRecordName, *resealed);
  FUZZ_CHECK(reopened.ok() && reopened->Equals(*opened));
  auto other_name = securebase::crypto::OpenRecord(key, "fuzz/other", *resealed);
  FUZZ_CHECK(!other_name.ok());
  return 0;
}
