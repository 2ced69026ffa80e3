// The `securebase` command-line app: finds the command, parses its options
// (docs/CLIENT.md is the reference) and runs it.
#include <iostream>
#include <string>
#include <vector>

#include "app.h"

namespace securebase::cli {
namespace {

// Index of the command name: the first argument that is neither an option
// nor the value of a global option; args.size() if there is none.
size_t FindCommandIndex(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') return i;
    if (arg == "--") return i + 1 < args.size() ? i + 1 : args.size();
    if (arg.rfind("--", 0) != 0 || arg.find('=') != std::string::npos) continue;
    const std::string_view name = std::string_view(arg).substr(2);
    for (const OptionSpec& spec : GlobalOptionSpecs()) {
      if (spec.name == name && spec.kind != OptionKind::kFlag) ++i;  // Skip its value.
    }
  }
  return args.size();
}

int Run(std::vector<std::string> args) {
  for (std::string& arg : args) {
    if (arg == "-h") arg = "--help";
  }
  const size_t index = FindCommandIndex(args);
  if (index == args.size()) {
    for (const std::string& arg : args) {
      if (arg == "--help") {
        std::cout << GeneralHelp();
        return kExitOk;
      }
      if (arg == "--version") {
        std::cout << "securebase 0.1.0\n";
        return kExitOk;
      }
    }
    std::cerr << GeneralHelp();
    return kExitUsage;
  }
  const std::string name = args[index];
  args.erase(args.begin() + static_cast<std::ptrdiff_t>(index));
  if (name == "help") {
    ParsedArgs parsed;
    std::string error;
    if (!ParseArgs(args, GlobalOptionSpecs(), parsed, error) || parsed.positionals.size() > 1) {
      PrintError((error.empty() ? std::string("too many arguments") : error) +
                 "; usage: securebase help [COMMAND]");
      return kExitUsage;
    }
    const std::string topic = parsed.positionals.empty() ? "" : parsed.positionals[0];
    if (topic.empty()) {
      std::cout << GeneralHelp();
      return kExitOk;
    }
    const Command* command = FindCommand(topic);
    if (command == nullptr) {
      PrintError("unknown command " + topic + " (see `securebase help`)");
      return kExitUsage;
    }
    std::cout << CommandHelp(*command);
    return kExitOk;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) {
    PrintError("unknown command " + name + " (see `securebase help`)");
    return kExitUsage;
  }
  std::vector<OptionSpec> specs = command->options;
  for (const OptionSpec& spec : GlobalOptionSpecs()) specs.push_back(spec);
  ParsedArgs parsed;
  std::string error;
  if (!ParseArgs(args, specs, parsed, error)) {
    PrintError(error + " (see `securebase help " + name + "`)");
    return kExitUsage;
  }
  if (parsed.Has("help")) {
    std::cout << CommandHelp(*command);
    return kExitOk;
  }
  const size_t n = parsed.positionals.size();
  if (n < command->min_positionals || n > command->max_positionals) {
    PrintError((n < command->min_positionals ? "missing arguments" : "too many arguments") +
               std::string("; usage: securebase ") + std::string(command->usage) +
               (n > command->max_positionals ? " (quote text that contains spaces)" : ""));
    return kExitUsage;
  }
  Context context(*command, std::move(parsed));
  if (!context.ResolveOptions(error)) return context.UsageError(error);
  return command->run(context);
}

}  // namespace
}  // namespace securebase::cli

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return securebase::cli::Run(std::move(args));
}
