// X3DH (Signal, "The X3DH Key Agreement Protocol", rev. 1): section 3.3 for
// the initiator, 3.4 for the responder. KDF per section 2.2 with a versioned
// SecureBase info string; its 96-byte output is split into the root key and
// the two initial header keys of the header-encrypted Double Ratchet
// (Double Ratchet spec, section 4.2: "shared_hka" and "shared_nhkb").
#include "securebase/crypto/x3dh.h"

#include <sodium.h>

#include <algorithm>
#include <string_view>

#include "byte_io.h"
#include "dh.h"
#include "securebase/crypto/hkdf.h"

namespace securebase::crypto {
namespace {

constexpr std::string_view kX3dhInfo = "SecureBase/v1/x3dh";
constexpr size_t kBundleSizeWithoutOtk = 1 + 32 + 4 + 32 + 64 + 1;
constexpr size_t kOtkSize = 4 + 32;
constexpr size_t kDeviceSize = kUserIdSize + 4;

// The X25519 form of a peer's Ed25519 identity key.
// libsodium 1.0.18's conversion itself refuses keys that are not canonical,
// of small order or outside the prime-order subgroup (the same checks as
// ValidateEd25519PublicKey), so they are not repeated here.
Result<DhPublicKey> IdentityDhKey(const IdentityPublicKey& identity) {
  DhPublicKey out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), identity.data()) != 0) {
    return Status::InvalidArgument("identity key has no X25519 form");
  }
  return out;
}

// Runs the KDF over DH1..DH4 (section 2.2: F = 32 0xFF bytes, zero salt).
// All intermediate secrets are wiped on every path (SecretArray/SecretBytes).
X3dhSecrets DeriveSecrets(const SecretArray<internal::kDhOutputSize>* dhs[], size_t count,
                          const IdentityPublicKey& initiator, const IdentityPublicKey& responder) {
  SecretBytes ikm(32 + count * internal::kDhOutputSize);
  std::fill_n(ikm.data(), 32, 0xFF);
  for (size_t i = 0; i < count; ++i) {
    std::copy_n(dhs[i]->data(), internal::kDhOutputSize, ikm.data() + 32 + i * 32);
  }
  SecretArray<kRootKeySize + 2 * kHeaderKeySize> okm;
  const ByteSpan info(reinterpret_cast<const uint8_t*>(kX3dhInfo.data()), kX3dhInfo.size());
  if (!Hkdf(ByteSpan(), ikm.span(), info, okm.mutable_span()).ok()) std::abort();

  X3dhSecrets secrets;
  std::copy_n(okm.data(), kRootKeySize, secrets.root_key.data());
  std::copy_n(okm.data() + kRootKeySize, kHeaderKeySize, secrets.initiator_header_key.data());
  std::copy_n(okm.data() + kRootKeySize + kHeaderKeySize, kHeaderKeySize,
              secrets.responder_next_header_key.data());
  std::copy(initiator.array().begin(), initiator.array().end(), secrets.associated_data.begin());
  std::copy(responder.array().begin(), responder.array().end(),
            secrets.associated_data.begin() + kEd25519PublicKeySize);
  return secrets;
}

}  // namespace

PreKeyBundle MakePreKeyBundle(const IdentityKeyPair& identity, const SignedPreKey& signed_prekey,
                              const OneTimePreKey* one_time_prekey) {
  PreKeyBundle bundle;
  bundle.identity_key = identity.public_key();
  bundle.signed_prekey_id = signed_prekey.id;
  bundle.signed_prekey = signed_prekey.key.public_key();
  bundle.signed_prekey_signature = signed_prekey.signature;
  if (one_time_prekey != nullptr) {
    bundle.one_time_prekey =
        OneTimePreKeyPublic{one_time_prekey->id, one_time_prekey->key.public_key()};
  }
  return bundle;
}

