// Device binding records: an account's identity key vouching that a device
// (user id, device id) with a given device-auth key belongs to the account.
//
// A device exists for peers only with a binding they have verified, so a
// server cannot invent devices: it cannot sign with the identity key. Every
// client checks bindings before it encrypts to a device; the server checks
// them when a device registers. This header is part of the verify-only target
// (securebase_crypto_verify): parsing and verifying never decrypt anything.
// Signing needs the identity key pair: MakeDeviceBinding in keys.h.
//
// Format v1, 125 bytes, integers big-endian:
//   version(1) = 0x01 | user id(16) | device id(4) | device-auth key(32) |
//   created at(8, seconds since the Unix epoch) | signature(64)
// The signature is Ed25519 by the account's identity key over
//   "SecureBase/v2/device-binding" || 0x00 || the record's first 61 bytes
// (version byte included, so a record cannot be re-read as another version).
// The device's signed prekey is not in the record: it rotates weekly and
// carries its own device-bound signature (DeviceSignedPreKeyMessage), so a
// binding stays valid across rotations.
//
// Thread-safety: plain values and pure functions.
#ifndef SECUREBASE_CRYPTO_DEVICE_BINDING_H_
#define SECUREBASE_CRYPTO_DEVICE_BINDING_H_

#include <cstddef>
#include <cstdint>

#include "securebase/crypto/secret.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr uint8_t kDeviceBindingVersion = 1;
inline constexpr size_t kDeviceBindingSignedSize = 1 + kUserIdSize + 4 + kEd25519PublicKeySize + 8;
inline constexpr size_t kDeviceBindingSize = kDeviceBindingSignedSize + kSignatureSize;

struct DeviceBinding {
  DeviceAddress device;
  DeviceAuthPublicKey device_auth_key;
  // When the binding was made, by the signer's clock. Informational (e.g. to
  // show "added on ..."); nothing here checks it against a clock.
  uint64_t created_at_unix_seconds = 0;
  friend bool operator==(const DeviceBinding&, const DeviceBinding&) = default;
};

struct SignedDeviceBinding {
  DeviceBinding binding;
  Signature signature;
  friend bool operator==(const SignedDeviceBinding&, const SignedDeviceBinding&) = default;
};

// The first kDeviceBindingSignedSize bytes of the record: what is signed
// (after the context label).
Bytes DeviceBindingSignedBytes(const DeviceBinding& binding);

// The kDeviceBindingSize-byte record.
Bytes SerializeDeviceBinding(const SignedDeviceBinding& binding);

// kInvalidMessage on a wrong length or an unknown version. Structural only:
// call VerifyDeviceBindingRecord before trusting anything in it.
Result<SignedDeviceBinding> ParseDeviceBinding(ByteSpan bytes);

// OK if `identity` signed this binding; kBadSignature otherwise, also when the
// device-auth key is not a valid full-order Ed25519 key (a device could never
// log in with it) or `identity` is not a valid key. Never says which part failed.
Status VerifyDeviceBindingRecord(const IdentityPublicKey& identity,
                                 const SignedDeviceBinding& binding);

// Parse, then verify: kInvalidMessage or kBadSignature as above. The binding
// is returned only when it verifies.
Result<DeviceBinding> ParseAndVerifyDeviceBinding(const IdentityPublicKey& identity,
                                                  ByteSpan bytes);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_DEVICE_BINDING_H_
