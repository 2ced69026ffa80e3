// Mutual pinning at invite redemption (introduction.h).
#include "introduction.h"

#include "device_address.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/session.h"

namespace securebase::client {
namespace {

using crypto::AsBytes;
using crypto::AsStringView;

}  // namespace

content::v1::InviteProof MakeIntroduction(ClientCore& core, const crypto::InviteKeys& keys,
                                          const std::string& therapist_user_id,
                                          const crypto::IdentityPublicKey& therapist_key) {
  // Both user ids came from the server as 16 bytes (checked by AddressOf
  // before a session is made); a malformed one makes a proof that fails.
  auto parsed = crypto::UserId::FromBytes(AsBytes(therapist_user_id));
  const crypto::UserId therapist = parsed.ok() ? *parsed : crypto::UserId();
  const crypto::UserId own = crypto::UserId::FromBytes(AsBytes(core.own_user_id())).value();
  const crypto::InviteProof proof = crypto::MakeInviteProof(
      keys.proof_key,
      crypto::InviteProofStatement{therapist, therapist_key, own, core.identity().public_key()});
  content::v1::InviteProof out;
  out.set_invite_id(std::string(AsStringView(keys.invite_id.span())));
  out.set_proof(std::string(reinterpret_cast<const char*>(proof.data()), proof.size()));
  return out;
}

Result<records::Contact*> AdmitNewClient(ClientCore& core, Stores& stores,
                                         const Envelope& envelope) {
  if (core.role() != Role::kTherapist || envelope.sender.user_id == core.own_user_id()) {
    return static_cast<records::Contact*>(nullptr);
  }
  auto initial = crypto::ParseInitialMessage(AsBytes(envelope.ciphertext));
  if (!initial.ok() || !AddressOf(envelope.sender.user_id, envelope.sender.device_id).ok()) {
    return static_cast<records::Contact*>(nullptr);
  }
  SB_ASSIGN_OR_RETURN(bool inviting, stores.invites().AnyUsable(core.Now()));
  if (!inviting) return static_cast<records::Contact*>(nullptr);
  records::Contact contact;
  contact.set_user_id(envelope.sender.user_id);
  contact.set_role(static_cast<uint32_t>(Role::kClient));
  contact.set_identity_key(std::string(AsStringView(initial->header.initiator_identity.span())));
  contact.set_linked(true);
  contact.set_awaiting_invite_proof(true);
  return stores.contacts().Add(std::move(contact));
}

Result<bool> SettleNewClient(ClientCore& core, Stores& stores, const Envelope& envelope,
                             const content::v1::Content* content, bool* notice_outdated) {
  *notice_outdated = false;
  const std::string& sender = envelope.sender.user_id;
  SB_ASSIGN_OR_RETURN(records::Contact * contact, stores.contacts().Get(sender));
  const int64_t now = core.Now();
  bool proven = false;
  std::optional<records::PendingInvite> invite;
  if (content != nullptr && content->has_profile() && content->profile().has_invite_proof()) {
    const content::v1::InviteProof& claim = content->profile().invite_proof();
    SB_ASSIGN_OR_RETURN(invite, stores.invites().Find(claim.invite_id(), now));
    auto client_key = crypto::IdentityPublicKey::FromBytes(AsBytes(contact->identity_key()));
    auto client_id = crypto::UserId::FromBytes(AsBytes(sender));
    auto own_id = crypto::UserId::FromBytes(AsBytes(core.own_user_id()));
    if (invite && client_key.ok() && client_id.ok() && own_id.ok()) {
      auto proof_key = crypto::InviteProofKey::FromBytes(AsBytes(invite->proof_key()));
      std::string* secret = invite->mutable_proof_key();
      crypto::SecureWipe(secret->data(), secret->size());
      proven =
          proof_key.ok() && crypto::VerifyInviteProof(
                                *proof_key,
                                crypto::InviteProofStatement{*own_id, core.identity().public_key(),
                                                             *client_id, *client_key},
                                AsBytes(claim.proof()))
                                .ok();
    }
  }
  if (proven) {
    // Pinned both ways: as good as a compared safety number.
    contact->set_verified(true);
    contact->set_awaiting_invite_proof(false);
    *notice_outdated =
        core.account().has_availability() && core.account().availability().SerializeAsString() !=
                                                 invite->availability().SerializeAsString();
    stores.invites().Remove(content->profile().invite_proof().invite_id(), now);
    return true;
  }
  SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress from,
                      AddressOf(sender, envelope.sender.device_id));
  stores.sessions().Delete(from);
  SB_RETURN_IF_ERROR(stores.contacts().Remove(sender));
  return false;
}

}  // namespace securebase::client
