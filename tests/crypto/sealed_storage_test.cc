// Sealed storage for the client vault (sealed_storage.h): passphrase-wrapped
// vault keys and sealed records.
#include "securebase/crypto/sealed_storage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "securebase/crypto/encoding.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;

// Wrapped key v1: 0x01 | ops(8 BE) | mem(8 BE) | salt(16) | nonce(24) | enc key(48)
constexpr size_t kOpsOffset = 1;
constexpr size_t kMemOffset = 9;
constexpr size_t kWrappedSize = 1 + 8 + 8 + 16 + 24 + 48;
// Sealed record v1: 0x01 | nonce(24) | ciphertext(len + 16)
constexpr size_t kRecordOverhead = 1 + 24 + 16;

uint64_t ReadBigEndian64(const Bytes& bytes, size_t offset) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = (value << 8) | bytes[offset + i];
  return value;
}

void WriteBigEndian64(Bytes& bytes, size_t offset, uint64_t value) {
  for (size_t i = 0; i < 8; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (56 - 8 * i));
}

bool SameBytes(ByteSpan a, ByteSpan b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

class SealedStorageTest : public ::testing::Test {
 protected:
  SealedStorageTest() : rng_(0x5EA1), key_(VaultKey::Generate(rng_)) {}

  Bytes Wrap(std::string_view passphrase) {
    auto wrapped = WrapVaultKey(key_, AsBytes(passphrase), kTestParams, rng_);
    EXPECT_TRUE(wrapped.ok()) << wrapped.status().ToString();
    return wrapped.ok() ? *wrapped : Bytes();
  }

  Bytes Seal(std::string_view name, std::string_view plaintext) {
    auto sealed = SealRecord(key_, name, AsBytes(plaintext), rng_);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return sealed.ok() ? *sealed : Bytes();
  }

  static constexpr std::string_view kPassphrase = "correct horse battery staple";
  const PassphraseHashParams kTestParams = PassphraseHashParams::MinimumForTesting();
  DeterministicRandom rng_;
  VaultKey key_;
};

// ---------------------------------------------------------------------------
// Vault keys

TEST_F(SealedStorageTest, VaultKeysAreRandomAndClonable) {
  ASSERT_EQ(key_.BytesForTesting().size(), kVaultKeySize);
  VaultKey other = VaultKey::Generate(rng_);
  EXPECT_FALSE(ConstantTimeEquals(key_.BytesForTesting(), other.BytesForTesting()));
  VaultKey clone = key_.Clone();
  EXPECT_TRUE(ConstantTimeEquals(key_.BytesForTesting(), clone.BytesForTesting()));
  EXPECT_NE(key_.BytesForTesting().data(), clone.BytesForTesting().data());
}

TEST_F(SealedStorageTest, WrapUnwrapRoundTrip) {
  const Bytes wrapped = Wrap(kPassphrase);
  ASSERT_EQ(wrapped.size(), kWrappedSize);
  EXPECT_EQ(wrapped[0], 0x01);
  EXPECT_EQ(ReadBigEndian64(wrapped, kOpsOffset), kTestParams.ops_limit);
  EXPECT_EQ(ReadBigEndian64(wrapped, kMemOffset), kTestParams.mem_limit);
  // The key bytes do not appear in the clear.
  EXPECT_EQ(std::search(wrapped.begin(), wrapped.end(), key_.BytesForTesting().begin(),
                        key_.BytesForTesting().end()),
            wrapped.end());

  auto unwrapped = UnwrapVaultKey(wrapped, AsBytes(kPassphrase));
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(ConstantTimeEquals(unwrapped->BytesForTesting(), key_.BytesForTesting()));
}

TEST_F(SealedStorageTest, WrappingTwiceUsesFreshSaltAndNonce) {
  const Bytes a = Wrap(kPassphrase);
  const Bytes b = Wrap(kPassphrase);
  EXPECT_NE(a, b);
  EXPECT_FALSE(std::equal(a.begin() + 17, a.begin() + 33, b.begin() + 17));  // Salt.
  auto ua = UnwrapVaultKey(a, AsBytes(kPassphrase));
  auto ub = UnwrapVaultKey(b, AsBytes(kPassphrase));
  ASSERT_TRUE(ua.ok());
  ASSERT_TRUE(ub.ok());
  EXPECT_TRUE(ConstantTimeEquals(ua->BytesForTesting(), ub->BytesForTesting()));
}

TEST_F(SealedStorageTest, BinaryPassphrasesWork) {
  const Bytes passphrase = {0x00, 0xFF, 0x00, 0xC3, 0xA9};  // NULs and non-ASCII.
  auto wrapped = WrapVaultKey(key_, passphrase, kTestParams, rng_);
  ASSERT_TRUE(wrapped.ok());
  auto unwrapped = UnwrapVaultKey(*wrapped, passphrase);
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_TRUE(ConstantTimeEquals(unwrapped->BytesForTesting(), key_.BytesForTesting()));
  // Not truncated at the first NUL.
  EXPECT_EQ(UnwrapVaultKey(*wrapped, ByteSpan(passphrase).first(1)).status().code(),
            ErrorCode::kWrongPassphrase);
}

TEST_F(SealedStorageTest, WrongPassphraseIsRefused) {
  const Bytes wrapped = Wrap(kPassphrase);
  for (std::string_view wrong : {"correct horse battery stapl", "correct horse battery staplf",
                                 "Correct horse battery staple", "x"}) {
    EXPECT_EQ(UnwrapVaultKey(wrapped, AsBytes(wrong)).status().code(), ErrorCode::kWrongPassphrase)
        << wrong;
  }
  EXPECT_FALSE(UnwrapVaultKey(wrapped, ByteSpan()).ok());
}

TEST_F(SealedStorageTest, InteractiveParamsRoundTrip) {
  // The one test with real Argon2id cost (64 MiB, 2 passes).
  const PassphraseHashParams params = PassphraseHashParams::Interactive();
  auto wrapped = WrapVaultKey(key_, AsBytes(kPassphrase), params, rng_);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(ReadBigEndian64(*wrapped, kOpsOffset), 2u);
  EXPECT_EQ(ReadBigEndian64(*wrapped, kMemOffset), uint64_t{64} << 20);
  auto unwrapped = UnwrapVaultKey(*wrapped, AsBytes(kPassphrase));
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(ConstantTimeEquals(unwrapped->BytesForTesting(), key_.BytesForTesting()));
}

TEST_F(SealedStorageTest, EveryByteFlipOfWrappedKeyIsRefused) {
  const Bytes wrapped = Wrap(kPassphrase);
  for (size_t i = 0; i < wrapped.size(); ++i) {
    Bytes tampered = wrapped;
    tampered[i] ^= 0x01;
    auto result = UnwrapVaultKey(tampered, AsBytes(kPassphrase));
    ASSERT_FALSE(result.ok()) << "byte " << i << " flipped and still unwrapped";
    EXPECT_TRUE(result.status().code() == ErrorCode::kWrongPassphrase ||
                result.status().code() == ErrorCode::kInvalidMessage)
        << i << ": " << result.status().ToString();
  }
}

TEST_F(SealedStorageTest, ParametersAreBoundToTheWrappedKey) {
  // mem 8192 -> 8193 bytes gives the same Argon2id key (libsodium counts whole
  // KiB), so only binding the stored parameters as associated data catches it.
  const Bytes wrapped = Wrap(kPassphrase);
  Bytes tampered = wrapped;
  WriteBigEndian64(tampered, kMemOffset, ReadBigEndian64(wrapped, kMemOffset) + 1);
  EXPECT_EQ(UnwrapVaultKey(tampered, AsBytes(kPassphrase)).status().code(),
            ErrorCode::kWrongPassphrase);
  // A raised but in-bounds ops limit is a different key, too.
  tampered = wrapped;
  WriteBigEndian64(tampered, kOpsOffset, 2);
  EXPECT_EQ(UnwrapVaultKey(tampered, AsBytes(kPassphrase)).status().code(),
            ErrorCode::kWrongPassphrase);
}

TEST_F(SealedStorageTest, OutOfBoundsParametersInBlobAreInvalidMessage) {
  const Bytes wrapped = Wrap(kPassphrase);
  struct Case {
    const char* what;
    uint64_t ops;
    uint64_t mem;
  };
  const uint64_t mem = kTestParams.mem_limit;
  for (const Case& c : {
           Case{"ops above max", kMaxPassphraseOpsLimit + 1, mem},
           Case{"ops huge", ~uint64_t{0}, mem},
           Case{"ops zero", 0, mem},
           Case{"mem above max by 1 KiB", 1, uint64_t{kMaxPassphraseMemLimit} + 1024},
           Case{"mem 1 TiB", 1, uint64_t{1} << 40},
           Case{"mem huge", 1, ~uint64_t{0}},
           Case{"mem below libsodium minimum", 1, 8191},
           Case{"mem zero", 1, 0},
       }) {
    Bytes tampered = wrapped;
    WriteBigEndian64(tampered, kOpsOffset, c.ops);
    WriteBigEndian64(tampered, kMemOffset, c.mem);
    EXPECT_EQ(UnwrapVaultKey(tampered, AsBytes(kPassphrase)).status().code(),
              ErrorCode::kInvalidMessage)
        << c.what;
  }
  // Exactly the maximum ops limit is within bounds: it is tried (and fails
  // only because the parameters were bound when wrapping).
  Bytes at_max = wrapped;
  WriteBigEndian64(at_max, kOpsOffset, kMaxPassphraseOpsLimit);
  EXPECT_EQ(UnwrapVaultKey(at_max, AsBytes(kPassphrase)).status().code(),
            ErrorCode::kWrongPassphrase);
}

TEST_F(SealedStorageTest, MalformedWrappedKeyIsInvalidMessage) {
  const Bytes wrapped = Wrap(kPassphrase);
  for (size_t length = 0; length < wrapped.size(); ++length) {
    EXPECT_EQ(UnwrapVaultKey(ByteSpan(wrapped).first(length), AsBytes(kPassphrase)).status().code(),
              ErrorCode::kInvalidMessage)
        << length;
  }
  Bytes longer = wrapped;
  longer.push_back(0);
  EXPECT_EQ(UnwrapVaultKey(longer, AsBytes(kPassphrase)).status().code(),
            ErrorCode::kInvalidMessage);
  for (uint8_t version : {uint8_t{0}, uint8_t{2}, uint8_t{0xFF}}) {
    Bytes other = wrapped;
    other[0] = version;
    EXPECT_EQ(UnwrapVaultKey(other, AsBytes(kPassphrase)).status().code(),
              ErrorCode::kInvalidMessage)
        << int{version};
  }
}

TEST_F(SealedStorageTest, WrapRefusesOutOfRangeParamsAndEmptyPassphrase) {
  EXPECT_EQ(WrapVaultKey(key_, ByteSpan(), kTestParams, rng_).status().code(),
            ErrorCode::kInvalidArgument);
  for (const PassphraseHashParams& params : {
           PassphraseHashParams{0, kTestParams.mem_limit},
           PassphraseHashParams{kMaxPassphraseOpsLimit + 1, kTestParams.mem_limit},
           PassphraseHashParams{1, 8191},
           PassphraseHashParams{1, 0},
           PassphraseHashParams{1, kMaxPassphraseMemLimit + 1},
           PassphraseHashParams{1, kMaxPassphraseMemLimit * 4},
       }) {
    EXPECT_EQ(WrapVaultKey(key_, AsBytes(kPassphrase), params, rng_).status().code(),
              ErrorCode::kInvalidArgument)
        << params.ops_limit << " " << params.mem_limit;
  }
  // The upper ops bound itself is allowed.
  auto at_max =
      WrapVaultKey(key_, AsBytes(kPassphrase),
                   PassphraseHashParams{kMaxPassphraseOpsLimit, kTestParams.mem_limit}, rng_);
  ASSERT_TRUE(at_max.ok()) << at_max.status().ToString();
  auto unwrapped = UnwrapVaultKey(*at_max, AsBytes(kPassphrase));
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(ConstantTimeEquals(unwrapped->BytesForTesting(), key_.BytesForTesting()));
}

// ---------------------------------------------------------------------------
// Records

TEST_F(SealedStorageTest, SealOpenRoundTrip) {
  const Bytes sealed = Seal("sessions/bob", "ratchet state");
  ASSERT_EQ(sealed.size(), kRecordOverhead + 13);
  EXPECT_EQ(sealed[0], 0x01);
  auto opened = OpenRecord(key_, "sessions/bob", sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(SameBytes(opened->span(), AsBytes("ratchet state")));
}

TEST_F(SealedStorageTest, EmptyAndBinaryRecordsRoundTrip) {
  const Bytes empty = Seal("empty", "");
  ASSERT_EQ(empty.size(), kRecordOverhead);
  auto opened = OpenRecord(key_, "empty", empty);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
  // A default (null-data) span is an empty plaintext too.
  auto sealed_null = SealRecord(key_, "null", ByteSpan(), rng_);
  ASSERT_TRUE(sealed_null.ok());
  auto opened_null = OpenRecord(key_, "null", *sealed_null);
  ASSERT_TRUE(opened_null.ok());
  EXPECT_TRUE(opened_null->empty());

  Bytes binary(5000);
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<uint8_t>(i * 13);
  auto sealed = SealRecord(key_, "", binary, rng_);  // Empty name.
  ASSERT_TRUE(sealed.ok());
  auto opened_binary = OpenRecord(key_, "", *sealed);
  ASSERT_TRUE(opened_binary.ok());
  EXPECT_TRUE(SameBytes(opened_binary->span(), binary));
}

TEST_F(SealedStorageTest, SealingTwiceUsesFreshNonces) {
  const Bytes a = Seal("n", "same");
  const Bytes b = Seal("n", "same");
  EXPECT_NE(a, b);
}

TEST_F(SealedStorageTest, RecordUnderAnotherNameIsRefused) {
  const Bytes sealed = Seal("messages/10", "hello");
  for (std::string_view other : std::initializer_list<std::string_view>{
           "messages/1", "messages/100", "messages/11", "", "Messages/10",
           std::string_view("messages/10\0", 12)}) {
    EXPECT_EQ(OpenRecord(key_, other, sealed).status().code(), ErrorCode::kInvalidMessage) << other;
  }
}

TEST_F(SealedStorageTest, RecordUnderAnotherKeyIsRefused) {
  const Bytes sealed = Seal("name", "hello");
  VaultKey other = VaultKey::Generate(rng_);
  EXPECT_EQ(OpenRecord(other, "name", sealed).status().code(), ErrorCode::kInvalidMessage);
}

TEST_F(SealedStorageTest, EveryByteFlipOfRecordIsRefused) {
  const Bytes sealed = Seal("name", "the quick brown fox");
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
      Bytes tampered = sealed;
      tampered[i] ^= mask;
      EXPECT_EQ(OpenRecord(key_, "name", tampered).status().code(), ErrorCode::kInvalidMessage)
          << i;
    }
  }
  EXPECT_TRUE(OpenRecord(key_, "name", sealed).ok());
}

