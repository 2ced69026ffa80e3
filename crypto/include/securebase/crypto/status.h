// Error values returned across the crypto library boundary.
//
// The library never throws. Every fallible function returns a Status or a
// Result<T>; both are [[nodiscard]], so an ignored error is a compile warning.
// To drop an error on purpose, call IgnoreError(), which is greppable.
//
// The codes separate three kinds of failure so that callers can react without
// string matching:
//   - caller bugs:          kInvalidArgument, kInvalidState
//   - hostile/broken input: kInvalidMessage, kDuplicateMessage, kBadSignature,
//                           kUntrustedIdentity, kWrongPassphrase,
//                           kUndecryptableMessage, kWrongKey,
//                           kUnsupportedVersion
//   - environment:          kStorageFailure
// A failed decryption is always the one undifferentiated kInvalidMessage; the
// message text never says which check failed. Only a message whose encrypted
// header authenticates under one of the session's header keys (so it was
// really sent in this session, by the peer) is told apart: kDuplicateMessage
// if this session decrypted it before, kUndecryptableMessage if it never did
// and never will (session.h).
#ifndef SECUREBASE_CRYPTO_STATUS_H_
#define SECUREBASE_CRYPTO_STATUS_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace securebase::crypto {

enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument = 1,    // The caller passed something the contract forbids.
  kInvalidState = 2,       // The object cannot do this now (e.g. send before receive).
  kInvalidMessage = 3,     // Input from a peer or disk is malformed or fails authentication.
  kDuplicateMessage = 4,   // A ratchet message that was already decrypted (replay).
  kBadSignature = 5,       // A signature over a key or challenge does not verify.
  kUntrustedIdentity = 6,  // A peer's identity key differs from the pinned one.
  kWrongPassphrase = 7,    // The passphrase does not unwrap the vault key.
  kStorageFailure = 8,     // Reading or writing persisted state failed.
  // A message really sent in this session that it can no longer decrypt (its
  // key was evicted, its chain was dropped, or it is too far ahead). The
  // caller shows "a message could not be decrypted" rather than dropping it.
  kUndecryptableMessage = 9,
  // Input that is well formed but was made for another key the user holds:
  // a backup written under a different recovery key (backup.h). Told apart
  // from kInvalidMessage (damaged or modified) so the user is asked for the
  // right key instead of being told the file is broken.
  kWrongKey = 10,
  // A versioned format (its leading version byte) newer than this library
  // reads: written by a newer SecureBase. The caller says "update the app".
  kUnsupportedVersion = 11,
};

// Stable, human-readable name of a code ("invalid_message", ...).
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  // Success. Costs nothing: no allocation.
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status InvalidState(std::string m) { return {ErrorCode::kInvalidState, std::move(m)}; }
  static Status InvalidMessage(std::string m) { return {ErrorCode::kInvalidMessage, std::move(m)}; }
  static Status DuplicateMessage(std::string m) { return {ErrorCode::kDuplicateMessage, std::move(m)}; }
  static Status BadSignature(std::string m) { return {ErrorCode::kBadSignature, std::move(m)}; }
  static Status UntrustedIdentity(std::string m) { return {ErrorCode::kUntrustedIdentity, std::move(m)}; }
  static Status WrongPassphrase(std::string m) { return {ErrorCode::kWrongPassphrase, std::move(m)}; }
  static Status StorageFailure(std::string m) { return {ErrorCode::kStorageFailure, std::move(m)}; }
  static Status UndecryptableMessage(std::string m) {
    return {ErrorCode::kUndecryptableMessage, std::move(m)};
  }
  static Status WrongKey(std::string m) { return {ErrorCode::kWrongKey, std::move(m)}; }
  static Status UnsupportedVersion(std::string m) {
    return {ErrorCode::kUnsupportedVersion, std::move(m)};
  }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_message: <message>" or "ok".
  std::string ToString() const;

  // Drops an error deliberately. Use only where a comment explains why.
  void IgnoreError() const {}

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Either a value or a non-OK status. Accessing value() of an error is a
// programming bug and aborts. Other libraries reuse it with their own status
// type (anything with ok()), e.g. Result<T, client::Status>.
template <typename T, typename StatusType = Status>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design.
  Result(StatusType status) : status_(std::move(status)) {  // NOLINT: implicit by design.
    if (status_.ok()) std::abort();  // A Result built from OK status has no value.
  }

  bool ok() const { return value_.has_value(); }
  const StatusType& status() const { return status_; }

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
  StatusType status_;
};

}  // namespace securebase::crypto

// Returns early from a function returning Status or Result<T> when `expr`
// (a Status) is not OK.
#define SB_RETURN_IF_ERROR(expr)         \
  do {                                   \
    auto sb_status_ = (expr);            \
    if (!sb_status_.ok()) return sb_status_; \
  } while (false)

#define SB_CONCAT_INNER_(a, b) a##b
#define SB_CONCAT_(a, b) SB_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result<T> expression, or returns its error.
#define SB_ASSIGN_OR_RETURN(lhs, expr) \
  SB_ASSIGN_OR_RETURN_IMPL_(SB_CONCAT_(sb_result_, __LINE__), lhs, expr)
#define SB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // SECUREBASE_CRYPTO_STATUS_H_
