// Finding 8 of the hardening issue: a data dir created beforehand with 0755
// (as packaging does) kept its mode, so the database inside was readable by
// every local user. The server now refuses such a dir, says how to fix it,
// and creates everything with umask 077.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"

namespace securebase::integration {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 07777;
}

class DataDirModeTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = MakeTempDir("sb-it-mode-"); }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string root_;
};

TEST_F(DataDirModeTest, AWorldReadableDataDirIsRefusedWithAFix) {
  const std::string data = root_ + "/data";
  ASSERT_EQ(::mkdir(data.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(data.c_str(), 0755), 0);
  CommandResult r;
  ASSERT_TRUE(RunCommand({ServerBinary(), "serve", "--data-dir", data, "--listen", "127.0.0.1:0",
                          "--insecure-loopback"},
                         std::chrono::seconds(20), &r));
  EXPECT_FALSE(r.timed_out) << "the server started on a world-readable data dir";
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text.find("listening on"), std::string::npos);
  EXPECT_NE(r.stderr_text.find("chmod 700 " + data), std::string::npos)
      << "the message should say how to fix it: " << r.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(data + "/db")) << "nothing may be created inside";

  // The admin commands open the same database: the same rule.
  ASSERT_TRUE(
      RunCommand({ServerBinary(), "stats", "--data-dir", data}, std::chrono::seconds(20), &r));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.stderr_text.find("chmod 700"), std::string::npos) << r.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(data + "/db"));
}

TEST_F(DataDirModeTest, AGroupAccessibleDataDirIsRefused) {
  const std::string data = root_ + "/data";
  ASSERT_EQ(::mkdir(data.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(data.c_str(), 0750), 0);
  CommandResult r;
  ASSERT_TRUE(RunCommand({ServerBinary(), "serve", "--data-dir", data, "--listen", "127.0.0.1:0",
                          "--insecure-loopback"},
                         std::chrono::seconds(20), &r));
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.stderr_text.find("chmod 700"), std::string::npos) << r.stderr_text;
}

TEST_F(DataDirModeTest, EverythingTheServerCreatesIsPrivate) {
  // A private dir made beforehand is fine; what the server creates inside
  // must not be readable by others either (umask 077), whatever umask the
  // server was started with.
  const std::string data = root_ + "/data";
  ASSERT_EQ(::mkdir(data.c_str(), 0700), 0);
  mode_t old_mask = ::umask(0022);
  ServerOptions options;
  options.data_dir = data;
  ServerProcess server(options);
  ASSERT_TRUE(server.Start());
  ::umask(old_mask);
  ASSERT_TRUE(server.Stop());
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data)) {
    const mode_t mode = ModeOf(entry.path().string());
    EXPECT_EQ(mode & 077, 0u) << entry.path() << " has mode " << std::oct << mode;
    ++checked;
  }
  EXPECT_GT(checked, 3) << "the database files were checked";
}

}  // namespace
}  // namespace securebase::integration
