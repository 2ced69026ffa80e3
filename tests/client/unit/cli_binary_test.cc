// The built `securebase` binary's usage errors, help and exit codes, run as a
// subprocess (no server needed).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct CliRun {
  int exit_code;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/securebase_cli_binary_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { EXPECT_EQ(std::system(("rm -rf '" + dir_ + "'").c_str()), 0); }

  // Runs `securebase ARGS` (ARGS already shell-quoted) with `env` prepended.
  CliRun Securebase(const std::string& args, const std::string& env = "") {
    const std::string out = dir_ + "/stdout", err = dir_ + "/stderr";
    const std::string cmd =
        "env -u SECUREBASE_PASSPHRASE -u SECUREBASE_HOME -u SECUREBASE_SERVER "
        "-u SECUREBASE_CA " +
        env + " " SECUREBASE_CLI " " + args + " </dev/null >'" + out + "' 2>'" + err + "'";
    const int status = std::system(cmd.c_str());
    return CliRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
  }

  std::string dir_;
};

TEST_F(CliBinaryTest, HelpAndVersion) {
  CliRun r = Securebase("help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Commands:"), std::string::npos);
  EXPECT_NE(r.out.find("safety-number"), std::string::npos);
  r = Securebase("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Commands:"), std::string::npos);
  r = Securebase("help reflect");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("automatic_thought"), std::string::npos);
  r = Securebase("--home /x checkin --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--mood"), std::string::npos);
  r = Securebase("--version");
  EXPECT_EQ(r.exit_code, 0);
}

TEST_F(CliBinaryTest, UsageErrorsExit2WithOneLine) {
  for (const char* args :
       {"", "frob", "contacts --bogus", "send OnlyPeer", "send a b c", "checkin P --mood 11",
        "checkin P", "reflect P --body b --field situation=x", "assign P --title T",
        "assign P --title T --instructions I --due 2026-02-30", "contacts --ca x --insecure",
        "invite --expires-hours 0", "init --role admin --name X", "help nosuch", "history",
        "contacts --home"}) {
    CliRun r = Securebase(args, "SECUREBASE_PASSPHRASE=pw");
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
    if (std::string(args).empty()) continue;  // Prints the help.
    EXPECT_EQ(r.err.rfind("securebase: ", 0), 0u) << args << ": " << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << args << ": " << r.err;
  }
}

TEST_F(CliBinaryTest, MissingVaultExits1) {
  CliRun r = Securebase("--home '" + dir_ + "/none' --insecure --server 127.0.0.1:1 contacts",
                        "SECUREBASE_PASSPHRASE=pw-unique-7f3a");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("securebase: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find("pw-unique-7f3a"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

TEST_F(CliBinaryTest, EmptyPassphraseVariableIsAnError) {
  CliRun r = Securebase("--home '" + dir_ + "' contacts", "SECUREBASE_PASSPHRASE=");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("SECUREBASE_PASSPHRASE"), std::string::npos);
}

TEST_F(CliBinaryTest, UnreachableServerAtInitNeverPrintsThePassphrase) {
  CliRun r = Securebase("--home '" + dir_ +
                            "/v' --insecure --server 127.0.0.1:1 init --role client "
                            "--name Sam",
                        "SECUREBASE_PASSPHRASE=pw-unique-91bc");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.find("pw-unique-91bc"), std::string::npos);
  EXPECT_EQ(r.out.find("pw-unique-91bc"), std::string::npos);
}

}  // namespace
