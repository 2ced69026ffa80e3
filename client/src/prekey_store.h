// This device's prekeys, over one vault transaction: crypto's PreKeyStore
// on the vault, and the writes that add new ones. Private to client/.
//
// Records: "spk/<id>" and "otk/<id>" (records::PreKey: the private half, and
// for a signed prekey its signature), and "spk-used/<id>" (records::
// UsedBaseKeys: the replay cache of signed prekey <id>, deleted with it), and
// "signed-prekeys" (records::SignedPreKeys, the rotation state). The
// private bytes are wiped from the protobuf carriers after use.
#ifndef SECUREBASE_CLIENT_SRC_PREKEY_STORE_H_
#define SECUREBASE_CLIENT_SRC_PREKEY_STORE_H_

#include <map>
#include <optional>

#include "client/src/vault_records.pb.h"
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
  crypto::Result<bool> IsBaseKeyUsed(uint32_t signed_prekey_id,
                                     const crypto::DhPublicKey& base_key) override;
  crypto::Status MarkBaseKeyUsed(uint32_t signed_prekey_id,
                                 const crypto::DhPublicKey& base_key) override;

  void StoreSignedPreKey(const crypto::SignedPreKey& key);
  void StoreOneTimePreKey(const crypto::OneTimePreKey& key);
  // Deletes a signed prekey's private key and its replay cache.
  void RemoveSignedPreKey(uint32_t id);

  // The rotation state (prekey_rotation.h), or nullopt before it was made.
  Result<std::optional<records::SignedPreKeys>> LoadRotation();
  void StoreRotation(const records::SignedPreKeys& state);

 private:
  Result<records::UsedBaseKeys*> UsedBaseKeys(uint32_t signed_prekey_id);

  VaultTransaction& txn_;
  StoreErrors& errors_;
  // Replay caches read in this transaction.
  std::map<uint32_t, records::UsedBaseKeys> used_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_PREKEY_STORE_H_
