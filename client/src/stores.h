// Everything the client keeps in its vault, over one transaction: one owner
// per record kind (account, contacts, sessions, prekeys, history, outbox),
// each created on first use, and the session cipher over the three crypto
// store interfaces they implement. Private to client/.
//
// Use through ClientCore::Transact, which flushes the stores that keep
// records in memory (contacts, sessions) and commits only when the body
// returned OK: a failed body writes nothing at all.
#ifndef SECUREBASE_CLIENT_SRC_STORES_H_
#define SECUREBASE_CLIENT_SRC_STORES_H_

#include <optional>
#include <string>

#include "account_store.h"
#include "contact_store.h"
#include "history_store.h"
#include "outbox_store.h"
#include "prekey_store.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/session_cipher.h"
#include "session_store.h"
#include "store_errors.h"
#include "vault.h"

namespace securebase::client {

class Stores {
 public:
  Stores(VaultTransaction& txn, const std::string& own_user_id,
         const crypto::IdentityKeyPair& identity, crypto::RandomSource& rng)
      : txn_(txn), own_user_id_(own_user_id), identity_(identity), rng_(rng) {}
  Stores(const Stores&) = delete;
  Stores& operator=(const Stores&) = delete;

  VaultTransaction& txn() { return txn_; }
  StoreErrors& errors() { return errors_; }
  AccountStore& account() { return Lazy(account_, txn_); }
  ContactStore& contacts() { return Lazy(contacts_, txn_, errors_, own_user_id_, identity_); }
  VaultSessionStore& sessions() { return Lazy(sessions_, txn_, errors_); }
  VaultPreKeyStore& prekeys() { return Lazy(prekeys_, txn_, errors_); }
  HistoryStore& history() { return Lazy(history_, txn_); }
  OutboxStore& outbox() { return Lazy(outbox_, txn_); }
  crypto::SessionCipher& cipher() {
    if (!cipher_) cipher_.emplace(sessions(), prekeys(), contacts(), rng_);
    return *cipher_;
  }

  // Writes back what the caching stores changed, into the transaction.
  void Flush() {
    if (contacts_) contacts_->Flush();
    if (sessions_) sessions_->Flush();
  }

 private:
  template <typename T, typename... Args>
  static T& Lazy(std::optional<T>& slot, Args&&... args) {
    if (!slot) slot.emplace(std::forward<Args>(args)...);
    return *slot;
  }

  VaultTransaction& txn_;
  const std::string& own_user_id_;
  const crypto::IdentityKeyPair& identity_;
  crypto::RandomSource& rng_;
  StoreErrors errors_;
  std::optional<AccountStore> account_;
  std::optional<ContactStore> contacts_;
  std::optional<VaultSessionStore> sessions_;
  std::optional<VaultPreKeyStore> prekeys_;
  std::optional<HistoryStore> history_;
  std::optional<OutboxStore> outbox_;
  std::optional<crypto::SessionCipher> cipher_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_STORES_H_
