// The library's ServerApi (server_api.h): gRPC to the server, with TLS
// (unless plaintext to a loopback address was asked for), per-RPC deadlines,
// and bearer-token login (a challenge signed by the device-auth key) with one
// transparent re-login when the server says the token is no longer valid.
// Private to client/; the only file that speaks gRPC.
#ifndef SECUREBASE_CLIENT_SRC_GRPC_SERVER_API_H_
#define SECUREBASE_CLIENT_SRC_GRPC_SERVER_API_H_

#include <memory>

#include "securebase/client/options.h"
#include "securebase/client/server_api.h"

namespace securebase::client {

// kInvalidArgument for an insecure connection to a non-loopback address or an
// unreadable CA file.
Result<std::unique_ptr<ServerApi>> ConnectGrpcServerApi(const ClientOptions& options);

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_GRPC_SERVER_API_H_
