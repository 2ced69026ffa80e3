// client_sync_bench (issue 5): the time a device takes to sync a backlog of
// queued messages, relative to the bare Double Ratchet decrypt rate.
//
// What runs:
//   - the real securebase-server binary as a child process on loopback with a
//     temp data dir (tests/server/integration/harness ServerProcess), with the
//     default --sync-writes=true; only the per-account rate limit is raised,
//     because the sender's 10,000 sends would otherwise be throttled to 50/s
//     (abuse control, not what is measured);
//   - two real library clients (securebase::client::Client) with vaults in
//     temp homes, Argon2id at the minimum-for-tests cost (as the e2e tests);
//   - a therapist (the receiver) and a client (the sender) linked with an
//     invite, one message each way (so the backlog is ordinary ratchet
//     messages, as in a conversation under way, not first-contact ones);
//   - both clients keep their vaults open (ClientOptions::vault_access
//     kExclusive), as an app that stays running does; the bench reaches them
//     through the public API only (client.h, options.h);
//   - the sender queues --messages texts of --text-bytes bytes each with
//     SendText() while the receiver is not syncing. Each is the library's
//     whole send;
//   - timed: the receiver's Sync() until a sync brings nothing (each sync:
//     fetch, decrypt, vault commit, acknowledge, delivered receipts); then
//     History() must hold every message, byte for byte;
//   - in the same process, the floor: crypto::Session decrypting the same
//     number of messages of the same plaintext size (the serialized content
//     the library encrypts) in one chain, all encrypted up front, only the
//     decrypts timed.
//
// Output: a table on stderr; with --json FILE a flat JSON object
// (client_sync_messages, client_sync_seconds, client_sync_msgs_per_s,
// ratchet_decrypt_msgs_per_s, client_sync_vs_ratchet_ratio, plaintext_bytes
// and a few diagnostics). Target: client_sync_vs_ratchet_ratio >= 0.5.
//
// Exit status: 0 when the run completed and verified (whether or not the
// target is met), 1 on any failure, 2 on a usage error.
//
// Profiling: under callgrind only the two measured parts are instrumented
// (RunTimedSync and RunRatchetDecrypts, each a function of its own), e.g.
//   valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=cg.out
//       build/bench/client/client_sync_bench --messages 2000   (one line)
//   callgrind_annotate --inclusive=yes cg.out | grep -E "RunTimedSync|RunRatchetDecrypts"
#include <dirent.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "bench/common/measure.h"
#include "securebase/client/client.h"
#include "securebase/client/content.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/x3dh.h"
#include "securebase/v1/content.pb.h"
#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/server_process.h"

// Instruction counts of the measured parts only: under valgrind --tool=callgrind
// --instr-atstart=no just RunTimedSync and RunRatchetDecrypts are instrumented.
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define SB_BENCH_INSTRUMENT_ON() CALLGRIND_START_INSTRUMENTATION
#define SB_BENCH_INSTRUMENT_OFF() CALLGRIND_STOP_INSTRUMENTATION
#else
#define SB_BENCH_INSTRUMENT_ON() ((void)0)
#define SB_BENCH_INSTRUMENT_OFF() ((void)0)
#endif

namespace {

namespace sc = ::securebase::client;
namespace cr = ::securebase::crypto;
namespace it = ::securebase::integration;
using Clock = std::chrono::steady_clock;

constexpr char kPassphrase[] = "client sync bench passphrase";

struct Args {
  size_t messages = 10000;
  size_t text_bytes = 400;
  std::string json_path;
  // --pin: the server's threads on one CPU, this process's on the others, so
  // that the two do not take turns on the same core (see PinThreads).
  bool pin = false;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "client_sync_bench: %s\n"
               "usage: client_sync_bench [--messages N] [--text-bytes B] [--pin] [--json FILE]\n",
               why);
  std::exit(2);
}

