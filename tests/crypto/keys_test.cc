// Key pairs (keys.h) and the domain-separated signature checks (signature.h).
#include "securebase/crypto/keys.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "securebase/crypto/random.h"
#include "securebase/crypto/sealed_storage.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/secret_box.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"
#include "tests/testing/deterministic_random.h"
#include "tests/testing/hex.h"

namespace securebase::crypto {
namespace {

using ::securebase::testing::DeterministicRandom;
using ::securebase::testing::FromHex;

template <typename Key>
Key KeyFromHex(std::string_view hex) {
  auto key = Key::FromBytes(FromHex(hex));
  EXPECT_TRUE(key.ok()) << hex;
  return key.ok() ? *key : Key();
}

template <typename T>
T Flipped(const T& value, size_t index, uint8_t mask) {
  std::array<uint8_t, T::kSize> bytes = value.array();
  bytes[index] ^= mask;
  return T(bytes);
}

// Independent check of the documented signing format: Ed25519 (libsodium) over
// label || 0x00 || message.
bool SodiumVerifies(ByteSpan public_key, std::string_view label, ByteSpan message,
                    const Signature& signature) {
  Bytes signed_bytes(label.begin(), label.end());
  signed_bytes.push_back(0x00);
  signed_bytes.insert(signed_bytes.end(), message.begin(), message.end());
  return crypto_sign_verify_detached(signature.data(), signed_bytes.data(), signed_bytes.size(),
                                     public_key.data()) == 0;
}

class KeysTest : public ::testing::Test {
 protected:
  void SetUp() override { EnsureSodiumInitialized(); }
  DeterministicRandom rng_{0x6B657973};
};

// ---------------------------------------------------------------------------
// Key pairs

TEST_F(KeysTest, IdentitySeedRoundTripGivesSameKeys) {
  IdentityKeyPair original = IdentityKeyPair::Generate(rng_);
  ASSERT_EQ(original.ExportSeed().size(), kEd25519SeedSize);
  auto restored = IdentityKeyPair::FromSeed(original.ExportSeed().span());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->public_key(), original.public_key());
  EXPECT_EQ(restored->dh_key_pair().public_key(), original.dh_key_pair().public_key());
  EXPECT_TRUE(ConstantTimeEquals(restored->dh_key_pair().private_key(),
                                 original.dh_key_pair().private_key()));
  // Ed25519 is deterministic: the same key signs the same message identically.
  const Bytes message = {1, 2, 3};
  EXPECT_EQ(restored->Sign(SignatureContext::kDeviceBinding, message),
            original.Sign(SignatureContext::kDeviceBinding, message));
}

TEST_F(KeysTest, IdentityFromSeedRejectsWrongLength) {
  for (size_t size : {size_t{0}, size_t{31}, size_t{33}, size_t{64}}) {
    auto key = IdentityKeyPair::FromSeed(Bytes(size, 7));
    EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument) << size;
  }
}

TEST_F(KeysTest, IdentityPublicKeyMatchesSeed) {
  // Independent derivation with libsodium from the exported seed.
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  ASSERT_EQ(crypto_sign_seed_keypair(pk.data(), sk.data(), identity.ExportSeed().data()), 0);
  EXPECT_EQ(identity.public_key().array(), pk);
  sodium_memzero(sk.data(), sk.size());
}

TEST_F(KeysTest, IdentityDhFormIsTheBirationalMapOfTheEd25519Key) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  std::array<uint8_t, crypto_scalarmult_curve25519_BYTES> x25519_pk{};
  ASSERT_EQ(crypto_sign_ed25519_pk_to_curve25519(x25519_pk.data(), identity.public_key().data()),
            0);
  EXPECT_EQ(identity.dh_key_pair().public_key().array(), x25519_pk);
  // And the private half is consistent with it.
  std::array<uint8_t, crypto_scalarmult_curve25519_BYTES> derived{};
  ASSERT_EQ(crypto_scalarmult_base(derived.data(), identity.dh_key_pair().private_key().data()), 0);
  EXPECT_EQ(derived, x25519_pk);
}

