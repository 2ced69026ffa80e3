// AccountStore and TokenStore on RocksDB.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <vector>

#include "server/src/common/secrets.h"
#include "server/src/store/keys.h"
#include "server/src/store/rocks_internal.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {
namespace {

const char* RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_CLIENT: return "client";
    case v1::ROLE_THERAPIST: return "therapist";
    default: return "unspecified";
  }
}

}  // namespace

void RocksStore::PutDeviceRecords(rocksdb::WriteBatch& batch, const UserId& user_id,
                                  uint32_t device_id, const NewDeviceKeys& device) {
  v1::DeviceRecord record;
  record.set_device_id(device_id);
  record.set_device_auth_key(device.device_auth_key);
  *record.mutable_signed_prekey() = device.signed_prekey;
  record.set_created_at_unix_ms(clock_.NowUnixMs());
  record.set_device_binding(device.device_binding);
  batch.Put(cf(Cf::kDevices), keys::Device(user_id, device_id), record.SerializeAsString());
  for (const auto& prekey : device.one_time_prekeys) {
    v1::PreKeyRecord prekey_record;
    prekey_record.set_public_key(prekey.public_key());
    batch.Put(cf(Cf::kPreKeys), keys::PreKey(user_id, device_id, prekey.key_id()),
              prekey_record.SerializeAsString());
  }
}

Status RocksStore::CreateAccount(const v1::AccountRecord& account, const NewDeviceKeys& device,
                                 const std::optional<std::string>& registration_token_hash) {
  std::lock_guard<std::mutex> lock(account_mu_);
  std::string existing;
  Status got = Get(Cf::kIdentityKeys, account.identity_key(), &existing);
  if (got.ok()) return Status::AlreadyExists("identity_key is already registered");
  if (!got.IsNotFound()) return got;
  got = Get(Cf::kAccounts, account.user_id(), &existing);
  if (got.ok()) return Status::AlreadyExists("user id collision");
  if (!got.IsNotFound()) return got;

  rocksdb::WriteBatch batch;
  if (registration_token_hash.has_value()) {
    auto token = GetRecord<v1::RegistrationTokenRecord>(Cf::kRegistrationTokens,
                                                        *registration_token_hash, "token");
    if (!token.ok() && !token.status().IsNotFound()) return token.status();
    if (!token.ok() || token->expires_at_unix_ms() <= clock_.NowUnixMs()) {
      return Status::PermissionDenied(
          "registration_token is not a valid unused therapist registration token");
    }
    batch.Delete(cf(Cf::kRegistrationTokens), ToSlice(*registration_token_hash));
  }
  v1::AccountRecord record = account;
  record.set_created_at_unix_ms(clock_.NowUnixMs());
  record.set_next_device_id(2);
  batch.Put(cf(Cf::kAccounts), ToSlice(record.user_id()), record.SerializeAsString());
  batch.Put(cf(Cf::kIdentityKeys), ToSlice(record.identity_key()), ToSlice(record.user_id()));
  PutDeviceRecords(batch, record.user_id(), 1, device);

  v1::AuditRecord audit;
  audit.set_event("register");
  audit.set_user_id(record.user_id());
  audit.set_device_id(1);
  std::string detail = std::string("role=") + RoleName(record.role());
  if (registration_token_hash.has_value()) detail += " registration_token=used";
  audit.set_detail(detail);
  AddAudit(batch, std::move(audit));
  return Write(batch, /*sync=*/true);
}

Result<v1::AccountRecord> RocksStore::GetAccount(const UserId& user_id) {
  return GetRecord<v1::AccountRecord>(Cf::kAccounts, user_id, "user");
}

Result<uint32_t> RocksStore::AddDevice(const UserId& user_id, const NewDeviceKeys& device,
                                       uint32_t max_devices) {
  std::lock_guard<std::mutex> lock(user_mu_.For(user_id));
  SBS_ASSIGN_OR_RETURN(v1::AccountRecord account, GetAccount(user_id));
  SBS_ASSIGN_OR_RETURN(uint32_t count, CountPrefix(Cf::kDevices, user_id));
  if (count >= max_devices) {
    return Status::ResourceExhausted("the account already has the maximum of " +
                                     std::to_string(max_devices) + " devices");
  }
  const uint32_t next = account.next_device_id();
  const uint32_t device_id = device.device_id == 0 ? next : device.device_id;
  if (device_id < next) {
    return Status::FailedPrecondition("device id " + std::to_string(device_id) +
                                      " was already used in this account (the next unused id is " +
                                      std::to_string(next) + "); sign a binding for a new id");
  }
  if (device_id - next >= kMaxDeviceIdAhead) {
    return Status::FailedPrecondition("device id " + std::to_string(device_id) +
                                      " is too far above the next unused id " +
                                      std::to_string(next));
  }
  account.set_next_device_id(device_id + 1);
  rocksdb::WriteBatch batch;
  batch.Put(cf(Cf::kAccounts), ToSlice(user_id), account.SerializeAsString());
  PutDeviceRecords(batch, user_id, device_id, device);
  v1::AuditRecord audit;
  audit.set_event("device_added");
  audit.set_user_id(user_id);
  audit.set_device_id(device_id);
  AddAudit(batch, std::move(audit));
  SBS_RETURN_IF_ERROR(Write(batch, /*sync=*/true));
  return device_id;
}

Result<v1::DeviceRecord> RocksStore::GetDevice(const UserId& user_id, uint32_t device_id) {
  return GetRecord<v1::DeviceRecord>(Cf::kDevices, keys::Device(user_id, device_id), "device");
}

