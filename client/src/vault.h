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
// closes it again; or, inside a Hold() (one sync, one send), the transactions
// share one lock and one open database, each still committing its own synced
// WriteBatch. Another process (e.g. `sync --watch` beside `send`) waits for
// the lock up to a timeout.
//
// Within a process, transactions run on one thread at a time; the one thing
// another thread may do meanwhile is SyncDeferred() (a sync pipeline makes
// one page durable while the next is decrypted). Inside a hold, kDeferred
// commits are sealed and written by the hold's writer thread
// (vault_writer.h), in order.
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

#include "securebase/client/options.h"
#include "securebase/client/status.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/record_sealer.h"
#include "securebase/crypto/sealed_storage.h"
#include "securebase/crypto/secret.h"
#include "vault_writer.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace securebase::client {

class VaultTransaction;
class VaultHold;

// When a transaction's write reaches the disk.
enum class Durability {
  // Synced (fsync of the write-ahead log) before Transact returns.
  kSynced,
  // Inside a Hold(): Transact returns once `body` ran; the records are
  // sealed and written on a thread of their own (vault_writer.h), and are
  // visible to later transactions at once. Durable only at the next
  // SyncDeferred() (or synced transaction, or the end of the hold): nothing
  // outside the vault (an acknowledgement, a send of what it encrypted) may
  // depend on it before then. Writes reach the log in order, so a crash
  // keeps a prefix of them: never a later transaction without an earlier
  // one. Outside a hold it is kSynced.
  kDeferred,
};

class Vault {
 public:
  // kAlreadyExists if `home` already holds a vault. `rng` (which must
  // outlive the vault) makes the vault key and the records' nonces.
  static Result<std::unique_ptr<Vault>> Create(const std::string& home, std::string_view passphrase,
                                               PassphraseCost cost,
                                               std::chrono::milliseconds lock_timeout,
                                               crypto::RandomSource& rng = crypto::SystemRandom());
  // kNotFound, kWrongPassphrase, kVaultCorrupted.
  static Result<std::unique_ptr<Vault>> Open(const std::string& home, std::string_view passphrase,
                                             std::chrono::milliseconds lock_timeout,
                                             crypto::RandomSource& rng = crypto::SystemRandom());
  // A second Vault on the same home and key (for a second Client on another
  // thread): no Argon2id, nothing read from disk until its first call.
  std::unique_ptr<Vault> Another(std::chrono::milliseconds lock_timeout,
                                 crypto::RandomSource& rng) const;
  // True when `home` holds a vault's key file.
  static bool Exists(const std::string& home);
  // Removes a vault that Create made but that never became usable (e.g. the
  // server refused the registration). Only for that purpose.
  static void RemoveIncomplete(const std::string& home);

  ~Vault();

  // Runs `body` with exclusive access. Writes made through the transaction are
  // committed atomically and durably (fsync) only if `body` returns OK;
  // otherwise nothing is written. kVaultBusy if the lock could not be taken.
  // Inside a Hold() it uses the held lock and database.
  Status Transact(const std::function<Status(VaultTransaction&)>& body,
                  Durability durability = Durability::kSynced);
  // Makes every kDeferred write of the current hold durable (OK at once when
  // there is none): waits until they are written, then syncs the log. May
  // run on another thread than the transactions, but not beyond the hold.
  // kInternal if the disk refused (then every later transaction of the hold
  // fails too: they were built on what could not be written).
  Status SyncDeferred();
  // Waits until the hold's kDeferred writes are written, without syncing
  // them: what a crash right after would find is what SyncDeferred did not
  // make durable.
  Status WaitForDeferredWritesForTesting();

  // Takes the lock and opens the database once for a sequence of
  // transactions (one sync, one send): opening RocksDB costs tens of
  // milliseconds, far more than a transaction. Each Transact still commits its
  // own synced batch, so durability and ordering are as without a hold. Other
  // processes wait (up to their lock timeout) until the returned object is
  // destroyed, so hold for one operation only. Holds nest: an inner one shares
  // the outer one. kVaultBusy, kVaultCorrupted as Transact.
  Result<VaultHold> Hold();

  const crypto::VaultKey& key() const { return key_; }

 private:
  friend class VaultHold;
  struct Held;  // The lock and the open database while held.
  Vault(std::string home, crypto::VaultKey key, std::chrono::milliseconds lock_timeout,
        crypto::RandomSource& rng);
  // Runs `body` on `db` (after the batches in `in_flight`, not yet written)
  // and writes its changes, synced, through `batch`; sets *wrote if it wrote.
  Status Commit(rocksdb::DB* db, std::vector<PendingBatch> in_flight, rocksdb::WriteBatch& batch,
                const std::function<Status(VaultTransaction&)>& body, bool* wrote);
  // Inside a hold: runs `body` and posts its changes to the hold's writer.
  Status CommitDeferred(const std::function<Status(VaultTransaction&)>& body);
  std::string home_;
  crypto::VaultKey key_;
  std::chrono::milliseconds lock_timeout_;
  crypto::RandomSource& rng_;
  std::unique_ptr<Held> held_;
};

// Releases a Vault::Hold() (the outermost one closes the database and drops
// the lock). Move-only; must not outlive its vault.
class VaultHold {
 public:
  VaultHold(VaultHold&& other) noexcept : vault_(std::exchange(other.vault_, nullptr)) {}
  VaultHold& operator=(VaultHold&&) = delete;
  VaultHold(const VaultHold&) = delete;
  ~VaultHold();

 private:
  friend class Vault;
  explicit VaultHold(Vault* vault) : vault_(vault) {}
  Vault* vault_;
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
  // The highest index any item of the list has, stored or written (or
  // deleted) in this transaction; nullopt for an empty list. Reads no item.
  Result<std::optional<uint64_t>> LastItemIndex(std::string_view list);

 private:
  friend class Vault;
  VaultTransaction(rocksdb::DB* db, std::vector<PendingBatch> in_flight,
                   const crypto::VaultKey& key, crypto::RandomSource& rng)
      : db_(db), in_flight_(std::move(in_flight)), key_(key), sealer_(key, rng) {}
  std::string PointKey(std::string_view name) const;
  std::string ListPrefix(std::string_view list);
  static std::string ItemName(std::string_view list, uint64_t index);
  Result<std::optional<crypto::SecretBytes>> ReadKey(const std::string& key, std::string_view name);
  void Write(std::string key, std::string_view name, crypto::ByteSpan plaintext);

  rocksdb::DB* db_;
  // Earlier deferred transactions not yet written, oldest first: read after
  // pending_ and before db_.
  std::vector<PendingBatch> in_flight_;
  const crypto::VaultKey& key_;
  // One record subkey and nonce counter per transaction (record_sealer.h).
  crypto::RecordSealer sealer_;
  // This transaction's writes, sealed when committed.
  PendingWrites pending_;
  // List name -> ListPrefix (a keyed hash), computed once per transaction.
  std::map<std::string, std::string, std::less<>> list_prefixes_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_VAULT_H_
