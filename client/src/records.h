// Protobuf records in the vault: the one place they are parsed and
// serialized (vault_records.proto). Private to client/. Serialized bytes of
// records that hold secrets are wiped after sealing.
#ifndef SECUREBASE_CLIENT_SRC_RECORDS_H_
#define SECUREBASE_CLIENT_SRC_RECORDS_H_

#include <google/protobuf/message_lite.h>

#include <optional>
#include <string_view>

#include "client/src/vault_records.pb.h"
#include "securebase/client/status.h"
#include "securebase/crypto/secret.h"
#include "vault.h"

namespace securebase::client {

// Parses a record read from the vault. kVaultCorrupted if it does not parse.
template <typename Proto>
Result<Proto> ParseRecord(const crypto::SecretBytes& bytes) {
  Proto message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status(ErrorCode::kVaultCorrupted, "a vault record does not parse");
  }
  return message;
}

// The record stored under `name`, or nullopt when there is none.
template <typename Proto>
Result<std::optional<Proto>> LoadRecord(VaultTransaction& txn, std::string_view name) {
  SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> bytes, txn.Get(name));
  if (!bytes) return std::optional<Proto>();
  SB_ASSIGN_OR_RETURN(Proto message, ParseRecord<Proto>(*bytes));
  return std::optional<Proto>(std::move(message));
}

// The item `index` of `list`, or nullopt.
template <typename Proto>
Result<std::optional<Proto>> LoadItem(VaultTransaction& txn, std::string_view list,
                                      uint64_t index) {
  SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> bytes, txn.GetItem(list, index));
  if (!bytes) return std::optional<Proto>();
  SB_ASSIGN_OR_RETURN(Proto message, ParseRecord<Proto>(*bytes));
  return std::optional<Proto>(std::move(message));
}

void StoreRecord(VaultTransaction& txn, std::string_view name,
                 const google::protobuf::MessageLite& message);
void StoreItem(VaultTransaction& txn, std::string_view list, uint64_t index,
               const google::protobuf::MessageLite& message);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_RECORDS_H_
