#include "tests/server/integration/harness/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "tests/server/integration/harness/subprocess.h"

namespace securebase::integration {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kListeningPrefix = "listening on ";

}  // namespace

int AccountCount(const ServerProcess& server) {
  CommandResult stats;
  if (!RunCommand({ServerBinary(), "stats", "--data-dir", server.data_dir()},
                  std::chrono::seconds(20), &stats) ||
      stats.exit_code != 0) {
    return -1;
  }
  size_t at = stats.stdout_text.find("accounts ");
  return at == std::string::npos ? -1 : std::stoi(stats.stdout_text.substr(at + 9));
}

grpc::ChannelArguments TestChannelArguments() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // Each ServerProcess gets its own connection, not one shared by the
  // process-wide subchannel pool (ports are reused across restarts).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return args;
}

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {
  root_dir_ = MakeTempDir("sb-it-");
  data_dir_ = options_.data_dir.empty() ? root_dir_ + "/data" : options_.data_dir;
  stderr_path_ = root_dir_ + "/server.stderr";
}

ServerProcess::~ServerProcess() {
  if (running()) Kill();
  JoinDrain();
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  bool failed = ::testing::Test::HasFailure() || (info != nullptr && info->result()->Failed());
  if (failed) {
    std::string err = StderrText();
    constexpr size_t kTail = 8000;
    if (err.size() > kTail) err = "...\n" + err.substr(err.size() - kTail);
    std::cerr << "---- securebase-server stderr (" << CommandLine() << ") ----\n"
              << err << "\n---- end of server stderr ----\n";
  }
  std::error_code ec;
  std::filesystem::remove_all(root_dir_, ec);
}

const std::vector<std::string> kRelaxedSourceLimits = {"--register-rps-per-source=100000",
                                                       "--register-burst-per-source=100000",
                                                       "--register-rps=100000",
                                                       "--register-burst=100000",
                                                       "--login-rps-per-source=100000",
                                                       "--login-burst-per-source=100000",
                                                       "--login-rps=100000",
                                                       "--login-burst=100000",
                                                       "--max-failed-logins-per-source=1000000"};

const std::vector<std::string> kTestDiskFlags = {"--disk-reserve-mb=2", "--min-free-disk-mb=64"};

std::vector<std::string> ServerProcess::BuildArgs() const {
  const std::string& binary = options_.binary.empty() ? ServerBinary() : options_.binary;
  std::vector<std::string> args = {binary,    "serve",    "--data-dir",
                                   data_dir_, "--listen", options_.listen};
  switch (options_.transport) {
    case Transport::kInsecureLoopback:
      args.push_back("--insecure-loopback");
      break;
    case Transport::kTls:
      args.insert(args.end(), {"--tls-cert", options_.tls_cert, "--tls-key", options_.tls_key});
      break;
    case Transport::kNone:
      break;
  }
  if (!options_.therapist_registration.empty()) {
    args.push_back("--therapist-registration=" + options_.therapist_registration);
  }
  if (options_.binary.empty())
    args.insert(args.end(), kTestDiskFlags.begin(), kTestDiskFlags.end());
  if (options_.relaxed_source_limits && options_.binary.empty()) {
    args.insert(args.end(), kRelaxedSourceLimits.begin(), kRelaxedSourceLimits.end());
  }
  args.insert(args.end(), options_.flags.begin(), options_.flags.end());
  return args;
}

