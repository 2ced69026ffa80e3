// X3DH (x3dh.h): agreement on both sides, the prekey bundle format and every
// refusal the header promises.
#include "securebase/crypto/x3dh.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;

constexpr uint32_t kSignedPreKeyId = 0x01020304;
constexpr uint32_t kOneTimePreKeyId = 0xA0B0C0D0;
constexpr size_t kBundleSizeWithoutOpk = 1 + 32 + 4 + 32 + 64 + 1;
constexpr size_t kBundleSizeWithOpk = kBundleSizeWithoutOpk + 4 + 32;

DhPublicKey DhKeyFromHex(std::string_view hex) {
  std::array<uint8_t, kX25519PublicKeySize> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    bytes[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return DhPublicKey(bytes);
}

// X25519 points of small order: a DH with any of them gives a known output.
const DhPublicKey kSmallOrderDhKeys[] = {
    DhKeyFromHex("0000000000000000000000000000000000000000000000000000000000000000"),
    DhKeyFromHex("0100000000000000000000000000000000000000000000000000000000000000"),
    DhKeyFromHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    DhKeyFromHex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
    DhKeyFromHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
};

class X3dhTest : public ::testing::Test {
 protected:
  X3dhTest()
      : rng_(0x58334448),
        alice_(IdentityKeyPair::Generate(rng_)),
        bob_(IdentityKeyPair::Generate(rng_)),
        bob_spk_(SignedPreKey::Generate(bob_, kSignedPreKeyId, rng_)),
        bob_opk_(OneTimePreKey::Generate(kOneTimePreKeyId, rng_)) {}

  PreKeyBundle BundleWithOpk() const { return MakePreKeyBundle(bob_, bob_spk_, &bob_opk_); }
  PreKeyBundle BundleWithoutOpk() const { return MakePreKeyBundle(bob_, bob_spk_, nullptr); }

  static void ExpectSameSecrets(const X3dhSecrets& a, const X3dhSecrets& b) {
    EXPECT_TRUE(a.root_key.Equals(b.root_key));
    EXPECT_TRUE(a.initiator_header_key.Equals(b.initiator_header_key));
    EXPECT_TRUE(a.responder_next_header_key.Equals(b.responder_next_header_key));
    EXPECT_EQ(a.associated_data, b.associated_data);
  }

  std::array<uint8_t, kAssociatedDataSize> ExpectedAssociatedData() const {
    std::array<uint8_t, kAssociatedDataSize> ad{};
    std::copy_n(alice_.public_key().data(), kEd25519PublicKeySize, ad.begin());
    std::copy_n(bob_.public_key().data(), kEd25519PublicKeySize,
                ad.begin() + kEd25519PublicKeySize);
    return ad;
  }

  DeterministicRandom rng_;
  IdentityKeyPair alice_;
  IdentityKeyPair bob_;
  SignedPreKey bob_spk_;
  OneTimePreKey bob_opk_;
};

// ---------------------------------------------------------------------------
// Agreement

TEST_F(X3dhTest, MakePreKeyBundleCarriesTheKeys) {
  PreKeyBundle bundle = BundleWithOpk();
  EXPECT_EQ(bundle.identity_key, bob_.public_key());
  EXPECT_EQ(bundle.signed_prekey_id, kSignedPreKeyId);
  EXPECT_EQ(bundle.signed_prekey, bob_spk_.key.public_key());
  EXPECT_EQ(bundle.signed_prekey_signature, bob_spk_.signature);
  ASSERT_TRUE(bundle.one_time_prekey.has_value());
  EXPECT_EQ(bundle.one_time_prekey->id, kOneTimePreKeyId);
  EXPECT_EQ(bundle.one_time_prekey->key, bob_opk_.key.public_key());
  EXPECT_TRUE(VerifyPreKeyBundle(bundle).ok());
  EXPECT_FALSE(BundleWithoutOpk().one_time_prekey.has_value());
}

TEST_F(X3dhTest, BothSidesAgreeWithOneTimePreKey) {
  auto initiation = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(initiation.ok()) << initiation.status().ToString();
  const InitialHeader& header = initiation->header;
  EXPECT_EQ(header.initiator_identity, alice_.public_key());
  EXPECT_EQ(header.signed_prekey_id, kSignedPreKeyId);
  EXPECT_EQ(header.one_time_prekey_id, std::optional<uint32_t>(kOneTimePreKeyId));
  EXPECT_NE(header.base_key, DhPublicKey());

  auto responder = X3dhRespond(bob_, bob_spk_, &bob_opk_, header);
  ASSERT_TRUE(responder.ok()) << responder.status().ToString();
  ExpectSameSecrets(initiation->secrets, *responder);
  EXPECT_EQ(initiation->secrets.associated_data, ExpectedAssociatedData());
}

TEST_F(X3dhTest, BothSidesAgreeWithoutOneTimePreKey) {
  auto initiation = X3dhInitiate(alice_, BundleWithoutOpk(), rng_);
  ASSERT_TRUE(initiation.ok()) << initiation.status().ToString();
  EXPECT_EQ(initiation->header.one_time_prekey_id, std::nullopt);
  EXPECT_EQ(initiation->header.signed_prekey_id, kSignedPreKeyId);

  auto responder = X3dhRespond(bob_, bob_spk_, nullptr, initiation->header);
  ASSERT_TRUE(responder.ok()) << responder.status().ToString();
  ExpectSameSecrets(initiation->secrets, *responder);
  EXPECT_EQ(responder->associated_data, ExpectedAssociatedData());
}

TEST_F(X3dhTest, DerivedKeysAreDistinctAndNonZero) {
  auto initiation = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(initiation.ok());
  const X3dhSecrets& s = initiation->secrets;
  const SecretArray<32> zero;
  EXPECT_FALSE(s.root_key.Equals(zero));
  EXPECT_FALSE(s.initiator_header_key.Equals(zero));
  EXPECT_FALSE(s.responder_next_header_key.Equals(zero));
  EXPECT_FALSE(s.root_key.Equals(s.initiator_header_key));
  EXPECT_FALSE(s.root_key.Equals(s.responder_next_header_key));
  EXPECT_FALSE(s.initiator_header_key.Equals(s.responder_next_header_key));
}

TEST_F(X3dhTest, OneTimePreKeyChangesTheSecrets) {
  auto initiation = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(initiation.ok());
  auto with_opk = X3dhRespond(bob_, bob_spk_, &bob_opk_, initiation->header);
  ASSERT_TRUE(with_opk.ok());
  // Same identities, same base key, same signed prekey: only DH4 is missing.
  InitialHeader without_header = initiation->header;
  without_header.one_time_prekey_id.reset();
  auto without_opk = X3dhRespond(bob_, bob_spk_, nullptr, without_header);
  ASSERT_TRUE(without_opk.ok()) << without_opk.status().ToString();
  EXPECT_FALSE(with_opk->root_key.Equals(without_opk->root_key));
  EXPECT_FALSE(with_opk->initiator_header_key.Equals(without_opk->initiator_header_key));
  EXPECT_FALSE(with_opk->responder_next_header_key.Equals(without_opk->responder_next_header_key));
  EXPECT_EQ(with_opk->associated_data, without_opk->associated_data);
}

TEST_F(X3dhTest, EachInitiationIsFresh) {
  auto first = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  auto second = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first->header.base_key, second->header.base_key);
  EXPECT_FALSE(first->secrets.root_key.Equals(second->secrets.root_key));
}

