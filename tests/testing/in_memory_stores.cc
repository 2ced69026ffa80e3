#include "tests/testing/in_memory_stores.h"

#include <array>
#include <utility>

namespace securebase::testing {

using crypto::DeviceAddress;
using crypto::IdentityChange;
using crypto::IdentityDirection;
using crypto::IdentityPublicKey;
using crypto::Result;
using crypto::Status;

Status StoreFaults::BeforeRead() {
  if (failing_reads_ > 0) {
    --failing_reads_;
    return Status::StorageFailure("injected read failure");
  }
  return Status::Ok();
}

Status StoreFaults::BeforeWrite() {
  if (failing_writes_ > 0) {
    --failing_writes_;
    return Status::StorageFailure("injected write failure");
  }
  ++writes_;
  return Status::Ok();
}

// --- sessions ----------------------------------------------------------------

Result<std::optional<crypto::SessionRecord>> InMemorySessionStore::LoadSession(
    const DeviceAddress& address) {
  SB_RETURN_IF_ERROR(BeforeRead());
  auto found = records_.find(address);
  if (found == records_.end()) return std::optional<crypto::SessionRecord>();
  SB_ASSIGN_OR_RETURN(crypto::SessionRecord record,
                      crypto::SessionRecord::Deserialize(found->second.span()));
  ++outstanding_;
  return std::optional<crypto::SessionRecord>(std::move(record));
}

Status InMemorySessionStore::StoreSession(const DeviceAddress& address,
                                          crypto::SessionRecord record) {
  if (records_.count(address)) --outstanding_;  // It was lent out first.
  SB_RETURN_IF_ERROR(BeforeWrite());
  records_[address] = record.Serialize();
  return Status::Ok();
}

void InMemorySessionStore::ReleaseSession(const DeviceAddress& address,
                                          crypto::SessionRecord record) {
  --outstanding_;
  // The stored bytes are the truth: a record given back must not differ.
  if (!records_.count(address) ||
      !crypto::ConstantTimeEquals(record.Serialize().span(), records_.at(address).span())) {
    std::abort();  // A cipher bug: it changed a record and did not store it.
  }
}

std::optional<crypto::Bytes> InMemorySessionStore::RawRecord(const DeviceAddress& address) const {
  auto found = records_.find(address);
  if (found == records_.end()) return std::nullopt;
  return crypto::Bytes(found->second.span().begin(), found->second.span().end());
}

// --- prekeys -----------------------------------------------------------------

void InMemoryPreKeyStore::AddSignedPreKey(const crypto::SignedPreKey& key) {
  signed_.insert_or_assign(key.id, key.Clone());
}

void InMemoryPreKeyStore::AddOneTimePreKey(const crypto::OneTimePreKey& key) {
  one_time_.insert_or_assign(key.id, key.Clone());
}

Result<std::optional<crypto::SignedPreKey>> InMemoryPreKeyStore::LoadSignedPreKey(uint32_t id) {
  SB_RETURN_IF_ERROR(BeforeRead());
  auto found = signed_.find(id);
  if (found == signed_.end()) return std::optional<crypto::SignedPreKey>();
  return std::optional<crypto::SignedPreKey>(found->second.Clone());
}

Result<std::optional<crypto::OneTimePreKey>> InMemoryPreKeyStore::LoadOneTimePreKey(uint32_t id) {
  SB_RETURN_IF_ERROR(BeforeRead());
  auto found = one_time_.find(id);
  if (found == one_time_.end()) return std::optional<crypto::OneTimePreKey>();
  return std::optional<crypto::OneTimePreKey>(found->second.Clone());
}

Status InMemoryPreKeyStore::RemoveOneTimePreKey(uint32_t id) {
  SB_RETURN_IF_ERROR(BeforeWrite());
  one_time_.erase(id);
  return Status::Ok();
}

// --- identities --------------------------------------------------------------

crypto::UserId NamedUser(std::string_view name) {
  std::array<uint8_t, crypto::kUserIdSize> bytes{};
  for (size_t i = 0; i < name.size() && i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(name[i]);
  return crypto::UserId(bytes);
}

InMemoryIdentityStore::InMemoryIdentityStore(crypto::IdentityKeyPair local,
                                             crypto::UserId local_user, ReceivePolicy policy)
    : local_(std::move(local)), local_user_(local_user), policy_(policy) {}

void InMemoryIdentityStore::Trust(const crypto::UserId& user) {
  auto found = known_.find(user);
  if (found != known_.end()) found->second.trusted = true;
}

std::optional<IdentityPublicKey> InMemoryIdentityStore::Known(const crypto::UserId& user) const {
  auto found = known_.find(user);
  if (found == known_.end()) return std::nullopt;
  return found->second.key;
}

Result<bool> InMemoryIdentityStore::IsTrustedIdentity(const DeviceAddress& address,
                                                      const IdentityPublicKey& key,
                                                      IdentityDirection direction) {
  SB_RETURN_IF_ERROR(BeforeRead());
  if (address.user_id == local_user_) return key == local_.public_key();
  auto found = known_.find(address.user_id);
  if (found == known_.end()) return true;  // First use.
  if (found->second.key == key) return found->second.trusted;
  return direction == IdentityDirection::kReceiving && policy_ == ReceivePolicy::kAcceptNewKeys;
}

Result<IdentityChange> InMemoryIdentityStore::SaveIdentity(const DeviceAddress& address,
                                                           const IdentityPublicKey& key) {
  SB_RETURN_IF_ERROR(BeforeWrite());
  if (address.user_id == local_user_) return IdentityChange::kUnchanged;
  auto found = known_.find(address.user_id);
  if (found == known_.end()) {
    known_.emplace(address.user_id, KnownIdentity{key, true});
    return IdentityChange::kNew;
  }
  if (found->second.key == key) return IdentityChange::kUnchanged;
  found->second = KnownIdentity{key, false};
  return IdentityChange::kReplaced;
}

}  // namespace securebase::testing
