#include "server/src/service/device_admission.h"

#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"

namespace securebase::server {
namespace {

crypto::ByteSpan Span(const std::string& s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

Result<ClaimedBinding> ParseNewDeviceBinding(const std::string& binding, const std::string& user_id,
                                             const std::string& device_auth_key) {
  if (binding.empty()) {
    return Status::InvalidArgument(
        "device_binding is missing: a new device needs a binding record signed by the account's "
        "identity key");
  }
  auto parsed = crypto::ParseDeviceBinding(Span(binding));
  if (!parsed.ok()) {
    return Status::InvalidArgument("device_binding is not a device binding record (v1, " +
                                   std::to_string(crypto::kDeviceBindingSize) + " bytes)");
  }
  const crypto::DeviceBinding& claimed = parsed->binding;
  if (crypto::AsStringView(claimed.device.user_id.span()) != user_id) {
    return Status::InvalidArgument("device_binding names another account");
  }
  if (crypto::AsStringView(claimed.device_auth_key.span()) != device_auth_key) {
    return Status::InvalidArgument("device_binding names another device_auth_key");
  }
  if (claimed.device.device_id == 0) {
    return Status::InvalidArgument("device_binding names device id 0");
  }
  return ClaimedBinding{claimed.device.device_id};
}

Status VerifyNewDeviceBinding(const std::string& binding, const std::string& identity_key) {
  auto identity = crypto::IdentityPublicKey::FromBytes(Span(identity_key));
  if (!identity.ok()) return NotTheAccountsBinding();
  if (!crypto::ParseAndVerifyDeviceBinding(*identity, Span(binding)).ok()) {
    return NotTheAccountsBinding();
  }
  return Status::Ok();
}

Status NotTheAccountsBinding() {
  return Status::PermissionDenied(
      "device_binding is not signed by the identity key of the account user_id names (or there "
      "is no such account)");
}

}  // namespace securebase::server
