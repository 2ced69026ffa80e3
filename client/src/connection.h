// The client's gRPC connection to the server: channel, stubs, deadlines and
// bearer-token login (challenge signed by the device-auth key), with one
// transparent re-login when the server says the token is no longer valid.
// Private to client/.
#ifndef SECUREBASE_CLIENT_SRC_CONNECTION_H_
#define SECUREBASE_CLIENT_SRC_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "securebase/client/client.h"
#include "securebase/client/status.h"
#include "securebase/crypto/keys.h"
#include "securebase/v1/accounts.grpc.pb.h"
#include "securebase/v1/keys.grpc.pb.h"
#include "securebase/v1/links.grpc.pb.h"
#include "securebase/v1/messages.grpc.pb.h"

namespace securebase::client {

// Converts a failed RPC into a client Status a person understands.
Status FromGrpc(const grpc::Status& status, std::string_view what);

class Connection {
 public:
  // kInvalidArgument for an insecure connection to a non-loopback address or
  // an unreadable CA file.
  static Result<std::unique_ptr<Connection>> Create(const ClientOptions& options);

  // Sets the device whose key logs in. The token (if any) is reused until the
  // server rejects it.
  void SetDevice(std::string user_id, uint32_t device_id, const crypto::DeviceAuthKeyPair* key,
                 std::string token);
  const std::string& token() const { return token_; }

  // Runs `call` with a fresh context carrying the deadline and the bearer
  // token; logs in first when there is no token, and once more if the server
  // answers UNAUTHENTICATED. `what` names the action for error messages.
  Status Call(std::string_view what,
              const std::function<grpc::Status(grpc::ClientContext&)>& call);
  // An unauthenticated call (Register, Redeem... no: only Register).
  Status CallAnonymous(std::string_view what,
                       const std::function<grpc::Status(grpc::ClientContext&)>& call);
  // Context for a long-lived stream (no deadline), with the token.
  Status PrepareStreamContext(grpc::ClientContext& context);

  v1::Accounts::Stub& accounts() { return *accounts_; }
  v1::Keys::Stub& keys() { return *keys_; }
  v1::Links::Stub& links() { return *links_; }
  v1::Messages::Stub& messages() { return *messages_; }

 private:
  Connection(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);
  Status Login();
  void PrepareContext(grpc::ClientContext& context, bool with_token);

  std::shared_ptr<grpc::Channel> channel_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Keys::Stub> keys_;
  std::unique_ptr<v1::Links::Stub> links_;
  std::unique_ptr<v1::Messages::Stub> messages_;
  std::string user_id_;
  uint32_t device_id_ = 0;
  const crypto::DeviceAuthKeyPair* device_key_ = nullptr;
  std::string token_;
};

}  // namespace securebase::client

#endif  // SECUREBASE_CLIENT_SRC_CONNECTION_H_
