// The sealed local store of one device (private to client/).
//
// Layout under the home directory (mode 0700):
//   vault.key   the vault key wrapped by the passphrase (Argon2id), mode 0600
//   vault.lock  flock()ed for the duration of each transaction
//   db/         RocksDB: keys are keyed hashes of record names, values are
//               records sealed with the record's name as associated data
//
// Nothing in the files names a contact: record names ("contact list",
// "session/<user>/<device>", "history/<user>#<n>") exist only in memory and as
// keyed hashes (RecordNameTag) on disk.
//
// Concurrency: RocksDB allows one process at a time, so each transaction takes
// the file lock, opens the database, runs, commits one synced WriteBatch and
// closes it again. Another process (e.g. `sync --watch` beside `send`) waits
// for the lock up to a timeout.
#ifndef SECUREBASE_CLIENT_SRC_VAULT_H_
#define SECUREBASE_CLIENT_SRC_VAULT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "securebase/client/client.h"
#include "securebase/client/status.h"
#include "securebase/crypto/sealed_storage.h"
#include "securebase/crypto/secret.h"

namespace rocksdb {
class DB;
}

namespace securebase::client {

class VaultTransaction;

class Vault {
 public:
  // kAlreadyExists if `home` already holds a vault.
  static Result<std::unique_ptr<Vault>> Create(const std::string& home, std::string_view passphrase,
                                               PassphraseCost cost,
                                               std::chrono::milliseconds lock_timeout);
  // kNotFound, kWrongPassphrase, kVaultCorrupted.
  static Result<std::unique_ptr<Vault>> Open(const std::string& home, std::string_view passphrase,
                                             std::chrono::milliseconds lock_timeout);
  // Removes a vault that Create made but that never became usable (e.g. the
  // server refused the registration). Only for that purpose.
  static void RemoveIncomplete(const std::string& home);

  // Runs `body` with exclusive access. Writes made through the transaction are
  // committed atomically and durably (fsync) only if `body` returns OK;
  // otherwise nothing is written. kVaultBusy if the lock could not be taken.
  Status Transact(const std::function<Status(VaultTransaction&)>& body);

  const crypto::VaultKey& key() const { return key_; }

 private:
  Vault(std::string home, crypto::VaultKey key, std::chrono::milliseconds lock_timeout)
      : home_(std::move(home)), key_(std::move(key)), lock_timeout_(lock_timeout) {}
  std::string home_;
  crypto::VaultKey key_;
  std::chrono::milliseconds lock_timeout_;
};

class VaultTransaction {
 public:
  // The record, or nullopt. kVaultCorrupted if it does not open.
  Result<std::optional<crypto::SecretBytes>> Get(std::string_view name);
  void Put(std::string_view name, crypto::ByteSpan plaintext);
  void Delete(std::string_view name);

  // Ordered lists of records (history, outbox): items keyed by an index.
  Result<std::optional<crypto::SecretBytes>> GetItem(std::string_view list, uint64_t index);
  void PutItem(std::string_view list, uint64_t index, crypto::ByteSpan plaintext);
  void DeleteItem(std::string_view list, uint64_t index);
  // All items of a list in index order (pending writes included).
  Result<std::vector<std::pair<uint64_t, crypto::SecretBytes>>> ReadList(std::string_view list);

 private:
  friend class Vault;
  VaultTransaction(rocksdb::DB* db, const crypto::VaultKey& key) : db_(db), key_(key) {}
  std::string PointKey(std::string_view name) const;
  std::string ListPrefix(std::string_view list) const;
  static std::string ItemName(std::string_view list, uint64_t index);
  Result<std::optional<crypto::SecretBytes>> ReadKey(const std::string& key,
                                                      std::string_view name);
  void Write(std::string key, std::string_view name, crypto::ByteSpan plaintext);

  rocksdb::DB* db_;
  const crypto::VaultKey& key_;
  // Sealed pending writes by physical key; nullopt = delete.
  std::map<std::string, std::optional<crypto::Bytes>> pending_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_VAULT_H_