TEST_F(KeysTest, GenerationUsesTheInjectedRandomness) {
  DeterministicRandom rng_a(99), rng_b(99), rng_c(100);
  IdentityKeyPair a = IdentityKeyPair::Generate(rng_a);
  IdentityKeyPair b = IdentityKeyPair::Generate(rng_b);
  IdentityKeyPair c = IdentityKeyPair::Generate(rng_c);
  EXPECT_EQ(a.public_key(), b.public_key());
  EXPECT_NE(a.public_key(), c.public_key());
  // Successive keys from one source differ.
  EXPECT_NE(IdentityKeyPair::Generate(rng_a).public_key(), a.public_key());
  EXPECT_NE(DhKeyPair::Generate(rng_a).public_key(), DhKeyPair::Generate(rng_a).public_key());
}

TEST_F(KeysTest, DeviceAuthSeedRoundTripGivesSameKey) {
  DeviceAuthKeyPair original = DeviceAuthKeyPair::Generate(rng_);
  ASSERT_EQ(original.ExportSeed().size(), kEd25519SeedSize);
  auto restored = DeviceAuthKeyPair::FromSeed(original.ExportSeed().span());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->public_key(), original.public_key());
  EXPECT_EQ(DeviceAuthKeyPair::FromSeed(Bytes(31, 1)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DeviceAuthKeyPair::FromSeed(Bytes(33, 1)).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(KeysTest, DhKeyPairFromPrivateKeyRoundTrip) {
  DhKeyPair original = DhKeyPair::Generate(rng_);
  ASSERT_EQ(original.private_key().size(), kX25519PrivateKeySize);
  auto restored = DhKeyPair::FromPrivateKey(original.private_key());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->public_key(), original.public_key());

  std::array<uint8_t, crypto_scalarmult_curve25519_BYTES> derived{};
  ASSERT_EQ(crypto_scalarmult_base(derived.data(), original.private_key().data()), 0);
  EXPECT_EQ(original.public_key().array(), derived);

  DhKeyPair clone = original.Clone();
  EXPECT_EQ(clone.public_key(), original.public_key());
  EXPECT_TRUE(ConstantTimeEquals(clone.private_key(), original.private_key()));
  EXPECT_NE(clone.private_key().data(), original.private_key().data());

  for (size_t size : {size_t{0}, size_t{31}, size_t{33}}) {
    EXPECT_EQ(DhKeyPair::FromPrivateKey(Bytes(size, 9)).status().code(),
              ErrorCode::kInvalidArgument)
        << size;
  }
}

TEST_F(KeysTest, FixedBytesFromBytesChecksLength) {
  EXPECT_TRUE(IdentityPublicKey::FromBytes(Bytes(32, 1)).ok());
  EXPECT_EQ(IdentityPublicKey::FromBytes(Bytes(31, 1)).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Signature::FromBytes(Bytes(63, 1)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Signature::FromBytes(Bytes(64, 1)).ok());
}

// ---------------------------------------------------------------------------
// Signed prekeys

TEST_F(KeysTest, SignedPreKeyMessageIsBigEndianIdThenKey) {
  DhKeyPair key = DhKeyPair::Generate(rng_);
  Bytes message = SignedPreKeyMessage(0x01020304, key.public_key());
  ASSERT_EQ(message.size(), 4 + kX25519PublicKeySize);
  EXPECT_EQ(message[0], 0x01);
  EXPECT_EQ(message[1], 0x02);
  EXPECT_EQ(message[2], 0x03);
  EXPECT_EQ(message[3], 0x04);
  EXPECT_TRUE(std::equal(message.begin() + 4, message.end(), key.public_key().data()));
}

TEST_F(KeysTest, SignedPreKeyVerifies) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  SignedPreKey spk = SignedPreKey::Generate(identity, 0xA1B2C3D4, rng_);
  EXPECT_EQ(spk.id, 0xA1B2C3D4u);
  EXPECT_TRUE(
      VerifySignedPreKey(identity.public_key(), spk.id, spk.key.public_key(), spk.signature).ok());
  // The documented format, checked with libsodium directly.
  EXPECT_TRUE(SodiumVerifies(identity.public_key().span(), "SecureBase/v1/signed-prekey",
                             SignedPreKeyMessage(spk.id, spk.key.public_key()), spk.signature));

  SignedPreKey clone = spk.Clone();
  EXPECT_EQ(clone.id, spk.id);
  EXPECT_EQ(clone.signature, spk.signature);
  EXPECT_EQ(clone.key.public_key(), spk.key.public_key());
}

TEST_F(KeysTest, SignedPreKeyFailsAfterAnySingleByteFlip) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  SignedPreKey spk = SignedPreKey::Generate(identity, 77, rng_);
  const IdentityPublicKey& ik = identity.public_key();
  const DhPublicKey& key = spk.key.public_key();
  for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
    for (size_t i = 0; i < kSignatureSize; ++i) {
      EXPECT_EQ(VerifySignedPreKey(ik, spk.id, key, Flipped(spk.signature, i, mask)).code(),
                ErrorCode::kBadSignature)
          << "signature byte " << i;
    }
    for (size_t i = 0; i < kX25519PublicKeySize; ++i) {
      EXPECT_EQ(VerifySignedPreKey(ik, spk.id, Flipped(key, i, mask), spk.signature).code(),
                ErrorCode::kBadSignature)
          << "key byte " << i;
    }
    for (int byte = 0; byte < 4; ++byte) {
      const uint32_t id = spk.id ^ (uint32_t{mask} << (8 * byte));
      EXPECT_EQ(VerifySignedPreKey(ik, id, key, spk.signature).code(), ErrorCode::kBadSignature)
          << "id byte " << byte;
    }
    for (size_t i = 0; i < kEd25519PublicKeySize; ++i) {
      EXPECT_EQ(VerifySignedPreKey(Flipped(ik, i, mask), spk.id, key, spk.signature).code(),
                ErrorCode::kBadSignature)
          << "identity byte " << i;
    }
  }
}