Args ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + arg).c_str());
      return argv[++i];
    };
    auto number = [&](size_t min, size_t max) -> size_t {
      const std::string v = value();
      char* end = nullptr;
      unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < min || n > max) {
        Usage(("bad value for " + arg).c_str());
      }
      return static_cast<size_t>(n);
    };
    if (arg == "--messages") {
      args.messages = number(1, 1000000);
    } else if (arg == "--text-bytes") {
      args.text_bytes = number(16, 60000);
    } else if (arg == "--pin") {
      args.pin = true;
    } else if (arg == "--json") {
      args.json_path = value();
    } else {
      Usage(("unknown argument " + arg).c_str());
    }
  }
  return args;
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "client_sync_bench: FAILED: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(sc::Result<T> result, const char* what) {
  if (!result.ok()) Fail(std::string(what) + ": " + result.status().message());
  return std::move(result).value();
}
template <typename T>
T MustCrypto(cr::Result<T> result, const char* what) {
  if (!result.ok()) Fail(std::string(what) + ": " + result.status().message());
  return std::move(result).value();
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/sb-client-bench-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) Fail("mkdtemp");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A realistic message: sentences of a between-session note, numbered so every
// message differs, cut to exactly `bytes` bytes of ASCII.
std::string MessageText(size_t index, size_t bytes) {
  static constexpr const char* kSentences[] = {
      "This week was harder than I expected. ",
      "The meeting on Tuesday went better than I feared, but afterwards I kept replaying it. ",
      "I tried the breathing exercise twice; the second time it helped a little. ",
      "Sleep is still broken, I wake up around four and cannot settle again. ",
      "I noticed the thought that everyone is disappointed in me and wrote it down. ",
      "My sister called and we talked for an hour, which felt good. ",
      "Could we spend some time next session on what happened with my manager? ",
  };
  std::string text = "[";
  text += std::to_string(index);
  text += "] ";
  for (size_t s = index; text.size() < bytes; ++s) {
    text += kSentences[s % (sizeof(kSentences) / sizeof(kSentences[0]))];
  }
  text.resize(bytes);
  return text;
}

