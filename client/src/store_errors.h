// Carries the client's Status through crypto's store interfaces, which speak
// crypto::Status: a vault store that fails records its precise error here and
// tells the cipher only kStorageFailure; the caller gets the precise error
// back from FromCipher(). Also the one mapping of the session cipher's
// errors to client errors. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_STORE_ERRORS_H_
#define SECUREBASE_CLIENT_SRC_STORE_ERRORS_H_

#include <optional>

#include "securebase/client/status.h"
#include "securebase/crypto/status.h"

namespace securebase::client {

class StoreErrors {
 public:
  // Remembers `status` (not OK) and returns the kStorageFailure to hand to
  // the cipher.
  crypto::Status Record(Status status);

  // The client error for a failed cipher call: a recorded store error as it
  // was; kIdentityChanged for an untrusted identity; kInvalidServerResponse
  // for a prekey bundle that does not verify or holds invalid keys;
  // kInternal for anything else (a bug: the client checks its inputs).
  Status FromCipher(const crypto::Status& status);

 private:
  std::optional<Status> last_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_STORE_ERRORS_H_