TEST_F(KeysTest, SignedPreKeyFailsUnderAnotherIdentity) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  IdentityKeyPair other = IdentityKeyPair::Generate(rng_);
  SignedPreKey spk = SignedPreKey::Generate(identity, 1, rng_);
  EXPECT_EQ(
      VerifySignedPreKey(other.public_key(), spk.id, spk.key.public_key(), spk.signature).code(),
      ErrorCode::kBadSignature);
}

TEST_F(KeysTest, MalformedOrSmallOrderIdentityNeverVerifies) {
  DhKeyPair prekey = DhKeyPair::Generate(rng_);
  // The classic forgery against lax verifiers: A = identity point, R = identity
  // point, S = 0 "verifies" any message.
  const auto identity_point = KeyFromHex<IdentityPublicKey>(
      "0100000000000000000000000000000000000000000000000000000000000000");
  const auto forged = KeyFromHex<Signature>(
      "0100000000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(VerifySignedPreKey(identity_point, 5, prekey.public_key(), forged).code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifySignedPreKey(IdentityPublicKey(), 5, prekey.public_key(), Signature()).code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifyDeviceBinding(identity_point, DeviceAuthPublicKey(), forged).code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(
      VerifyAuthChallenge(KeyFromHex<DeviceAuthPublicKey>(
                              "0100000000000000000000000000000000000000000000000000000000000000"),
                          Bytes(kAuthChallengeSize, 0x33), forged)
          .code(),
      ErrorCode::kBadSignature);
}

