#include "contact_store.h"

#include <utility>

#include "content/availability.h"
#include "content/content_type.h"
#include "device_address.h"
#include "records.h"
#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

// Record names (only ever hashed on disk).
constexpr std::string_view kContactsRecord = "contacts";
constexpr std::string_view kSelfRecord = "self";

bool SameKey(const records::Contact& contact, const crypto::IdentityPublicKey& key) {
  return contact.identity_key() == crypto::AsStringView(key.span());
}

}  // namespace

std::string NameOf(const records::Contact& contact) {
  return contact.display_name().empty()
             ? "a contact (" + crypto::ToHex(contact.user_id()).substr(0, 8) + ")"
             : contact.display_name();
}

Contact ToPublicContact(const records::Contact& record) {
  Contact contact;
  contact.user_id = crypto::ToHex(record.user_id());
  contact.display_name = record.display_name();
  contact.role =
      record.role() == static_cast<uint32_t>(Role::kTherapist) ? Role::kTherapist : Role::kClient;
  contact.linked = record.linked();
  contact.verified = record.verified();
  contact.identity_changed = record.identity_changed();
  contact.sends_held = SendsHeld(record);
  if (record.has_availability()) contact.availability = DecodeAvailability(record.availability());
  return contact;
}

ContactStore::ContactStore(VaultTransaction& txn, StoreErrors& errors, std::string own_user_id,
                           const crypto::IdentityKeyPair& identity)
    : txn_(txn), errors_(errors), own_user_id_(std::move(own_user_id)), identity_(identity) {}

Status ContactStore::LoadContacts() {
  if (contacts_) return Status::Ok();
  SB_ASSIGN_OR_RETURN(std::optional<records::Contacts> loaded,
                      LoadRecord<records::Contacts>(txn_, kContactsRecord));
  contacts_ = std::move(loaded).value_or(records::Contacts());
  return Status::Ok();
}

Status ContactStore::LoadSelf() {
  if (self_) return Status::Ok();
  SB_ASSIGN_OR_RETURN(std::optional<records::Contact> loaded,
                      LoadRecord<records::Contact>(txn_, kSelfRecord));
  if (!loaded) return Status(ErrorCode::kVaultCorrupted, "the vault lost its own device list");
  self_ = std::move(*loaded);
  return Status::Ok();
}

Result<records::Contact*> ContactStore::Find(const std::string& user_id) {
  if (user_id == own_user_id_) return Self();
  SB_RETURN_IF_ERROR(LoadContacts());
  for (records::Contact& contact : *contacts_->mutable_contacts()) {
    if (contact.user_id() == user_id) {
      contacts_changed_ = true;
      return &contact;
    }
  }
  return static_cast<records::Contact*>(nullptr);
}

Result<records::Contact*> ContactStore::Get(const std::string& user_id) {
  SB_ASSIGN_OR_RETURN(records::Contact * contact, Find(user_id));
  if (contact == nullptr) return Status(ErrorCode::kNotFound, "no such contact");
  return contact;
}

Result<records::Contact*> ContactStore::Self() {
  SB_RETURN_IF_ERROR(LoadSelf());
  self_changed_ = true;
  return &*self_;
}

Result<records::Contacts*> ContactStore::All() {
  SB_RETURN_IF_ERROR(LoadContacts());
  contacts_changed_ = true;
  return &*contacts_;
}

Result<const records::Contact*> ContactStore::Peek(const std::string& user_id) {
  if (user_id == own_user_id_) {
    SB_RETURN_IF_ERROR(LoadSelf());
    return static_cast<const records::Contact*>(&*self_);
  }
  SB_RETURN_IF_ERROR(LoadContacts());
  for (const records::Contact& contact : contacts_->contacts()) {
    if (contact.user_id() == user_id) return &contact;
  }
  return static_cast<const records::Contact*>(nullptr);
}

Result<const records::Contacts*> ContactStore::View() {
  SB_RETURN_IF_ERROR(LoadContacts());
  return static_cast<const records::Contacts*>(&*contacts_);
}

void ContactStore::CreateSelf(records::Contact self) {
  self_ = std::move(self);
  self_changed_ = true;
}

Result<records::Contact*> ContactStore::Add(records::Contact contact) {
  SB_ASSIGN_OR_RETURN(records::Contacts * all, All());
  records::Contact* added = all->add_contacts();
  *added = std::move(contact);
  return added;
}

void ContactStore::Flush() {
  if (contacts_ && contacts_changed_) StoreRecord(txn_, kContactsRecord, *contacts_);
  if (self_ && self_changed_) StoreRecord(txn_, kSelfRecord, *self_);
  contacts_changed_ = self_changed_ = false;
}

crypto::Result<bool> ContactStore::IsTrustedIdentity(const crypto::DeviceAddress& address,
                                                     const crypto::IdentityPublicKey& key,
                                                     crypto::IdentityDirection direction) {
  const std::string user = RawUserId(address.user_id);
  if (user == own_user_id_) return key == identity_.public_key();
  Result<const records::Contact*> found = Peek(user);
  if (!found.ok()) return errors_.Record(found.status());
  const records::Contact* contact = *found;
  if (contact == nullptr) return false;  // Not a contact.
  if (!SameKey(*contact, key)) return direction == crypto::IdentityDirection::kReceiving;
  return direction == crypto::IdentityDirection::kReceiving || !SendsHeld(*contact);
}

crypto::Result<crypto::IdentityChange> ContactStore::SaveIdentity(
    const crypto::DeviceAddress& address, const crypto::IdentityPublicKey& key) {
  const std::string user = RawUserId(address.user_id);
  if (user == own_user_id_) return crypto::IdentityChange::kUnchanged;
  Result<records::Contact*> found = Get(user);
  if (!found.ok()) return errors_.Record(found.status());
  records::Contact& contact = **found;
  if (SameKey(contact, key)) return crypto::IdentityChange::kUnchanged;
  const bool first = contact.identity_key().empty();
  contact.set_identity_key(std::string(crypto::AsStringView(key.span())));
  if (first) return crypto::IdentityChange::kNew;
  contact.set_identity_changed(true);
  return crypto::IdentityChange::kReplaced;
}

}  // namespace securebase::client
