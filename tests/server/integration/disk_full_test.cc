// Hardening findings 5 and 3, on a file system of a few dozen MiB that the
// test mounts (a tmpfs): one account sent at 100 MiB/s until the disk was
// full; then every user's sends and logins failed, acknowledgements failed
// too (so no space could be freed), and health still said SERVING.
//
// Mounting needs root (or CAP_SYS_ADMIN); elsewhere these tests are skipped,
// saying so. CI runs as root.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t kMiB = 1 << 20;

// A tmpfs of `megabytes` mounted on a fresh directory; unmounted and removed
// by the destructor.
class SmallFileSystem {
 public:
  explicit SmallFileSystem(int megabytes) : dir_(MakeTempDir("sb-disk-")) {
    std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~SmallFileSystem() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }
  uint64_t FreeBytes() const {
    struct statvfs info {};
    ::statvfs(dir_.c_str(), &info);
    return uint64_t{info.f_bavail} * info.f_frsize;
  }
  // Writes a file that takes (about) all the free space; removes it when
  // `Release` is called or the file system goes.
  void Fill() {
    std::ofstream out(filler_path(), std::ios::binary | std::ios::app);
    std::string block(64 * 1024, 'f');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) out.flush();
  }
  void Release() {
    std::error_code ec;
    std::filesystem::remove(filler_path(), ec);
  }

 private:
  std::string filler_path() const { return dir_ + "/filler"; }
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

#define SKIP_UNLESS_MOUNTED(fs)                                                          \
  if (!(fs).mounted()) {                                                                 \
    GTEST_SKIP() << "cannot mount a tmpfs here (" << (fs).error()                        \
                 << "): the disk-full tests need root or CAP_SYS_ADMIN and did not run"; \
  }

grpc::health::v1::HealthCheckResponse::ServingStatus Health(const ServerProcess& server) {
  auto stub = grpc::health::v1::Health::NewStub(server.channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + seconds(5));
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
  if (!status.ok()) return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  return response.status();
}

// Polls `condition` every 100 ms for up to `timeout`.
template <typename Condition>
bool Eventually(Condition condition, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return true;
}

// A linked therapist and client on `server`; the client sends.
struct Pair {
  explicit Pair(const ServerProcess& server)
      : api(std::make_shared<Api>(server.channel())),
        therapist(TestAccount::Create(api, v1::ROLE_THERAPIST)),
        client(TestAccount::Create(api, v1::ROLE_CLIENT)) {
    if (therapist && client) linked = LinkAccounts(*therapist, *client).ok();
  }
  // A send from the client whose ciphertext is `bytes` long.
  grpc::Status SendBig(size_t bytes) {
    v1::SendRequest request = client->MakeSend(*therapist, "");
    request.mutable_ciphertexts(0)->set_ciphertext(
        RandomBytes(bytes));  // As incompressible as real ciphertext.
    return client->SendRequest(request);
  }
  // Drops the connection (before a server stop: see AdminTest).
  void Close() {
    therapist.reset();
    client.reset();
    api.reset();
  }
  std::shared_ptr<Api> api;
  std::unique_ptr<TestAccount> therapist;
  std::unique_ptr<TestAccount> client;
  bool linked = false;
};

ServerOptions OnFileSystem(const SmallFileSystem& fs, std::vector<std::string> flags) {
  ServerOptions options;
  options.data_dir = fs.dir() + "/data";
  options.flags = std::move(flags);
  options.flags.push_back("--max-envelope-bytes=1048576");
  return options;
}