// Finding 6: long-lived private keys live only in sodium_malloc memory, and
// read-only: a stray write (or a bug elsewhere in the process) faults
// instead of changing or overwriting a key.
TEST_F(KeysTest, LongLivedPrivateKeysAreReadOnly) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  DeviceAuthKeyPair device = DeviceAuthKeyPair::Generate(rng_);
  SignedPreKey spk = SignedPreKey::Generate(identity, 1, rng_);
  OneTimePreKey otk = OneTimePreKey::Generate(2, rng_);
  EXPECT_TRUE(identity.ExportSeed().read_only());
  EXPECT_TRUE(device.ExportSeed().read_only());
  auto restored = IdentityKeyPair::FromSeed(identity.ExportSeed().span());
  ASSERT_TRUE(restored.ok());
  EXPECT_TRUE(restored->ExportSeed().read_only());
  // Keys still work after protection: signing, DH, cloning.
  EXPECT_TRUE(
      VerifySignedPreKey(identity.public_key(), 1, spk.key.public_key(), spk.signature).ok());
  SignedPreKey clone = spk.Clone();
  EXPECT_EQ(clone.key.public_key(), spk.key.public_key());
  for (ByteSpan key :
       {identity.ExportSeed().span(), device.ExportSeed().span(), spk.key.private_key(),
        clone.key.private_key(), otk.key.private_key(), identity.dh_key_pair().private_key()}) {
    EXPECT_DEATH(const_cast<uint8_t*>(key.data())[0] ^= 1, "");
  }
  // The other long-lived keys: the vault key and an out-of-band box key.
  VaultKey vault = VaultKey::Generate(rng_);
  SecretBoxKey box = SecretBoxKey::Generate(rng_);
  for (ByteSpan key : {vault.BytesForTesting(), box.bytes()}) {
    EXPECT_DEATH(const_cast<uint8_t*>(key.data())[0] ^= 1, "");
  }
}

// ---------------------------------------------------------------------------
// Domain separation

TEST_F(KeysTest, LabelsAreTheDocumentedVersionedStrings) {
  EXPECT_EQ(SignatureLabel(SignatureContext::kSignedPreKey), "SecureBase/v1/signed-prekey");
  EXPECT_EQ(SignatureLabel(SignatureContext::kDeviceBinding), "SecureBase/v1/device-binding");
  EXPECT_EQ(SignatureLabel(SignatureContext::kAuthChallenge), "SecureBase/v1/auth-challenge");
  EXPECT_EQ(SignatureLabel(SignatureContext::kDeviceSignedPreKey), "SecureBase/v2/signed-prekey");
  EXPECT_EQ(SignatureLabel(SignatureContext::kDeviceBindingRecord), "SecureBase/v2/device-binding");
}

TEST_F(KeysTest, SignIsEd25519OverLabelZeroMessage) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  const Bytes message = {0xDE, 0xAD, 0xBE, 0xEF};
  for (SignatureContext context :
       {SignatureContext::kSignedPreKey, SignatureContext::kDeviceBinding,
        SignatureContext::kAuthChallenge, SignatureContext::kDeviceSignedPreKey,
        SignatureContext::kDeviceBindingRecord}) {
    Signature signature = identity.Sign(context, message);
    EXPECT_TRUE(
        SodiumVerifies(identity.public_key().span(), SignatureLabel(context), message, signature));
    // Not a bare signature over the message.
    EXPECT_FALSE(crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                             identity.public_key().data()) == 0);
  }
}

