// The largest request body each method accepts, checked before parsing
// (hardening finding 1: every method used to accept 32 MiB). Derived from the
// configured limits, with room for protobuf framing; only Send is large.
#ifndef SECUREBASE_SERVER_SERVICE_REQUEST_LIMITS_H_
#define SECUREBASE_SERVER_SERVICE_REQUEST_LIMITS_H_

#include <cstddef>

#include "server/src/common/limits.h"

namespace securebase::server {

// Requests that carry ids and keys only (GetChallenge, Fetch, ...).
inline constexpr size_t kSmallRequestBytes = 1024;

// Register, AddDevice, UploadPreKeys: keys, signatures, a device binding and up to
// max_prekeys_per_upload one-time prekeys (~40 bytes each on the wire).
inline size_t MaxDeviceRequestBytes(const Limits& limits) {
  return 2048 + size_t{64} * limits.max_prekeys_per_upload;
}

// CreateInvite: a sealed profile of at most kMaxSealedProfileBytes.
inline size_t MaxInviteRequestBytes() { return kSmallRequestBytes + kMaxSealedProfileBytes; }

// Send: every ciphertext at its limit, with its recipient and framing.
inline size_t MaxSendRequestBytes(const Limits& limits) {
  return kSmallRequestBytes +
         size_t{limits.max_ciphertexts_per_send} * (size_t{limits.max_envelope_bytes} + 64);
}

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_REQUEST_LIMITS_H_
