// This device's signed prekey over time, and its device binding: what peers
// need to start a session with this device, and the one place that decides
// when those change. Private to client/.
//
// Rules (limits.h has the periods):
//   - every signed prekey carries the identity key's device-bound signature
//     for this device (peers refuse any other); the one a new account
//     registers with (the server needs one before the account's user id
//     exists, so it cannot be device-bound) is never used and never kept;
//   - a new one is made every kSignedPreKeyRotationSeconds (checked at every
//     sync), on demand (Client::RotateSignedPreKey), and at once for a vault
//     whose prekey predates rotation;
//   - a replaced one's private key, and its replay cache of accepted first
//     messages, are deleted kSignedPreKeyGraceSeconds after it was replaced
//     (first messages made from a bundle fetched before then can still sit in
//     the mailbox until the server's retention expires them);
//   - this device's binding record (crypto device_binding.h) is made once and
//     published with every new signed prekey.
// Crash safety: a new prekey's private half and the state naming it pending
// are committed before it is published; it becomes current only once the
// server confirmed it, and a pending one is published again at the next call.
// The clock is the client's (ClientOptions::clock).
#ifndef SECUREBASE_CLIENT_SRC_PREKEY_ROTATION_H_
#define SECUREBASE_CLIENT_SRC_PREKEY_ROTATION_H_

#include "client_core.h"
#include "stores.h"

namespace securebase::client {

enum class Rotation {
  kIfDue,  // Only when the current one is old (or none is published yet).
  kNow,    // A new one now (Client::RotateSignedPreKey).
};

// Brings the signed prekeys in line with the rules above: makes a new one if
// due (or `rotation` is kNow), publishes a pending one with the binding,
// deletes expired ones. A failure to publish (kUnavailable, ...) is returned;
// nothing is lost, the next call publishes. Vault errors as Transact.
Status MaintainSignedPreKeys(ClientCore& core, Rotation rotation);

// A new account's first device-bound signed prekey and its binding, pending
// publication, written into `stores` (the account's first transaction).
void PrepareDeviceKeys(ClientCore& core, Stores& stores);

// The id of the signed prekey peers use now (0 if none was published yet).
Result<uint32_t> CurrentSignedPreKeyId(ClientCore& core);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_PREKEY_ROTATION_H_