sc::ClientOptions Options(const std::string& home, const std::string& address) {
  sc::ClientOptions options;
  options.home = home;
  options.server_address = address;
  options.insecure_loopback = true;
  options.rpc_timeout = std::chrono::milliseconds(30000);
  options.lock_timeout = std::chrono::milliseconds(30000);
  options.passphrase_cost = sc::PassphraseCost::kMinimumForTests;
  // An app that stays running keeps its vault open (client.h), as both
  // devices here do.
  options.vault_access = sc::VaultAccess::kExclusive;
  return options;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time and scheduling of this process (all threads), and of the thread
// that calls Sync (the pipeline's critical path: fetches, sealing, log syncs
// and acknowledgements run on threads of their own).
struct CpuUsage {
  double user_seconds = 0;
  double sys_seconds = 0;
  double calling_thread_seconds = 0;
  long minor_faults = 0;
  long voluntary_switches = 0;
  long involuntary_switches = 0;

  static CpuUsage Now() {
    CpuUsage usage;
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    usage.user_seconds = static_cast<double>(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec * 1e-6;
    usage.sys_seconds = static_cast<double>(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec * 1e-6;
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    usage.calling_thread_seconds =
        static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    usage.minor_faults = ru.ru_minflt;
    usage.voluntary_switches = ru.ru_nvcsw;
    usage.involuntary_switches = ru.ru_nivcsw;
    return usage;
  }
  CpuUsage operator-(const CpuUsage& before) const {
    CpuUsage d;
    d.user_seconds = user_seconds - before.user_seconds;
    d.sys_seconds = sys_seconds - before.sys_seconds;
    d.calling_thread_seconds = calling_thread_seconds - before.calling_thread_seconds;
    d.minor_faults = minor_faults - before.minor_faults;
    d.voluntary_switches = voluntary_switches - before.voluntary_switches;
    d.involuntary_switches = involuntary_switches - before.involuntary_switches;
    return d;
  }
  double seconds() const { return user_seconds + sys_seconds; }
};

struct SyncFigures {
  size_t items = 0;
  size_t envelopes = 0;
  size_t syncs = 0;
  double seconds = 0;
  CpuUsage cpu;  // This process during the sync.
};

// CPU seconds (user + system, all threads) of another process; -1 if unknown.
double ProcessCpuSeconds(pid_t pid) {
  const int64_t micros = it::ProcessCpuMicros(pid);
  return micros < 0 ? -1 : static_cast<double>(micros) * 1e-6;
}

// With SB_BENCH_PERF_CONTROL=FIFO (the control fifo of `perf record -D -1
// --control fifo:FIFO`), perf samples only the timed sync:
//   mkfifo /tmp/ctl && SB_BENCH_PERF_CONTROL=/tmp/ctl perf record -e cpu-clock -D -1
//       --control fifo:/tmp/ctl -- build-release/bench/client/client_sync_bench   (one line)
void PerfControl(const char* command) {
  static std::ofstream* const fifo = [] {
    const char* path = std::getenv("SB_BENCH_PERF_CONTROL");
    return path != nullptr ? new std::ofstream(path) : nullptr;
  }();
  if (fifo != nullptr) *fifo << command << std::endl;
}

// Moves every thread of `pid` onto `cpus` (threads it starts later inherit
// the mask of the thread that starts them). False if the kernel refused.
bool PinThreads(pid_t pid, const cpu_set_t& cpus) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* tasks = ::opendir(dir.c_str());
  if (tasks == nullptr) return false;
  bool all = true;
  while (const dirent* task = ::readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    const pid_t tid = static_cast<pid_t>(std::strtol(task->d_name, nullptr, 10));
    all = ::sched_setaffinity(tid, sizeof(cpus), &cpus) == 0 && all;
  }
  ::closedir(tasks);
  return all;
}

// --pin: the server on the last CPU this process may use, this process on
// the others. Returns a description for the table, or fails.
std::string PinServerAndSelf(pid_t server) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || CPU_COUNT(&allowed) < 2) {
    Fail("--pin needs at least two CPUs");
  }
  int last = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) last = cpu;
  }
  cpu_set_t server_cpus;
  CPU_ZERO(&server_cpus);
  CPU_SET(last, &server_cpus);
  cpu_set_t own_cpus = allowed;
  CPU_CLR(last, &own_cpus);
  if (!PinThreads(server, server_cpus) || !PinThreads(::getpid(), own_cpus)) {
    Fail("cannot pin the threads (sched_setaffinity)");
  }
  return "server on CPU " + std::to_string(last) + ", bench on the other " +
         std::to_string(CPU_COUNT(&own_cpus));
}

// The measured part: Sync() until a sync brings nothing. Not inlined, so
// callgrind can collect exactly this (--toggle-collect='*RunTimedSync*').
__attribute__((noinline)) SyncFigures RunTimedSync(sc::Client& receiver) {
  SyncFigures figures;
  PerfControl("enable");
  SB_BENCH_INSTRUMENT_ON();
  const CpuUsage cpu_start = CpuUsage::Now();
  const Clock::time_point start = Clock::now();
  for (;;) {
    sc::SyncResult synced = Must(receiver.Sync(), "receiver Sync");
    ++figures.syncs;
    figures.items += synced.new_items.size();
    figures.envelopes += synced.envelopes;
    if (synced.envelopes == 0) break;
  }
  figures.seconds = Seconds(Clock::now() - start);
  figures.cpu = CpuUsage::Now() - cpu_start;
  SB_BENCH_INSTRUMENT_OFF();
  PerfControl("disable");
  return figures;
}

