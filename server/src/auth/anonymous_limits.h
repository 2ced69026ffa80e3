// What unauthenticated callers may cost (hardening finding 6: one client
// registered 366 accounts a second and minted 1,020 tokens a second while
// everyone else's latency rose 30-50x).
//
// Register has a token bucket per source address and one for the whole
// server; a call needs a token from both (the source's first, so that one
// source's flood never drains the global bucket). Login calls (GetChallenge
// and Authenticate, one token each) have a bucket per source address; the
// server-wide login bucket is taken only by a login that succeeds, for the
// token it stores. Junk costs no more than its refusal (a challenge is a
// keyed hash, an unknown one is refused by its MAC), so a global bucket on
// every call would bound nothing but let a botnet of many addresses lock
// every user out (measured: bench/faults/, attack under load). A source
// whose logins keep failing backs off (FailureBackoff): 1 s, 2 s, 4 s, ...
// during which its GetChallenge and Authenticate calls are refused. All of
// it is memory only and bounded (kMaxTrackedSources).
//
// Thread-safety: thread-safe.
#ifndef SECUREBASE_SERVER_AUTH_ANONYMOUS_LIMITS_H_
#define SECUREBASE_SERVER_AUTH_ANONYMOUS_LIMITS_H_

#include <string_view>

#include "server/src/auth/failure_backoff.h"
#include "server/src/auth/rate_limiter.h"
#include "server/src/common/clock.h"
#include "server/src/common/limits.h"
#include "server/src/common/status.h"

namespace securebase::server {

class AnonymousLimits {
 public:
  AnonymousLimits(const Clock& clock, const Limits& limits);

  // kResourceExhausted (with a message for the caller) when refused; the
  // refusal costs no store access.
  Status AdmitRegister(std::string_view source);
  Status AdmitLogin(std::string_view source);
  // A login proved the device's key and is about to store a token.
  Status AdmitNewToken();
  // An Authenticate from `source` failed (whatever the reason).
  void RecordLoginFailure(std::string_view source);
  void Prune();

 private:
  RateLimiter register_per_source_;
  RateLimiter register_global_;
  RateLimiter login_per_source_;
  RateLimiter new_tokens_global_;
  FailureBackoff source_failures_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_AUTH_ANONYMOUS_LIMITS_H_
