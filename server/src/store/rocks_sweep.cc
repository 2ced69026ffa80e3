// The retention sweep: expired envelopes, idempotency records, invites and
// tokens. Deletes in bounded batches, unsynced (a lost sweep is redone).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {
namespace {

constexpr uint32_t kSweepBatch = 1000;

}  // namespace

// Deletes go out in unsynced batches of kSweepBatch: a sweep never holds more
// in memory or in one write, however much expired.
class RocksStore::SweepBatch {
 public:
  explicit SweepBatch(RocksStore& store) : store_(store) {}
  Status Delete(Cf family, const rocksdb::Slice& key) {
    batch_.Delete(store_.cf(family), key);
    if (batch_.Count() < kSweepBatch) return Status::Ok();
    return Flush();
  }
  // Writes what is left; call once at the end.
  Status Flush() {
    if (batch_.Count() == 0) return Status::Ok();
    Status written = store_.Write(batch_, /*sync=*/false);
    batch_.Clear();
    return written;
  }

 private:
  RocksStore& store_;
  rocksdb::WriteBatch batch_;
};

Status RocksStore::SweepEnvelopes(int64_t cutoff_ms, SweepCounts& counts) {
  // Visits each mailbox's oldest envelope; a mailbox is in seq order, which
  // is time order, so only a mailbox whose oldest envelope expired has work.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kMailboxes)));
  const std::string envelope_tag(1, keys::kEnvelopeTag);
  it->Seek(ToSlice(envelope_tag));
  while (it->Valid() && StartsWith(it->key(), envelope_tag)) {
    if (it->key().size() != keys::kEnvelopeKeySize) return Status::Internal("corrupt mailbox key");
    v1::EnvelopeRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Internal("corrupt envelope record");
    }
    const std::string prefix(ToView(it->key()).substr(0, keys::kMailboxPrefixSize));
    if (record.server_timestamp_unix_ms() < cutoff_ms) {
      std::lock_guard<std::mutex> delete_lock(delete_mu_.For(prefix));
      SBS_RETURN_IF_ERROR(SweepMailboxLocked(prefix, cutoff_ms, counts));
    }
    auto next = keys::PrefixSuccessor(prefix);
    if (!next.has_value()) break;
    it->Seek(*next);
  }
  if (!it->status().ok()) return StorageError(it->status(), "sweep");
  return Status::Ok();
}

Status RocksStore::SweepMailboxLocked(std::string_view mailbox_prefix, int64_t cutoff_ms,
                                      SweepCounts& counts) {
  // A fresh look under the mailbox's delete lock: what an acknowledgement
  // deleted meanwhile is not deleted (and subtracted) again.
  auto scan = RangeScan::OfPrefix(*db_, cf(Cf::kMailboxes), mailbox_prefix);
  rocksdb::Iterator* it = scan->get();
  const std::string prefix(mailbox_prefix);
  std::vector<GroupCommitter::Put> deletes;
  MailboxUsage removed;
  // Each batch carries its own usage update, so the record stays right if
  // the sweep stops half way.
  auto commit = [&]() -> Status {
    if (deletes.empty()) return Status::Ok();
    Status committed = CommitDeletes(prefix, std::move(deletes), removed);
    deletes.clear();
    removed = MailboxUsage{};
    return committed;
  };
  for (scan->SeekToLower(); it->Valid(); it->Next()) {
    v1::EnvelopeRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Internal("corrupt envelope record");
    }
    if (record.server_timestamp_unix_ms() >= cutoff_ms) break;
    deletes.push_back({cf(Cf::kMailboxes), it->key().ToString(), "", GroupCommitter::Op::kDelete});
    removed += MailboxUsage{1, static_cast<int64_t>(it->value().size())};
    ++counts.envelopes;
    if (deletes.size() >= kSweepBatch) SBS_RETURN_IF_ERROR(commit());
  }
  if (!it->status().ok()) return StorageError(it->status(), "sweep");
  return commit();
}

Status RocksStore::SweepByExpiry(Cf family, SweepCounts& counts) {
  int64_t now = clock_.NowUnixMs();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(family)));
  SweepBatch batch(*this);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    int64_t expires = 0;
    if (family == Cf::kTokens) {
      v1::TokenRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
      expires = record.expires_at_unix_ms();
      if (expires <= now) {
        ++counts.tokens;
        SBS_RETURN_IF_ERROR(batch.Delete(
            Cf::kDeviceTokens, keys::TokenIndex(record.user_id(), record.device_id(),
                                                static_cast<uint64_t>(record.created_at_unix_ms()),
                                                ToView(it->key()))));
      }
    } else if (family == Cf::kRegistrationTokens) {
      v1::RegistrationTokenRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
      expires = record.expires_at_unix_ms();
      if (expires <= now) ++counts.registration_tokens;
    } else {
      continue;
    }
    if (expires <= now) SBS_RETURN_IF_ERROR(batch.Delete(family, it->key()));
  }
  if (!it->status().ok()) return StorageError(it->status(), "sweep");
  return batch.Flush();
}

// Audit keys start with their time, so the old ones are a prefix of the
// column family: delete from its start up to the cutoff.
Status RocksStore::SweepAudit(int64_t cutoff_ms, SweepCounts& counts) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kAudit)));
  SweepBatch batch(*this);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 16 ||
        static_cast<int64_t>(keys::ReadBe64(ToView(it->key()), 0)) >= cutoff_ms) {
      break;
    }
    SBS_RETURN_IF_ERROR(batch.Delete(Cf::kAudit, it->key()));
    ++counts.audit;
  }
  if (!it->status().ok()) return StorageError(it->status(), "sweep");
  return batch.Flush();
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
    SweepBatch batch(*this);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      v1::IdempotencyRecord record;
      if (record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) &&
          record.server_timestamp_unix_ms() < cutoff) {
        SBS_RETURN_IF_ERROR(batch.Delete(Cf::kIdempotency, it->key()));
        ++counts.idempotency;
      }
    }
    if (!it->status().ok()) return StorageError(it->status(), "sweep");
    SBS_RETURN_IF_ERROR(batch.Flush());
  }

  {
    // Under the link mutex, so a concurrent redeem sees the invite or not.
    std::lock_guard<std::mutex> lock(link_mu_);
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kInvites)));
    SweepBatch batch(*this);
    const std::string record_tag(1, keys::kInviteRecordTag);
    for (it->Seek(ToSlice(record_tag)); it->Valid() && StartsWith(it->key(), record_tag);
         it->Next()) {
      v1::InviteRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
      if (record.expires_at_unix_ms() > now) continue;
      std::string_view hash = ToView(it->key()).substr(1);
      // The index first: if the two land in different batches and only the
      // first survives a crash, the next sweep still finds the record.
      SBS_RETURN_IF_ERROR(
          batch.Delete(Cf::kInvites, keys::InviteIndex(record.therapist_user_id(), hash)));
      SBS_RETURN_IF_ERROR(batch.Delete(Cf::kInvites, it->key()));
      ++counts.invites;
    }
    if (!it->status().ok()) return StorageError(it->status(), "sweep");
    SBS_RETURN_IF_ERROR(batch.Flush());
  }

  SBS_RETURN_IF_ERROR(SweepByExpiry(Cf::kTokens, counts));
  SBS_RETURN_IF_ERROR(SweepByExpiry(Cf::kRegistrationTokens, counts));
  return counts;
}

}  // namespace securebase::server
