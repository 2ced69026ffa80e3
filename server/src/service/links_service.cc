#include "server/src/service/links_service.h"

#include "securebase/crypto/secret.h"
#include "server/src/common/secrets.h"
#include "server/src/service/authenticator.h"
#include "server/src/service/request_limits.h"
#include "server/src/service/unary.h"
#include "server/src/service/validation.h"

namespace securebase::server {
namespace {

void ToLink(const v1::LinkRecord& record, v1::Link& link) {
  link.set_peer_user_id(record.peer_user_id());
  link.set_peer_role(record.peer_role());
  link.set_peer_identity_key(record.peer_identity_key());
  link.set_created_at_unix_ms(record.created_at_unix_ms());
}

}  // namespace

grpc::ServerUnaryReactor* LinksService::CreateInvite(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeUnary<v1::CreateInviteRequest, v1::CreateInviteResponse>(
      context, request, response, {"Links.CreateInvite", MaxInviteRequestBytes()},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &req, &resp] { return DoCreate(*context, req, resp); });
      });
}

grpc::ServerUnaryReactor* LinksService::RedeemInvite(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeUnary<v1::RedeemInviteRequest, v1::RedeemInviteResponse>(
      context, request, response, {"Links.RedeemInvite", kSmallRequestBytes},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &req, &resp] { return DoRedeem(*context, req, resp); });
      });
}

grpc::ServerUnaryReactor* LinksService::ListLinks(grpc::CallbackServerContext* context,
                                                  const grpc::ByteBuffer* request,
                                                  grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListLinksRequest, v1::ListLinksResponse>(
      context, request, response, {"Links.ListLinks", kSmallRequestBytes},
      [=, this](const auto&, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &resp] { return DoList(*context, resp); });
      });
}

grpc::ServerUnaryReactor* LinksService::EndLink(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) {
  return ServeUnary<v1::EndLinkRequest, v1::EndLinkResponse>(
      context, request, response, {"Links.EndLink", kSmallRequestBytes},
      [=, this](const auto& req, auto&, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &req] { return DoEnd(*context, req); });
      });
}

Status LinksService::DoCreate(grpc::CallbackServerContext& context,
                              const v1::CreateInviteRequest& request,
                              v1::CreateInviteResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  SBS_ASSIGN_OR_RETURN(v1::AccountRecord account, services_.store.GetAccount(caller.user_id));
  if (account.role() != v1::ROLE_THERAPIST) {
    return Status::PermissionDenied("only therapists create invites");
  }
  const Limits& limits = services_.limits;
  if (request.expires_in_seconds() > limits.max_invite_seconds) {
    return Status::InvalidArgument("expires_in_seconds exceeds the server maximum of " +
                                   std::to_string(limits.max_invite_seconds));
  }
  if (request.sealed_profile().size() > kMaxSealedProfileBytes) {
    return Status::InvalidArgument("sealed_profile is larger than 4096 bytes");
  }
  uint32_t seconds = request.expires_in_seconds();
  if (seconds == 0) seconds = std::min(kDefaultInviteSeconds, limits.max_invite_seconds);
  SBS_RETURN_IF_ERROR(CheckRoomToGrow(services_));

  std::string secret = RandomBytes(services_.random, kInviteSecretSize);
  v1::InviteRecord invite;
  invite.set_therapist_user_id(caller.user_id);
  int64_t now = services_.clock.NowUnixMs();
  invite.set_created_at_unix_ms(now);
  invite.set_expires_at_unix_ms(now + int64_t{seconds} * 1000);
  invite.set_sealed_profile(request.sealed_profile());
  Status created = services_.store.CreateInvite(HashSecret(SecretPurpose::kInviteSecret, secret),
                                                invite, limits.max_outstanding_invites);
  if (created.ok()) {
    response.set_invite_secret(secret);
    response.set_expires_at_unix_ms(invite.expires_at_unix_ms());
  }
  crypto::SecureWipe(secret.data(), secret.size());
  return created;
}

Status LinksService::DoRedeem(grpc::CallbackServerContext& context,
                              const v1::RedeemInviteRequest& request,
                              v1::RedeemInviteResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  SBS_ASSIGN_OR_RETURN(v1::AccountRecord account, services_.store.GetAccount(caller.user_id));
  if (account.role() != v1::ROLE_CLIENT) {
    return Status::PermissionDenied("only clients redeem invites");
  }
  SBS_RETURN_IF_ERROR(CheckSize("invite_secret", request.invite_secret(), kInviteSecretSize));
  SBS_ASSIGN_OR_RETURN(RedeemedInvite redeemed,
                       services_.store.RedeemInvite(
                           HashSecret(SecretPurpose::kInviteSecret, request.invite_secret()),
                           account));
  ToLink(redeemed.link, *response.mutable_link());
  response.set_sealed_profile(std::move(redeemed.sealed_profile));
  return Status::Ok();
}

Status LinksService::DoList(grpc::CallbackServerContext& context, v1::ListLinksResponse& response) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  SBS_ASSIGN_OR_RETURN(std::vector<v1::LinkRecord> links, services_.store.ListLinks(caller.user_id));
  for (const auto& link : links) ToLink(link, *response.add_links());
  return Status::Ok();
}

Status LinksService::DoEnd(grpc::CallbackServerContext& context, const v1::EndLinkRequest& request) {
  SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, context));
  SBS_RETURN_IF_ERROR(CheckUserId("peer_user_id", request.peer_user_id()));
  return services_.store.EndLink(caller.user_id, request.peer_user_id());
}

}  // namespace securebase::server
