// securebase-server: parses the command line and runs the server or an admin
// subcommand. All logic lives in the securebase_server library.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "server/src/app/admin_commands.h"
#include "server/src/app/config.h"
#include "server/src/app/fd_limit.h"
#include "server/src/app/server.h"
#include "server/src/common/log.h"

namespace {

using securebase::server::Command;

int Serve(const securebase::server::ServeConfig& config, const sigset_t& signals) {
  using securebase::server::Log;
  using securebase::server::LogLevel;
  using securebase::server::StopReason;
  // Before anything opens files: idle connections must not be able to use
  // up the descriptors RocksDB and the listener need (hardening finding 3).
  securebase::server::FdLimit fds = securebase::server::RaiseFdLimit();
  if (fds.now < fds.before || fds.now < 4096) {
    Log(LogLevel::kWarning, "fd_limit_low",
        {{"soft", std::to_string(fds.now)},
         {"hard", std::to_string(fds.hard)},
         {"hint", "raise the hard limit (systemd: LimitNOFILE=65536)"}});
  }
  auto server = securebase::server::Server::Start(config, securebase::server::SystemClock());
  if (!server.ok()) {
    std::cerr << "securebase-server: " << server.status().message() << std::endl;
    return server.status().code() == securebase::server::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::printf("listening on %s\n", (*server)->listening_address().c_str());
  std::fflush(stdout);
  // SIGTERM/SIGINT, or the server finding it cannot go on, whichever first.
  std::atomic<bool> server_stopped_itself{false};
  std::thread signal_waiter([&signals, &server, &server_stopped_itself] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    if (server_stopped_itself.load()) return;  // Woken below, not by a signal.
    Log(LogLevel::kInfo, "shutdown_requested",
        {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
    (*server)->RequestStop();
  });
  StopReason reason = (*server)->WaitForStop();
  if (reason != StopReason::kRequested) {
    // Wake the waiter: SIGTERM is blocked in every thread, so it goes to its
    // sigwait.
    server_stopped_itself.store(true);
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
  }
  signal_waiter.join();
  (*server)->Shutdown();
  return reason == StopReason::kRequested ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Block SIGTERM/SIGINT in every thread (inherited by threads created from
  // here on); the main thread waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Everything the server or an admin command creates (database files,
  // backups, the admin socket) is private to its user.
  ::umask(0077);

  std::vector<std::string> args(argv, argv + argc);
  auto invocation = securebase::server::ParseCommandLine(args);
  if (!invocation.ok()) {
    std::cerr << "securebase-server: " << invocation.status().message() << "\n"
              << "Run 'securebase-server --help' for usage." << std::endl;
    return 2;
  }
  switch (invocation->command) {
    case Command::kHelp:
      std::cout << securebase::server::UsageText();
      return 0;
    case Command::kServe:
      return Serve(invocation->serve, signals);
    default:
      return securebase::server::RunAdminCommand(invocation->command, invocation->admin);
  }
}
