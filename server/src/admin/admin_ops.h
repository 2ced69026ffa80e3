// The admin operations on a store, shared by the admin socket service (when a
// server is running) and the subcommands opening the database directly.
#ifndef SECUREBASE_SERVER_ADMIN_ADMIN_OPS_H_
#define SECUREBASE_SERVER_ADMIN_ADMIN_OPS_H_

#include <string>

#include "securebase/crypto/random.h"
#include "securebase/v1/admin.pb.h"
#include "server/src/common/clock.h"
#include "server/src/common/status.h"
#include "server/src/store/store.h"

namespace securebase::server {

class AdminOps {
 public:
  AdminOps(Store& store, Clock& clock, crypto::RandomSource& random)
      : store_(store), clock_(clock), random_(random) {}

  // A one-time therapist registration token (64 hex chars); only its hash
  // is stored.
  Status IssueTherapistToken(const v1::IssueTherapistTokenRequest& request,
                             v1::IssueTherapistTokenResponse& response);
  // Checkpoint into to_dir/db (to_dir is created, mode 0700).
  Status Backup(const v1::BackupRequest& request);
  Status ListAudit(const v1::ListAuditRequest& request, v1::ListAuditResponse& response);
  Status Stats(const v1::StatsRequest& request, v1::StatsResponse& response);

 private:
  Store& store_;
  Clock& clock_;
  crypto::RandomSource& random_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_ADMIN_ADMIN_OPS_H_
