// The server's persistent state, behind narrow interfaces (one per record
// kind). Nothing above this header knows which backend is in use: the
// RocksDB implementation is in rocks_store.h; a replicated backend
// (PostgreSQL) would be one more implementation of Store.
//
// Every mutating operation is atomic (all or nothing) and writes its security
// events into the audit log in the same atomic change. An operation that
// returns an error has changed nothing (audit-only operations aside).
//
// Ids are binary std::strings: user ids 16 bytes, hashes 32 bytes.
// Thread-safety: every implementation is safe for concurrent use.
#ifndef SECUREBASE_SERVER_STORE_STORE_H_
#define SECUREBASE_SERVER_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "securebase/v1/messages.pb.h"
#include "securebase/v1/records.pb.h"
#include "server/src/common/status.h"
#include "server/src/store/mailbox_usage.h"

namespace securebase::server {

using UserId = std::string;  // 16 bytes.

struct MailboxAddress {
  UserId user_id;
  uint32_t device_id = 0;
  friend bool operator==(const MailboxAddress&, const MailboxAddress&) = default;
};

// Keys and prekeys of a device being created.
struct NewDeviceKeys {
  std::string device_auth_key;  // 32 bytes.
  v1::SignedPreKey signed_prekey;
  std::vector<v1::OneTimePreKey> one_time_prekeys;
  // AddDevice: the id the device binding names (0: the account's next id)
  // and the binding record, kept with the device (checked by the caller).
  uint32_t device_id = 0;
  std::string device_binding;
};

// How far above an account's next device id a new device's id may be (ids
// stay small; a binding names its id before the device exists).
inline constexpr uint32_t kMaxDeviceIdAhead = 16;

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Creates `account` (user_id, role, identity_key; created_at and
  // next_device_id are set here) with device 1 and its prekeys. When
  // `registration_token_hash` is set, consumes that registration token in the
  // same change. Audits "register".
  // kAlreadyExists: identity key (or user id) taken. kPermissionDenied: the
  // registration token is unknown or expired.
  virtual Status CreateAccount(const v1::AccountRecord& account, const NewDeviceKeys& device,
                               const std::optional<std::string>& registration_token_hash) = 0;

  // kNotFound: no such user.
  virtual Result<v1::AccountRecord> GetAccount(const UserId& user_id) = 0;

  // Adds a device with id device.device_id (0: the account's next id); ids
  // are never reused: the account's next id becomes the new id + 1. Audits
  // "device_added".
  // kNotFound: no such user. kResourceExhausted: `max_devices` reached.
  // kFailedPrecondition: device.device_id is below the account's next id
  // (used before) or kMaxDeviceIdAhead or more above it.
  virtual Result<uint32_t> AddDevice(const UserId& user_id, const NewDeviceKeys& device,
                                     uint32_t max_devices) = 0;
  // Removes a device in one change: its record, prekeys and mailbox
  // (envelopes, usage); its session tokens are kept, marked device_removed,
  // until they expire (so its calls get a clear answer). Audits
  // "device_removed". kNotFound: no such device.
  virtual Status RemoveDevice(const UserId& user_id, uint32_t device_id) = 0;

  // kNotFound: no such device.
  virtual Result<v1::DeviceRecord> GetDevice(const UserId& user_id, uint32_t device_id) = 0;

  // Ascending device id; empty if the user has none (or does not exist).
  virtual Result<std::vector<v1::DeviceRecord>> ListDevices(const UserId& user_id) = 0;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // Stores a session token by hash. Audits "login_ok". When the device
  // already has `max_per_device` unexpired tokens, revokes its oldest ones
  // in the same change (audited "token_revoked", detail "reason=limit"), so
  // a device holds at most that many however often it logs in.
  virtual Status CreateSessionToken(const std::string& token_hash, const v1::TokenRecord& token,
                                    uint32_t max_per_device) = 0;
  // kNotFound: unknown (or revoked) token. Expiry is the caller's check.
  virtual Result<v1::TokenRecord> GetSessionToken(const std::string& token_hash) = 0;
  // Deletes the token. Audits "token_revoked". kNotFound: unknown token.
  virtual Status RevokeSessionToken(const std::string& token_hash) = 0;
  // Stores a one-time therapist registration token by hash. Audits
  // "registration_token_issued".
  virtual Status CreateRegistrationToken(const std::string& token_hash,
                                         const v1::RegistrationTokenRecord& token) = 0;
};

struct ClaimedBundle {
  uint32_t device_id = 0;
  v1::SignedPreKey signed_prekey;
  std::optional<v1::OneTimePreKey> one_time_prekey;  // Unset: pool was empty.
  std::string device_binding;                        // Empty: none uploaded.
};

struct ClaimedBundles {
  v1::AccountRecord account;
  std::vector<ClaimedBundle> devices;  // Ascending device id.
};

class PreKeyStore {
 public:
  virtual ~PreKeyStore() = default;