TEST_F(SealedStorageTest, TruncatedOrExtendedRecordIsRefused) {
  const Bytes sealed = Seal("name", "the quick brown fox");
  for (size_t length = 0; length < sealed.size(); ++length) {
    EXPECT_EQ(OpenRecord(key_, "name", ByteSpan(sealed).first(length)).status().code(),
              ErrorCode::kInvalidMessage)
        << length;
  }
  Bytes longer = sealed;
  longer.push_back(0);
  EXPECT_EQ(OpenRecord(key_, "name", longer).status().code(), ErrorCode::kInvalidMessage);
}

TEST_F(SealedStorageTest, RecordSizeLimit) {
  // Sealed size is plaintext + 41; kMaxSealedRecordSize is the largest record.
  const Bytes too_big(kMaxSealedRecordSize - kRecordOverhead + 1, 0x42);
  EXPECT_EQ(SealRecord(key_, "big", too_big, rng_).status().code(), ErrorCode::kInvalidArgument);

  const Bytes largest(kMaxSealedRecordSize - kRecordOverhead, 0x42);
  auto sealed = SealRecord(key_, "big", largest, rng_);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->size(), kMaxSealedRecordSize);
  auto opened = OpenRecord(key_, "big", *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->size(), largest.size());
}

TEST_F(SealedStorageTest, RecordsSurviveWrapAndUnwrap) {
  const Bytes sealed = Seal("identity", "seed bytes");
  const auto tag = RecordNameTag(key_, "identity");
  auto unwrapped = UnwrapVaultKey(Wrap(kPassphrase), AsBytes(kPassphrase));
  ASSERT_TRUE(unwrapped.ok());
  auto opened = OpenRecord(*unwrapped, "identity", sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(SameBytes(opened->span(), AsBytes("seed bytes")));
  EXPECT_EQ(RecordNameTag(*unwrapped, "identity"), tag);
}

// ---------------------------------------------------------------------------
// Record name tags

TEST_F(SealedStorageTest, RecordNameTagIsStablePerNameAndKey) {
  const auto tag = RecordNameTag(key_, "sessions/bob");
  EXPECT_EQ(RecordNameTag(key_, "sessions/bob"), tag);
  EXPECT_EQ(RecordNameTag(key_.Clone(), "sessions/bob"), tag);
  EXPECT_NE(tag, (std::array<uint8_t, kRecordNameTagSize>{}));
}

TEST_F(SealedStorageTest, RecordNameTagDiffersAcrossNamesAndKeys) {
  const auto tag = RecordNameTag(key_, "sessions/bob");
  for (std::string_view other :
       std::initializer_list<std::string_view>{"sessions/bo", "sessions/bob2", "sessions/Bob", "",
                                               std::string_view("sessions/bob\0", 13)}) {
    EXPECT_NE(RecordNameTag(key_, other), tag) << other;
  }
  VaultKey other_key = VaultKey::Generate(rng_);
  EXPECT_NE(RecordNameTag(other_key, "sessions/bob"), tag);
  EXPECT_NE(RecordNameTag(key_, ""), RecordNameTag(other_key, ""));
}

}  // namespace
}  // namespace securebase::crypto
