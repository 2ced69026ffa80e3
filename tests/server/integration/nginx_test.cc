// Hardening finding 2: gRPC 1.51's HPACK parser accepts header blocks of any
// size and parses them in quadratic time (CVE-2023-33953; Debian 12's
// libgrpc has no fix): four 16 MiB header blocks blocked new connections
// for 40 s. Production puts nginx in front (deploy/nginx/securebase.conf).
// These tests run that file, as shipped but for paths and ports, in front of
// a real server, play the attacker against it from their own addresses
// (127.0.0.2 and up), and measure from here that the server still answers a
// health check through nginx within 1 s.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/nginx_process.h"
#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/raw_h2.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"
#include "tests/server/integration/harness/subscription.h"
#include "tests/server/integration/harness/tcp_proxy.h"
#include "tests/server/integration/harness/test_account.h"
#include "tests/server/integration/harness/tls_files.h"

namespace securebase::integration {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kHealthBound = milliseconds(1000);

class NginxTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tls_dir_ = new std::string(MakeTempDir("sb-nginx-tls-"));
    tls_ = new TlsFiles();
    ASSERT_TRUE(MakeTlsFiles(*tls_dir_, "nginx test", tls_));
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(*tls_dir_, ec);
    delete tls_;
    delete tls_dir_;
  }

 protected:
  // The server as production runs it behind nginx: plaintext on loopback,
  // nginx's X-Real-IP trusted.
  virtual ServerOptions Options() { return WithFlags({"--trusted-proxies=127.0.0.1"}); }

  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(Options());
    ASSERT_TRUE(server_->Start());
    nginx_ = std::make_unique<NginxProcess>(
        NginxOptions{server_->port(), tls_->server_cert, tls_->server_key});
    ASSERT_TRUE(nginx_->Start());
    ASSERT_TRUE(HealthyWithinBound()) << "before any attack";
  }
  void TearDown() override {
    if (HasFailure() && nginx_) std::cerr << "---- nginx error log ----\n" << nginx_->ErrorLog();
    nginx_.reset();
    if (server_ && server_->running()) {
      EXPECT_TRUE(server_->Stop());
    }
  }

  // A health check through nginx on a new connection (as a new client makes
  // it), timed from here.
  ::testing::AssertionResult HealthyWithinBound() {
    const auto start = std::chrono::steady_clock::now();
    auto stub = grpc::health::v1::Health::NewStub(nginx_->Channel(tls_->ca_pem));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + seconds(5));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
    const auto took =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    if (!status.ok()) return ::testing::AssertionFailure() << "health: " << StatusString(status);
    if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      return ::testing::AssertionFailure() << "health says " << response.status();
    }
    if (took > kHealthBound) {
      return ::testing::AssertionFailure() << "a health check took " << took.count() << " ms";
    }
    return ::testing::AssertionSuccess() << took.count() << " ms";
  }

  // Health checks every 200 ms while `attack` runs (on its own thread);
  // every one must pass.
  template <typename Attack>
  void ExpectHealthyDuring(Attack attack) {
    std::atomic<bool> done{false};
    std::thread attacker([&] {
      attack();
      done = true;
    });
    int checks = 0;
    while (!done.load() || checks < 3) {
      ::testing::AssertionResult healthy = HealthyWithinBound();
      EXPECT_TRUE(healthy) << "during the attack, check " << checks;
      ++checks;
      std::this_thread::sleep_for(milliseconds(200));
    }
    attacker.join();
    EXPECT_TRUE(HealthyWithinBound()) << "after the attack";
  }

  static inline std::string* tls_dir_ = nullptr;
  static inline TlsFiles* tls_ = nullptr;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<NginxProcess> nginx_;
};

// TLS at nginx, gRPC to the server: registration, login, a link, a send,
// delivery on a Subscribe stream and an acknowledgement, all through nginx.
TEST_F(NginxTest, AnOrdinaryClientWorksThroughNginx) {
  auto api = std::make_shared<Api>(nginx_->Channel(tls_->ca_pem));
  auto therapist = TestAccount::Create(api, v1::ROLE_THERAPIST);
  auto client = TestAccount::Create(api, v1::ROLE_CLIENT);
  ASSERT_TRUE(therapist && client);
  ASSERT_GRPC_OK(LinkAccounts(*therapist, *client));
  {
    Subscription stream(*therapist, 0, 0);
    ASSERT_GRPC_OK(client->Send(*therapist, "through nginx"));
    ASSERT_TRUE(stream.WaitForCount(1, seconds(10)));
    EXPECT_EQ(stream.Received()[0].ciphertext(),
              TargetCiphertext("through nginx", therapist->address(0)));
    v1::AcknowledgeResponse ack;
    ASSERT_GRPC_OK(therapist->Acknowledge(0, stream.Received()[0].seq(), &ack));
    EXPECT_EQ(ack.deleted(), 1u);
    stream.Cancel();
  }
}

// nginx passes the client's address (X-Real-IP) and the server, trusting
// nginx, limits registrations per client address, not per nginx. With the
// server's real per-address limits (10 registrations, then 6 a minute).
class NginxSourceLimitTest : public NginxTest {
 protected:
  ServerOptions Options() override {
    ServerOptions options = NginxTest::Options();
    options.relaxed_source_limits = false;
    return options;
  }
};

