#include "contact_book.h"

#include <algorithm>

#include "content/availability.h"
#include "content/content_type.h"
#include "invite_code.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/safety_number.h"
#include "securebase/crypto/secret_box.h"
#include "securebase/v1/content.pb.h"

namespace securebase::client {
namespace {

constexpr std::string_view kInviteProfileContext = "invite-profile";

// A link as any server of this protocol states it: a user id of the right
// size and an identity key that parses.
bool WellFormed(const Link& link) {
  return link.peer_user_id.size() == kUserIdSize &&
         crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(link.peer_identity_key)).ok();
}

}  // namespace

Result<std::string> ContactBook::Resolve(std::string_view peer) {
  const std::optional<std::string> raw = crypto::FromHex(peer);
  std::vector<std::string> matches;
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(const records::Contacts* contacts, stores.contacts().View());
    for (const records::Contact& c : contacts->contacts()) {
      if ((raw && c.user_id() == *raw) || (!c.display_name().empty() && c.display_name() == peer)) {
        matches.push_back(c.user_id());
      }
    }
    return Status::Ok();
  }));
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

Status ContactBook::Update(const std::string& user_id,
                           const std::function<Status(records::Contact&)>& change) {
  return core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contact * contact, stores.contacts().Get(user_id));
    return change(*contact);
  });
}

Status ContactBook::RefreshLinks() {
  SB_ASSIGN_OR_RETURN(std::vector<Link> links, core_.server().ListLinks());
  if (!std::all_of(links.begin(), links.end(), WellFormed)) {
    return Status(ErrorCode::kInvalidServerResponse,
                  "list links: the server sent a malformed link; nothing was changed");
  }
  return core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(const records::Contacts* known, stores.contacts().View());
    bool changed = false;
    for (const records::Contact& contact : known->contacts()) {
      const bool linked = std::any_of(links.begin(), links.end(), [&](const Link& l) {
        return l.peer_user_id == contact.user_id();
      });
      changed |= contact.linked() != linked;
    }
    for (const Link& link : links) {
      changed |=
          std::none_of(known->contacts().begin(), known->contacts().end(),
                       [&](const records::Contact& c) { return c.user_id() == link.peer_user_id; });
    }
    if (!changed) return Status::Ok();  // Nothing to write.
    SB_ASSIGN_OR_RETURN(records::Contacts * contacts, stores.contacts().All());
    for (records::Contact& contact : *contacts->mutable_contacts()) {
      contact.set_linked(std::any_of(links.begin(), links.end(), [&](const Link& l) {
        return l.peer_user_id == contact.user_id();
      }));
    }
    for (const Link& link : links) {
      SB_ASSIGN_OR_RETURN(const records::Contact* existing,
                          stores.contacts().Peek(link.peer_user_id));
      if (existing != nullptr) continue;
      records::Contact contact;
      contact.set_user_id(link.peer_user_id);
      contact.set_role(static_cast<uint32_t>(link.peer_role));
      contact.set_identity_key(link.peer_identity_key);
      contact.set_linked(true);
      SB_RETURN_IF_ERROR(stores.contacts().Add(std::move(contact)).status());
    }
    return Status::Ok();
  });
}

Result<std::string> ContactBook::CreateInvite(std::chrono::hours expires_in) {
  if (core_.role() != Role::kTherapist) {
    return Status(ErrorCode::kPermissionDenied, "only therapists create invites");
  }
  if (expires_in.count() <= 0) {
    return Status(ErrorCode::kInvalidArgument, "the invite must expire in at least an hour");
  }
  crypto::SecretBoxKey profile_key = crypto::SecretBoxKey::Generate(core_.rng());
  content::v1::InviteProfile profile;
  profile.mutable_profile()->set_display_name(core_.account().display_name());
  if (core_.account().has_availability()) {
    *profile.mutable_profile()->mutable_availability() = core_.account().availability();
  }
  const std::string plain = profile.SerializeAsString();
  auto sealed =
      crypto::SealBox(profile_key, kInviteProfileContext, crypto::AsBytes(plain), core_.rng());
  if (!sealed.ok()) return Status(ErrorCode::kInternal, "cannot seal the profile");
  SB_ASSIGN_OR_RETURN(std::string secret,
                      core_.server().CreateInvite(
                          static_cast<uint32_t>(
                              std::chrono::duration_cast<std::chrono::seconds>(expires_in).count()),
                          std::string(crypto::AsStringView(*sealed))));
  core_.PersistTokenIfChanged();
  InviteCode code;
  code.invite_secret = std::move(secret);
  code.profile_key = crypto::SecretBytes::CopyOf(profile_key.bytes());
  code.key_pin = KeyPin(core_.identity().public_key());
  return FormatInviteCode(code);
}

