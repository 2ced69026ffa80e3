// HKDF-SHA256 against RFC 5869 Appendix A (A.1-A.3) and the limits of hkdf.h.
#include "securebase/crypto/hkdf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"
#include "tests/vectors/rfc5869_sha256.h"

namespace securebase::vectors {

// Names the vector in test output instead of dumping the struct's bytes.
void PrintTo(const Rfc5869Sha256Case& c, std::ostream* os) { *os << "RFC 5869 " << c.name; }

}  // namespace securebase::vectors

namespace securebase::crypto {
namespace {

using ::securebase::vectors::kRfc5869Sha256Cases;
using ::securebase::vectors::Rfc5869Sha256Case;

Bytes FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  EXPECT_EQ(hex.size() % 2, 0u) << hex;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = nibble(hex[i]);
    int lo = nibble(hex[i + 1]);
    EXPECT_TRUE(hi >= 0 && lo >= 0) << hex;
    out.push_back(static_cast<uint8_t>((hi << 4) | lo));
  }
  return out;
}

Bytes ToVector(ByteSpan span) { return Bytes(span.begin(), span.end()); }

class Rfc5869Test : public ::testing::TestWithParam<Rfc5869Sha256Case> {};

TEST_P(Rfc5869Test, ExtractGivesPrk) {
  const Rfc5869Sha256Case& c = GetParam();
  SecretArray<kHkdfHashSize> prk = HkdfExtract(FromHex(c.salt), FromHex(c.ikm));
  EXPECT_EQ(ToVector(prk.span()), FromHex(c.prk));
}

TEST_P(Rfc5869Test, ExpandGivesOkm) {
  const Rfc5869Sha256Case& c = GetParam();
  Bytes okm(c.length, 0xAA);
  ASSERT_TRUE(HkdfExpand(FromHex(c.prk), FromHex(c.info), okm).ok());
  EXPECT_EQ(okm, FromHex(c.okm));
}

TEST_P(Rfc5869Test, OneShotGivesOkm) {
  const Rfc5869Sha256Case& c = GetParam();
  Bytes okm(c.length, 0xAA);
  ASSERT_TRUE(Hkdf(FromHex(c.salt), FromHex(c.ikm), FromHex(c.info), okm).ok());
  EXPECT_EQ(okm, FromHex(c.okm));
}

TEST_P(Rfc5869Test, ShorterOutputIsPrefixOfLonger) {
  const Rfc5869Sha256Case& c = GetParam();
  const Bytes expected = FromHex(c.okm);
  for (size_t length = 0; length <= expected.size(); ++length) {
    Bytes okm(length, 0xAA);
    ASSERT_TRUE(HkdfExpand(FromHex(c.prk), FromHex(c.info), okm).ok()) << length;
    EXPECT_TRUE(std::equal(okm.begin(), okm.end(), expected.begin())) << length;
  }
}

INSTANTIATE_TEST_SUITE_P(AppendixA, Rfc5869Test, ::testing::ValuesIn(kRfc5869Sha256Cases),
                         [](const ::testing::TestParamInfo<Rfc5869Sha256Case>& param_info) {
                           std::string name(param_info.param.name);
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

TEST(HkdfTest, EmptySaltIsHashLenZeroBytes) {
  const Bytes ikm = FromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const std::array<uint8_t, kHkdfHashSize> zeros{};
  EXPECT_TRUE(HkdfExtract(ByteSpan(), ikm).Equals(HkdfExtract(zeros, ikm)));

  const Bytes info = FromHex("f0f1f2");
  Bytes with_empty(100), with_zeros(100);
  ASSERT_TRUE(Hkdf(ByteSpan(), ikm, info, with_empty).ok());
  ASSERT_TRUE(Hkdf(zeros, ikm, info, with_zeros).ok());
  EXPECT_EQ(with_empty, with_zeros);

  // A non-zero salt does make a difference.
  EXPECT_FALSE(HkdfExtract(Bytes{0x01}, ikm).Equals(HkdfExtract(ByteSpan(), ikm)));
}

TEST(HkdfTest, ExpandsUpTo255Blocks) {
  const SecretArray<kHkdfHashSize> prk = HkdfExtract(ByteSpan(), FromHex("0102030405"));
  const Bytes info = FromHex("696e666f");
  Bytes longest(kHkdfMaxOutputSize, 0xAA);
  ASSERT_EQ(longest.size(), 255u * 32u);
  ASSERT_TRUE(HkdfExpand(prk.span(), info, longest).ok());
  // Every shorter expansion is a prefix of the longest one (same T(i) blocks).
  for (size_t length : {size_t{0}, size_t{1}, size_t{31}, size_t{32}, size_t{33}, size_t{64},
                        size_t{4000}, kHkdfMaxOutputSize - 1}) {
    Bytes out(length, 0xAA);
    ASSERT_TRUE(HkdfExpand(prk.span(), info, out).ok()) << length;
    EXPECT_TRUE(std::equal(out.begin(), out.end(), longest.begin())) << length;
  }
  // The last block is not a repetition of an earlier one (counter wraps nowhere).
  const auto last = longest.end() - 32;
  for (auto block = longest.begin(); block != last; block += 32) {
    EXPECT_FALSE(std::equal(block, block + 32, last));
  }

  Bytes one_shot(kHkdfMaxOutputSize, 0xAA);
  EXPECT_TRUE(Hkdf(ByteSpan(), FromHex("0102030405"), info, one_shot).ok());
  EXPECT_EQ(one_shot, longest);
}

TEST(HkdfTest, RefusesMoreThan255BlocksAndZeroesOutput) {
  const SecretArray<kHkdfHashSize> prk = HkdfExtract(ByteSpan(), FromHex("0102030405"));
  for (size_t length : {kHkdfMaxOutputSize + 1, kHkdfMaxOutputSize + 32, size_t{1} << 20}) {
    Bytes out(length, 0xAA);
    Status status = HkdfExpand(prk.span(), ByteSpan(), out);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << length;
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; })) << length;

    Bytes out2(length, 0xAA);
    Status status2 = Hkdf(ByteSpan(), FromHex("01"), ByteSpan(), out2);
    EXPECT_EQ(status2.code(), ErrorCode::kInvalidArgument) << length;
    EXPECT_TRUE(std::all_of(out2.begin(), out2.end(), [](uint8_t b) { return b == 0; })) << length;
  }
}

TEST(HkdfTest, RefusesShortPrkAndZeroesOutput) {
  for (size_t prk_size : {size_t{0}, size_t{1}, kHkdfHashSize - 1}) {
    const Bytes prk(prk_size, 0x42);
    Bytes out(32, 0xAA);
    Status status = HkdfExpand(prk, ByteSpan(), out);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << prk_size;
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
  }
  // A longer PRK is a valid HMAC key.
  const Bytes long_prk(64, 0x42);
  Bytes out(32);
  EXPECT_TRUE(HkdfExpand(long_prk, ByteSpan(), out).ok());
}

TEST(HkdfTest, InfoSeparatesOutputs) {
  const SecretArray<kHkdfHashSize> prk = HkdfExtract(FromHex("00"), FromHex("0102030405"));
  Bytes a(32), b(32);
  ASSERT_TRUE(HkdfExpand(prk.span(), FromHex("61"), a).ok());
  ASSERT_TRUE(HkdfExpand(prk.span(), FromHex("62"), b).ok());
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace securebase::crypto
