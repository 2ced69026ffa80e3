#include "store_errors.h"

#include <utility>

namespace securebase::client {

crypto::Status StoreErrors::Record(Status status) {
  crypto::Status failure = crypto::Status::StorageFailure(status.message());
  last_ = std::move(status);
  return failure;
}

Status StoreErrors::FromCipher(const crypto::Status& status) {
  switch (status.code()) {
    case crypto::ErrorCode::kStorageFailure:
      if (last_) {
        Status recorded = std::move(*last_);
        last_.reset();
        return recorded;
      }
      return Status(ErrorCode::kVaultCorrupted, "the vault could not be read or written");
    case crypto::ErrorCode::kUntrustedIdentity:
      return Status(ErrorCode::kIdentityChanged,
                    "this contact's safety number changed; messages wait until you trust the "
                    "new one");
    case crypto::ErrorCode::kBadSignature:
    case crypto::ErrorCode::kInvalidArgument:
      return Status(
          ErrorCode::kInvalidServerResponse,
          "refusing a prekey bundle from the server that does not verify: " + status.message());
    case crypto::ErrorCode::kInvalidMessage:
      return Status(ErrorCode::kVaultCorrupted, "a stored session is damaged");
    default:
      return Status(ErrorCode::kInternal, "session cipher: " + status.ToString());
  }
}

}  // namespace securebase::client
