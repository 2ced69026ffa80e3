// The installable SDK (client/package/), as an app outside this tree uses
// it: `cmake --install` into a temporary prefix, then examples/ configured
// and built out of tree three ways, each run against the real server:
//   - CMake, find_package(SecureBase), the shared library;
//   - CMake, find_package(SecureBase COMPONENTS static), the static one;
//   - no CMake: the compiler and `pkg-config securebase-client`.
// And the shared library exports the C and C++ API, and nothing of crypto's.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {
namespace {

constexpr std::chrono::seconds kBuildTimeout(600);

class PackageTest : public E2eTest {
 protected:
  // Runs a command that must succeed; its output goes into the failure message.
  void MustRun(const std::vector<std::string>& argv, const std::string& what) {
    it::CommandResult r;
    ASSERT_TRUE(it::RunCommand(argv, kBuildTimeout, &r)) << what;
    ASSERT_FALSE(r.timed_out) << what << " timed out\n" << r.stdout_text << r.stderr_text;
    ASSERT_EQ(r.exit_code, 0) << what << " failed (signal " << r.term_signal << ")\n"
                              << r.stdout_text << r.stderr_text;
  }

  // The example, run against this test's server, must pass.
  void RunsAgainstTheServer(const std::string& binary, const std::string& name) {
    ScopedEnv env({{"SECUREBASE_PASSPHRASE", std::string(kPassphrase)}});
    it::CommandResult r;
    ASSERT_TRUE(it::RunCommand(
        {binary, "--fast-kdf", server_address(), Home(name + "-therapist"), Home(name + "-client")},
        std::chrono::seconds(120), &r));
    ASSERT_FALSE(r.timed_out) << r.stdout_text << r.stderr_text;
    ASSERT_EQ(r.exit_code, 0) << name << "\nstdout:\n"
                              << r.stdout_text << "\nstderr:\n"
                              << r.stderr_text;
    EXPECT_NE(r.stdout_text.find("OK: both texts, the check-in and the thought record arrived"),
              std::string::npos)
        << r.stdout_text;
  }

  std::vector<std::string> ConfigureExamples(const std::string& build_dir, bool static_link) {
    std::vector<std::string> argv = {
        SECUREBASE_CMAKE,
        "-S",
        std::string(SECUREBASE_SOURCE_DIR) + "/examples",
        "-B",
        build_dir,
        "-G",
        "Ninja",
        "-DCMAKE_PREFIX_PATH=" + prefix(),
        "-DCMAKE_C_COMPILER=" + std::string(SECUREBASE_C_COMPILER),
        "-DCMAKE_CXX_COMPILER=" + std::string(SECUREBASE_CXX_COMPILER),
        "-DCMAKE_C_FLAGS=" + std::string(SECUREBASE_SANITIZE_FLAGS),
        "-DCMAKE_EXE_LINKER_FLAGS=" + std::string(SECUREBASE_SANITIZE_LINK_FLAGS)};
    if (static_link) argv.push_back("-DSECUREBASE_LINK_STATIC=ON");
    return argv;
  }

  std::string prefix() const { return temp_->Sub("prefix"); }
};

TEST_F(PackageTest, InstalledSdkBuildsAndRunsOutOfTree) {
  ASSERT_NO_FATAL_FAILURE(
      MustRun({SECUREBASE_CMAKE, "--install", SECUREBASE_BINARY_DIR, "--prefix", prefix()},
              "cmake --install"));
  for (const char* file :
       {"include/securebase/client/securebase.h", "include/securebase/client/client.h",
        "include/securebase/crypto/status.h", "lib/libsecurebase_client.so",
        "lib/libsecurebase_client.a", "lib/cmake/SecureBase/SecureBaseConfig.cmake",
        "lib/pkgconfig/securebase-client.pc"}) {
    EXPECT_TRUE(std::filesystem::exists(prefix() + "/" + file)) << file << " was not installed";
  }
  // The repository is no include path of the package: no private header
  // (client/src) or generated one was installed.
  EXPECT_TRUE(FilesContaining(prefix() + "/include", "vault_records.pb.h").empty());

  // 1. find_package(SecureBase): the shared library.
  const std::string shared_build = temp_->Sub("examples-shared");
  ASSERT_NO_FATAL_FAILURE(MustRun(ConfigureExamples(shared_build, false), "configure (shared)"));
  ASSERT_NO_FATAL_FAILURE(MustRun({SECUREBASE_CMAKE, "--build", shared_build}, "build (shared)"));
  ASSERT_NO_FATAL_FAILURE(RunsAgainstTheServer(shared_build + "/c_roundtrip", "shared"));

  // 2. find_package(SecureBase COMPONENTS static): the static library.
  const std::string static_build = temp_->Sub("examples-static");
  ASSERT_NO_FATAL_FAILURE(MustRun(ConfigureExamples(static_build, true), "configure (static)"));
  ASSERT_NO_FATAL_FAILURE(MustRun({SECUREBASE_CMAKE, "--build", static_build}, "build (static)"));
  ASSERT_NO_FATAL_FAILURE(RunsAgainstTheServer(static_build + "/c_roundtrip", "static"));

  // 3. pkg-config, no CMake.
  const std::string pc_binary = temp_->Sub("c_roundtrip_pkgconfig");
  const std::string compile =
      "set -e; export PKG_CONFIG_PATH='" + prefix() + "/lib/pkgconfig'; '" + SECUREBASE_C_COMPILER +
      "' -std=c99 " + SECUREBASE_SANITIZE_FLAGS + " '" + SECUREBASE_SOURCE_DIR +
      "/examples/c_roundtrip.c' -o '" + pc_binary +
      "' $(pkg-config --cflags --libs securebase-client) -Wl,-rpath,'" + prefix() + "/lib' " +
      SECUREBASE_SANITIZE_LINK_FLAGS;
  ASSERT_NO_FATAL_FAILURE(MustRun({"/bin/sh", "-c", compile}, "cc with pkg-config"));
  ASSERT_NO_FATAL_FAILURE(RunsAgainstTheServer(pc_binary, "pkgconfig"));

  // Only the API is exported: the C functions and securebase::client, no
  // crypto, no generated protobuf code.
  it::CommandResult nm;
  ASSERT_TRUE(it::RunCommand(
      {"/bin/sh", "-c", "nm -D --defined-only -C '" + prefix() + "/lib/libsecurebase_client.so'"},
      std::chrono::seconds(60), &nm));
  EXPECT_NE(nm.stdout_text.find(" sb_send"), std::string::npos);
  EXPECT_NE(nm.stdout_text.find("securebase::client::Client::Open"), std::string::npos);
  EXPECT_EQ(nm.stdout_text.find("securebase::crypto::"), std::string::npos);
  EXPECT_EQ(nm.stdout_text.find("securebase::content::"), std::string::npos);
  // No standard library code of its own (its templates stay inside).
  for (const char* kind : {" T std::", " W std::", " V std::", " u std::"}) {
    EXPECT_EQ(nm.stdout_text.find(kind), std::string::npos) << kind;
  }
}

}  // namespace
}  // namespace securebase::e2e
