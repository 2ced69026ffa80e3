// Error values inside the server. Mirrors the gRPC codes the API documents,
// so the RPC edge (service/grpc_status.h) converts them in one place. Never
// thrown; [[nodiscard]] so an ignored error is a warning.
#ifndef SECUREBASE_SERVER_COMMON_STATUS_H_
#define SECUREBASE_SERVER_COMMON_STATUS_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "securebase/crypto/status.h"

namespace securebase::server {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,     // Malformed input; the message names the field.
  kNotFound,            // Unknown id.
  kAlreadyExists,       // E.g. identity key already registered.
  kPermissionDenied,    // The caller may not do this.
  kUnauthenticated,     // Missing/unknown/expired token, failed login.
  kResourceExhausted,   // A limit.
  kFailedPrecondition,  // Valid, but not applicable to the current state.
  kUnavailable,         // Shutting down.
  kCancelled,           // The caller went away before the work ran.
  kInternal,            // Storage failure or a broken invariant.
  kDeadlineExceeded,    // Something the call waited for did not happen in time.
  kOutOfRange,          // An offset beyond the end (blobs).
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK; no allocation.
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  std::string ToString() const;
  // Drops an error deliberately; greppable. Say why at the call site.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or a non-OK Status. value() of an error aborts (a caller bug).
// The same template as the crypto library's, over the server's Status.
template <typename T>
using Result = crypto::Result<T, Status>;

}  // namespace securebase::server

// The crypto library's macros work with any status type that has ok().
#define SBS_RETURN_IF_ERROR(expr) SB_RETURN_IF_ERROR(expr)
#define SBS_ASSIGN_OR_RETURN(lhs, expr) SB_ASSIGN_OR_RETURN(lhs, expr)

#endif  // SECUREBASE_SERVER_COMMON_STATUS_H_
