// securebase_loadgen: the server load benchmark of scripts/bench.sh (see
// BENCHMARKS.md for what each figure means and the targets).
//
// It starts the real securebase-server and the bare gRPC echo server
// (bench_echo_server) as child processes on loopback, drives both with the
// same closed-loop generator on the callback API, and reports every server
// figure beside the echo figure of the same run:
//   throughput  sends/s, send latency and send -> delivery latency (therapist
//               devices subscribed and acknowledging), server CPU per send
//               and RSS; WAL sync on and off; echo QPS, latency, CPU per RPC.
//   idle        server RSS growth per idle subscribed stream.
//   storage     bytes on disk per stored envelope after compaction.
// Accounts are real (registered, logged in, linked); ciphertexts are real
// Double Ratchet messages prepared before the clock starts.
//
// Flags (defaults in Options): --json FILE, --seconds S, --warmup S,
// --therapists N, --clients N, --concurrency N, --latency-concurrency N,
// --channels N, --messages-per-client N, --plaintext-bytes N,
// --idle-streams N, --storage-envelopes N, --only throughput,idle,storage.
// Prints the figures as one flat JSON object; exits 1 if any call failed.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/measure.h"
#include "bench/load/closed_loop.h"
#include "bench/load/workload.h"
#include "securebase/bench/echo.grpc.pb.h"
#include "securebase/crypto/random.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"

namespace securebase::bench {
namespace {

using std::chrono::milliseconds;
using integration::ServerOptions;
using integration::ServerProcess;

struct Options {
  double warmup_seconds = 2;
  double seconds = 8;
  size_t therapists = 32;
  size_t clients = 1024;
  size_t concurrency = 64;
  size_t latency_concurrency = 16;
  size_t channels = 4;
  size_t messages_per_client = 64;
  size_t plaintext_bytes = 600;
  size_t idle_streams = 10000;
  size_t storage_envelopes = 10000;
  std::set<std::string> phases = {"throughput", "idle", "storage"};
  std::string json_path;
  std::string echo_binary = SECUREBASE_BENCH_ECHO_SERVER;
};

// Figures, in the order they were measured; written as one flat JSON object.
class Report {
 public:
  void Add(const std::string& name, double value) { figures_.emplace_back(name, value); }
  std::string Json() const {
    std::ostringstream out;
    out << "{\n";
    for (size_t i = 0; i < figures_.size(); ++i) {
      char number[64];
      std::snprintf(number, sizeof(number), "%.6g", figures_[i].second);
      out << "  \"" << figures_[i].first << "\": " << number
          << (i + 1 < figures_.size() ? ",\n" : "\n");
    }
    out << "}\n";
    return out.str();
  }
  double Get(const std::string& name) const {
    for (const auto& [key, value] : figures_) {
      if (key == name) return value;
    }
    return 0;
  }

