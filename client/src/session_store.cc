#include "session_store.h"

#include <cstdlib>
#include <utility>

#include "securebase/crypto/encoding.h"

namespace securebase::client {
namespace {

std::string RecordName(const crypto::DeviceAddress& address) {
  return "sessions/" + crypto::ToHex(address.user_id.span()) + "/" +
         std::to_string(address.device_id);
}
// The layout up to e8ce7d0: the current session, and the one it replaced.
std::string LegacyName(const crypto::DeviceAddress& address) {
  return "session/" + crypto::ToHex(address.user_id.span()) + "/" +
         std::to_string(address.device_id);
}
std::string LegacyPreviousName(const crypto::DeviceAddress& address) {
  return LegacyName(address) + "/previous";
}

const Status kDamaged(ErrorCode::kVaultCorrupted, "a stored session is damaged");

}  // namespace

Result<VaultSessionStore::Entry> VaultSessionStore::Read(const crypto::DeviceAddress& address) {
  Entry entry;
  SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> blob, txn_.Get(RecordName(address)));
  if (blob) {
    auto record = crypto::SessionRecord::Deserialize(blob->span());
    if (!record.ok()) return kDamaged;
    entry.record.emplace(std::move(record).value());
    return entry;
  }
  SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> current, txn_.Get(LegacyName(address)));
  SB_ASSIGN_OR_RETURN(std::optional<crypto::SecretBytes> previous,
                      txn_.Get(LegacyPreviousName(address)));
  entry.legacy = current || previous;
  for (const auto* legacy : {&previous, &current}) {  // Oldest first: Promote keeps order.
    if (!*legacy) continue;
    auto session = crypto::Session::Deserialize((*legacy)->span());
    if (!session.ok()) return kDamaged;
    if (!entry.record) entry.record.emplace();
    entry.record->Promote(std::move(session).value());
  }
  return entry;
}

crypto::Result<std::optional<crypto::SessionRecord>> VaultSessionStore::LoadSession(
    const crypto::DeviceAddress& address) {
  auto cached = cache_.find(address);
  if (cached == cache_.end()) {
    Result<Entry> read = Read(address);
    if (!read.ok()) return errors_.Record(read.status());
    cached = cache_.emplace(address, std::move(read).value()).first;
  }
  Entry& entry = cached->second;
  if (entry.lent) std::abort();  // The cipher borrows one device's record at a time.
  if (!entry.record) return std::optional<crypto::SessionRecord>();
  entry.lent = true;
  std::optional<crypto::SessionRecord> lent(std::move(*entry.record));
  entry.record.reset();
  return lent;
}

crypto::Status VaultSessionStore::StoreSession(const crypto::DeviceAddress& address,
                                               crypto::SessionRecord record) {
  Entry& entry = cache_[address];
  entry.record.emplace(std::move(record));
  entry.lent = false;
  entry.changed = true;
  return crypto::Status::Ok();
}

void VaultSessionStore::ReleaseSession(const crypto::DeviceAddress& address,
                                       crypto::SessionRecord record) {
  Entry& entry = cache_[address];
  entry.record.emplace(std::move(record));
  entry.lent = false;
}

void VaultSessionStore::Delete(const crypto::DeviceAddress& address) {
  Entry& entry = cache_[address];
  if (entry.lent) std::abort();  // Never while the cipher holds it.
  entry.record.reset();
  entry.changed = true;
  entry.legacy = true;  // Whatever is on disk goes, in either layout.
}

void VaultSessionStore::Flush() {
  for (auto& [address, entry] : cache_) {
    if (!entry.changed) continue;
    if (entry.record) {
      crypto::SecretBytes state = entry.record->Serialize();
      txn_.Put(RecordName(address), state.span());
    } else {
      txn_.Delete(RecordName(address));
    }
    if (entry.legacy) {
      txn_.Delete(LegacyName(address));
      txn_.Delete(LegacyPreviousName(address));
      entry.legacy = false;
    }
    entry.changed = false;
  }
}

}  // namespace securebase::client
