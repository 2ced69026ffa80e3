// Input checks shared by the services. Each failure is kInvalidArgument (or
// kResourceExhausted for a limit) with a message naming the field.
#ifndef SECUREBASE_SERVER_SERVICE_VALIDATION_H_
#define SECUREBASE_SERVER_SERVICE_VALIDATION_H_

#include <string>
#include <string_view>

#include "securebase/v1/accounts.pb.h"
#include "securebase/v1/common.pb.h"
#include "server/src/common/limits.h"
#include "server/src/common/status.h"
#include "server/src/store/store.h"

namespace securebase::server {

Status CheckSize(std::string_view field, const std::string& value, size_t size);
Status CheckUserId(std::string_view field, const std::string& value);
Status CheckDeviceId(std::string_view field, uint32_t device_id);

// The signed prekey's sizes and its signature by `identity_key`: the v1
// signature, or (when `device` is given) the device-bound one for `device`.
Status CheckSignedPreKey(std::string_view field, const v1::SignedPreKey& prekey,
                         const std::string& identity_key, const MailboxAddress* device = nullptr);

// A device binding record (crypto/.../device_binding.h) for exactly `device`
// and its `device_auth_key`, signed by `identity_key`.
Status CheckDeviceBinding(std::string_view field, const std::string& binding,
                          const std::string& identity_key, const MailboxAddress& device,
                          const std::string& device_auth_key);

// Sizes, no repeated ids, and at most limits.max_prekeys_per_upload
// (kResourceExhausted).
Status CheckOneTimePreKeys(std::string_view field,
                           const google::protobuf::RepeatedPtrField<v1::OneTimePreKey>& prekeys,
                           const Limits& limits);

// A device being added to the account with `identity_key` (already
// validated): auth key, binding signature, signed prekey, one-time prekeys.
Result<NewDeviceKeys> CheckNewDevice(std::string_view field, const v1::NewDevice& device,
                                     const std::string& identity_key, const Limits& limits);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_VALIDATION_H_
