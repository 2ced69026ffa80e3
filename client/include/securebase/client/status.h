// Errors of the client library. Values, never exceptions.
#ifndef SECUREBASE_CLIENT_STATUS_H_
#define SECUREBASE_CLIENT_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

#include "securebase/client/export.h"
#include "securebase/crypto/status.h"

namespace securebase::client {

enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument = 1,     // The caller passed something malformed (bad peer, out-of-range field).
  kNotFound = 2,            // No such contact, invite or record.
  kAlreadyExists = 3,       // The vault or account already exists.
  kPermissionDenied = 4,    // The server refused (not linked, wrong role).
  kUnauthenticated = 5,     // The server did not accept this device's login.
  kUnavailable = 6,         // The server could not be reached; nothing was lost, retry later.
  kFailedPrecondition = 7,  // Valid, but not now (e.g. link ended).
  kResourceExhausted = 8,   // A server or local limit.
  kWrongPassphrase = 9,     // The passphrase does not open the vault.
  kVaultCorrupted = 10,     // A vault record does not authenticate or parse.
  kVaultBusy = 11,          // Another process kept the vault locked too long.
  kIdentityChanged = 12,    // A verified contact's key changed: sends wait for Trust().
  kInvalidInvite = 13,      // Malformed invite code, or its key pin does not match.
  kInternal = 14,           // A bug in this library (please report it).
  // The server answered something malformed or contradictory (a key that
  // does not parse or verify, devices of an unrelated user, an unknown
  // status): a broken or malicious server, not a bug here. Nothing was
  // changed by the refused answer.
  kInvalidServerResponse = 15,
};

// Stable snake_case name, used by the C API and the CLI's --json errors.
SECUREBASE_EXPORT std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] SECUREBASE_EXPORT Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // A sentence for a person: what went wrong and, where useful, what to do.
  // Never contains secrets or message content.
  const std::string& message() const { return message_; }
  std::string ToString() const;
  void IgnoreError() const {}

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename T>
using Result = crypto::Result<T, Status>;

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_STATUS_H_
