// Device binding records (device_binding.h): the byte format, and every way a
// malicious server could try to list a device the account never added.
#include "securebase/crypto/device_binding.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"
#include "tests/testing/deterministic_random.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;

class DeviceBindingTest : public ::testing::Test {
 protected:
  DeviceBindingTest()
      : rng_(0xB1D),
        identity_(IdentityKeyPair::Generate(rng_)),
        device_auth_(DeviceAuthKeyPair::Generate(rng_)) {
    std::array<uint8_t, kUserIdSize> user{};
    for (size_t i = 0; i < user.size(); ++i) user[i] = static_cast<uint8_t>(0xA0 + i);
    binding_.device = DeviceAddress{UserId(user), 0x00000102};
    binding_.device_auth_key = device_auth_.public_key();
    binding_.created_at_unix_seconds = 0x0000000067890ABCull;
  }

  Bytes Signed() const {
    return SerializeDeviceBinding(SignDeviceBindingRecord(identity_, binding_));
  }

  DeterministicRandom rng_;
  IdentityKeyPair identity_;
  DeviceAuthKeyPair device_auth_;
  DeviceBinding binding_;
};

TEST_F(DeviceBindingTest, FormatIsTheDocumentedBytes) {
  const Bytes record = Signed();
  ASSERT_EQ(record.size(), kDeviceBindingSize);
  ASSERT_EQ(kDeviceBindingSize, 125u);
  EXPECT_EQ(record[0], kDeviceBindingVersion);
  EXPECT_EQ(record[1], 0xA0);
  EXPECT_EQ(record[16], 0xAF);
  EXPECT_EQ(Bytes(record.begin() + 17, record.begin() + 21), (Bytes{0x00, 0x00, 0x01, 0x02}));
  EXPECT_EQ(Bytes(record.begin() + 21, record.begin() + 53), device_auth_.public_key().ToBytes());
  EXPECT_EQ(Bytes(record.begin() + 53, record.begin() + 61),
            (Bytes{0x00, 0x00, 0x00, 0x00, 0x67, 0x89, 0x0A, 0xBC}));
  EXPECT_EQ(DeviceBindingSignedBytes(binding_), Bytes(record.begin(), record.begin() + 61));
  // Independent check: Ed25519 over label || 0x00 || the first 61 bytes.
  Bytes signed_bytes;
  constexpr std::string_view kLabel = "SecureBase/v2/device-binding";
  signed_bytes.insert(signed_bytes.end(), kLabel.begin(), kLabel.end());
  signed_bytes.push_back(0x00);
  signed_bytes.insert(signed_bytes.end(), record.begin(), record.begin() + 61);
  EXPECT_EQ(crypto_sign_verify_detached(record.data() + 61, signed_bytes.data(),
                                        signed_bytes.size(), identity_.public_key().data()),
            0);
}

TEST_F(DeviceBindingTest, RoundTripAndVerify) {
  auto parsed = ParseDeviceBinding(Signed());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->binding, binding_);
  EXPECT_EQ(SerializeDeviceBinding(*parsed), Signed());
  EXPECT_TRUE(VerifyDeviceBindingRecord(identity_.public_key(), *parsed).ok());
  auto verified = ParseAndVerifyDeviceBinding(identity_.public_key(), Signed());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(*verified, binding_);
}

// A server inventing a device: it can sign with any key but the account's.
TEST_F(DeviceBindingTest, BindingSignedByAnotherIdentityIsRefused) {
  IdentityKeyPair server_key = IdentityKeyPair::Generate(rng_);
  const Bytes forged = SerializeDeviceBinding(SignDeviceBindingRecord(server_key, binding_));
  EXPECT_EQ(ParseAndVerifyDeviceBinding(identity_.public_key(), forged).status().code(),
            ErrorCode::kBadSignature);
  // And a genuine binding checked against another account's identity.
  EXPECT_EQ(ParseAndVerifyDeviceBinding(server_key.public_key(), Signed()).status().code(),
            ErrorCode::kBadSignature);
}

// A server re-labelling a genuine binding: another device id, another
// account, another device-auth key (its own, to log in as the device), or
// another time. Every byte is covered by the signature.
TEST_F(DeviceBindingTest, EveryByteIsBound) {
  const Bytes record = Signed();
  for (size_t i = 0; i < record.size(); ++i) {
    Bytes tampered = record;
    tampered[i] ^= 0x01;
    auto result = ParseAndVerifyDeviceBinding(identity_.public_key(), tampered);
    ASSERT_FALSE(result.ok()) << "byte " << i;
    EXPECT_EQ(result.status().code(),
              i == 0 ? ErrorCode::kInvalidMessage : ErrorCode::kBadSignature)
        << "byte " << i;
  }
}

TEST_F(DeviceBindingTest, OldDeviceBindingSignatureIsNotARecordSignature) {
  // The deprecated v1 signature over the device-auth key alone, and a
  // signature over the record's bytes under the v1 label, never verify.
  SignedDeviceBinding signed_binding = SignDeviceBindingRecord(identity_, binding_);
  SignedDeviceBinding with_v1 = signed_binding;
  with_v1.signature = SignDeviceBinding(identity_, device_auth_.public_key());
  EXPECT_EQ(VerifyDeviceBindingRecord(identity_.public_key(), with_v1).code(),
            ErrorCode::kBadSignature);
  with_v1.signature =
      identity_.Sign(SignatureContext::kDeviceBinding, DeviceBindingSignedBytes(binding_));
  EXPECT_EQ(VerifyDeviceBindingRecord(identity_.public_key(), with_v1).code(),
            ErrorCode::kBadSignature);
  // Nor does the record signature pass the deprecated check.
  EXPECT_EQ(VerifyDeviceBinding(identity_.public_key(), device_auth_.public_key(),
                                signed_binding.signature)
                .code(),
            ErrorCode::kBadSignature);
}

TEST_F(DeviceBindingTest, InvalidDeviceAuthKeyIsRefusedEvenWhenSigned) {
  DeviceBinding bad = binding_;
  bad.device_auth_key = DeviceAuthPublicKey();  // All zero: small order.
  EXPECT_EQ(
      VerifyDeviceBindingRecord(identity_.public_key(), SignDeviceBindingRecord(identity_, bad))
          .code(),
      ErrorCode::kBadSignature);
}

TEST_F(DeviceBindingTest, ParseRefusesWrongLengthsAndVersions) {
  const Bytes record = Signed();
  for (size_t length = 0; length < record.size(); ++length) {
    EXPECT_EQ(ParseDeviceBinding(ByteSpan(record).first(length)).status().code(),
              ErrorCode::kInvalidMessage)
        << length;
  }
  Bytes longer = record;
  longer.push_back(0);
  EXPECT_EQ(ParseDeviceBinding(longer).status().code(), ErrorCode::kInvalidMessage);
  for (uint8_t version : {uint8_t{0}, uint8_t{2}, uint8_t{0xFF}}) {
    Bytes other = record;
    other[0] = version;
    EXPECT_EQ(ParseDeviceBinding(other).status().code(), ErrorCode::kInvalidMessage)
        << int{version};
  }
}

}  // namespace
}  // namespace securebase::crypto
