// The SecureBase client library: what the apps (and the `securebase` CLI) use.
//
// A Client owns one device's vault under `home`: its identity and device
// keys, prekeys, sessions, contacts and history, all sealed under a vault key
// that the passphrase unwraps (Argon2id). Every network action follows the
// crash-safety rules of DESIGN.md:
//   - receiving: decrypt, then commit the advanced session state and the
//     content in one atomic, synced vault write, then acknowledge;
//   - sending: encrypt (advancing the sending chains), commit the sessions and
//     the outgoing ciphertexts (the outbox) in one write, then send; the outbox
//     is retried with the same client message id until the server accepts it.
// So a crash at any point loses nothing, shows nothing twice, and never reuses
// a message key.
//
// Several processes may use the same home at once (ClientOptions::
// vault_access kPerCall, the default): the vault is locked at most for the
// duration of one call (a Sync or a send holds it throughout; Watch only while
// it handles what arrived, not while it waits); other processes wait, up to
// ClientOptions::lock_timeout. With kExclusive the vault stays open and
// locked for the Client's lifetime.
//
// Thread-safety: a Client is not thread-safe; use one per thread, or guard it
// (a GUI runs its calls on one worker thread). Watch() watches its `stop`
// flag, which any thread or a signal handler may set.
//
// Errors: every call returns a Status or Result (status.h), never throws.
// kUnavailable always means "nothing was lost; retry later".
#ifndef SECUREBASE_CLIENT_CLIENT_H_
#define SECUREBASE_CLIENT_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "securebase/client/content.h"
#include "securebase/client/export.h"
#include "securebase/client/options.h"
#include "securebase/client/role.h"
#include "securebase/client/status.h"

namespace securebase::client {

struct Contact {
  std::string user_id;       // Hex.
  std::string display_name;  // Empty until the peer's profile arrives.
  Role role = Role::kClient;
  bool linked = true;             // False after either side ended the link.
  bool verified = false;          // Safety number confirmed with Verify().
  bool identity_changed = false;  // Key changed since last Trust/Verify.
  bool sends_held = false;        // Verified contact changed key: sends wait for Trust().
  std::optional<Availability> availability;  // A therapist's notice.
};

enum class Direction { kIncoming, kOutgoing };
// Outgoing: kQueued (in the outbox) -> kSent (server accepted) -> kDelivered ->
// kRead (receipts), or kFailed (the server refused it for good, e.g. the link
// ended). Incoming: kDelivered, then kRead once MarkRead() was called.
enum class DeliveryState { kQueued, kSent, kDelivered, kRead, kFailed };

struct HistoryItem {
  std::string message_id;  // Hex, from the sender.
  std::string peer_user_id;
  Direction direction = Direction::kIncoming;
  std::string sender_user_id;
  uint32_t sender_device_id = 0;
  int64_t sent_at_unix_ms = 0;      // Sender's clock.
  int64_t received_at_unix_ms = 0;  // For incoming items: when this device stored it.
  DeliveryState state =
      DeliveryState::kSent;  // Outgoing: receipts seen. Incoming: kDelivered/kRead.
  ContentBody content;
};

// Receipts that arrived: the items of ours with these ids in the
// conversation with `peer_user_id` are now at least in `state` (kDelivered or
// kRead; states never move back). Ids the conversation does not hold are
// ignored by the library and should be by the app.
struct DeliveryUpdate {
  std::string peer_user_id;              // Hex.
  std::vector<std::string> message_ids;  // Hex.
  DeliveryState state = DeliveryState::kDelivered;
};

// What a sync brought in.
struct SyncResult {
  std::vector<HistoryItem> new_items;  // In arrival order; receipts are folded into states.
  uint32_t envelopes = 0;              // Envelopes processed.
  uint32_t outbox_sent = 0;            // Queued sends delivered to the server now.
  std::vector<std::string> warnings;   // e.g. "Dr. Rivera's safety number has changed".
  // The receipts among what arrived, in arrival order.
  std::vector<DeliveryUpdate> delivery_updates;
  // Contacts (user ids, hex) whose name or availability notice arrived.
  std::vector<std::string> changed_contacts;
};

// What Watch reports, as it happens. Every callback is optional and runs on
// the thread that called Watch, never while the vault is held.
struct WatchCallbacks {
  // Each new item, in arrival order.
  std::function<void(const HistoryItem&)> on_item;
  // Each warning, such as a changed safety number.
  std::function<void(const std::string&)> on_warning;
  // Receipts: delivery states of items already shown moved forward.
  std::function<void(const DeliveryUpdate&)> on_delivery;
  // A contact's profile arrived (its name, a therapist's availability
  // notice): read it again with FindContact. Argument: the user id (hex).
  std::function<void(const std::string&)> on_contact_changed;
  // The server registered the subscription: everything stored before it was
  // handed over (the first Sync), and what arrives from now on comes at once.
  // Called after each (re)subscription; a refused one ends Watch instead,
  // possibly right after this was called.
  std::function<void()> on_live;
  // The server could not be reached or ended the stream: Watch pauses and
  // tries again (on_live follows once it is back). Argument: why, and when
  // the next try is, for display. When unset, this is reported through
  // on_warning instead.
  std::function<void(const std::string&)> on_offline;
};

// What a contact list shows of one contact, read without decoding its whole
// history: the contact and its conversation's unread items and last item.
struct ConversationSummary {
  // Unread items are counted back from the newest item, at most this many
  // items deep, so a summary costs at most this many vault reads.
  static constexpr uint64_t kUnreadCountLimit = 1000;

