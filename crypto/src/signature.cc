#include "securebase/crypto/signature.h"

#include <sodium.h>

#include <algorithm>

#include "byte_io.h"
#include "securebase/crypto/random.h"
#include "signing_message.h"

namespace securebase::crypto {

std::string_view SignatureLabel(SignatureContext context) {
  switch (context) {
    case SignatureContext::kSignedPreKey: return "SecureBase/v1/signed-prekey";
    case SignatureContext::kDeviceBinding: return "SecureBase/v1/device-binding";
    case SignatureContext::kAuthChallenge: return "SecureBase/v1/auth-challenge";
    case SignatureContext::kDeviceSignedPreKey: return "SecureBase/v2/signed-prekey";
    case SignatureContext::kDeviceBindingRecord: return "SecureBase/v2/device-binding";
  }
  return "SecureBase/v1/invalid";  // Unreachable for valid enum values.
}

namespace internal {

Bytes SigningMessage(SignatureContext context, ByteSpan message) {
  std::string_view label = SignatureLabel(context);
  Bytes out;
  out.reserve(label.size() + 1 + message.size());
  out.insert(out.end(), label.begin(), label.end());
  out.push_back(0x00);
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

Status VerifyWithContext(SignatureContext context, ByteSpan public_key, ByteSpan message,
                         const Signature& signature) {
  EnsureSodiumInitialized();
  if (!ValidateEd25519PublicKey(public_key).ok()) {
    return Status::BadSignature("signature does not verify");
  }
  Bytes signed_bytes = SigningMessage(context, message);
  if (crypto_sign_verify_detached(signature.data(), signed_bytes.data(), signed_bytes.size(),
                                  public_key.data()) != 0) {
    return Status::BadSignature("signature does not verify");
  }
  return Status::Ok();
}

}  // namespace internal

Bytes SignedPreKeyMessage(uint32_t prekey_id, const DhPublicKey& prekey) {
  Bytes out(4 + DhPublicKey::kSize);
  internal::PutU32(out.data(), prekey_id);
  std::copy(prekey.array().begin(), prekey.array().end(), out.begin() + 4);
  return out;
}

Bytes DeviceSignedPreKeyMessage(const DeviceAddress& device, uint32_t prekey_id,
                                const DhPublicKey& prekey) {
  Bytes out;
  out.reserve(kUserIdSize + 4 + 4 + DhPublicKey::kSize);
  internal::BytesSink sink{out};
  internal::Writer writer(sink);
  writer.Raw(device.user_id.span());
  writer.U32(device.device_id);
  writer.U32(prekey_id);
  writer.Raw(prekey.span());
  return out;
}

Status VerifyDeviceSignedPreKey(const IdentityPublicKey& identity, const DeviceAddress& device,
                                uint32_t prekey_id, const DhPublicKey& prekey,
                                const Signature& signature) {
  return internal::VerifyWithContext(SignatureContext::kDeviceSignedPreKey, identity.span(),
                                     DeviceSignedPreKeyMessage(device, prekey_id, prekey),
                                     signature);
}

Status VerifySignedPreKey(const IdentityPublicKey& identity, uint32_t prekey_id,
                          const DhPublicKey& prekey, const Signature& signature) {
  return internal::VerifyWithContext(SignatureContext::kSignedPreKey, identity.span(),
                                     SignedPreKeyMessage(prekey_id, prekey), signature);
}

Status VerifyDeviceBinding(const IdentityPublicKey& identity,
                           const DeviceAuthPublicKey& device_auth_key,
                           const Signature& signature) {
  return internal::VerifyWithContext(SignatureContext::kDeviceBinding, identity.span(),
                                     device_auth_key.span(), signature);
}

Status VerifyAuthChallenge(const DeviceAuthPublicKey& device_auth_key, ByteSpan challenge,
                           const Signature& signature) {
  if (challenge.size() != kAuthChallengeSize) {
    return Status::InvalidArgument("auth challenge must be 32 bytes");
  }
  return internal::VerifyWithContext(SignatureContext::kAuthChallenge, device_auth_key.span(),
                                     challenge, signature);
}

Status ValidateEd25519PublicKey(ByteSpan key) {
  EnsureSodiumInitialized();
  if (key.size() != crypto_sign_PUBLICKEYBYTES) {
    return Status::InvalidArgument("Ed25519 public key must be 32 bytes");
  }
  // Rejects non-canonical encodings, points not on the curve, small-order
  // points and points outside the prime-order subgroup.
  if (crypto_core_ed25519_is_valid_point(key.data()) != 1) {
    return Status::InvalidArgument("not a valid Ed25519 public key");
  }
  return Status::Ok();
}

}  // namespace securebase::crypto
