// Hardening finding 3: 1,100 idle TCP connections under the default limit of
// 1,024 file descriptors made the listener stop accepting, for good (gRPC
// 1.51 gives up on accept4 errors), and RocksDB could no longer open its WAL.
// The server now raises its limit to the hard limit, keeps RocksDB's open
// files bounded, and when the listener dies anyway it stops with a non-zero
// status so that its supervisor restarts it, instead of hanging on unusable.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::integration {
namespace {

// "Max open files  <soft>  <hard>  files" from /proc/<pid>/limits.
std::pair<std::string, std::string> OpenFilesLimit(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(14));
    std::string soft, hard;
    fields >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

grpc::Status HealthCheck(const std::string& address, std::chrono::milliseconds deadline) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  grpc::health::v1::HealthCheckResponse response;
  return stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
}

// Idle TCP connections to 127.0.0.1:`port` that never send a byte (until a
// connect fails).
class IdleConnections {
 public:
  IdleConnections(int port, int count) {
    for (int i = 0; i < count; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0) break;
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(port));
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        break;
      }
      fds_.push_back(fd);
    }
  }
  ~IdleConnections() { CloseAll(); }
  void CloseAll() {
    for (int fd : fds_) ::close(fd);
    fds_.clear();
  }
  size_t size() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

TEST(FdExhaustionTest, TheFdLimitIsRaisedToTheHardLimit) {
  ServerOptions options;
  options.fd_soft_limit = 256;
  options.fd_hard_limit = 8192;
  ServerProcess server(options);
  ASSERT_TRUE(server.Start());
  auto [soft, hard] = OpenFilesLimit(server.pid());
  EXPECT_EQ(soft, "8192") << "the soft limit stayed at " << soft;
  EXPECT_EQ(hard, "8192");
  // RocksDB keeps a bounded number of table files open (not "all").
  EXPECT_NE(server.StderrText().find("max_open_files=1024"), std::string::npos)
      << server.StderrText();
  ASSERT_TRUE(server.Stop());
}

// With a hard limit the server cannot raise, idle connections use up its
// descriptors and gRPC's listener dies. The server must not stay up unable
// to accept: it stops with a non-zero status (systemd restarts it), and a
// restart serves again once the flood is gone.
TEST(FdExhaustionTest, ADeadListenerStopsTheServerForItsSupervisorToRestart) {
  ServerOptions options;
  options.fd_soft_limit = 200;
  options.fd_hard_limit = 200;
  ServerProcess server(options);
  ASSERT_TRUE(server.Start());
  ASSERT_GRPC_OK(HealthCheck(server.address(), std::chrono::seconds(5)));
  // (Connecting stops early once the server is gone.)
  IdleConnections flood(server.port(), 400);
  ASSERT_GT(flood.size(), 100u) << "the test could not open its idle connections";
  int status = 0;
  const bool exited = server.ExitedWithin(std::chrono::seconds(15), &status);
  flood.CloseAll();
  if (!exited) {
    // Still running: then it must still accept (it may never have hit the
    // limit in accept4).
    grpc::Status health = HealthCheck(server.address(), std::chrono::seconds(3));
    EXPECT_TRUE(health.ok()) << "the server is up but does not accept connections any more ("
                             << StatusString(health) << "): only a restart would help\n"
                             << server.StderrText().substr(0, 4000);
    return;
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0)
      << "want a non-zero exit (for Restart=on-failure), got " << DescribeWaitStatus(status);
  EXPECT_NE(server.StderrText().find("reason=listener_failed"), std::string::npos)
      << server.StderrText().substr(0, 4000);
  // What the supervisor does.
  ASSERT_TRUE(server.Start());
  EXPECT_GRPC_OK(HealthCheck(server.address(), std::chrono::seconds(5)));
  auto api = std::make_shared<Api>(server.channel());
  EXPECT_TRUE(TestAccount::Create(api, v1::ROLE_CLIENT)) << "storage works after the restart";
  api.reset();
  ASSERT_TRUE(server.Stop());
}

}  // namespace
}  // namespace securebase::integration