Bytes SerializePreKeyBundle(const PreKeyBundle& bundle) {
  Bytes out;
  out.reserve(kBundleSizeWithoutOtk + kDeviceSize + kOtkSize);
  internal::BytesSink sink{out};
  internal::Writer writer(sink);
  writer.U8(bundle.device ? kDevicePreKeyBundleVersion : kPreKeyBundleVersion);
  writer.Raw(bundle.identity_key.span());
  if (bundle.device) {
    writer.Raw(bundle.device->user_id.span());
    writer.U32(bundle.device->device_id);
  }
  writer.U32(bundle.signed_prekey_id);
  writer.Raw(bundle.signed_prekey.span());
  writer.Raw(bundle.signed_prekey_signature.span());
  writer.U8(bundle.one_time_prekey ? 1 : 0);
  if (bundle.one_time_prekey) {
    writer.U32(bundle.one_time_prekey->id);
    writer.Raw(bundle.one_time_prekey->key.span());
  }
  return out;
}

Result<PreKeyBundle> ParsePreKeyBundle(ByteSpan bytes) {
  internal::Reader reader(bytes);
  PreKeyBundle bundle;
  uint8_t version = 0, has_otk = 0;
  if (!reader.U8(version) ||
      (version != kPreKeyBundleVersion && version != kDevicePreKeyBundleVersion)) {
    return Status::InvalidMessage("prekey bundle has an unknown version");
  }
  const size_t fixed =
      kBundleSizeWithoutOtk + (version == kDevicePreKeyBundleVersion ? kDeviceSize : 0);
  if (bytes.size() != fixed && bytes.size() != fixed + kOtkSize) {
    return Status::InvalidMessage("prekey bundle has the wrong length");
  }
  bool ok = reader.Raw(std::span<uint8_t>(bundle.identity_key.data(), IdentityPublicKey::kSize));
  if (ok && version == kDevicePreKeyBundleVersion) {
    DeviceAddress device;
    ok = reader.Raw(std::span<uint8_t>(device.user_id.data(), kUserIdSize)) &&
         reader.U32(device.device_id);
    bundle.device = device;
  }
  if (!ok || !reader.U32(bundle.signed_prekey_id) ||
      !reader.Raw(std::span<uint8_t>(bundle.signed_prekey.data(), DhPublicKey::kSize)) ||
      !reader.Raw(std::span<uint8_t>(bundle.signed_prekey_signature.data(), Signature::kSize)) ||
      !reader.U8(has_otk)) {
    return Status::InvalidMessage("prekey bundle is truncated");
  }
  if (has_otk == 1) {
    OneTimePreKeyPublic otk;
    if (!reader.U32(otk.id) || !reader.Raw(std::span<uint8_t>(otk.key.data(), DhPublicKey::kSize))) {
      return Status::InvalidMessage("prekey bundle is truncated");
    }
    bundle.one_time_prekey = otk;
  } else if (has_otk != 0) {
    return Status::InvalidMessage("prekey bundle has an invalid one-time prekey flag");
  }
  if (!reader.AtEnd()) return Status::InvalidMessage("prekey bundle has trailing bytes");
  return bundle;
}

Status VerifyPreKeyBundle(const PreKeyBundle& bundle) {
  if (bundle.device) return VerifyPreKeyBundle(bundle, *bundle.device);
  return VerifySignedPreKey(bundle.identity_key, bundle.signed_prekey_id, bundle.signed_prekey,
                            bundle.signed_prekey_signature);
}

Status VerifyPreKeyBundle(const PreKeyBundle& bundle, const DeviceAddress& device) {
  if (bundle.device && !(*bundle.device == device)) {
    return Status::BadSignature("signature does not verify");
  }
  return VerifyDeviceSignedPreKey(bundle.identity_key, device, bundle.signed_prekey_id,
                                  bundle.signed_prekey, bundle.signed_prekey_signature);
}

