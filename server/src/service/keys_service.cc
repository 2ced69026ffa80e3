#include "server/src/service/keys_service.h"

#include "server/src/service/authenticator.h"
#include "server/src/service/request_limits.h"
#include "server/src/service/unary.h"
#include "server/src/service/validation.h"

namespace securebase::server {

grpc::ServerUnaryReactor* KeysService::UploadPreKeys(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeUnary<v1::UploadPreKeysRequest, v1::UploadPreKeysResponse>(
      context, request, response, {"Keys.UploadPreKeys", MaxDeviceRequestBytes(services_.limits)},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &req, &resp] { return DoUpload(*context, req, resp); });
      });
}

grpc::ServerUnaryReactor* KeysService::GetPreKeyCount(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request,
                                                      grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetPreKeyCountRequest, v1::GetPreKeyCountResponse>(
      context, request, response, {"Keys.GetPreKeyCount", kSmallRequestBytes},
      [=, this](const auto&, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &resp] { return DoCount(*context, resp); });
      });
}

grpc::ServerUnaryReactor* KeysService::GetPreKeyBundles(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetPreKeyBundlesRequest, v1::GetPreKeyBundlesResponse>(
      context, request, response, {"Keys.GetPreKeyBundles", kSmallRequestBytes},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &req, &resp] { return DoBundles(*context, req, resp); });
      });
}

Status KeysService::DoUpload(grpc::CallbackServerContext& context,
                             const v1::UploadPreKeysRequest& request,
                             v1::UploadPreKeysResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  if (!request.has_signed_prekey() && request.one_time_prekeys_size() == 0 &&
      request.device_binding().empty()) {
    return Status::InvalidArgument(
        "nothing to upload: set signed_prekey, one_time_prekeys or device_binding");
  }
  std::optional<v1::SignedPreKey> signed_prekey;
  const MailboxAddress device = caller.address();
  if (request.has_signed_prekey() || !request.device_binding().empty()) {
    SBS_ASSIGN_OR_RETURN(v1::AccountRecord account, services_.store.GetAccount(caller.user_id));
    if (request.has_signed_prekey()) {
      SBS_RETURN_IF_ERROR(CheckSignedPreKey("signed_prekey", request.signed_prekey(),
                                            account.identity_key(), &device));
      signed_prekey = request.signed_prekey();
    }
    if (!request.device_binding().empty()) {
      SBS_ASSIGN_OR_RETURN(v1::DeviceRecord record,
                           services_.store.GetDevice(device.user_id, device.device_id));
      SBS_RETURN_IF_ERROR(CheckDeviceBinding("device_binding", request.device_binding(),
                                             account.identity_key(), device,
                                             record.device_auth_key()));
    }
  }
  SBS_RETURN_IF_ERROR(
      CheckOneTimePreKeys("one_time_prekeys", request.one_time_prekeys(), services_.limits));
  SBS_RETURN_IF_ERROR(CheckRoomToGrow(services_));
  std::vector<v1::OneTimePreKey> prekeys(request.one_time_prekeys().begin(),
                                         request.one_time_prekeys().end());
  uint32_t count = 0;
  if (signed_prekey.has_value() || !prekeys.empty()) {
    SBS_ASSIGN_OR_RETURN(count,
                         services_.store.UploadPreKeys(device, signed_prekey, prekeys,
                                                       services_.limits.max_prekeys_per_device));
  } else {
    SBS_ASSIGN_OR_RETURN(count, services_.store.CountPreKeys(device));
  }
  // After the prekeys, so a refused upload stores no binding either. (Only a
  // storage failure between the two writes leaves the prekeys without it;
  // the client sends both again.)
  if (!request.device_binding().empty()) {
    SBS_RETURN_IF_ERROR(services_.store.SetDeviceBinding(device, request.device_binding()));
  }
  response.set_one_time_prekey_count(count);
  return Status::Ok();
}

Status KeysService::DoCount(grpc::CallbackServerContext& context,
                            v1::GetPreKeyCountResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  SBS_ASSIGN_OR_RETURN(uint32_t count, services_.store.CountPreKeys(caller.address()));
  response.set_one_time_prekey_count(count);
  return Status::Ok();
}

Status KeysService::DoBundles(grpc::CallbackServerContext& context,
                              const v1::GetPreKeyBundlesRequest& request,
                              v1::GetPreKeyBundlesResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  SBS_RETURN_IF_ERROR(CheckUserId("user_id", request.user_id()));
  if (request.user_id() != caller.user_id) {
    // One answer whether or not the user exists (no existence oracle).
    auto link = services_.store.GetLink(caller.user_id, request.user_id());
    if (!link.ok()) {
      return link.status().IsNotFound()
                 ? Status::PermissionDenied("not linked to this user")
                 : link.status();
    }
  }
  auto claimed = services_.store.ClaimPreKeyBundles(request.user_id());
  if (!claimed.ok()) {
    return claimed.status().IsNotFound() ? Status::NotFound("no such user") : claimed.status();
  }
  response.set_user_id(claimed->account.user_id());
  response.set_identity_key(claimed->account.identity_key());
  for (auto& device : claimed->devices) {
    v1::DeviceBundle* bundle = response.add_devices();
    bundle->set_device_id(device.device_id);
    *bundle->mutable_signed_prekey() = std::move(device.signed_prekey);
    bundle->set_device_binding(std::move(device.device_binding));
    if (device.one_time_prekey.has_value()) {
      *bundle->mutable_one_time_prekey() = std::move(*device.one_time_prekey);
    }
  }
  return Status::Ok();
}

}  // namespace securebase::server