// The floor's measured part; returns the decrypted bytes.
__attribute__((noinline)) size_t RunRatchetDecrypts(cr::Session& receiver,
                                                    const std::vector<cr::Bytes>& messages,
                                                    double* seconds, double* cpu_seconds) {
  cr::RandomSource& rng = cr::SystemRandom();
  size_t total = 0;
  SB_BENCH_INSTRUMENT_ON();
  const CpuUsage cpu_start = CpuUsage::Now();
  const Clock::time_point start = Clock::now();
  for (const cr::Bytes& message : messages) {
    cr::Result<cr::SecretBytes> decrypted = receiver.Decrypt(message, rng);
    if (!decrypted.ok()) Fail("ratchet Decrypt: " + decrypted.status().message());
    total += decrypted->size();
  }
  *seconds = Seconds(Clock::now() - start);
  *cpu_seconds = (CpuUsage::Now() - cpu_start).seconds();
  SB_BENCH_INSTRUMENT_OFF();
  return total;
}

// The floor: one chain, `count` messages encrypted up front (plus the reply
// that makes the sender's messages ratchet messages, as in a conversation);
// only Session::Decrypt is timed.
struct RatchetFigures {
  double msgs_per_s = 0;
  double cpu_seconds = 0;
};
RatchetFigures RatchetDecryptRate(size_t count, size_t plaintext_bytes) {
  cr::RandomSource& rng = cr::SystemRandom();
  cr::IdentityKeyPair alice_id = cr::IdentityKeyPair::Generate(rng);
  cr::IdentityKeyPair bob_id = cr::IdentityKeyPair::Generate(rng);
  cr::SignedPreKey bob_spk = cr::SignedPreKey::Generate(bob_id, 1, rng);
  cr::OneTimePreKey bob_otk = cr::OneTimePreKey::Generate(1, rng);
  cr::PreKeyBundle bundle = cr::MakePreKeyBundle(bob_id, bob_spk, &bob_otk);
  const std::vector<uint8_t> plaintext(plaintext_bytes, 0x5a);

  cr::Session alice = MustCrypto(cr::Session::Initiate(alice_id, bundle, rng), "Initiate");
  cr::Bytes first = MustCrypto(alice.Encrypt(plaintext, rng), "Encrypt");
  cr::Session::Accepted accepted =
      MustCrypto(cr::Session::Accept(bob_id, bob_spk, &bob_otk, first, rng), "Accept");
  cr::Session bob = std::move(accepted.session);
  cr::Bytes reply = MustCrypto(bob.Encrypt(plaintext, rng), "Encrypt");
  MustCrypto(alice.Decrypt(reply, rng), "Decrypt reply");

  std::vector<cr::Bytes> messages;
  messages.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    messages.push_back(MustCrypto(alice.Encrypt(plaintext, rng), "Encrypt"));
  }
  double seconds = 0;
  RatchetFigures figures;
  const size_t total = RunRatchetDecrypts(bob, messages, &seconds, &figures.cpu_seconds);
  if (total != count * plaintext_bytes) Fail("ratchet decrypted the wrong sizes");
  figures.msgs_per_s = static_cast<double>(count) / seconds;
  return figures;
}

