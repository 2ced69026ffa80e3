// The one conversion from an envelope as the store keeps it to the
// securebase.v1.Envelope that Fetch and Subscribe send (the send path builds
// a StoredEnvelope from what it just committed and converts it the same way).
#ifndef SECUREBASE_SERVER_SERVICE_WIRE_ENVELOPE_H_
#define SECUREBASE_SERVER_SERVICE_WIRE_ENVELOPE_H_

#include "securebase/v1/messages.pb.h"
#include "server/src/store/store.h"

namespace securebase::server {

// Moves the record's fields (its ciphertext is not copied).
v1::Envelope ToWireEnvelope(StoredEnvelope stored);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_WIRE_ENVELOPE_H_
