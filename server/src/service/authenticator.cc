#include "server/src/service/authenticator.h"

#include <string_view>

#include "securebase/crypto/secret.h"
#include "server/src/common/limits.h"
#include "server/src/common/secrets.h"

namespace securebase::server {

Result<Caller> AuthenticateCall(ServiceContext& services, const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find("authorization");
  if (found == metadata.end()) {
    return Status::Unauthenticated("missing authorization metadata (Bearer token)");
  }
  std::string_view value(found->second.data(), found->second.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer ||
      value.size() != kBearer.size() + 2 * kSessionTokenSize) {
    return Status::Unauthenticated("authorization must be 'Bearer <64 lowercase hex characters>'");
  }
  std::optional<std::string> token = FromLowerHex(value.substr(kBearer.size()));
  if (!token.has_value()) {
    return Status::Unauthenticated("authorization must be 'Bearer <64 lowercase hex characters>'");
  }
  Caller caller;
  caller.token_hash = HashSecret(SecretPurpose::kSessionToken, *token);
  crypto::SecureWipe(token->data(), token->size());
  auto record = services.store.GetSessionToken(caller.token_hash);
  if (!record.ok()) {
    if (record.status().IsNotFound()) {
      return Status::Unauthenticated("unknown, expired or revoked token");
    }
    return record.status();
  }
  if (record->expires_at_unix_ms() <= services.clock.NowUnixMs()) {
    return Status::Unauthenticated("unknown, expired or revoked token");
  }
  if (record->device_removed()) return DeviceRemovedStatus();
  caller.user_id = record->user_id();
  caller.device_id = record->device_id();
  if (!services.rate_limiter.TryAcquire(caller.user_id)) {
    return Status::ResourceExhausted("request rate limit for this account exceeded; retry later");
  }
  return caller;
}

}  // namespace securebase::server
