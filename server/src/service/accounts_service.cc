#include "server/src/service/accounts_service.h"

#include "securebase/crypto/secret.h"
#include "securebase/crypto/signature.h"
#include "server/src/common/secrets.h"
#include "server/src/service/authenticator.h"
#include "server/src/service/device_admission.h"
#include "server/src/service/request_limits.h"
#include "server/src/service/unary.h"
#include "server/src/service/validation.h"
#include "server/src/store/keys.h"

namespace securebase::server {
namespace {

crypto::ByteSpan Span(const std::string& s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

grpc::ServerUnaryReactor* AccountsService::Register(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  return ServeUnary<v1::RegisterRequest, v1::RegisterResponse>(
      context, request, response, {"Accounts.Register", MaxDeviceRequestBytes(services_.limits)},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        // Refused by the rate limits before any work (no store access).
        Status admitted = services_.anonymous_limits.AdmitRegister(
            CallSource(*context, services_.trusted_proxies));
        if (!admitted.ok()) return finish(admitted);
        PostUnary(services_.anonymous_work, context, std::move(finish),
                  [this, &req, &resp] { return DoRegister(req, resp); });
      });
}

grpc::ServerUnaryReactor* AccountsService::AddDevice(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeUnary<v1::AddDeviceRequest, v1::AddDeviceResponse>(
      context, request, response, {"Accounts.AddDevice", MaxDeviceRequestBytes(services_.limits)},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        if (req.user_id().empty()) {
          PostUnary(services_.work, context, std::move(finish), [this, context, &req, &resp] {
            auto caller = AuthenticateCall(services_, *context);
            if (!caller.ok()) return caller.status();
            return DoAddDevice(caller->user_id, Authority::kToken, req, resp);
          });
          return;
        }
        // Without a token: bounded like Register (the same buckets), before
        // any work, and queued with the other unauthenticated calls.
        Status admitted = services_.anonymous_limits.AdmitRegister(
            CallSource(*context, services_.trusted_proxies));
        if (!admitted.ok()) return finish(admitted);
        PostUnary(services_.anonymous_work, context, std::move(finish), [this, &req, &resp] {
          return DoAddDevice(req.user_id(), Authority::kBindingOnly, req, resp);
        });
      });
}

grpc::ServerUnaryReactor* AccountsService::RemoveDevice(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return ServeUnary<v1::RemoveDeviceRequest, v1::RemoveDeviceResponse>(
      context, request, response, {"Accounts.RemoveDevice", kSmallRequestBytes},
      [=, this](const auto& req, auto&, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &req] { return DoRemoveDevice(*context, req); });
      });
}

grpc::ServerUnaryReactor* AccountsService::GetChallenge(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetChallengeRequest, v1::GetChallengeResponse>(
      context, request, response, {"Accounts.GetChallenge", kSmallRequestBytes},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        Status admitted =
            services_.anonymous_limits.AdmitLogin(CallSource(*context, services_.trusted_proxies));
        if (!admitted.ok()) return finish(admitted);
        // A challenge is a keyed hash: no store access, nothing to wait for.
        finish(DoGetChallenge(req, resp));
      });
}

grpc::ServerUnaryReactor* AccountsService::Authenticate(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return ServeUnary<v1::AuthenticateRequest, v1::AuthenticateResponse>(
      context, request, response, {"Accounts.Authenticate", kSmallRequestBytes},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        std::string source = CallSource(*context, services_.trusted_proxies);
        Status admitted = services_.anonymous_limits.AdmitLogin(source);
        if (!admitted.ok()) return finish(admitted);
        PostUnary(services_.anonymous_work, context, std::move(finish),
                  [this, source = std::move(source), &req, &resp] {
                    return DoAuthenticate(source, req, resp);
                  });
      });
}

grpc::ServerUnaryReactor* AccountsService::Logout(grpc::CallbackServerContext* context,
                                                  const grpc::ByteBuffer* request,
                                                  grpc::ByteBuffer* response) {
  return ServeUnary<v1::LogoutRequest, v1::LogoutResponse>(
      context, request, response, {"Accounts.Logout", kSmallRequestBytes},
      [=, this](const auto&, auto&, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [=, this] { return DoLogout(*context); });
      });
}

grpc::ServerUnaryReactor* AccountsService::ListDevices(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListDevicesRequest, v1::ListDevicesResponse>(
      context, request, response, {"Accounts.ListDevices", kSmallRequestBytes},
      [=, this](const auto&, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &resp] { return DoListDevices(*context, resp); });
      });
}

