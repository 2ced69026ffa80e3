#include "connection.h"

#include <fstream>
#include <sstream>

#include "securebase/crypto/secret.h"

namespace securebase::client {
namespace {

bool IsLoopbackAddress(const std::string& address) {
  std::string host = address;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

Status FromGrpc(const grpc::Status& status, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  switch (status.error_code()) {
    case grpc::StatusCode::OK: return Status::Ok();
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Status(ErrorCode::kUnavailable,
                    prefix + "the server could not be reached (" + status.error_message() +
                        "); nothing was lost, try again later");
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Status(ErrorCode::kInvalidArgument, prefix + status.error_message());
    case grpc::StatusCode::NOT_FOUND:
      return Status(ErrorCode::kNotFound, prefix + status.error_message());
    case grpc::StatusCode::ALREADY_EXISTS:
      return Status(ErrorCode::kAlreadyExists, prefix + status.error_message());
    case grpc::StatusCode::PERMISSION_DENIED:
      return Status(ErrorCode::kPermissionDenied, prefix + status.error_message());
    case grpc::StatusCode::UNAUTHENTICATED:
      return Status(ErrorCode::kUnauthenticated, prefix + status.error_message());
    case grpc::StatusCode::FAILED_PRECONDITION:
      return Status(ErrorCode::kFailedPrecondition, prefix + status.error_message());
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Status(ErrorCode::kResourceExhausted, prefix + status.error_message());
    default:
      return Status(ErrorCode::kInternal, prefix + "unexpected server answer (" +
                                              std::to_string(status.error_code()) + "): " +
                                              status.error_message());
  }
}

Result<std::unique_ptr<Connection>> Connection::Create(const ClientOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.insecure_loopback) {
    if (!IsLoopbackAddress(options.server_address)) {
      return Status(ErrorCode::kInvalidArgument,
                    "an unencrypted connection is only allowed to a loopback address, not " +
                        options.server_address);
    }
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      std::ifstream in(options.ca_file);
      if (!in) {
        return Status(ErrorCode::kInvalidArgument, "cannot read the CA file " + options.ca_file);
      }
      std::stringstream pem;
      pem << in.rdbuf();
      ssl.pem_root_certs = pem.str();
    }
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  auto channel = grpc::CreateCustomChannel(options.server_address, credentials, args);
  return std::unique_ptr<Connection>(new Connection(std::move(channel), options.rpc_timeout));
}

Connection::Connection(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout)
    : channel_(std::move(channel)),
      timeout_(timeout),
      accounts_(v1::Accounts::NewStub(channel_)),
      keys_(v1::Keys::NewStub(channel_)),
      links_(v1::Links::NewStub(channel_)),
      messages_(v1::Messages::NewStub(channel_)) {}

void Connection::SetDevice(std::string user_id, uint32_t device_id,
                           const crypto::DeviceAuthKeyPair* key, std::string token) {
  user_id_ = std::move(user_id);
  device_id_ = device_id;
  device_key_ = key;
  token_ = std::move(token);
}

void Connection::PrepareContext(grpc::ClientContext& context, bool with_token) {
  context.set_deadline(std::chrono::system_clock::now() + timeout_);
  if (with_token && !token_.empty()) context.AddMetadata("authorization", "Bearer " + token_);
}

Status Connection::Login() {
  if (device_key_ == nullptr) return Status(ErrorCode::kInternal, "no device key to log in with");
  v1::GetChallengeRequest challenge_request;
  challenge_request.set_user_id(user_id_);
  challenge_request.set_device_id(device_id_);
  v1::GetChallengeResponse challenge;
  {
    grpc::ClientContext context;
    PrepareContext(context, false);
    SB_RETURN_IF_ERROR(
        FromGrpc(accounts_->GetChallenge(&context, challenge_request, &challenge), "log in"));
  }
  const auto& bytes = challenge.challenge();
  auto signature = device_key_->SignAuthChallenge(
      crypto::ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!signature.ok()) return Status(ErrorCode::kInternal, "log in: malformed challenge");
  v1::AuthenticateRequest request;
  request.set_user_id(user_id_);
  request.set_device_id(device_id_);
  request.set_challenge(bytes);
  request.set_signature(signature->data(), signature->size());
  v1::AuthenticateResponse response;
  grpc::ClientContext context;
  PrepareContext(context, false);
  SB_RETURN_IF_ERROR(FromGrpc(accounts_->Authenticate(&context, request, &response), "log in"));
  token_ = response.token();
  return Status::Ok();
}

Status Connection::Call(std::string_view what,
                        const std::function<grpc::Status(grpc::ClientContext&)>& call) {
  if (token_.empty()) SB_RETURN_IF_ERROR(Login());
  grpc::Status status;
  {
    grpc::ClientContext context;
    PrepareContext(context, true);
    status = call(context);
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    token_.clear();
    SB_RETURN_IF_ERROR(Login());
    grpc::ClientContext context;
    PrepareContext(context, true);
    status = call(context);
  }
  return FromGrpc(status, what);
}

Status Connection::CallAnonymous(std::string_view what,
                                 const std::function<grpc::Status(grpc::ClientContext&)>& call) {
  grpc::ClientContext context;
  PrepareContext(context, false);
  return FromGrpc(call(context), what);
}

Status Connection::PrepareStreamContext(grpc::ClientContext& context) {
  if (token_.empty()) SB_RETURN_IF_ERROR(Login());
  context.AddMetadata("authorization", "Bearer " + token_);
  return Status::Ok();
}

}  // namespace securebase::client
