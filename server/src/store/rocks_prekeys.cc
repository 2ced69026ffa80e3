// PreKeyStore on RocksDB. Claims hold the user's stripe lock from read to
// commit, so concurrent claims never see (and hand out) the same key.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {

Result<uint32_t> RocksStore::UploadPreKeys(const MailboxAddress& device,
                                           const std::optional<v1::SignedPreKey>& signed_prekey,
                                           const std::vector<v1::OneTimePreKey>& one_time_prekeys,
                                           uint32_t max_pool) {
  std::lock_guard<std::mutex> lock(user_mu_.For(device.user_id));
  SBS_ASSIGN_OR_RETURN(v1::DeviceRecord record, GetDevice(device.user_id, device.device_id));
  std::string prefix = keys::PreKeyDevicePrefix(device.user_id, device.device_id);
  for (const auto& prekey : one_time_prekeys) {
    std::string ignored;
    Status got =
        Get(Cf::kPreKeys, keys::PreKey(device.user_id, device.device_id, prekey.key_id()), &ignored);
    if (got.ok()) {
      return Status::InvalidArgument("one_time_prekeys: key id " + std::to_string(prekey.key_id()) +
                                     " is already in the pool");
    }
    if (!got.IsNotFound()) return got;
  }
  SBS_ASSIGN_OR_RETURN(uint32_t pool, CountPrefix(Cf::kPreKeys, prefix));
  uint64_t after = static_cast<uint64_t>(pool) + one_time_prekeys.size();
  if (after > max_pool) {
    return Status::ResourceExhausted("one_time_prekeys: the pool would hold " +
                                     std::to_string(after) + " keys, more than the maximum of " +
                                     std::to_string(max_pool));
  }
  rocksdb::WriteBatch batch;
  if (signed_prekey.has_value()) {
    *record.mutable_signed_prekey() = *signed_prekey;
    batch.Put(cf(Cf::kDevices), keys::Device(device.user_id, device.device_id),
              record.SerializeAsString());
  }
  for (const auto& prekey : one_time_prekeys) {
    v1::PreKeyRecord prekey_record;
    prekey_record.set_public_key(prekey.public_key());
    batch.Put(cf(Cf::kPreKeys), keys::PreKey(device.user_id, device.device_id, prekey.key_id()),
              prekey_record.SerializeAsString());
  }
  v1::AuditRecord audit;
  audit.set_event("prekeys_uploaded");
  audit.set_user_id(device.user_id);
  audit.set_device_id(device.device_id);
  audit.set_detail("one_time=" + std::to_string(one_time_prekeys.size()) +
                   (signed_prekey.has_value() ? " signed_prekey=replaced" : ""));
  AddAudit(batch, std::move(audit));
  SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/true));
  return static_cast<uint32_t>(after);
}

Status RocksStore::SetDeviceBinding(const MailboxAddress& device, const std::string& binding) {
  std::lock_guard<std::mutex> lock(user_mu_.For(device.user_id));
  SBS_ASSIGN_OR_RETURN(v1::DeviceRecord record, GetDevice(device.user_id, device.device_id));
  if (record.device_binding() == binding) return Status::Ok();
  record.set_device_binding(binding);
  rocksdb::WriteBatch batch;
  batch.Put(cf(Cf::kDevices), keys::Device(device.user_id, device.device_id),
            record.SerializeAsString());
  v1::AuditRecord audit;
  audit.set_event("device_binding_set");
  audit.set_user_id(device.user_id);
  audit.set_device_id(device.device_id);
  AddAudit(batch, std::move(audit));
  return Write(batch, /*sync=*/true);
}

Result<uint32_t> RocksStore::CountPreKeys(const MailboxAddress& device) {
  return CountPrefix(Cf::kPreKeys, keys::PreKeyDevicePrefix(device.user_id, device.device_id));
}

Result<ClaimedBundles> RocksStore::ClaimPreKeyBundles(const UserId& user_id) {
  std::lock_guard<std::mutex> lock(user_mu_.For(user_id));
  ClaimedBundles bundles;
  SBS_ASSIGN_OR_RETURN(bundles.account, GetAccount(user_id));
  SBS_ASSIGN_OR_RETURN(std::vector<v1::DeviceRecord> devices, ListDevices(user_id));
  rocksdb::WriteBatch batch;
  bool changed = false;
  for (const auto& device : devices) {
    ClaimedBundle bundle;
    bundle.device_id = device.device_id();
    bundle.signed_prekey = device.signed_prekey();
    bundle.device_binding = device.device_binding();
    std::string prefix = keys::PreKeyDevicePrefix(user_id, device.device_id());
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kPreKeys)));
    it->Seek(ToSlice(prefix));
    if (it->Valid() && StartsWith(it->key(), prefix)) {
      v1::PreKeyRecord record;
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return Status::Internal("corrupt prekey record");
      }
      v1::OneTimePreKey prekey;
      prekey.set_key_id(keys::PreKeyIdOf(ToView(it->key())));
      prekey.set_public_key(record.public_key());
      bundle.one_time_prekey = std::move(prekey);
      batch.Delete(cf(Cf::kPreKeys), it->key());
      changed = true;
      it->Next();
      if (!(it->Valid() && StartsWith(it->key(), prefix)) && it->status().ok()) {
        v1::AuditRecord audit;
        audit.set_event("prekeys_exhausted");
        audit.set_user_id(user_id);
        audit.set_device_id(device.device_id());
        AddAudit(batch, std::move(audit));
      }
    }
    if (!it->status().ok()) return StorageError(it->status(), "claim_prekeys");
    bundles.devices.push_back(std::move(bundle));
  }
  if (changed) SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/true));
  return bundles;
}

}  // namespace securebase::server
