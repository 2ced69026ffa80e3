// gRPC's own log lines go through the server's log (hardening finding 10):
// escaped like every other value (a header with a newline cannot forge a
// line), and rate limited per source line, with a count of what was left out
// (a flood of bad requests cannot fill the disk with gRPC's complaints).
#ifndef SECUREBASE_SERVER_APP_GRPC_LOG_H_
#define SECUREBASE_SERVER_APP_GRPC_LOG_H_

namespace securebase::server {

// Installs the route (gpr_set_log_function) for the whole process. Safe to
// call more than once.
void RouteGrpcLogsThroughOurs();

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_APP_GRPC_LOG_H_