// One account sends until the server says no: RESOURCE_EXHAUSTED, before
// the disk is full, never a storage failure. Everyone else goes on, the
// recipient acknowledges, and once the space is reclaimed sends work again.
TEST(DiskFullTest, OneAccountCannotFillTheDisk) {
  SmallFileSystem fs(96);
  SKIP_UNLESS_MOUNTED(fs);
  ServerProcess server(OnFileSystem(fs, {"--min-free-disk-mb=32", "--disk-reserve-mb=4"}));
  ASSERT_TRUE(server.Start());
  Pair flood(server);
  Pair bystander(server);
  ASSERT_TRUE(flood.linked && bystander.linked);
  int stored = 0;
  grpc::Status last;
  for (int i = 0; i < 200; ++i) {
    last = flood.SendBig(kMiB);
    if (!last.ok()) break;
    ++stored;
  }
  ASSERT_EQ(last.error_code(), StatusCode::RESOURCE_EXHAUSTED)
      << "after " << stored << " MiB: " << StatusString(last) << " (free now "
      << fs.FreeBytes() / kMiB << " MiB)";
  EXPECT_GT(stored, 0);
  EXPECT_GE(fs.FreeBytes(), 16 * kMiB) << "growth was not stopped before the disk filled";
  EXPECT_EQ(Health(server), grpc::health::v1::HealthCheckResponse::SERVING);
  // Others log in, and the recipient fetches and acknowledges everything.
  EXPECT_GRPC_OK(bystander.client->Login(0));
  EXPECT_GRPC_OK(bystander.therapist->Login(0));
  std::vector<v1::Envelope> waiting;
  ASSERT_GRPC_OK(flood.therapist->FetchAll(0, 0, &waiting));
  ASSERT_EQ(static_cast<int>(waiting.size()), stored);
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(flood.therapist->Acknowledge(0, waiting.back().seq(), &ack));
  EXPECT_EQ(static_cast<int>(ack.deleted()), stored);
  // Compaction reclaims the space (the operator's `stats --compact`, or
  // RocksDB by itself later); then sends work again.
  CommandResult compact;
  ASSERT_TRUE(RunCommand({ServerBinary(), "stats", "--compact", "--data-dir", server.data_dir()},
                         seconds(60), &compact));
  EXPECT_EQ(compact.exit_code, 0) << compact.stderr_text;
  EXPECT_TRUE(Eventually([&] { return flood.SendBig(kMiB).ok(); }, seconds(10)))
      << "sends did not resume after the space was reclaimed";
  flood.Close();
  bystander.Close();
  EXPECT_TRUE(server.Stop());
}

// Something else fills the disk (logs, another program). The server gives
// back its reserve, so acknowledgements and logins still work, and sends are
// refused cleanly; once space is freed everything works again.
TEST(DiskFullTest, WhenSomethingElseFillsTheDiskAcknowledgementsStillWork) {
  SmallFileSystem fs(64);
  SKIP_UNLESS_MOUNTED(fs);
  ServerProcess server(OnFileSystem(fs, {"--min-free-disk-mb=8", "--disk-reserve-mb=8"}));
  ASSERT_TRUE(server.Start());
  Pair pair(server);
  ASSERT_TRUE(pair.linked);
  for (int i = 0; i < 3; ++i) ASSERT_GRPC_OK(pair.SendBig(64 * 1024));
  std::vector<v1::Envelope> waiting;
  ASSERT_GRPC_OK(pair.therapist->FetchAll(0, 0, &waiting));
  ASSERT_EQ(waiting.size(), 3u);

  fs.Fill();
  ASSERT_TRUE(Eventually(
      [&] { return server.StderrText().find("event=disk_reserve_released") != std::string::npos; },
      seconds(5)))
      << "the reserve was not released (free: " << fs.FreeBytes() << " bytes)";
  EXPECT_EQ(pair.SendBig(64 * 1024).error_code(), StatusCode::RESOURCE_EXHAUSTED)
      << "a send on a full disk must be refused, not fail in storage";
  EXPECT_GRPC_OK(pair.client->Login(0)) << "logins work on a full disk";
  v1::AcknowledgeResponse ack;
  EXPECT_GRPC_OK(pair.therapist->Acknowledge(0, waiting.back().seq(), &ack))
      << "acknowledgements (which free space) work on a full disk";
  EXPECT_EQ(ack.deleted(), 3u);
  EXPECT_EQ(Health(server), grpc::health::v1::HealthCheckResponse::SERVING);

  fs.Release();
  EXPECT_TRUE(Eventually([&] { return pair.SendBig(64 * 1024).ok(); }, seconds(10)))
      << "sends did not resume once the disk had room";
  EXPECT_TRUE(Eventually(
      [&] { return server.StderrText().find("event=disk_reserve_restored") != std::string::npos; },
      seconds(5)));
  pair.Close();
  EXPECT_TRUE(server.Stop());
}

