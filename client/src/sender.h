// Sending: encrypting to every device of a peer (and our own other devices),
// the outbox, fan-out and device-list repair. Private to client/.
//
// Order of effects (DESIGN.md, "Delivery" and crash safety): encrypt (which
// advances sending chains) and commit the sessions, the outbox entry and the
// history item in one vault transaction; then send; remove the entry once the
// server has it. A crash after the commit resends the same ciphertexts with
// the same client message id, which the server stores once.
#ifndef SECUREBASE_CLIENT_SRC_SENDER_H_
#define SECUREBASE_CLIENT_SRC_SENDER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client_core.h"
#include "securebase/client/content.h"

namespace securebase::client {

// What the server is sent for an outbox entry.
SendRequest RequestFor(const records::OutboxEntry& entry);

class Sender {
 public:
  explicit Sender(ClientCore& core) : core_(core) {}

  // Encrypts `body` for `peer_user_id`'s devices and ours, commits it (and,
  // with `record_history`, an outgoing history item), then sends it. The
  // errors of Client::Send.
  Result<std::string> Send(const std::string& peer_user_id, const ContentBody& body,
                           bool record_history);

  // Queues `body` (a receipt) for `peer` in the outbox of `stores`'
  // transaction, encrypted on the sessions as that transaction holds them:
  // no network, so it rides in another commit. Held (plaintext only) while
  // the peer's sends are held. Returns the outbox index, or nullopt, with
  // nothing written, when it cannot be queued this way (no known device, a
  // session that will not encrypt): Send() can still send it.
  std::optional<uint64_t> Queue(Stores& stores, const records::Contact& peer,
                                const records::Contact& self, const ContentBody& body,
                                records::OutboxEntry* entry);

  // Sends every queued entry that is not held (encrypting held ones whose
  // contact was trusted meanwhile). Counts the ones the server accepted.
  // kUnavailable stops it (the rest stay queued).
  Status FlushOutbox(uint32_t* sent);

  // Sends one outbox entry, repairing the device list when the server says it
  // is out of date, and removes it once the server has it. Refused for good
  // (e.g. the link ended): removed and its history item marked failed. With
  // `sent_receipts`, a receipt's entry (no history item) is not removed but
  // its index appended, for the caller to remove with a later commit; until
  // then a crash only sends it again under the same client message id.
  Status Deliver(uint64_t index, records::OutboxEntry entry,
                 std::vector<uint64_t>* sent_receipts = nullptr);

  // Sends receipts of `type` for the message ids (hex) of each user, in
  // chunks a receipt can hold. Only kUnavailable is reported: an ended link
  // or an untrusted key change is not worth a fuss for a receipt.
  Status SendReceipts(const std::map<std::string, std::vector<std::string>>& ids, ReceiptType type);
  // Sends the delivered receipts a page could not queue in the outbox, then
  // clears them.
  Status SendPendingReceipts();

 private:
  struct Bundles;
  // Fetches `user_id`'s bundles and records the identity key the server
  // states (a change drops the old sessions and may hold sends).
  Result<Bundles> FetchBundles(const std::string& user_id);
  // Whether sends to `peer` are held (SendsHeld): the contact's record says
  // so, or, when no device of theirs is known yet, the bundles fetched into
  // `bundles` reveal a key change that holds them.
  Result<bool> SendsHeldNow(const records::Contact& peer, std::optional<Bundles>& bundles);
  // Encrypts the entry's content to `targets` (the peer's devices, then ours)
  // inside `stores`' transaction, adding the ciphertexts to `entry` and the
  // devices to the contacts; all or nothing.
  Status EncryptTo(Stores& stores, const std::vector<crypto::DeviceAddress>& targets,
                   const Bundles* bundles, records::OutboxEntry& entry);
  // The peer's known devices (or the fetched ones) and our own.
  Result<std::vector<crypto::DeviceAddress>> Targets(const records::Contact& peer,
                                                     const records::Contact& self,
                                                     const Bundles* bundles) const;
  Status RepairDevices(uint64_t index, records::OutboxEntry& entry, const DeviceMismatch& mismatch);

  ClientCore& core_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_SENDER_H_
