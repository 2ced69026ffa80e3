// Secret containers (secret.h), plus the small value types every other part of
// the library leans on: Status/Result (status.h) and SystemRandom (random.h).
#include "securebase/crypto/secret.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "securebase/crypto/random.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {
namespace {

Bytes Pattern(size_t size, uint8_t seed) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(seed + 7 * i + 1);
  return out;
}

bool AllZero(ByteSpan bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

bool SameBytes(ByteSpan a, ByteSpan b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// ---------------------------------------------------------------------------
// SecureWipe / ConstantTimeEquals

TEST(SecureWipeTest, ZeroesExactlyTheGivenRange) {
  Bytes bytes = Pattern(64, 3);
  SecureWipe(bytes.data() + 8, 32);
  EXPECT_TRUE(AllZero(ByteSpan(bytes).subspan(8, 32)));
  const Bytes original = Pattern(64, 3);
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.begin() + 8, original.begin()));
  EXPECT_TRUE(std::equal(bytes.begin() + 40, bytes.end(), original.begin() + 40));
}

TEST(ConstantTimeEqualsTest, EqualContentsAreEqual) {
  EXPECT_TRUE(ConstantTimeEquals(Pattern(33, 1), Pattern(33, 1)));
  EXPECT_TRUE(ConstantTimeEquals(ByteSpan(), ByteSpan()));
}

TEST(ConstantTimeEqualsTest, EveryDifferingByteMakesThemUnequal) {
  const Bytes a = Pattern(48, 9);
  for (size_t i = 0; i < a.size(); ++i) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      Bytes b = a;
      b[i] ^= mask;
      EXPECT_FALSE(ConstantTimeEquals(a, b)) << i;
      EXPECT_FALSE(ConstantTimeEquals(b, a)) << i;
    }
  }
}

TEST(ConstantTimeEqualsTest, DifferentLengthsAreUnequal) {
  const Bytes a = Pattern(32, 5);
  // A prefix is not equal to the whole, in either order.
  EXPECT_FALSE(ConstantTimeEquals(a, ByteSpan(a).first(31)));
  EXPECT_FALSE(ConstantTimeEquals(ByteSpan(a).first(31), a));
  EXPECT_FALSE(ConstantTimeEquals(a, ByteSpan()));
  EXPECT_FALSE(ConstantTimeEquals(ByteSpan(), a));
  // Zero bytes of different lengths are still different lengths.
  EXPECT_FALSE(ConstantTimeEquals(Bytes(16, 0), Bytes(17, 0)));
}

// ---------------------------------------------------------------------------
// SecretArray

TEST(SecretArrayTest, StartsZeroed) {
  SecretArray<32> a;
  EXPECT_EQ(a.size(), 32u);
  EXPECT_TRUE(AllZero(a.span()));
}

TEST(SecretArrayTest, AssignRequiresExactLength) {
  SecretArray<16> a;
  EXPECT_FALSE(a.Assign(Pattern(15, 1)));
  EXPECT_FALSE(a.Assign(Pattern(17, 1)));
  EXPECT_FALSE(a.Assign(ByteSpan()));
  ASSERT_TRUE(a.Assign(Pattern(16, 1)));
  EXPECT_TRUE(SameBytes(a.span(), Pattern(16, 1)));
}

TEST(SecretArrayTest, MoveConstructionWipesSource) {
  SecretArray<32> source;
  ASSERT_TRUE(source.Assign(Pattern(32, 2)));
  SecretArray<32> target(std::move(source));
  EXPECT_TRUE(SameBytes(target.span(), Pattern(32, 2)));
  EXPECT_TRUE(AllZero(source.span()));  // NOLINT(bugprone-use-after-move): checking the wipe.
}

TEST(SecretArrayTest, MoveAssignmentWipesSource) {
  SecretArray<32> source;
  ASSERT_TRUE(source.Assign(Pattern(32, 2)));
  SecretArray<32> target;
  ASSERT_TRUE(target.Assign(Pattern(32, 9)));
  target = std::move(source);
  EXPECT_TRUE(SameBytes(target.span(), Pattern(32, 2)));
  EXPECT_TRUE(AllZero(source.span()));  // NOLINT(bugprone-use-after-move)
}

