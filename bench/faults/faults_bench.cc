// securebase_faults: load-and-fault checks of issue 5 against the real
// securebase-server, run by scripts/bench.sh --soak (not in CI).
//
//   --fairness              one account floods Send from several threads; the
//                           others' p99 must stay within 2x their unloaded
//                           p99, and only the flooder gets RESOURCE_EXHAUSTED.
//     --fairness-rounds N   alternating unloaded/loaded rounds (default 3).
//     --fairness-seconds S  measured time of each phase per round (default 10).
//     --flooder-threads N   (default 8).
//     --flooder-nice N      nice value of the flooder's client threads
//                           (default 0, normal; see fairness.h).
//   --crash-cycles N        N SIGKILL/restart cycles under concurrent sends;
//                           every acknowledged send delivered exactly once.
//     --seed N              the crash loop's schedule (default: random).
//   --soak-seconds S        open-loop sends for S seconds, server RSS sampled.
//     --soak-rate R         sends/s; without it, half of a 10 s closed-loop
//                           probe of the maximum.
//   --attack-load           honest clients at a steady rate while four attacks
//                           run in turn (attack_load.h); each attack phase's
//                           honest p99 within 3x quiet, no honest failure.
//     --attack-rounds N     rounds of (quiet, attack) for every attack (2).
//     --attack-seconds S    measured time of each phase (default 10).
//     --idle-connections N  held by the idle-connection flood (default 8000).
//     --attacks LIST        which, in order (default register,login,streams,idle;
//                           also storm: the idle connections opened at once).
//     --attacker-nice N     nice value of the attackers' processes (default 19:
//                           an attacker on a machine of its own).
//   --json FILE             every figure as one flat JSON object.
//
// Modes run in the order above, each on a fresh server. Exit status: 0 when
// every check of the modes run passed, 1 when one failed, 2 on a usage or
// setup error. Progress goes to stderr, a summary to stdout.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench/common/measure.h"
#include "bench/faults/attack_load.h"
#include "bench/faults/attacks.h"
#include "bench/faults/fairness.h"
#include "bench/faults/soak.h"
#include "tests/server/integration/harness/crash_loop.h"