 private:
  std::vector<std::pair<std::string, double>> figures_;
};

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "securebase_loadgen: " << what << std::endl;
  std::exit(1);
}

void Check(const ::testing::AssertionResult& result, const std::string& what) {
  if (!result) Fail(what + ": " + result.message());
}

void CheckEmpty(const std::string& error, const std::string& what) {
  if (!error.empty()) Fail(what + ": " + error);
}

milliseconds Millis(double seconds) { return milliseconds(static_cast<int64_t>(seconds * 1000)); }

std::string Codes(const LoopResult& result) {
  std::string out;
  for (const auto& [code, count] : result.errors) {
    out += (out.empty() ? "" : ", ") + integration::CodeName(code) + " x" + std::to_string(count);
  }
  return out;
}

void Log(const std::string& line) { std::cerr << "[loadgen] " << line << std::endl; }

// ---- echo ------------------------------------------------------------------

struct EchoCall {
  grpc::ClientContext context;
  bench::EchoMessage request;
  bench::EchoMessage response;
};

LoopResult RunEcho(ServerProcess& echo, const std::string& payload, size_t concurrency,
                   const Options& options) {
  auto channels = OpenChannels(echo.address(), options.channels);
  std::vector<std::unique_ptr<bench::Echo::Stub>> stubs;
  for (auto& channel : channels) stubs.push_back(bench::Echo::NewStub(channel));
  Issue issue = [&](size_t slot, Done done) {
    auto* call = new EchoCall;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    call->request.set_payload(payload);
    stubs[slot % stubs.size()]->async()->Echo(
        &call->context, &call->request, &call->response, [call, done](grpc::Status status) {
          delete call;
          done(status.error_code());
        });
  };
  return RunClosedLoop(concurrency, Millis(options.warmup_seconds), Millis(options.seconds),
                       echo.pid(), issue);
}

// ---- sends -------------------------------------------------------------------

struct SendCall {
  grpc::ClientContext context;
  v1::SendRequest request;
  v1::SendResponse response;
};

struct SendRun {
  LoopResult sends;
  std::vector<int64_t> delivery_ns;  // Send start -> arrival on the stream.
  uint64_t delivered = 0;            // Envelopes of the window that arrived.
};

// Drives sends from every client to its therapist while every therapist
// device is subscribed and acknowledges what arrived every 100 ms (as a
// client app committing a page would). `acked` carries each therapist's
// acknowledged seq from run to run.
SendRun RunSends(ServerProcess& server, const Practice& practice, const CiphertextPool& pool,
                 size_t concurrency, const Options& options, std::vector<uint64_t>& acked) {
  auto channels = OpenChannels(server.address(), options.channels);
  std::vector<std::unique_ptr<v1::Messages::Stub>> stubs;
  for (auto& channel : channels) stubs.push_back(v1::Messages::NewStub(channel));

  std::vector<std::atomic<int64_t>> send_start(pool.size());
  std::atomic<int64_t> window_start{INT64_MAX};
  std::atomic<int64_t> window_end{INT64_MAX};
  std::mutex delivery_mu;
  SendRun run;

  std::vector<std::unique_ptr<Listener>> listeners;
  for (size_t t = 0; t < practice.therapists.size(); ++t) {
    listeners.push_back(std::make_unique<Listener>(
        *stubs[t % stubs.size()], practice.therapists[t]->token(0), acked[t],
        [&](const v1::Envelope& envelope) {
          int64_t arrived = NowNanos();
          int64_t index = pool.Find(envelope.ciphertext());
          if (index < 0) return;
          int64_t started = send_start[index].load(std::memory_order_acquire);
          if (started < window_start.load() || started > window_end.load()) return;
          std::lock_guard<std::mutex> lock(delivery_mu);
          run.delivery_ns.push_back(arrived - started);
        }));
  }
  for (auto& listener : listeners) {
    if (!listener->WaitReady(milliseconds(30000))) {
      Fail("Subscribe did not start: " + integration::StatusString(listener->status()));
    }
  }

  std::atomic<bool> stop_acks{false};
  auto acknowledge_all = [&] {
    for (size_t t = 0; t < listeners.size(); ++t) {
      uint64_t seq = listeners[t]->last_seq();
      if (seq <= acked[t]) continue;
      grpc::ClientContext context;
      context.AddMetadata("authorization", Bearer(practice.therapists[t]->token(0)));
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      v1::AcknowledgeRequest request;
      request.set_up_to_seq(seq);
      v1::AcknowledgeResponse response;
      grpc::Status status = stubs[t % stubs.size()]->Acknowledge(&context, request, &response);
      if (!status.ok()) Fail("Acknowledge: " + integration::StatusString(status));
      acked[t] = seq;
    }
  };
  std::thread acker([&] {
    while (!stop_acks.load()) {
      acknowledge_all();
      std::this_thread::sleep_for(milliseconds(100));
    }
  });

  std::atomic<uint64_t> next_send{0};
  std::array<uint8_t, 8> run_id;
  crypto::SystemRandom().Fill(run_id);
  Issue issue = [&](size_t slot, Done done) {
    uint64_t n = next_send.fetch_add(1);
    size_t client_index = n % practice.clients.size();
    const TestAccount& client = *practice.clients[client_index];
    const TestAccount& therapist = practice.TherapistOf(client_index);
    uint32_t index = pool.IndexOf(client_index, n / practice.clients.size());
    auto* call = new SendCall;
    call->context.AddMetadata("authorization", Bearer(client.token(0)));
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    call->request.set_recipient_user_id(therapist.user_id());
    std::string id(reinterpret_cast<const char*>(run_id.data()), run_id.size());
    for (int b = 0; b < 8; ++b) id.push_back(static_cast<char>(n >> (8 * b)));
    call->request.set_client_message_id(std::move(id));
    v1::OutgoingCiphertext* out = call->request.add_ciphertexts();
    *out->mutable_recipient() = therapist.address(0);
    out->set_ciphertext(pool.at(index));
    send_start[index].store(NowNanos(), std::memory_order_release);
    stubs[slot % stubs.size()]->async()->Send(
        &call->context, &call->request, &call->response, [call, done](grpc::Status status) {
          delete call;
          done(status.error_code());
        });
  };
  run.sends = RunClosedLoop(concurrency, Millis(options.warmup_seconds), Millis(options.seconds),
                            server.pid(), issue, [&](bool open) {
                              if (open) {
                                window_start = NowNanos();
                              } else {
                                window_end = NowNanos();
                              }
                            });

  // Let the last deliveries of the window arrive, then stop.
  auto wait_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  size_t expected = run.sends.ok;
  while (std::chrono::steady_clock::now() < wait_until) {
    {
      std::lock_guard<std::mutex> lock(delivery_mu);
      if (run.delivery_ns.size() >= expected) break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  stop_acks = true;
  acker.join();
  acknowledge_all();
  for (auto& listener : listeners) listener->Cancel();
  std::lock_guard<std::mutex> lock(delivery_mu);
  run.delivered = run.delivery_ns.size();
  return run;
}

void ReportEcho(Report& report, const std::string& prefix, LoopResult& echo) {
  report.Add(prefix + "_per_s", echo.per_second());
  report.Add(prefix + "_p50_ms", PercentileMs(echo.latencies_ns, 50));
  report.Add(prefix + "_p99_ms", PercentileMs(echo.latencies_ns, 99));
  report.Add(prefix + "_server_cpu_us", echo.cpu_us_per_call());
  report.Add(prefix + "_errors", static_cast<double>(echo.error_count()));
  if (echo.error_count() > 0) Log(prefix + " errors: " + Codes(echo));
}

void ReportSends(Report& report, const std::string& prefix, SendRun& run) {
  ReportEcho(report, prefix, run.sends);
  report.Add(prefix + "_server_rss_kib", static_cast<double>(run.sends.server_rss_kib));
  report.Add(prefix + "_delivery_p50_ms", PercentileMs(run.delivery_ns, 50));
  report.Add(prefix + "_delivery_p99_ms", PercentileMs(run.delivery_ns, 99));
  report.Add(prefix + "_delivered", static_cast<double>(run.delivered));
}

// The disk's floor under a synced send: appending 4 KiB to a file in the
// data dir's file system and fdatasync-ing it, as the WAL does.
std::vector<int64_t> FdatasyncLatencies(const std::string& dir, int count) {
  std::string path = dir + "/fsync-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) Fail("cannot create " + path);
  std::string block(4096, 'x');
  std::vector<int64_t> latencies;
  for (int i = 0; i < count; ++i) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      Fail("cannot write " + path);
    }
    int64_t start = NowNanos();
    if (::fdatasync(fd) != 0) Fail("fdatasync failed on " + path);
    latencies.push_back(NowNanos() - start);
  }
  ::close(fd);
  ::unlink(path.c_str());
  return latencies;
}

void Throughput(const Options& options, Report& report) {
  std::string root = integration::MakeTempDir("sb-bench-");
  std::vector<int64_t> fsyncs = FdatasyncLatencies(root, 200);
  report.Add("disk_fdatasync_p50_ms", PercentileMs(fsyncs, 50));
  report.Add("disk_fdatasync_p99_ms", PercentileMs(fsyncs, 99));
  ServerOptions server_options;
  server_options.data_dir = root + "/data";
  auto server = std::make_unique<ServerProcess>(server_options);
  Check(server->Start(), "start securebase-server");
  ServerOptions echo_options;
  echo_options.binary = options.echo_binary;
  ServerProcess echo(echo_options);
  Check(echo.Start(), "start bench_echo_server");

  Log("registering " + std::to_string(options.therapists) + " therapists and " +
      std::to_string(options.clients) + " clients");
  Practice practice;
  CheckEmpty(BuildPractice(std::make_shared<Api>(server->channel()), options.therapists,
                           options.clients, 4, 5, &practice),
             "setting up accounts");
  CiphertextPool pool;
  CheckEmpty(pool.Prepare(practice, options.messages_per_client, options.plaintext_bytes),
             "preparing ciphertexts");
  report.Add("ciphertext_bytes", static_cast<double>(pool.ciphertext_bytes()));
  std::string payload(pool.ciphertext_bytes(), '\0');
  crypto::SystemRandom().Fill(
      std::span<uint8_t>(reinterpret_cast<uint8_t*>(payload.data()), payload.size()));
  std::vector<uint64_t> acked(practice.therapists.size(), 0);

  size_t high = options.concurrency, low = options.latency_concurrency;
  std::string c_high = "_c" + std::to_string(high), c_low = "_c" + std::to_string(low);
  Log("echo at concurrency " + std::to_string(high));
  LoopResult echo_high = RunEcho(echo, payload, high, options);
  int64_t echo_rss =
      integration::ProcessMemoryKib(echo.pid(), integration::MemoryFigure::kResident);
  Log("sends (WAL sync on) at concurrency " + std::to_string(high) + ", server pid " +
      std::to_string(server->pid()));
  SendRun sync_high = RunSends(*server, practice, pool, high, options, acked);
  Log("echo at concurrency " + std::to_string(low));
  LoopResult echo_low = RunEcho(echo, payload, low, options);
  Log("sends (WAL sync on) at concurrency " + std::to_string(low));
  SendRun sync_low = RunSends(*server, practice, pool, low, options, acked);

  Check(server->Stop(), "stop securebase-server");
  server_options.flags = {"--sync-writes=false"};
  server = std::make_unique<ServerProcess>(server_options);
  Check(server->Start(), "restart securebase-server with --sync-writes=false");
  Log("sends (WAL sync off) at concurrency " + std::to_string(high));
  SendRun nosync_high = RunSends(*server, practice, pool, high, options, acked);
  Log("sends (WAL sync off) at concurrency " + std::to_string(low));
  SendRun nosync_low = RunSends(*server, practice, pool, low, options, acked);
  Check(server->Stop(), "stop securebase-server");
  Check(echo.Stop(), "stop bench_echo_server");

  ReportEcho(report, "echo" + c_high, echo_high);
  report.Add("echo_server_rss_kib", static_cast<double>(echo_rss));
  ReportEcho(report, "echo" + c_low, echo_low);
  ReportSends(report, "send_sync" + c_high, sync_high);
  ReportSends(report, "send_sync" + c_low, sync_low);
  ReportSends(report, "send_nosync" + c_high, nosync_high);
  ReportSends(report, "send_nosync" + c_low, nosync_low);
  report.Add("ratio_cpu_per_send_vs_echo",
             sync_high.sends.cpu_us_per_call() / echo_high.cpu_us_per_call());
  report.Add("ratio_sync_sends_vs_echo" + c_high,
             sync_high.sends.per_second() / echo_high.per_second());
  report.Add("ratio_nosync_sends_vs_echo" + c_high,
             nosync_high.sends.per_second() / echo_high.per_second());
  report.Add("ratio_delivery_p50_vs_echo_p50" + c_low,
             report.Get("send_sync" + c_low + "_delivery_p50_ms") /
                 report.Get("echo" + c_low + "_p50_ms"));
  // The same without WAL syncs: what the server adds beyond the disk.
  report.Add("ratio_nosync_delivery_p50_vs_echo_p50" + c_low,
             report.Get("send_nosync" + c_low + "_delivery_p50_ms") /
                 report.Get("echo" + c_low + "_p50_ms"));
  report.Add("ratio_nosync_cpu_per_send_vs_echo",
             nosync_high.sends.cpu_us_per_call() / echo_high.cpu_us_per_call());
  std::filesystem::remove_all(root);
}

// ---- idle streams --------------------------------------------------------------

void IdleStreams(const Options& options, Report& report) {
  ServerProcess server;
  Check(server.Start(), "start securebase-server");
  Log("registering " + std::to_string(options.idle_streams) + " devices for idle streams");
  std::vector<std::string> tokens;
  CheckEmpty(RegisterAccounts(std::make_shared<Api>(server.channel()), options.idle_streams, 4,
                              &tokens),
             "registering accounts");
  constexpr size_t kChannels = 8;
  auto channels = OpenChannels(server.address(), kChannels);
  std::vector<std::unique_ptr<v1::Messages::Stub>> stubs;
  for (auto& channel : channels) {
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      Fail("cannot connect to the server");
    }
    stubs.push_back(v1::Messages::NewStub(channel));
  }
  std::this_thread::sleep_for(milliseconds(1000));
  int64_t rss_before =
      integration::ProcessMemoryKib(server.pid(), integration::MemoryFigure::kResident);
  Log("opening " + std::to_string(options.idle_streams) + " streams");
  std::vector<std::unique_ptr<Listener>> listeners;
  for (size_t i = 0; i < tokens.size(); ++i) {
    listeners.push_back(std::make_unique<Listener>(*stubs[i % kChannels], tokens[i], 0, nullptr));
  }
  size_t ready = 0;
  for (auto& listener : listeners) ready += listener->WaitReady(milliseconds(60000)) ? 1 : 0;
  std::this_thread::sleep_for(milliseconds(1000));
  int64_t rss_after =
      integration::ProcessMemoryKib(server.pid(), integration::MemoryFigure::kResident);
  listeners.clear();
  Check(server.Stop(), "stop securebase-server");
  if (ready != tokens.size()) {
    Fail("only " + std::to_string(ready) + " of " + std::to_string(tokens.size()) +
         " streams started");
  }
  report.Add("idle_streams", static_cast<double>(ready));
  report.Add("idle_server_rss_before_kib", static_cast<double>(rss_before));
  report.Add("idle_server_rss_after_kib", static_cast<double>(rss_after));
  report.Add("idle_bytes_per_stream",
             static_cast<double>(rss_after - rss_before) * 1024.0 / static_cast<double>(ready));
}

