// The account record (ids, role, name, the identity and device-auth seeds,
// prekey counters, the therapist's availability) and the saved login token,
// over one vault transaction. Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_ACCOUNT_STORE_H_
#define SECUREBASE_CLIENT_SRC_ACCOUNT_STORE_H_

#include <optional>

#include "client/src/vault_records.pb.h"
#include "securebase/client/status.h"
#include "vault.h"

namespace securebase::client {

// Wipes the key seeds from an account record once it is stored or the keys
// are rebuilt, so they do not linger in a protobuf for the client's lifetime.
void WipeSeeds(records::Account& account);

class AccountStore {
 public:
  explicit AccountStore(VaultTransaction& txn) : txn_(txn) {}

  // nullopt when the vault was never finished (Create was interrupted).
  Result<std::optional<records::Account>> Load();
  // kVaultCorrupted when there is none.
  Result<records::Account> LoadExisting();
  void Store(const records::Account& account);

  Result<std::optional<records::Token>> LoadToken();
  void StoreToken(const records::Token& token);

 private:
  VaultTransaction& txn_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_ACCOUNT_STORE_H_
