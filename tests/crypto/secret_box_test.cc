#include "securebase/crypto/secret_box.h"

#include <gtest/gtest.h>

#include <string>

#include "securebase/crypto/encoding.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

TEST(SecretBoxTest, RoundTripsUnderTheSameKeyAndContext) {
  testing::DeterministicRandom rng(1);
  SecretBoxKey key = SecretBoxKey::Generate(rng);
  const std::string text = "Dr. Rivera - office hours Mon-Thu";
  auto sealed = SealBox(key, "invite-profile", AsBytes(text), rng);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), text.size() + kSecretBoxOverhead);
  auto opened = OpenBox(key, "invite-profile", *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(std::string(opened->span().begin(), opened->span().end()), text);

  // A key rebuilt from its exported bytes opens it too.
  auto copy = SecretBoxKey::FromBytes(key.bytes());
  ASSERT_TRUE(copy.ok());
  EXPECT_TRUE(OpenBox(*copy, "invite-profile", *sealed).ok());
}

TEST(SecretBoxTest, RefusesOtherContextOtherKeyAndAnyModification) {
  testing::DeterministicRandom rng(2);
  SecretBoxKey key = SecretBoxKey::Generate(rng);
  SecretBoxKey other = SecretBoxKey::Generate(rng);
  auto sealed = SealBox(key, "a", AsBytes("secret"), rng);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(OpenBox(key, "b", *sealed).status().code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(OpenBox(other, "a", *sealed).status().code(), ErrorCode::kInvalidMessage);
  for (size_t i = 0; i < sealed->size(); ++i) {
    Bytes tampered = *sealed;
    tampered[i] ^= 0x01;
    EXPECT_FALSE(OpenBox(key, "a", tampered).ok()) << "byte " << i;
  }
  for (size_t n = 0; n < sealed->size(); ++n) {
    EXPECT_FALSE(OpenBox(key, "a", ByteSpan(sealed->data(), n)).ok()) << "length " << n;
  }
}

TEST(SecretBoxTest, RejectsWrongKeyLength) {
  Bytes short_key(31, 7);
  EXPECT_EQ(SecretBoxKey::FromBytes(short_key).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace securebase::crypto