// Finding 3's storage half: when writes do fail (here: the disk is full and
// the server keeps no reserve and no threshold), health says NOT_SERVING;
// RocksDB is resumed once the cause is gone and health says SERVING again.
TEST(DiskFullTest, FailingWritesMakeHealthNotServingUntilStorageRecovers) {
  SmallFileSystem fs(64);
  SKIP_UNLESS_MOUNTED(fs);
  ServerProcess server(OnFileSystem(fs, {"--min-free-disk-mb=0", "--disk-reserve-mb=0"}));
  ASSERT_TRUE(server.Start());
  Pair pair(server);
  ASSERT_TRUE(pair.linked);
  EXPECT_EQ(Health(server), grpc::health::v1::HealthCheckResponse::SERVING);
  fs.Fill();
  // Sends until one fails in storage (the WAL may have room left first).
  grpc::Status failed;
  for (int i = 0; i < 100 && failed.ok(); ++i) failed = pair.SendBig(kMiB);
  ASSERT_EQ(failed.error_code(), StatusCode::INTERNAL) << StatusString(failed);
  EXPECT_TRUE(Eventually(
      [&] { return Health(server) == grpc::health::v1::HealthCheckResponse::NOT_SERVING; },
      seconds(5)))
      << "health still says SERVING with storage failing";
  fs.Release();
  EXPECT_TRUE(
      Eventually([&] { return Health(server) == grpc::health::v1::HealthCheckResponse::SERVING; },
                 seconds(10)))
      << "storage did not recover once the disk had room";
  EXPECT_GRPC_OK(pair.SendBig(kMiB)) << "writes do not work after the recovery";
  pair.Close();
  EXPECT_TRUE(server.Stop());
}

// And when storage stays broken, the server stops with a non-zero status so
// that its supervisor restarts it, instead of answering INTERNAL for ever.
TEST(DiskFullTest, StorageThatStaysBrokenStopsTheServerForARestart) {
  SmallFileSystem fs(64);
  SKIP_UNLESS_MOUNTED(fs);
  ServerProcess server(OnFileSystem(
      fs, {"--min-free-disk-mb=0", "--disk-reserve-mb=0", "--storage-failure-exit-seconds=2"}));
  ASSERT_TRUE(server.Start());
  Pair pair(server);
  ASSERT_TRUE(pair.linked);
  fs.Fill();
  grpc::Status failed;
  for (int i = 0; i < 100 && failed.ok(); ++i) failed = pair.SendBig(kMiB);
  ASSERT_EQ(failed.error_code(), StatusCode::INTERNAL) << StatusString(failed);
  pair.Close();
  int status = 0;
  ASSERT_TRUE(server.ExitedWithin(seconds(15), &status))
      << "the server runs on with broken storage";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << DescribeWaitStatus(status);
  EXPECT_NE(server.StderrText().find("reason=storage_failed"), std::string::npos);
  // The supervisor's restart, once the disk has room: nothing acknowledged
  // was lost.
  fs.Release();
  ASSERT_TRUE(server.Start());
  Pair after(server);
  ASSERT_TRUE(after.linked);
  after.Close();
  EXPECT_TRUE(server.Stop());
}

}  // namespace
}  // namespace securebase::integration
