// Resolves the `authorization: Bearer <64 hex>` metadata of a call to the
// calling device, and applies the per-account rate limit.
#ifndef SECUREBASE_SERVER_SERVICE_AUTHENTICATOR_H_
#define SECUREBASE_SERVER_SERVICE_AUTHENTICATOR_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "server/src/common/status.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

struct Caller {
  UserId user_id;
  uint32_t device_id = 0;
  std::string token_hash;  // Hash of the bearer token the call was made with.
  MailboxAddress address() const { return {user_id, device_id}; }
};

// kUnauthenticated: missing, malformed, unknown, expired or revoked token.
// kPermissionDenied: a token of a device that was removed (DeviceRemovedStatus).
// kResourceExhausted: the account's request rate limit.
Result<Caller> AuthenticateCall(ServiceContext& services, const grpc::ServerContextBase& context);

// What every call of a removed device gets (its calls and its streams).
inline Status DeviceRemovedStatus() {
  return Status::PermissionDenied("this device was removed from the account; link it again");
}

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_AUTHENTICATOR_H_
