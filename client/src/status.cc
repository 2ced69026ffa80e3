#include "securebase/client/status.h"

#include "securebase/client/role.h"

namespace securebase::client {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kFailedPrecondition:
      return "failed_precondition";
    case ErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::kWrongPassphrase:
      return "wrong_passphrase";
    case ErrorCode::kVaultCorrupted:
      return "vault_corrupted";
    case ErrorCode::kVaultBusy:
      return "vault_busy";
    case ErrorCode::kIdentityChanged:
      return "identity_changed";
    case ErrorCode::kInvalidInvite:
      return "invalid_invite";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kInvalidServerResponse:
      return "invalid_server_response";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

const char* RoleName(Role role) { return role == Role::kTherapist ? "therapist" : "client"; }

}  // namespace securebase::client
