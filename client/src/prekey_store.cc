#include "prekey_store.h"

#include <string>

#include "records.h"
#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

std::string SignedPreKeyName(uint32_t id) { return "spk/" + std::to_string(id); }
std::string OneTimePreKeyName(uint32_t id) { return "otk/" + std::to_string(id); }

// Wipes the private half a protobuf carrier holds.
void Wipe(records::PreKey& record) {
  std::string* key = record.mutable_private_key();
  crypto::SecureWipe(key->data(), key->size());
}

void Store(VaultTransaction& txn, const std::string& name, uint32_t id,
           const crypto::DhKeyPair& key, const crypto::Signature* signature) {
  records::PreKey record;
  record.set_id(id);
  record.set_private_key(std::string(crypto::AsStringView(key.private_key())));
  if (signature != nullptr) record.set_signature(signature->data(), signature->size());
  StoreRecord(txn, name, record);
  Wipe(record);
}

const Status kDamaged(ErrorCode::kVaultCorrupted, "a stored prekey is damaged");

}  // namespace

crypto::Result<std::optional<crypto::SignedPreKey>> VaultPreKeyStore::LoadSignedPreKey(
    uint32_t id) {
  Result<std::optional<records::PreKey>> loaded =
      LoadRecord<records::PreKey>(txn_, SignedPreKeyName(id));
  if (!loaded.ok()) return errors_.Record(loaded.status());
  if (!*loaded) return std::optional<crypto::SignedPreKey>();
  records::PreKey& record = **loaded;
  auto key = crypto::DhKeyPair::FromPrivateKey(crypto::AsBytes(record.private_key()));
  auto signature = crypto::Signature::FromBytes(crypto::AsBytes(record.signature()));
  Wipe(record);
  if (!key.ok() || !signature.ok()) return errors_.Record(kDamaged);
  return std::optional<crypto::SignedPreKey>(
      crypto::SignedPreKey{id, std::move(key).value(), *signature});
}

crypto::Result<std::optional<crypto::OneTimePreKey>> VaultPreKeyStore::LoadOneTimePreKey(
    uint32_t id) {
  Result<std::optional<records::PreKey>> loaded =
      LoadRecord<records::PreKey>(txn_, OneTimePreKeyName(id));
  if (!loaded.ok()) return errors_.Record(loaded.status());
  if (!*loaded) return std::optional<crypto::OneTimePreKey>();
  records::PreKey& record = **loaded;
  auto key = crypto::DhKeyPair::FromPrivateKey(crypto::AsBytes(record.private_key()));
  Wipe(record);
  if (!key.ok()) return errors_.Record(kDamaged);
  return std::optional<crypto::OneTimePreKey>(crypto::OneTimePreKey{id, std::move(key).value()});
}

crypto::Status VaultPreKeyStore::RemoveOneTimePreKey(uint32_t id) {
  txn_.Delete(OneTimePreKeyName(id));
  return crypto::Status::Ok();
}

void VaultPreKeyStore::StoreSignedPreKey(const crypto::SignedPreKey& key) {
  Store(txn_, SignedPreKeyName(key.id), key.id, key.key, &key.signature);
}

void VaultPreKeyStore::StoreOneTimePreKey(const crypto::OneTimePreKey& key) {
  Store(txn_, OneTimePreKeyName(key.id), key.id, key.key, nullptr);
}

}  // namespace securebase::client