TEST(SecretArrayTest, CloneIsEqualAndIndependent) {
  SecretArray<32> a;
  ASSERT_TRUE(a.Assign(Pattern(32, 4)));
  SecretArray<32> b = a.Clone();
  EXPECT_TRUE(a.Equals(b));
  EXPECT_NE(a.data(), b.data());
  b.data()[0] ^= 1;
  EXPECT_FALSE(a.Equals(b));
  EXPECT_TRUE(SameBytes(a.span(), Pattern(32, 4)));
}

// ---------------------------------------------------------------------------
// SecureBuffer

TEST(SecureBufferTest, DefaultIsEmpty) {
  SecureBuffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_TRUE(b.span().empty());
}

TEST(SecureBufferTest, SizedIsZeroFilledAndWritable) {
  SecureBuffer b(100);
  ASSERT_EQ(b.size(), 100u);
  EXPECT_FALSE(b.empty());
  EXPECT_TRUE(AllZero(b.span()));
  std::fill(b.mutable_span().begin(), b.mutable_span().end(), 0x5A);
  EXPECT_TRUE(std::all_of(b.span().begin(), b.span().end(), [](uint8_t x) { return x == 0x5A; }));
}

TEST(SecureBufferTest, CopyOfCopiesBytes) {
  const Bytes source = Pattern(77, 6);
  SecureBuffer b = SecureBuffer::CopyOf(source);
  EXPECT_TRUE(SameBytes(b.span(), source));
  EXPECT_NE(b.data(), source.data());
  EXPECT_TRUE(SecureBuffer::CopyOf(ByteSpan()).empty());
}

TEST(SecureBufferTest, MoveConstructionEmptiesSource) {
  SecureBuffer source = SecureBuffer::CopyOf(Pattern(32, 1));
  const uint8_t* storage = source.data();
  SecureBuffer target(std::move(source));
  EXPECT_TRUE(SameBytes(target.span(), Pattern(32, 1)));
  EXPECT_EQ(target.data(), storage);  // Ownership moved, no copy left behind.
  // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is the contract under test.
  EXPECT_TRUE(source.empty());
  EXPECT_EQ(source.size(), 0u);
  EXPECT_TRUE(source.span().empty());
  // NOLINTEND(bugprone-use-after-move)
}

TEST(SecureBufferTest, MoveAssignmentEmptiesSourceAndReplacesTarget) {
  SecureBuffer source = SecureBuffer::CopyOf(Pattern(32, 1));
  SecureBuffer target = SecureBuffer::CopyOf(Pattern(64, 2));
  target = std::move(source);
  EXPECT_EQ(target.size(), 32u);
  EXPECT_TRUE(SameBytes(target.span(), Pattern(32, 1)));
  EXPECT_TRUE(source.empty());   // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(source.size(), 0u);  // NOLINT(bugprone-use-after-move)

  // Moving into an empty buffer, and an empty buffer into a full one.
  SecureBuffer empty;
  empty = std::move(target);
  EXPECT_TRUE(SameBytes(empty.span(), Pattern(32, 1)));
  SecureBuffer full = SecureBuffer::CopyOf(Pattern(8, 3));
  full = SecureBuffer();
  EXPECT_TRUE(full.empty());
}

TEST(SecureBufferTest, CloneIsEqualAndIndependent) {
  SecureBuffer a = SecureBuffer::CopyOf(Pattern(40, 8));
  SecureBuffer b = a.Clone();
  EXPECT_TRUE(a.Equals(b));
  EXPECT_NE(a.data(), b.data());
  b.data()[39] ^= 0x80;
  EXPECT_FALSE(a.Equals(b));
  EXPECT_TRUE(SameBytes(a.span(), Pattern(40, 8)));
  EXPECT_TRUE(SecureBuffer().Clone().empty());
}