TEST_F(KeysTest, SignatureForOneContextNeverVerifiesInAnother) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  DeviceAuthKeyPair device = DeviceAuthKeyPair::Generate(rng_);
  DhKeyPair prekey = DhKeyPair::Generate(rng_);
  const uint32_t prekey_id = 12;

  // The literal reuse: a device-binding signature presented as a signed
  // prekey signature over the same 32 key bytes.
  Signature binding = SignDeviceBinding(identity, device.public_key());
  ASSERT_TRUE(VerifyDeviceBinding(identity.public_key(), device.public_key(), binding).ok());
  DhPublicKey same_bytes_as_device(device.public_key().array());
  EXPECT_EQ(
      VerifySignedPreKey(identity.public_key(), prekey_id, same_bytes_as_device, binding).code(),
      ErrorCode::kBadSignature);

  // Same key, same message bytes, every other context: signed prekey message.
  const Bytes spk_message = SignedPreKeyMessage(prekey_id, prekey.public_key());
  for (SignatureContext context :
       {SignatureContext::kDeviceBinding, SignatureContext::kAuthChallenge}) {
    Signature signature = identity.Sign(context, spk_message);
    EXPECT_EQ(
        VerifySignedPreKey(identity.public_key(), prekey_id, prekey.public_key(), signature).code(),
        ErrorCode::kBadSignature)
        << static_cast<int>(context);
  }
  EXPECT_TRUE(VerifySignedPreKey(identity.public_key(), prekey_id, prekey.public_key(),
                                 identity.Sign(SignatureContext::kSignedPreKey, spk_message))
                  .ok());

  // 32-byte messages: device binding vs auth challenge, signed by the same
  // Ed25519 key (the identity key viewed as a device-auth key).
  const DeviceAuthPublicKey identity_as_device(identity.public_key().array());
  const ByteSpan device_bytes = device.public_key().span();
  Signature as_challenge = identity.Sign(SignatureContext::kAuthChallenge, device_bytes);
  Signature as_prekey = identity.Sign(SignatureContext::kSignedPreKey, device_bytes);
  Signature as_binding = identity.Sign(SignatureContext::kDeviceBinding, device_bytes);
  EXPECT_EQ(VerifyDeviceBinding(identity.public_key(), device.public_key(), as_challenge).code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifyDeviceBinding(identity.public_key(), device.public_key(), as_prekey).code(),
            ErrorCode::kBadSignature);
  EXPECT_TRUE(VerifyDeviceBinding(identity.public_key(), device.public_key(), as_binding).ok());
  EXPECT_EQ(VerifyAuthChallenge(identity_as_device, device_bytes, as_binding).code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifyAuthChallenge(identity_as_device, device_bytes, as_prekey).code(),
            ErrorCode::kBadSignature);
  EXPECT_TRUE(VerifyAuthChallenge(identity_as_device, device_bytes, as_challenge).ok());
}

// ---------------------------------------------------------------------------
// Device-bound signed prekeys

DeviceAddress Device(uint8_t user_byte, uint32_t device_id) {
  std::array<uint8_t, kUserIdSize> user{};
  user.fill(user_byte);
  return DeviceAddress{UserId(user), device_id};
}

TEST_F(KeysTest, DeviceSignedPreKeyMessageIsUserDeviceIdKeyBigEndian) {
  DhPublicKey key = DhKeyPair::Generate(rng_).public_key();
  const Bytes message = DeviceSignedPreKeyMessage(Device(0xAB, 0x01020304), 0x0A0B0C0D, key);
  ASSERT_EQ(message.size(), 16u + 4 + 4 + 32);
  EXPECT_EQ(Bytes(message.begin(), message.begin() + 16), Bytes(16, 0xAB));
  EXPECT_EQ(Bytes(message.begin() + 16, message.begin() + 24),
            (Bytes{0x01, 0x02, 0x03, 0x04, 0x0A, 0x0B, 0x0C, 0x0D}));
  EXPECT_EQ(Bytes(message.begin() + 24, message.end()), key.ToBytes());
}

