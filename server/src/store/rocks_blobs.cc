// BlobStore on RocksDB (key layout in records.proto, BlobRecord). A chunk
// and the record's new stored size go in one WriteBatch, so a crash never
// leaves a chunk the record does not count, or the reverse.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {
namespace {

constexpr char kBlobRecordTag = 0x01;
constexpr char kBlobChunkTag = 0x02;
constexpr char kBlobOwnerTag = 0x03;
constexpr char kBlobCapabilityTag = 0x04;

std::string Tagged(char tag, std::string_view a, std::string_view b = {}) {
  std::string key(1, tag);
  key.append(a);
  key.append(b);
  return key;
}

std::string ChunkKey(std::string_view blob_id, uint64_t offset) {
  std::string key = Tagged(kBlobChunkTag, blob_id);
  keys::AppendBe32(key, static_cast<uint32_t>(offset / kBlobChunkSize));
  return key;
}

}  // namespace

Status RocksStore::CreateBlob(const std::string& blob_id, const v1::BlobRecord& record,
                              const BlobQuota& quota) {
  std::lock_guard<std::mutex> lock(blob_mu_.For(record.owner_user_id()));
  if (record.total_size() > quota.max_blob_bytes) {
    return Status::ResourceExhausted("total_size is larger than the blob limit (" +
                                     std::to_string(quota.max_blob_bytes) + " bytes)");
  }
  SBS_ASSIGN_OR_RETURN(auto owned, ListBlobs(record.owner_user_id()));
  uint64_t used = 0;
  for (const auto& [id, blob] : owned) used += blob.total_size();
  if (owned.size() >= quota.max_account_blobs) {
    return Status::ResourceExhausted("the account holds its maximum of " +
                                     std::to_string(quota.max_account_blobs) +
                                     " blobs; delete one first");
  }
  if (used + record.total_size() > quota.max_account_bytes) {
    return Status::ResourceExhausted("the account's blobs would exceed its quota (" +
                                     std::to_string(quota.max_account_bytes) + " bytes)");
  }
  std::string existing;
  Status got = Get(Cf::kBlobs, Tagged(kBlobRecordTag, blob_id), &existing);
  if (got.ok()) return Status::AlreadyExists("blob id collision");
  if (!got.IsNotFound()) return got;
  rocksdb::WriteBatch batch;
  if (!record.read_capability_hash().empty()) {
    got = Get(Cf::kBlobs, Tagged(kBlobCapabilityTag, record.read_capability_hash()), &existing);
    if (got.ok()) return Status::AlreadyExists("read_capability is already in use; make a new one");
    if (!got.IsNotFound()) return got;
    batch.Put(cf(Cf::kBlobs), Tagged(kBlobCapabilityTag, record.read_capability_hash()), blob_id);
  }
  batch.Put(cf(Cf::kBlobs), Tagged(kBlobRecordTag, blob_id), record.SerializeAsString());
  batch.Put(cf(Cf::kBlobs), Tagged(kBlobOwnerTag, record.owner_user_id(), blob_id), "");
  return Write(batch, /*sync=*/false);  // Synced with the first chunk (same WAL).
}

Result<v1::BlobRecord> RocksStore::GetBlobRecord(const std::string& blob_id) {
  SBS_ASSIGN_OR_RETURN(
      v1::BlobRecord record,
      GetRecord<v1::BlobRecord>(Cf::kBlobs, Tagged(kBlobRecordTag, blob_id), "blob"));
  if (record.expires_at_unix_ms() != 0 && record.expires_at_unix_ms() <= clock_.NowUnixMs()) {
    return Status::NotFound("no such blob");
  }
  return record;
}

Result<std::string> RocksStore::FindBlobByCapability(const std::string& capability_hash) {
  std::string blob_id;
  SBS_RETURN_IF_ERROR(Get(Cf::kBlobs, Tagged(kBlobCapabilityTag, capability_hash), &blob_id));
  return blob_id;
}

Result<v1::BlobRecord> RocksStore::AppendBlobChunk(const std::string& blob_id, const UserId& owner,
                                                   uint64_t offset, const std::string& data,
                                                   bool sync) {
  std::lock_guard<std::mutex> lock(blob_mu_.For(owner));
  auto found = GetBlobRecord(blob_id);
  if (!found.ok() || found->owner_user_id() != owner) {
    if (!found.ok() && !found.status().IsNotFound()) return found.status();
    return Status::NotFound("no such blob of this account");
  }
  v1::BlobRecord record = std::move(*found);
  if (record.stored_size() == record.total_size()) {
    return Status::FailedPrecondition("the blob is complete already");
  }
  if (offset != record.stored_size()) {
    return Status::FailedPrecondition("offset " + std::to_string(offset) +
                                      " is not the stored size " +
                                      std::to_string(record.stored_size()) + "; resume there");
  }
  const uint64_t left = record.total_size() - record.stored_size();
  if (data.size() > left) return Status::InvalidArgument("more data than total_size");
  if (data.size() != kBlobChunkSize && data.size() != left) {
    return Status::InvalidArgument("data must be " + std::to_string(kBlobChunkSize) +
                                   " bytes per message except the blob's last piece");
  }
  rocksdb::WriteBatch batch;
  batch.Put(cf(Cf::kBlobs), ChunkKey(blob_id, offset), data);
  record.set_stored_size(record.stored_size() + data.size());
  const bool complete = record.stored_size() == record.total_size();
  if (complete && record.kind() == v1::BLOB_KIND_BACKUP) {
    // Kept until replaced: the previous complete backups go now, with the
    // new one's last chunk.
    SBS_ASSIGN_OR_RETURN(auto owned, ListBlobs(owner));
    for (const auto& [id, other] : owned) {
      if (id != blob_id && other.kind() == v1::BLOB_KIND_BACKUP &&
          other.stored_size() == other.total_size()) {
        SBS_RETURN_IF_ERROR(DeleteBlobInto(batch, id, other));
      }
    }
    record.set_expires_at_unix_ms(0);
  }
  batch.Put(cf(Cf::kBlobs), Tagged(kBlobRecordTag, blob_id), record.SerializeAsString());
  SBS_RETURN_IF_ERROR(Write(batch, sync || complete));
  return record;
}

