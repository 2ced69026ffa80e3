// gRPC's own log lines go through the server's log (hardening finding 10):
// escaped like every other value (a header with a newline cannot forge a
// line), and rate limited per source line, with a count of what was left out
// (a flood of bad requests cannot fill the disk with gRPC's complaints).
//
// It also watches for the one line that means the listener is dead: gRPC
// 1.51's POSIX TCP server logs "Failed accept4: ..." (tcp_server_posix.cc)
// when accept4 fails with anything but EAGAIN or ECONNABORTED -- e.g. EMFILE
// when idle connections used up the file descriptors -- and then never
// watches the listening socket again (hardening finding 3: the server stayed
// up but accepted no connection until restarted). There is no API to re-arm
// it, so the server's answer is to stop and let its supervisor restart it.
#ifndef SECUREBASE_SERVER_APP_GRPC_LOG_H_
#define SECUREBASE_SERVER_APP_GRPC_LOG_H_

#include <functional>

namespace securebase::server {

// Installs the route (gpr_set_log_function) for the whole process. Safe to
// call more than once.
void RouteGrpcLogsThroughOurs();

// `on_failure` runs (on a gRPC thread; it must not block) when gRPC reports
// that a listening socket stopped accepting. Replaces any earlier handler;
// an empty function removes it.
void SetListenerFailureHandler(std::function<void()> on_failure);

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_APP_GRPC_LOG_H_