  Contact contact;
  uint64_t items = 0;  // Items in the conversation.
  // Incoming items MarkRead() has not marked read yet (unreadable items,
  // which it never marks, are not counted).
  uint64_t unread = 0;
  // Counting stopped at kUnreadCountLimit items: there are at least `unread`.
  bool unread_capped = false;
  std::optional<HistoryItem> last_item;  // The newest item (the last activity).
};

// A window of a conversation by position: its items are numbered from 0 (the
// oldest) in the order they were stored. The default is the whole history.
struct HistoryRange {
  uint64_t before = UINT64_MAX;  // Only items at positions below this.
  uint64_t limit = UINT64_MAX;   // At most this many: the newest of them.
};

struct HistoryPage {
  std::vector<HistoryItem> items;  // Oldest first.
  uint64_t first_position = 0;     // items.front()'s; pass as `before` for the page before.
  uint64_t total = 0;              // Items in the whole conversation.
};

// True when `home` holds a vault (Open() may then still answer
// kWrongPassphrase or kVaultCorrupted); reads nothing but the directory.
SECUREBASE_EXPORT bool VaultExists(std::string_view home);

class SECUREBASE_EXPORT Client {
 public:
  // Creates a new vault under options.home and registers a new account with
  // the server. kAlreadyExists if a vault is there; kInvalidArgument for an
  // empty name or passphrase; kPermissionDenied if therapist registration
  // needs a token and `registration_token` is missing or wrong; kUnavailable
  // if the server is unreachable (nothing is left behind then).
  static Result<std::unique_ptr<Client>> Create(const ClientOptions& options,
                                                std::string_view passphrase, Role role,
                                                std::string_view display_name,
                                                std::string_view registration_token = {});

  // Opens an existing vault (vaults written by every earlier version open).
  // kNotFound if there is none; kWrongPassphrase; kVaultCorrupted if it is
  // damaged; kVaultBusy if another process kept it locked.
  static Result<std::unique_ptr<Client>> Open(const ClientOptions& options,
                                              std::string_view passphrase);

  virtual ~Client() = default;

  // A second Client on this one's home, for a second thread (an app's live
  // Watch beside its worker), without the passphrase: it shares this
  // Client's unwrapped vault key instead of unwrapping it again (Argon2id),
  // and opens its own server connection. Either may be destroyed first.
  // kFailedPrecondition unless options.vault_access is kPerCall (two
  // exclusive Clients would wait for each other). The options' injected
  // seams are shared: each must then be safe to use from both threads.
  virtual Result<std::unique_ptr<Client>> OpenAnother() = 0;

  virtual Role role() const = 0;
  virtual std::string user_id() const = 0;  // Hex.
  virtual std::string display_name() const = 0;

  // Therapist: a one-time invite code for a client. It carries a pin of the
  // therapist's identity key and the key to the therapist's sealed profile.
  virtual Result<std::string> CreateInvite(std::chrono::hours expires_in) = 0;
  // Client: redeems an invite code, checks the pinned key, opens a session and
  // sends the client's profile. kInvalidInvite for a malformed code or a key
  // that does not match the pin; kNotFound for an unknown/expired/used invite.
  virtual Result<Contact> AcceptInvite(std::string_view code) = 0;

  virtual Result<std::vector<Contact>> Contacts() = 0;
  // `peer` is a display name or a user id (hex). kNotFound, or
  // kInvalidArgument when a display name is ambiguous.
  virtual Result<Contact> FindContact(std::string_view peer) = 0;

