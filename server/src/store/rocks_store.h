// The RocksDB implementation of Store: one column family per record kind
// (see kColumnFamilyNames and keys.h), protobuf values (records.proto), one
// WriteBatch per operation.
//
// Sequencing: a mailbox's next seq lives in memory (loaded lazily from the
// mailbox's persisted high-water mark, which every append updates in the
// same batch, so seqs are never reused, even after the mailbox empties and
// the process restarts). Seqs are assigned, and the append handed to the
// group committer, while holding the mailbox's stripe lock; the committer
// commits in that order, so within one mailbox seq n+1 is never readable
// before seq n. Nobody waits out an fsync holding a lock: every append
// queued during one sync shares the next (group commit, group_commit.h).
//
// Thread-safety: all methods are thread-safe. One process may open a
// database at a time (RocksDB's LOCK file).
#ifndef SECUREBASE_SERVER_STORE_ROCKS_STORE_H_
#define SECUREBASE_SERVER_STORE_ROCKS_STORE_H_

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/src/common/clock.h"
#include "server/src/common/striped_mutex.h"
#include "server/src/store/group_commit.h"
#include "server/src/store/store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace securebase::server {

inline constexpr uint32_t kSchemaVersion = 1;

// Column families, in this order. "default" is RocksDB's and stays empty.
enum class Cf : size_t {
  kDefault = 0,
  kAccounts,
  kIdentityKeys,
  kDevices,
  kPreKeys,
  kInvites,
  kLinks,
  kMailboxes,
  kMailboxUsage,
  kIdempotency,
  kTokens,
  kDeviceTokens,
  kRegistrationTokens,
  kAudit,
  kMeta,
  kBlobs,
  kCount,
};
inline constexpr std::array<const char*, static_cast<size_t>(Cf::kCount)> kColumnFamilyNames = {
    "default", "accounts",      "identity_keys",       "devices",       "prekeys",
    "invites", "links",         "mailboxes",           "mailbox_usage", "idempotency",
    "tokens",  "device_tokens", "registration_tokens", "audit",         "meta",
    "blobs"};

struct RocksStoreOptions {
  std::string path;                 // The database directory (DATA_DIR/db).
  bool sync_writes = true;          // fsync the WAL before acknowledging a change.
  bool create_if_missing = true;    // Else kNotFound when there is no database.
  // Table files RocksDB keeps open (its default, -1, is all of them: they
  // would compete with connections for file descriptors).
  int max_open_files = 512;
};

class RocksStore final : public Store {
 public:
  // Opens (or creates) the database. kUnavailable: another process holds it
  // (its LOCK). kNotFound: no database and !create_if_missing. kInternal:
  // anything else, including an unknown schema version.
  static Result<std::unique_ptr<RocksStore>> Open(const RocksStoreOptions& options, Clock& clock);

  // Flushes the WAL and closes the database.
  ~RocksStore() override;
  RocksStore(const RocksStore&) = delete;
  RocksStore& operator=(const RocksStore&) = delete;

  // AccountStore
  Status CreateAccount(const v1::AccountRecord& account, const NewDeviceKeys& device,
                       const std::optional<std::string>& registration_token_hash) override;
  Result<v1::AccountRecord> GetAccount(const UserId& user_id) override;
  Result<uint32_t> AddDevice(const UserId& user_id, const NewDeviceKeys& device,
                             uint32_t max_devices) override;
  Status RemoveDevice(const UserId& user_id, uint32_t device_id) override;
  Result<v1::DeviceRecord> GetDevice(const UserId& user_id, uint32_t device_id) override;
  Result<std::vector<v1::DeviceRecord>> ListDevices(const UserId& user_id) override;

  // TokenStore
  Status CreateSessionToken(const std::string& token_hash, const v1::TokenRecord& token,
                            uint32_t max_per_device) override;
  Result<v1::TokenRecord> GetSessionToken(const std::string& token_hash) override;
  Status RevokeSessionToken(const std::string& token_hash) override;
  Status CreateRegistrationToken(const std::string& token_hash,
                                 const v1::RegistrationTokenRecord& token) override;

  // PreKeyStore
  Result<uint32_t> UploadPreKeys(const MailboxAddress& device,
                                 const std::optional<v1::SignedPreKey>& signed_prekey,
                                 const std::vector<v1::OneTimePreKey>& one_time_prekeys,
                                 uint32_t max_pool) override;
  Result<uint32_t> CountPreKeys(const MailboxAddress& device) override;
  Status SetDeviceBinding(const MailboxAddress& device, const std::string& binding) override;
  Result<ClaimedBundles> ClaimPreKeyBundles(const UserId& user_id) override;

