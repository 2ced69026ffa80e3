// UnwrapVaultKey on arbitrary bytes with a fixed passphrase. Seeds: the fixed
// vault key wrapped with minimal Argon2id parameters under the right and a
// wrong passphrase, and blobs with out-of-bounds parameters.
//
// Argon2id cost: a blob may ask for up to kMaxPassphraseOpsLimit passes over
// kMaxPassphraseMemLimit bytes (seconds per input), which would stall the
// fuzzer. So an input whose parameters are in bounds but not cheap has them
// rewritten to the minimum (1 pass, 8 KiB) before the call; out-of-bounds
// parameters are passed unchanged, since they must be refused before any
// Argon2id work (a slow unit there is a finding: libFuzzer reports timeouts).
//
// Checks: out-of-bounds parameters give kInvalidMessage; an unwrap that
// succeeds returns exactly the fixed vault key (it "never returns a wrong key").
#include <cstddef>
#include <cstdint>
#include <vector>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/sealed_storage.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using securebase::crypto::ErrorCode;
using securebase::fuzz::AsSpan;
using securebase::fuzz::GetWorld;
using securebase::fuzz::kPassphrase;

// wrapped key v1: 0x01 | ops(8 BE) | mem(8 BE) | salt(16) | nonce(24) | enc key(48)
constexpr size_t kWrappedKeySize = 1 + 8 + 8 + 16 + 24 + 48;
constexpr size_t kOpsOffset = 1;
constexpr size_t kMemOffset = 9;
constexpr uint64_t kMinOps = 1;          // crypto_pwhash_OPSLIMIT_MIN
constexpr uint64_t kMinMem = 8192;       // crypto_pwhash_MEMLIMIT_MIN
constexpr uint64_t kCheapOps = 2;
constexpr uint64_t kCheapMem = 64 * 1024;

uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
void PutU64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  GetWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::vector<uint8_t> input(data, data + size);
  bool in_bounds = false;
  if (size >= kMemOffset + 8) {
    const uint64_t ops = GetU64(&input[kOpsOffset]);
    const uint64_t mem = GetU64(&input[kMemOffset]);
    in_bounds = ops >= kMinOps && ops <= securebase::crypto::kMaxPassphraseOpsLimit &&
                mem >= kMinMem && mem <= securebase::crypto::kMaxPassphraseMemLimit;
    if (in_bounds && (ops > kCheapOps || mem > kCheapMem)) {
      PutU64(&input[kOpsOffset], kMinOps);
      PutU64(&input[kMemOffset], kMinMem);
    }
  }

  auto key = securebase::crypto::UnwrapVaultKey(input, AsSpan(kPassphrase));
  if (!key.ok()) {
    if (size == kWrappedKeySize && input[0] == 0x01 && !in_bounds) {
      FUZZ_CHECK(key.status().code() == ErrorCode::kInvalidMessage);
    }
    return 0;
  }
  FUZZ_CHECK(size == kWrappedKeySize && in_bounds);
  FUZZ_CHECK(securebase::crypto::ConstantTimeEquals(
      key->BytesForTesting(), GetWorld().vault_key->BytesForTesting()));
  return 0;
}