// ---- storage -------------------------------------------------------------------

uint64_t CompactedSstBytes(const ServerProcess& server, uint64_t* envelopes) {
  integration::CommandResult result;
  Check(integration::RunCommand({integration::ServerBinary(), "stats", "--data-dir",
                                 server.data_dir(), "--compact"},
                                std::chrono::minutes(5), &result),
        "securebase-server stats");
  if (result.exit_code != 0) Fail("securebase-server stats --compact: " + result.stderr_text);
  const std::string text = "\n" + result.stdout_text;
  auto value_of = [&](const std::string& key) -> uint64_t {
    size_t at = text.find("\n" + key + " ");
    if (at == std::string::npos) Fail("no " + key + " in: " + text);
    return std::stoull(text.substr(at + key.size() + 2));
  };
  *envelopes = value_of("envelopes");
  return value_of("sst_bytes");
}

void Storage(const Options& options, Report& report) {
  ServerProcess server;
  Check(server.Start(), "start securebase-server");
  constexpr size_t kTherapists = 10, kClients = 200;
  Practice practice;
  CheckEmpty(BuildPractice(std::make_shared<Api>(server.channel()), kTherapists, kClients, 4, 5,
                           &practice),
             "setting up accounts");
  size_t per_client = (options.storage_envelopes + kClients - 1) / kClients;
  CiphertextPool pool;
  CheckEmpty(pool.Prepare(practice, per_client, options.plaintext_bytes), "preparing ciphertexts");
  uint64_t envelopes_before = 0;
  uint64_t sst_before = CompactedSstBytes(server, &envelopes_before);

  Log("storing " + std::to_string(per_client * kClients) + " envelopes");
  auto api = std::make_shared<Api>(server.channel());
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> ciphertext_bytes{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) {
    senders.emplace_back([&] {
      for (size_t c = next++; c < kClients; c = next++) {
        TestAccount& client = *practice.clients[c];
        for (size_t i = 0; i < per_client; ++i) {
          v1::SendRequest request;
          request.set_recipient_user_id(practice.TherapistOf(c).user_id());
          request.set_client_message_id(integration::RandomBytes(16));
          v1::OutgoingCiphertext* out = request.add_ciphertexts();
          *out->mutable_recipient() = practice.TherapistOf(c).address(0);
          out->set_ciphertext(pool.at(pool.IndexOf(c, i)));
          ciphertext_bytes += out->ciphertext().size();
          client.set_api(api);
          grpc::Status status = client.SendRequest(request);
          if (!status.ok()) Fail("Send: " + integration::StatusString(status));
        }
      }
    });
  }
  for (auto& sender : senders) sender.join();
  uint64_t envelopes_after = 0;
  uint64_t sst_after = CompactedSstBytes(server, &envelopes_after);
  Check(server.Stop(), "stop securebase-server");
  uint64_t stored = envelopes_after - envelopes_before;
  if (stored != per_client * kClients) {
    Fail("expected " + std::to_string(per_client * kClients) + " stored envelopes, found " +
         std::to_string(stored));
  }
  double per_envelope = static_cast<double>(sst_after - sst_before) / static_cast<double>(stored);
  double mean_ciphertext =
      static_cast<double>(ciphertext_bytes.load()) / static_cast<double>(stored);
  report.Add("storage_envelopes", static_cast<double>(stored));
  report.Add("storage_ciphertext_bytes", mean_ciphertext);
  report.Add("storage_bytes_per_envelope", per_envelope);
  report.Add("ratio_disk_per_ciphertext", per_envelope / mean_ciphertext);
}

