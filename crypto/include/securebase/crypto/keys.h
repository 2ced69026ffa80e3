// Private key pairs: identity, device-auth, signed prekeys, one-time prekeys.
//
// Private halves live only in sodium_malloc memory (SecureBuffer), made
// read-only (sodium_mprotect_readonly) as soon as they are filled, are wiped
// when the owner is destroyed, and leave only through the explicit
// ExportSeed()/private_key() views, which exist so the client vault can
// persist them sealed (a caller that copies them owns wiping the copy).
// All key pairs are move-only. Thread-safety: const methods may be called
// concurrently; nothing else is synchronised.
#ifndef SECUREBASE_CRYPTO_KEYS_H_
#define SECUREBASE_CRYPTO_KEYS_H_

#include <cstdint>

#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr size_t kEd25519SeedSize = 32;

// X25519 key pair (prekeys, ratchet keys, ephemeral keys).
class DhKeyPair {
 public:
  static DhKeyPair Generate(RandomSource& rng);
  // kInvalidArgument unless `private_key` is kX25519PrivateKeySize bytes.
  static Result<DhKeyPair> FromPrivateKey(ByteSpan private_key);

  const DhPublicKey& public_key() const { return public_key_; }
  ByteSpan private_key() const { return private_key_.span(); }
  DhKeyPair Clone() const;

 private:
  DhKeyPair(SecureBuffer private_key, const DhPublicKey& public_key)
      : private_key_(std::move(private_key)), public_key_(public_key) {
    private_key_.MakeReadOnly();
  }
  SecureBuffer private_key_;
  DhPublicKey public_key_;
};

// A user's long-term Ed25519 identity key and its X25519 (birational) form,
// which X3DH uses for Diffie-Hellman. All of a user's devices share it.
class IdentityKeyPair {
 public:
  static IdentityKeyPair Generate(RandomSource& rng);
  // Rebuilds the pair from the 32-byte seed returned by ExportSeed().
  // kInvalidArgument on a wrong length.
  static Result<IdentityKeyPair> FromSeed(ByteSpan seed);

  const IdentityPublicKey& public_key() const { return public_key_; }
  // Secret. Only for sealing into the vault.
  const SecureBuffer& ExportSeed() const { return seed_; }

  Signature Sign(SignatureContext context, ByteSpan message) const;
  // The X25519 form, for X3DH.
  const DhKeyPair& dh_key_pair() const { return dh_; }

 private:
  IdentityKeyPair(SecureBuffer seed, SecureBuffer secret_key, const IdentityPublicKey& public_key,
                  DhKeyPair dh)
      : seed_(std::move(seed)),
        secret_key_(std::move(secret_key)),
        public_key_(public_key),
        dh_(std::move(dh)) {
    seed_.MakeReadOnly();
    secret_key_.MakeReadOnly();
  }
  SecureBuffer seed_;
  SecureBuffer secret_key_;  // libsodium's 64-byte expanded Ed25519 secret key.
  IdentityPublicKey public_key_;
  DhKeyPair dh_;
};

// A device's Ed25519 key for authenticating to the server (challenge login).
class DeviceAuthKeyPair {
 public:
  static DeviceAuthKeyPair Generate(RandomSource& rng);
  static Result<DeviceAuthKeyPair> FromSeed(ByteSpan seed);

  const DeviceAuthPublicKey& public_key() const { return public_key_; }
  const SecureBuffer& ExportSeed() const { return seed_; }

  // Signs a server login challenge under SignatureContext::kAuthChallenge.
  // kInvalidArgument unless `challenge` is kAuthChallengeSize bytes.
  Result<Signature> SignAuthChallenge(ByteSpan challenge) const;

 private:
  DeviceAuthKeyPair(SecureBuffer seed, SecureBuffer secret_key,
                    const DeviceAuthPublicKey& public_key)
      : seed_(std::move(seed)), secret_key_(std::move(secret_key)), public_key_(public_key) {
    seed_.MakeReadOnly();
    secret_key_.MakeReadOnly();
  }
  SecureBuffer seed_;
  SecureBuffer secret_key_;
  DeviceAuthPublicKey public_key_;
};

// DEPRECATED: binds neither the account nor the device id (see
// VerifyDeviceBinding in signature.h); kept so existing callers compile. New
// code makes a device binding record with MakeDeviceBinding.
// The identity key's signature vouching for a device-auth key.
Signature SignDeviceBinding(const IdentityKeyPair& identity,
                            const DeviceAuthPublicKey& device_auth_key);

// The identity key's signed device binding record (device_binding.h) for
// `binding`, ready to publish: ParseAndVerifyDeviceBinding(identity public key,
// result) gives `binding` back.
SignedDeviceBinding SignDeviceBindingRecord(const IdentityKeyPair& identity,
                                            const DeviceBinding& binding);

// The identity key's device-bound signature over a device's signed prekey
// (context kDeviceSignedPreKey, DeviceSignedPreKeyMessage): verifies with
// VerifyDeviceSignedPreKey for exactly this device, id and key.
Signature SignPreKeyForDevice(const IdentityKeyPair& identity, const DeviceAddress& device,
                              uint32_t prekey_id, const DhPublicKey& prekey);

// A medium-term X25519 prekey signed by the identity key. Rotated by the
// caller (see kSignedPreKeyRotationSeconds in limits.h); a new one takes a new id.
struct SignedPreKey {
  uint32_t id = 0;
  DhKeyPair key;
  Signature signature;

  // A fresh prekey with a device-bound signature (SignPreKeyForDevice).
  static SignedPreKey GenerateForDevice(const IdentityKeyPair& identity,
                                        const DeviceAddress& device, uint32_t id,
                                        RandomSource& rng);
  // DEPRECATED: the signature binds no device (SignatureContext::kSignedPreKey);
  // kept so existing callers compile. Use GenerateForDevice.
  static SignedPreKey Generate(const IdentityKeyPair& identity, uint32_t id, RandomSource& rng);
  SignedPreKey Clone() const { return SignedPreKey{id, key.Clone(), signature}; }
};

// A single-use X25519 prekey.
struct OneTimePreKey {
  uint32_t id = 0;
  DhKeyPair key;

  static OneTimePreKey Generate(uint32_t id, RandomSource& rng);
  OneTimePreKey Clone() const { return OneTimePreKey{id, key.Clone()}; }
};

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_KEYS_H_