TEST(SecureBufferTest, EqualsComparesLengthAndContents) {
  SecureBuffer a = SecureBuffer::CopyOf(Pattern(32, 1));
  EXPECT_TRUE(a.Equals(SecureBuffer::CopyOf(Pattern(32, 1))));
  EXPECT_FALSE(a.Equals(SecureBuffer::CopyOf(Pattern(31, 1))));
  EXPECT_FALSE(a.Equals(SecureBuffer::CopyOf(Pattern(32, 2))));
  EXPECT_FALSE(a.Equals(SecureBuffer()));
}

// ---------------------------------------------------------------------------
// SecretBytes

TEST(SecureBufferTest, ReadOnlyKeepsContentsAndFaultsOnWrite) {
  const Bytes bytes = {1, 2, 3, 4};
  SecureBuffer buffer = SecureBuffer::CopyOf(bytes);
  EXPECT_FALSE(buffer.read_only());
  buffer.MakeReadOnly();
  EXPECT_TRUE(buffer.read_only());
  EXPECT_TRUE(ConstantTimeEquals(buffer.span(), bytes));
  // A clone is writable; a move carries the protection along.
  SecureBuffer clone = buffer.Clone();
  EXPECT_FALSE(clone.read_only());
  clone.data()[0] = 9;
  SecureBuffer moved = std::move(buffer);
  EXPECT_TRUE(moved.read_only());
  EXPECT_FALSE(buffer.read_only());  // NOLINT(bugprone-use-after-move): moved-from is empty.
  EXPECT_TRUE(ConstantTimeEquals(moved.span(), bytes));
  EXPECT_DEATH(moved.data()[0] = 7, "");
  // Destroying and replacing a read-only buffer works (sodium_free unprotects).
  moved = SecureBuffer::CopyOf(bytes);
  EXPECT_FALSE(moved.read_only());
}

TEST(SecretBytesTest, CopyOfAndAppend) {
  SecretBytes s = SecretBytes::CopyOf(Pattern(10, 1));
  s.Append(Pattern(5, 2));
  ASSERT_EQ(s.size(), 15u);
  EXPECT_TRUE(SameBytes(s.span().first(10), Pattern(10, 1)));
  EXPECT_TRUE(SameBytes(s.span().subspan(10), Pattern(5, 2)));
  EXPECT_TRUE(SecretBytes().empty());
  EXPECT_TRUE(AllZero(SecretBytes(12).span()));
  EXPECT_EQ(SecretBytes(12).size(), 12u);
}

TEST(SecretBytesTest, MoveConstructionEmptiesSource) {
  SecretBytes source = SecretBytes::CopyOf(Pattern(100, 1));
  SecretBytes target(std::move(source));
  EXPECT_TRUE(SameBytes(target.span(), Pattern(100, 1)));
  EXPECT_TRUE(source.empty());   // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(source.size(), 0u);  // NOLINT(bugprone-use-after-move)
}

TEST(SecretBytesTest, MoveAssignmentEmptiesSource) {
  SecretBytes source = SecretBytes::CopyOf(Pattern(100, 1));
  SecretBytes target = SecretBytes::CopyOf(Pattern(7, 2));
  target = std::move(source);
  EXPECT_TRUE(SameBytes(target.span(), Pattern(100, 1)));
  EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecretBytesTest, CloneIsEqualAndIndependent) {
  SecretBytes a = SecretBytes::CopyOf(Pattern(50, 3));
  SecretBytes b = a.Clone();
  EXPECT_TRUE(a.Equals(b));
  EXPECT_NE(a.data(), b.data());
  b.data()[0] ^= 1;
  EXPECT_FALSE(a.Equals(b));
  EXPECT_TRUE(SameBytes(a.span(), Pattern(50, 3)));
  b.Append(Pattern(1, 0));
  EXPECT_EQ(a.size(), 50u);
}

TEST(SecretBytesTest, EqualsComparesLengthAndContents) {
  SecretBytes a = SecretBytes::CopyOf(Pattern(20, 1));
  EXPECT_TRUE(a.Equals(SecretBytes::CopyOf(Pattern(20, 1))));
  EXPECT_FALSE(a.Equals(SecretBytes::CopyOf(Pattern(19, 1))));
  EXPECT_FALSE(a.Equals(SecretBytes()));
  EXPECT_TRUE(SecretBytes().Equals(SecretBytes()));
}