TEST_F(KeysTest, DeviceSignedPreKeyVerifiesOnlyForItsDevice) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  const DeviceAddress device = Device(0x11, 2);
  SignedPreKey spk = SignedPreKey::GenerateForDevice(identity, device, 5, rng_);
  const IdentityPublicKey& ik = identity.public_key();
  const DhPublicKey key = spk.key.public_key();
  EXPECT_TRUE(VerifyDeviceSignedPreKey(ik, device, 5, key, spk.signature).ok());
  EXPECT_TRUE(SodiumVerifies(ik.span(), "SecureBase/v2/signed-prekey",
                             DeviceSignedPreKeyMessage(device, 5, key), spk.signature));
  // The malicious server's replay: the same prekey and signature presented as
  // another device of the account, or of another account.
  for (const DeviceAddress& other : {Device(0x11, 3), Device(0x11, 0), Device(0x12, 2)}) {
    EXPECT_EQ(VerifyDeviceSignedPreKey(ik, other, 5, key, spk.signature).code(),
              ErrorCode::kBadSignature)
        << other.device_id;
  }
  EXPECT_EQ(VerifyDeviceSignedPreKey(ik, device, 6, key, spk.signature).code(),
            ErrorCode::kBadSignature);
  // A v1 signature never passes as device-bound, nor the reverse.
  SignedPreKey v1 = SignedPreKey::Generate(identity, 5, rng_);
  EXPECT_EQ(VerifyDeviceSignedPreKey(ik, device, 5, v1.key.public_key(), v1.signature).code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifySignedPreKey(ik, 5, key, spk.signature).code(), ErrorCode::kBadSignature);
  EXPECT_TRUE(VerifySignedPreKey(ik, 5, v1.key.public_key(), v1.signature).ok());
  // SignPreKeyForDevice re-signs an existing key (e.g. migrating a v1 prekey).
  EXPECT_EQ(SignPreKeyForDevice(identity, device, 5, key), spk.signature);
  EXPECT_TRUE(
      VerifyDeviceSignedPreKey(ik, device, 5, v1.key.public_key(),
                               SignPreKeyForDevice(identity, device, 5, v1.key.public_key()))
          .ok());
}

// ---------------------------------------------------------------------------
// Device binding and auth challenges

TEST_F(KeysTest, DeviceBindingVerifiesOnlyForItsKeys) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  IdentityKeyPair other_identity = IdentityKeyPair::Generate(rng_);
  DeviceAuthKeyPair device = DeviceAuthKeyPair::Generate(rng_);
  DeviceAuthKeyPair other_device = DeviceAuthKeyPair::Generate(rng_);
  Signature binding = SignDeviceBinding(identity, device.public_key());
  EXPECT_TRUE(VerifyDeviceBinding(identity.public_key(), device.public_key(), binding).ok());
  EXPECT_TRUE(SodiumVerifies(identity.public_key().span(), "SecureBase/v1/device-binding",
                             device.public_key().span(), binding));
  EXPECT_EQ(VerifyDeviceBinding(other_identity.public_key(), device.public_key(), binding).code(),
            ErrorCode::kBadSignature);
  EXPECT_EQ(VerifyDeviceBinding(identity.public_key(), other_device.public_key(), binding).code(),
            ErrorCode::kBadSignature);
  for (size_t i = 0; i < kSignatureSize; ++i) {
    EXPECT_EQ(
        VerifyDeviceBinding(identity.public_key(), device.public_key(), Flipped(binding, i, 1))
            .code(),
        ErrorCode::kBadSignature)
        << i;
  }
}