  // Replaces the device's signed prekey (when set) and adds one-time
  // prekeys. Returns the pool size afterwards. Audits "prekeys_uploaded".
  // kNotFound: no such device. kInvalidArgument: a key id already in the
  // pool. kResourceExhausted: the pool would exceed `max_pool`.
  virtual Result<uint32_t> UploadPreKeys(const MailboxAddress& device,
                                         const std::optional<v1::SignedPreKey>& signed_prekey,
                                         const std::vector<v1::OneTimePreKey>& one_time_prekeys,
                                         uint32_t max_pool) = 0;

  virtual Result<uint32_t> CountPreKeys(const MailboxAddress& device) = 0;

  // Replaces the device's binding record (checked by the caller). kNotFound:
  // no such device.
  virtual Status SetDeviceBinding(const MailboxAddress& device, const std::string& binding) = 0;

  // Atomically removes and returns one one-time prekey (the lowest id) of
  // every device of `user_id`: no key is ever returned twice, even to
  // concurrent callers. Audits "prekeys_exhausted" for each pool this empties.
  // kNotFound: no such user.
  virtual Result<ClaimedBundles> ClaimPreKeyBundles(const UserId& user_id) = 0;
};

struct RedeemedInvite {
  v1::LinkRecord link;  // The therapist, as seen by the client.
  std::string sealed_profile;
};

class LinkStore {
 public:
  virtual ~LinkStore() = default;

  // Stores an invite by the hash of its secret. Audits "invite_created".
  // kResourceExhausted: the therapist already has `max_outstanding`
  // unexpired invites.
  virtual Status CreateInvite(const std::string& secret_hash, const v1::InviteRecord& invite,
                              uint32_t max_outstanding) = 0;

  // Deletes the invite and links client and therapist, in one change.
  // Audits "invite_redeemed".
  // kNotFound: unknown, expired or used invite (one answer for all).
  // kFailedPrecondition: already linked (the invite stays).
  virtual Result<RedeemedInvite> RedeemInvite(const std::string& secret_hash,
                                              const v1::AccountRecord& client) = 0;

  // kNotFound: no active link.
  virtual Result<v1::LinkRecord> GetLink(const UserId& user_id, const UserId& peer_id) = 0;
  virtual Result<std::vector<v1::LinkRecord>> ListLinks(const UserId& user_id) = 0;

  // Ends the link in both directions. Audits "link_ended". kNotFound: no link.
  virtual Status EndLink(const UserId& user_id, const UserId& peer_id) = 0;
};

struct OutgoingEnvelope {
  MailboxAddress recipient;
  std::string ciphertext;
};

struct AppendResult {
  int64_t server_timestamp_unix_ms = 0;
  bool duplicate = false;  // A retry: nothing was stored now.
  std::vector<std::pair<MailboxAddress, uint64_t>> assigned;  // Empty for a duplicate.
};

struct StoredEnvelope {
  uint64_t seq = 0;
  v1::EnvelopeRecord record;
};

struct MailboxPage {
  std::vector<StoredEnvelope> envelopes;  // Ascending seq.
  bool more = false;
};

// Most a mailbox may hold (0: no limit). Undelivered envelopes count until
// they are acknowledged or expire.
struct MailboxQuota {
  uint64_t max_envelopes = 0;
  uint64_t max_bytes = 0;  // Stored bytes (ciphertext plus ~40 bytes per envelope).
};

class MailboxStore {
 public:
  virtual ~MailboxStore() = default;

