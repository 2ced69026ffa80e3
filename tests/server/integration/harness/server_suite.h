// A GoogleTest fixture base that shares one server among the tests of a
// suite (tests create fresh accounts, so they do not interfere).
//
//   class MyTest : public ServerSuite<MyTest> {
//    public:
//     static ServerOptions Options() { return {.flags = {"--token-ttl-seconds=1"}}; }
//   };
//
// The server is stopped with SIGTERM after the suite, which must exit 0.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SERVER_SUITE_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SERVER_SUITE_H_

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/store_snapshot.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::integration {

template <typename Derived>
class ServerSuite : public ::testing::Test {
 public:
  static ServerOptions Options() { return {}; }

  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(Derived::Options());
    ::testing::AssertionResult started = server_->Start();
    start_error_ = started ? "" : started.message();
    if (started) api_ = std::make_shared<Api>(server_->channel());
  }

  static void TearDownTestSuite() {
    api_.reset();
    if (server_ != nullptr && server_->running()) {
      ::testing::AssertionResult stopped = server_->Stop();
      if (!stopped) ADD_FAILURE() << "clean shutdown: " << stopped.message();
    }
    server_.reset();
  }

 protected:
  void SetUp() override {
    ASSERT_TRUE(server_ != nullptr && server_->running())
        << "the shared server did not start: " << start_error_;
  }

  void TearDown() override {
    if (HasFailure() && server_ != nullptr) {
      std::string err = server_->StderrText();
      constexpr size_t kTail = 6000;
      if (err.size() > kTail) err = "...\n" + err.substr(err.size() - kTail);
      std::cerr << "---- securebase-server stderr (tail) ----\n"
                << err << "\n---- end of server stderr ----\n";
    }
  }

  static std::unique_ptr<TestAccount> NewClient(int one_time_prekeys = 5) {
    return TestAccount::Create(api_, v1::ROLE_CLIENT, one_time_prekeys);
  }
  static std::unique_ptr<TestAccount> NewTherapist(int one_time_prekeys = 5) {
    return TestAccount::Create(api_, v1::ROLE_THERAPIST, one_time_prekeys);
  }
  static ::testing::AssertionResult Snapshot(StoreSnapshot* out) {
    return StoreSnapshot::Take(server_->db_dir(), out);
  }
  static ::testing::AssertionResult Unchanged(const StoreSnapshot& before) {
    return StoreUnchanged(before, server_->db_dir());
  }

  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::shared_ptr<Api> api_;
  static inline std::string start_error_;
};

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SERVER_SUITE_H_