// ---- main ----------------------------------------------------------------------

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Fail(arg + " needs a value");
      return argv[++i];
    };
    auto number = [&]() -> size_t { return std::stoull(value()); };
    if (arg == "--json") {
      options.json_path = value();
    } else if (arg == "--seconds") {
      options.seconds = std::stod(value());
    } else if (arg == "--warmup") {
      options.warmup_seconds = std::stod(value());
    } else if (arg == "--therapists") {
      options.therapists = number();
    } else if (arg == "--clients") {
      options.clients = number();
    } else if (arg == "--concurrency") {
      options.concurrency = number();
    } else if (arg == "--latency-concurrency") {
      options.latency_concurrency = number();
    } else if (arg == "--channels") {
      options.channels = number();
    } else if (arg == "--messages-per-client") {
      options.messages_per_client = number();
    } else if (arg == "--plaintext-bytes") {
      options.plaintext_bytes = number();
    } else if (arg == "--idle-streams") {
      options.idle_streams = number();
    } else if (arg == "--storage-envelopes") {
      options.storage_envelopes = number();
    } else if (arg == "--only") {
      options.phases.clear();
      std::stringstream list(value());
      std::string phase;
      while (std::getline(list, phase, ',')) options.phases.insert(phase);
    } else {
      Fail("unknown argument " + arg +
           " (see the comment at the top of bench/load/loadgen.cc and BENCHMARKS.md)");
    }
  }
  if (options.clients < options.therapists || options.therapists == 0 || options.channels == 0 ||
      options.messages_per_client == 0) {
    Fail("need at least one therapist, one channel, and as many clients as therapists");
  }
  return options;
}

