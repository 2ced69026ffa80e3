#include "securebase/crypto/keys.h"

#include <sodium.h>

#include <cstdlib>

#include "signing_message.h"

namespace securebase::crypto {
namespace {

// Derives an X25519 public key. Clamping happens inside libsodium.
DhPublicKey DhPublicFromPrivate(ByteSpan private_key) {
  DhPublicKey public_key;
  if (crypto_scalarmult_base(public_key.data(), private_key.data()) != 0) {
    std::abort();  // Cannot fail for a 32-byte scalar; a failure is a broken libsodium.
  }
  return public_key;
}

struct Ed25519Parts {
  SecureBuffer seed;
  SecureBuffer secret_key;
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> public_key;
};

Result<Ed25519Parts> Ed25519FromSeed(ByteSpan seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return Status::InvalidArgument("Ed25519 seed must be 32 bytes");
  }
  EnsureSodiumInitialized();
  Ed25519Parts parts{SecureBuffer::CopyOf(seed), SecureBuffer(crypto_sign_SECRETKEYBYTES), {}};
  crypto_sign_seed_keypair(parts.public_key.data(), parts.secret_key.data(), parts.seed.data());
  return parts;
}

SecureBuffer RandomSeed(RandomSource& rng) {
  SecureBuffer seed(crypto_sign_SEEDBYTES);
  rng.Fill(seed.mutable_span());
  return seed;
}

Signature SignRaw(const SecureBuffer& secret_key, SignatureContext context, ByteSpan message) {
  Bytes signed_bytes = internal::SigningMessage(context, message);
  Signature signature;
  crypto_sign_detached(signature.data(), nullptr, signed_bytes.data(), signed_bytes.size(),
                       secret_key.data());
  return signature;
}

}  // namespace

DhKeyPair DhKeyPair::Generate(RandomSource& rng) {
  SecureBuffer private_key(kX25519PrivateKeySize);
  rng.Fill(private_key.mutable_span());
  DhPublicKey public_key = DhPublicFromPrivate(private_key.span());
  return DhKeyPair(std::move(private_key), public_key);
}

Result<DhKeyPair> DhKeyPair::FromPrivateKey(ByteSpan private_key) {
  if (private_key.size() != kX25519PrivateKeySize) {
    return Status::InvalidArgument("X25519 private key must be 32 bytes");
  }
  EnsureSodiumInitialized();
  return DhKeyPair(SecureBuffer::CopyOf(private_key), DhPublicFromPrivate(private_key));
}

DhKeyPair DhKeyPair::Clone() const { return DhKeyPair(private_key_.Clone(), public_key_); }

IdentityKeyPair IdentityKeyPair::Generate(RandomSource& rng) {
  SecureBuffer seed = RandomSeed(rng);
  auto pair = FromSeed(seed.span());
  if (!pair.ok()) std::abort();  // Cannot fail for a 32-byte seed.
  return std::move(pair).value();
}

Result<IdentityKeyPair> IdentityKeyPair::FromSeed(ByteSpan seed) {
  SB_ASSIGN_OR_RETURN(Ed25519Parts parts, Ed25519FromSeed(seed));
  SecureBuffer dh_private(crypto_scalarmult_curve25519_BYTES);
  if (crypto_sign_ed25519_sk_to_curve25519(dh_private.data(), parts.secret_key.data()) != 0) {
    return Status::InvalidArgument("identity key has no X25519 form");
  }
  DhPublicKey dh_public;
  if (crypto_sign_ed25519_pk_to_curve25519(dh_public.data(), parts.public_key.data()) != 0) {
    return Status::InvalidArgument("identity key has no X25519 form");
  }
  SB_ASSIGN_OR_RETURN(DhKeyPair dh, DhKeyPair::FromPrivateKey(dh_private.span()));
  // The birational map and the scalar derivation must agree; if they did not,
  // X3DH would silently fail for this key.
  if (!(dh.public_key() == dh_public)) std::abort();
  return IdentityKeyPair(std::move(parts.seed), std::move(parts.secret_key),
                         IdentityPublicKey(parts.public_key), std::move(dh));
}

Signature IdentityKeyPair::Sign(SignatureContext context, ByteSpan message) const {
  return SignRaw(secret_key_, context, message);
}

DeviceAuthKeyPair DeviceAuthKeyPair::Generate(RandomSource& rng) {
  SecureBuffer seed = RandomSeed(rng);
  auto pair = FromSeed(seed.span());
  if (!pair.ok()) std::abort();  // Cannot fail for a 32-byte seed.
  return std::move(pair).value();
}

Result<DeviceAuthKeyPair> DeviceAuthKeyPair::FromSeed(ByteSpan seed) {
  SB_ASSIGN_OR_RETURN(Ed25519Parts parts, Ed25519FromSeed(seed));
  return DeviceAuthKeyPair(std::move(parts.seed), std::move(parts.secret_key),
                           DeviceAuthPublicKey(parts.public_key));
}

Result<Signature> DeviceAuthKeyPair::SignAuthChallenge(ByteSpan challenge) const {
  if (challenge.size() != kAuthChallengeSize) {
    return Status::InvalidArgument("auth challenge must be 32 bytes");
  }
  return SignRaw(secret_key_, SignatureContext::kAuthChallenge, challenge);
}

Signature SignDeviceBinding(const IdentityKeyPair& identity,
                            const DeviceAuthPublicKey& device_auth_key) {
  return identity.Sign(SignatureContext::kDeviceBinding, device_auth_key.span());
}

SignedDeviceBinding SignDeviceBindingRecord(const IdentityKeyPair& identity,
                                            const DeviceBinding& binding) {
  return SignedDeviceBinding{binding, identity.Sign(SignatureContext::kDeviceBindingRecord,
                                                    DeviceBindingSignedBytes(binding))};
}

Signature SignPreKeyForDevice(const IdentityKeyPair& identity, const DeviceAddress& device,
                              uint32_t prekey_id, const DhPublicKey& prekey) {
  return identity.Sign(SignatureContext::kDeviceSignedPreKey,
                       DeviceSignedPreKeyMessage(device, prekey_id, prekey));
}

SignedPreKey SignedPreKey::GenerateForDevice(const IdentityKeyPair& identity,
                                             const DeviceAddress& device, uint32_t id,
                                             RandomSource& rng) {
  DhKeyPair key = DhKeyPair::Generate(rng);
  Signature signature = SignPreKeyForDevice(identity, device, id, key.public_key());
  return SignedPreKey{id, std::move(key), signature};
}

SignedPreKey SignedPreKey::Generate(const IdentityKeyPair& identity, uint32_t id,
                                    RandomSource& rng) {
  DhKeyPair key = DhKeyPair::Generate(rng);
  Signature signature =
      identity.Sign(SignatureContext::kSignedPreKey, SignedPreKeyMessage(id, key.public_key()));
  return SignedPreKey{id, std::move(key), signature};
}

OneTimePreKey OneTimePreKey::Generate(uint32_t id, RandomSource& rng) {
  return OneTimePreKey{id, DhKeyPair::Generate(rng)};
}

}  // namespace securebase::crypto
