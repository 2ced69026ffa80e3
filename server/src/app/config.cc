#include "server/src/app/config.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>

#include "server/src/service/call_source.h"

namespace securebase::server {
namespace {

enum class Kind { kString, kUint, kDouble, kBool, kEnum };

struct Flag {
  Kind kind;
  std::function<Status(const std::string&)> set;
};

Status BadValue(const std::string& name, const std::string& value, const std::string& expected) {
  return Status::InvalidArgument("bad value '" + value + "' for --" + name + ": expected " + expected);
}

std::function<Status(const std::string&)> UintSetter(const std::string& name, uint32_t* out,
                                                     uint32_t min, uint32_t max) {
  return [name, out, min, max](const std::string& value) -> Status {
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos ||
        value.size() > 10) {
      return BadValue(name, value, "an integer");
    }
    unsigned long long parsed = std::strtoull(value.c_str(), nullptr, 10);
    if (parsed < min || parsed > max) {
      return BadValue(name, value,
                      "an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    *out = static_cast<uint32_t>(parsed);
    return Status::Ok();
  };
}

std::function<Status(const std::string&)> DoubleSetter(const std::string& name, double* out,
                                                       double min) {
  return [name, out, min](const std::string& value) -> Status {
    char* end = nullptr;
    errno = 0;
    double parsed = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || errno != 0 ||
        !std::isfinite(parsed) || parsed < min) {
      return BadValue(name, value, "a number of at least " + std::to_string(min));
    }
    *out = parsed;
    return Status::Ok();
  };
}

std::function<Status(const std::string&)> BoolSetter(const std::string& name, bool* out) {
  return [name, out](const std::string& value) -> Status {
    if (value == "true" || value == "1" || value == "yes") {
      *out = true;
    } else if (value == "false" || value == "0" || value == "no") {
      *out = false;
    } else {
      return BadValue(name, value, "true or false");
    }
    return Status::Ok();
  };
}

std::function<Status(const std::string&)> StringSetter(const std::string& name, std::string* out) {
  return [name, out](const std::string& value) -> Status {
    if (value.empty()) return BadValue(name, value, "a non-empty value");
    *out = value;
    return Status::Ok();
  };
}

// A comma-separated list of IP addresses.
std::function<Status(const std::string&)> AddressListSetter(const std::string& name,
                                                            std::vector<std::string>* out) {
  return [name, out](const std::string& value) -> Status {
    std::vector<std::string> addresses;
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      std::string item = value.substr(start, comma - start);
      if (!item.empty()) addresses.push_back(item);
      start = comma + 1;
    }
    if (addresses.empty() || !TrustedProxies::Parse(addresses).ok()) {
      return BadValue(name, value, "comma-separated IP addresses");
    }
    *out = std::move(addresses);
    return Status::Ok();
  };
}

std::map<std::string, Flag> ServeFlags(ServeConfig& c) {
  constexpr uint32_t kMax = 0xffffffffu;
  Limits& l = c.limits;
  std::map<std::string, Flag> flags;
  auto add_uint = [&](const std::string& name, uint32_t* out, uint32_t min, uint32_t max) {
    flags[name] = {Kind::kUint, UintSetter(name, out, min, max)};
  };
  flags["data-dir"] = {Kind::kString, StringSetter("data-dir", &c.data_dir)};
  flags["listen"] = {Kind::kString, StringSetter("listen", &c.listen)};
  flags["tls-cert"] = {Kind::kString, StringSetter("tls-cert", &c.tls_cert)};
  flags["tls-key"] = {Kind::kString, StringSetter("tls-key", &c.tls_key)};
  flags["insecure-loopback"] = {Kind::kBool, BoolSetter("insecure-loopback", &c.insecure_loopback)};
  flags["sync-writes"] = {Kind::kBool, BoolSetter("sync-writes", &c.sync_writes)};
  flags["therapist-registration"] = {Kind::kEnum, [&c](const std::string& value) -> Status {
    if (value == "open") {
      c.therapist_registration = TherapistRegistration::kOpen;
    } else if (value == "token") {
      c.therapist_registration = TherapistRegistration::kToken;
    } else {
      return BadValue("therapist-registration", value, "open or token");
    }
    return Status::Ok();
  }};
  add_uint("retention-days", &l.retention_days, 1, 36500);
  add_uint("audit-retention-days", &l.audit_retention_days, 1, 36500);
  add_uint("max-mailbox-envelopes", &l.max_mailbox_envelopes, 1, 100000000);
  add_uint("max-mailbox-mb", &l.max_mailbox_mb, 1, 1024 * 1024);
  add_uint("max-account-mb-per-day", &l.max_account_mb_per_day, 1, 1024 * 1024);
  add_uint("min-free-disk-mb", &l.min_free_disk_mb, 0, 1024 * 1024 * 1024);
  add_uint("disk-reserve-mb", &l.disk_reserve_mb, 0, 1024 * 1024);
  add_uint("max-envelope-bytes", &l.max_envelope_bytes, 1, 64 * 1024 * 1024);
  add_uint("max-ciphertexts-per-send", &l.max_ciphertexts_per_send, 1, 10000);
  add_uint("max-prekeys-per-upload", &l.max_prekeys_per_upload, 1, 100000);
  add_uint("max-prekeys-per-device", &l.max_prekeys_per_device, 1, 1000000);
  add_uint("max-outstanding-invites", &l.max_outstanding_invites, 1, 1000000);
  add_uint("max-invite-seconds", &l.max_invite_seconds, 1, kMax);
  add_uint("max-streams-per-device", &l.max_streams_per_device, 1, 10000);
  add_uint("max-streams-per-account", &l.max_streams_per_account, 1, 100000);
  add_uint("max-streams", &l.max_streams, 1, 10000000);
  add_uint("stream-write-timeout-seconds", &l.stream_write_timeout_seconds, 1, 86400);
  add_uint("max-failed-logins", &l.max_failed_logins, 1, kMax);
  add_uint("max-failed-logins-per-source", &l.max_failed_logins_per_source, 1, kMax);
  add_uint("failed-login-window-seconds", &l.failed_login_window_seconds, 1, 30 * 86400);
  add_uint("max-tokens-per-device", &l.max_tokens_per_device, 1, 10000);
  add_uint("max-devices-per-account", &l.max_devices_per_account, 1, 10000);
  add_uint("provisioning-slot-seconds", &l.provisioning_slot_seconds, 1, 86400);
  add_uint("max-provisioning-slots", &l.max_provisioning_slots, 1, 10000000);
  add_uint("max-blob-mb", &l.max_blob_mb, 1, 1024 * 1024);
  add_uint("max-account-blob-mb", &l.max_account_blob_mb, 1, 1024 * 1024);
  add_uint("max-blobs-per-account", &l.max_blobs_per_account, 1, 100000);
  add_uint("blob-transfer-seconds", &l.blob_transfer_seconds, 1, 365 * 86400);
  add_uint("token-ttl-seconds", &l.token_ttl_seconds, 1, kMax);
  add_uint("challenge-ttl-seconds", &l.challenge_ttl_seconds, 1, 86400);
  add_uint("sweep-interval-seconds", &c.sweep_interval_seconds, 1, 7 * 86400);
  add_uint("storage-failure-exit-seconds", &c.storage_failure_exit_seconds, 1, 86400);
  add_uint("keepalive-seconds", &l.keepalive_seconds, 1, 86400);
  add_uint("keepalive-timeout-seconds", &l.keepalive_timeout_seconds, 1, 3600);
  add_uint("connection-idle-seconds", &l.connection_idle_seconds, 1, kMax / 1000);
  add_uint("connection-age-seconds", &l.connection_age_seconds, 1, kMax / 1000);
  add_uint("connection-age-grace-seconds", &l.connection_age_grace_seconds, 1, kMax / 1000);
  add_uint("handshake-timeout-seconds", &l.handshake_timeout_seconds, 1, 3600);
  add_uint("max-streams-per-connection", &l.max_streams_per_connection, 1, 100000);
  add_uint("max-metadata-bytes", &l.max_metadata_bytes, 1024, 1024 * 1024);
  add_uint("memory-quota-mb", &l.memory_quota_mb, 16, 1024 * 1024);
  flags["rate-limit-rps"] = {Kind::kDouble, DoubleSetter("rate-limit-rps", &l.rate_limit_rps, 0.001)};
  flags["rate-limit-burst"] = {Kind::kDouble, DoubleSetter("rate-limit-burst", &l.rate_limit_burst, 1)};
  auto add_rate = [&](const std::string& name, double* out, double min) {
    flags[name] = {Kind::kDouble, DoubleSetter(name, out, min)};
  };
  add_rate("register-rps-per-source", &l.register_rps_per_source, 0.001);
  add_rate("provisioning-rps-per-source", &l.provisioning_rps_per_source, 0.001);
  add_rate("provisioning-burst-per-source", &l.provisioning_burst_per_source, 1);
  add_rate("register-burst-per-source", &l.register_burst_per_source, 1);
  add_rate("register-rps", &l.register_rps, 0.001);
  add_rate("register-burst", &l.register_burst, 1);
  add_rate("login-rps-per-source", &l.login_rps_per_source, 0.001);
  add_rate("login-burst-per-source", &l.login_burst_per_source, 1);
  add_rate("login-rps", &l.login_rps, 0.001);
  add_rate("login-burst", &l.login_burst, 1);
  flags["trusted-proxies"] = {Kind::kString,
                              AddressListSetter("trusted-proxies", &c.trusted_proxies)};
  return flags;
}

std::map<std::string, Flag> AdminFlags(Command command, AdminConfig& c) {
  std::map<std::string, Flag> flags;
  flags["data-dir"] = {Kind::kString, StringSetter("data-dir", &c.data_dir)};
  if (command == Command::kIssueTherapistToken) {
    flags["expires-hours"] = {Kind::kUint, UintSetter("expires-hours", &c.expires_hours, 1, 24 * 365)};
  } else if (command == Command::kBackup) {
    flags["to"] = {Kind::kString, StringSetter("to", &c.to)};
  } else if (command == Command::kAudit) {
    flags["json"] = {Kind::kBool, BoolSetter("json", &c.json)};
  } else if (command == Command::kStats) {
    flags["compact"] = {Kind::kBool, BoolSetter("compact", &c.compact)};
  }
  return flags;
}

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

// name -> value pairs of a config file.
Result<std::vector<std::pair<std::string, std::string>>> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read config file " + path);
  std::vector<std::pair<std::string, std::string>> entries;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line = Trim(line);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(path + ":" + std::to_string(number) +
                                     ": expected 'name = value'");
    }
    std::string name = Trim(line.substr(0, eq));
    if (name.rfind("--", 0) == 0) name = name.substr(2);
    entries.emplace_back(name, Trim(line.substr(eq + 1)));
  }
  return entries;
}