namespace securebase::bench {
namespace {

struct Flags {
  bool fairness = false;
  int fairness_rounds = 3;
  int fairness_seconds = 10;
  int flooder_threads = 8;
  int flooder_nice = 0;
  int crash_cycles = 0;
  uint64_t seed = 0;
  int soak_seconds = 0;
  double soak_rate = 0;
  bool attack_load = false;
  int attack_rounds = 2;
  int attack_seconds = 10;
  int idle_connections = 8000;
  std::vector<std::string> attacks;
  int attacker_nice = 19;
  std::string json;
};

int Usage(const std::string& why) {
  std::cerr
      << "securebase_faults: " << why
      << "\nusage: securebase_faults [--fairness [--fairness-rounds N] [--fairness-seconds S] "
         "[--flooder-threads N] [--flooder-nice N]] [--crash-cycles N [--seed N]] "
         "[--soak-seconds S [--soak-rate R]] [--attack-load [--attack-rounds N] "
         "[--attack-seconds S] [--idle-connections N] [--attacks LIST] [--attacker-nice N]] "
         "[--json FILE]\n";
  return 2;
}

bool ParseFlags(int argc, char** argv, Flags* flags, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    auto next = [&]() -> bool {
      if (!value.empty()) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    if (arg == "--fairness") {
      flags->fairness = true;
      continue;
    }
    if (arg == "--attack-load") {
      flags->attack_load = true;
      continue;
    }
    static const char* const kValued[] = {"--fairness-rounds",  "--fairness-seconds",
                                          "--flooder-threads",  "--flooder-nice",
                                          "--crash-cycles",     "--seed",
                                          "--soak-seconds",     "--soak-rate",
                                          "--attack-rounds",    "--attack-seconds",
                                          "--idle-connections", "--attacks",
                                          "--attacker-nice",    "--json"};
    if (std::find(std::begin(kValued), std::end(kValued), arg) == std::end(kValued)) {
      *error = "unknown flag " + arg;
      return false;
    }
    if (!next()) {
      *error = arg + " needs a value";
      return false;
    }
    char* end = nullptr;
    if (arg == "--fairness-rounds") {
      flags->fairness_rounds = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--fairness-seconds") {
      flags->fairness_seconds = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--flooder-threads") {
      flags->flooder_threads = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--flooder-nice") {
      flags->flooder_nice = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--crash-cycles") {
      flags->crash_cycles = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--seed") {
      flags->seed = std::strtoull(value.c_str(), &end, 10);
    } else if (arg == "--soak-seconds") {
      flags->soak_seconds = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--soak-rate") {
      flags->soak_rate = std::strtod(value.c_str(), &end);
    } else if (arg == "--attack-rounds") {
      flags->attack_rounds = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--attack-seconds") {
      flags->attack_seconds = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--idle-connections") {
      flags->idle_connections = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--attacker-nice") {
      flags->attacker_nice = static_cast<int>(std::strtol(value.c_str(), &end, 10));
    } else if (arg == "--attacks") {
      flags->attacks.clear();
      std::istringstream list(value);
      for (std::string key; std::getline(list, key, ',');) flags->attacks.push_back(key);
      continue;
    } else if (arg == "--json") {
      flags->json = value;
      continue;
    } else {
      *error = "unknown flag " + arg;
      return false;
    }
    if (end == nullptr || *end != '\0') {
      *error = "bad value for " + arg + ": " + value;
      return false;
    }
  }
  if (flags->fairness_rounds <= 0 || flags->fairness_seconds <= 0 || flags->flooder_threads <= 0 ||
      flags->crash_cycles < 0 || flags->soak_seconds < 0 || flags->soak_rate < 0 ||
      flags->attack_rounds <= 0 || flags->attack_seconds <= 0 || flags->idle_connections < 0) {
    *error = "values must be positive";
    return false;
  }
  if (!flags->fairness && flags->crash_cycles == 0 && flags->soak_seconds == 0 &&
      !flags->attack_load) {
    *error = "nothing to run";
    return false;
  }
  return true;
}

// One flat JSON object, fields in insertion order.
class JsonFields {
 public:
  void Add(const std::string& name, double value) {
    std::ostringstream out;
    out.precision(6);
    out << value;
    fields_.emplace_back(name, out.str());
  }
  void Add(const std::string& name, int64_t value) {
    fields_.emplace_back(name, std::to_string(value));
  }
  void Add(const std::string& name, bool value) {
    fields_.emplace_back(name, value ? "true" : "false");
  }
  // Plain text only (no quotes or backslashes to escape).
  void AddString(const std::string& name, const std::string& value) {
    fields_.emplace_back(name, "\"" + value + "\"");
  }
  std::string ToString() const {
    std::string out = "{\n";
    for (size_t i = 0; i < fields_.size(); ++i) {
      out += "  \"" + fields_[i].first + "\": " + fields_[i].second;
      out += i + 1 < fields_.size() ? ",\n" : "\n";
    }
    return out + "}\n";
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Each mode returns 0 (passed), 1 (a check failed) or 2 (setup failed).
int RunFairnessMode(const Flags& flags, JsonFields* json) {
  FairnessOptions options;
  options.rounds = flags.fairness_rounds;
  options.phase = std::chrono::seconds(flags.fairness_seconds);
  options.flooder_threads = flags.flooder_threads;
  options.flooder_nice = flags.flooder_nice;
  FairnessResult r;
  if (!RunFairness(options, &r)) return 2;
  std::printf(
      "fairness: others' p99 %.2f ms unloaded, %.2f ms with the flooder (ratio %.2f, limit 2); "
      "p50 %.2f -> %.2f ms\n"
      "fairness: others %s\n"
      "fairness: flooder %s, %.1f OK sends/s\n"
      "fairness: CPU (cores) server %.2f unloaded, %.2f loaded; this process %.2f, %.2f; "
      "machine has %ld\n"
      "fairness: %s\n",
      r.unloaded_p99_ms, r.loaded_p99_ms, r.p99_ratio, r.unloaded_p50_ms, r.loaded_p50_ms,
      r.others_codes.c_str(), r.flooder_codes.c_str(), r.flooder_ok_per_second,
      r.server_cores_unloaded, r.server_cores_loaded, r.bench_cores_unloaded, r.bench_cores_loaded,
      ::sysconf(_SC_NPROCESSORS_ONLN), r.Passed() ? "PASS" : "FAIL");
  json->Add("fairness_rounds", static_cast<int64_t>(options.rounds));
  json->Add("fairness_phase_seconds", static_cast<int64_t>(options.phase.count()));
  json->Add("fairness_other_accounts", static_cast<int64_t>(options.others));
  json->Add("fairness_other_rate_per_account", options.other_rate);
  json->Add("fairness_flooder_threads", static_cast<int64_t>(options.flooder_threads));
  json->Add("fairness_flooder_nice", static_cast<int64_t>(options.flooder_nice));
  json->Add("fairness_unloaded_p50_ms", r.unloaded_p50_ms);
  json->Add("fairness_unloaded_p99_ms", r.unloaded_p99_ms);
  json->Add("fairness_loaded_p50_ms", r.loaded_p50_ms);
  json->Add("fairness_loaded_p99_ms", r.loaded_p99_ms);
  json->Add("fairness_p99_ratio", r.p99_ratio);
  json->Add("fairness_others_unloaded_ok", r.others_unloaded_ok);
  json->Add("fairness_others_loaded_ok", r.others_loaded_ok);
  json->Add("fairness_others_resource_exhausted", r.others_resource_exhausted);
  json->Add("fairness_others_other_errors", r.others_other_errors);
  json->Add("fairness_flooder_ok", r.flooder_ok);
  json->Add("fairness_flooder_resource_exhausted", r.flooder_resource_exhausted);
  json->Add("fairness_flooder_other_errors", r.flooder_other_errors);
  json->Add("fairness_flooder_ok_per_second", r.flooder_ok_per_second);
  json->Add("fairness_server_cores_unloaded", r.server_cores_unloaded);
  json->Add("fairness_server_cores_loaded", r.server_cores_loaded);
  json->Add("fairness_bench_cores_unloaded", r.bench_cores_unloaded);
  json->Add("fairness_bench_cores_loaded", r.bench_cores_loaded);
  json->Add("fairness_passed", r.Passed());
  return r.Passed() ? 0 : 1;
}

int RunCrashMode(const Flags& flags, JsonFields* json) {
  integration::CrashLoopOptions options;
  options.cycles = flags.crash_cycles;
  options.seed = flags.seed;
  options.log = &std::cerr;
  integration::CrashLoopReport r;
  ::testing::AssertionResult ran = integration::RunCrashLoop(options, &r);
  if (!ran) {
    std::cerr << "crash loop: " << ran.message() << "\n";
    return 2;
  }
  std::printf(
      "crash loop: seed %llu, %d cycles: %lld sends attempted, %lld acknowledged, %lld retried "
      "(%lld retry RPCs, %lld already stored by the killed server), %lld delivered, %lld partial, "
      "%lld duplicates, %lld lost, %lld unresolved, "
      "%lld strays, %lld timestamp mismatches: %s\n",
      static_cast<unsigned long long>(r.seed), r.cycles, static_cast<long long>(r.attempted),
      static_cast<long long>(r.acknowledged), static_cast<long long>(r.retried),
      static_cast<long long>(r.retry_rpcs), static_cast<long long>(r.retried_stored_before_kill),
      static_cast<long long>(r.delivered), static_cast<long long>(r.partial),
      static_cast<long long>(r.duplicates), static_cast<long long>(r.lost),
      static_cast<long long>(r.unresolved), static_cast<long long>(r.strays),
      static_cast<long long>(r.timestamp_mismatches), r.Clean() ? "PASS" : "FAIL");
  json->AddString("crash_seed", std::to_string(r.seed));  // 64 bits: too big for a double.
  json->Add("crash_cycles", static_cast<int64_t>(r.cycles));
  json->Add("crash_sends_attempted", r.attempted);
  json->Add("crash_sends_acknowledged", r.acknowledged);
  json->Add("crash_sends_retried", r.retried);
  json->Add("crash_retry_rpcs", r.retry_rpcs);
  json->Add("crash_retried_stored_before_kill", r.retried_stored_before_kill);
  json->Add("crash_delivered", r.delivered);
  json->Add("crash_partial", r.partial);
  json->Add("crash_duplicates", r.duplicates);
  json->Add("crash_lost", r.lost);
  json->Add("crash_unresolved", r.unresolved);
  json->Add("crash_strays", r.strays);
  json->Add("crash_timestamp_mismatches", r.timestamp_mismatches);
  json->Add("crash_passed", r.Clean() && r.cycles == flags.crash_cycles);
  return r.Clean() && r.cycles == flags.crash_cycles ? 0 : 1;
}

int RunSoakMode(const Flags& flags, JsonFields* json) {
  SoakOptions options;
  options.duration = std::chrono::seconds(flags.soak_seconds);
  options.rate = flags.soak_rate;
  SoakResult r;
  if (!RunSoak(options, &r)) return 2;
  const double growth =
      r.rss_start_kib > 0
          ? 100.0 * static_cast<double>(r.rss_end_kib - r.rss_start_kib) / r.rss_start_kib
          : 0;
  std::printf(
      "soak: %lld s at %.1f sends/s: %lld sends, %lld OK, %lld errors, %lld late; latency p50 "
      "%.2f ms, p99 %.2f ms; server RSS %lld KiB before load, %lld KiB after warm-up, %lld KiB "
      "at the end (%+.1f%%), max %lld KiB\nsoak: %s\n",
      static_cast<long long>(r.seconds), r.rate, static_cast<long long>(r.sends),
      static_cast<long long>(r.sends_ok), static_cast<long long>(r.errors),
      static_cast<long long>(r.late_sends), r.p50_ms, r.p99_ms,
      static_cast<long long>(r.rss_before_load_kib), static_cast<long long>(r.rss_start_kib),
      static_cast<long long>(r.rss_end_kib), growth, static_cast<long long>(r.rss_max_kib),
      r.codes.c_str());
  if (r.sends > 0 && r.late_sends * 100 > r.sends) {
    std::printf(
        "soak: WARNING: %lld of %lld sends started more than 1 s late: this machine and server did "
        "not sustain %.1f sends/s, so latency and memory figures are not at that rate\n",
        static_cast<long long>(r.late_sends), static_cast<long long>(r.sends), r.rate);
  }
  std::printf("soak: samples (s: RSS/WAL/SST KiB)");
  for (const SoakResult::Sample& s : r.samples) {
    std::printf(" %lld:%lld/%lld/%lld", static_cast<long long>(s.second),
                static_cast<long long>(s.rss_kib), static_cast<long long>(s.wal_kib),
                static_cast<long long>(s.sst_kib));
  }
  std::printf("\n");
  json->Add("soak_seconds", r.seconds);
  json->Add("soak_rate", r.rate);
  if (r.measured_max_rate > 0) json->Add("soak_probed_max_rate", r.measured_max_rate);
  json->Add("soak_sends", r.sends);
  json->Add("soak_sends_ok", r.sends_ok);
  json->Add("soak_errors", r.errors);
  json->Add("soak_late_sends", r.late_sends);
  json->Add("soak_p50_ms", r.p50_ms);
  json->Add("soak_p99_ms", r.p99_ms);
  json->Add("soak_rss_before_load_kib", r.rss_before_load_kib);
  json->Add("soak_rss_start_kib", r.rss_start_kib);
  json->Add("soak_rss_end_kib", r.rss_end_kib);
  json->Add("soak_rss_max_kib", r.rss_max_kib);
  json->Add("soak_rss_growth_pct", growth);
  // RSS falls of more than 10% between samples: memtable flushes, usually.
  int64_t drops = 0;
  for (size_t i = 1; i < r.samples.size(); ++i) {
    if (r.samples[i].rss_kib * 10 < r.samples[i - 1].rss_kib * 9) ++drops;
  }
  json->Add("soak_rss_drops", drops);
  if (!r.samples.empty()) {
    json->Add("soak_wal_end_kib", r.samples.back().wal_kib);
    json->Add("soak_sst_end_kib", r.samples.back().sst_kib);
  }
  // The soak has no pass threshold of its own: errors fail it, memory is
  // for the reader (and the JSON) to judge.
  return r.errors == 0 ? 0 : 1;
}

int RunAttackLoadMode(const Flags& flags, JsonFields* json) {
  AttackLoadOptions options;
  options.rounds = flags.attack_rounds;
  options.phase = std::chrono::seconds(flags.attack_seconds);
  options.idle_connections = flags.idle_connections;
  if (!flags.attacks.empty()) options.attacks = flags.attacks;
  options.attacker_nice = flags.attacker_nice;
  AttackLoadResult r;
  if (!RunAttackLoad(options, &r)) return 2;
  std::printf(
      "attack load: %d honest clients at %.0f sends/s each, a login every %.1f s; %d rounds, "
      "%lld s phases; attackers at nice %d\n"
      "attack load: phase | sends p50/p99 ms (x quiet) | logins p50/p99 ms (x quiet) | acks p99 "
      "ms (x quiet) | delivery p50/p99 ms | failures | server RSS max MiB, cores | bench cores\n",
      options.honest_clients, options.send_rate,
      static_cast<double>(options.login_every.count()) / 1000, options.rounds,
      static_cast<long long>(options.phase.count()), options.attacker_nice);
  auto line = [](const AttackPhase& p) {
    std::printf(
        "attack load: %-22s%s | %lld: %.2f/%.2f (%.2f) | %lld: %.2f/%.2f (%.2f) | %lld: %.2f "
        "(%.2f) "
        "| %.2f/%.2f | %lld | %.1f, %.2f | %.2f\n",
        p.name.c_str(), p.judged ? "" : " (not judged)", static_cast<long long>(p.sends),
        p.send_p50_ms, p.send_p99_ms, p.send_p99_ratio, static_cast<long long>(p.logins),
        p.login_p50_ms, p.login_p99_ms, p.login_p99_ratio, static_cast<long long>(p.acks),
        p.ack_p99_ms, p.ack_p99_ratio, p.delivery_p50_ms, p.delivery_p99_ms,
        static_cast<long long>(p.failures), static_cast<double>(p.server_rss_max_kib) / 1024,
        p.server_cores, p.bench_cores);
  };
  line(r.quiet);
  for (const AttackPhase& p : r.attacks) line(p);
  for (const AttackPhase& p : r.attacks) {
    std::printf("attack load: %s: the attack got %s\n", p.name.c_str(), p.attack.c_str());
  }
  for (const AttackPhase* p : {&r.quiet}) {
    if (p->failures > 0)
      std::printf("attack load: %s: honest %s\n", p->name.c_str(), p->failure_codes.c_str());
  }
  for (const AttackPhase& p : r.attacks) {
    if (p.failures > 0)
      std::printf("attack load: %s: honest %s\n", p.name.c_str(), p.failure_codes.c_str());
  }
  std::printf("attack load: honest calls over the whole run: %s (%lld failed)\nattack load: %s\n",
              r.honest_failure_codes.c_str(), static_cast<long long>(r.honest_failures),
              r.Passed() ? "PASS" : "FAIL");
  json->Add("attack_rounds", static_cast<int64_t>(options.rounds));
  json->Add("attack_phase_seconds", static_cast<int64_t>(options.phase.count()));
  json->Add("attack_honest_clients", static_cast<int64_t>(options.honest_clients));
  json->Add("attack_honest_send_rate", options.send_rate);
  json->Add("attack_idle_connections", static_cast<int64_t>(options.idle_connections));
  json->Add("attack_idle_connects_per_second",
            static_cast<int64_t>(options.idle_connects_per_second));
  json->Add("attack_attacker_nice", static_cast<int64_t>(options.attacker_nice));
  auto fields = [&](const std::string& key, const AttackPhase& p, bool ratios) {
    const std::string k = "attack_" + key + "_";
    json->Add(k + "sends", p.sends);
    json->Add(k + "send_p50_ms", p.send_p50_ms);
    json->Add(k + "send_p99_ms", p.send_p99_ms);
    json->Add(k + "logins", p.logins);
    json->Add(k + "login_p50_ms", p.login_p50_ms);
    json->Add(k + "login_p99_ms", p.login_p99_ms);
    json->Add(k + "acks", p.acks);
    json->Add(k + "ack_p99_ms", p.ack_p99_ms);
    json->Add(k + "delivery_p50_ms", p.delivery_p50_ms);
    json->Add(k + "delivery_p99_ms", p.delivery_p99_ms);
    json->Add(k + "failures", p.failures);
    json->Add(k + "server_rss_max_kib", p.server_rss_max_kib);
    json->Add(k + "server_cores", p.server_cores);
    json->Add(k + "bench_cores", p.bench_cores);
    if (ratios) {
      json->Add(k + "send_p99_ratio", p.send_p99_ratio);
      json->Add(k + "login_p99_ratio", p.login_p99_ratio);
      json->Add(k + "ack_p99_ratio", p.ack_p99_ratio);
    }
  };
  fields("quiet", r.quiet, false);
  for (const AttackPhase& p : r.attacks) fields(p.key, p, true);
  json->Add("attack_honest_failures", r.honest_failures);
  json->Add("attack_passed", r.Passed());
  return r.Passed() ? 0 : 1;
}

}  // namespace
}  // namespace securebase::bench

int main(int argc, char** argv) {
  using namespace securebase::bench;
  // An attack's own process, started by --attack-load (attacks.h).
  if (argc == 4 && std::string(argv[1]) == "--attacker")
    return RunAttackerProcess(argv[2], argv[3]);
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &error)) return Usage(error);
  JsonFields json;
  json.Add("machine_cpus", static_cast<int64_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
  json.Add("machine_loadavg_start", LoadAverage());
  int status = 0;
  auto merge = [&](int mode_status) { status = std::max(status, mode_status); };
  if (flags.fairness) merge(RunFairnessMode(flags, &json));
  if (flags.crash_cycles > 0) merge(RunCrashMode(flags, &json));
  if (flags.soak_seconds > 0) merge(RunSoakMode(flags, &json));
  if (flags.attack_load) merge(RunAttackLoadMode(flags, &json));
  json.Add("machine_loadavg_end", LoadAverage());
  if (!flags.json.empty()) {
    std::ofstream out(flags.json);
    out << json.ToString();
    if (!out) {
      std::cerr << "securebase_faults: cannot write " << flags.json << "\n";
      return 2;
    }
  }
  return status;
}
