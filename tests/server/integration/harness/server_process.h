// The securebase-server binary as a child process of a test.
//
// A ServerProcess owns a fresh temp directory (/tmp/sb-it-XXXXXX) holding the
// data dir (data/) and the server's captured stderr (server.stderr, shown in
// the test log when the test failed). Start() forks/execs
//   securebase-server serve --data-dir <dir> --listen 127.0.0.1:0
//                           --insecure-loopback <extra flags>
// and returns once the server printed `listening on HOST:PORT`. The child gets
// SIGKILL if the test process dies; the destructor kills a still-running child,
// reaps it and removes the temp directory. Not thread-safe: one test thread
// controls the process; channel() may be used from any thread.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SERVER_PROCESS_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SERVER_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace securebase::integration {

// Per-RPC deadline in every test: long enough for a sanitizer build on a busy
// machine, short enough that a hang fails the test instead of blocking it.
inline constexpr std::chrono::seconds kRpcTimeout(15);
// How long Start() waits for `listening on`.
inline constexpr std::chrono::seconds kStartTimeout(30);

enum class Transport {
  kInsecureLoopback,  // --insecure-loopback (the default for tests).
  kTls,               // --tls-cert/--tls-key from ServerOptions.
  kNone,              // Neither: the server must refuse to start.
};

struct ServerOptions {
  Transport transport = Transport::kInsecureLoopback;
  std::string listen = "127.0.0.1:0";
  std::string tls_cert;  // With Transport::kTls.
  std::string tls_key;
  // --therapist-registration=<this>; empty: the server's default. Tests
  // register therapists freely unless they test the token mode.
  std::string therapist_registration = "open";
  // Extra flags, e.g. "--token-ttl-seconds=1".
  std::vector<std::string> flags;
  // Use this data dir instead of <temp>/data (e.g. a backup). Not removed.
  std::string data_dir;
  // Run this program instead of securebase-server (the benchmarks' echo
  // server takes the same command line).
  std::string binary;
  // Every test's calls come from 127.0.0.1, so the per-source limits of the
  // unauthenticated RPCs (a few registrations and logins a second) would
  // soon refuse suites that create many accounts. Unless this is false,
  // kRelaxedSourceLimits come first on the command line (a test's own
  // `flags` still override them). Tests of those limits set it false.
  bool relaxed_source_limits = true;
  // RLIMIT_NOFILE for the server process (0: inherit the test's).
  uint64_t fd_soft_limit = 0;
  uint64_t fd_hard_limit = 0;
};

// What relaxed_source_limits adds: per-source and global rates no test
// suite reaches, and failed-login counts per source it never exhausts.
extern const std::vector<std::string> kRelaxedSourceLimits;
// Always first for securebase-server (a test's flags override them): a
// small disk reserve and free-space threshold, so that many test servers
// side by side neither fill /tmp with reserves nor refuse sends on a
// machine with less than the production threshold (1 GiB) free.
extern const std::vector<std::string> kTestDiskFlags;

// ServerOptions with only extra flags set.
inline ServerOptions WithFlags(std::vector<std::string> flags) {
  ServerOptions options;
  options.flags = std::move(flags);
  return options;
}
// ServerOptions on an existing data dir (e.g. a backup).
inline ServerOptions OnDataDir(std::string data_dir) {
  ServerOptions options;
  options.data_dir = std::move(data_dir);
  return options;
}

class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server (again, on the same data dir, after Stop()/Kill()).
  // Fails if it exits or does not print `listening on` within kStartTimeout.
  ::testing::AssertionResult Start();
  // SIGTERM, then waits; fails unless it exits with status 0 within 20 s
  // (then it is killed).
  ::testing::AssertionResult Stop();
  // SIGKILL and reap.
  void Kill();
  // Stop() or Kill() as given, then Start() on the same data dir.
  ::testing::AssertionResult Restart();
  // Waits up to `timeout` for the server to exit by itself. True (and
  // `*wait_status` set, the process reaped) when it did.
  bool ExitedWithin(std::chrono::milliseconds timeout, int* wait_status);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // HOST:PORT as printed by the server.
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  const std::string& root_dir() const { return root_dir_; }
  const std::string& data_dir() const { return data_dir_; }
  // The RocksDB directory: <data dir>/db.
  std::string db_dir() const { return data_dir_ + "/db"; }
  // A plaintext channel to the server (created at Start()).
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // Everything the server wrote to stderr so far (all starts).
  std::string StderrText() const;
  // Everything it wrote to stdout after the `listening on` line.
  std::string StdoutText() const;
  // The command line of the last Start(), for messages.
  std::string CommandLine() const;

 private:
  std::vector<std::string> BuildArgs() const;
  void JoinDrain();

  ServerOptions options_;
  std::string root_dir_;
  std::string data_dir_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string address_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::thread drain_;
  mutable std::mutex stdout_mu_;
  std::string stdout_text_;
};

// How many accounts the server's store holds, by its `stats` command (which
// works while it runs); -1 if that fails.
int AccountCount(const ServerProcess& server);

// Channel arguments used for every test channel (no message size cap on
// receive, so large Fetch pages are not refused by the client).
grpc::ChannelArguments TestChannelArguments();

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SERVER_PROCESS_H_
