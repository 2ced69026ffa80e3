// securebase.v1.Accounts: registration, devices, challenge login, logout.
#ifndef SECUREBASE_SERVER_SERVICE_ACCOUNTS_SERVICE_H_
#define SECUREBASE_SERVER_SERVICE_ACCOUNTS_SERVICE_H_

#include "securebase/v1/accounts.grpc.pb.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

// Every method raw (unary.h): size-checked before parsing.
using AccountsRawService = v1::Accounts::WithRawCallbackMethod_Register<
    v1::Accounts::WithRawCallbackMethod_AddDevice<v1::Accounts::WithRawCallbackMethod_GetChallenge<
        v1::Accounts::WithRawCallbackMethod_Authenticate<v1::Accounts::WithRawCallbackMethod_Logout<
            v1::Accounts::WithRawCallbackMethod_ListDevices<
                v1::Accounts::WithRawCallbackMethod_RemoveDevice<v1::Accounts::Service>>>>>>>;

class AccountsService final : public AccountsRawService {
 public:
  explicit AccountsService(ServiceContext& services) : services_(services) {}

  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* AddDevice(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetChallenge(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Authenticate(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListDevices(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RemoveDevice(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;

 private:
  // What lets an AddDevice call act for the account: a token of one of its
  // devices, or (a new device, which has none) only the binding.
  enum class Authority { kToken, kBindingOnly };
  Status DoRegister(const v1::RegisterRequest& request, v1::RegisterResponse& response);
  Status DoAddDevice(const UserId& user_id, Authority authority,
                     const v1::AddDeviceRequest& request, v1::AddDeviceResponse& response);
  Status DoRemoveDevice(grpc::CallbackServerContext& context,
                        const v1::RemoveDeviceRequest& request);
  Status DoGetChallenge(const v1::GetChallengeRequest& request, v1::GetChallengeResponse& response);
  Status DoAuthenticate(const std::string& source, const v1::AuthenticateRequest& request,
                        v1::AuthenticateResponse& response);
  Status DoLogout(grpc::CallbackServerContext& context);
  Status DoListDevices(grpc::CallbackServerContext& context, v1::ListDevicesResponse& response);
  // A login with a challenge that is not a valid one for the device (or for
  // a device that does not exist): counted against the source only, never
  // against the device, and not audited (nothing about the device is
  // proven by it).
  Status RefuseUnknownChallenge(const std::string& source);
  // A valid challenge for the device with a bad signature: counted against
  // the source and the device, audited as an attempt *on* the device.
  Status RefuseBadSignature(const std::string& source, const std::string& device_key,
                            const v1::AuthenticateRequest& request);

  ServiceContext& services_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_ACCOUNTS_SERVICE_H_
