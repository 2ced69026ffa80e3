// The retention sweep: expired envelopes, idempotency records, invites and
// tokens. Deletes in bounded batches, unsynced (a lost sweep is redone).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {
namespace {

constexpr int kSweepBatch = 1000;

}  // namespace

Status RocksStore::SweepEnvelopes(int64_t cutoff_ms, SweepCounts& counts) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kMailboxes)));
  rocksdb::WriteBatch batch;
  const std::string envelope_tag(1, keys::kEnvelopeTag);
  it->Seek(ToSlice(envelope_tag));
  while (it->Valid() && StartsWith(it->key(), envelope_tag)) {
    if (it->key().size() != keys::kEnvelopeKeySize) return Status::Internal("corrupt mailbox key");
    v1::EnvelopeRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Internal("corrupt envelope record");
    }
    if (record.server_timestamp_unix_ms() < cutoff_ms) {
      batch.Delete(cf(Cf::kMailboxes), it->key());
      ++counts.envelopes;
      if (batch.Count() >= kSweepBatch) {
        SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
        batch.Clear();
      }
      it->Next();
      continue;
    }
    // A mailbox is in seq order, which is time order: skip to the next one.
    auto next = keys::PrefixSuccessor(ToView(it->key()).substr(0, keys::kMailboxPrefixSize));
    if (!next.has_value()) break;
    it->Seek(*next);
  }
  if (!it->status().ok()) return StorageError(it->status(), "sweep");
  if (batch.Count() > 0) SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
  return Status::Ok();
}

Status RocksStore::SweepByExpiry(Cf family, SweepCounts& counts) {
  int64_t now = clock_.NowUnixMs();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(family)));
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    int64_t expires = 0;
    if (family == Cf::kTokens) {
      v1::TokenRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
      expires = record.expires_at_unix_ms();
      if (expires <= now) ++counts.tokens;
    } else if (family == Cf::kRegistrationTokens) {
      v1::RegistrationTokenRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
      expires = record.expires_at_unix_ms();
      if (expires <= now) ++counts.registration_tokens;
    } else {
      continue;
    }
    if (expires <= now) batch.Delete(cf(family), it->key());
    if (batch.Count() >= kSweepBatch) {
      SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
      batch.Clear();
    }
  }
  if (!it->status().ok()) return StorageError(it->status(), "sweep");
  if (batch.Count() > 0) SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
  return Status::Ok();
}

// Audit keys start with their time, so the old ones are a prefix of the
// column family: delete from its start up to the cutoff.
Status RocksStore::SweepAudit(int64_t cutoff_ms, SweepCounts& counts) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kAudit)));
  rocksdb::WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 16 ||
        static_cast<int64_t>(keys::ReadBe64(ToView(it->key()), 0)) >= cutoff_ms) {
      break;
    }
    batch.Delete(cf(Cf::kAudit), it->key());
    ++counts.audit;
    if (batch.Count() >= kSweepBatch) {
      SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
      batch.Clear();
    }
  }
  if (!it->status().ok()) return StorageError(it->status(), "sweep");
  if (batch.Count() > 0) SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
  return Status::Ok();
}

Result<SweepCounts> RocksStore::Sweep(int64_t retention_ms, int64_t audit_retention_ms) {
  SweepCounts counts;
  int64_t now = clock_.NowUnixMs();
  int64_t cutoff = now - retention_ms;
  SBS_RETURN_IF_ERROR(SweepEnvelopes(cutoff, counts));
  SBS_RETURN_IF_ERROR(SweepAudit(now - audit_retention_ms, counts));

  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kIdempotency)));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      v1::IdempotencyRecord record;
      if (record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) &&
          record.server_timestamp_unix_ms() < cutoff) {
        batch.Delete(cf(Cf::kIdempotency), it->key());
        ++counts.idempotency;
        if (batch.Count() >= kSweepBatch) {
          SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
          batch.Clear();
        }
      }
    }
    if (!it->status().ok()) return StorageError(it->status(), "sweep");
    if (batch.Count() > 0) SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
  }

  {
    // Under the link mutex, so a concurrent redeem sees the invite or not.
    std::lock_guard<std::mutex> lock(link_mu_);
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kInvites)));
    rocksdb::WriteBatch batch;
    const std::string record_tag(1, keys::kInviteRecordTag);
    for (it->Seek(ToSlice(record_tag)); it->Valid() && StartsWith(it->key(), record_tag);
         it->Next()) {
      v1::InviteRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
      if (record.expires_at_unix_ms() > now) continue;
      std::string_view hash = ToView(it->key()).substr(1);
      batch.Delete(cf(Cf::kInvites), it->key());
      batch.Delete(cf(Cf::kInvites), keys::InviteIndex(record.therapist_user_id(), hash));
      ++counts.invites;
    }
    if (!it->status().ok()) return StorageError(it->status(), "sweep");
    if (batch.Count() > 0) SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
  }

  SBS_RETURN_IF_ERROR(SweepByExpiry(Cf::kTokens, counts));
  SBS_RETURN_IF_ERROR(SweepByExpiry(Cf::kRegistrationTokens, counts));
  return counts;
}

}  // namespace securebase::server
