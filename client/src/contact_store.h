// Contacts and this account's own device list, over one vault transaction,
// and crypto's IdentityStore on top of them: what the client knows about
// each peer's identity key and whether it trusts it. Private to client/.
//
// Records: "contacts" (every contact) and "self" (our own devices). Both are
// loaded on first use and kept in memory for the transaction; Flush() writes
// back what was handed out for change, once.
//
// Trust policy (the one place it is written):
//   - our own devices are trusted exactly under our own identity key;
//   - a peer's key is trusted for sending when it is the contact's known key
//     and the contact's sends are not held: sends are held while a verified
//     contact's key change is not trusted (SendsHeld);
//   - for receiving, a first message under a new key is let through: the
//     change is recorded (identity_changed, a warning) and, for a verified
//     contact, sends wait for Trust();
//   - senders that are not contacts are not trusted.
#ifndef SECUREBASE_CLIENT_SRC_CONTACT_STORE_H_
#define SECUREBASE_CLIENT_SRC_CONTACT_STORE_H_

#include <optional>
#include <string>

#include "client/src/vault_records.pb.h"
#include "securebase/client/client.h"
#include "securebase/client/status.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/protocol_stores.h"
#include "store_errors.h"
#include "vault.h"

namespace securebase::client {

// A verified contact's key changed and the user has not trusted it yet:
// nothing may be encrypted to them.
inline bool SendsHeld(const records::Contact& contact) {
  return contact.verified() && contact.identity_changed();
}

// The contact's display name, or "a contact (1a2b3c4d)" before it is known.
std::string NameOf(const records::Contact& contact);

// The public view of a stored contact.
Contact ToPublicContact(const records::Contact& record);

class ContactStore final : public crypto::IdentityStore {
 public:
  ContactStore(VaultTransaction& txn, StoreErrors& errors, std::string own_user_id,
               const crypto::IdentityKeyPair& identity);

  // The contact with `user_id`, or our own record for our user id; nullptr
  // when there is none. Changes made through it are written by Flush().
  Result<records::Contact*> Find(const std::string& user_id);
  // As Find, kNotFound ("no such contact") when there is none.
  Result<records::Contact*> Get(const std::string& user_id);
  Result<records::Contact*> Self();
  // Every contact (not ourselves), for changes.
  Result<records::Contacts*> All();
  // Read-only (nothing is written back for these): the contact or ourselves,
  // nullptr when unknown; and every contact.
  Result<const records::Contact*> Peek(const std::string& user_id);
  Result<const records::Contacts*> View();
  // Writes our own record for the first time (a new vault).
  void CreateSelf(records::Contact self);
  // Adds a new contact (the caller checked there is none with its id).
  Result<records::Contact*> Add(records::Contact contact);

  // Writes back the records handed out for change.
  void Flush();

  // crypto::IdentityStore (the policy above).
  const crypto::IdentityKeyPair& LocalIdentity() override { return identity_; }
  crypto::Result<bool> IsTrustedIdentity(const crypto::DeviceAddress& address,
                                         const crypto::IdentityPublicKey& key,
                                         crypto::IdentityDirection direction) override;
  crypto::Result<crypto::IdentityChange> SaveIdentity(
      const crypto::DeviceAddress& address, const crypto::IdentityPublicKey& key) override;

 private:
  Status LoadContacts();
  Status LoadSelf();

  VaultTransaction& txn_;
  StoreErrors& errors_;
  std::string own_user_id_;
  const crypto::IdentityKeyPair& identity_;
  std::optional<records::Contacts> contacts_;
  std::optional<records::Contact> self_;
  bool contacts_changed_ = false;
  bool self_changed_ = false;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONTACT_STORE_H_
