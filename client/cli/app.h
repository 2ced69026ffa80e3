// What every `securebase` command shares: the parsed command line, the global
// options (--home, --server, --ca, --insecure and their environment
// defaults), opening the vault, and reporting errors.
//
// Output conventions: results on stdout; notices, warnings and errors on
// stderr as "securebase: ..."; exit 0 on success, 1 on an error, 2 on a
// usage error.
#ifndef SECUREBASE_CLIENT_CLI_APP_H_
#define SECUREBASE_CLIENT_CLI_APP_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "args.h"
#include "format.h"
#include "securebase/client/client.h"

namespace securebase::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Accepted before or after the command name.
std::span<const OptionSpec> GlobalOptionSpecs();

class Context;

struct Command {
  std::string_view name;
  std::string_view usage;    // "send PEER TEXT"
  std::string_view summary;  // One line for `securebase help`.
  std::string_view details;  // For `securebase help COMMAND`; may be empty.
  std::vector<OptionSpec> options;
  size_t min_positionals = 0;
  size_t max_positionals = 0;
  int (*run)(Context& context) = nullptr;
};

// Every command, in the order `help` lists them.
const std::vector<Command>& AllCommands();
const Command* FindCommand(std::string_view name);

// Per command group (commands_*.cc).
std::vector<Command> AccountCommands();
std::vector<Command> MessagingCommands();
std::vector<Command> SyncCommands();
std::vector<Command> TrustCommands();

class Context {
 public:
  Context(const Command& command, ParsedArgs args) : command_(command), args_(std::move(args)) {}

  const Command& command() const { return command_; }
  const ParsedArgs& args() const { return args_; }
  const std::string& positional(size_t i) const { return args_.positionals.at(i); }

  // --home, --server, --ca/--insecure with SECUREBASE_HOME, SECUREBASE_SERVER,
  // SECUREBASE_CA as defaults. False (with `error`) on a usage error.
  bool ResolveOptions(std::string& error);
  const client::ClientOptions& options() const { return options_; }

  // Reads the passphrase and opens the vault. On failure prints the error and
  // returns nullptr with the exit code in `exit_code`.
  std::unique_ptr<client::Client> Open(int& exit_code);
  // The same for `init`: asks twice, then creates the vault and registers.
  std::unique_ptr<client::Client> Create(client::Role role, std::string_view name,
                                         std::string_view registration_token, int& exit_code);

  // Prints "securebase: <message>[ <hint>]" and returns kExitError.
  int Fail(const client::Status& status, std::string_view hint = {}) const;
  // Prints "securebase: <message>" and a pointer to the command's help;
  // returns kExitUsage.
  int UsageError(std::string_view message) const;

  // The availability and crisis notices this command showed (format.h).
  Notices& notices() { return notices_; }

 private:
  const Command& command_;
  ParsedArgs args_;
  client::ClientOptions options_;
  Notices notices_;
};

// "securebase: <message>" on stderr.
void PrintError(std::string_view message);
// "securebase: warning: <message>" on stderr.
void PrintWarning(std::string_view message);
// Text to stderr, as is.
void PrintNotice(std::string_view text);

// The general or per-command help text.
std::string GeneralHelp();
std::string CommandHelp(const Command& command);

}  // namespace securebase::cli

#endif  // SECUREBASE_CLIENT_CLI_APP_H_