Status AccountsService::DoRegister(const v1::RegisterRequest& request,
                                   v1::RegisterResponse& response) {
  if (request.role() != v1::ROLE_CLIENT && request.role() != v1::ROLE_THERAPIST) {
    return Status::InvalidArgument("role must be ROLE_CLIENT or ROLE_THERAPIST");
  }
  SBS_RETURN_IF_ERROR(CheckSize("identity_key", request.identity_key(), kPublicKeySize));
  if (!crypto::ValidateEd25519PublicKey(Span(request.identity_key())).ok()) {
    return Status::InvalidArgument("identity_key is not a valid Ed25519 public key");
  }
  if (!request.has_device()) return Status::InvalidArgument("device is missing");
  SBS_ASSIGN_OR_RETURN(
      NewDeviceKeys device,
      CheckNewDevice("device", request.device(), request.identity_key(), services_.limits));
  SBS_RETURN_IF_ERROR(CheckRoomToGrow(services_));

  std::optional<std::string> token_hash;
  if (request.role() == v1::ROLE_THERAPIST &&
      services_.therapist_registration == TherapistRegistration::kToken) {
    const std::string& token_hex = request.registration_token();
    std::optional<std::string> token;
    if (token_hex.size() == 2 * kRegistrationTokenSize) token = FromLowerHex(token_hex);
    if (!token.has_value()) {
      return Status::PermissionDenied(
          "therapist registration needs a valid unused registration_token");
    }
    token_hash = HashSecret(SecretPurpose::kRegistrationToken, *token);
    crypto::SecureWipe(token->data(), token->size());
  }

  v1::AccountRecord account;
  account.set_user_id(RandomBytes(services_.random, kUserIdSize));
  account.set_role(request.role());
  account.set_identity_key(request.identity_key());
  SBS_RETURN_IF_ERROR(services_.store.CreateAccount(account, device, token_hash));
  response.set_user_id(account.user_id());
  response.set_device_id(1);
  Log(LogLevel::kInfo, "account_registered",
      {{"role", request.role() == v1::ROLE_THERAPIST ? "therapist" : "client"}});
  return Status::Ok();
}

Status AccountsService::DoAddDevice(const UserId& user_id, Authority authority,
                                    const v1::AddDeviceRequest& request,
                                    v1::AddDeviceResponse& response) {
  SBS_RETURN_IF_ERROR(CheckUserId("user_id", user_id));
  if (!request.has_device()) return Status::InvalidArgument("device is missing");
  // The binding's shape first: junk costs no store access.
  SBS_ASSIGN_OR_RETURN(ClaimedBinding claimed,
                       ParseNewDeviceBinding(request.device_binding(), user_id,
                                             request.device().device_auth_key()));
  auto account = services_.store.GetAccount(user_id);
  if (!account.ok()) {
    if (account.status().IsNotFound() && authority == Authority::kBindingOnly) {
      return NotTheAccountsBinding();
    }
    return account.status();
  }
  // The authority: only the identity key's signature (a token, stolen or
  // not, adds no device on its own).
  SBS_RETURN_IF_ERROR(VerifyNewDeviceBinding(request.device_binding(), account->identity_key()));
  SBS_ASSIGN_OR_RETURN(
      NewDeviceKeys device,
      CheckNewDevice("device", request.device(), account->identity_key(), services_.limits));
  device.device_id = claimed.device_id;
  device.device_binding = request.device_binding();
  SBS_RETURN_IF_ERROR(CheckRoomToGrow(services_));
  SBS_ASSIGN_OR_RETURN(uint32_t device_id,
                       services_.store.AddDevice(user_id, device,
                                                 services_.limits.max_devices_per_account));
  response.set_device_id(device_id);
  return Status::Ok();
}

Status AccountsService::DoRemoveDevice(grpc::CallbackServerContext& context,
                                       const v1::RemoveDeviceRequest& request) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  SBS_RETURN_IF_ERROR(CheckDeviceId("device_id", request.device_id()));
  if (request.device_id() == caller.device_id) {
    return Status::FailedPrecondition(
        "a device cannot remove itself; remove it from another device of the account, or log out");
  }
  Status removed = services_.store.RemoveDevice(caller.user_id, request.device_id());
  if (removed.IsNotFound()) {
    return Status::NotFound("the account has no device " + std::to_string(request.device_id()));
  }
  SBS_RETURN_IF_ERROR(removed);
  // After the commit: a stream that reads again finds nothing, and its next
  // call is refused by its token.
  services_.delivery.EndDevice({caller.user_id, request.device_id()}, EndReason::kRemoved);
  Log(LogLevel::kInfo, "device_removed", {});
  return Status::Ok();
}

Status AccountsService::DoGetChallenge(const v1::GetChallengeRequest& request,
                                       v1::GetChallengeResponse& response) {
  SBS_RETURN_IF_ERROR(CheckUserId("user_id", request.user_id()));
  SBS_RETURN_IF_ERROR(CheckDeviceId("device_id", request.device_id()));
  // Whether or not the device exists (no existence oracle, no store read):
  // a challenge for a device that does not exist never logs in.
  LoginChallenges::Issued issued =
      services_.challenges.Issue(request.user_id(), request.device_id());
  response.set_challenge(issued.challenge);
  crypto::SecureWipe(issued.challenge.data(), issued.challenge.size());
  response.set_expires_at_unix_ms(issued.expires_at_unix_ms);
  return Status::Ok();
}

Status AccountsService::RefuseUnknownChallenge(const std::string& source) {
  services_.anonymous_limits.RecordLoginFailure(source);
  return Status::Unauthenticated("unknown, expired or used challenge, or bad signature");
}

