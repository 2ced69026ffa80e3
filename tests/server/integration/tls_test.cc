// Transport security: TLS by default; plaintext only on loopback when asked.
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"
#include "tests/server/integration/harness/test_account.h"
#include "tests/server/integration/harness/tls_files.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

class TlsTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    dir_ = MakeTempDir("sb-it-tls-");
    ::testing::AssertionResult made = MakeTlsFiles(dir_, "SecureBase Test", &tls_);
    if (!made) {
      setup_error_ = made.message();
      return;
    }
    std::filesystem::create_directory(dir_ + "/other");
    made = MakeTlsFiles(dir_ + "/other", "Unrelated", &other_ca_);
    if (!made) {
      setup_error_ = made.message();
      return;
    }
    ServerOptions options;
    options.transport = Transport::kTls;
    options.tls_cert = tls_.server_cert;
    options.tls_key = tls_.server_key;
    server_ = std::make_unique<ServerProcess>(options);
    ::testing::AssertionResult started = server_->Start();
    if (!started) setup_error_ = started.message();
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr && server_->running()) {
      ::testing::AssertionResult stopped = server_->Stop();
      if (!stopped) ADD_FAILURE() << stopped.message();
    }
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 protected:
  void SetUp() override { ASSERT_EQ(setup_error_, ""); }

  static std::shared_ptr<grpc::Channel> TlsChannel(const std::string& ca_pem) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ca_pem;
    return grpc::CreateCustomChannel(server_->address(), grpc::SslCredentials(options),
                                     TestChannelArguments());
  }

  // A GetChallenge for an unknown user: any answer from the server (OK, a
  // challenge that never verifies) proves the transport works; UNAVAILABLE
  // means it did not.
  static grpc::Status Probe(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::Accounts::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetChallengeRequest req;
    req.set_user_id(RandomBytes(16));
    req.set_device_id(1);
    v1::GetChallengeResponse resp;
    return stub->GetChallenge(&ctx, req, &resp);
  }

  static inline std::string dir_;
  static inline TlsFiles tls_;
  static inline TlsFiles other_ca_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::string setup_error_;
};

TEST_F(TlsTest, ClientTrustingTheCaConnects) {
  auto api = std::make_shared<Api>(TlsChannel(tls_.ca_pem));
  auto t = TestAccount::Create(api, v1::ROLE_THERAPIST);
  auto c = TestAccount::Create(api, v1::ROLE_CLIENT);
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  ASSERT_GRPC_OK(c->Send(*t, "over-tls"));
  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ciphertext(), TargetCiphertext("over-tls", t->address(0)));
}

TEST_F(TlsTest, ClientTrustingAnotherCaFailsCleanly) {
  const auto start = std::chrono::steady_clock::now();
  grpc::Status s = Probe(TlsChannel(other_ca_.ca_pem));
  EXPECT_EQ(s.error_code(), StatusCode::UNAVAILABLE) << StatusString(s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(TlsTest, PlaintextClientFailsCleanly) {
  auto channel = grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(),
                                           TestChannelArguments());
  const auto start = std::chrono::steady_clock::now();
  grpc::Status s = Probe(channel);
  EXPECT_EQ(s.error_code(), StatusCode::UNAVAILABLE) << StatusString(s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
      << "it should fail, not hang until the deadline";
  // The TLS server is unaffected.
  EXPECT_GRPC_CODE(Probe(TlsChannel(tls_.ca_pem)), StatusCode::OK);
}

// The server must refuse these configurations: exit non-zero, never listen.
void ExpectRefusesToStart(const std::vector<std::string>& flags, const std::string& why) {
  const std::string data = MakeTempDir("sb-it-refuse-");
  std::vector<std::string> argv = {ServerBinary(), "serve", "--data-dir", data + "/data"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  CommandResult r;
  ASSERT_TRUE(RunCommand(argv, std::chrono::seconds(20), &r));
  EXPECT_FALSE(r.timed_out) << why << ": still running after 20 s";
  EXPECT_NE(r.exit_code, 0) << why;
  EXPECT_EQ(r.term_signal, 0) << why << ": crashed instead of exiting";
  EXPECT_EQ(r.stdout_text.find("listening on"), std::string::npos) << why;
  EXPECT_FALSE(r.stderr_text.empty()) << why << ": no explanation on stderr";
  std::error_code ec;
  std::filesystem::remove_all(data, ec);
}

TEST(TlsConfigTest, RefusesToStartWithoutTlsOrInsecureLoopback) {
  ExpectRefusesToStart({"--listen", "127.0.0.1:0"}, "no TLS files, no --insecure-loopback");
}

TEST(TlsConfigTest, RefusesInsecureLoopbackOnANonLoopbackAddress) {
  ExpectRefusesToStart({"--listen", "0.0.0.0:0", "--insecure-loopback"}, "0.0.0.0");
  ExpectRefusesToStart({"--listen", "[::]:0", "--insecure-loopback"}, "[::]");
}

TEST(TlsConfigTest, RefusesUnreadableTlsFiles) {
  ExpectRefusesToStart({"--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent/server.crt",
                        "--tls-key", "/nonexistent/server.key"},
                       "missing certificate files");
}

}  // namespace
}  // namespace securebase::integration
