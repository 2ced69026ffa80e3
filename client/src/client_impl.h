// The implementation of Client. Private to client/; split by concern:
//   client_open.cc      Create/Open, account, prekeys
//   client_contacts.cc  invites, contacts, verification, links, availability
//   client_send.cc      sessions and the outbox (encrypt, commit, send)
//   client_sync.cc      fetch/subscribe, decrypt, commit, acknowledge, history
#ifndef SECUREBASE_CLIENT_SRC_CLIENT_IMPL_H_
#define SECUREBASE_CLIENT_SRC_CLIENT_IMPL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/src/vault_records.pb.h"
#include "connection.h"
#include "securebase/client/client.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/session.h"
#include "securebase/v1/content.pb.h"
#include "vault.h"

namespace securebase::client {

// Vault record names (only ever hashed on disk).
inline constexpr std::string_view kAccountRecord = "account";
inline constexpr std::string_view kContactsRecord = "contacts";
inline constexpr std::string_view kSelfRecord = "self";
inline constexpr std::string_view kTokenRecord = "token";
inline constexpr std::string_view kCursorRecord = "cursor";
inline constexpr std::string_view kOutboxList = "outbox";
inline constexpr std::string_view kPendingReceiptsRecord = "pending-receipts";
std::string SignedPreKeyName(uint32_t id);
std::string OneTimePreKeyName(uint32_t id);
std::string SessionName(std::string_view user_id, uint32_t device_id);
std::string HistoryListName(std::string_view user_id);
std::string MessageLocationName(std::string_view message_id);
// Forgets the current and the previous session with one device.
void DeleteSessions(VaultTransaction& txn, std::string_view user_id, uint32_t device_id);
// The index after the last outbox entry (1 when the outbox is empty), entries
// deleted within `txn` not counted.
Result<uint64_t> NextOutboxIndex(VaultTransaction& txn);

// Loads and parses a protobuf record; nullopt when absent.
template <typename Proto>
Result<std::optional<Proto>> LoadRecord(VaultTransaction& txn, std::string_view name);
void StoreRecord(VaultTransaction& txn, std::string_view name,
                 const google::protobuf::MessageLite& message);
void StoreItem(VaultTransaction& txn, std::string_view list, uint64_t index,
               const google::protobuf::MessageLite& message);

// One device we send to: a user id (raw 16 bytes) and a device id.
struct DeviceTarget {
  std::string user_id;
  uint32_t device_id = 0;
  friend bool operator<(const DeviceTarget& a, const DeviceTarget& b) {
    return std::tie(a.user_id, a.device_id) < std::tie(b.user_id, b.device_id);
  }
};

class ClientImpl final : public Client {
 public:
  ClientImpl(ClientOptions options, std::unique_ptr<Vault> vault,
             std::unique_ptr<Connection> connection, records::Account account,
             crypto::IdentityKeyPair identity, crypto::DeviceAuthKeyPair device_key,
             std::string saved_token);

  static Result<std::unique_ptr<Client>> CreateNew(const ClientOptions& options,
                                                   std::string_view passphrase, Role role,
                                                   std::string_view display_name,
                                                   std::string_view registration_token);
  static Result<std::unique_ptr<Client>> OpenExisting(const ClientOptions& options,
                                                      std::string_view passphrase);

  Role role() const override;
  std::string user_id() const override;
  std::string display_name() const override { return account_.display_name(); }

  Result<std::string> CreateInvite(std::chrono::hours expires_in) override;
  Result<Contact> AcceptInvite(std::string_view code) override;
  Result<std::vector<Contact>> Contacts() override;
  Result<Contact> FindContact(std::string_view peer) override;
  Result<std::string> SendText(std::string_view peer, std::string_view text,
                               std::string_view reply_to) override;
  Result<std::string> SendCheckIn(std::string_view peer, const CheckIn& check_in) override;
  Result<std::string> SendReflection(std::string_view peer, const Reflection& reflection) override;
  Result<std::string> AssignExercise(std::string_view peer, const Exercise& exercise) override;
  Status SetAvailability(const Availability& availability) override;
  Result<SyncResult> Sync() override;
  Status Watch(const std::function<void(const HistoryItem&)>& on_item,
               const std::atomic<bool>& stop,
               const std::function<void(const std::string&)>& on_warning) override;
  Result<std::vector<HistoryItem>> History(std::string_view peer) override;
  Status MarkRead(std::string_view peer) override;
  Result<std::string> ExportJson() override;
  Result<std::string> SafetyNumber(std::string_view peer) override;
  Status Verify(std::string_view peer) override;
  Status Trust(std::string_view peer) override;
  Status EndLink(std::string_view peer) override;

  // Keeps this client's vault locked and open until the result is destroyed,
  // across several calls (benchmark setup: many sends, one open).
  Result<VaultHold> HoldVaultForTesting() { return vault_->Hold(); }

 private:
  // --- contacts (client_contacts.cc)
  // Resolves a display name or hex user id to a contact's raw user id.
  Result<std::string> ResolvePeer(std::string_view peer);
  Status UpdateContact(const std::string& user_id,
                       const std::function<Status(records::Contact&)>& change);
  // Brings contacts in line with the server's link list: adds newly linked
  // users, marks ended links (and re-made ones).
  Status RefreshLinks();