TEST_F(X3dhTest, DifferentResponderIdentityGivesDifferentSecrets) {
  // A responder holding the right prekeys but another identity key (e.g. a
  // server substituting prekeys) cannot derive the initiator's secrets.
  auto initiation = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(initiation.ok());
  IdentityKeyPair mallory = IdentityKeyPair::Generate(rng_);
  auto responder = X3dhRespond(mallory, bob_spk_, &bob_opk_, initiation->header);
  ASSERT_TRUE(responder.ok());
  EXPECT_FALSE(responder->root_key.Equals(initiation->secrets.root_key));
  EXPECT_NE(responder->associated_data, initiation->secrets.associated_data);
}

// ---------------------------------------------------------------------------
// Bundle format

TEST_F(X3dhTest, BundleRoundTripWithOpk) {
  const PreKeyBundle bundle = BundleWithOpk();
  const Bytes bytes = SerializePreKeyBundle(bundle);
  ASSERT_EQ(bytes.size(), kBundleSizeWithOpk);
  EXPECT_EQ(bytes[0], kPreKeyBundleVersion);
  EXPECT_TRUE(std::equal(bytes.begin() + 1, bytes.begin() + 33, bob_.public_key().data()));
  // Big-endian ids.
  EXPECT_EQ(bytes[33], 0x01);
  EXPECT_EQ(bytes[36], 0x04);
  EXPECT_EQ(bytes[133], 1);
  EXPECT_EQ(bytes[134], 0xA0);
  EXPECT_EQ(bytes[137], 0xD0);
  auto parsed = ParsePreKeyBundle(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, bundle);
  EXPECT_TRUE(VerifyPreKeyBundle(*parsed).ok());
}