Result<Contact> ContactBook::AcceptInvite(std::string_view text) {
  if (core_.role() != Role::kClient) {
    return Status(ErrorCode::kPermissionDenied, "only clients accept invites");
  }
  std::optional<InviteCode> code = ParseInviteCode(text);
  if (!code || code->invite_secret.size() != kInviteSecretSize) {
    return Status(ErrorCode::kInvalidInvite,
                  "this is not a valid invite code (check it was copied completely)");
  }
  SB_ASSIGN_OR_RETURN(RedeemedInvite redeemed, core_.server().RedeemInvite(code->invite_secret));
  const Link& link = redeemed.link;
  if (link.peer_user_id.size() != kUserIdSize) {
    return Status(ErrorCode::kInvalidServerResponse,
                  "accept invite: the server named the therapist with a malformed id");
  }
  auto therapist_key =
      crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(link.peer_identity_key));
  if (!therapist_key.ok() || !KeyPinMatches(code->key_pin, *therapist_key)) {
    // The server linked us to a key the therapist did not vouch for: undo it.
    core_.server().EndLink(link.peer_user_id).IgnoreError();  // The refusal below is what matters.
    return Status(ErrorCode::kInvalidInvite,
                  "the therapist's key does not match the invite code; the link was not made. "
                  "Ask your therapist for a new invite");
  }
  records::Contact contact;
  contact.set_user_id(link.peer_user_id);
  contact.set_role(static_cast<uint32_t>(Role::kTherapist));
  contact.set_identity_key(link.peer_identity_key);
  // The invite pinned the key: as good as a compared safety number.
  contact.set_verified(true);
  contact.set_linked(true);
  auto profile_key = crypto::SecretBoxKey::FromBytes(code->profile_key.span());
  if (profile_key.ok() && !redeemed.sealed_profile.empty()) {
    auto opened = crypto::OpenBox(*profile_key, kInviteProfileContext,
                                  crypto::AsBytes(redeemed.sealed_profile));
    content::v1::InviteProfile profile;
    if (opened.ok() && profile.ParseFromArray(opened->data(), static_cast<int>(opened->size()))) {
      contact.set_display_name(profile.profile().display_name());
      if (profile.profile().has_availability()) {
        *contact.mutable_availability() = profile.profile().availability();
      }
    }
  }
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contact * existing, stores.contacts().Find(contact.user_id()));
    if (existing != nullptr) {
      existing->set_linked(true);
      return Status::Ok();
    }
    return stores.contacts().Add(contact).status();
  }));
  // Introduce ourselves: this opens the session (X3DH) too.
  Profile own;
  own.display_name = core_.account().display_name();
  auto sent = sender_.Send(contact.user_id(), own, /*record_history=*/false);
  if (!sent.ok() && sent.status().code() != ErrorCode::kUnavailable) return sent.status();
  core_.PersistTokenIfChanged();
  return ToPublicContact(contact);
}

Result<std::vector<Contact>> ContactBook::List() {
  std::vector<Contact> out;
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(const records::Contacts* contacts, stores.contacts().View());
    for (const records::Contact& c : contacts->contacts()) out.push_back(ToPublicContact(c));
    return Status::Ok();
  }));
  return out;
}

Result<Contact> ContactBook::Find(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, Resolve(peer));
  std::optional<Contact> found;
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(const records::Contact* contact, stores.contacts().Peek(user_id));
    if (contact == nullptr) return Status(ErrorCode::kNotFound, "no such contact");
    found = ToPublicContact(*contact);
    return Status::Ok();
  }));
  return std::move(*found);
}

Result<std::string> ContactBook::SafetyNumber(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, Resolve(peer));
  std::string key;
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(const records::Contact* contact, stores.contacts().Peek(user_id));
    if (contact == nullptr) return Status(ErrorCode::kNotFound, "no such contact");
    key = contact->identity_key();
    return Status::Ok();
  }));
  auto peer_key = crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(key));
  if (!peer_key.ok()) return Status(ErrorCode::kVaultCorrupted, "the contact's key is damaged");
  return crypto::SafetyNumber(core_.identity().public_key(), *peer_key);
}

Status ContactBook::Verify(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, Resolve(peer));
  return Update(user_id, [](records::Contact& c) {
    c.set_verified(true);
    c.set_identity_changed(false);
    return Status::Ok();
  });
}

Status ContactBook::Trust(const std::string& user_id) {
  return Update(user_id, [](records::Contact& c) {
    c.set_identity_changed(false);
    return Status::Ok();
  });
}

Status ContactBook::EndLink(const std::string& user_id) {
  Status ended = core_.server().EndLink(user_id);
  // NOT_FOUND: the other side ended it already; the local state catches up.
  if (!ended.ok() && ended.code() != ErrorCode::kNotFound) return ended;
  core_.PersistTokenIfChanged();
  return Update(user_id, [](records::Contact& c) {
    c.set_linked(false);
    return Status::Ok();
  });
}

}  // namespace securebase::client
