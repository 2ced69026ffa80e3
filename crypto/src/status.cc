#include "securebase/crypto/status.h"

namespace securebase::crypto {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kInvalidState: return "invalid_state";
    case ErrorCode::kInvalidMessage: return "invalid_message";
    case ErrorCode::kDuplicateMessage: return "duplicate_message";
    case ErrorCode::kBadSignature: return "bad_signature";
    case ErrorCode::kUntrustedIdentity: return "untrusted_identity";
    case ErrorCode::kWrongPassphrase: return "wrong_passphrase";
    case ErrorCode::kStorageFailure: return "storage_failure";
    case ErrorCode::kUndecryptableMessage: return "undecryptable_message";
    case ErrorCode::kWrongKey:
      return "wrong_key";
    case ErrorCode::kUnsupportedVersion:
      return "unsupported_version";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(ErrorCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace securebase::crypto