Result<std::string> RocksStore::ReadBlobChunk(const std::string& blob_id, uint64_t offset) {
  std::string data;
  SBS_RETURN_IF_ERROR(Get(Cf::kBlobs, ChunkKey(blob_id, offset), &data));
  return data;
}

Status RocksStore::DeleteBlobInto(rocksdb::WriteBatch& batch, const std::string& blob_id,
                                  const v1::BlobRecord& record) {
  batch.Delete(cf(Cf::kBlobs), Tagged(kBlobRecordTag, blob_id));
  batch.Delete(cf(Cf::kBlobs), Tagged(kBlobOwnerTag, record.owner_user_id(), blob_id));
  if (!record.read_capability_hash().empty()) {
    batch.Delete(cf(Cf::kBlobs), Tagged(kBlobCapabilityTag, record.read_capability_hash()));
  }
  const std::string first = Tagged(kBlobChunkTag, blob_id);
  auto successor = keys::PrefixSuccessor(first);
  if (successor.has_value()) batch.DeleteRange(cf(Cf::kBlobs), first, *successor);
  return Status::Ok();
}

Status RocksStore::DeleteBlob(const std::string& blob_id, const UserId& owner) {
  std::lock_guard<std::mutex> lock(blob_mu_.For(owner));
  auto record = GetRecord<v1::BlobRecord>(Cf::kBlobs, Tagged(kBlobRecordTag, blob_id), "blob");
  if (!record.ok() || record->owner_user_id() != owner) {
    if (!record.ok() && !record.status().IsNotFound()) return record.status();
    return Status::NotFound("no such blob of this account");
  }
  rocksdb::WriteBatch batch;
  SBS_RETURN_IF_ERROR(DeleteBlobInto(batch, blob_id, *record));
  return Write(batch, /*sync=*/true);
}

Result<std::vector<std::pair<std::string, v1::BlobRecord>>> RocksStore::ListBlobs(
    const UserId& owner) {
  std::vector<std::pair<std::string, v1::BlobRecord>> out;
  const std::string prefix = Tagged(kBlobOwnerTag, owner);
  auto scan = RangeScan::OfPrefix(*db_, cf(Cf::kBlobs), prefix);
  rocksdb::Iterator* it = scan->get();
  for (scan->SeekToLower(); it->Valid(); it->Next()) {
    std::string blob_id = it->key().ToString().substr(prefix.size());
    auto record = GetRecord<v1::BlobRecord>(Cf::kBlobs, Tagged(kBlobRecordTag, blob_id), "blob");
    if (record.status().IsNotFound()) continue;
    SBS_RETURN_IF_ERROR(record.status());
    out.emplace_back(std::move(blob_id), std::move(*record));
  }
  if (!it->status().ok()) return StorageError(it->status(), "list_blobs");
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second.created_at_unix_ms() < b.second.created_at_unix_ms();
  });
  return out;
}

Result<uint64_t> RocksStore::SweepBlobs(int64_t now_ms, uint32_t max) {
  std::vector<std::pair<std::string, v1::BlobRecord>> expired;
  {
    const std::string prefix(1, kBlobRecordTag);
    auto scan = RangeScan::OfPrefix(*db_, cf(Cf::kBlobs), prefix);
    rocksdb::Iterator* it = scan->get();
    for (scan->SeekToLower(); it->Valid() && expired.size() < max; it->Next()) {
      v1::BlobRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return Status::Internal("corrupt blob record");
      }
      if (record.expires_at_unix_ms() != 0 && record.expires_at_unix_ms() <= now_ms) {
        expired.emplace_back(it->key().ToString().substr(1), std::move(record));
      }
    }
    if (!it->status().ok()) return StorageError(it->status(), "sweep_blobs");
  }
  for (const auto& [id, record] : expired) {
    std::lock_guard<std::mutex> lock(blob_mu_.For(record.owner_user_id()));
    rocksdb::WriteBatch batch;
    SBS_RETURN_IF_ERROR(DeleteBlobInto(batch, id, record));
    SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/false));
  }
  return static_cast<uint64_t>(expired.size());
}

}  // namespace securebase::server
