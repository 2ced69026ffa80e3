#include "server/src/service/validation.h"

#include <unordered_set>

#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/signature.h"

namespace securebase::server {
namespace {

crypto::ByteSpan Span(const std::string& s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

template <typename T>
T Fixed(const std::string& s) {
  return T::FromBytes(Span(s)).value();  // Sizes are checked before.
}

}  // namespace

Status CheckSize(std::string_view field, const std::string& value, size_t size) {
  if (value.size() != size) {
    return Status::InvalidArgument(std::string(field) + " must be " + std::to_string(size) +
                                   " bytes (got " + std::to_string(value.size()) + ")");
  }
  return Status::Ok();
}

Status CheckUserId(std::string_view field, const std::string& value) {
  return CheckSize(field, value, kUserIdSize);
}

Status CheckDeviceId(std::string_view field, uint32_t device_id) {
  if (device_id == 0) return Status::InvalidArgument(std::string(field) + " must be at least 1");
  return Status::Ok();
}

Status CheckSignedPreKey(std::string_view field, const v1::SignedPreKey& prekey,
                         const std::string& identity_key, const MailboxAddress* device) {
  std::string name(field);
  SBS_RETURN_IF_ERROR(CheckSize(name + ".public_key", prekey.public_key(), kPublicKeySize));
  SBS_RETURN_IF_ERROR(CheckSize(name + ".signature", prekey.signature(), kSignatureSize));
  const auto identity = Fixed<crypto::IdentityPublicKey>(identity_key);
  const auto key = Fixed<crypto::DhPublicKey>(prekey.public_key());
  const auto signature = Fixed<crypto::Signature>(prekey.signature());
  if (crypto::VerifySignedPreKey(identity, prekey.key_id(), key, signature).ok()) {
    return Status::Ok();
  }
  if (device != nullptr) {
    const crypto::DeviceAddress address{Fixed<crypto::UserId>(device->user_id), device->device_id};
    if (crypto::VerifyDeviceSignedPreKey(identity, address, prekey.key_id(), key, signature).ok()) {
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(name + ".signature does not verify with the identity key");
}

Status CheckDeviceBinding(std::string_view field, const std::string& binding,
                          const std::string& identity_key, const MailboxAddress& device,
                          const std::string& device_auth_key) {
  const std::string name(field);
  SBS_RETURN_IF_ERROR(CheckSize(name, binding, crypto::kDeviceBindingSize));
  auto verified = crypto::ParseAndVerifyDeviceBinding(
      Fixed<crypto::IdentityPublicKey>(identity_key), Span(binding));
  if (!verified.ok()) {
    return Status::InvalidArgument(name + " is not a device binding signed by the identity key");
  }
  const crypto::DeviceAddress expected{Fixed<crypto::UserId>(device.user_id), device.device_id};
  if (!(verified->device == expected) ||
      crypto::AsStringView(verified->device_auth_key.span()) != device_auth_key) {
    return Status::InvalidArgument(name + " does not bind the calling device and its auth key");
  }
  return Status::Ok();
}

Status CheckOneTimePreKeys(std::string_view field,
                           const google::protobuf::RepeatedPtrField<v1::OneTimePreKey>& prekeys,
                           const Limits& limits) {
  std::string name(field);
  if (static_cast<size_t>(prekeys.size()) > limits.max_prekeys_per_upload) {
    return Status::ResourceExhausted(name + ": at most " +
                                     std::to_string(limits.max_prekeys_per_upload) +
                                     " one-time prekeys per request (got " +
                                     std::to_string(prekeys.size()) + ")");
  }
  std::unordered_set<uint32_t> ids;
  for (int i = 0; i < prekeys.size(); ++i) {
    const auto& prekey = prekeys[i];
    SBS_RETURN_IF_ERROR(CheckSize(name + "[" + std::to_string(i) + "].public_key",
                                  prekey.public_key(), kPublicKeySize));
    if (!ids.insert(prekey.key_id()).second) {
      return Status::InvalidArgument(name + ": key id " + std::to_string(prekey.key_id()) +
                                     " appears more than once");
    }
  }
  return Status::Ok();
}

Result<NewDeviceKeys> CheckNewDevice(std::string_view field, const v1::NewDevice& device,
                                     const std::string& identity_key, const Limits& limits) {
  std::string name(field);
  SBS_RETURN_IF_ERROR(
      CheckSize(name + ".device_auth_key", device.device_auth_key(), kPublicKeySize));
  if (!crypto::ValidateEd25519PublicKey(Span(device.device_auth_key())).ok()) {
    return Status::InvalidArgument(name + ".device_auth_key is not a valid Ed25519 public key");
  }
  SBS_RETURN_IF_ERROR(CheckSize(name + ".device_binding_signature",
                                device.device_binding_signature(), kSignatureSize));
  if (!crypto::VerifyDeviceBinding(Fixed<crypto::IdentityPublicKey>(identity_key),
                                   Fixed<crypto::DeviceAuthPublicKey>(device.device_auth_key()),
                                   Fixed<crypto::Signature>(device.device_binding_signature()))
           .ok()) {
    return Status::InvalidArgument(name +
                                   ".device_binding_signature does not verify with the identity key");
  }
  if (!device.has_signed_prekey()) {
    return Status::InvalidArgument(name + ".signed_prekey is missing");
  }
  SBS_RETURN_IF_ERROR(CheckSignedPreKey(name + ".signed_prekey", device.signed_prekey(), identity_key));
  SBS_RETURN_IF_ERROR(
      CheckOneTimePreKeys(name + ".one_time_prekeys", device.one_time_prekeys(), limits));
  if (static_cast<size_t>(device.one_time_prekeys_size()) > limits.max_prekeys_per_device) {
    return Status::ResourceExhausted(name + ".one_time_prekeys: more than the pool maximum");
  }
  NewDeviceKeys keys;
  keys.device_auth_key = device.device_auth_key();
  keys.signed_prekey = device.signed_prekey();
  keys.one_time_prekeys.assign(device.one_time_prekeys().begin(), device.one_time_prekeys().end());
  return keys;
}

}  // namespace securebase::server
