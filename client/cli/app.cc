#include "app.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "format.h"
#include "terminal.h"

namespace securebase::cli {
namespace {

constexpr OptionSpec kGlobalOptions[] = {
    {"home", OptionKind::kValue},    {"server", OptionKind::kValue}, {"ca", OptionKind::kValue},
    {"insecure", OptionKind::kFlag}, {"help", OptionKind::kFlag},
};

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? std::string(value) : std::move(fallback);
}

std::string DefaultHome() {
  std::string home = EnvOr("HOME", "");
  if (home.empty()) {
    if (const struct passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
      home = pw->pw_dir;
    }
  }
  if (home.empty()) return "";
  return home + "/.securebase";
}

}  // namespace

std::span<const OptionSpec> GlobalOptionSpecs() { return kGlobalOptions; }

const std::vector<Command>& AllCommands() {
  static const std::vector<Command>* const kCommands = [] {
    auto* all = new std::vector<Command>();
    for (auto group : {AccountCommands, MessagingCommands, SyncCommands, TrustCommands}) {
      for (Command& c : group()) all->push_back(std::move(c));
    }
    return all;
  }();
  return *kCommands;
}

const Command* FindCommand(std::string_view name) {
  for (const Command& c : AllCommands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool Context::ResolveOptions(std::string& error) {
  options_ = client::ClientOptions();
  options_.home = args_.Get("home").value_or(EnvOr("SECUREBASE_HOME", DefaultHome()));
  if (options_.home.empty()) {
    error = "no home directory: pass --home DIR or set SECUREBASE_HOME";
    return false;
  }
  options_.server_address =
      args_.Get("server").value_or(EnvOr("SECUREBASE_SERVER", options_.server_address));
  const bool insecure = args_.Has("insecure");
  if (insecure && args_.Has("ca")) {
    error = "--ca and --insecure cannot be used together";
    return false;
  }
  options_.insecure_loopback = insecure;
  if (!insecure) options_.ca_file = args_.Get("ca").value_or(EnvOr("SECUREBASE_CA", ""));
  // Only `init` wraps a new vault key; the cost of an existing vault is read
  // from its key file. "minimum-for-tests" exists so test suites that create
  // many vaults stay fast; it makes a stolen vault file cheap to brute-force.
  const std::string cost = EnvOr("SECUREBASE_PASSPHRASE_COST", "moderate");
  if (cost == "moderate") {
    options_.passphrase_cost = client::PassphraseCost::kModerate;
  } else if (cost == "interactive") {
    options_.passphrase_cost = client::PassphraseCost::kInteractive;
  } else if (cost == "minimum-for-tests") {
    options_.passphrase_cost = client::PassphraseCost::kMinimumForTests;
  } else {
    error = "SECUREBASE_PASSPHRASE_COST must be moderate, interactive or minimum-for-tests";
    return false;
  }
  return true;
}

std::unique_ptr<client::Client> Context::Open(int& exit_code) {
  Passphrase passphrase;
  std::string error;
  if (!ObtainPassphrase("Passphrase for " + options_.home + ": ", Confirm::kNo, passphrase,
                        error)) {
    PrintError(error);
    exit_code = kExitError;
    return nullptr;
  }
  auto result = client::Client::Open(options_, passphrase.view());
  passphrase.Clear();
  if (!result.ok()) {
    std::string_view hint;
    if (result.status().code() == client::ErrorCode::kNotFound) {
      hint = "(create one with `securebase init`, or pass --home)";
    }
    exit_code = Fail(result.status(), hint);
    return nullptr;
  }
  return std::move(result).value();
}

std::unique_ptr<client::Client> Context::Create(client::Role role, std::string_view name,
                                                std::string_view registration_token,
                                                int& exit_code) {
  Passphrase passphrase;
  std::string error;
  if (!ObtainPassphrase("Choose a passphrase for this device's vault: ", Confirm::kYes, passphrase,
                        error)) {
    PrintError(error);
    exit_code = kExitError;
    return nullptr;
  }
  auto result = client::Client::Create(options_, passphrase.view(), role, name, registration_token);
  passphrase.Clear();
  if (!result.ok()) {
    exit_code = Fail(result.status());
    return nullptr;
  }
  return std::move(result).value();
}

int Context::Fail(const client::Status& status, std::string_view hint) const {
  std::string message = status.message().empty() ? std::string(client::ErrorCodeName(status.code()))
                                                 : Printable(status.message());
  if (!hint.empty()) message += " " + std::string(hint);
  PrintError(message);
  return kExitError;
}

int Context::UsageError(std::string_view message) const {
  PrintError(std::string(message) + " (see `securebase help " + std::string(command_.name) + "`)");
  return kExitUsage;
}

void PrintError(std::string_view message) {
  std::cout.flush();
  std::cerr << "securebase: " << message << '\n' << std::flush;
}

void PrintWarning(std::string_view message) {
  std::cout.flush();
  std::cerr << "securebase: warning: " << message << '\n' << std::flush;
}

void PrintNotice(std::string_view text) {
  std::cout.flush();
  std::cerr << text << std::flush;
}

std::string GeneralHelp() {
  std::string out =
      "securebase - end-to-end encrypted messages between therapy clients and their "
      "therapists\n"
      "\n"
      "Usage: securebase [GLOBAL OPTIONS] COMMAND [ARGUMENTS]\n"
      "\n"
      "Commands:\n";
  for (const Command& c : AllCommands()) {
    std::string line = "  " + std::string(c.name);
    line.resize(std::max<size_t>(line.size() + 1, 17), ' ');
    out += line + std::string(c.summary) + "\n";
  }
  out +=
      "  help [COMMAND]  Show this help, or a command's options.\n"
      "\n"
      "PEER is a contact's display name or user id (see `securebase contacts`).\n"
      "\n"
      "Global options (before or after the command):\n"
      "  --home DIR          The vault directory (default: $SECUREBASE_HOME, else "
      "~/.securebase).\n"
      "  --server HOST:PORT  The server (default: $SECUREBASE_SERVER, else 127.0.0.1:50051).\n"
      "  --ca FILE           PEM file of the CA that signed the server's certificate\n"
      "                      (default: $SECUREBASE_CA, else the system's trust store).\n"
      "  --insecure          Plaintext connection; only to a loopback address (development).\n"
      "\n"
      "Environment:\n"
      "  SECUREBASE_PASSPHRASE  The vault passphrase; when unset it is asked for on the "
      "terminal.\n"
      "  SECUREBASE_HOME, SECUREBASE_SERVER, SECUREBASE_CA  Defaults for the options above.\n"
      "\n"
      "Exit status: 0 success, 1 error, 2 usage error.\n"
      "SecureBase is not for emergencies: in a crisis, call your local emergency number.\n"
      "Reference: docs/CLIENT.md\n";
  return out;
}

std::string CommandHelp(const Command& command) {
  std::string out = "Usage: securebase " + std::string(command.usage) + "\n\n" +
                    std::string(command.summary) + "\n";
  if (!command.details.empty()) out += "\n" + std::string(command.details);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out +=
      "\nGlobal options: --home DIR, --server HOST:PORT, --ca FILE | --insecure "
      "(see `securebase help`).\n";
  return out;
}

}  // namespace securebase::cli
