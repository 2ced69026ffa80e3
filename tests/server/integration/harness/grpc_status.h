// gRPC status helpers and assertions for the integration tests.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_GRPC_STATUS_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_GRPC_STATUS_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <string>

namespace securebase::integration {

// "INVALID_ARGUMENT".
std::string CodeName(grpc::StatusCode code);
// "INVALID_ARGUMENT: <message>" or "OK".
std::string StatusString(const grpc::Status& status);

// Success iff `status` is OK; the failure message names code and message.
::testing::AssertionResult IsOk(const grpc::Status& status);

// Success iff `status` has `code` and (for errors) a non-empty message.
::testing::AssertionResult HasCode(const grpc::Status& status, grpc::StatusCode code);

}  // namespace securebase::integration

#define ASSERT_GRPC_OK(expr) ASSERT_TRUE(::securebase::integration::IsOk(expr)) << #expr
#define EXPECT_GRPC_OK(expr) EXPECT_TRUE(::securebase::integration::IsOk(expr)) << #expr
// The status has exactly `code` and a non-empty message.
#define EXPECT_GRPC_CODE(expr, code) \
  EXPECT_TRUE(::securebase::integration::HasCode((expr), (code))) << #expr
#define ASSERT_GRPC_CODE(expr, code) \
  ASSERT_TRUE(::securebase::integration::HasCode((expr), (code))) << #expr

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_GRPC_STATUS_H_