namespace {

// Section 3.3 after the bundle's signature has been checked.
Result<X3dhInitiation> InitiateVerified(const IdentityKeyPair& self, const PreKeyBundle& peer,
                                        RandomSource& rng) {
  SB_ASSIGN_OR_RETURN(DhPublicKey peer_identity_dh, IdentityDhKey(peer.identity_key));

  DhKeyPair ephemeral = DhKeyPair::Generate(rng);
  SecretArray<internal::kDhOutputSize> dh1, dh2, dh3, dh4;
  bool ok = internal::Dh(self.dh_key_pair().private_key(), peer.signed_prekey, dh1) &&
            internal::Dh(ephemeral.private_key(), peer_identity_dh, dh2) &&
            internal::Dh(ephemeral.private_key(), peer.signed_prekey, dh3);
  if (ok && peer.one_time_prekey) {
    ok = internal::Dh(ephemeral.private_key(), peer.one_time_prekey->key, dh4);
  }
  if (!ok) return Status::InvalidArgument("prekey bundle contains an invalid X25519 key");

  const SecretArray<internal::kDhOutputSize>* dhs[] = {&dh1, &dh2, &dh3, &dh4};
  X3dhInitiation result{
      DeriveSecrets(dhs, peer.one_time_prekey ? 4 : 3, self.public_key(), peer.identity_key), {}};
  result.header.initiator_identity = self.public_key();
  result.header.base_key = ephemeral.public_key();
  result.header.signed_prekey_id = peer.signed_prekey_id;
  if (peer.one_time_prekey) result.header.one_time_prekey_id = peer.one_time_prekey->id;
  return result;
}

}  // namespace

Result<X3dhInitiation> X3dhInitiate(const IdentityKeyPair& self, const DeviceAddress& self_device,
                                    const PreKeyBundle& peer, const DeviceAddress& peer_device,
                                    RandomSource& rng) {
  EnsureSodiumInitialized();
  if (peer_device == self_device) {
    return Status::InvalidArgument("cannot start a session with this device itself");
  }
  // The device-bound signature makes a bundle under our own identity key
  // provably another device of our account (see x3dh.h).
  SB_RETURN_IF_ERROR(VerifyPreKeyBundle(peer, peer_device));
  return InitiateVerified(self, peer, rng);
}

Result<X3dhInitiation> X3dhInitiate(const IdentityKeyPair& self, const PreKeyBundle& peer,
                                    RandomSource& rng) {
  EnsureSodiumInitialized();
  if (peer.identity_key == self.public_key()) {
    // Without a device-bound signature this could be our own prekey replayed
    // as another device's (see x3dh.h).
    return Status::InvalidArgument(
        "cannot start a session with one's own identity key without a device-bound bundle");
  }
  SB_RETURN_IF_ERROR(VerifyPreKeyBundle(peer));
  return InitiateVerified(self, peer, rng);
}

Result<X3dhSecrets> X3dhRespond(const IdentityKeyPair& self, const SignedPreKey& signed_prekey,
                                const OneTimePreKey* one_time_prekey,
                                const InitialHeader& header) {
  EnsureSodiumInitialized();
  if (header.signed_prekey_id != signed_prekey.id) {
    return Status::InvalidArgument("signed prekey does not match the initial message");
  }
  if (header.one_time_prekey_id.has_value() != (one_time_prekey != nullptr) ||
      (one_time_prekey != nullptr && *header.one_time_prekey_id != one_time_prekey->id)) {
    return Status::InvalidArgument("one-time prekey does not match the initial message");
  }
  // An initiator identity equal to ours is another device of our account
  // (x3dh.h): allowed, nothing to refuse here.
  auto initiator_dh = IdentityDhKey(header.initiator_identity);
  if (!initiator_dh.ok()) return Status::InvalidMessage("initiator identity key is invalid");

  SecretArray<internal::kDhOutputSize> dh1, dh2, dh3, dh4;
  bool ok = internal::Dh(signed_prekey.key.private_key(), *initiator_dh, dh1) &&
            internal::Dh(self.dh_key_pair().private_key(), header.base_key, dh2) &&
            internal::Dh(signed_prekey.key.private_key(), header.base_key, dh3);
  if (ok && one_time_prekey != nullptr) {
    ok = internal::Dh(one_time_prekey->key.private_key(), header.base_key, dh4);
  }
  if (!ok) return Status::InvalidMessage("initial message contains an invalid X25519 key");

  const SecretArray<internal::kDhOutputSize>* dhs[] = {&dh1, &dh2, &dh3, &dh4};
  return DeriveSecrets(dhs, one_time_prekey != nullptr ? 4 : 3, header.initiator_identity,
                       self.public_key());
}

}  // namespace securebase::crypto
