// The Argon2id cost bounds of wrapped vault keys (sealed_storage.h, limits.h),
// playing a local attacker who edits vault.key: raising the cost must not make
// unlocking take seconds and gigabytes, lowering it must not make the
// passphrase cheap to guess. Both are refused with kInvalidMessage before any
// Argon2id work.
//
// This file is built twice (tests/crypto/CMakeLists.txt): against the test
// build's library, which accepts the test cost, and against a copy of
// sealed_storage.cc compiled as a production build is (no
// SECUREBASE_TEST_PASSPHRASE_COST). SECUREBASE_EXPECT_TEST_PASSPHRASE_COST
// tells the binary which one it is, so the lower bound is checked for both.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdint>
#include <string_view>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/sealed_storage.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"
#include "tests/testing/deterministic_random.h"

#ifndef SECUREBASE_EXPECT_TEST_PASSPHRASE_COST
#error "set SECUREBASE_EXPECT_TEST_PASSPHRASE_COST to 0 or 1"
#endif

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;

constexpr bool kTestCostExpected = SECUREBASE_EXPECT_TEST_PASSPHRASE_COST != 0;
// Distinct test names for the two builds of this file.
#if SECUREBASE_EXPECT_TEST_PASSPHRASE_COST
#define PASSPHRASE_BOUNDS_TEST PassphraseBoundsTest
#else
#define PASSPHRASE_BOUNDS_TEST ProductionPassphraseBoundsTest
#endif
// Wrapped key v1: 0x01 | ops(8 BE) | mem(8 BE) | salt(16) | nonce(24) | enc key(48)
constexpr size_t kOpsOffset = 1;
constexpr size_t kMemOffset = 9;
constexpr std::string_view kPassphrase = "correct horse battery staple";
constexpr uint64_t kMiB = uint64_t{1} << 20;

ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

void WriteBigEndian64(Bytes& bytes, size_t offset, uint64_t value) {
  for (size_t i = 0; i < 8; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (56 - 8 * i));
}

// The process's peak resident set so far, in bytes.
uint64_t PeakRss() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

struct Cost {
  const char* what;
  uint64_t ops;
  uint64_t mem;
};

class PASSPHRASE_BOUNDS_TEST : public ::testing::Test {
 protected:
  PASSPHRASE_BOUNDS_TEST() : rng_(0xA2602), key_(VaultKey::Generate(rng_)) {}

  // A key wrapped at the cheapest cost this build accepts, then edited to `cost`.
  Bytes WrappedThenEdited(const Cost& cost) {
    const PassphraseHashParams cheapest = kTestCostExpected
                                              ? PassphraseHashParams::MinimumForTesting()
                                              : PassphraseHashParams::Interactive();
    auto wrapped = WrapVaultKey(key_, AsBytes(kPassphrase), cheapest, rng_);
    EXPECT_TRUE(wrapped.ok()) << wrapped.status().ToString();
    Bytes edited = wrapped.ok() ? *wrapped : Bytes(1 + 8 + 8 + 16 + 24 + 48);
    WriteBigEndian64(edited, kOpsOffset, cost.ops);
    WriteBigEndian64(edited, kMemOffset, cost.mem);
    return edited;
  }

  DeterministicRandom rng_;
  VaultKey key_;
};

TEST_F(PASSPHRASE_BOUNDS_TEST, BuildSaysWhetherTheTestCostIsCompiledIn) {
  EXPECT_EQ(TestPassphraseCostCompiledIn(), kTestCostExpected);
}

TEST_F(PASSPHRASE_BOUNDS_TEST, LimitsAreLibsodiumInteractiveAndFourPassesOver256MiB) {
  EXPECT_EQ(kMinPassphraseOpsLimit, 2u);
  EXPECT_EQ(kMinPassphraseMemLimit, 64 * kMiB);
  EXPECT_EQ(kMaxPassphraseOpsLimit, 4u);
  EXPECT_EQ(kMaxPassphraseMemLimit, 256 * kMiB);
  const PassphraseHashParams interactive = PassphraseHashParams::Interactive();
  EXPECT_EQ(interactive.ops_limit, kMinPassphraseOpsLimit);
  EXPECT_EQ(interactive.mem_limit, kMinPassphraseMemLimit);
  const PassphraseHashParams moderate;  // The default.
  EXPECT_LE(moderate.ops_limit, kMaxPassphraseOpsLimit);
  EXPECT_LE(moderate.mem_limit, kMaxPassphraseMemLimit);
}

