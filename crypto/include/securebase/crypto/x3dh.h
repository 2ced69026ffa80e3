// X3DH key agreement (Signal's "The X3DH Key Agreement Protocol", revision 1,
// sections 2-3) with Ed25519 identity keys converted to X25519 for DH, and the
// compact binary formats of the prekey bundle and the first-contact header.
//
// Both formats start with a version byte. A post-quantum KEM (hybrid ML-KEM +
// X25519) would join as a new version of both; none exists in this library
// because no packaged implementation exists in Debian 12.
//
// Sessions between devices of one account: all of an account's devices share
// its identity key, and they hold ordinary sessions with each other. The
// device-bound entry points (those taking a DeviceAddress) allow a bundle
// under one's own identity key, because its signed prekey's signature binds
// (user id, device id): the bundle is provably another device of the same
// account, and initiating to one's own device itself is refused. The
// deprecated entry points (v1 signatures, which bind no device) still refuse
// one's own identity key: there a server could replay this device's own
// prekey as the prekey of an invented "second device". The responder accepts
// an initial message under its own identity key (another device of its
// account): it authenticates only if the sender holds the identity key and
// used this device's prekeys, so a reflected copy of a message this device
// sent to another device never decrypts here.
#ifndef SECUREBASE_CRYPTO_X3DH_H_
#define SECUREBASE_CRYPTO_X3DH_H_

#include <cstdint>
#include <optional>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "securebase/crypto/signature.h"
#include "securebase/crypto/status.h"

namespace securebase::crypto {

// v1 bundles carry a deprecated v1 signed-prekey signature (no device);
// v2 bundles name the device and carry its device-bound signature.
inline constexpr uint8_t kPreKeyBundleVersion = 1;
inline constexpr uint8_t kDevicePreKeyBundleVersion = 2;
// The version byte of the X3DH header inside an initial message (session.h).
inline constexpr uint8_t kInitialHeaderVersion = 1;
inline constexpr size_t kAssociatedDataSize = 2 * kEd25519PublicKeySize;
inline constexpr size_t kRootKeySize = 32;
inline constexpr size_t kHeaderKeySize = 32;

struct OneTimePreKeyPublic {
  uint32_t id = 0;
  DhPublicKey key;
  friend bool operator==(const OneTimePreKeyPublic&, const OneTimePreKeyPublic&) = default;
};

// What a device publishes so others can start a session with it.
struct PreKeyBundle {
  IdentityPublicKey identity_key;
  uint32_t signed_prekey_id = 0;
  DhPublicKey signed_prekey;
  Signature signed_prekey_signature;
  std::optional<OneTimePreKeyPublic> one_time_prekey;  // Absent when the pool is empty.
  // The device the bundle is for. Present: the signature is device-bound
  // (SignatureContext::kDeviceSignedPreKey). Absent: a deprecated v1 signature.
  std::optional<DeviceAddress> device;
  friend bool operator==(const PreKeyBundle&, const PreKeyBundle&) = default;
};

// Builds the bundle for a device's current keys (`device` unset: the caller
// sets it when the signed prekey was made with GenerateForDevice).
PreKeyBundle MakePreKeyBundle(const IdentityKeyPair& identity, const SignedPreKey& signed_prekey,
                              const OneTimePreKey* one_time_prekey);

// Format v1 (no device): version(1) = 1 | identity(32) | spk_id(4 BE) |
//   spk(32) | sig(64) | has_otk(1) [otk_id(4 BE) otk(32)].
// Format v2 (device-bound): version(1) = 2 | identity(32) | user id(16) |
//   device id(4 BE) | spk_id(4 BE) | spk(32) | sig(64) | has_otk(1)
//   [otk_id(4 BE) otk(32)].
// v2 is written when `device` is set, v1 otherwise.
Bytes SerializePreKeyBundle(const PreKeyBundle& bundle);
// kInvalidMessage on an unknown version, a wrong length or a bad flag. Does
// not verify the signature: call VerifyPreKeyBundle.
Result<PreKeyBundle> ParsePreKeyBundle(ByteSpan bytes);
// kBadSignature unless the signed prekey is signed by the bundle's identity:
// the device-bound signature for bundle.device when it is set, else the
// deprecated v1 signature. Prefer the overload below, which does not let the
// bundle choose.
Status VerifyPreKeyBundle(const PreKeyBundle& bundle);
// kBadSignature unless the signed prekey carries the identity key's
// device-bound signature for `device` (a v1 signature never passes), or when
// bundle.device is set to another device.
Status VerifyPreKeyBundle(const PreKeyBundle& bundle, const DeviceAddress& device);

// Sent in the clear in front of the initiator's first messages, so the
// responder can find the prekeys that were used.
struct InitialHeader {
  IdentityPublicKey initiator_identity;
  DhPublicKey base_key;  // The initiator's ephemeral key EK_A.
  uint32_t signed_prekey_id = 0;
  std::optional<uint32_t> one_time_prekey_id;
  friend bool operator==(const InitialHeader&, const InitialHeader&) = default;
};

// Shared secrets both sides derive. `associated_data` binds both identities:
// initiator identity key || responder identity key.
struct X3dhSecrets {
  SecretArray<kRootKeySize> root_key;
  // Header keys for the header-encrypted Double Ratchet: the initiator's first
  // sending header key, and the responder's first "next" sending header key.
  SecretArray<kHeaderKeySize> initiator_header_key;
  SecretArray<kHeaderKeySize> responder_next_header_key;
  std::array<uint8_t, kAssociatedDataSize> associated_data{};
};

struct X3dhInitiation {
  X3dhSecrets secrets;
  InitialHeader header;
};

// Initiator side, device-bound: `self_device` is this device, `peer_device`
// the device the bundle is for (from a device list checked against device
// bindings). kBadSignature unless VerifyPreKeyBundle(peer, peer_device)
// passes; kInvalidArgument for keys that are not valid points, or when
// `peer_device` is `self_device` itself. A bundle under the initiator's own
// identity key is another device of its account and is allowed.
Result<X3dhInitiation> X3dhInitiate(const IdentityKeyPair& self, const DeviceAddress& self_device,
                                    const PreKeyBundle& peer, const DeviceAddress& peer_device,
                                    RandomSource& rng);

// DEPRECATED initiator side (no device binding; kept so existing callers
// compile). kBadSignature if VerifyPreKeyBundle(peer) fails; kInvalidArgument
// for keys that are not valid points, or when the bundle carries the
// initiator's own identity key (see the top of this header for why).
Result<X3dhInitiation> X3dhInitiate(const IdentityKeyPair& self, const PreKeyBundle& peer,
                                    RandomSource& rng);

// Responder side. `one_time_prekey` must be the key named by the header (or
// null when it names none). kInvalidArgument if the given prekeys do not
// match the header's ids; kInvalidMessage if a DH input is invalid. An
// initiator identity equal to our own is another device of our account.
Result<X3dhSecrets> X3dhRespond(const IdentityKeyPair& self, const SignedPreKey& signed_prekey,
                                const OneTimePreKey* one_time_prekey, const InitialHeader& header);

}  // namespace securebase::crypto

#endif  // SECUREBASE_CRYPTO_X3DH_H_
