// securebase.v1.Blobs: opaque ciphertext blobs (history archives of a device
// link, backups; later attachments). The store keeps them in chunks
// (store.h, BlobStore); this service checks who may write and read.
#ifndef SECUREBASE_SERVER_SERVICE_BLOBS_SERVICE_H_
#define SECUREBASE_SERVER_SERVICE_BLOBS_SERVICE_H_

#include "securebase/v1/blobs.grpc.pb.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

using BlobsRawService = v1::Blobs::WithRawCallbackMethod_PutBlob<
    v1::Blobs::WithRawCallbackMethod_GetBlob<v1::Blobs::WithRawCallbackMethod_GetBlobInfo<
        v1::Blobs::WithRawCallbackMethod_DeleteBlob<v1::Blobs::Service>>>>;

class BlobsService final : public BlobsRawService {
 public:
  explicit BlobsService(ServiceContext& services) : services_(services) {}

  grpc::ServerReadReactor<grpc::ByteBuffer>* PutBlob(grpc::CallbackServerContext* context,
                                                     grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* GetBlob(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* GetBlobInfo(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* DeleteBlob(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;

 private:
  ServiceContext& services_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_BLOBS_SERVICE_H_
