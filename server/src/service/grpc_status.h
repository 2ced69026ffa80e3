// The one place where server::Status becomes grpc::Status.
#ifndef SECUREBASE_SERVER_SERVICE_GRPC_STATUS_H_
#define SECUREBASE_SERVER_SERVICE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "server/src/common/status.h"

namespace securebase::server {

grpc::Status ToGrpcStatus(const Status& status);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_GRPC_STATUS_H_
