// Contacts: invites, the contact list, verification, links, availability.
#include <algorithm>

#include "client_impl.h"
#include "content_codec.h"
#include "invite_code.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/safety_number.h"
#include "securebase/crypto/secret_box.h"
#include "util.h"

namespace securebase::client {
namespace {

constexpr std::string_view kInviteProfileContext = "invite-profile";

Result<records::Contacts> LoadContacts(VaultTransaction& txn) {
  SB_ASSIGN_OR_RETURN(std::optional<records::Contacts> contacts,
                      LoadRecord<records::Contacts>(txn, kContactsRecord));
  return contacts.value_or(records::Contacts());
}

records::Contact* FindById(records::Contacts& contacts, const std::string& user_id) {
  for (auto& c : *contacts.mutable_contacts()) {
    if (c.user_id() == user_id) return &c;
  }
  return nullptr;
}

Role RoleFromWire(v1::Role role) {
  return role == v1::ROLE_THERAPIST ? Role::kTherapist : Role::kClient;
}

}  // namespace

Contact ToPublicContact(const records::Contact& record) {
  Contact contact;
  contact.user_id = ToHex(record.user_id());
  contact.display_name = record.display_name();
  contact.role = record.role() == static_cast<uint32_t>(Role::kTherapist) ? Role::kTherapist
                                                                          : Role::kClient;
  contact.linked = record.linked();
  contact.verified = record.verified();
  contact.identity_changed = record.identity_changed();
  contact.sends_held = record.verified() && record.identity_changed();
  if (record.has_availability()) contact.availability = DecodeAvailability(record.availability());
  return contact;
}

Result<std::string> ClientImpl::ResolvePeer(std::string_view peer) {
  std::optional<records::Contacts> contacts;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(contacts, LoadContacts(txn));
    return Status::Ok();
  }));
  const std::optional<std::string> raw = FromHex(peer);
  std::vector<std::string> matches;
  for (const auto& c : contacts->contacts()) {
    if ((raw && c.user_id() == *raw) || (!c.display_name().empty() && c.display_name() == peer)) {
      matches.push_back(c.user_id());
    }
  }
  if (matches.empty()) {
    return Status(ErrorCode::kNotFound, "no contact called \"" + std::string(peer) +
                                            "\" (see `securebase contacts`; sync first if they "
                                            "just joined)");
  }
  if (matches.size() > 1) {
    return Status(ErrorCode::kInvalidArgument,
                  "more than one contact is called \"" + std::string(peer) + "\"; use the user id");
  }
  return matches.front();
}

Status ClientImpl::UpdateContact(const std::string& user_id,
                                 const std::function<Status(records::Contact&)>& change) {
  return vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contacts contacts, LoadContacts(txn));
    records::Contact* contact = FindById(contacts, user_id);
    if (contact == nullptr) return Status(ErrorCode::kNotFound, "no such contact");
    SB_RETURN_IF_ERROR(change(*contact));
    StoreRecord(txn, kContactsRecord, contacts);
    return Status::Ok();
  });
}

Status ClientImpl::RefreshLinks() {
  v1::ListLinksResponse links;
  SB_RETURN_IF_ERROR(connection_->Call("list links", [&](grpc::ClientContext& context) {
    return connection_->links().ListLinks(&context, v1::ListLinksRequest(), &links);
  }));
  return vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contacts contacts, LoadContacts(txn));
    bool changed = false;
    for (auto& contact : *contacts.mutable_contacts()) {
      const bool linked = std::any_of(links.links().begin(), links.links().end(),
                                      [&](const v1::Link& l) { return l.peer_user_id() == contact.user_id(); });
      if (contact.linked() != linked) {
        contact.set_linked(linked);
        changed = true;
      }
    }
    for (const v1::Link& link : links.links()) {
      if (FindById(contacts, link.peer_user_id()) != nullptr) continue;
      records::Contact* contact = contacts.add_contacts();
      contact->set_user_id(link.peer_user_id());
      contact->set_role(static_cast<uint32_t>(RoleFromWire(link.peer_role())));
      contact->set_identity_key(link.peer_identity_key());
      contact->set_linked(true);
      changed = true;
    }
    if (changed) StoreRecord(txn, kContactsRecord, contacts);
    return Status::Ok();
  });
}

