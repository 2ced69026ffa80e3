// The `securebase` app's option parser, number parsing, and its command table
// against the fixed command contract of issue 4.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "client/cli/app.h"
#include "client/cli/args.h"

namespace securebase::cli {
namespace {

constexpr OptionSpec kSpecs[] = {
    {"json", OptionKind::kFlag},
    {"mood", OptionKind::kValue},
    {"emotion", OptionKind::kRepeated},
};

struct Parsed {
  bool ok;
  ParsedArgs args;
  std::string error;
};

Parsed Parse(std::vector<std::string> args) {
  Parsed p;
  p.ok = ParseArgs(args, kSpecs, p.args, p.error);
  return p;
}

TEST(ParseArgs, PositionalsFlagsAndValues) {
  Parsed p = Parse(
      {"Dr. Rivera", "--mood", "6", "--json", "--emotion", "sad=3", "x", "--emotion=calm=10"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.args.positionals, (std::vector<std::string>{"Dr. Rivera", "x"}));
  EXPECT_TRUE(p.args.Has("json"));
  EXPECT_EQ(p.args.Get("mood"), "6");
  EXPECT_EQ(p.args.GetAll("emotion"), (std::vector<std::string>{"sad=3", "calm=10"}));
  EXPECT_FALSE(p.args.Has("missing"));
  EXPECT_FALSE(p.args.Get("missing").has_value());
  EXPECT_TRUE(p.args.GetAll("missing").empty());
}

TEST(ParseArgs, ValuesMayLookLikeOptionsOrBeEmpty) {
  Parsed p = Parse({"--mood", "--json"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.args.Get("mood"), "--json");
  EXPECT_FALSE(p.args.Has("json"));
  p = Parse({"--mood="});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.args.Get("mood"), "");
}

TEST(ParseArgs, DoubleDashEndsOptionsAndDashIsPositional) {
  Parsed p = Parse({"-", "--", "--json", "-x"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.args.positionals, (std::vector<std::string>{"-", "--json", "-x"}));
  EXPECT_FALSE(p.args.Has("json"));
}

TEST(ParseArgs, Errors) {
  Parsed p = Parse({"--nope"});
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("unknown option --nope"), std::string::npos);
  p = Parse({"-m", "3"});
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("-m"), std::string::npos);
  p = Parse({"--mood"});
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("needs a value"), std::string::npos);
  p = Parse({"--mood", "1", "--mood", "2"});
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("more than once"), std::string::npos);
  p = Parse({"--json", "--json"});
  EXPECT_FALSE(p.ok);
  p = Parse({"--json=yes"});
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("takes no value"), std::string::npos);
}

TEST(ParseUint, RangeAndSyntax) {
  uint32_t v = 99;
  std::string error;
  EXPECT_TRUE(ParseUint("0", 0, 10, "--mood", v, error));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseUint("10", 0, 10, "--mood", v, error));
  EXPECT_EQ(v, 10u);
  EXPECT_TRUE(ParseUint("007", 0, 10, "--mood", v, error));
  EXPECT_EQ(v, 7u);
  for (const char* bad :
       {"11", "-1", "+1", "", " 1", "1 ", "1.0", "0x1", "abc", "1e1", "99999999999999999999"}) {
    EXPECT_FALSE(ParseUint(bad, 0, 10, "--mood", v, error)) << bad;
    EXPECT_EQ(error, "--mood must be a whole number from 0 to 10");
  }
  EXPECT_FALSE(ParseUint("0", 1, 720, "--expires-hours", v, error));
  EXPECT_TRUE(ParseUint("4294967295", 0, 4294967295u, "x", v, error));
  EXPECT_EQ(v, 4294967295u);
}

TEST(ParseDecimal, RangeAndSyntax) {
  double v = -1;
  std::string error;
  EXPECT_TRUE(ParseDecimal("7.5", 0, 24, "--sleep", v, error));
  EXPECT_DOUBLE_EQ(v, 7.5);
  EXPECT_TRUE(ParseDecimal("24", 0, 24, "--sleep", v, error));
  EXPECT_TRUE(ParseDecimal("0", 0, 24, "--sleep", v, error));
  EXPECT_TRUE(ParseDecimal("0.25", 0, 24, "--sleep", v, error));
  for (const char* bad :
       {"24.5", "-1", "", ".5", "5.", "7,5", "nan", "inf", "1e1", "0x1", "1.2.3", " 7", "+7"}) {
    EXPECT_FALSE(ParseDecimal(bad, 0, 24, "--sleep", v, error)) << bad;
    EXPECT_EQ(error, "--sleep must be a number from 0 to 24");
  }
}

TEST(SplitPair, FirstAndLast) {
  std::string_view k, v;
  ASSERT_TRUE(SplitPair("a=b=c", '=', SplitAt::kFirst, k, v));
  EXPECT_EQ(k, "a");
  EXPECT_EQ(v, "b=c");
  ASSERT_TRUE(SplitPair("a=b=c", '=', SplitAt::kLast, k, v));
  EXPECT_EQ(k, "a=b");
  EXPECT_EQ(v, "c");
  EXPECT_FALSE(SplitPair("abc", '=', SplitAt::kFirst, k, v));
}

