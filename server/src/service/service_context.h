// What the RPC services share. Owned by the Server (app/server.h); services
// hold a reference. Every member is thread-safe.
#ifndef SECUREBASE_SERVER_SERVICE_SERVICE_CONTEXT_H_
#define SECUREBASE_SERVER_SERVICE_SERVICE_CONTEXT_H_

#include "securebase/crypto/random.h"
#include "server/src/auth/challenges.h"
#include "server/src/auth/login_limiter.h"
#include "server/src/auth/rate_limiter.h"
#include "server/src/common/clock.h"
#include "server/src/common/limits.h"
#include "server/src/delivery/registry.h"
#include "server/src/service/work_queue.h"
#include "server/src/store/store.h"

namespace securebase::server {

enum class TherapistRegistration { kOpen, kToken };

struct ServiceContext {
  Store& store;
  Clock& clock;
  crypto::RandomSource& random;
  const Limits& limits;
  TherapistRegistration therapist_registration;
  RateLimiter& rate_limiter;
  LoginLimiter& login_limiter;
  ChallengeRegistry& challenges;
  DeliveryRegistry& delivery;
  // Authenticated calls that block (store writes).
  WorkQueue& work;
  // Register, GetChallenge, Authenticate: a flood of unauthenticated calls
  // queues (and is refused) here, never in front of authenticated work.
  WorkQueue& anonymous_work;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_SERVICE_CONTEXT_H_
