#include "args.h"

#include <charconv>
#include <cmath>

namespace securebase::cli {

std::optional<std::string> ParsedArgs::Get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& ParsedArgs::GetAll(std::string_view name) const {
  static const std::vector<std::string> kEmpty;
  auto it = values_.find(name);
  return it == values_.end() ? kEmpty : it->second;
}

std::vector<std::string>& ParsedArgs::Slot(std::string_view name) {
  auto it = values_.find(name);
  if (it == values_.end())
    it = values_.emplace(std::string(name), std::vector<std::string>()).first;
  return it->second;
}

bool ParseArgs(std::span<const std::string> args, std::span<const OptionSpec> specs,
               ParsedArgs& out, std::string& error) {
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.size() < 2 || arg[0] != '-') {
      out.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg[1] != '-') {
      error = "unknown option " + arg + " (options are spelled --name)";
      return false;
    }
    std::string_view body = std::string_view(arg).substr(2);
    std::optional<std::string_view> inline_value;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs) {
      if (s.name == body) spec = &s;
    }
    if (spec == nullptr) {
      error = "unknown option --" + std::string(body);
      return false;
    }
    if (spec->kind != OptionKind::kRepeated && out.Has(spec->name)) {
      error = "--" + std::string(spec->name) + " is given more than once";
      return false;
    }
    if (spec->kind == OptionKind::kFlag) {
      if (inline_value) {
        error = "--" + std::string(spec->name) + " takes no value";
        return false;
      }
      out.Slot(spec->name);
      continue;
    }
    std::string value;
    if (inline_value) {
      value = std::string(*inline_value);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      error = "--" + std::string(spec->name) + " needs a value";
      return false;
    }
    out.Slot(spec->name).push_back(std::move(value));
  }
  return true;
}

bool ParseUint(std::string_view text, uint64_t min, uint64_t max, std::string_view what,
               uint32_t& out, std::string& error) {
  uint64_t value = 0;
  bool ok = !text.empty() && text.size() <= 10;
  for (char c : text) ok = ok && c >= '0' && c <= '9';
  if (ok) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    ok = ec == std::errc() && ptr == text.data() + text.size() && value >= min && value <= max;
  }
  if (!ok) {
    error = std::string(what) + " must be a whole number from " + std::to_string(min) + " to " +
            std::to_string(max);
    return false;
  }
  out = static_cast<uint32_t>(value);
  return true;
}

bool ParseDecimal(std::string_view text, double min, double max, std::string_view what, double& out,
                  std::string& error) {
  // digits, optionally '.' and digits: nothing else.
  size_t digits = 0, dots = 0;
  bool ok = !text.empty() && text.size() <= 32;
  for (size_t i = 0; ok && i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.' && dots == 0 && i > 0 && i + 1 < text.size()) {
      ++dots;
    } else {
      ok = false;
    }
  }
  double value = 0;
  if (ok && digits > 0) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    ok = ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(value) &&
         value >= min && value <= max;
  } else {
    ok = false;
  }
  if (!ok) {
    auto fmt = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    };
    error = std::string(what) + " must be a number from " + fmt(min) + " to " + fmt(max);
    return false;
  }
  out = value;
  return true;
}

bool SplitPair(std::string_view text, char sep, SplitAt at, std::string_view& key,
               std::string_view& value) {
  const size_t pos = at == SplitAt::kFirst ? text.find(sep) : text.rfind(sep);
  if (pos == std::string_view::npos) return false;
  key = text.substr(0, pos);
  value = text.substr(pos + 1);
  return true;
}

}  // namespace securebase::cli