  // The answer a previous send with this idempotency key got, if any.
  // kFailedPrecondition: the key was used for different `envelopes` (other
  // recipients or ciphertexts): a reused message id, not a retry.
  virtual Result<std::optional<int64_t>> FindIdempotent(
      const MailboxAddress& sender, const std::string& client_message_id,
      const std::vector<OutgoingEnvelope>& envelopes) = 0;

  // Appends one envelope per recipient mailbox and records the idempotency
  // key, atomically and durably (synced when the store is configured so).
  // Within a mailbox, seqs are strictly increasing, never reused, and a seq
  // is readable only once every lower seq is. If the key was already used
  // (or is being committed) for the same envelopes, stores nothing and
  // answers with the first answer and duplicate = true; for different
  // envelopes, kFailedPrecondition (nothing stored). kResourceExhausted
  // (nothing stored): a recipient mailbox would hold more than `quota`
  // (counting appends still being committed). Returns at once; `done` runs
  // exactly once, on this thread or on the store's commit thread, when the
  // envelopes are durable (or the append failed). `done` may call into the
  // store.
  using AppendDone = std::function<void(Result<AppendResult>)>;
  virtual void AppendEnvelopesAsync(const MailboxAddress& sender,
                                    const std::string& client_message_id,
                                    const std::vector<OutgoingEnvelope>& envelopes,
                                    int64_t server_timestamp_unix_ms, const MailboxQuota& quota,
                                    AppendDone done) = 0;

  // AppendEnvelopesAsync, waiting for the answer.
  Result<AppendResult> AppendEnvelopes(const MailboxAddress& sender,
                                       const std::string& client_message_id,
                                       const std::vector<OutgoingEnvelope>& envelopes,
                                       int64_t server_timestamp_unix_ms,
                                       const MailboxQuota& quota = {}) {
    std::promise<Result<AppendResult>> answer;
    std::future<Result<AppendResult>> future = answer.get_future();
    AppendEnvelopesAsync(
        sender, client_message_id, envelopes, server_timestamp_unix_ms, quota,
        [&answer](Result<AppendResult> result) { answer.set_value(std::move(result)); });
    return future.get();
  }

  // How many envelopes and stored bytes the mailbox holds (committed).
  virtual Result<MailboxUsage> GetMailboxUsage(const MailboxAddress& mailbox) = 0;

  // Envelopes with seq > after_seq, at most max_count and about max_bytes of
  // ciphertext (always at least one if any is waiting).
  virtual Result<MailboxPage> ReadMailbox(const MailboxAddress& mailbox, uint64_t after_seq,
                                          uint32_t max_count, size_t max_bytes) = 0;

