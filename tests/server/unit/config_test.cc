// Command line and config file parsing.
#include "server/src/app/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/server/unit/temp_dir.h"

namespace securebase::server {
namespace {

Result<Invocation> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "securebase-server");
  return ParseCommandLine(args);
}

TEST(ConfigTest, DefaultsAndBothFlagForms) {
  auto parsed = Parse({"--data-dir", "/d", "--insecure-loopback", "--retention-days=7",
                       "--rate-limit-rps", "2.5", "--sync-writes", "false"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->command, Command::kServe);
  const ServeConfig& c = parsed->serve;
  EXPECT_EQ(c.data_dir, "/d");
  EXPECT_EQ(c.listen, "127.0.0.1:50051");
  EXPECT_TRUE(c.insecure_loopback);
  EXPECT_FALSE(c.sync_writes);
  EXPECT_EQ(c.limits.retention_days, 7u);
  EXPECT_DOUBLE_EQ(c.limits.rate_limit_rps, 2.5);
  EXPECT_EQ(c.limits.max_envelope_bytes, 262144u);
  EXPECT_EQ(c.therapist_registration, TherapistRegistration::kToken);
  EXPECT_TRUE(Parse({"serve", "--data-dir=/d", "--insecure-loopback=true"}).ok());
}

TEST(ConfigTest, SourceLimitsAndTrustedProxies) {
  auto parsed =
      Parse({"--data-dir", "/d", "--insecure-loopback", "--register-rps-per-source=0.5",
             "--login-burst=7", "--max-tokens-per-device=3", "--trusted-proxies=127.0.0.1,::1"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const Limits& l = parsed->serve.limits;
  EXPECT_DOUBLE_EQ(l.register_rps_per_source, 0.5);
  EXPECT_DOUBLE_EQ(l.login_burst, 7);
  EXPECT_EQ(l.max_tokens_per_device, 3u);
  EXPECT_EQ(parsed->serve.trusted_proxies, (std::vector<std::string>{"127.0.0.1", "::1"}));
  auto bad = Parse({"--data-dir", "/d", "--insecure-loopback", "--trusted-proxies=nginx"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("trusted-proxies"), std::string::npos);
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--login-rps=0"}).ok());
}

TEST(ConfigTest, TlsIsRequiredUnlessInsecureLoopbackOnLoopback) {
  EXPECT_FALSE(Parse({"--data-dir", "/d"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--tls-cert", "c"}).ok());
  EXPECT_TRUE(Parse({"--data-dir", "/d", "--tls-cert", "c", "--tls-key", "k"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--tls-cert", "c", "--tls-key", "k", "--insecure-loopback"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--listen", "0.0.0.0:1"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--listen", "10.0.0.1:1"}).ok());
  EXPECT_TRUE(Parse({"--data-dir", "/d", "--insecure-loopback", "--listen", "127.3.4.5:0"}).ok());
  EXPECT_TRUE(Parse({"--data-dir", "/d", "--insecure-loopback", "--listen", "[::1]:0"}).ok());
  EXPECT_TRUE(Parse({"--data-dir", "/d", "--insecure-loopback", "--listen", "localhost:9"}).ok());
}

TEST(ConfigTest, BadInputIsRefused) {
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--nope"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--retention-days", "x"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--retention-days", "-1"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--therapist-registration=maybe"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--listen", "nohost"}).ok());
  EXPECT_FALSE(Parse({"--data-dir", "/d", "--insecure-loopback", "--listen", "h:99999"}).ok());
  EXPECT_FALSE(Parse({"--insecure-loopback"}).ok());  // No data dir.
  EXPECT_FALSE(Parse({"frobnicate"}).ok());
  EXPECT_FALSE(Parse({"--data-dir"}).ok());
  EXPECT_FALSE(Parse({"backup", "--data-dir", "/d"}).ok());  // No --to.
}

TEST(ConfigTest, ConfigFileWithFlagOverrides) {
  testing::TempDir dir;
  std::string path = dir.path() + "/server.conf";
  std::ofstream(path) << "# comment\n"
                         "data-dir = /from-file\n"
                         "insecure-loopback = true   # trailing comment\n"
                         "max-devices-per-account = 3\n"
                         "therapist-registration = open\n";
  auto parsed = Parse({"--config", path, "--max-devices-per-account=5"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->serve.data_dir, "/from-file");
  EXPECT_EQ(parsed->serve.limits.max_devices_per_account, 5u);
  EXPECT_EQ(parsed->serve.therapist_registration, TherapistRegistration::kOpen);

  std::ofstream(path) << "bogus = 1\n";
  EXPECT_FALSE(Parse({"--config", path, "--data-dir", "/d", "--insecure-loopback"}).ok());
  EXPECT_FALSE(Parse({"--config", dir.path() + "/missing", "--data-dir", "/d"}).ok());
}

TEST(ConfigTest, AdminCommands) {
  auto token = Parse({"issue-therapist-token", "--data-dir", "/d", "--expires-hours", "5"});
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->command, Command::kIssueTherapistToken);
  EXPECT_EQ(token->admin.expires_hours, 5u);
  auto audit = Parse({"audit", "--data-dir=/d", "--json"});
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->admin.json);
  EXPECT_FALSE(Parse({"stats", "--data-dir", "/d", "--json"}).ok());
  EXPECT_EQ(Parse({"backup", "--data-dir", "/d", "--to", "/b"})->admin.to, "/b");
}

TEST(ConfigTest, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.255.0.9"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("example.com"));
}

}  // namespace
}  // namespace securebase::server