Status ApplyFlags(const std::vector<std::string>& args, size_t first,
                  std::map<std::string, Flag>& flags, bool is_serve) {
  // Pass 1: the config file, so that command-line flags override it.
  std::vector<std::pair<std::string, std::string>> parsed;
  std::optional<std::string> config_path;
  for (size_t i = first; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return Status::InvalidArgument("unexpected argument '" + arg + "'");
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    Kind kind;
    if (name == "config") {
      kind = Kind::kString;
    } else {
      auto found = flags.find(name);
      if (found == flags.end()) return Status::InvalidArgument("unknown flag --" + name);
      kind = found->second.kind;
    }
    if (!value.has_value()) {
      bool next_is_value = i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0;
      if (kind == Kind::kBool) {
        const std::string* next = i + 1 < args.size() ? &args[i + 1] : nullptr;
        if (next && (*next == "true" || *next == "false")) {
          value = *next;
          ++i;
        } else {
          value = "true";
        }
      } else if (next_is_value) {
        value = args[++i];
      } else {
        return Status::InvalidArgument("missing value for --" + name);
      }
    }
    if (name == "config") {
      config_path = *value;
    } else {
      parsed.emplace_back(name, *value);
    }
  }
  if (config_path.has_value()) {
    SBS_ASSIGN_OR_RETURN(auto entries, ReadConfigFile(*config_path));
    for (const auto& [name, value] : entries) {
      auto found = flags.find(name);
      if (found == flags.end()) {
        // Admin subcommands share the server's config file but use only
        // data-dir from it.
        if (!is_serve) continue;
        return Status::InvalidArgument("unknown setting '" + name + "' in " + *config_path);
      }
      SBS_RETURN_IF_ERROR(found->second.set(value));
    }
  }
  for (const auto& [name, value] : parsed) SBS_RETURN_IF_ERROR(flags.at(name).set(value));
  return Status::Ok();
}

}  // namespace

