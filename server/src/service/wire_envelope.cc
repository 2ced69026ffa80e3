#include "server/src/service/wire_envelope.h"

#include <utility>

namespace securebase::server {

v1::Envelope ToWireEnvelope(StoredEnvelope stored) {
  v1::Envelope envelope;
  envelope.set_seq(stored.seq);
  *envelope.mutable_sender() = std::move(*stored.record.mutable_sender());
  envelope.set_server_timestamp_unix_ms(stored.record.server_timestamp_unix_ms());
  envelope.set_ciphertext(std::move(*stored.record.mutable_ciphertext()));
  return envelope;
}

}  // namespace securebase::server
