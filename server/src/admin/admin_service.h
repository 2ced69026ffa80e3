// securebase.v1.Admin over the unix socket DATA_DIR/admin.sock (mode 0600).
// Synchronous gRPC service: admin calls are rare and may block (checkpoints).
#ifndef SECUREBASE_SERVER_ADMIN_ADMIN_SERVICE_H_
#define SECUREBASE_SERVER_ADMIN_ADMIN_SERVICE_H_

#include "securebase/v1/admin.grpc.pb.h"
#include "server/src/admin/admin_ops.h"

namespace securebase::server {

class AdminService final : public v1::Admin::Service {
 public:
  explicit AdminService(AdminOps& ops) : ops_(ops) {}

  grpc::Status IssueTherapistToken(grpc::ServerContext* context,
                                   const v1::IssueTherapistTokenRequest* request,
                                   v1::IssueTherapistTokenResponse* response) override;
  grpc::Status Backup(grpc::ServerContext* context, const v1::BackupRequest* request,
                      v1::BackupResponse* response) override;
  grpc::Status ListAudit(grpc::ServerContext* context, const v1::ListAuditRequest* request,
                         v1::ListAuditResponse* response) override;
  grpc::Status Stats(grpc::ServerContext* context, const v1::StatsRequest* request,
                     v1::StatsResponse* response) override;

 private:
  AdminOps& ops_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_ADMIN_ADMIN_SERVICE_H_
