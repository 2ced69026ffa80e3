// The device binding a new device must bring (AddDevice): the account's
// identity key vouching for exactly this user id, device id and device-auth
// key (crypto/include/securebase/crypto/device_binding.h). The server can
// check no more than that signature against the identity key it stores; the
// binding is then kept with the device and handed to peers, who check it
// themselves.
#ifndef SECUREBASE_SERVER_SERVICE_DEVICE_ADMISSION_H_
#define SECUREBASE_SERVER_SERVICE_DEVICE_ADMISSION_H_

#include <cstdint>
#include <string>

#include "server/src/common/status.h"

namespace securebase::server {

// What a structurally valid binding names (not yet verified).
struct ClaimedBinding {
  uint32_t device_id = 0;
};

// Parses `binding` and checks that it names `user_id` and
// `device_auth_key`; no signature check and no store access yet (cheap, so
// an anonymous caller's junk is refused before any lookup).
// kInvalidArgument: malformed, another user id, another auth key, device 0.
Result<ClaimedBinding> ParseNewDeviceBinding(const std::string& binding, const std::string& user_id,
                                             const std::string& device_auth_key);

// Whether `identity_key` signed `binding` (parsed before). The error is one
// kPermissionDenied whatever failed (no oracle for anonymous callers).
Status VerifyNewDeviceBinding(const std::string& binding, const std::string& identity_key);

// The answer for a binding that is not the account's, and for an account
// that does not exist, to a caller without a token: one answer for both.
Status NotTheAccountsBinding();

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_DEVICE_ADMISSION_H_