  // LinkStore
  Status CreateInvite(const std::string& secret_hash, const v1::InviteRecord& invite,
                      uint32_t max_outstanding) override;
  Result<RedeemedInvite> RedeemInvite(const std::string& secret_hash,
                                      const v1::AccountRecord& client) override;
  Result<v1::LinkRecord> GetLink(const UserId& user_id, const UserId& peer_id) override;
  Result<std::vector<v1::LinkRecord>> ListLinks(const UserId& user_id) override;
  Status EndLink(const UserId& user_id, const UserId& peer_id) override;

  // MailboxStore
  Result<std::optional<int64_t>> FindIdempotent(
      const MailboxAddress& sender, const std::string& client_message_id,
      const std::vector<OutgoingEnvelope>& envelopes) override;
  void AppendEnvelopesAsync(const MailboxAddress& sender, const std::string& client_message_id,
                            const std::vector<OutgoingEnvelope>& envelopes,
                            int64_t server_timestamp_unix_ms, const MailboxQuota& quota,
                            AppendDone done) override;
  Result<MailboxUsage> GetMailboxUsage(const MailboxAddress& mailbox) override;
  Result<MailboxPage> ReadMailbox(const MailboxAddress& mailbox, uint64_t after_seq,
                                  uint32_t max_count, size_t max_bytes) override;
  Result<uint32_t> DeleteEnvelopes(const MailboxAddress& mailbox, uint64_t after_seq,
                                   uint64_t up_to_seq) override;

  // BlobStore (rocks_blobs.cc)
  Status CreateBlob(const std::string& blob_id, const v1::BlobRecord& record,
                    const BlobQuota& quota) override;
  Result<v1::BlobRecord> GetBlobRecord(const std::string& blob_id) override;
  Result<std::string> FindBlobByCapability(const std::string& capability_hash) override;
  Result<v1::BlobRecord> AppendBlobChunk(const std::string& blob_id, const UserId& owner,
                                         uint64_t offset, const std::string& data,
                                         bool sync) override;
  Result<std::string> ReadBlobChunk(const std::string& blob_id, uint64_t offset) override;
  Status DeleteBlob(const std::string& blob_id, const UserId& owner) override;
  Result<std::vector<std::pair<std::string, v1::BlobRecord>>> ListBlobs(
      const UserId& owner) override;
  Result<uint64_t> SweepBlobs(int64_t now_ms, uint32_t max) override;

  // AdminStore
  Status AppendAudit(v1::AuditRecord record) override;
  Result<AuditPage> ReadAudit(const std::string& after_key, uint32_t limit) override;
  Result<SweepCounts> Sweep(int64_t retention_ms, int64_t audit_retention_ms) override;
  Result<StoreStats> Stats() override;
  Status Compact() override;
  Status Backup(const std::string& to_dir) override;
  Status CheckWritable() override;

 private:
  // A mailbox's usage while writes to it are in flight (mailbox_usage.h).
  struct UsageInFlight {
    MailboxUsage latest;   // After every write submitted so far.
    uint32_t writes = 0;   // Submitted, not finished.
    bool suspect = false;  // A write failed: the stored value may be off.
  };
  struct MailboxStripe {
    std::mutex mu;
    // Mailbox prefix -> next seq to assign. Guarded by mu.
    std::unordered_map<std::string, uint64_t> next_seq;
    // Mailbox prefix -> its usage, while writes are in flight (or after one
    // failed, until it is counted again). Guarded by mu.
    std::unordered_map<std::string, UsageInFlight> usage;
  };
  static constexpr size_t kMailboxStripes = 256;

  RocksStore(const RocksStoreOptions& options, Clock& clock);