  // --- sending (client_send.cc)
  // Encrypts `body` for every device of the peer and our other devices,
  // commits sessions + outbox (+ history if record_history), then sends.
  Result<std::string> SendBody(const std::string& peer_user_id, const ContentBody& body,
                               bool record_history);
  // Sends every queued, non-held outbox entry. Counts successes.
  Status FlushOutbox(uint32_t* sent);
  // Sends one outbox entry and removes it once the server has it. With
  // `sent_receipts`, a receipt's entry (no history item) is not removed but
  // its index appended, for the caller to remove with a later commit; until
  // then a crash only sends it again under the same client message id, which
  // the server stores once.
  Status DeliverOutboxEntry(uint64_t index, records::OutboxEntry entry,
                            std::vector<uint64_t>* sent_receipts = nullptr);
  // Queues `body` for `peer` as outbox entry `index` inside `txn`, encrypted
  // on the sessions as `txn` holds them (the peer's known devices and our
  // other devices, `self`); no network, so it can ride in another commit.
  // Held (plaintext only) while a verified peer's key change is not trusted.
  // Returns false, with nothing written, when it cannot be queued this way (no
  // known device, a session that does not load or encrypt, content that does
  // not validate); SendBody can still send it. On true, *entry is what was stored.
  bool QueueInTransaction(VaultTransaction& txn, const records::Contact& peer,
                          const records::Contact& self, const ContentBody& body, uint64_t index,
                          records::OutboxEntry* entry);
  // Fetches bundles of `user_id` and starts sessions with the listed devices
  // (all devices when `only` is empty), inside `txn`'s commit. Checks the
  // identity key against the contact's pinned one.
  struct FetchedBundles;
  Result<FetchedBundles> FetchBundles(const std::string& user_id);
  Status EncryptFor(VaultTransaction& txn, const std::vector<DeviceTarget>& targets,
                    const FetchedBundles* bundles, const std::string& plaintext,
                    records::OutboxEntry& entry, std::vector<uint32_t>* new_devices);

  // --- receiving (client_sync.cc)
  struct PageOutcome;
  // Decrypts and commits one page. The outbox entries listed in
  // `remove_from_outbox` (receipts already sent) are deleted in the same commit.
  Result<PageOutcome> ProcessEnvelopes(const std::vector<v1::Envelope>& envelopes,
                                       const std::vector<uint64_t>& remove_from_outbox);
  // Sync() within its vault hold; indexes of receipts sent but still in the
  // outbox are appended to `sent_receipts` (see DeliverOutboxEntry).
  Result<SyncResult> SyncPages(std::vector<uint64_t>& sent_receipts);
  // Sends the receipts a page queued (after its acknowledgement).
  void SendQueuedReceipts(std::vector<std::pair<uint64_t, records::OutboxEntry>>& queued,
                          std::vector<uint64_t>* sent_receipts);
  Status SendReceipts(const std::map<std::string, std::vector<std::string>>& ids,
                      ReceiptType type);
  // Sends the delivered receipts that ProcessEnvelopes could not queue in the
  // outbox (and those an older version of the library left), then clears them.
  Status SendPendingReceipts();
  Status Acknowledge(uint64_t up_to_seq);
  Status ReplenishPreKeys();
  void PersistTokenIfChanged();

  ClientOptions options_;
  std::unique_ptr<Vault> vault_;
  std::unique_ptr<Connection> connection_;
  records::Account account_;
  crypto::IdentityKeyPair identity_;
  crypto::DeviceAuthKeyPair device_key_;
  std::string saved_token_;
};

// The stored contact for `user_id`, or our own device list when it is
// `own_user_id`. kNotFound for an unknown contact.
Result<records::Contact> LoadPeer(VaultTransaction& txn, const std::string& own_user_id,
                                  const std::string& user_id);
Status StorePeer(VaultTransaction& txn, const std::string& own_user_id,
                 const records::Contact& peer);
// Moves an outgoing history item's delivery state forward. With
// `expected_peer`, only if the item belongs to that conversation.
void SetHistoryState(VaultTransaction& txn, const std::string& message_id, DeliveryState state,
                     const std::string* expected_peer);

// Public Contact view of a stored contact.
Contact ToPublicContact(const records::Contact& record);
// Public history item of a stored entry.
HistoryItem ToHistoryItem(const records::HistoryEntry& entry, const std::string& peer_user_id);

template <typename Proto>
Result<std::optional<Proto>> LoadRecord(VaultTransaction& txn, std::string_view name) {
  SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> bytes, txn.Get(name));
  if (!bytes) return std::optional<Proto>();
  Proto message;
  if (!message.ParseFromArray(bytes->data(), static_cast<int>(bytes->size()))) {
    return Status(ErrorCode::kVaultCorrupted, "a vault record does not parse");
  }
  return std::optional<Proto>(std::move(message));
}

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CLIENT_IMPL_H_