TEST_F(NginxSourceLimitTest, TheServerSeesEachClientsOwnAddressBehindNginx) {
  // The flooder reaches nginx from 127.0.0.2 (a proxy bound to it).
  TcpProxy flood_path(nginx_->port(), "127.0.0.2");
  auto flooder = std::make_shared<Api>(LocalhostTlsChannel(flood_path.address(), tls_->ca_pem));
  int refused = 0;
  for (int i = 0; i < 15; ++i) {
    TestAccount account(flooder, v1::ROLE_CLIENT, 1);
    grpc::Status status = account.Register();
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) ++refused;
  }
  EXPECT_GE(refused, 4) << "registrations through nginx were not limited per client address";
  auto honest = std::make_shared<Api>(nginx_->Channel(tls_->ca_pem));
  EXPECT_TRUE(TestAccount::Create(honest, v1::ROLE_CLIENT))
      << "another address was refused too: the server counted nginx, not the clients";
}

// The finding's attack: header blocks of 16 MiB (HEADERS + CONTINUATION
// frames), four at once. nginx refuses them after a few KiB; the server
// never parses them.
TEST_F(NginxTest, AHeaderBombThroughNginxLeavesTheServerAnswering) {
  const int64_t server_cpu_before = ProcessCpuMicros(server_->pid());
  ExpectHealthyDuring([&] {
    std::vector<std::thread> bombs;
    for (int i = 0; i < 4; ++i) {
      bombs.emplace_back([&, i] {
        auto connection = RawH2Connection::Connect(nginx_->port(), /*tls=*/true,
                                                   "127.0.0." + std::to_string(2 + i));
        ASSERT_TRUE(connection);
        ASSERT_TRUE(connection->SendPreface());
        Headers headers = GrpcRequestHeaders("/securebase.v1.Accounts/GetChallenge", "localhost");
        for (int h = 0; h < 256; ++h) {
          headers.emplace_back("x-bomb-" + std::to_string(h), std::string(64 * 1024, 'a'));
        }
        // 16 MiB of header block; nginx closes the connection long before.
        connection->SendHeaderBlock(1, EncodeHeaderBlock(headers), false);
        connection->Drain(milliseconds(500));
        EXPECT_TRUE(connection->closed()) << "nginx kept a connection with a 16 MiB header block";
      });
    }
    for (auto& bomb : bombs) bomb.join();
  });
  const int64_t server_cpu = ProcessCpuMicros(server_->pid()) - server_cpu_before;
  EXPECT_LT(server_cpu, 500'000) << "the server spent " << server_cpu / 1000
                                 << " ms of CPU: the bombs reached it";
}

// Slowloris: connections that finish TLS and then send a request a byte at a
// time. nginx holds them cheaply (and closes them after its timeouts); the
// server sees none of it.
TEST_F(NginxTest, ASlowlorisThroughNginxLeavesTheServerAnswering) {
  const size_t server_fds_before = OpenFdCount(server_->pid());
  ExpectHealthyDuring([&] {
    std::vector<std::unique_ptr<RawH2Connection>> slow;
    for (int i = 0; i < 200; ++i) {
      auto connection = RawH2Connection::Connect(nginx_->port(), /*tls=*/true, "127.0.0.6");
      if (connection) slow.push_back(std::move(connection));
    }
    ASSERT_GE(slow.size(), 150u);
    Headers headers = GrpcRequestHeaders("/securebase.v1.Accounts/GetChallenge", "localhost");
    const std::string preface_and_headers = std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    // Two and a half seconds of one byte per connection every 100 ms.
    for (size_t byte = 0; byte < 25 && byte < preface_and_headers.size(); ++byte) {
      for (auto& connection : slow) connection->SendBytes(preface_and_headers.substr(byte, 1));
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  EXPECT_LT(OpenFdCount(server_->pid()), server_fds_before + 20)
      << "slow connections reached the server";
}

// A flood of idle TCP connections (and TLS ones that never send a request):
// nginx holds them, the server never sees them, so they cannot use up its
// file descriptors (finding 3).
TEST_F(NginxTest, AConnectionFloodThroughNginxLeavesTheServerAnswering) {
  // The test process needs the descriptors for its side of the flood.
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  const size_t server_fds_before = OpenFdCount(server_->pid());
  std::vector<std::unique_ptr<RawH2Connection>> flood;
  ExpectHealthyDuring([&] {
    for (int i = 0; i < 1500; ++i) {
      auto connection = RawH2Connection::Connect(nginx_->port(), /*tls=*/false, "127.0.0.7");
      if (connection) flood.push_back(std::move(connection));
    }
    for (int i = 0; i < 100; ++i) {
      auto connection = RawH2Connection::Connect(nginx_->port(), /*tls=*/true, "127.0.0.8");
      if (connection) flood.push_back(std::move(connection));
    }
  });
  EXPECT_GE(flood.size(), 1000u) << "the test could not open its connections";
  EXPECT_LT(OpenFdCount(server_->pid()), server_fds_before + 20)
      << "the flood reached the server's descriptors";
}

}  // namespace
}  // namespace securebase::integration