// The reviewer's finding: an edited vault.key forced 16 passes over 1 GiB
// (12 s and 1 GB peak). Now refused as malformed, and no Argon2id memory is
// ever allocated (the peak resident set does not grow by the amount asked).
TEST_F(PASSPHRASE_BOUNDS_TEST, EditedKeyAskingForTooMuchIsRefusedWithoutAllocating) {
  for (const Cost& cost : {
           Cost{"16 passes over 1 GiB (the old maximum)", 16, 1024 * kMiB},
           Cost{"4 passes over 1 GiB", 4, 1024 * kMiB},
           Cost{"4 passes over 256 MiB + 1 KiB", 4, 256 * kMiB + 1024},
           Cost{"5 passes over 256 MiB", 5, 256 * kMiB},
           Cost{"5 passes over 64 MiB", 5, 64 * kMiB},
       }) {
    const Bytes edited = WrappedThenEdited(cost);
    const uint64_t peak_before = PeakRss();
    auto unwrapped = UnwrapVaultKey(edited, AsBytes(kPassphrase));
    const uint64_t peak_after = PeakRss();
    ASSERT_FALSE(unwrapped.ok()) << cost.what;
    EXPECT_EQ(unwrapped.status().code(), ErrorCode::kInvalidMessage) << cost.what;
    EXPECT_NE(unwrapped.status().message().find("out of bounds"), std::string::npos)
        << unwrapped.status().message();
    EXPECT_LT(peak_after - peak_before, 16 * kMiB) << cost.what;
    // Wrapping with it is a caller error.
    EXPECT_EQ(WrapVaultKey(key_, AsBytes(kPassphrase), {cost.ops, cost.mem}, rng_).status().code(),
              ErrorCode::kInvalidArgument)
        << cost.what;
  }
}

// An edited vault.key must not make the passphrase cheaper to guess than
// libsodium's INTERACTIVE cost; only a test build goes lower, and even it
// never below libsodium's own minimum.
TEST_F(PASSPHRASE_BOUNDS_TEST, EditedKeyAskingForTooLittleIsRefused) {
  std::vector<Cost> too_low = {
      Cost{"0 passes", 0, 64 * kMiB},
      Cost{"below libsodium's minimum memory", 2, 8191},
      Cost{"no memory", 2, 0},
  };
  if (!kTestCostExpected) {
    too_low.push_back(Cost{"the test cost (1 pass, 8 KiB)", 1, 8 * 1024});
    too_low.push_back(Cost{"1 pass over 64 MiB", 1, 64 * kMiB});
    too_low.push_back(Cost{"2 passes over 64 MiB - 1 KiB", 2, 64 * kMiB - 1024});
    too_low.push_back(Cost{"4 passes over 32 MiB", 4, 32 * kMiB});
  }
  for (const Cost& cost : too_low) {
    auto unwrapped = UnwrapVaultKey(WrappedThenEdited(cost), AsBytes(kPassphrase));
    ASSERT_FALSE(unwrapped.ok()) << cost.what;
    EXPECT_EQ(unwrapped.status().code(), ErrorCode::kInvalidMessage) << cost.what;
    EXPECT_EQ(WrapVaultKey(key_, AsBytes(kPassphrase), {cost.ops, cost.mem}, rng_).status().code(),
              ErrorCode::kInvalidArgument)
        << cost.what;
  }
}

TEST_F(PASSPHRASE_BOUNDS_TEST, TestCostOnlyInTestBuilds) {
  auto wrapped =
      WrapVaultKey(key_, AsBytes(kPassphrase), PassphraseHashParams::MinimumForTesting(), rng_);
  if (!kTestCostExpected) {
    ASSERT_FALSE(wrapped.ok());
    EXPECT_EQ(wrapped.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(wrapped.status().message().find("test builds"), std::string::npos)
        << wrapped.status().message();
    return;
  }
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  auto unwrapped = UnwrapVaultKey(*wrapped, AsBytes(kPassphrase));
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(ConstantTimeEquals(unwrapped->BytesForTesting(), key_.BytesForTesting()));
}

// The bounds themselves are accepted (and the parameters stay bound: an edit
// within bounds is a wrong key, not a different vault).
TEST_F(PASSPHRASE_BOUNDS_TEST, InteractiveCostRoundTripsInEveryBuild) {
  auto wrapped =
      WrapVaultKey(key_, AsBytes(kPassphrase), PassphraseHashParams::Interactive(), rng_);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  auto unwrapped = UnwrapVaultKey(*wrapped, AsBytes(kPassphrase));
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(ConstantTimeEquals(unwrapped->BytesForTesting(), key_.BytesForTesting()));
  Bytes more_passes = *wrapped;
  WriteBigEndian64(more_passes, kOpsOffset, 3);
  EXPECT_EQ(UnwrapVaultKey(more_passes, AsBytes(kPassphrase)).status().code(),
            ErrorCode::kWrongPassphrase);
}

}  // namespace
}  // namespace securebase::crypto
