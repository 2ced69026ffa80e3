#include "server/src/admin/admin_service.h"

#include "server/src/common/log.h"
#include "server/src/service/grpc_status.h"

namespace securebase::server {

grpc::Status AdminService::IssueTherapistToken(grpc::ServerContext* /*context*/,
                                               const v1::IssueTherapistTokenRequest* request,
                                               v1::IssueTherapistTokenResponse* response) {
  Status status = ops_.IssueTherapistToken(*request, *response);
  Log(LogLevel::kInfo, "admin", {{"op", "issue_therapist_token"}, {"code", StatusCodeName(status.code())}});
  return ToGrpcStatus(status);
}

grpc::Status AdminService::Backup(grpc::ServerContext* /*context*/, const v1::BackupRequest* request,
                                  v1::BackupResponse* /*response*/) {
  Status status = ops_.Backup(*request);
  Log(LogLevel::kInfo, "admin", {{"op", "backup"}, {"code", StatusCodeName(status.code())}});
  return ToGrpcStatus(status);
}

grpc::Status AdminService::ListAudit(grpc::ServerContext* /*context*/,
                                     const v1::ListAuditRequest* request,
                                     v1::ListAuditResponse* response) {
  return ToGrpcStatus(ops_.ListAudit(*request, *response));
}

grpc::Status AdminService::Stats(grpc::ServerContext* /*context*/, const v1::StatsRequest* request,
                                 v1::StatsResponse* response) {
  return ToGrpcStatus(ops_.Stats(*request, *response));
}

}  // namespace securebase::server
