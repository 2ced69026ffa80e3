// securebase-server: parses the command line and runs the server or an admin
// subcommand. All logic lives in the securebase_server library.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "server/src/app/admin_commands.h"
#include "server/src/app/config.h"
#include "server/src/app/server.h"
#include "server/src/common/log.h"

namespace {

using securebase::server::Command;

int Serve(const securebase::server::ServeConfig& config, const sigset_t& signals) {
  auto server = securebase::server::Server::Start(config, securebase::server::SystemClock());
  if (!server.ok()) {
    std::cerr << "securebase-server: " << server.status().message() << std::endl;
    return server.status().code() == securebase::server::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::printf("listening on %s\n", (*server)->listening_address().c_str());
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  securebase::server::Log(securebase::server::LogLevel::kInfo, "shutdown_requested",
                          {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Shutdown();
  return 0;
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
