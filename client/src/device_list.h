// The devices of an account as the server lists them, kept only where the
// account's identity key vouches for them. Private to client/.
//
// A server can list devices that do not exist (to read along, or to make
// every send fail) and can present one device's prekey as another's. It
// cannot sign with the account's identity key, so a listed device is used
// only when both hold:
//   - its device binding record (crypto device_binding.h) verifies under the
//     identity key and names exactly this user id and device id;
//   - its signed prekey carries the identity key's device-bound signature for
//     exactly this device (x3dh.h).
// Every device list the client encrypts by comes through here (prekey
// bundles for a first contact, and the devices a device-mismatch answer
// names). Devices the client learned otherwise are ones whose messages
// authenticated under the identity key (a session they started).
#ifndef SECUREBASE_CLIENT_SRC_DEVICE_LIST_H_
#define SECUREBASE_CLIENT_SRC_DEVICE_LIST_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "securebase/client/server_api.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/x3dh.h"

namespace securebase::client {

struct CheckedDevices {
  // The bundles of the devices that passed, by device id.
  std::map<uint32_t, crypto::PreKeyBundle> bundles;
  // Listed by the server, not vouched for by the identity key: never used.
  std::set<uint32_t> refused;
};

// Checks every device of `listed` (the server's answer for `user_id`, 16
// bytes) against `identity`, the identity key the caller trusts for the
// account (or, for a changed key, the one it is about to record).
CheckedDevices CheckDeviceList(const std::string& user_id,
                               const crypto::IdentityPublicKey& identity,
                               const PreKeyBundles& listed);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_DEVICE_LIST_H_