TEST_F(KeysTest, AuthChallengeSignAndVerify) {
  DeviceAuthKeyPair device = DeviceAuthKeyPair::Generate(rng_);
  DeviceAuthKeyPair other = DeviceAuthKeyPair::Generate(rng_);
  Bytes challenge(kAuthChallengeSize);
  rng_.Fill(challenge);
  auto signature = device.SignAuthChallenge(challenge);
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  EXPECT_TRUE(VerifyAuthChallenge(device.public_key(), challenge, *signature).ok());
  EXPECT_TRUE(SodiumVerifies(device.public_key().span(), "SecureBase/v1/auth-challenge", challenge,
                             *signature));
  EXPECT_EQ(VerifyAuthChallenge(other.public_key(), challenge, *signature).code(),
            ErrorCode::kBadSignature);
  for (size_t i = 0; i < kAuthChallengeSize; ++i) {
    Bytes changed = challenge;
    changed[i] ^= 0x01;
    EXPECT_EQ(VerifyAuthChallenge(device.public_key(), changed, *signature).code(),
              ErrorCode::kBadSignature)
        << i;
  }
  for (size_t i = 0; i < kSignatureSize; ++i) {
    EXPECT_EQ(
        VerifyAuthChallenge(device.public_key(), challenge, Flipped(*signature, i, 0x01)).code(),
        ErrorCode::kBadSignature)
        << i;
  }
}

TEST_F(KeysTest, AuthChallengeOfWrongLengthIsInvalidArgument) {
  DeviceAuthKeyPair device = DeviceAuthKeyPair::Generate(rng_);
  Bytes challenge(kAuthChallengeSize, 0x11);
  auto good = device.SignAuthChallenge(challenge);
  ASSERT_TRUE(good.ok());
  for (size_t size :
       {size_t{0}, size_t{1}, kAuthChallengeSize - 1, kAuthChallengeSize + 1, size_t{64}}) {
    Bytes wrong(size, 0x11);
    EXPECT_EQ(device.SignAuthChallenge(wrong).status().code(), ErrorCode::kInvalidArgument) << size;
    EXPECT_EQ(VerifyAuthChallenge(device.public_key(), wrong, *good).code(),
              ErrorCode::kInvalidArgument)
        << size;
  }
}

// ---------------------------------------------------------------------------
// ValidateEd25519PublicKey

TEST_F(KeysTest, ValidateAcceptsRealKeys) {
  for (int i = 0; i < 8; ++i) {
    IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
    EXPECT_TRUE(ValidateEd25519PublicKey(identity.public_key().span()).ok());
    DeviceAuthKeyPair device = DeviceAuthKeyPair::Generate(rng_);
    EXPECT_TRUE(ValidateEd25519PublicKey(device.public_key().span()).ok());
  }
}

TEST_F(KeysTest, ValidateRejectsWrongLength) {
  IdentityKeyPair identity = IdentityKeyPair::Generate(rng_);
  Bytes longer = identity.public_key().ToBytes();
  longer.push_back(0);
  EXPECT_EQ(ValidateEd25519PublicKey(longer).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateEd25519PublicKey(identity.public_key().span().first(31)).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateEd25519PublicKey(ByteSpan()).code(), ErrorCode::kInvalidArgument);
}

TEST_F(KeysTest, ValidateRejectsSmallOrderNonCanonicalAndOffCurvePoints) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"all zero (y = 0, order 4)",
       "0000000000000000000000000000000000000000000000000000000000000000"},
      {"identity point (order 1)",
       "0100000000000000000000000000000000000000000000000000000000000000"},
      {"identity point with sign bit (non-canonical)",
       "0100000000000000000000000000000000000000000000000000000000000080"},
      {"order 8", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"},
      {"order 8, negated x", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"},
      {"order 8", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"},
      {"order 8, negated x", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"},
      {"y = p - 1 (order 2)", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
      {"y = p (non-canonical 0)",
       "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
      {"y = p + 1 (non-canonical 1)",
       "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
      {"y = p + 3 (non-canonical encoding of a curve point)",
       "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
      {"y = 2 (not on the curve)",
       "0200000000000000000000000000000000000000000000000000000000000000"},
      {"all ones", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
  };
  for (const auto& [what, hex] : bad) {
    EXPECT_EQ(ValidateEd25519PublicKey(FromHex(hex)).code(), ErrorCode::kInvalidArgument) << what;
  }
}

}  // namespace
}  // namespace securebase::crypto
