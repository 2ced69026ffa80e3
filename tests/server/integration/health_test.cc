// gRPC health checking (grpc.health.v1.Health/Check) answers SERVING.
#include <gtest/gtest.h>

#include <chrono>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

class HealthTest : public ServerSuite<HealthTest> {};

TEST_F(HealthTest, OverallStatusIsServing) {
  auto stub = grpc::health::v1::Health::NewStub(server_->channel());
  grpc::health::v1::HealthCheckRequest req;  // service "": the server as a whole.
  grpc::health::v1::HealthCheckResponse resp;
  auto ctx = MakeContext();
  ASSERT_GRPC_OK(stub->Check(ctx.get(), req, &resp));
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace securebase::integration
