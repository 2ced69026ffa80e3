// securebase.v1.Provisioning: the single-use relay for linking a device
// (provisioning/slots.h holds the slots and their limits).
#ifndef SECUREBASE_SERVER_SERVICE_PROVISIONING_SERVICE_H_
#define SECUREBASE_SERVER_SERVICE_PROVISIONING_SERVICE_H_

#include "securebase/v1/provisioning.grpc.pb.h"
#include "server/src/provisioning/slots.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

// Initial metadata of a WaitForProvisioning stream whose slot is open.
inline constexpr std::string_view kSlotOpenMetadata = "securebase-slot-open";

using ProvisioningRawService = v1::Provisioning::WithRawCallbackMethod_WaitForProvisioning<
    v1::Provisioning::WithRawCallbackMethod_DepositProvisioning<v1::Provisioning::Service>>;

class ProvisioningService final : public ProvisioningRawService {
 public:
  ProvisioningService(ServiceContext& services, ProvisioningSlots& slots)
      : services_(services), slots_(slots) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* WaitForProvisioning(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* DepositProvisioning(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) override;

 private:
  ServiceContext& services_;
  ProvisioningSlots& slots_;
};

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_SERVICE_PROVISIONING_SERVICE_H_
