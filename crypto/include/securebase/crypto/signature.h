// Public keys, signatures and domain-separated signature checks.
//
// This header is the verify-only part of the crypto library (CMake target
// securebase_crypto_verify). The server links only this part: it can check a
// signature over a key or a login challenge, and can never decrypt.
//
// Every signature is made over  label || 0x00 || message  where the label is a
// fixed, versioned string chosen by SignatureContext, so a signature made for
// one purpose is never valid for another.
#ifndef SECUREBASE_CRYPTO_SIGNATURE_H_
#define SECUREBASE_CRYPTO_SIGNATURE_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "securebase/crypto/secret.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kX25519PublicKeySize = 32;
inline constexpr size_t kX25519PrivateKeySize = 32;
inline constexpr size_t kSignatureSize = 64;
inline constexpr size_t kAuthChallengeSize = 32;

// Public, fixed-size bytes with a type tag, so an identity key cannot be
// passed where a prekey is expected. Not secret: == is ordinary comparison.
template <typename Tag, size_t N>
class FixedBytes {
 public:
  static constexpr size_t kSize = N;
  FixedBytes() { bytes_.fill(0); }
  explicit FixedBytes(const std::array<uint8_t, N>& bytes) : bytes_(bytes) {}

  // kInvalidArgument unless `bytes` is exactly N long.
  static Result<FixedBytes> FromBytes(ByteSpan bytes) {
    if (bytes.size() != N) return Status::InvalidArgument("wrong key or signature length");
    FixedBytes out;
    for (size_t i = 0; i < N; ++i) out.bytes_[i] = bytes[i];
    return out;
  }

  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* data() { return bytes_.data(); }
  static constexpr size_t size() { return N; }
  ByteSpan span() const { return ByteSpan(bytes_.data(), N); }
  const std::array<uint8_t, N>& array() const { return bytes_; }
  Bytes ToBytes() const { return Bytes(bytes_.begin(), bytes_.end()); }

  friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
  friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;

 private:
  std::array<uint8_t, N> bytes_;
};

struct IdentityKeyTag {};
struct UserIdTag {};
struct DeviceAuthKeyTag {};
struct DhKeyTag {};
struct SignatureTag {};

// Ed25519 public key of a user's long-term identity (shared by all devices).
using IdentityPublicKey = FixedBytes<IdentityKeyTag, kEd25519PublicKeySize>;
// Ed25519 public key a device uses to authenticate to the server.
using DeviceAuthPublicKey = FixedBytes<DeviceAuthKeyTag, kEd25519PublicKeySize>;
// X25519 public key: prekeys, ratchet keys, X3DH ephemeral keys.
using DhPublicKey = FixedBytes<DhKeyTag, kX25519PublicKeySize>;
using Signature = FixedBytes<SignatureTag, kSignatureSize>;

inline constexpr size_t kUserIdSize = 16;
// An account's random 16-byte user id (not secret).
using UserId = FixedBytes<UserIdTag, kUserIdSize>;

// One device of one account: what device-bound signatures bind. All devices
// of an account share its identity key, so only this tells them apart.
struct DeviceAddress {
  UserId user_id;
  uint32_t device_id = 0;
  friend bool operator==(const DeviceAddress&, const DeviceAddress&) = default;
  friend auto operator<=>(const DeviceAddress&, const DeviceAddress&) = default;
};

enum class SignatureContext : uint8_t {
  // Deprecated (binds no device: a prekey signed so can be replayed as the
  // prekey of a "new device"); use kDeviceSignedPreKey.
  // Identity key over (prekey id, X25519 prekey): "SecureBase/v1/signed-prekey".
  kSignedPreKey = 1,
  // Deprecated (binds neither account nor device id); use kDeviceBindingRecord.
  // Identity key over a device-auth public key, vouching that the device
  // belongs to the account: "SecureBase/v1/device-binding".
  kDeviceBinding = 2,
  // Device-auth key over a server login challenge: "SecureBase/v1/auth-challenge".
  kAuthChallenge = 3,
  // Identity key over (user id, device id, prekey id, X25519 prekey):
  // "SecureBase/v2/signed-prekey". See DeviceSignedPreKeyMessage.
  kDeviceSignedPreKey = 4,
  // Identity key over a device binding record (device_binding.h):
  // "SecureBase/v2/device-binding".
  kDeviceBindingRecord = 5,
};

// The fixed label of a context (without the trailing 0x00 separator).
std::string_view SignatureLabel(SignatureContext context);

// The exact bytes that are signed for a device's signed prekey (context
// kDeviceSignedPreKey), all integers big-endian:
//   user id(16) || device id(4) || prekey id(4) || X25519 prekey(32)
// Binding the device means a signed prekey verifies only for the device it
// was made for: a server cannot present it as the prekey of another device.
Bytes DeviceSignedPreKeyMessage(const DeviceAddress& device, uint32_t prekey_id,
                                const DhPublicKey& prekey);

// OK, or kBadSignature (also for a malformed/low-order public key, or a
// signature made for another device or with the deprecated v1 context). Never
// reveals which part failed.
Status VerifyDeviceSignedPreKey(const IdentityPublicKey& identity, const DeviceAddress& device,
                                uint32_t prekey_id, const DhPublicKey& prekey,
                                const Signature& signature);

// DEPRECATED: v1 signed prekeys bind no device; kept so existing callers
// compile and old bundles can still be checked during the migration. New code
// signs with SignedPreKey::GenerateForDevice and checks with
// VerifyDeviceSignedPreKey.
// The exact bytes that are signed for a v1 signed prekey: big-endian id || key.
Bytes SignedPreKeyMessage(uint32_t prekey_id, const DhPublicKey& prekey);
// DEPRECATED (see above). OK, or kBadSignature.
Status VerifySignedPreKey(const IdentityPublicKey& identity, uint32_t prekey_id,
                          const DhPublicKey& prekey, const Signature& signature);
// DEPRECATED: binds only the device-auth key, not the account or device id;
// new code uses the device binding record (device_binding.h). OK, or
// kBadSignature.
Status VerifyDeviceBinding(const IdentityPublicKey& identity,
                           const DeviceAuthPublicKey& device_auth_key, const Signature& signature);
// `challenge` must be kAuthChallengeSize bytes (else kInvalidArgument).
Status VerifyAuthChallenge(const DeviceAuthPublicKey& device_auth_key, ByteSpan challenge,
                           const Signature& signature);

// kInvalidArgument unless `key` is a canonical Ed25519 point of full order
// usable for verification (rejects the small-order keys that make forged
// signatures possible in some verifiers).
Status ValidateEd25519PublicKey(ByteSpan key);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_SIGNATURE_H_
