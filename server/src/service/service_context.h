// What the RPC services share. Owned by the Server (app/server.h); services
// hold a reference. Every member is thread-safe.
#ifndef SECUREBASE_SERVER_SERVICE_SERVICE_CONTEXT_H_
#define SECUREBASE_SERVER_SERVICE_SERVICE_CONTEXT_H_

#include "securebase/crypto/random.h"
#include "server/src/auth/anonymous_limits.h"
#include "server/src/auth/challenges.h"
#include "server/src/auth/failure_backoff.h"
#include "server/src/auth/rate_limiter.h"
#include "server/src/common/clock.h"
#include "server/src/common/disk_space.h"
#include "server/src/common/limits.h"
#include "server/src/delivery/registry.h"
#include "server/src/service/call_source.h"
#include "server/src/service/send_budget.h"
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
  RateLimiter& rate_limiter;  // Per account, authenticated calls.
  // Register, GetChallenge, Authenticate: per source and global.
  AnonymousLimits& anonymous_limits;
  const TrustedProxies& trusted_proxies;
  LoginChallenges& challenges;
  // Failed logins per device (user_id || device_id).
  FailureBackoff& device_login_failures;
  DeliveryRegistry& delivery;
  // Authenticated calls that block (store writes).
  WorkQueue& work;
  // Register, GetChallenge, Authenticate: a flood of unauthenticated calls
  // queues (and is refused) here, never in front of authenticated work.
  WorkQueue& anonymous_work;
  const DiskSpace& disk;
  SendBudget& send_budget;
};

// kResourceExhausted while the disk is below the free-space threshold: for
// calls that store new content or keys (not for logins, acknowledgements or
// deletes, which must keep working).
inline Status CheckRoomToGrow(const ServiceContext& services) {
  if (services.disk.GrowthAllowed()) return Status::Ok();
  return Status::ResourceExhausted(
      "the server is low on disk space and stores nothing new until space is freed; retry later");
}

// The quota of each recipient mailbox.
inline MailboxQuota MailboxQuotaOf(const Limits& limits) {
  return MailboxQuota{limits.max_mailbox_envelopes, uint64_t{limits.max_mailbox_mb} << 20};
}

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_SERVICE_CONTEXT_H_
