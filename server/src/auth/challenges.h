// Login challenges that the server does not store (hardening finding 7: a
// flood of GetChallenge calls evicted the victim's outstanding challenge).
//
// A challenge is 32 bytes the server can check by itself:
//
//   version (1, = 0x01) || expiry, unix ms (6, big-endian) || nonce (9, random)
//     || MAC (16)
//
// MAC = BLAKE2b-128 keyed with a 32-byte secret drawn at start (sodium_malloc
// memory, never stored or logged), over
//   "SecureBase/v1/server/login-challenge" || 0x00 || user_id (16)
//     || device_id (4, big-endian) || the first 16 bytes above.
// So a challenge is bound to one device and one expiry, and issuing one
// costs a hash and no memory: there is nothing to fill or evict. A restart
// draws a new secret, which invalidates every outstanding challenge (as
// before, when they lived in memory).
//
// Single use: a challenge that logged in is remembered (by its MAC) until it
// expires, so a signed challenge cannot log in twice. Only a successful login
// (a valid signature by the device's key) adds to that set, so no
// unauthenticated caller can grow it.
//
// Thread-safety: thread-safe.
#ifndef SECUREBASE_SERVER_AUTH_CHALLENGES_H_
#define SECUREBASE_SERVER_AUTH_CHALLENGES_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "securebase/crypto/random.h"
#include "securebase/crypto/secret.h"
#include "server/src/common/clock.h"

namespace securebase::server {

class LoginChallenges {
 public:
  LoginChallenges(const Clock& clock, crypto::RandomSource& random, int64_t ttl_ms);

  struct Issued {
    std::string challenge;  // kChallengeSize bytes.
    int64_t expires_at_unix_ms = 0;
  };
  // A challenge for the device (whether or not it exists: the answer looks
  // the same, and one for a device that does not exist never logs in).
  Issued Issue(std::string_view user_id, uint32_t device_id);

  enum class Check {
    kValid,    // Issued by this process for this device, unexpired, unused.
    kUnknown,  // Not one of ours, for another device, or altered.
    kExpired,
    kUsed,  // Already logged in once.
  };
  // Constant time in the MAC comparison.
  Check Verify(std::string_view user_id, uint32_t device_id, std::string_view challenge);

  // Records a login with `challenge` (call only after Verify said kValid and
  // the signature verified). False when another login used it meanwhile:
  // refuse this one.
  [[nodiscard]] bool MarkUsed(std::string_view challenge);

  // Forgets used challenges that have expired.
  void Prune();

 private:
  std::string Mac(std::string_view user_id, uint32_t device_id, std::string_view body) const;

  const Clock& clock_;
  crypto::RandomSource& random_;
  const int64_t ttl_ms_;
  crypto::SecureBuffer key_;  // 32 bytes.
  std::mutex mu_;
  // MAC of a used challenge -> its expiry. Guarded by mu_.
  std::unordered_map<std::string, int64_t> used_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_AUTH_CHALLENGES_H_
