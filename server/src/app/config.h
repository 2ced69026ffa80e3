// Command line and config file of securebase-server.
//
//   securebase-server [serve] --data-dir DIR [flags]     (see docs/SERVER.md)
//   securebase-server issue-therapist-token --data-dir DIR [--expires-hours H]
//   securebase-server backup --data-dir DIR --to DIR
//   securebase-server audit --data-dir DIR [--json]
//   securebase-server stats --data-dir DIR
//
// Flags take `--name=value` or `--name value`; boolean flags may omit the
// value. A config file (`--config FILE`) holds `name = value` lines with the
// flags' names and `#` comments; flags given on the command line override it.
#ifndef SECUREBASE_SERVER_APP_CONFIG_H_
#define SECUREBASE_SERVER_APP_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "server/src/common/limits.h"
#include "server/src/common/status.h"
#include "server/src/service/service_context.h"

namespace securebase::server {

enum class Command { kServe, kIssueTherapistToken, kBackup, kAudit, kStats, kHelp };

struct ServeConfig {
  std::string data_dir;
  std::string listen = "127.0.0.1:50051";
  std::string tls_cert;
  std::string tls_key;
  bool insecure_loopback = false;
  TherapistRegistration therapist_registration = TherapistRegistration::kToken;
  bool sync_writes = true;
  uint32_t sweep_interval_seconds = 3600;
  // Storage writes failing (after recovery attempts) this long make the
  // server stop with a non-zero status, for its supervisor to restart it.
  uint32_t storage_failure_exit_seconds = 30;
  // Proxies (nginx) whose `x-real-ip` header names the caller's address for
  // per-source limits. IP literals.
  std::vector<std::string> trusted_proxies;
  Limits limits;
};

struct AdminConfig {
  std::string data_dir;
  uint32_t expires_hours = 24;  // issue-therapist-token
  std::string to;               // backup
  bool json = false;            // audit
  bool compact = false;         // stats
};

struct Invocation {
  Command command = Command::kServe;
  ServeConfig serve;
  AdminConfig admin;
};

// kInvalidArgument with a message for stderr on any unknown flag, missing or
// bad value, or a config file that cannot be read or parsed.
Result<Invocation> ParseCommandLine(const std::vector<std::string>& args);

// Splits HOST:PORT ("[::1]:50051" for IPv6). kInvalidArgument when malformed.
struct HostPort {
  std::string host;  // Without brackets.
  int port = 0;
};
Result<HostPort> ParseHostPort(const std::string& address);

// 127.0.0.0/8, ::1 and localhost.
bool IsLoopbackHost(const std::string& host);

std::string UsageText();

}  // namespace securebase::server

#endif  // SECUREBASE_SERVER_APP_CONFIG_H_