int Main(int argc, char** argv) {
  Options options = ParseOptions(argc, argv);
  Report report;
  report.Add("seconds", options.seconds);
  report.Add("concurrency", static_cast<double>(options.concurrency));
  report.Add("latency_concurrency", static_cast<double>(options.latency_concurrency));
  report.Add("therapists", static_cast<double>(options.therapists));
  report.Add("clients", static_cast<double>(options.clients));
  report.Add("plaintext_bytes", static_cast<double>(options.plaintext_bytes));
  if (options.phases.count("throughput")) Throughput(options, report);
  if (options.phases.count("idle")) IdleStreams(options, report);
  if (options.phases.count("storage")) Storage(options, report);
  std::string json = report.Json();
  std::cout << json;
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << json;
    if (!out) Fail("cannot write " + options.json_path);
  }
  // A failed call means the figures are not of the path they claim to be.
  for (const char* run : {"echo_c", "send_sync_c", "send_nosync_c"}) {
    for (size_t c : {options.concurrency, options.latency_concurrency}) {
      std::string name = run + std::to_string(c) + "_errors";
      if (report.Get(name) > 0) Fail(name + " = " + std::to_string(report.Get(name)));
    }
  }
  return 0;
}

}  // namespace
}  // namespace securebase::bench

int main(int argc, char** argv) { return securebase::bench::Main(argc, argv); }
