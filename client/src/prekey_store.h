// This device's prekeys, over one vault transaction: crypto's PreKeyStore
// on the vault, and the writes that add new ones. Private to client/.
//
// Records: "spk/<id>" and "otk/<id>" (records::PreKey: the private half, and
// for a signed prekey its signature). The private bytes are wiped from the
// protobuf carriers after use.
#ifndef SECUREBASE_CLIENT_SRC_PREKEY_STORE_H_
#define SECUREBASE_CLIENT_SRC_PREKEY_STORE_H_

#include <optional>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/protocol_stores.h"
#include "store_errors.h"
#include "vault.h"

namespace securebase::client {

class VaultPreKeyStore final : public crypto::PreKeyStore {
 public:
  VaultPreKeyStore(VaultTransaction& txn, StoreErrors& errors) : txn_(txn), errors_(errors) {}

  crypto::Result<std::optional<crypto::SignedPreKey>> LoadSignedPreKey(uint32_t id) override;
  crypto::Result<std::optional<crypto::OneTimePreKey>> LoadOneTimePreKey(uint32_t id) override;
  crypto::Status RemoveOneTimePreKey(uint32_t id) override;

  void StoreSignedPreKey(const crypto::SignedPreKey& key);
  void StoreOneTimePreKey(const crypto::OneTimePreKey& key);

 private:
  VaultTransaction& txn_;
  StoreErrors& errors_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_PREKEY_STORE_H_