std::string ServerProcess::CommandLine() const {
  std::string out;
  for (const std::string& a : BuildArgs()) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

std::string ServerProcess::StderrText() const { return ReadFileOrEmpty(stderr_path_); }

std::string ServerProcess::StdoutText() const {
  std::lock_guard<std::mutex> lock(stdout_mu_);
  return stdout_text_;
}

::testing::AssertionResult ServerProcess::Start() {
  if (running()) return ::testing::AssertionFailure() << "server already running";
  JoinDrain();
  address_.clear();
  port_ = 0;
  channel_.reset();

  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return ::testing::AssertionFailure() << "pipe2: " << std::strerror(errno);
  }
  int err_fd = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err_fd < 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return ::testing::AssertionFailure() << "open " << stderr_path_ << ": " << std::strerror(errno);
  }
  const std::vector<std::string> args = BuildArgs();
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_fd);
    return ::testing::AssertionFailure() << "fork: " << std::strerror(errno);
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only (the parent has gRPC threads).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (options_.fd_hard_limit != 0) {
      rlimit limit{};
      limit.rlim_cur = options_.fd_soft_limit;
      limit.rlim_max = options_.fd_hard_limit;
      if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(125);
    }
    if (::getppid() != parent) ::_exit(126);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_fd);
  pid_ = pid;
  stdout_fd_ = out_pipe[0];

  // Read stdout until the `listening on` line, EOF or the timeout.
  const auto deadline = Clock::now() + kStartTimeout;
  std::string buffered;
  std::string failure;
  while (true) {
    size_t nl = buffered.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffered.substr(0, nl);
      buffered.erase(0, nl + 1);
      if (line.rfind(kListeningPrefix, 0) == 0) {
        address_ = line.substr(kListeningPrefix.size());
        while (!address_.empty() && (address_.back() == '\r' || address_.back() == ' ')) {
          address_.pop_back();
        }
        size_t colon = address_.rfind(':');
        if (colon != std::string::npos) port_ = std::atoi(address_.c_str() + colon + 1);
        if (port_ <= 0) failure = "cannot parse the port in '" + line + "'";
        break;
      }
      continue;  // Other output before readiness is allowed.
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      failure = "no `listening on` line within " + std::to_string(kStartTimeout.count()) + " s";
      break;
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    char buf[4096];
    ssize_t got = ::read(stdout_fd_, buf, sizeof(buf));
    if (got > 0) {
      buffered.append(buf, static_cast<size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      int status = 0;
      if (WaitForExit(pid_, std::chrono::milliseconds(5000), &status)) {
        pid_ = -1;
        failure = "server exited before listening (" + DescribeWaitStatus(status) + ")";
      } else {
        failure = "server closed stdout before listening";
      }
      break;
    }
  }
  if (!failure.empty()) {
    if (running()) Kill();
    if (stdout_fd_ >= 0) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
    }
    return ::testing::AssertionFailure()
           << failure << "\ncommand: " << CommandLine() << "\nstderr:\n"
           << StderrText();
  }
  {
    std::lock_guard<std::mutex> lock(stdout_mu_);
    stdout_text_ += buffered;
  }
  // Keep draining stdout so the server never blocks on a full pipe.
  drain_ = std::thread([this, fd = stdout_fd_] {
    char buf[4096];
    while (true) {
      ssize_t got = ::read(fd, buf, sizeof(buf));
      if (got > 0) {
        std::lock_guard<std::mutex> lock(stdout_mu_);
        stdout_text_.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        break;
      }
    }
  });
  channel_ = grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(),
                                       TestChannelArguments());
  return ::testing::AssertionSuccess();
}

void ServerProcess::JoinDrain() {
  if (drain_.joinable()) drain_.join();
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

::testing::AssertionResult ServerProcess::Stop() {
  if (!running()) return ::testing::AssertionFailure() << "server not running";
  channel_.reset();
  ::kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitForExit(pid_, std::chrono::milliseconds(20000), &status)) {
    Kill();
    return ::testing::AssertionFailure() << "server did not exit within 20 s of SIGTERM";
  }
  pid_ = -1;
  JoinDrain();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return ::testing::AssertionFailure() << "server ended with " << DescribeWaitStatus(status)
                                         << " after SIGTERM (want exit 0)\nstderr:\n"
                                         << StderrText();
  }
  return ::testing::AssertionSuccess();
}

void ServerProcess::Kill() {
  channel_.reset();
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  WaitForExit(pid_, std::chrono::milliseconds(20000), &status);
  pid_ = -1;
  JoinDrain();
}

bool ServerProcess::ExitedWithin(std::chrono::milliseconds timeout, int* wait_status) {
  if (!running()) return false;
  if (!WaitForExit(pid_, timeout, wait_status)) return false;
  pid_ = -1;
  channel_.reset();
  JoinDrain();
  return true;
}

::testing::AssertionResult ServerProcess::Restart() {
  if (running()) {
    ::testing::AssertionResult stopped = Stop();
    if (!stopped) return stopped;
  }
  return Start();
}

}  // namespace securebase::integration
