// AccountStore::RemoveDevice on RocksDB: everything a device holds goes in
// one WriteBatch, so a removal is all or nothing.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "server/src/common/secrets.h"
#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {

Status RocksStore::RemoveDevice(const UserId& user_id, uint32_t device_id) {
  // The same lock as AddDevice, UploadPreKeys and logins of the account.
  std::lock_guard<std::mutex> lock(user_mu_.For(user_id));
  SBS_RETURN_IF_ERROR(GetDevice(user_id, device_id).status());
  rocksdb::WriteBatch batch;
  batch.Delete(cf(Cf::kDevices), keys::Device(user_id, device_id));
  // Deletes every key of `family` under `prefix` (bounded by the account's
  // quotas: at most the pool size, the mailbox quota, the token limit).
  auto delete_prefix = [&](Cf family, const std::string& prefix, const char* what) -> Status {
    auto scan = RangeScan::OfPrefix(*db_, cf(family), prefix);
    rocksdb::Iterator* it = scan->get();
    for (scan->SeekToLower(); it->Valid(); it->Next()) batch.Delete(cf(family), it->key());
    if (!it->status().ok()) return StorageError(it->status(), what);
    return Status::Ok();
  };
  SBS_RETURN_IF_ERROR(
      delete_prefix(Cf::kPreKeys, keys::PreKeyDevicePrefix(user_id, device_id), "remove_prekeys"));
  SBS_RETURN_IF_ERROR(
      delete_prefix(Cf::kMailboxes, keys::MailboxPrefix(user_id, device_id), "remove_mailbox"));
  batch.Delete(cf(Cf::kMailboxes), keys::HighWater(user_id, device_id));
  batch.Delete(cf(Cf::kMailboxUsage), keys::MailboxUsage(user_id, device_id));
  // Tokens stay until they expire (the sweep deletes them and their index
  // entries as for any token), marked so their calls get a clear answer.
  {
    auto scan = RangeScan::OfPrefix(*db_, cf(Cf::kDeviceTokens), keys::Device(user_id, device_id));
    rocksdb::Iterator* it = scan->get();
    for (scan->SeekToLower(); it->Valid(); it->Next()) {
      if (it->key().size() != keys::kTokenIndexKeySize)
        return Status::Internal("corrupt token index");
      const std::string hash(it->key().data() + keys::kTokenIndexKeySize - kSecretHashSize,
                             kSecretHashSize);
      auto token = GetRecord<v1::TokenRecord>(Cf::kTokens, hash, "token");
      if (token.status().IsNotFound()) continue;
      SBS_RETURN_IF_ERROR(token.status());
      token->set_device_removed(true);
      batch.Put(cf(Cf::kTokens), ToSlice(hash), token->SerializeAsString());
    }
    if (!it->status().ok()) return StorageError(it->status(), "remove_tokens");
  }
  v1::AuditRecord audit;
  audit.set_event("device_removed");
  audit.set_user_id(user_id);
  audit.set_device_id(device_id);
  AddAudit(batch, std::move(audit));
  return Write(batch, /*sync=*/true);
}

}  // namespace securebase::server
