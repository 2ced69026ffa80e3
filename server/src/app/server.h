// A running securebase-server: the store, the gRPC services on the network
// port, the admin service on DATA_DIR/admin.sock and the retention sweeper.
//
// Start() returns once the server is accepting calls; Shutdown() drains it:
// refuses new calls, finishes open streams (UNAVAILABLE), lets in-flight
// unary calls complete, stops the sweeper and closes the store (WAL synced).
//
// The server also stops by itself when it cannot go on, so that its
// supervisor (systemd, Restart=on-failure) restarts it: when storage writes
// keep failing after recovery attempts for --storage-failure-exit-seconds
// (health says NOT_SERVING meanwhile), or when gRPC's listener dies
// (grpc_log.h). WaitForStop() tells the owner.
// Thread-safety: RequestStop() and WaitForStop() are thread-safe;
// Shutdown() may be called from any one thread, once.
#ifndef SECUREBASE_SERVER_APP_SERVER_H_
#define SECUREBASE_SERVER_APP_SERVER_H_

#include <memory>
#include <string>

#include "server/src/app/config.h"
#include "server/src/common/clock.h"
#include "server/src/common/status.h"

namespace securebase::server {

enum class StopReason {
  kRequested,       // RequestStop(): a signal, the operator.
  kStorageFailed,   // Writes stayed broken.
  kListenerFailed,  // gRPC stopped accepting connections.
};

const char* StopReasonName(StopReason reason);

class Server {
 public:
  // kInvalidArgument: unreadable TLS files. kUnavailable: the data dir is in
  // use by another process. kInternal: cannot listen or open the store.
  static Result<std::unique_ptr<Server>> Start(const ServeConfig& config, Clock& clock);
  virtual ~Server() = default;

  // "HOST:PORT" with the port actually bound.
  virtual std::string listening_address() const = 0;
  virtual int port() const = 0;
  // Blocks until RequestStop() or until the server finds it cannot go on.
  virtual StopReason WaitForStop() = 0;
  virtual void RequestStop() = 0;
  virtual void Shutdown() = 0;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_APP_SERVER_H_