// The command contract of issue 4 is fixed: every command and option exists.
TEST(CommandTable, MatchesTheFixedContract) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> contract = {
      {"init", {"role", "name", "registration-token"}},
      {"invite", {"expires-hours"}},
      {"accept", {}},
      {"contacts", {"json"}},
      {"send", {}},
      {"checkin", {"mood", "emotion", "energy", "sleep", "helped", "note"}},
      {"reflect", {"body", "prompt", "kind", "field"}},
      {"assign", {"title", "instructions", "kind", "every", "due"}},
      {"availability", {"text"}},
      {"sync", {"watch"}},
      {"history", {"json"}},
      {"export", {"out"}},
      {"safety-number", {}},
      {"verify", {}},
      {"trust", {}},
      {"end", {}},
  };
  for (const auto& [name, options] : contract) {
    const Command* command = FindCommand(name);
    ASSERT_NE(command, nullptr) << name;
    std::set<std::string_view> have;
    for (const OptionSpec& spec : command->options) have.insert(spec.name);
    for (const std::string& option : options) {
      EXPECT_TRUE(have.count(option)) << name << " --" << option;
    }
    EXPECT_NE(command->run, nullptr);
    EXPECT_FALSE(CommandHelp(*command).empty());
    EXPECT_NE(GeneralHelp().find("  " + name + " "), std::string::npos) << name;
  }
  EXPECT_EQ(FindCommand("send")->min_positionals, 2u);
  EXPECT_EQ(FindCommand("accept")->min_positionals, 1u);
  const Command* checkin = FindCommand("checkin");
  for (const OptionSpec& spec : checkin->options) {
    if (spec.name == "emotion") {
      EXPECT_EQ(spec.kind, OptionKind::kRepeated);
    }
  }
  std::set<std::string_view> globals;
  for (const OptionSpec& spec : GlobalOptionSpecs()) globals.insert(spec.name);
  for (const char* g : {"home", "server", "ca", "insecure"}) EXPECT_TRUE(globals.count(g)) << g;
}

TEST(CommandTable, NoOptionCollidesWithAGlobalOne) {
  std::set<std::string_view> globals;
  for (const OptionSpec& spec : GlobalOptionSpecs()) globals.insert(spec.name);
  for (const Command& command : AllCommands()) {
    std::set<std::string_view> seen;
    for (const OptionSpec& spec : command.options) {
      EXPECT_FALSE(globals.count(spec.name)) << command.name << " --" << spec.name;
      EXPECT_TRUE(seen.insert(spec.name).second) << command.name << " --" << spec.name;
    }
  }
}

TEST(Context, ResolvesGlobalOptionsAndEnvironment) {
  const Command& contacts = *FindCommand("contacts");
  setenv("SECUREBASE_SERVER", "example.org:443", 1);
  setenv("SECUREBASE_CA", "/etc/ca.pem", 1);
  setenv("SECUREBASE_HOME", "/tmp/sb-env-home", 1);
  {
    Context ctx(contacts, ParsedArgs());
    std::string error;
    ASSERT_TRUE(ctx.ResolveOptions(error)) << error;
    EXPECT_EQ(ctx.options().home, "/tmp/sb-env-home");
    EXPECT_EQ(ctx.options().server_address, "example.org:443");
    EXPECT_EQ(ctx.options().ca_file, "/etc/ca.pem");
    EXPECT_FALSE(ctx.options().insecure_loopback);
  }
  {
    ParsedArgs args;
    args.Slot("home").push_back("/h");
    args.Slot("server").push_back("127.0.0.1:1");
    args.Slot("insecure");
    Context ctx(contacts, std::move(args));
    std::string error;
    ASSERT_TRUE(ctx.ResolveOptions(error)) << error;
    EXPECT_EQ(ctx.options().home, "/h");
    EXPECT_EQ(ctx.options().server_address, "127.0.0.1:1");
    EXPECT_TRUE(ctx.options().ca_file.empty());  // --insecure overrides SECUREBASE_CA.
    EXPECT_TRUE(ctx.options().insecure_loopback);
  }
  {
    ParsedArgs args;
    args.Slot("ca").push_back("x.pem");
    args.Slot("insecure");
    Context ctx(contacts, std::move(args));
    std::string error;
    EXPECT_FALSE(ctx.ResolveOptions(error));
    EXPECT_NE(error.find("--insecure"), std::string::npos);
  }
  unsetenv("SECUREBASE_SERVER");
  unsetenv("SECUREBASE_CA");
  unsetenv("SECUREBASE_HOME");
  setenv("HOME", "/home/someone", 1);
  {
    Context ctx(contacts, ParsedArgs());
    std::string error;
    ASSERT_TRUE(ctx.ResolveOptions(error)) << error;
    EXPECT_EQ(ctx.options().home, "/home/someone/.securebase");
    EXPECT_EQ(ctx.options().server_address, "127.0.0.1:50051");
    EXPECT_TRUE(ctx.options().ca_file.empty());
  }
}

}  // namespace
}  // namespace securebase::cli
