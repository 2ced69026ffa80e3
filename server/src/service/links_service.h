// securebase.v1.Links: invites, care links.
#ifndef SECUREBASE_SERVER_SERVICE_LINKS_SERVICE_H_
#define SECUREBASE_SERVER_SERVICE_LINKS_SERVICE_H_

#include "securebase/v1/links.grpc.pb.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

class LinksService final : public v1::Links::CallbackService {
 public:
  explicit LinksService(ServiceContext& services) : services_(services) {}

  grpc::ServerUnaryReactor* CreateInvite(grpc::CallbackServerContext* context,
                                         const v1::CreateInviteRequest* request,
                                         v1::CreateInviteResponse* response) override;
  grpc::ServerUnaryReactor* RedeemInvite(grpc::CallbackServerContext* context,
                                         const v1::RedeemInviteRequest* request,
                                         v1::RedeemInviteResponse* response) override;
  grpc::ServerUnaryReactor* ListLinks(grpc::CallbackServerContext* context,
                                      const v1::ListLinksRequest* request,
                                      v1::ListLinksResponse* response) override;
  grpc::ServerUnaryReactor* EndLink(grpc::CallbackServerContext* context,
                                    const v1::EndLinkRequest* request,
                                    v1::EndLinkResponse* response) override;

 private:
  Status DoCreate(grpc::CallbackServerContext& context, const v1::CreateInviteRequest& request,
                  v1::CreateInviteResponse& response);
  Status DoRedeem(grpc::CallbackServerContext& context, const v1::RedeemInviteRequest& request,
                  v1::RedeemInviteResponse& response);
  Status DoList(grpc::CallbackServerContext& context, v1::ListLinksResponse& response);
  Status DoEnd(grpc::CallbackServerContext& context, const v1::EndLinkRequest& request);

  ServiceContext& services_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_LINKS_SERVICE_H_
