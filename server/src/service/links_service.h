// securebase.v1.Links: invites, care links.
#ifndef SECUREBASE_SERVER_SERVICE_LINKS_SERVICE_H_
#define SECUREBASE_SERVER_SERVICE_LINKS_SERVICE_H_

#include "securebase/v1/links.grpc.pb.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

// Every method raw (unary.h): size-checked before parsing.
using LinksRawService = v1::Links::WithRawCallbackMethod_CreateInvite<
    v1::Links::WithRawCallbackMethod_RedeemInvite<v1::Links::WithRawCallbackMethod_ListLinks<
        v1::Links::WithRawCallbackMethod_EndLink<v1::Links::Service>>>>;

class LinksService final : public LinksRawService {
 public:
  explicit LinksService(ServiceContext& services) : services_(services) {}

  grpc::ServerUnaryReactor* CreateInvite(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RedeemInvite(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListLinks(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* EndLink(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;

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