  // Deletes envelopes with after_seq < seq <= up_to_seq (nothing when
  // up_to_seq <= after_seq). Returns how many it deleted.
  virtual Result<uint32_t> DeleteEnvelopes(const MailboxAddress& mailbox, uint64_t after_seq,
                                           uint64_t up_to_seq) = 0;
};

// Blobs are stored in chunks of this size (the last one shorter): a PutBlob
// piece is exactly one chunk, so every resume offset is a chunk boundary.
inline constexpr size_t kBlobChunkSize = 65536;
inline constexpr size_t kBlobIdSize = 16;

struct BlobQuota {
  uint64_t max_blob_bytes = 0;     // One blob's total size.
  uint64_t max_account_bytes = 0;  // All of an account's blobs (declared sizes).
  uint32_t max_account_blobs = 0;  // How many an account holds.
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Creates an empty blob (stored_size 0) owned by record.owner_user_id.
  // The account's blobs count with their declared total_size at once.
  // kResourceExhausted: a quota. kAlreadyExists: id or capability taken.
  virtual Status CreateBlob(const std::string& blob_id, const v1::BlobRecord& record,
                            const BlobQuota& quota) = 0;
  // kNotFound: no such blob (or expired).
  virtual Result<v1::BlobRecord> GetBlobRecord(const std::string& blob_id) = 0;
  // The blob named by a read capability's hash. kNotFound: none.
  virtual Result<std::string> FindBlobByCapability(const std::string& capability_hash) = 0;
  // Appends the chunk at `offset` (= the stored size, a chunk boundary;
  // exactly kBlobChunkSize bytes unless it completes the blob). When it
  // completes a backup, the owner's other complete backups are deleted in
  // the same change. Returns the record after. kNotFound: no such blob or not
  // `owner`'s. kFailedPrecondition: complete already, or `offset` is not the
  // stored size. kInvalidArgument: wrong chunk length, beyond total_size.
  virtual Result<v1::BlobRecord> AppendBlobChunk(const std::string& blob_id,
                                                 const UserId& owner, uint64_t offset,
                                                 const std::string& data, bool sync) = 0;
  // The chunk starting at `offset` (a chunk boundary). kNotFound: none.
  virtual Result<std::string> ReadBlobChunk(const std::string& blob_id, uint64_t offset) = 0;
  // Deletes the blob and its chunks. kNotFound: no such blob or not `owner`'s.
  virtual Status DeleteBlob(const std::string& blob_id, const UserId& owner) = 0;
  // The owner's blobs (ids), oldest first.
  virtual Result<std::vector<std::pair<std::string, v1::BlobRecord>>> ListBlobs(
      const UserId& owner) = 0;
  // Deletes blobs whose expiry is at or before `now_ms`, at most `max`.
  // Returns how many.
  virtual Result<uint64_t> SweepBlobs(int64_t now_ms, uint32_t max) = 0;
};

struct SweepCounts {
  uint64_t envelopes = 0;
  uint64_t idempotency = 0;
  uint64_t invites = 0;
  uint64_t tokens = 0;
  uint64_t registration_tokens = 0;
  uint64_t audit = 0;
};

struct AuditPage {
  std::vector<v1::AuditRecord> records;
  std::string next_key;  // Empty: no more.
};

struct StoreStats {
  std::vector<std::pair<std::string, uint64_t>> counts;  // Record kind -> count.
  uint64_t disk_bytes = 0;  // Every file in the database directory.
  uint64_t sst_bytes = 0;   // Live table files.
};

class AdminStore {
 public:
  virtual ~AdminStore() = default;
  // Appends a security event on its own (e.g. a failed login, which changes
  // nothing else). time_unix_ms is set here when 0.
  virtual Status AppendAudit(v1::AuditRecord record) = 0;
  virtual Result<AuditPage> ReadAudit(const std::string& after_key, uint32_t limit) = 0;
  // Removes envelopes and idempotency records older than `retention_ms`
  // before now, audit records older than `audit_retention_ms`, and expired
  // invites, session and registration tokens. Deletes in bounded batches.
  virtual Result<SweepCounts> Sweep(int64_t retention_ms, int64_t audit_retention_ms) = 0;
  virtual Result<StoreStats> Stats() = 0;
  // Flushes memtables and compacts every column family down to the bottom
  // level (drops overwritten and deleted records). Blocks until done.
  virtual Status Compact() = 0;
  // A consistent copy of the store in `to_dir` (which must not exist or be
  // empty), usable as a data dir's database.
  virtual Status Backup(const std::string& to_dir) = 0;
  // Whether the store can write. Cheap (no I/O) while no write has failed
  // since the last successful check; otherwise tries to recover (for
  // RocksDB: Resume(), which clears a background error whose cause is gone,
  // e.g. a disk that is no longer full) and proves it with a small synced
  // write. Call from one thread (the server's monitor). The error when
  // writes still fail.
  virtual Status CheckWritable() = 0;
};

class Store : public AccountStore,
              public TokenStore,
              public PreKeyStore,
              public LinkStore,
              public MailboxStore,
              public BlobStore,
              public AdminStore {};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_STORE_STORE_H_