  // Sends any content a person writes (text, check-in, reflection, and for
  // therapists an exercise) to `peer`; returns the new message's id (hex).
  // The content is validated first, exactly as on receipt (kInvalidArgument
  // naming the field). kPermissionDenied for content this account's role may
  // not send; kInvalidArgument for content the library sends itself
  // (receipts, profiles, availability: see SetAvailability).
  // kFailedPrecondition when the care link has ended. kIdentityChanged: held
  // until Trust(peer); the message is kept in the outbox and sent then.
  // kUnavailable: queued in the outbox; the next Sync() sends it.
  virtual Result<std::string> Send(std::string_view peer, const ContentBody& content) = 0;

  // Typed shorthands for Send().
  Result<std::string> SendText(std::string_view peer, std::string_view text,
                               std::string_view reply_to = {});
  Result<std::string> SendCheckIn(std::string_view peer, const CheckIn& check_in);
  Result<std::string> SendReflection(std::string_view peer, const Reflection& reflection);
  // Therapist only (kPermissionDenied otherwise).
  Result<std::string> AssignExercise(std::string_view peer, const Exercise& exercise);

  // Therapist only: stored in the profile and sent to every linked client.
  virtual Status SetAvailability(const Availability& availability) = 0;
  // The notice SetAvailability last stored; nullopt when none was set
  // (always for a client).
  virtual std::optional<Availability> OwnAvailability() const = 0;

  // Sends queued outbox entries, then fetches, decrypts, stores and
  // acknowledges everything waiting, and sends delivered receipts.
  virtual Result<SyncResult> Sync() = 0;
  // Like Sync, then stays subscribed and calls `on_item` for every new item
  // (and `on_warning`, if given, for every warning such as a changed safety
  // number) until `stop` becomes true (then OK, within ~50 ms). What arrives
  // together is stored in one commit and acknowledged at once. When the
  // server cannot be reached it warns ("...; trying again in 1.2 s") and
  // tries again, syncing first, after pauses that grow to 30 s with jitter.
  // It returns an error only for what trying again cannot fix, e.g.
  // kResourceExhausted (too many live subscriptions for this device),
  // kFailedPrecondition (another subscription of this device replaced this
  // one), kUnauthenticated (this device's login is refused), vault errors.
  virtual Status Watch(const std::function<void(const HistoryItem&)>& on_item,
                       const std::atomic<bool>& stop,
                       const std::function<void(const std::string&)>& on_warning = nullptr) = 0;

  // Watch with every kind of report (see WatchCallbacks); the same contract
  // as the Watch above, which is this with on_item and on_warning only.
  virtual Status Watch(const WatchCallbacks& callbacks, const std::atomic<bool>& stop) = 0;

  // All items with a contact, oldest first.
  virtual Result<std::vector<HistoryItem>> History(std::string_view peer) = 0;
  // The items of `range` (the newest page: {.limit = n}); decodes only those.
  // kNotFound / kInvalidArgument for `peer` as FindContact.
  virtual Result<HistoryPage> History(std::string_view peer, const HistoryRange& range) = 0;
  // Every contact with its conversation's summary, in Contacts() order, in
  // one vault transaction. Costs one vault read per item after the last one
  // marked read (at most ConversationSummary::kUnreadCountLimit) per contact.
  virtual Result<std::vector<ConversationSummary>> ConversationSummaries() = 0;
  // Marks the contact's incoming items as read and sends read receipts.
  virtual Status MarkRead(std::string_view peer) = 0;
  // Every contact's history, as a JSON document (see docs/CLIENT.md).
  virtual Result<std::string> ExportJson() = 0;

  // 60 digits in 12 groups; the same on both sides.
  virtual Result<std::string> SafetyNumber(std::string_view peer) = 0;
  // The user compared safety numbers: mark verified (and clear a change).
  virtual Status Verify(std::string_view peer) = 0;
  // Accept a contact's changed key; held sends go out at the next Sync().
  virtual Status Trust(std::string_view peer) = 0;
  // Ends the care link (either side). The history stays in the vault.
  virtual Status EndLink(std::string_view peer) = 0;
};

// JSON renderings used by the CLI and the C API (stable; see docs/CLIENT.md).
SECUREBASE_EXPORT std::string ContactToJson(const Contact& contact);
SECUREBASE_EXPORT std::string HistoryItemToJson(const HistoryItem& item);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_CLIENT_H_