Result<HostPort> ParseHostPort(const std::string& address) {
  HostPort out;
  std::string port;
  if (!address.empty() && address[0] == '[') {
    size_t close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      return Status::InvalidArgument("bad --listen '" + address + "': expected [HOST]:PORT");
    }
    out.host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string::npos || address.find(':') != colon) {
      return Status::InvalidArgument("bad --listen '" + address +
                                     "': expected HOST:PORT (IPv6 as [HOST]:PORT)");
    }
    out.host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  if (out.host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return Status::InvalidArgument("bad --listen '" + address + "': expected HOST:PORT");
  }
  out.port = std::stoi(port);
  return out;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    return std::memcmp(&v6, &kLoopback, sizeof(v6)) == 0;
  }
  return false;
}

Result<Invocation> ParseCommandLine(const std::vector<std::string>& args) {
  Invocation invocation;
  size_t first = 1;
  if (args.size() > 1 && args[1].rfind("--", 0) != 0) {
    const std::string& name = args[1];
    first = 2;
    if (name == "serve") {
      invocation.command = Command::kServe;
    } else if (name == "issue-therapist-token") {
      invocation.command = Command::kIssueTherapistToken;
    } else if (name == "backup") {
      invocation.command = Command::kBackup;
    } else if (name == "audit") {
      invocation.command = Command::kAudit;
    } else if (name == "stats") {
      invocation.command = Command::kStats;
    } else if (name == "help") {
      invocation.command = Command::kHelp;
      return invocation;
    } else {
      return Status::InvalidArgument("unknown command '" + name + "'");
    }
  }
  for (size_t i = first; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      invocation.command = Command::kHelp;
      return invocation;
    }
  }
  if (invocation.command == Command::kServe) {
    auto flags = ServeFlags(invocation.serve);
    SBS_RETURN_IF_ERROR(ApplyFlags(args, first, flags, /*is_serve=*/true));
    ServeConfig& c = invocation.serve;
    if (c.data_dir.empty()) return Status::InvalidArgument("--data-dir is required");
    SBS_ASSIGN_OR_RETURN(HostPort listen, ParseHostPort(c.listen));
    bool tls = !c.tls_cert.empty() || !c.tls_key.empty();
    if (tls && (c.tls_cert.empty() || c.tls_key.empty())) {
      return Status::InvalidArgument("--tls-cert and --tls-key must be given together");
    }
    if (tls && c.insecure_loopback) {
      return Status::InvalidArgument("--insecure-loopback cannot be combined with --tls-cert/--tls-key");
    }
    if (!tls && !c.insecure_loopback) {
      return Status::InvalidArgument(
          "TLS is required: give --tls-cert FILE and --tls-key FILE (or, for local development "
          "only, --insecure-loopback with a loopback --listen address)");
    }
    if (c.insecure_loopback && !IsLoopbackHost(listen.host)) {
      return Status::InvalidArgument("--insecure-loopback needs a loopback --listen address "
                                     "(127.0.0.0/8, ::1 or localhost), not '" + listen.host + "'");
    }
  } else {
    auto flags = AdminFlags(invocation.command, invocation.admin);
    SBS_RETURN_IF_ERROR(ApplyFlags(args, first, flags, /*is_serve=*/false));
    if (invocation.admin.data_dir.empty()) return Status::InvalidArgument("--data-dir is required");
    if (invocation.command == Command::kBackup && invocation.admin.to.empty()) {
      return Status::InvalidArgument("--to is required");
    }
  }
  return invocation;
}