TEST_F(X3dhTest, BundleRoundTripWithoutOpk) {
  const PreKeyBundle bundle = BundleWithoutOpk();
  const Bytes bytes = SerializePreKeyBundle(bundle);
  ASSERT_EQ(bytes.size(), kBundleSizeWithoutOpk);
  EXPECT_EQ(bytes[0], kPreKeyBundleVersion);
  EXPECT_EQ(bytes[133], 0);
  auto parsed = ParsePreKeyBundle(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, bundle);
  EXPECT_FALSE(parsed->one_time_prekey.has_value());
}

TEST_F(X3dhTest, ParseRejectsEveryTruncation) {
  for (const PreKeyBundle& bundle : {BundleWithOpk(), BundleWithoutOpk()}) {
    const Bytes bytes = SerializePreKeyBundle(bundle);
    for (size_t length = 0; length < bytes.size(); ++length) {
      EXPECT_EQ(ParsePreKeyBundle(ByteSpan(bytes).first(length)).status().code(),
                ErrorCode::kInvalidMessage)
          << length << " of " << bytes.size();
    }
  }
}

TEST_F(X3dhTest, ParseRejectsTrailingBytes) {
  for (const PreKeyBundle& bundle : {BundleWithOpk(), BundleWithoutOpk()}) {
    Bytes bytes = SerializePreKeyBundle(bundle);
    bytes.push_back(0);
    EXPECT_EQ(ParsePreKeyBundle(bytes).status().code(), ErrorCode::kInvalidMessage);
  }
  // A no-OPK bundle followed by what would be an OPK.
  Bytes bytes = SerializePreKeyBundle(BundleWithoutOpk());
  bytes.resize(kBundleSizeWithOpk, 0x11);
  EXPECT_EQ(ParsePreKeyBundle(bytes).status().code(), ErrorCode::kInvalidMessage);
}

TEST_F(X3dhTest, ParseRejectsUnknownVersions) {
  for (const PreKeyBundle& bundle : {BundleWithOpk(), BundleWithoutOpk()}) {
    for (uint8_t version : {uint8_t{0}, uint8_t{2}, uint8_t{0x81}, uint8_t{0xFF}}) {
      Bytes bytes = SerializePreKeyBundle(bundle);
      bytes[0] = version;
      EXPECT_EQ(ParsePreKeyBundle(bytes).status().code(), ErrorCode::kInvalidMessage)
          << int{version};
    }
  }
}

