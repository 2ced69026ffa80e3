// Device lists checked against device bindings (device_list.h).
#include "device_list.h"

#include <optional>

#include "device_address.h"
#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

using crypto::AsBytes;

// The crypto bundle of one listed device, or nullopt for malformed keys.
std::optional<crypto::PreKeyBundle> ToCryptoBundle(const crypto::IdentityPublicKey& identity,
                                                   const crypto::DeviceAddress& address,
                                                   const DeviceBundle& device) {
  crypto::PreKeyBundle bundle;
  bundle.identity_key = identity;
  bundle.device = address;
  bundle.signed_prekey_id = device.signed_prekey.key_id;
  auto spk = crypto::DhPublicKey::FromBytes(AsBytes(device.signed_prekey.public_key));
  auto sig = crypto::Signature::FromBytes(AsBytes(device.signed_prekey.signature));
  if (!spk.ok() || !sig.ok()) return std::nullopt;
  bundle.signed_prekey = *spk;
  bundle.signed_prekey_signature = *sig;
  if (device.one_time_prekey) {
    auto otk = crypto::DhPublicKey::FromBytes(AsBytes(device.one_time_prekey->public_key));
    if (!otk.ok()) return std::nullopt;
    bundle.one_time_prekey = crypto::OneTimePreKeyPublic{device.one_time_prekey->key_id, *otk};
  }
  return bundle;
}

bool Vouched(const crypto::IdentityPublicKey& identity, const crypto::DeviceAddress& address,
             const DeviceBundle& device, const crypto::PreKeyBundle& bundle) {
  auto binding = crypto::ParseAndVerifyDeviceBinding(identity, AsBytes(device.device_binding));
  if (!binding.ok() || !(binding->device == address)) return false;
  return crypto::VerifyPreKeyBundle(bundle, address).ok();
}

}  // namespace

CheckedDevices CheckDeviceList(const std::string& user_id,
                               const crypto::IdentityPublicKey& identity,
                               const PreKeyBundles& listed) {
  CheckedDevices checked;
  for (const DeviceBundle& device : listed.devices) {
    auto address = AddressOf(user_id, device.device_id);
    std::optional<crypto::PreKeyBundle> bundle;
    if (address.ok() && device.device_id != 0) bundle = ToCryptoBundle(identity, *address, device);
    if (!bundle || !Vouched(identity, *address, device, *bundle) ||
        checked.bundles.count(device.device_id) != 0 || checked.refused.count(device.device_id)) {
      checked.refused.insert(device.device_id);
      checked.bundles.erase(device.device_id);  // Listed twice: neither is trusted.
      continue;
    }
    checked.bundles.emplace(device.device_id, std::move(*bundle));
  }
  return checked;
}

}  // namespace securebase::client
