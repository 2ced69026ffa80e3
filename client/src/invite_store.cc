#include "invite_store.h"

#include <utility>

#include "records.h"
#include "securebase/crypto/secret.h"

namespace securebase::client {
namespace {

constexpr std::string_view kRecord = "invites";

bool Usable(const records::PendingInvite& invite, int64_t now) {
  return now < invite.expires_at_unix_ms() + kInviteProofGraceMs;
}

}  // namespace

Status InviteStore::Load() {
  if (invites_) return Status::Ok();
  SB_ASSIGN_OR_RETURN(std::optional<records::PendingInvites> loaded,
                      LoadRecord<records::PendingInvites>(txn_, kRecord));
  invites_ = std::move(loaded).value_or(records::PendingInvites());
  return Status::Ok();
}

void InviteStore::Save() { StoreRecord(txn_, kRecord, *invites_); }

Status InviteStore::Add(records::PendingInvite invite) {
  SB_RETURN_IF_ERROR(Load());
  *invites_->add_invites() = std::move(invite);
  Save();
  return Status::Ok();
}

Result<std::optional<records::PendingInvite>> InviteStore::Find(const std::string& invite_id,
                                                                int64_t now) {
  SB_RETURN_IF_ERROR(Load());
  for (const records::PendingInvite& invite : invites_->invites()) {
    if (invite.invite_id() == invite_id && Usable(invite, now)) {
      return std::optional<records::PendingInvite>(invite);
    }
  }
  return std::optional<records::PendingInvite>();
}

Result<bool> InviteStore::AnyUsable(int64_t now) {
  SB_RETURN_IF_ERROR(Load());
  for (const records::PendingInvite& invite : invites_->invites()) {
    if (Usable(invite, now)) return true;
  }
  return false;
}

void InviteStore::Remove(const std::string& invite_id, int64_t now) {
  if (!Load().ok()) return;
  auto* list = invites_->mutable_invites();
  for (int i = list->size() - 1; i >= 0; --i) {
    records::PendingInvite& invite = *list->Mutable(i);
    if (invite.invite_id() == invite_id || !Usable(invite, now)) {
      std::string* key = invite.mutable_proof_key();
      crypto::SecureWipe(key->data(), key->size());
      list->DeleteSubrange(i, 1);
    }
  }
  Save();
}

}  // namespace securebase::client