Result<std::string> ClientImpl::CreateInvite(std::chrono::hours expires_in) {
  if (role() != Role::kTherapist) {
    return Status(ErrorCode::kPermissionDenied, "only therapists create invites");
  }
  if (expires_in.count() <= 0) {
    return Status(ErrorCode::kInvalidArgument, "the invite must expire in at least an hour");
  }
  crypto::RandomSource& rng = crypto::SystemRandom();
  crypto::SecretBoxKey profile_key = crypto::SecretBoxKey::Generate(rng);
  content::v1::InviteProfile profile;
  profile.mutable_profile()->set_display_name(account_.display_name());
  if (account_.has_availability()) {
    *profile.mutable_profile()->mutable_availability() = account_.availability();
  }
  const std::string plain = profile.SerializeAsString();
  auto sealed = crypto::SealBox(profile_key, kInviteProfileContext, AsBytes(plain), rng);
  if (!sealed.ok()) return Status(ErrorCode::kInternal, "cannot seal the profile");
  v1::CreateInviteRequest request;
  request.set_expires_in_seconds(static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(expires_in).count()));
  request.set_sealed_profile(sealed->data(), sealed->size());
  v1::CreateInviteResponse response;
  SB_RETURN_IF_ERROR(connection_->Call("create invite", [&](grpc::ClientContext& context) {
    return connection_->links().CreateInvite(&context, request, &response);
  }));
  PersistTokenIfChanged();
  InviteCode code;
  code.invite_secret = response.invite_secret();
  code.profile_key = crypto::SecretBytes::CopyOf(profile_key.bytes());
  code.key_pin = KeyPin(identity_.public_key());
  return FormatInviteCode(code);
}

Result<Contact> ClientImpl::AcceptInvite(std::string_view text) {
  if (role() != Role::kClient) {
    return Status(ErrorCode::kPermissionDenied, "only clients accept invites");
  }
  std::optional<InviteCode> code = ParseInviteCode(text);
  if (!code || code->invite_secret.size() != kInviteSecretSize) {
    return Status(ErrorCode::kInvalidInvite,
                  "this is not a valid invite code (check it was copied completely)");
  }
  v1::RedeemInviteRequest request;
  request.set_invite_secret(code->invite_secret);
  v1::RedeemInviteResponse response;
  SB_RETURN_IF_ERROR(connection_->Call("accept invite", [&](grpc::ClientContext& context) {
    return connection_->links().RedeemInvite(&context, request, &response);
  }));
  const v1::Link& link = response.link();
  auto therapist_key = crypto::IdentityPublicKey::FromBytes(AsBytes(link.peer_identity_key()));
  if (!therapist_key.ok() || !KeyPinMatches(code->key_pin, *therapist_key)) {
    // The server linked us to a key the therapist did not vouch for: undo it.
    v1::EndLinkRequest end;
    end.set_peer_user_id(link.peer_user_id());
    v1::EndLinkResponse ended;
    connection_
        ->Call("end link", [&](grpc::ClientContext& context) {
          return connection_->links().EndLink(&context, end, &ended);
        })
        .IgnoreError();  // Best effort; the refusal below is what matters.
    return Status(ErrorCode::kInvalidInvite,
                  "the therapist's key does not match the invite code; the link was not made. "
                  "Ask your therapist for a new invite");
  }
  records::Contact contact;
  contact.set_user_id(link.peer_user_id());
  contact.set_role(static_cast<uint32_t>(Role::kTherapist));
  contact.set_identity_key(link.peer_identity_key());
  // The invite pinned the key: as good as a compared safety number.
  contact.set_verified(true);
  contact.set_linked(true);
  auto profile_key = crypto::SecretBoxKey::FromBytes(code->profile_key.span());
  if (profile_key.ok() && !response.sealed_profile().empty()) {
    auto opened =
        crypto::OpenBox(*profile_key, kInviteProfileContext, AsBytes(response.sealed_profile()));
    content::v1::InviteProfile profile;
    if (opened.ok() && profile.ParseFromArray(opened->data(), static_cast<int>(opened->size()))) {
      contact.set_display_name(profile.profile().display_name());
      if (profile.profile().has_availability()) {
        *contact.mutable_availability() = profile.profile().availability();
      }
    }
  }
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contacts contacts, LoadContacts(txn));
    if (records::Contact* existing = FindById(contacts, contact.user_id())) {
      existing->set_linked(true);
    } else {
      *contacts.add_contacts() = contact;
    }
    StoreRecord(txn, kContactsRecord, contacts);
    return Status::Ok();
  }));
  // Introduce ourselves: this opens the session (X3DH) too.
  Profile own;
  own.display_name = account_.display_name();
  auto sent = SendBody(contact.user_id(), own, /*record_history=*/false);
  if (!sent.ok() && sent.status().code() != ErrorCode::kUnavailable) return sent.status();
  PersistTokenIfChanged();
  return ToPublicContact(contact);
}

