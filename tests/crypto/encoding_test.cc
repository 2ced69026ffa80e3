// encoding.h: byte views and hex, the one place they are written.
#include "securebase/crypto/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace securebase::crypto {
namespace {

TEST(Encoding, HexRoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string hex = ToHex(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 6), "000102");
  EXPECT_EQ(hex.substr(506), "fdfeff");
  EXPECT_EQ(FromHex(hex), all);
  EXPECT_EQ(ToHex(AsBytes(all)), hex);
}

TEST(Encoding, FromHexAcceptsEitherCaseAndRefusesMalformedInput) {
  EXPECT_EQ(FromHex("ABcd"), std::string("\xab\xcd"));
  EXPECT_EQ(FromHex(""), std::string());
  EXPECT_FALSE(FromHex("abc").has_value());
  EXPECT_FALSE(FromHex("zz").has_value());
  EXPECT_FALSE(FromHex("0g").has_value());
  EXPECT_FALSE(FromHex(" 00").has_value());
}

TEST(Encoding, ByteViewsDoNotCopy) {
  const std::string text = "bytes";
  ByteSpan bytes = AsBytes(text);
  EXPECT_EQ(static_cast<const void*>(bytes.data()), static_cast<const void*>(text.data()));
  EXPECT_EQ(AsStringView(bytes), "bytes");
  EXPECT_EQ(AsStringView(bytes).data(), text.data());
}

}  // namespace
}  // namespace securebase::crypto
