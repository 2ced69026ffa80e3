#include "records.h"

#include "securebase/crypto/encoding.h"

namespace securebase::client {

void StoreRecord(VaultTransaction& txn, std::string_view name,
                 const google::protobuf::MessageLite& message) {
  std::string bytes = message.SerializeAsString();
  txn.Put(name, crypto::AsBytes(bytes));
  crypto::SecureWipe(bytes.data(), bytes.size());  // Wiped on all paths: it may hold keys.
}

void StoreItem(VaultTransaction& txn, std::string_view list, uint64_t index,
               const google::protobuf::MessageLite& message) {
  std::string bytes = message.SerializeAsString();
  txn.PutItem(list, index, crypto::AsBytes(bytes));
  crypto::SecureWipe(bytes.data(), bytes.size());
}

}  // namespace securebase::client