TEST_F(X3dhTest, ParseRejectsBadOpkFlag) {
  for (const PreKeyBundle& bundle : {BundleWithOpk(), BundleWithoutOpk()}) {
    for (uint8_t flag : {uint8_t{2}, uint8_t{0x80}, uint8_t{0xFF}}) {
      Bytes bytes = SerializePreKeyBundle(bundle);
      bytes[133] = flag;
      EXPECT_EQ(ParsePreKeyBundle(bytes).status().code(), ErrorCode::kInvalidMessage) << int{flag};
    }
  }
  // Flag and length disagree.
  Bytes with = SerializePreKeyBundle(BundleWithOpk());
  with[133] = 0;
  EXPECT_EQ(ParsePreKeyBundle(with).status().code(), ErrorCode::kInvalidMessage);
  Bytes without = SerializePreKeyBundle(BundleWithoutOpk());
  without[133] = 1;
  EXPECT_EQ(ParsePreKeyBundle(without).status().code(), ErrorCode::kInvalidMessage);
}

// ---------------------------------------------------------------------------
// Signature checks

TEST_F(X3dhTest, VerifyRejectsAnyChangeToSignedParts) {
  const PreKeyBundle good = BundleWithOpk();
  ASSERT_TRUE(VerifyPreKeyBundle(good).ok());
  for (size_t i = 0; i < kSignatureSize; ++i) {
    PreKeyBundle bundle = good;
    bundle.signed_prekey_signature.data()[i] ^= 0x01;
    EXPECT_EQ(VerifyPreKeyBundle(bundle).code(), ErrorCode::kBadSignature) << i;
  }
  for (size_t i = 0; i < kX25519PublicKeySize; ++i) {
    PreKeyBundle bundle = good;
    bundle.signed_prekey.data()[i] ^= 0x01;
    EXPECT_EQ(VerifyPreKeyBundle(bundle).code(), ErrorCode::kBadSignature) << i;
  }
  for (size_t i = 0; i < kEd25519PublicKeySize; ++i) {
    PreKeyBundle bundle = good;
    bundle.identity_key.data()[i] ^= 0x01;
    EXPECT_EQ(VerifyPreKeyBundle(bundle).code(), ErrorCode::kBadSignature) << i;
  }
  PreKeyBundle other_id = good;
  other_id.signed_prekey_id ^= 1;
  EXPECT_EQ(VerifyPreKeyBundle(other_id).code(), ErrorCode::kBadSignature);
  // The one-time prekey is not signed (X3DH): changing it keeps the signature valid.
  PreKeyBundle other_opk = good;
  other_opk.one_time_prekey->key.data()[0] ^= 0x01;
  EXPECT_TRUE(VerifyPreKeyBundle(other_opk).ok());
}

TEST_F(X3dhTest, InitiateRefusesBadSignedPreKeySignature) {
  const PreKeyBundle good = BundleWithOpk();
  PreKeyBundle bad_signature = good;
  bad_signature.signed_prekey_signature.data()[10] ^= 0x01;
  EXPECT_EQ(X3dhInitiate(alice_, bad_signature, rng_).status().code(), ErrorCode::kBadSignature);

  PreKeyBundle swapped_prekey = good;
  swapped_prekey.signed_prekey = DhKeyPair::Generate(rng_).public_key();
  EXPECT_EQ(X3dhInitiate(alice_, swapped_prekey, rng_).status().code(), ErrorCode::kBadSignature);

  PreKeyBundle other_id = good;
  other_id.signed_prekey_id += 1;
  EXPECT_EQ(X3dhInitiate(alice_, other_id, rng_).status().code(), ErrorCode::kBadSignature);

  // A valid signature by someone else over the same prekey.
  IdentityKeyPair mallory = IdentityKeyPair::Generate(rng_);
  PreKeyBundle foreign = good;
  foreign.signed_prekey_signature =
      mallory.Sign(SignatureContext::kSignedPreKey,
                   SignedPreKeyMessage(good.signed_prekey_id, good.signed_prekey));
  EXPECT_EQ(X3dhInitiate(alice_, foreign, rng_).status().code(), ErrorCode::kBadSignature);

  // The signature of another context over the same bytes.
  PreKeyBundle wrong_context = good;
  wrong_context.signed_prekey_signature =
      bob_.Sign(SignatureContext::kDeviceBinding,
                SignedPreKeyMessage(good.signed_prekey_id, good.signed_prekey));
  EXPECT_EQ(X3dhInitiate(alice_, wrong_context, rng_).status().code(), ErrorCode::kBadSignature);
}

