// Sessions this device started that never got a reply expire (libsignal's
// rule: 30 days). Private to client/.
//
// A session this device initiated sends X3DH initial messages until the peer
// answers. If no answer comes for kUnansweredSessionMaxAgeMs, the peer may
// never have received them (withheld, or its prekeys are gone), so the next
// send to that device drops the session and starts a new first contact from
// a fresh bundle instead of adding to a session nobody reads. The clock is
// the client's (ClientOptions::clock). Sessions with the account's own other
// devices are left alone (they answer only when the user writes there).
#ifndef SECUREBASE_CLIENT_SRC_SESSION_EXPIRY_H_
#define SECUREBASE_CLIENT_SRC_SESSION_EXPIRY_H_

#include <cstdint>

#include "client/src/vault_records.pb.h"
#include "stores.h"

namespace securebase::client {

inline constexpr int64_t kUnansweredSessionMaxAgeMs = int64_t{30} * 24 * 3600 * 1000;

// Records that this device started a session with the contact's `device`
// at `now` (nothing answered yet).
void NoteSessionStarted(records::Contact& contact, uint32_t device, int64_t now);

// Whether the contact has sessions whose age is noted (a cheap check before
// ExpireUnansweredSessions).
inline bool HasUnansweredSessions(const records::Contact& contact) {
  return !contact.unanswered_since_unix_ms().empty();
}

// For each noted session: forgets the note once the session got a reply;
// past kUnansweredSessionMaxAgeMs without one, deletes the session and drops
// the device from the contact's list (the next send fetches its bundle
// again). Returns whether a session was dropped.
Result<bool> ExpireUnansweredSessions(Stores& stores, records::Contact& contact, int64_t now);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_SESSION_EXPIRY_H_