// The plaintext the library encrypts for one text: the serialized content
// (16-byte message id, the sender's clock, the text), built as the library's
// content codec builds it.
size_t ContentPlaintextBytes(const std::string& text) {
  securebase::content::v1::Content content;
  content.set_message_id(std::string(16, '\x5a'));
  content.set_sent_at_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  content.mutable_text()->set_body(text);
  return content.ByteSizeLong();
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  const Clock::time_point run_start = Clock::now();
  TempDir temp;

  it::ServerOptions server_options =
      it::WithFlags({"--rate-limit-rps=1000000", "--rate-limit-burst=1000000"});
  it::ServerProcess server(server_options);
  if (::testing::AssertionResult started = server.Start(); !started) {
    Fail(std::string("server did not start: ") + started.message());
  }
  const std::string placement = args.pin ? PinServerAndSelf(server.pid()) : "not pinned";

  // --- setup: two accounts, one link.
  auto therapist = Must(sc::Client::Create(Options(temp.Sub("therapist"), server.address()),
                                           kPassphrase, sc::Role::kTherapist, "Dr Rivera"),
                        "Create therapist");
  auto client = Must(sc::Client::Create(Options(temp.Sub("client"), server.address()), kPassphrase,
                                        sc::Role::kClient, "Sam"),
                     "Create client");
  const std::string code = Must(therapist->CreateInvite(std::chrono::hours(1)), "CreateInvite");
  Must(client->AcceptInvite(code), "AcceptInvite");
  Must(therapist->Sync(), "therapist first Sync");  // Learns the client and its name.
  Must(therapist->SendText(client->user_id(), "Welcome, Sam. Write whenever you like."),
       "therapist SendText");
  Must(client->Sync(), "client Sync");  // The client's session has a reply now.
  Must(client->SendText(therapist->user_id(), "Thank you."), "client SendText");
  Must(therapist->Sync(), "therapist second Sync");

  // --- the backlog: the client writes while the therapist is away. Each
  // SendText is the library's whole send (encrypt, commit the session and the
  // outbox, send, clear the outbox entry).
  const Clock::time_point send_start = Clock::now();
  for (size_t i = 0; i < args.messages; ++i) {
    Must(client->SendText(therapist->user_id(), MessageText(i, args.text_bytes)), "SendText");
  }
  const double send_seconds = Seconds(Clock::now() - send_start);

  // --- measured: the therapist's device syncs the backlog.
  const double load_before = securebase::bench::LoadAverage();
  const double server_before = ProcessCpuSeconds(server.pid());
  const SyncFigures sync = RunTimedSync(*therapist);
  const double server_cpu = ProcessCpuSeconds(server.pid()) - server_before;

  // --- verified: every message arrived once, byte for byte.
  std::vector<sc::HistoryItem> history =
      Must(therapist->History(client->user_id()), "therapist History");
  size_t texts = 0;
  for (const sc::HistoryItem& item : history) {
    const auto* text = std::get_if<sc::TextMessage>(&item.content);
    if (item.direction != sc::Direction::kIncoming || text == nullptr) continue;
    if (text->body.empty() || text->body[0] != '[') continue;  // Not from the backlog.
    const size_t index = std::strtoull(text->body.c_str() + 1, nullptr, 10);
    if (index != texts || text->body != MessageText(index, args.text_bytes)) {
      Fail("message " + std::to_string(texts) + " is missing, duplicated or altered");
    }
    ++texts;
  }
  if (texts != args.messages) {
    Fail("the receiver has " + std::to_string(texts) + " of " + std::to_string(args.messages) +
         " messages");
  }
  if (sync.items != args.messages) {
    Fail("Sync reported " + std::to_string(sync.items) + " new items, expected " +
         std::to_string(args.messages));
  }

  // --- the floor, in the same process.
  const size_t plaintext_bytes = ContentPlaintextBytes(MessageText(0, args.text_bytes));
  const RatchetFigures ratchet = RatchetDecryptRate(args.messages, plaintext_bytes);
  const double load_after = securebase::bench::LoadAverage();

  const double sync_rate = static_cast<double>(args.messages) / sync.seconds;
  const double ratio = sync_rate / ratchet.msgs_per_s;
  // The same ratio in CPU time, which other work on the machine does not
  // stretch: messages per CPU second, the sync's (this process, all
  // threads) against the floor's; and with the server's CPU counted too.
  const double cpu_ratio = ratchet.cpu_seconds / sync.cpu.seconds();
  const double cpu_ratio_with_server = ratchet.cpu_seconds / (sync.cpu.seconds() + server_cpu);
  const double total_seconds = Seconds(Clock::now() - run_start);

  std::fprintf(
      stderr,
      "client_sync_bench: %zu messages of %zu text bytes (%zu plaintext bytes), %s, "
      "load average %.2f before the sync, %.2f after the floor\n"
      "| measure | value |\n|---|---|\n"
      "| setup: sender SendText | %.2f s (%.0f msg/s) |\n"
      "| client sync (fetch, decrypt, vault commit, ack) | %.3f s in %zu Sync() calls, "
      "%zu envelopes |\n"
      "| of which CPU: this process, user + sys | %.3f + %.3f s (the Sync() caller's thread "
      "%.3f s) |\n"
      "| of which CPU: the server | %.3f s |\n"
      "| this process: minor faults, voluntary / involuntary switches | %ld, %ld / %ld |\n"
      "| client sync rate | %.0f msg/s |\n"
      "| bare ratchet decrypt rate | %.0f msg/s (CPU %.3f s) |\n"
      "| client sync / ratchet decrypt | %.3f (target >= 0.5: %s) |\n"
      "| in CPU time: client / ratchet, client + server / ratchet | %.3f, %.3f |\n"
      "| whole run | %.1f s |\n",
      args.messages, args.text_bytes, plaintext_bytes, placement.c_str(), load_before, load_after,
      send_seconds, static_cast<double>(args.messages) / send_seconds, sync.seconds, sync.syncs,
      sync.envelopes, sync.cpu.user_seconds, sync.cpu.sys_seconds, sync.cpu.calling_thread_seconds,
      server_cpu, sync.cpu.minor_faults, sync.cpu.voluntary_switches, sync.cpu.involuntary_switches,
      sync_rate, ratchet.msgs_per_s, ratchet.cpu_seconds, ratio, ratio >= 0.5 ? "met" : "NOT met",
      cpu_ratio, cpu_ratio_with_server, total_seconds);

  if (!args.json_path.empty()) {
    std::ofstream out(args.json_path, std::ios::trunc);
    char buffer[2048];
    std::snprintf(
        buffer, sizeof(buffer),
        "{\"client_sync_messages\": %zu, \"client_sync_seconds\": %.6f, "
        "\"client_sync_msgs_per_s\": %.1f, \"ratchet_decrypt_msgs_per_s\": %.1f, "
        "\"client_sync_vs_ratchet_ratio\": %.4f, \"plaintext_bytes\": %zu, "
        "\"text_bytes\": %zu, \"client_sync_calls\": %zu, "
        "\"client_sync_cpu_seconds\": %.3f, \"client_sync_user_seconds\": %.3f, "
        "\"client_sync_sys_seconds\": %.3f, \"client_sync_caller_thread_cpu_seconds\": %.3f, "
        "\"server_cpu_seconds_during_sync\": %.3f, \"ratchet_decrypt_cpu_seconds\": %.3f, "
        "\"client_sync_vs_ratchet_cpu_ratio\": %.4f, "
        "\"client_and_server_vs_ratchet_cpu_ratio\": %.4f, \"pinned\": %s, "
        "\"load_average_before\": %.2f, \"load_average_after\": %.2f, "
        "\"setup_send_seconds\": %.3f, \"run_seconds\": %.1f}\n",
        args.messages, sync.seconds, sync_rate, ratchet.msgs_per_s, ratio, plaintext_bytes,
        args.text_bytes, sync.syncs, sync.cpu.seconds(), sync.cpu.user_seconds,
        sync.cpu.sys_seconds, sync.cpu.calling_thread_seconds, server_cpu, ratchet.cpu_seconds,
        cpu_ratio, cpu_ratio_with_server, args.pin ? "true" : "false", load_before, load_after,
        send_seconds, total_seconds);
    out << buffer;
    if (!out.flush()) Fail("cannot write " + args.json_path);
  }

  if (::testing::AssertionResult stopped = server.Stop(); !stopped) {
    Fail(std::string("server did not stop cleanly: ") + stopped.message());
  }
  return 0;
}