  rocksdb::ColumnFamilyHandle* cf(Cf family) const { return handles_[static_cast<size_t>(family)]; }
  // kNotFound when absent.
  Status Get(Cf family, std::string_view key, std::string* value);
  template <typename Record>
  Result<Record> GetRecord(Cf family, std::string_view key, const char* what);
  Status Write(rocksdb::WriteBatch& batch, bool sync);
  // Adds an audit record (timestamped now) to `batch`.
  void AddAudit(rocksdb::WriteBatch& batch, v1::AuditRecord record);
  void PutDeviceRecords(rocksdb::WriteBatch& batch, const UserId& user_id, uint32_t device_id,
                        const NewDeviceKeys& device);
  Result<uint32_t> CountPrefix(Cf family, std::string_view prefix);
  MailboxStripe& StripeOf(const std::string& mailbox_prefix) {
    return mailbox_stripes_[StripedMutex<kMailboxStripes>::StripeOf(mailbox_prefix)];
  }
  // The mailbox's usage counting every write submitted so far. Requires the
  // stripe's mutex. After a failed write, once nothing is in flight, counts
  // the mailbox again (kUnavailable while writes are still in flight).
  Result<MailboxUsage> CurrentUsageLocked(MailboxStripe& stripe, const std::string& mailbox_prefix);
  // Adds to `puts` the mailbox's new usage, `base` + `delta`, and notes a
  // write in flight. Requires the stripe's mutex; the caller submits `puts`
  // before releasing it (absolute values commit in the order computed) and
  // calls FinishUsageWrite when the write is done.
  void AddUsageWriteLocked(MailboxStripe& stripe, const std::string& mailbox_prefix,
                           const MailboxUsage& base, const MailboxUsage& delta,
                           std::vector<GroupCommitter::Put>& puts);
  void FinishUsageWrite(const std::string& mailbox_prefix, bool ok);
  // Envelopes and bytes stored in the mailbox, by a scan.
  Result<MailboxUsage> ScanUsage(std::string_view mailbox_prefix);
  // Deletes `keys` of one mailbox (scanned under its delete_mu_ stripe,
  // together `removed`) and updates its usage, through the committer.
  Status CommitDeletes(const std::string& mailbox_prefix, std::vector<GroupCommitter::Put> deletes,
                       const MailboxUsage& removed);
  // Requires the stripe's mutex.
  Result<uint64_t> NextSeqLocked(MailboxStripe& stripe, const std::string& mailbox_prefix,
                                 const MailboxAddress& mailbox);
  class SweepBatch;  // rocks_sweep.cc
  Status SweepEnvelopes(int64_t cutoff_ms, SweepCounts& counts);
  // Deletes the mailbox's envelopes older than the cutoff. Requires the
  // mailbox's delete_mu_ stripe.
  Status SweepMailboxLocked(std::string_view mailbox_prefix, int64_t cutoff_ms,
                            SweepCounts& counts);
  // Databases from before usage records: computes them once (at Open).
  Status BuildMailboxUsage();
  Status SweepByExpiry(Cf family, SweepCounts& counts);
  Status SweepAudit(int64_t cutoff_ms, SweepCounts& counts);
  // Adds the deletion of a blob (record, chunks, indexes) to `batch`.
  Status DeleteBlobInto(rocksdb::WriteBatch& batch, const std::string& blob_id,
                        const v1::BlobRecord& record);

  RocksStoreOptions options_;
  Clock& clock_;
  std::unique_ptr<rocksdb::DB> db_;
  // Writes that failed (any thread), and what CheckWritable() saw last
  // (its thread only).
  std::atomic<uint64_t> write_failures_{0};
  uint64_t checked_write_failures_ = 0;
  uint64_t checked_background_errors_ = 0;
  bool writable_ = true;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::atomic<uint64_t> audit_counter_{0};

  std::mutex account_mu_;          // Serialises CreateAccount (identity key uniqueness).
  StripedMutex<64> user_mu_;       // Per user: devices, prekey pools.
  StripedMutex<64> blob_mu_;       // Per owner: the account's blobs.
  std::mutex link_mu_;             // Invites and links.
  StripedMutex<64> idempotency_mu_;  // Per idempotency key; taken before mailbox stripes.
  std::array<MailboxStripe, kMailboxStripes> mailbox_stripes_;
  // Mailbox prefix -> every seq below it is deleted, so an acknowledgement
  // starts its scan there instead of stepping over the tombstones of the
  // whole acknowledged history. In memory only: after a restart, the first
  // acknowledgement of a mailbox scans from its start once.
  // Appends submitted to committer_ and not yet durable, by idempotency
  // key: a retry that arrives meanwhile waits for the first one's answer.
  struct PendingAppend {
    std::string digest;  // Of the envelopes being committed.
    std::vector<AppendDone> waiters;
  };
  std::mutex pending_mu_;
  std::unordered_map<std::string, std::shared_ptr<PendingAppend>> pending_appends_;  // Guarded.
  // Commits appends (created in Open(); drained and stopped first thing in
  // the destructor, while the database is still open).
  std::unique_ptr<GroupCommitter> committer_;
  // Per mailbox: one deleter at a time (acknowledgements, the sweep), from
  // its scan until its commit, so no envelope is deleted (and subtracted from
  // the mailbox's usage) twice.
  StripedMutex<64> delete_mu_;
  std::mutex ack_floor_mu_;
  std::unordered_map<std::string, uint64_t> ack_floor_;  // Guarded by ack_floor_mu_.
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_STORE_ROCKS_STORE_H_
