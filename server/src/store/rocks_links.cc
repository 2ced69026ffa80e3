// LinkStore on RocksDB. Invites and links change under one mutex: these are
// rare, and it makes "redeem once" and "already linked" checks exact.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {

Status RocksStore::CreateInvite(const std::string& secret_hash, const v1::InviteRecord& invite,
                                uint32_t max_outstanding) {
  std::lock_guard<std::mutex> lock(link_mu_);
  const std::string& therapist = invite.therapist_user_id();
  int64_t now = clock_.NowUnixMs();
  std::string prefix = keys::InviteIndexPrefix(therapist);
  uint32_t outstanding = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kInvites)));
  for (it->Seek(ToSlice(prefix)); it->Valid() && StartsWith(it->key(), prefix); it->Next()) {
    if (it->value().size() == 8 &&
        static_cast<int64_t>(keys::ReadBe64(ToView(it->value()), 0)) > now) {
      ++outstanding;
    }
  }
  if (!it->status().ok()) return StorageError(it->status(), "create_invite");
  if (outstanding >= max_outstanding) {
    return Status::ResourceExhausted("too many outstanding invites (maximum " +
                                     std::to_string(max_outstanding) + ")");
  }
  std::string existing;
  Status got = Get(Cf::kInvites, keys::Invite(secret_hash), &existing);
  if (got.ok()) return Status::Internal("invite secret collision");
  if (!got.IsNotFound()) return got;

  rocksdb::WriteBatch batch;
  batch.Put(cf(Cf::kInvites), keys::Invite(secret_hash), invite.SerializeAsString());
  batch.Put(cf(Cf::kInvites), keys::InviteIndex(therapist, secret_hash),
            keys::EncodeBe64(static_cast<uint64_t>(invite.expires_at_unix_ms())));
  v1::AuditRecord audit;
  audit.set_event("invite_created");
  audit.set_user_id(therapist);
  AddAudit(batch, std::move(audit));
  return Write(batch, /*sync=*/true);
}

Result<RedeemedInvite> RocksStore::RedeemInvite(const std::string& secret_hash,
                                                const v1::AccountRecord& client) {
  std::lock_guard<std::mutex> lock(link_mu_);
  const Status unknown = Status::NotFound("invite is unknown, expired or already used");
  auto invite = GetRecord<v1::InviteRecord>(Cf::kInvites, keys::Invite(secret_hash), "invite");
  if (!invite.ok()) return invite.status().IsNotFound() ? unknown : invite.status();
  int64_t now = clock_.NowUnixMs();
  if (invite->expires_at_unix_ms() <= now) return unknown;
  auto therapist = GetAccount(invite->therapist_user_id());
  if (!therapist.ok()) return therapist.status().IsNotFound() ? unknown : therapist.status();

  auto existing = GetLink(client.user_id(), therapist->user_id());
  if (existing.ok()) return Status::FailedPrecondition("already linked to this therapist");
  if (!existing.status().IsNotFound()) return existing.status();

  RedeemedInvite redeemed;
  redeemed.link.set_peer_user_id(therapist->user_id());
  redeemed.link.set_peer_role(therapist->role());
  redeemed.link.set_peer_identity_key(therapist->identity_key());
  redeemed.link.set_created_at_unix_ms(now);
  redeemed.sealed_profile = invite->sealed_profile();
  v1::LinkRecord reverse;
  reverse.set_peer_user_id(client.user_id());
  reverse.set_peer_role(client.role());
  reverse.set_peer_identity_key(client.identity_key());
  reverse.set_created_at_unix_ms(now);

  rocksdb::WriteBatch batch;
  batch.Delete(cf(Cf::kInvites), keys::Invite(secret_hash));
  batch.Delete(cf(Cf::kInvites), keys::InviteIndex(therapist->user_id(), secret_hash));
  batch.Put(cf(Cf::kLinks), keys::Link(client.user_id(), therapist->user_id()),
            redeemed.link.SerializeAsString());
  batch.Put(cf(Cf::kLinks), keys::Link(therapist->user_id(), client.user_id()),
            reverse.SerializeAsString());
  v1::AuditRecord audit;
  audit.set_event("invite_redeemed");
  audit.set_user_id(client.user_id());
  audit.set_peer_user_id(therapist->user_id());
  AddAudit(batch, std::move(audit));
  SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/true));
  return redeemed;
}

Result<v1::LinkRecord> RocksStore::GetLink(const UserId& user_id, const UserId& peer_id) {
  return GetRecord<v1::LinkRecord>(Cf::kLinks, keys::Link(user_id, peer_id), "link");
}

Result<std::vector<v1::LinkRecord>> RocksStore::ListLinks(const UserId& user_id) {
  std::vector<v1::LinkRecord> links;
  auto scan = RangeScan::OfPrefix(*db_, cf(Cf::kLinks), user_id);
  rocksdb::Iterator* it = scan->get();
  for (scan->SeekToLower(); it->Valid(); it->Next()) {
    v1::LinkRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Internal("corrupt link record");
    }
    links.push_back(std::move(record));
  }
  if (!it->status().ok()) return StorageError(it->status(), "list_links");
  return links;
}

Status RocksStore::EndLink(const UserId& user_id, const UserId& peer_id) {
  std::lock_guard<std::mutex> lock(link_mu_);
  auto link = GetLink(user_id, peer_id);
  if (!link.ok()) {
    return link.status().IsNotFound() ? Status::NotFound("no active link with peer_user_id")
                                      : link.status();
  }
  rocksdb::WriteBatch batch;
  batch.Delete(cf(Cf::kLinks), keys::Link(user_id, peer_id));
  batch.Delete(cf(Cf::kLinks), keys::Link(peer_id, user_id));
  v1::AuditRecord audit;
  audit.set_event("link_ended");
  audit.set_user_id(user_id);
  audit.set_peer_user_id(peer_id);
  AddAudit(batch, std::move(audit));
  return Write(batch, /*sync=*/true);
}

}  // namespace securebase::server
