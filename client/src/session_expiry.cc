// Unanswered sessions expire (session_expiry.h).
#include "session_expiry.h"

#include <algorithm>
#include <vector>

#include "device_address.h"

namespace securebase::client {

void NoteSessionStarted(records::Contact& contact, uint32_t device, int64_t now) {
  (*contact.mutable_unanswered_since_unix_ms())[device] = now;
}

Result<bool> ExpireUnansweredSessions(Stores& stores, records::Contact& contact, int64_t now) {
  bool dropped = false;
  std::vector<uint32_t> settled;
  for (const auto& [device, since] : contact.unanswered_since_unix_ms()) {
    SB_ASSIGN_OR_RETURN(const crypto::DeviceAddress address, AddressOf(contact.user_id(), device));
    auto loaded = stores.sessions().LoadSession(address);
    if (!loaded.ok()) return stores.errors().FromCipher(loaded.status());
    bool waiting = false;
    if (*loaded) {
      waiting = (*loaded)->has_current() && (*loaded)->current().awaiting_reply();
      stores.sessions().ReleaseSession(address, std::move(**loaded));
    }
    if (!waiting) {
      settled.push_back(device);  // Answered (or gone): nothing to expire.
    } else if (now - since >= kUnansweredSessionMaxAgeMs) {
      stores.sessions().Delete(address);
      auto* ids = contact.mutable_device_ids();
      ids->erase(std::remove(ids->begin(), ids->end(), device), ids->end());
      settled.push_back(device);
      dropped = true;
    }
  }
  for (uint32_t device : settled) contact.mutable_unanswered_since_unix_ms()->erase(device);
  return dropped;
}

}  // namespace securebase::client