Status AccountsService::RefuseBadSignature(const std::string& source, const std::string& device_key,
                                           const v1::AuthenticateRequest& request) {
  services_.anonymous_limits.RecordLoginFailure(source);
  FailureBackoff::Failure failure = services_.device_login_failures.RecordFailure(device_key);
  if (failure.during_backoff) {
    // Told to back off, and not audited again until the backoff ends (a
    // flood of attempts must not flood the audit log either).
    return Status::ResourceExhausted(
        "too many failed logins for this device; back off before trying again");
  }
  // An attempt on the device by someone who could not sign for it: the
  // record says so, and does not read as the device's own failure.
  v1::AuditRecord audit;
  audit.set_event("login_rejected");
  audit.set_user_id(request.user_id());
  audit.set_device_id(request.device_id());
  audit.set_detail("reason=bad_signature failures_in_window=" +
                   std::to_string(failure.failures_in_window));
  SBS_RETURN_IF_ERROR(services_.store.AppendAudit(std::move(audit)));
  return Status::Unauthenticated("unknown, expired or used challenge, or bad signature");
}

Status AccountsService::DoAuthenticate(const std::string& source,
                                       const v1::AuthenticateRequest& request,
                                       v1::AuthenticateResponse& response) {
  SBS_RETURN_IF_ERROR(CheckUserId("user_id", request.user_id()));
  SBS_RETURN_IF_ERROR(CheckDeviceId("device_id", request.device_id()));
  SBS_RETURN_IF_ERROR(CheckSize("challenge", request.challenge(), kChallengeSize));
  SBS_RETURN_IF_ERROR(CheckSize("signature", request.signature(), kSignatureSize));
  // The challenge first: it is checked without the store, and one that this
  // server did not issue for this device says nothing about the device.
  if (services_.challenges.Verify(request.user_id(), request.device_id(), request.challenge()) !=
      LoginChallenges::Check::kValid) {
    return RefuseUnknownChallenge(source);
  }
  auto device = services_.store.GetDevice(request.user_id(), request.device_id());
  if (!device.ok()) {
    if (!device.status().IsNotFound()) return device.status();
    return RefuseUnknownChallenge(source);
  }
  std::string device_key = keys::Device(request.user_id(), request.device_id());
  auto auth_key = crypto::DeviceAuthPublicKey::FromBytes(Span(device->device_auth_key()));
  auto signature = crypto::Signature::FromBytes(Span(request.signature()));
  if (!auth_key.ok() || !signature.ok() ||
      !crypto::VerifyAuthChallenge(*auth_key, Span(request.challenge()), *signature).ok()) {
    return RefuseBadSignature(source, device_key, request);
  }
  // A correct signature always logs in, whatever failures came before: no
  // one without the device's key can lock its owner out. Only such a login
  // counts against the server-wide login limit (the token write is the work
  // it bounds), and a refused one leaves its challenge unused for a retry.
  SBS_RETURN_IF_ERROR(services_.anonymous_limits.AdmitNewToken());
  // Single use: a concurrent login with the same signed challenge loses.
  if (!services_.challenges.MarkUsed(request.challenge())) return RefuseUnknownChallenge(source);
  services_.device_login_failures.Clear(device_key);

  std::string token = RandomBytes(services_.random, kSessionTokenSize);
  v1::TokenRecord record;
  record.set_user_id(request.user_id());
  record.set_device_id(request.device_id());
  int64_t now = services_.clock.NowUnixMs();
  record.set_created_at_unix_ms(now);
  record.set_expires_at_unix_ms(now + int64_t{services_.limits.token_ttl_seconds} * 1000);
  Status stored =
      services_.store.CreateSessionToken(HashSecret(SecretPurpose::kSessionToken, token), record,
                                         services_.limits.max_tokens_per_device);
  if (stored.ok()) {
    response.set_token(ToHex(token));
    response.set_expires_at_unix_ms(record.expires_at_unix_ms());
  }
  crypto::SecureWipe(token.data(), token.size());
  return stored;
}

Status AccountsService::DoLogout(grpc::CallbackServerContext& context) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  Status revoked = services_.store.RevokeSessionToken(caller.token_hash);
  if (revoked.IsNotFound()) return Status::Unauthenticated("unknown, expired or revoked token");
  return revoked;
}

Status AccountsService::DoListDevices(grpc::CallbackServerContext& context,
                                      v1::ListDevicesResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  SBS_ASSIGN_OR_RETURN(std::vector<v1::DeviceRecord> devices,
                       services_.store.ListDevices(caller.user_id));
  SBS_ASSIGN_OR_RETURN(v1::AccountRecord account, services_.store.GetAccount(caller.user_id));
  response.set_next_device_id(account.next_device_id());
  for (const auto& device : devices) {
    v1::DeviceInfo* info = response.add_devices();
    info->set_device_id(device.device_id());
    info->set_device_auth_key(device.device_auth_key());
    info->set_created_at_unix_ms(device.created_at_unix_ms());
  }
  return Status::Ok();
}

}  // namespace securebase::server