std::string UsageText() {
  return R"(usage:
  securebase-server [serve] --data-dir DIR [--listen HOST:PORT]
      (--tls-cert FILE --tls-key FILE | --insecure-loopback) [--config FILE]
      [--therapist-registration=open|token] [--retention-days N] [--audit-retention-days N]
      [--max-mailbox-envelopes N] [--max-mailbox-mb N] [--max-account-mb-per-day N]
      [--min-free-disk-mb N] [--disk-reserve-mb N]
      [--sync-writes=true|false]
      [--max-envelope-bytes N] [--max-ciphertexts-per-send N] [--max-prekeys-per-upload N]
      [--max-prekeys-per-device N] [--max-outstanding-invites N] [--max-invite-seconds N]
      [--max-streams-per-device N] [--max-streams-per-account N] [--max-streams N]
      [--stream-write-timeout-seconds N] [--rate-limit-rps X] [--rate-limit-burst X]
      [--register-rps-per-source X] [--register-burst-per-source X] [--register-rps X]
      [--register-burst X] [--login-rps-per-source X] [--login-burst-per-source X]
      [--login-rps X] [--login-burst X] [--trusted-proxies ADDR[,ADDR...]]
      [--max-failed-logins N] [--max-failed-logins-per-source N]
      [--failed-login-window-seconds N] [--max-tokens-per-device N] [--max-devices-per-account N]
      [--token-ttl-seconds N] [--challenge-ttl-seconds N] [--sweep-interval-seconds N]
      [--storage-failure-exit-seconds N]
      [--provisioning-slot-seconds N] [--max-provisioning-slots N]
      [--provisioning-rps-per-source X] [--provisioning-burst-per-source X]
      [--max-blob-mb N] [--max-account-blob-mb N] [--max-blobs-per-account N]
      [--blob-transfer-seconds N]
      [--keepalive-seconds N] [--keepalive-timeout-seconds N] [--connection-idle-seconds N]
      [--connection-age-seconds N] [--connection-age-grace-seconds N]
      [--handshake-timeout-seconds N] [--max-streams-per-connection N]
      [--max-metadata-bytes N] [--memory-quota-mb N]
  securebase-server issue-therapist-token --data-dir DIR [--expires-hours H]
  securebase-server backup --data-dir DIR --to DIR
  securebase-server audit --data-dir DIR [--json]
  securebase-server stats --data-dir DIR [--compact]
See docs/SERVER.md.
)";
}

}  // namespace securebase::server