Result<std::vector<Contact>> ClientImpl::Contacts() {
  std::optional<records::Contacts> contacts;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(contacts, LoadContacts(txn));
    return Status::Ok();
  }));
  std::vector<Contact> out;
  for (const auto& c : contacts->contacts()) out.push_back(ToPublicContact(c));
  return out;
}

Result<Contact> ClientImpl::FindContact(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  SB_ASSIGN_OR_RETURN(std::vector<Contact> all, Contacts());
  for (Contact& c : all) {
    if (c.user_id == ToHex(user_id)) return std::move(c);
  }
  return Status(ErrorCode::kNotFound, "no such contact");
}

Result<std::string> ClientImpl::SafetyNumber(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  std::string key;
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contacts contacts, LoadContacts(txn));
    const records::Contact* contact = FindById(contacts, user_id);
    if (contact == nullptr) return Status(ErrorCode::kNotFound, "no such contact");
    key = contact->identity_key();
    return Status::Ok();
  }));
  auto peer_key = crypto::IdentityPublicKey::FromBytes(AsBytes(key));
  if (!peer_key.ok()) return Status(ErrorCode::kVaultCorrupted, "the contact's key is damaged");
  return crypto::SafetyNumber(identity_.public_key(), *peer_key);
}

Status ClientImpl::Verify(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  return UpdateContact(user_id, [](records::Contact& c) {
    c.set_verified(true);
    c.set_identity_changed(false);
    return Status::Ok();
  });
}

Status ClientImpl::Trust(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  SB_RETURN_IF_ERROR(UpdateContact(user_id, [](records::Contact& c) {
    c.set_identity_changed(false);
    return Status::Ok();
  }));
  // Held messages can go now.
  uint32_t sent = 0;
  Status flushed = FlushOutbox(&sent);
  if (!flushed.ok() && flushed.code() != ErrorCode::kUnavailable) return flushed;
  return Status::Ok();
}

Status ClientImpl::EndLink(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, ResolvePeer(peer));
  // Take in what the peer sent before the link ends, so the kept history is
  // complete. (It would also arrive at a later sync; this is only sooner.)
  Sync().status().IgnoreError();  // Unreachable server: the EndLink below says so.
  v1::EndLinkRequest request;
  request.set_peer_user_id(user_id);
  v1::EndLinkResponse response;
  Status ended = connection_->Call("end link", [&](grpc::ClientContext& context) {
    return connection_->links().EndLink(&context, request, &response);
  });
  // NOT_FOUND: the other side ended it already; the local state catches up.
  if (!ended.ok() && ended.code() != ErrorCode::kNotFound) return ended;
  PersistTokenIfChanged();
  return UpdateContact(user_id, [](records::Contact& c) {
    c.set_linked(false);
    return Status::Ok();
  });
}

Status ClientImpl::SetAvailability(const Availability& availability) {
  if (role() != Role::kTherapist) {
    return Status(ErrorCode::kPermissionDenied, "only therapists set an availability notice");
  }
  if (std::string problem = ValidateContent(availability); !problem.empty()) {
    return Status(ErrorCode::kInvalidArgument, problem);
  }
  SB_RETURN_IF_ERROR(vault_->Transact([&](VaultTransaction& txn) -> Status {
    SB_ASSIGN_OR_RETURN(std::optional<records::Account> account,
                        LoadRecord<records::Account>(txn, kAccountRecord));
    if (!account) return Status(ErrorCode::kVaultCorrupted, "the vault lost its account");
    *account->mutable_availability() = EncodeAvailability(availability);
    StoreRecord(txn, kAccountRecord, *account);
    account_ = *account;
    return Status::Ok();
  }));
  // Contacts that linked since the last sync get it too.
  RefreshLinks().IgnoreError();  // Offline: known contacts still get it.
  SB_ASSIGN_OR_RETURN(std::vector<Contact> contacts, Contacts());
  Status result = Status::Ok();
  for (const Contact& contact : contacts) {
    if (!contact.linked || contact.role != Role::kClient) continue;
    auto sent = SendBody(*FromHex(contact.user_id), availability, /*record_history=*/true);
    if (!sent.ok() && result.ok()) result = sent.status();
  }
  return result;
}

}  // namespace securebase::client
