// Command-line parsing for the `securebase` app: long options only
// ("--name VALUE", "--name=VALUE", "--flag"), positionals, and "--" to end
// options. No third-party dependencies.
#ifndef SECUREBASE_CLIENT_CLI_ARGS_H_
#define SECUREBASE_CLIENT_CLI_ARGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace securebase::cli {

enum class OptionKind {
  kFlag,      // --name, no value; at most once.
  kValue,     // --name VALUE; at most once.
  kRepeated,  // --name VALUE, any number of times, in order.
};

struct OptionSpec {
  std::string_view name;  // Without the leading "--".
  OptionKind kind;
};

class ParsedArgs {
 public:
  std::vector<std::string> positionals;

  bool Has(std::string_view name) const { return values_.find(name) != values_.end(); }
  // The value of a kValue option, if given.
  std::optional<std::string> Get(std::string_view name) const;
  // Every value of a kRepeated option (empty if none).
  const std::vector<std::string>& GetAll(std::string_view name) const;

  // Used by ParseArgs.
  std::vector<std::string>& Slot(std::string_view name);

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// Parses `args` (without the program name) against `specs`. Anything that
// starts with "-" (other than "-" itself) is an option until "--". On error
// returns false with a sentence in `error` (unknown option, missing value,
// value given to a flag, option repeated that may not be).
bool ParseArgs(std::span<const std::string> args, std::span<const OptionSpec> specs,
               ParsedArgs& out, std::string& error);

// A whole number in [min, max], decimal digits only. On error returns false
// with "<what> must be a whole number from <min> to <max>."
bool ParseUint(std::string_view text, uint64_t min, uint64_t max, std::string_view what,
               uint32_t& out, std::string& error);
// A non-negative decimal number ("7", "7.5") in [min, max]; no signs,
// exponents, hex, "inf" or "nan". Locale-independent.
bool ParseDecimal(std::string_view text, double min, double max, std::string_view what, double& out,
                  std::string& error);

// Splits "KEY<sep>VALUE" at the first (kFirst) or last (kLast) separator.
enum class SplitAt { kFirst, kLast };
bool SplitPair(std::string_view text, char sep, SplitAt at, std::string_view& key,
               std::string_view& value);

}  // namespace securebase::cli

#endif  // SECUREBASE_CLIENT_CLI_ARGS_H_