TEST_F(X3dhTest, InitiateRefusesOwnIdentity) {
  SignedPreKey alice_spk = SignedPreKey::Generate(alice_, 9, rng_);
  OneTimePreKey alice_opk = OneTimePreKey::Generate(10, rng_);
  const PreKeyBundle own = MakePreKeyBundle(alice_, alice_spk, &alice_opk);
  ASSERT_TRUE(VerifyPreKeyBundle(own).ok());
  EXPECT_EQ(X3dhInitiate(alice_, own, rng_).status().code(), ErrorCode::kInvalidArgument);
  const PreKeyBundle own_without = MakePreKeyBundle(alice_, alice_spk, nullptr);
  EXPECT_EQ(X3dhInitiate(alice_, own_without, rng_).status().code(), ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Device-bound bundles and sessions between one account's devices

DeviceAddress Device(uint8_t user_byte, uint32_t device_id) {
  std::array<uint8_t, kUserIdSize> user{};
  user.fill(user_byte);
  return DeviceAddress{UserId(user), device_id};
}

TEST_F(X3dhTest, OwnDevicesAgreeThroughDeviceBoundBundles) {
  // Alice's phone (device 1) and laptop (device 2) share her identity key.
  const DeviceAddress phone = Device(0xA1, 1), laptop = Device(0xA1, 2);
  SignedPreKey laptop_spk = SignedPreKey::GenerateForDevice(alice_, laptop, 3, rng_);
  OneTimePreKey laptop_opk = OneTimePreKey::Generate(4, rng_);
  PreKeyBundle bundle = MakePreKeyBundle(alice_, laptop_spk, &laptop_opk);
  auto initiation = X3dhInitiate(alice_, phone, bundle, laptop, rng_);
  ASSERT_TRUE(initiation.ok()) << initiation.status().ToString();
  EXPECT_EQ(initiation->header.initiator_identity, alice_.public_key());
  auto responder = X3dhRespond(alice_, laptop_spk, &laptop_opk, initiation->header);
  ASSERT_TRUE(responder.ok()) << responder.status().ToString();
  ExpectSameSecrets(initiation->secrets, *responder);
  // The old entry point still refuses the own identity key (see x3dh.h).
  EXPECT_EQ(X3dhInitiate(alice_, bundle, rng_).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(X3dhTest, DeviceBoundInitiateRefusesTheDeviceItself) {
  const DeviceAddress phone = Device(0xA1, 1);
  SignedPreKey phone_spk = SignedPreKey::GenerateForDevice(alice_, phone, 3, rng_);
  EXPECT_EQ(X3dhInitiate(alice_, phone, MakePreKeyBundle(alice_, phone_spk, nullptr), phone, rng_)
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
}

// Finding 4: a server lists an invented device of Bob's (or of Alice's own
// account) and hands out a real device's signed prekey for it.
TEST_F(X3dhTest, SignedPreKeyOfOneDeviceIsRefusedForAnother) {
  const DeviceAddress alice_phone = Device(0xA1, 1);
  const DeviceAddress bob_phone = Device(0xB0, 1), invented = Device(0xB0, 7);
  SignedPreKey spk = SignedPreKey::GenerateForDevice(bob_, bob_phone, 9, rng_);
  PreKeyBundle bundle = MakePreKeyBundle(bob_, spk, &bob_opk_);
  EXPECT_TRUE(X3dhInitiate(alice_, alice_phone, bundle, bob_phone, rng_).ok());
  EXPECT_EQ(X3dhInitiate(alice_, alice_phone, bundle, invented, rng_).status().code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifyPreKeyBundle(bundle, invented).code(), ErrorCode::kBadSignature);
  // Alice's own phone prekey replayed as a "second device" of hers.
  SignedPreKey own = SignedPreKey::GenerateForDevice(alice_, alice_phone, 2, rng_);
  EXPECT_EQ(X3dhInitiate(alice_, alice_phone, MakePreKeyBundle(alice_, own, nullptr),
                         Device(0xA1, 2), rng_)
                .status()
                .code(),
            ErrorCode::kBadSignature);
  // A deprecated v1 signature is no device-bound signature (no downgrade).
  EXPECT_EQ(X3dhInitiate(alice_, alice_phone, BundleWithOpk(), bob_phone, rng_).status().code(),
            ErrorCode::kBadSignature);
  // A bundle naming another device than the one asked for.
  PreKeyBundle labelled = bundle;
  labelled.device = invented;
  EXPECT_EQ(VerifyPreKeyBundle(labelled, bob_phone).code(), ErrorCode::kBadSignature);
  labelled.device = bob_phone;
  EXPECT_TRUE(VerifyPreKeyBundle(labelled, bob_phone).ok());
  EXPECT_TRUE(VerifyPreKeyBundle(labelled).ok());
}

TEST_F(X3dhTest, DeviceBundleRoundTrip) {
  const DeviceAddress bob_phone = Device(0xB0, 0x01020304);
  SignedPreKey spk = SignedPreKey::GenerateForDevice(bob_, bob_phone, 9, rng_);
  const OneTimePreKey* const opks[] = {&bob_opk_, nullptr};
  for (const OneTimePreKey* opk : opks) {
    PreKeyBundle bundle = MakePreKeyBundle(bob_, spk, opk);
    bundle.device = bob_phone;
    const Bytes bytes = SerializePreKeyBundle(bundle);
    ASSERT_EQ(bytes.size(), kBundleSizeWithoutOpk + 20 + (opk ? 36 : 0));
    EXPECT_EQ(bytes[0], kDevicePreKeyBundleVersion);
    EXPECT_EQ(Bytes(bytes.begin() + 33, bytes.begin() + 49), Bytes(16, 0xB0));
    EXPECT_EQ(Bytes(bytes.begin() + 49, bytes.begin() + 53), (Bytes{1, 2, 3, 4}));
    auto parsed = ParsePreKeyBundle(bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, bundle);
    EXPECT_TRUE(VerifyPreKeyBundle(*parsed).ok());
    for (size_t length = 0; length < bytes.size(); ++length) {
      EXPECT_EQ(ParsePreKeyBundle(ByteSpan(bytes).first(length)).status().code(),
                ErrorCode::kInvalidMessage)
          << length;
    }
    // Read as a v1 bundle (version byte changed), the lengths no longer fit
    // or the signature no longer verifies.
    Bytes as_v1 = bytes;
    as_v1[0] = kPreKeyBundleVersion;
    auto reread = ParsePreKeyBundle(as_v1);
    EXPECT_TRUE(!reread.ok() || !VerifyPreKeyBundle(*reread).ok());
  }
}

TEST_F(X3dhTest, InitiateRefusesSmallOrderSignedPreKeyEvenWhenSigned) {
  for (const DhPublicKey& small : kSmallOrderDhKeys) {
    PreKeyBundle bundle = BundleWithOpk();
    bundle.signed_prekey = small;
    bundle.signed_prekey_signature = bob_.Sign(SignatureContext::kSignedPreKey,
                                               SignedPreKeyMessage(bundle.signed_prekey_id, small));
    ASSERT_TRUE(VerifyPreKeyBundle(bundle).ok());
    EXPECT_EQ(X3dhInitiate(alice_, bundle, rng_).status().code(), ErrorCode::kInvalidArgument)
        << int{small.data()[0]};
  }
}

TEST_F(X3dhTest, InitiateRefusesSmallOrderOneTimePreKey) {
  for (const DhPublicKey& small : kSmallOrderDhKeys) {
    PreKeyBundle bundle = BundleWithOpk();
    bundle.one_time_prekey->key = small;
    EXPECT_EQ(X3dhInitiate(alice_, bundle, rng_).status().code(), ErrorCode::kInvalidArgument)
        << int{small.data()[0]};
  }
}

TEST_F(X3dhTest, InitiateRefusesInvalidIdentityKey) {
  PreKeyBundle bundle = BundleWithOpk();
  bundle.identity_key = IdentityPublicKey();  // All zero: small order.
  auto result = X3dhInitiate(alice_, bundle, rng_);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().code() == ErrorCode::kBadSignature ||
              result.status().code() == ErrorCode::kInvalidArgument)
      << result.status().ToString();
}

// ---------------------------------------------------------------------------
// Responder refusals

TEST_F(X3dhTest, RespondRefusesMismatchingSignedPreKeyId) {
  auto initiation = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(initiation.ok());
  SignedPreKey other_spk = SignedPreKey::Generate(bob_, kSignedPreKeyId + 1, rng_);
  EXPECT_EQ(X3dhRespond(bob_, other_spk, &bob_opk_, initiation->header).status().code(),
            ErrorCode::kInvalidArgument);
  InitialHeader other_header = initiation->header;
  other_header.signed_prekey_id ^= 0x80000000;
  EXPECT_EQ(X3dhRespond(bob_, bob_spk_, &bob_opk_, other_header).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(X3dhTest, RespondRefusesMissingOrMismatchingOneTimePreKey) {
  auto initiation = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(initiation.ok());
  // Header names an OPK, none given.
  EXPECT_EQ(X3dhRespond(bob_, bob_spk_, nullptr, initiation->header).status().code(),
            ErrorCode::kInvalidArgument);
  // Header names another OPK.
  OneTimePreKey other_opk = OneTimePreKey::Generate(kOneTimePreKeyId + 1, rng_);
  EXPECT_EQ(X3dhRespond(bob_, bob_spk_, &other_opk, initiation->header).status().code(),
            ErrorCode::kInvalidArgument);
  // Header names no OPK, one given.
  auto plain = X3dhInitiate(alice_, BundleWithoutOpk(), rng_);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(X3dhRespond(bob_, bob_spk_, &bob_opk_, plain->header).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(X3dhTest, RespondRefusesSmallOrderBaseKey) {
  auto initiation = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(initiation.ok());
  for (const DhPublicKey& small : kSmallOrderDhKeys) {
    InitialHeader header = initiation->header;
    header.base_key = small;
    EXPECT_EQ(X3dhRespond(bob_, bob_spk_, &bob_opk_, header).status().code(),
              ErrorCode::kInvalidMessage)
        << int{small.data()[0]};
  }
}

TEST_F(X3dhTest, RespondRefusesInvalidInitiatorIdentity) {
  auto initiation = X3dhInitiate(alice_, BundleWithOpk(), rng_);
  ASSERT_TRUE(initiation.ok());
  for (std::string_view hex : {
           "0000000000000000000000000000000000000000000000000000000000000000",
           "0100000000000000000000000000000000000000000000000000000000000000",
           "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
           "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
       }) {
    InitialHeader header = initiation->header;
    const DhPublicKey bytes = DhKeyFromHex(hex);
    header.initiator_identity = IdentityPublicKey(bytes.array());
    EXPECT_EQ(X3dhRespond(bob_, bob_spk_, &bob_opk_, header).status().code(),
              ErrorCode::kInvalidMessage)
        << hex;
  }
}

}  // namespace
}  // namespace securebase::crypto
