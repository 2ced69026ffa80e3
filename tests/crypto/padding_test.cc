// Length-hiding padding (padding.h): bucket sizes and the ISO/IEC 7816-4 pad.
#include "securebase/crypto/padding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>

#include "securebase/crypto/limits.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {
namespace {

Bytes Pattern(size_t size, uint8_t seed) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(seed + 31 * i + (i >> 8));
  return out;
}

bool SameBytes(ByteSpan a, ByteSpan b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// Pads then unpads `plaintext`, checking the padded size on the way.
void ExpectRoundTrip(ByteSpan plaintext) {
  auto padded = Pad(plaintext);
  ASSERT_TRUE(padded.ok()) << plaintext.size() << ": " << padded.status().ToString();
  EXPECT_EQ(padded->size(), PaddedSize(plaintext.size())) << plaintext.size();
  ASSERT_TRUE(Unpad(*padded).ok()) << plaintext.size();
  EXPECT_TRUE(SameBytes(padded->span(), plaintext)) << plaintext.size();
}

TEST(PaddedSizeTest, ShortMessagesShareTheMinimumBucket) {
  for (size_t length = 0; length < kMinPaddedSize; ++length) {
    EXPECT_EQ(PaddedSize(length), kMinPaddedSize) << length;
  }
  EXPECT_GT(PaddedSize(kMinPaddedSize), kMinPaddedSize);
}

TEST(PaddedSizeTest, GreaterThanLengthMonotonicAndAtLeastMinimum) {
  size_t previous = 0;
  for (size_t length = 0; length <= kMaxPlaintextSize + 1024; ++length) {
    const size_t padded = PaddedSize(length);
    ASSERT_GT(padded, length);
    ASSERT_GE(padded, kMinPaddedSize) << length;
    ASSERT_GE(padded, previous) << length;
    previous = padded;
  }
}

TEST(PaddedSizeTest, OverheadAboveMinimumIsAtMostTwelvePercent) {
  for (size_t length = kMinPaddedSize; length <= kMaxPlaintextSize; ++length) {
    const size_t overhead = PaddedSize(length) - length;
    ASSERT_LE(overhead * 100, length * 12) << length << " -> " << PaddedSize(length);
  }
}

TEST(PaddedSizeTest, FewBucketsSoLengthsLeakLittle) {
  // Padmé gives O(log n) buckets per doubling of length: about 160-330 distinct
  // sizes up to 128 KiB depending on rounding details. Rounding to a fixed
  // block (say 256 bytes) would give 512, to 16 bytes over 8,000.
  std::set<size_t> buckets;
  for (size_t length = 0; length <= kMaxPlaintextSize; ++length) {
    buckets.insert(PaddedSize(length));
  }
  EXPECT_LE(buckets.size(), 400u);
  // And bucketing does happen above the minimum too.
  EXPECT_EQ(PaddedSize(1000), PaddedSize(1001));
  EXPECT_EQ(PaddedSize(100000), PaddedSize(100001));
}

TEST(PadTest, RoundTripsEveryLengthUpTo5000) {
  const Bytes source = Pattern(5000, 7);
  for (size_t length = 0; length <= source.size(); ++length) {
    ExpectRoundTrip(ByteSpan(source).first(length));
  }
}

TEST(PadTest, RoundTripsAtTheLimit) {
  ExpectRoundTrip(Pattern(kMaxPlaintextSize, 3));
  ExpectRoundTrip(Pattern(kMaxPlaintextSize - 1, 3));
}

TEST(PadTest, RoundTripsContentThatLooksLikePadding) {
  // ISO/IEC 7816-4 strips zeros then one 0x80 marker: trailing 0x00 and 0x80
  // bytes of the plaintext itself must survive.
  for (size_t length : {size_t{1}, size_t{255}, size_t{256}, size_t{1000}}) {
    ExpectRoundTrip(Bytes(length, 0x00));
    ExpectRoundTrip(Bytes(length, 0x80));
    Bytes mixed = Pattern(length, 1);
    mixed.back() = 0x80;
    ExpectRoundTrip(mixed);
    mixed.back() = 0x00;
    ExpectRoundTrip(mixed);
  }
}

TEST(PadTest, RefusesOverTheLimit) {
  EXPECT_EQ(Pad(Bytes(kMaxPlaintextSize + 1, 1)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Pad(Bytes(kMaxPlaintextSize * 2, 1)).status().code(), ErrorCode::kInvalidArgument);
}

TEST(PadTest, PaddingIsIso7816) {
  auto padded = Pad(Bytes{'a', 'b', 'c'});
  ASSERT_TRUE(padded.ok());
  ASSERT_EQ(padded->size(), kMinPaddedSize);
  EXPECT_EQ(padded->data()[0], 'a');
  EXPECT_EQ(padded->data()[2], 'c');
  EXPECT_EQ(padded->data()[3], 0x80);
  EXPECT_TRUE(std::all_of(padded->span().begin() + 4, padded->span().end(),
                          [](uint8_t b) { return b == 0; }));
}

TEST(UnpadTest, RemovesHandMadePadding) {
  SecretBytes padded(kMinPaddedSize);
  padded.data()[0] = 'h';
  padded.data()[1] = 'i';
  padded.data()[2] = 0x80;
  ASSERT_TRUE(Unpad(padded).ok());
  EXPECT_TRUE(SameBytes(padded.span(), Bytes{'h', 'i'}));
}

TEST(UnpadTest, RefusesGarbage) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{255}, kMinPaddedSize, size_t{4096}}) {
    SecretBytes zeros(size);
    EXPECT_EQ(Unpad(zeros).code(), ErrorCode::kInvalidMessage) << "zeros " << size;
  }
  for (size_t size : {size_t{1}, kMinPaddedSize, size_t{4096}}) {
    SecretBytes ones = SecretBytes::CopyOf(Bytes(size, 0xFF));
    EXPECT_EQ(Unpad(ones).code(), ErrorCode::kInvalidMessage) << "0xff " << size;
  }
  // A marker other than 0x80 before the zeros.
  SecretBytes wrong_marker = SecretBytes::CopyOf(Bytes(kMinPaddedSize, 0));
  wrong_marker.data()[10] = 0x81;
  EXPECT_EQ(Unpad(wrong_marker).code(), ErrorCode::kInvalidMessage);
}

TEST(UnpadTest, RefusesPaddingWhoseTailIsChanged) {
  auto padded = Pad(Bytes{1, 2, 3});
  ASSERT_TRUE(padded.ok());
  padded->data()[3] = 0x00;  // Marker gone: all zeros after the content.
  padded->data()[2] = 0x00;
  padded->data()[1] = 0x00;
  padded->data()[0] = 0x00;
  EXPECT_EQ(Unpad(*padded).code(), ErrorCode::kInvalidMessage);
}

}  // namespace
}  // namespace securebase::crypto
