// securebase.v1.Keys: prekey upload, count and bundle claims.
#ifndef SECUREBASE_SERVER_SERVICE_KEYS_SERVICE_H_
#define SECUREBASE_SERVER_SERVICE_KEYS_SERVICE_H_

#include "securebase/v1/keys.grpc.pb.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

// Every method raw (unary.h): size-checked before parsing.
using KeysRawService =
    v1::Keys::WithRawCallbackMethod_UploadPreKeys<v1::Keys::WithRawCallbackMethod_GetPreKeyCount<
        v1::Keys::WithRawCallbackMethod_GetPreKeyBundles<v1::Keys::Service>>>;

class KeysService final : public KeysRawService {
 public:
  explicit KeysService(ServiceContext& services) : services_(services) {}

  grpc::ServerUnaryReactor* UploadPreKeys(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetPreKeyCount(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetPreKeyBundles(grpc::CallbackServerContext* context,
                                             const grpc::ByteBuffer* request,
                                             grpc::ByteBuffer* response) override;

 private:
  Status DoUpload(grpc::CallbackServerContext& context, const v1::UploadPreKeysRequest& request,
                  v1::UploadPreKeysResponse& response);
  Status DoCount(grpc::CallbackServerContext& context, v1::GetPreKeyCountResponse& response);
  Status DoBundles(grpc::CallbackServerContext& context, const v1::GetPreKeyBundlesRequest& request,
                   v1::GetPreKeyBundlesResponse& response);

  ServiceContext& services_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_KEYS_SERVICE_H_
