// The systemd unit the production section of docs/SERVER.md installs
// (deploy/systemd/securebase.service): it restarts the server whenever it
// exits non-zero (hardening finding 3: a server that cannot go on stops to
// be restarted) and runs it hardened, with the file descriptors it needs.
// CI has no running systemd, so the unit is checked, not started:
// `systemd-analyze verify` where it is installed, and its settings here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/server/integration/harness/subprocess.h"

namespace securebase::integration {
namespace {

const std::string kUnit = std::string(SECUREBASE_SOURCE_DIR) + "/deploy/systemd/securebase.service";

// Key=value settings (the last of repeated keys).
std::map<std::string, std::string> Settings(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

TEST(DeployFilesTest, TheSystemdUnitRestartsOnFailureAndIsHardened) {
  const std::string unit = ReadFileOrEmpty(kUnit);
  ASSERT_FALSE(unit.empty()) << "no " << kUnit;
  auto settings = Settings(unit);
  EXPECT_EQ(settings["Restart"], "on-failure");
  EXPECT_GE(std::stoi(settings["LimitNOFILE"]), 65536);
  EXPECT_EQ(settings["StateDirectory"], "securebase");
  EXPECT_EQ(settings["StateDirectoryMode"], "0700") << "the server refuses anything wider";
  EXPECT_EQ(settings["UMask"], "0077");
  EXPECT_EQ(settings["KillSignal"], "SIGTERM") << "SIGTERM drains the server";
  for (const char* key : {"NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices",
                          "ProtectKernelTunables", "RestrictSUIDSGID", "DynamicUser"}) {
    EXPECT_EQ(settings[key], "yes") << key;
  }
  EXPECT_EQ(settings["ProtectSystem"], "strict");
  EXPECT_EQ(settings["CapabilityBoundingSet"], "");
  EXPECT_NE(settings["ExecStart"].find("securebase-server serve --config"), std::string::npos);
}

TEST(DeployFilesTest, SystemdAcceptsTheUnit) {
  const char* analyze = "/usr/bin/systemd-analyze";
  if (!std::filesystem::exists(analyze)) GTEST_SKIP() << "systemd-analyze is not installed";
  // The unit as installed, with the binary under test at ExecStart's path.
  const std::string dir = MakeTempDir("sb-unit-");
  std::string unit = ReadFileOrEmpty(kUnit);
  const std::string installed = "/usr/local/bin/securebase-server";
  size_t at = unit.find(installed);
  ASSERT_NE(at, std::string::npos);
  unit.replace(at, installed.size(), ServerBinary());
  std::ofstream(dir + "/securebase.service") << unit;
  CommandResult result;
  ASSERT_TRUE(RunCommand({analyze, "verify", dir + "/securebase.service"}, std::chrono::seconds(30),
                         &result));
  EXPECT_EQ(result.exit_code, 0) << result.stdout_text << result.stderr_text;
  EXPECT_EQ(result.stderr_text, "") << "systemd-analyze warned about the unit";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace securebase::integration
