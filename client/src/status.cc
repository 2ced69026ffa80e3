#include <atomic>
#include <mutex>

#include "fault_points.h"
#include "securebase/client/client.h"
#include "securebase/client/status.h"

namespace securebase::client {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kWrongPassphrase: return "wrong_passphrase";
    case ErrorCode::kVaultCorrupted: return "vault_corrupted";
    case ErrorCode::kVaultBusy: return "vault_busy";
    case ErrorCode::kIdentityChanged: return "identity_changed";
    case ErrorCode::kInvalidInvite: return "invalid_invite";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

const char* RoleName(Role role) { return role == Role::kTherapist ? "therapist" : "client"; }

namespace {
std::mutex hook_mutex;
FaultHook* hook = nullptr;
std::atomic<bool> hook_installed{false};
}  // namespace

void SetFaultHookForTesting(FaultHook new_hook) {
  std::lock_guard<std::mutex> lock(hook_mutex);
  delete hook;
  hook = new_hook ? new FaultHook(std::move(new_hook)) : nullptr;
  hook_installed = hook != nullptr;
}

bool FaultPoint(std::string_view point) {
  if (!hook_installed.load(std::memory_order_relaxed)) return false;
  std::lock_guard<std::mutex> lock(hook_mutex);
  return hook != nullptr && (*hook)(point);
}

}  // namespace securebase::client
