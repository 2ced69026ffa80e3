// What every part of a Client shares: its options and injected seams, the
// vault, the server API, and the account's keys. Private to client/.
//
// The parts (account.cc, contacts.h, sender.h, receiver.h, sync.cc) each own
// one concern and reach the vault only through Transact(), whose Stores own
// the records (stores.h). ClientImpl (client_impl.h) is the thin facade that
// puts them together.
#ifndef SECUREBASE_CLIENT_SRC_CLIENT_CORE_H_
#define SECUREBASE_CLIENT_SRC_CLIENT_CORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "client/src/vault_records.pb.h"
#include "securebase/client/options.h"
#include "securebase/client/server_api.h"
#include "securebase/client/status.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "stores.h"
#include "vault.h"

namespace securebase::client {

class ClientCore {
 public:
  // Takes the vault and the server API (or uses options.server_api when
  // `owned_server` is null); logs the server API in as this device.
  ClientCore(const ClientOptions& options, std::unique_ptr<Vault> vault,
             std::unique_ptr<ServerApi> owned_server, records::Account account,
             crypto::IdentityKeyPair identity, crypto::DeviceAuthKeyPair device_key,
             std::string saved_token);

  const ClientOptions& options() const { return options_; }
  ServerApi& server() { return server_; }
  Vault& vault() { return *vault_; }
  crypto::RandomSource& rng() { return rng_; }
  int64_t Now() { return clock_.NowUnixMs(); }
  // True when the injected fault injector fails the operation here.
  bool Fault(FaultPoint point) { return faults_ != nullptr && faults_->ShouldFail(point); }
  // 16 random bytes (message ids, client message ids).
  std::string RandomId();

  // The account record without its key seeds (they live only in the keys).
  const records::Account& account() const { return account_; }
  void set_account(records::Account account) { account_ = std::move(account); }
  const std::string& own_user_id() const { return account_.user_id(); }
  uint32_t own_device_id() const { return account_.device_id(); }
  Role role() const;
  const crypto::IdentityKeyPair& identity() const { return identity_; }
  const crypto::DeviceAuthKeyPair& device_key() const { return device_key_; }

  // Runs `body` over the vault's stores in one transaction: committed (the
  // caching stores flushed first) only if it returns OK.
  Status Transact(const std::function<Status(Stores&)>& body,
                  Durability durability = Durability::kSynced);
  // Vault::SyncDeferred: any thread, within the hold that deferred.
  Status SyncDeferred() { return vault_->SyncDeferred(); }
  // Keeps the vault locked and open across several transactions (one sync,
  // one send); a no-op cost with VaultAccess::kExclusive.
  Result<VaultHold> Hold() { return vault_->Hold(); }

  // With VaultAccess::kExclusive, takes the vault's lock and opens its
  // database for the core's lifetime (kVaultBusy, kVaultCorrupted); else
  // nothing.
  Status HoldIfExclusive();

  // Saves the server API's login token when it changed (a login costs two
  // round trips; a failure to save only costs one next time).
  void PersistTokenIfChanged();

 private:
  ClientOptions options_;
  Clock& clock_;
  crypto::RandomSource& rng_;
  FaultInjector* faults_;
  std::unique_ptr<Vault> vault_;
  std::unique_ptr<ServerApi> owned_server_;
  ServerApi& server_;
  records::Account account_;
  crypto::IdentityKeyPair identity_;
  crypto::DeviceAuthKeyPair device_key_;
  std::string saved_token_;
  // VaultAccess::kExclusive: held from open to destruction.
  std::optional<VaultHold> exclusive_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CLIENT_CORE_H_
