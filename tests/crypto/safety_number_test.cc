// Safety numbers and identity fingerprints (safety_number.h).
#include "securebase/crypto/safety_number.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/signature.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;

IdentityPublicKey Flipped(const IdentityPublicKey& key, size_t index) {
  std::array<uint8_t, kEd25519PublicKeySize> bytes = key.array();
  bytes[index] ^= 0x01;
  return IdentityPublicKey(bytes);
}

// Splits a safety number into its two 30-digit halves (digits only).
std::array<std::string, 2> Halves(const std::string& number) {
  std::string digits;
  for (char c : number) {
    if (c != ' ') digits.push_back(c);
  }
  return {digits.substr(0, 30), digits.substr(30)};
}

class SafetyNumberTest : public ::testing::Test {
 protected:
  SafetyNumberTest()
      : rng_(0x5AFE),
        alice_(IdentityKeyPair::Generate(rng_).public_key()),
        bob_(IdentityKeyPair::Generate(rng_).public_key()),
        carol_(IdentityKeyPair::Generate(rng_).public_key()) {}

  DeterministicRandom rng_;
  IdentityPublicKey alice_;
  IdentityPublicKey bob_;
  IdentityPublicKey carol_;
};

TEST_F(SafetyNumberTest, SameWhicheverWayRound) {
  EXPECT_EQ(SafetyNumber(alice_, bob_), SafetyNumber(bob_, alice_));
  EXPECT_EQ(SafetyNumber(alice_, carol_), SafetyNumber(carol_, alice_));
}

TEST_F(SafetyNumberTest, TwelveGroupsOfFiveDigits) {
  for (const std::string& number :
       {SafetyNumber(alice_, bob_), SafetyNumber(bob_, carol_), SafetyNumber(alice_, alice_)}) {
    ASSERT_EQ(number.size(), kSafetyNumberDigits + 11) << number;
    size_t digits = 0;
    for (size_t i = 0; i < number.size(); ++i) {
      if (i % 6 == 5) {
        EXPECT_EQ(number[i], ' ') << number;
      } else {
        EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(number[i]))) << number;
        ++digits;
      }
    }
    EXPECT_EQ(digits, kSafetyNumberDigits);
  }
}

TEST_F(SafetyNumberTest, DeterministicAcrossCalls) {
  const std::string first = SafetyNumber(alice_, bob_);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(SafetyNumber(alice_, bob_), first);
  // Same key bytes in a fresh object.
  EXPECT_EQ(SafetyNumber(IdentityPublicKey(alice_.array()), IdentityPublicKey(bob_.array())),
            first);
}

TEST_F(SafetyNumberTest, ChangesWhenEitherKeyChanges) {
  const std::string original = SafetyNumber(alice_, bob_);
  EXPECT_NE(SafetyNumber(carol_, bob_), original);
  EXPECT_NE(SafetyNumber(alice_, carol_), original);
  for (size_t i = 0; i < kEd25519PublicKeySize; ++i) {
    EXPECT_NE(SafetyNumber(Flipped(alice_, i), bob_), original) << i;
    EXPECT_NE(SafetyNumber(alice_, Flipped(bob_, i)), original) << i;
  }
}

TEST_F(SafetyNumberTest, EachHalfDependsOnOneKeyOnly) {
  // Documented construction: a 30-digit half per identity key, sorted, joined.
  const auto ab = Halves(SafetyNumber(alice_, bob_));
  const auto ac = Halves(SafetyNumber(alice_, carol_));
  const auto bc = Halves(SafetyNumber(bob_, carol_));
  auto shared = [](const std::array<std::string, 2>& x, const std::array<std::string, 2>& y) {
    std::vector<std::string> common;
    for (const std::string& h : x) {
      if (h == y[0] || h == y[1]) common.push_back(h);
    }
    return common;
  };
  // alice's half appears in both numbers that involve alice, and so on.
  EXPECT_EQ(shared(ab, ac).size(), 1u);
  EXPECT_EQ(shared(ab, bc).size(), 1u);
  EXPECT_EQ(shared(ac, bc).size(), 1u);
  EXPECT_NE(shared(ab, ac)[0], shared(ab, bc)[0]);
  // A number of a key with itself is that key's half twice.
  const auto aa = Halves(SafetyNumber(alice_, alice_));
  EXPECT_EQ(aa[0], aa[1]);
  EXPECT_EQ(aa[0], shared(ab, ac)[0]);
}

TEST_F(SafetyNumberTest, DistinctForManyKeys) {
  std::set<std::string> numbers;
  for (int i = 0; i < 50; ++i) {
    numbers.insert(SafetyNumber(alice_, IdentityKeyPair::Generate(rng_).public_key()));
  }
  EXPECT_EQ(numbers.size(), 50u);
}

TEST_F(SafetyNumberTest, FingerprintMatchesOnlyItsKey) {
  const IdentityFingerprint fingerprint = FingerprintIdentity(alice_);
  EXPECT_TRUE(FingerprintMatches(fingerprint, alice_));
  EXPECT_FALSE(FingerprintMatches(fingerprint, bob_));
  for (size_t i = 0; i < kEd25519PublicKeySize; ++i) {
    EXPECT_FALSE(FingerprintMatches(fingerprint, Flipped(alice_, i))) << i;
  }
  for (size_t i = 0; i < kIdentityFingerprintSize; ++i) {
    IdentityFingerprint changed = fingerprint;
    changed[i] ^= 0x01;
    EXPECT_FALSE(FingerprintMatches(changed, alice_)) << i;
  }
}

TEST_F(SafetyNumberTest, FingerprintIsDeterministicAndKeyed) {
  EXPECT_EQ(FingerprintIdentity(alice_), FingerprintIdentity(alice_));
  EXPECT_NE(FingerprintIdentity(alice_), FingerprintIdentity(bob_));
  // The documented construction, computed independently with libsodium:
  // BLAKE2b-256 of the key, keyed by the label.
  EnsureSodiumInitialized();
  constexpr std::string_view kLabel = "SecureBase/v1/identity-fingerprint";
  IdentityFingerprint expected{};
  ASSERT_EQ(
      crypto_generichash(expected.data(), expected.size(), alice_.data(), alice_.size(),
                         reinterpret_cast<const unsigned char*>(kLabel.data()), kLabel.size()),
      0);
  EXPECT_EQ(FingerprintIdentity(alice_), expected);
  // Not a bare hash of the key.
  IdentityFingerprint unkeyed{};
  ASSERT_EQ(
      crypto_generichash(unkeyed.data(), unkeyed.size(), alice_.data(), alice_.size(), nullptr, 0),
      0);
  EXPECT_NE(FingerprintIdentity(alice_), unkeyed);
}

}  // namespace
}  // namespace securebase::crypto
