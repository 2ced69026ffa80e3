#include "tests/server/integration/harness/nginx_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"

namespace securebase::integration {
namespace {

// A port that was free a moment ago (nginx cannot listen on port 0 and
// say which port it got).
int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// Replaces the whole line that carries `marker` (a comment in the shipped
// file) by `line`. Fails unless exactly one line carries it, so the test
// notices when the shipped file changes shape.
::testing::AssertionResult ReplaceMarkedLine(std::string& text, const std::string& marker,
                                             const std::string& line) {
  const std::string tagged = "# " + marker + "\n";  // At the end of its line.
  size_t at = text.find(tagged);
  if (at == std::string::npos || text.find(tagged, at + 1) != std::string::npos) {
    return ::testing::AssertionFailure() << "deploy/nginx/securebase.conf needs exactly one line "
                                            "ending in '# "
                                         << marker << "'";
  }
  size_t begin = text.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = at + tagged.size() - 1;  // The newline stays.
  text.replace(begin, end - begin, line);
  return ::testing::AssertionSuccess();
}

uint64_t HardFdLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_max == RLIM_INFINITY) return 65536;
  return limit.rlim_max;
}

}  // namespace

std::string NginxBinary() {
  for (const char* path : {"/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

NginxProcess::NginxProcess(NginxOptions options) : options_(std::move(options)) {}

NginxProcess::~NginxProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);  // Fast shutdown.
    int status = 0;
    if (!WaitForExit(pid_, std::chrono::seconds(10), &status)) {
      ::kill(pid_, SIGKILL);
      WaitForExit(pid_, std::chrono::seconds(10), &status);
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

::testing::AssertionResult NginxProcess::Start() {
  const std::string binary = NginxBinary();
  if (binary.empty()) {
    return ::testing::AssertionFailure()
           << "nginx is not installed (scripts/install-deps.sh installs nginx-light)";
  }
  dir_ = MakeTempDir("sb-nginx-");
  port_ = FreeLoopbackPort();
  std::string site =
      ReadFileOrEmpty(std::string(SECUREBASE_SOURCE_DIR) + "/deploy/nginx/securebase.conf");
  if (site.empty()) return ::testing::AssertionFailure() << "no deploy/nginx/securebase.conf";
  const std::string port = std::to_string(port_);
  for (auto [marker, line] : std::vector<std::pair<std::string, std::string>>{
           {"SECUREBASE_UPSTREAM",
            "    server 127.0.0.1:" + std::to_string(options_.upstream_port) + ";"},
           {"SECUREBASE_LISTEN", "    listen 127.0.0.1:" + port + " ssl http2;"},
           {"SECUREBASE_LISTEN_V6", ""},
           {"SECUREBASE_TLS_CERT", "    ssl_certificate " + options_.tls_cert + ";"},
           {"SECUREBASE_TLS_KEY", "    ssl_certificate_key " + options_.tls_key + ";"},
           {"SECUREBASE_ERROR_LOG", "    error_log " + dir_ + "/securebase.error.log info;"}}) {
    ::testing::AssertionResult replaced = ReplaceMarkedLine(site, marker, line);
    if (!replaced) return replaced;
  }
  std::ofstream(dir_ + "/securebase.conf") << site;
  std::ostringstream main;
  main << "daemon off;\n"
       << "worker_processes 1;\n"
       << "pid " << dir_ << "/nginx.pid;\n"
       << "error_log " << dir_
       << "/error.log info;\n"
       // As root, workers would run as nobody and could not read the test's
       // private key and directory.
       << (::geteuid() == 0 ? "user root;\n" : "")
       // As docs/SERVER.md recommends, within what this machine allows.
       << "worker_rlimit_nofile " << std::min<uint64_t>(65536, HardFdLimit()) << ";\n"
       << "events { worker_connections 16384; }\n"
       << "http {\n"
       << "  client_body_temp_path " << dir_ << "/client_body;\n"
       << "  include " << dir_ << "/securebase.conf;\n"
       << "}\n";
  std::ofstream(dir_ + "/nginx.conf") << main.str();

  const std::vector<std::string> args = {
      binary, "-p", dir_ + "/", "-e", dir_ + "/error.log", "-c", dir_ + "/nginx.conf"};
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string out_path = dir_ + "/nginx.out";
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (out >= 0) ::close(out);
  if (pid < 0) return ::testing::AssertionFailure() << "fork failed";
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!Accepts(port_)) {
    int status = 0;
    if (WaitForExit(pid_, std::chrono::milliseconds(50), &status)) {
      pid_ = -1;
      return ::testing::AssertionFailure()
             << "nginx exited (" << DescribeWaitStatus(status) << "):\n"
             << ReadFileOrEmpty(out_path) << ReadFileOrEmpty(dir_ + "/error.log");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return ::testing::AssertionFailure()
             << "nginx did not listen on port " << port_ << " within 10 s:\n"
             << ReadFileOrEmpty(out_path);
    }
  }
  // The shipped file must not rely on anything this nginx ignores or warns
  // about (an obsolete directive would leave a limit unset).
  for (const std::string& log : {ReadFileOrEmpty(out_path), ReadFileOrEmpty(dir_ + "/error.log")}) {
    for (const char* level : {"[warn]", "[emerg]", "[alert]", "[crit]"}) {
      if (log.find(level) != std::string::npos) {
        return ::testing::AssertionFailure() << "nginx complained about the configuration:\n"
                                             << log;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

std::shared_ptr<grpc::Channel> NginxProcess::Channel(const std::string& ca_pem) const {
  return LocalhostTlsChannel("127.0.0.1:" + std::to_string(port_), ca_pem);
}

std::shared_ptr<grpc::Channel> LocalhostTlsChannel(const std::string& target,
                                                   const std::string& ca_pem) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca_pem;
  grpc::ChannelArguments args = TestChannelArguments();
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args);
}

std::string NginxProcess::ErrorLog() const {
  return ReadFileOrEmpty(dir_ + "/error.log") + ReadFileOrEmpty(dir_ + "/securebase.error.log");
}

}  // namespace securebase::integration
