// RecordSealer (record_sealer.h): the same sealed record v1 as SealRecord /
// OpenRecord, checked both ways, with nonces that never repeat.
#include "securebase/crypto/record_sealer.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/sealed_storage.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;

class RecordSealerTest : public ::testing::Test {
 protected:
  RecordSealerTest() : rng_(0x5EA1), key_(VaultKey::Generate(rng_)) {}
  DeterministicRandom rng_;
  VaultKey key_;
};

TEST_F(RecordSealerTest, OpenRecordOpensWhatTheSealerSeals) {
  RecordSealer sealer(key_, rng_);
  for (const std::string& text :
       {std::string(), std::string("history/abc#1 body"), std::string(100000, 'x')}) {
    auto sealed = sealer.Seal("history/abc#1", AsBytes(text));
    ASSERT_TRUE(sealed.ok());
    auto opened = OpenRecord(key_, "history/abc#1", *sealed);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(AsStringView(opened->span()), text);
    auto own = sealer.Open("history/abc#1", *sealed);
    ASSERT_TRUE(own.ok());
    EXPECT_EQ(AsStringView(own->span()), text);
  }
}

TEST_F(RecordSealerTest, TheSealerOpensWhatSealRecordSeals) {
  const std::string long_name(1000, 'n');  // Longer than the inline buffer.
  for (const std::string& name : {std::string("contacts"), std::string(), long_name}) {
    auto sealed = SealRecord(key_, name, AsBytes("a record"), rng_);
    ASSERT_TRUE(sealed.ok());
    RecordSealer sealer(key_, rng_);
    auto opened = sealer.Open(name, *sealed);
    ASSERT_TRUE(opened.ok()) << name.size();
    EXPECT_EQ(AsStringView(opened->span()), "a record");
  }
}

TEST_F(RecordSealerTest, OtherNameOtherKeyTamperingAndGarbageAreRefused) {
  RecordSealer sealer(key_, rng_);
  const Bytes sealed = sealer.Seal("name", AsBytes("secret")).value();
  EXPECT_FALSE(sealer.Open("other", sealed).ok());
  VaultKey other_key = VaultKey::Generate(rng_);
  EXPECT_FALSE(RecordSealer(other_key, rng_).Open("name", sealed).ok());
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes tampered = sealed;
    tampered[i] ^= 0x01;
    auto refused = sealer.Open("name", tampered);
    ASSERT_FALSE(refused.ok()) << "byte " << i;
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidMessage);
  }
  EXPECT_FALSE(sealer.Open("name", Bytes{}).ok());
  EXPECT_FALSE(sealer.Open("name", Bytes(sealed.begin(), sealed.begin() + 40)).ok());
}

TEST_F(RecordSealerTest, NoncesNeverRepeatWithinOrAcrossSealers) {
  std::set<std::string> nonces;
  for (int s = 0; s < 4; ++s) {
    RecordSealer sealer(key_, rng_);
    for (int i = 0; i < 500; ++i) {
      const Bytes sealed = sealer.Seal("n", AsBytes("same plaintext")).value();
      ASSERT_TRUE(nonces.insert(std::string(sealed.begin() + 1, sealed.begin() + 25)).second);
    }
  }
}

TEST_F(RecordSealerTest, OversizedPlaintextIsInvalidArgument) {
  RecordSealer sealer(key_, rng_);
  // One byte over the largest record the format holds (no allocation of
  // 64 MiB for the plaintext: a span over a small buffer's length claim
  // would be invalid, so build the real size once).
  const Bytes big(kMaxSealedRecordSize - 40, 0);
  auto refused = sealer.Seal("n", big);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace securebase::crypto
