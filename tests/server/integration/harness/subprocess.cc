#include "tests/server/integration/harness/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace securebase::integration {
namespace {

using Clock = std::chrono::steady_clock;

int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Builds a NULL-terminated argv whose strings live in `storage`. Done before
// fork(): the child of a multi-threaded parent may only make
// async-signal-safe calls until it execs.
std::vector<char*> MakeArgv(const std::vector<std::string>& storage) {
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (const std::string& s : storage) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

const std::string& ServerBinary() {
  static const std::string* path = new std::string(SECUREBASE_SERVER_BINARY);
  return *path;
}

bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout, int* wait_status) {
  int status = 0;
  pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == pid) {
    *wait_status = status;
    return true;
  }
  // pidfd becomes readable when the process exits: no polling loop.
  int pidfd = PidfdOpen(pid);
  if (pidfd >= 0) {
    pollfd pfd{pidfd, POLLIN, 0};
    int timeout_ms = static_cast<int>(timeout.count());
    int n;
    do {
      n = ::poll(&pfd, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    ::close(pidfd);
    if (n <= 0) return false;
    do {
      r = ::waitpid(pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    if (r != pid) return false;
    *wait_status = status;
    return true;
  }
  // No pidfd support: fall back to polling waitpid.
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *wait_status = status;
      return true;
    }
    ::usleep(2000);
  }
  return false;
}

std::string DescribeWaitStatus(int wait_status) {
  std::ostringstream out;
  if (WIFEXITED(wait_status)) {
    out << "exit " << WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    out << "signal " << WTERMSIG(wait_status) << " (" << ::strsignal(WTERMSIG(wait_status)) << ")";
  } else {
    out << "wait status " << wait_status;
  }
  return out.str();
}

std::string MakeTempDir(const std::string& prefix) {
  std::string templ = "/tmp/" + prefix + "XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    std::fprintf(stderr, "mkdtemp(%s) failed: %s\n", templ.c_str(), std::strerror(errno));
    std::abort();
  }
  return templ;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

::testing::AssertionResult RunCommand(const std::vector<std::string>& args,
                                      std::chrono::milliseconds timeout, CommandResult* result) {
  *result = CommandResult{};
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return ::testing::AssertionFailure() << "pipe2: " << std::strerror(errno);
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return ::testing::AssertionFailure() << "pipe2: " << std::strerror(errno);
  }
  std::vector<char*> argv = MakeArgv(args);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return ::testing::AssertionFailure() << "fork: " << std::strerror(errno);
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result->stdout_text, &result->stderr_text};
  int open_fds = 2;
  char buf[8192];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result->timed_out = true;
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;  // Timeout is handled at the top of the loop.
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;  // poll() ignores negative fds.
        --open_fds;
      }
    }
  }
  for (auto& pfd : fds) {
    if (pfd.fd >= 0) ::close(pfd.fd);
  }
  int status = 0;
  if (result->timed_out || !WaitForExit(pid, std::chrono::milliseconds(10000), &status)) {
    result->timed_out = true;
    ::kill(pid, SIGKILL);
    WaitForExit(pid, std::chrono::milliseconds(10000), &status);
  }
  if (WIFEXITED(status)) result->exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result->term_signal = WTERMSIG(status);
  if (result->exit_code == 127 && result->stdout_text.empty() && result->stderr_text.empty()) {
    return ::testing::AssertionFailure() << "could not exec " << args[0];
  }
  return ::testing::AssertionSuccess();
}

}  // namespace securebase::integration