TEST(SecretBytesTest, ResizeShrinkKeepsPrefixAndWipesTail) {
  SecretBytes s = SecretBytes::CopyOf(Pattern(64, 4));
  const uint8_t* storage = s.data();
  s.Resize(10);
  ASSERT_EQ(s.size(), 10u);
  EXPECT_TRUE(SameBytes(s.span(), Pattern(10, 4)));
  // Shrinking keeps the allocation (std::vector never reallocates on a
  // shrinking resize), so the cut-off bytes are still in memory we own; they
  // must have been wiped rather than left behind.
  ASSERT_EQ(s.data(), storage);
  EXPECT_TRUE(AllZero(ByteSpan(storage + 10, 54)));

  // Growing again yields zeros, not the old secret.
  s.Resize(64);
  EXPECT_TRUE(SameBytes(s.span().first(10), Pattern(10, 4)));
  EXPECT_TRUE(AllZero(s.span().subspan(10)));

  s.Resize(0);
  EXPECT_TRUE(s.empty());
}

// ---------------------------------------------------------------------------
// Status / Result (status.h)

TEST(StatusTest, DefaultIsOk) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), ErrorCode::kOk);
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(ok.ToString(), "ok");
}

TEST(StatusTest, FactoriesCarryTheirCode) {
  EXPECT_EQ(Status::InvalidArgument("x").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Status::InvalidState("x").code(), ErrorCode::kInvalidState);
  EXPECT_EQ(Status::InvalidMessage("x").code(), ErrorCode::kInvalidMessage);
  EXPECT_EQ(Status::DuplicateMessage("x").code(), ErrorCode::kDuplicateMessage);
  EXPECT_EQ(Status::BadSignature("x").code(), ErrorCode::kBadSignature);
  EXPECT_EQ(Status::UntrustedIdentity("x").code(), ErrorCode::kUntrustedIdentity);
  EXPECT_EQ(Status::WrongPassphrase("x").code(), ErrorCode::kWrongPassphrase);
  EXPECT_EQ(Status::StorageFailure("x").code(), ErrorCode::kStorageFailure);
  EXPECT_EQ(Status::UndecryptableMessage("x").code(), ErrorCode::kUndecryptableMessage);
  EXPECT_EQ(Status::WrongKey("x").code(), ErrorCode::kWrongKey);
  EXPECT_EQ(Status::UnsupportedVersion("x").code(), ErrorCode::kUnsupportedVersion);
  EXPECT_FALSE(Status::InvalidMessage("x").ok());
}

TEST(StatusTest, NamesAreStableAndDistinct) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidMessage), "invalid_message");
  EXPECT_EQ(Status::InvalidMessage("bad tag").ToString(), "invalid_message: bad tag");
  std::set<std::string> names;
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUndecryptableMessage), "undecryptable_message");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kWrongKey), "wrong_key");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnsupportedVersion), "unsupported_version");
  for (int code = 0; code <= static_cast<int>(ErrorCode::kUnsupportedVersion); ++code) {
    std::string name(ErrorCodeName(static_cast<ErrorCode>(code)));
    EXPECT_FALSE(name.empty()) << code;
    EXPECT_NE(name, "unknown") << code;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 12u);
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> value = 42;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  EXPECT_TRUE(value.status().ok());

  Result<int> error = Status::InvalidArgument("no");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// SystemRandom (random.h)

TEST(SystemRandomTest, FillsWithFreshBytes) {
  std::array<uint8_t, 32> a{}, b{};
  SystemRandom().Fill(a);
  SystemRandom().Fill(b);
  // 2^-256 chance of a false failure each.
  EXPECT_FALSE(AllZero(a));
  EXPECT_NE(a, b);
  SystemRandom().Fill(std::span<uint8_t>());  // Empty fill is fine.
}

}  // namespace
}  // namespace securebase::crypto
