#include "contact_book.h"

#include <algorithm>

#include "content/availability.h"
#include "content/content_type.h"
#include "device_address.h"
#include "introduction.h"
#include "invite_code.h"
#include "prekey_rotation.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/invite_proof.h"
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
    if (!changed) return Status::Ok();  // Nothing to write.
    SB_ASSIGN_OR_RETURN(records::Contacts * contacts, stores.contacts().All());
    for (records::Contact& contact : *contacts->mutable_contacts()) {
      contact.set_linked(std::any_of(links.begin(), links.end(), [&](const Link& l) {
        return l.peer_user_id == contact.user_id();
      }));
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
  // A client's first contact needs this device's device-bound prekey.
  MaintainSignedPreKeys(core_, Rotation::kIfDue).IgnoreError();  // CreateInvite says if offline.
  const crypto::InviteKey invite_key = crypto::InviteKey::Generate(core_.rng());
  const crypto::InviteKeys keys = crypto::DeriveInviteKeys(invite_key);
  const crypto::SecretBoxKey& profile_key = keys.profile_key;
  content::v1::InviteProfile profile;
  profile.mutable_profile()->set_display_name(core_.account().display_name());
  if (core_.account().has_availability()) {
    *profile.mutable_profile()->mutable_availability() = core_.account().availability();
  }
  const std::string plain = profile.SerializeAsString();
  auto sealed =
      crypto::SealBox(profile_key, kInviteProfileContext, crypto::AsBytes(plain), core_.rng());
  if (!sealed.ok()) return Status(ErrorCode::kInternal, "cannot seal the profile");
  // What checks the client's proof is committed before the code exists, so
  // no code is ever handed out that this device could not honour.
  const int64_t expires_at =
      core_.Now() + std::chrono::duration_cast<std::chrono::milliseconds>(expires_in).count();
  SB_RETURN_IF_ERROR(core_.Transact([&](Stores& stores) -> Status {
    records::PendingInvite pending;
    pending.set_invite_id(std::string(crypto::AsStringView(keys.invite_id.span())));
    pending.set_proof_key(std::string(crypto::AsStringView(keys.proof_key.bytes())));
    pending.set_expires_at_unix_ms(expires_at);
    if (core_.account().has_availability()) {
      *pending.mutable_availability() = core_.account().availability();
    }
    Status added = stores.invites().Add(pending);
    crypto::SecureWipe(pending.mutable_proof_key()->data(), pending.proof_key().size());
    return added;
  }));
  SB_ASSIGN_OR_RETURN(std::string secret,
                      core_.server().CreateInvite(
                          static_cast<uint32_t>(
                              std::chrono::duration_cast<std::chrono::seconds>(expires_in).count()),
                          std::string(crypto::AsStringView(*sealed))));
  core_.PersistTokenIfChanged();
  InviteCode code;
  code.invite_secret = std::move(secret);
  code.invite_key = crypto::SecretBytes::CopyOf(invite_key.bytes());
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
  if (code->version != kInviteCodeVersion) {
    // Refused before it is redeemed, so the therapist's invite is not used
    // up: such a code carries nothing to prove this account to them with.
    return Status(ErrorCode::kInvalidInvite,
                  "this invite code was made by an earlier version of SecureBase; ask your "
                  "therapist for a new one");
  }
  auto invite_key = crypto::InviteKey::FromBytes(code->invite_key.span());
  if (!invite_key.ok()) return Status(ErrorCode::kInvalidInvite, "this invite code is damaged");
  const crypto::InviteKeys keys = crypto::DeriveInviteKeys(*invite_key);
  // Others' first contact with this device needs its device-bound prekey.
  MaintainSignedPreKeys(core_, Rotation::kIfDue).IgnoreError();  // The next sync retries.
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
  if (!redeemed.sealed_profile.empty()) {
    auto opened = crypto::OpenBox(keys.profile_key, kInviteProfileContext,
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
      // A new invite from a known therapist pins their key afresh.
      if (existing->identity_key() != contact.identity_key()) {
        SB_RETURN_IF_ERROR(ForgetSessions(stores, *existing));
      }
      existing->set_identity_key(contact.identity_key());
      existing->clear_pending_identity_key();
      existing->set_identity_changed(false);
      existing->set_verified(true);
      existing->set_linked(true);
      return Status::Ok();
    }
    return stores.contacts().Add(contact).status();
  }));
  // Introduce ourselves, with the proof the therapist accepts a new client
  // by (introduction.h): this opens the session (X3DH) too.
  Profile own;
  own.display_name = core_.account().display_name();
  const content::v1::InviteProof proof =
      MakeIntroduction(core_, keys, contact.user_id(), *therapist_key);
  auto sent = sender_.Send(contact.user_id(), own, /*record_history=*/false, &proof);
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
    // While a change is pending, the number of the new key: the one to
    // compare before accepting it.
    key = CurrentKey(*contact);
    return Status::Ok();
  }));
  auto peer_key = crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(key));
  if (!peer_key.ok()) return Status(ErrorCode::kVaultCorrupted, "the contact's key is damaged");
  return crypto::SafetyNumber(core_.identity().public_key(), *peer_key);
}

Status ContactBook::Verify(std::string_view peer) {
  SB_ASSIGN_OR_RETURN(std::string user_id, Resolve(peer));
  return AcceptKey(user_id, /*verified=*/true);
}

Status ContactBook::Trust(const std::string& user_id) {
  return AcceptKey(user_id, /*verified=*/false);
}

Status ContactBook::AcceptKey(const std::string& user_id, bool verified) {
  return core_.Transact([&](Stores& stores) -> Status {
    SB_ASSIGN_OR_RETURN(records::Contact * contact, stores.contacts().Get(user_id));
    if (contact->identity_changed()) {
      AcceptKeyChange(*contact);
      // Sessions under the key given up are obsolete; those under the
      // accepted one (that brought the quarantined messages) stay.
      SB_RETURN_IF_ERROR(ForgetSessions(stores, *contact));
      // What arrived under it is the contact's now.
      SB_ASSIGN_OR_RETURN(auto entries, stores.history().Read(user_id));
      for (auto& [index, entry] : entries) {
        if (!entry.quarantined()) continue;
        entry.set_quarantined(false);
        stores.history().Update(user_id, index, entry);
      }
    }
    // Only Verify sets it; Trust leaves it as it is (cleared by the change).
    if (verified) contact->set_verified(true);
    return Status::Ok();
  });
}

Status ContactBook::ForgetSessions(Stores& stores, records::Contact& contact) {
  auto accepted = crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(contact.identity_key()));
  std::vector<uint32_t> kept;
  for (uint32_t device : contact.device_ids()) {
    SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress address, AddressOf(contact.user_id(), device));
    auto loaded = stores.sessions().LoadSession(address);
    if (!loaded.ok()) return stores.errors().FromCipher(loaded.status());
    bool keep = false;
    if (*loaded) {
      keep = accepted.ok() && (*loaded)->has_current() &&
             (*loaded)->current().remote_identity() == *accepted;
      stores.sessions().ReleaseSession(address, std::move(**loaded));
    }
    if (keep) {
      kept.push_back(device);
    } else {
      stores.sessions().Delete(address);
    }
  }
  contact.clear_device_ids();
  for (uint32_t device : kept) contact.add_device_ids(device);
  return Status::Ok();
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
