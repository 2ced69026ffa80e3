// Error values inside the server. Mirrors the gRPC codes the API documents,
// so the RPC edge (service/grpc_status.h) converts them in one place. Never
// thrown; [[nodiscard]] so an ignored error is a warning.
#ifndef SECUREBASE_SERVER_COMMON_STATUS_H_
#define SECUREBASE_SERVER_COMMON_STATUS_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

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
  kInternal,            // Storage failure or a broken invariant.
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
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design.
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design.
    if (status_.ok()) std::abort();
  }
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & {
    if (!value_) std::abort();
    return *value_;
  }
  const T& value() const& {
    if (!value_) std::abort();
    return *value_;
  }
  T&& value() && {
    if (!value_) std::abort();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace securebase::server

#define SBS_CONCAT_INNER_(a, b) a##b
#define SBS_CONCAT_(a, b) SBS_CONCAT_INNER_(a, b)

// Returns `expr` (a server::Status) from the enclosing function unless OK.
#define SBS_RETURN_IF_ERROR(expr)                                   \
  do {                                                              \
    ::securebase::server::Status sbs_status_ = (expr);              \
    if (!sbs_status_.ok()) return sbs_status_;                      \
  } while (false)

// Declares `lhs` from a server::Result<T> expression, or returns its error.
#define SBS_ASSIGN_OR_RETURN(lhs, expr) \
  SBS_ASSIGN_OR_RETURN_IMPL_(SBS_CONCAT_(sbs_result_, __LINE__), lhs, expr)
#define SBS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // SECUREBASE_SERVER_COMMON_STATUS_H_