Result<std::vector<v1::DeviceRecord>> RocksStore::ListDevices(const UserId& user_id) {
  std::vector<v1::DeviceRecord> devices;
  auto scan = RangeScan::OfPrefix(*db_, cf(Cf::kDevices), user_id);
  rocksdb::Iterator* it = scan->get();
  for (scan->SeekToLower(); it->Valid(); it->Next()) {
    v1::DeviceRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Internal("corrupt device record");
    }
    devices.push_back(std::move(record));
  }
  if (!it->status().ok()) return StorageError(it->status(), "list_devices");
  return devices;
}

Status RocksStore::CreateSessionToken(const std::string& token_hash, const v1::TokenRecord& token,
                                      uint32_t max_per_device) {
  const std::string& user_id = token.user_id();
  // Per user, so two logins of one device count each other's tokens.
  std::lock_guard<std::mutex> lock(user_mu_.For(user_id));
  rocksdb::WriteBatch batch;
  // The device's tokens, oldest first; expired ones go now.
  std::vector<std::string> live;
  const int64_t now = clock_.NowUnixMs();
  {
    auto scan =
        RangeScan::OfPrefix(*db_, cf(Cf::kDeviceTokens), keys::Device(user_id, token.device_id()));
    rocksdb::Iterator* it = scan->get();
    for (scan->SeekToLower(); it->Valid(); it->Next()) {
      if (it->key().size() != keys::kTokenIndexKeySize || it->value().size() != 8) {
        return Status::Internal("corrupt token index");
      }
      const rocksdb::Slice hash(it->key().data() + keys::kTokenIndexKeySize - kSecretHashSize,
                                kSecretHashSize);
      if (static_cast<int64_t>(keys::ReadBe64(ToView(it->value()), 0)) <= now) {
        batch.Delete(cf(Cf::kDeviceTokens), it->key());
        batch.Delete(cf(Cf::kTokens), hash);
      } else {
        live.push_back(it->key().ToString());
      }
    }
    if (!it->status().ok()) return StorageError(it->status(), "create_token");
  }
  // The index orders a device's tokens by creation time; two logins within
  // one millisecond would tie and fall back to their (random) hashes, and
  // the limit could then revoke the newer one. The new token is placed after
  // every live one (its recorded creation time moves by at most a few ms).
  v1::TokenRecord stored = token;
  if (!live.empty()) {
    const uint64_t newest = keys::ReadBe64(live.back(), keys::kTokenIndexPrefixSize);
    if (static_cast<uint64_t>(stored.created_at_unix_ms()) <= newest) {
      stored.set_created_at_unix_ms(static_cast<int64_t>(newest + 1));
    }
  }
  for (size_t i = 0; i + max_per_device <= live.size() && max_per_device > 0; ++i) {
    const std::string& index = live[i];
    batch.Delete(cf(Cf::kDeviceTokens), index);
    batch.Delete(cf(Cf::kTokens), ToSlice(std::string_view(index).substr(keys::kTokenIndexKeySize -
                                                                         kSecretHashSize)));
    v1::AuditRecord revoked;
    revoked.set_event("token_revoked");
    revoked.set_user_id(user_id);
    revoked.set_device_id(token.device_id());
    revoked.set_detail("reason=limit");
    AddAudit(batch, std::move(revoked));
  }
  batch.Put(cf(Cf::kTokens), ToSlice(token_hash), stored.SerializeAsString());
  batch.Put(cf(Cf::kDeviceTokens),
            keys::TokenIndex(user_id, stored.device_id(),
                             static_cast<uint64_t>(stored.created_at_unix_ms()), token_hash),
            keys::EncodeBe64(static_cast<uint64_t>(stored.expires_at_unix_ms())));
  v1::AuditRecord audit;
  audit.set_event("login_ok");
  audit.set_user_id(user_id);
  audit.set_device_id(token.device_id());
  AddAudit(batch, std::move(audit));
  return Write(batch, /*sync=*/true);
}

Result<v1::TokenRecord> RocksStore::GetSessionToken(const std::string& token_hash) {
  return GetRecord<v1::TokenRecord>(Cf::kTokens, token_hash, "token");
}

Status RocksStore::RevokeSessionToken(const std::string& token_hash) {
  SBS_ASSIGN_OR_RETURN(v1::TokenRecord token, GetSessionToken(token_hash));
  rocksdb::WriteBatch batch;
  batch.Delete(cf(Cf::kTokens), ToSlice(token_hash));
  batch.Delete(cf(Cf::kDeviceTokens),
               keys::TokenIndex(token.user_id(), token.device_id(),
                                static_cast<uint64_t>(token.created_at_unix_ms()), token_hash));
  v1::AuditRecord audit;
  audit.set_event("token_revoked");
  audit.set_user_id(token.user_id());
  audit.set_device_id(token.device_id());
  AddAudit(batch, std::move(audit));
  return Write(batch, /*sync=*/true);
}

Status RocksStore::CreateRegistrationToken(const std::string& token_hash,
                                           const v1::RegistrationTokenRecord& token) {
  rocksdb::WriteBatch batch;
  batch.Put(cf(Cf::kRegistrationTokens), ToSlice(token_hash), token.SerializeAsString());
  v1::AuditRecord audit;
  audit.set_event("registration_token_issued");
  AddAudit(batch, std::move(audit));
  return Write(batch, /*sync=*/true);
}

}  // namespace securebase::server
