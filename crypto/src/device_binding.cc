#include "securebase/crypto/device_binding.h"

#include "byte_io.h"
#include "signing_message.h"

namespace securebase::crypto {

Bytes DeviceBindingSignedBytes(const DeviceBinding& binding) {
  Bytes out;
  out.reserve(kDeviceBindingSignedSize);
  internal::BytesSink sink{out};
  internal::Writer writer(sink);
  writer.U8(kDeviceBindingVersion);
  writer.Raw(binding.device.user_id.span());
  writer.U32(binding.device.device_id);
  writer.Raw(binding.device_auth_key.span());
  writer.U64(binding.created_at_unix_seconds);
  return out;
}

Bytes SerializeDeviceBinding(const SignedDeviceBinding& binding) {
  Bytes out = DeviceBindingSignedBytes(binding.binding);
  out.insert(out.end(), binding.signature.array().begin(), binding.signature.array().end());
  return out;
}

Result<SignedDeviceBinding> ParseDeviceBinding(ByteSpan bytes) {
  if (bytes.size() != kDeviceBindingSize) {
    return Status::InvalidMessage("device binding has the wrong length");
  }
  internal::Reader reader(bytes);
  uint8_t version = 0;
  if (!reader.U8(version) || version != kDeviceBindingVersion) {
    return Status::InvalidMessage("device binding has an unknown version");
  }
  SignedDeviceBinding out;
  DeviceBinding& b = out.binding;
  if (!reader.Raw(std::span<uint8_t>(b.device.user_id.data(), kUserIdSize)) ||
      !reader.U32(b.device.device_id) ||
      !reader.Raw(std::span<uint8_t>(b.device_auth_key.data(), kEd25519PublicKeySize)) ||
      !reader.U64(b.created_at_unix_seconds) ||
      !reader.Raw(std::span<uint8_t>(out.signature.data(), kSignatureSize)) || !reader.AtEnd()) {
    return Status::InvalidMessage("device binding is truncated");  // Unreachable: length checked.
  }
  return out;
}

Status VerifyDeviceBindingRecord(const IdentityPublicKey& identity,
                                 const SignedDeviceBinding& binding) {
  if (!ValidateEd25519PublicKey(binding.binding.device_auth_key.span()).ok()) {
    return Status::BadSignature("signature does not verify");
  }
  return internal::VerifyWithContext(SignatureContext::kDeviceBindingRecord, identity.span(),
                                     DeviceBindingSignedBytes(binding.binding), binding.signature);
}

Result<DeviceBinding> ParseAndVerifyDeviceBinding(const IdentityPublicKey& identity,
                                                  ByteSpan bytes) {
  SB_ASSIGN_OR_RETURN(SignedDeviceBinding parsed, ParseDeviceBinding(bytes));
  SB_RETURN_IF_ERROR(VerifyDeviceBindingRecord(identity, parsed));
  return parsed.binding;
}

}  // namespace securebase::crypto
