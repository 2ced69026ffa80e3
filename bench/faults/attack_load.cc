#include "bench/faults/attack_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "bench/faults/attacks.h"
#include "bench/faults/sampling.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/process_stats.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"

namespace securebase::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kBetweenPhases = -1;
// A realistic message: 600 plaintext bytes padded and encrypted.
constexpr size_t kCiphertextBytes = 729;
constexpr double kMaxP99Ratio = 3.0;
// Honest failures written to stderr (all are counted).
constexpr int kReportedFailures = 20;

// The honest calls started while one phase was measured.
struct PhaseTally {
  Tally send;
  Tally login;
  Tally ack;
  Tally delivery;  // All OK: latency from Send to arrival.
  std::atomic<int64_t> server_rss_max_kib{0};
};

// The honest clients and therapists (see attack_load.h), on threads of
// their own from Start() to Stop(). Each account has its own connection.
class HonestTraffic {
 public:
  HonestTraffic(std::string address, const AttackLoadOptions& options, Accounts& accounts,
                size_t phases)
      : address_(std::move(address)),
        options_(options),
        accounts_(accounts),
        phases_(phases),
        last_seq_(accounts.therapists.size()),
        streams_(accounts.therapists.size(), nullptr) {
    for (auto& p : phases_) p = std::make_unique<PhaseTally>();
    for (auto& seq : last_seq_) seq = 0;
  }
  ~HonestTraffic() { Stop(); }

  void Start() {
    start_ = Clock::now();
    for (size_t c = 0; c < accounts_.clients.size(); ++c) {
      threads_.emplace_back([this, c] { RunClient(c); });
    }
    for (size_t t = 0; t < accounts_.therapists.size(); ++t) {
      threads_.emplace_back([this, t] { RunReceiver(t); });
    }
    threads_.emplace_back([this] { RunAcknowledger(); });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      stop_ = true;
      for (grpc::ClientContext* stream : streams_) {
        if (stream != nullptr) stream->TryCancel();
      }
    }
    cv_.notify_all();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

  // Calls that start from now on count for phase `index` (kBetweenPhases:
  // for none, but their failures still count).
  void SetPhase(int index) { phase_ = index; }
  int phase() const { return phase_; }
  PhaseTally& tally(size_t index) { return *phases_[index]; }
  // Every honest call and stream end of the run, by status code.
  const Tally& all() const { return all_; }

 private:
  bool stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }
  // Sleeps until `when`; false if stopped first.
  bool SleepUntil(Clock::time_point when) {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_until(lock, when, [this] { return stop_; });
  }
  void Record(int phase, Tally PhaseTally::*kind, const grpc::Status& status,
              std::chrono::nanoseconds latency) {
    const grpc::StatusCode code = status.error_code();
    if (code != grpc::StatusCode::OK && reported_failures_.fetch_add(1) < kReportedFailures) {
      std::cerr << "attack load: an honest call failed: " << it::StatusString(status) << "\n";
    }
    all_.Add(code, latency);
    if (phase != kBetweenPhases)
      (phases_[static_cast<size_t>(phase)].get()->*kind).Add(code, latency);
  }

  // Logs in on a new connection from the client's own address.
  grpc::Status Login(it::TestAccount& account, const std::string& source) {
    auto stub = it::v1::Accounts::NewStub(OwnChannel(address_));
    it::v1::GetChallengeRequest request;
    request.set_user_id(account.user_id());
    request.set_device_id(account.device_id(0));
    it::v1::GetChallengeResponse challenge;
    grpc::Status status = stub->GetChallenge(SourceContext(source).get(), request, &challenge);
    if (!status.ok()) return status;
    const std::string& bytes = challenge.challenge();
    auto signature = account.device(0).auth.SignAuthChallenge(
        crypto::ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    if (!signature.ok()) return grpc::Status(grpc::StatusCode::UNKNOWN, "cannot sign");
    it::v1::AuthenticateRequest login;
    login.set_user_id(account.user_id());
    login.set_device_id(account.device_id(0));
    login.set_challenge(bytes);
    login.set_signature(it::KeyBytes(*signature));
    it::v1::AuthenticateResponse token;
    status = stub->Authenticate(SourceContext(source).get(), login, &token);
    if (status.ok()) account.device(0).token = token.token();
    return status;
  }

  void RunClient(size_t c) {
    it::TestAccount& client = *accounts_.clients[c];
    const it::TestAccount& therapist = accounts_.TherapistOf(c);
    const std::string source = "10.1.0." + std::to_string(c + 1);
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / options_.send_rate));
    const size_t n = accounts_.clients.size();
    auto next_send = start_ + interval * c / n;
    auto next_login = start_ + options_.login_every * (c + 1) / n;
    const std::string padding(kCiphertextBytes - 40, 'c');
    while (true) {
      const bool login = next_login <= next_send;
      if (!SleepUntil(login ? next_login : next_send)) return;
      const int phase = phase_.load();
      const auto t0 = Clock::now();
      if (login) {
        grpc::Status status = Login(client, source);
        Record(phase, &PhaseTally::login, status, Clock::now() - t0);

        next_login += options_.login_every;
      } else {
        // "honest|<phase>|<start ns>|": the receiver times the delivery.
        const std::string base =
            "honest|" + std::to_string(phase) + "|" +
            std::to_string(
                std::chrono::duration_cast<std::chrono::nanoseconds>(t0.time_since_epoch())
                    .count()) +
            "|" + padding;
        grpc::Status status = client.Send(therapist, base);
        Record(phase, &PhaseTally::send, status, Clock::now() - t0);
        next_send += interval;
      }
      // A client that fell behind does not catch up in a burst.
      const auto now = Clock::now();
      if (next_send < now - interval) next_send = now;
      if (next_login < now - options_.login_every) next_login = now;
    }
  }

  void Delivered(const std::string& ciphertext) {
    if (ciphertext.rfind("honest|", 0) != 0) return;
    const size_t phase_end = ciphertext.find('|', 7);
    const size_t time_end = ciphertext.find('|', phase_end + 1);
    if (phase_end == std::string::npos || time_end == std::string::npos) return;
    const int phase = std::stoi(ciphertext.substr(7, phase_end - 7));
    const int64_t sent_ns = std::stoll(ciphertext.substr(phase_end + 1, time_end - phase_end - 1));
    if (phase == kBetweenPhases) return;
    const int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count();
    phases_[static_cast<size_t>(phase)]->delivery.Add(grpc::StatusCode::OK,
                                                      std::chrono::nanoseconds(now_ns - sent_ns));
  }

  void RunReceiver(size_t t) {
    const it::TestAccount& therapist = *accounts_.therapists[t];
    uint64_t after = 0;
    while (true) {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer " + therapist.token(0));
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return;
        streams_[t] = &context;
      }
      it::v1::SubscribeRequest request;
      request.set_after_seq(after);
      auto reader = therapist.api().messages->Subscribe(&context, request);
      it::v1::Envelope envelope;
      while (reader->Read(&envelope)) {
        after = envelope.seq();
        last_seq_[t] = after;
        Delivered(envelope.ciphertext());
      }
      grpc::Status status = reader->Finish();
      {
        std::lock_guard<std::mutex> lock(mu_);
        streams_[t] = nullptr;
        if (stop_) return;
      }
      // An honest stream ended under the server's feet: a failure, whatever
      // its status (then it resubscribes, as a client does).
      std::cerr << "attack load: an honest stream ended: " << it::StatusString(status) << "\n";
      all_.Add(status.ok() ? grpc::StatusCode::UNKNOWN : status.error_code(), {});
      if (!SleepUntil(Clock::now() + std::chrono::milliseconds(100))) return;
    }
  }

  void RunAcknowledger() {
    std::vector<uint64_t> acknowledged(accounts_.therapists.size(), 0);
    for (auto next = Clock::now();; next += options_.ack_every) {
      if (!SleepUntil(next)) return;
      for (size_t t = 0; t < accounts_.therapists.size(); ++t) {
        const uint64_t seq = last_seq_[t].load();
        if (seq <= acknowledged[t]) continue;
        const int phase = phase_.load();
        const auto t0 = Clock::now();
        grpc::Status status = accounts_.therapists[t]->Acknowledge(0, seq);
        Record(phase, &PhaseTally::ack, status, Clock::now() - t0);
        if (status.ok()) acknowledged[t] = seq;
      }
    }
  }

  const std::string address_;
  const AttackLoadOptions& options_;
  Accounts& accounts_;
  std::vector<std::unique_ptr<PhaseTally>> phases_;
  std::vector<std::atomic<uint64_t>> last_seq_;
  Tally all_;
  std::atomic<int> phase_{kBetweenPhases};
  std::atomic<int> reported_failures_{0};
  Clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                          // Guarded by mu_.
  std::vector<grpc::ClientContext*> streams_;  // Guarded by mu_.
  std::vector<std::thread> threads_;
};

// Room for the idle connections, here and in the server (which inherits it).
void RaiseFdLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

// Waits (up to 30 s) until the server holds no more descriptors than
// `baseline` (plus a few), i.e. it closed the connections an attack left.
void SettleDescriptors(pid_t server, size_t baseline) {
  const auto give_up = Clock::now() + std::chrono::seconds(30);
  while (it::OpenFdCount(server) > baseline + 16 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

double P99Ratio(double p99, double quiet_p99) { return quiet_p99 > 0 ? p99 / quiet_p99 : 0; }

void Summarize(PhaseTally& tally, AttackPhase* out) {
  out->sends = tally.send.Total();
  out->send_p50_ms = tally.send.PercentileMs(50);
  out->send_p99_ms = tally.send.PercentileMs(99);
  out->logins = tally.login.Total();
  out->login_p50_ms = tally.login.PercentileMs(50);
  out->login_p99_ms = tally.login.PercentileMs(99);
  out->acks = tally.ack.Total();
  out->ack_p99_ms = tally.ack.PercentileMs(99);
  out->delivery_p50_ms = tally.delivery.PercentileMs(50);
  out->delivery_p99_ms = tally.delivery.PercentileMs(99);
  out->failures = 0;
  out->failure_codes.clear();
  for (const Tally* kind : {&tally.send, &tally.login, &tally.ack}) {
    const int64_t failed = kind->Total() - kind->Count(grpc::StatusCode::OK);
    out->failures += failed;
  }
  out->failure_codes = "send " + tally.send.CodesString() + "; login " + tally.login.CodesString() +
                       "; ack " + tally.ack.CodesString();
  out->server_rss_max_kib = tally.server_rss_max_kib.load();
}

// The stream holders' accounts keep 8 devices each, as in the figures
// recorded before the default device limit became 5: the attack stays as
// strong as it was (the one limit raised for it).
constexpr int kHolderDevices = 8;
constexpr const char* kHolderDeviceLimit = "--max-devices-per-account=8";

// Sets up the honest and the holders' accounts on a server with relaxed
// per-source limits, in `data_dir`'s server (left stopped).
bool SetUpAccounts(it::ServerProcess& server, const AttackLoadOptions& options, Accounts* honest,
                   std::vector<std::unique_ptr<it::TestAccount>>* holders) {
  if (::testing::AssertionResult started = server.Start(); !started) {
    std::cerr << "attack load: " << started.message() << "\n";
    return false;
  }
  auto api = std::make_shared<it::Api>(server.channel());
  if (!MakeAccounts(api, options.honest_clients, options.honest_clients, honest)) {
    std::cerr << "attack load: honest account setup failed\n";
    return false;
  }
  for (int h = 0; h < options.holder_accounts; ++h) {
    auto holder = it::TestAccount::Create(api, it::v1::ROLE_CLIENT, 1);
    if (!holder) return false;
    // One sender and seven stream holders (kHolderDevices).
    for (int d = 1; d < kHolderDevices; ++d) {
      grpc::Status added = holder->AddDevice(1);
      if (!added.ok()) {
        std::cerr << "attack load: AddDevice: " << it::StatusString(added) << "\n";
        return false;
      }
    }
    holders->push_back(std::move(holder));
  }
  return static_cast<bool>(server.Stop());
}

}  // namespace

bool AttackLoadResult::Passed() const {
  if (honest_failures != 0 || attacks.empty()) return false;
  for (const AttackPhase& phase : attacks) {
    if (!phase.judged) continue;
    for (double ratio : {phase.send_p99_ratio, phase.login_p99_ratio, phase.ack_p99_ratio}) {
      if (ratio <= 0 || ratio > kMaxP99Ratio) return false;
    }
  }
  return true;
}

bool RunAttackLoad(const AttackLoadOptions& options, AttackLoadResult* result) {
  *result = AttackLoadResult();
  RaiseFdLimit();
  // Relaxed per-source limits, for the setup only.
  it::ServerProcess setup(it::WithFlags({kHolderDeviceLimit}));
  Accounts honest;
  std::vector<std::unique_ptr<it::TestAccount>> holders;
  std::cerr << "attack load: setting up " << options.honest_clients << " honest pairs and "
            << options.holder_accounts << " stream-holding accounts\n";
  if (!SetUpAccounts(setup, options, &honest, &holders)) return false;

  it::ServerOptions server_options = it::OnDataDir(setup.data_dir());
  server_options.relaxed_source_limits = false;  // The production defaults.
  server_options.flags = {"--trusted-proxies=127.0.0.1", kHolderDeviceLimit};
  it::ServerProcess server(server_options);
  if (::testing::AssertionResult started = server.Start(); !started) {
    std::cerr << "attack load: " << started.message() << "\n";
    return false;
  }
  const std::string address = server.address();
  for (auto* group : {&honest.clients, &honest.therapists, &holders}) {
    for (auto& account : *group) account->set_api(std::make_shared<it::Api>(OwnChannel(address)));
  }

  // The attackers know the honest clients' ids (to lock them out) and
  // their own accounts.
  AttackJob base;
  base.address = address;
  base.port = server.port();
  base.seconds = static_cast<int>((options.warmup + options.phase).count()) + 1;
  base.nice = options.attacker_nice;
  base.sources = options.flood_sources;
  base.threads = options.flood_threads;
  // Enough fresh identities for what the server-wide limit admits in a
  // phase (a burst of 50, then 5 a second).
  base.requests = 50 + 5 * base.seconds + 20;
  for (const auto& client : honest.clients) base.victims.push_back(client->address(0));
  for (const auto& holder : holders) {
    HolderAccount account{holder->user_id(), {}};
    for (size_t d = 0; d < holder->device_count(); ++d) {
      account.devices.emplace_back(holder->device_id(d), holder->token(d));
    }
    base.holders.push_back(std::move(account));
  }
  base.streams_per_device = options.holder_streams_per_device;
  base.envelope_bytes = options.holder_envelope_bytes;
  base.send_interval_ms = static_cast<int>(options.holder_send_interval.count());
  base.connections = options.idle_connections;
  base.connects_per_second = options.idle_connects_per_second;
  std::vector<AttackJob> jobs;
  for (const std::string& key : options.attacks) {
    AttackJob job = base;
    job.key = key;
    if (!AttackName(key).has_value()) {
      std::cerr << "attack load: no attack '" << key << "'\n";
      return false;
    }
    jobs.push_back(std::move(job));
  }
  const std::string work_dir = it::MakeTempDir("sb-attack-load-");

  // Phase 0: quiet (pooled); phase 1 + i: attack i.
  HonestTraffic traffic(address, options, honest, 1 + jobs.size());
  std::vector<double> server_cpu(1 + jobs.size(), 0);
  std::vector<double> bench_cpu(1 + jobs.size(), 0);
  std::vector<double> seconds(1 + jobs.size(), 0);
  std::vector<std::string> summaries(jobs.size());
  const pid_t pid = server.pid();
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling.load()) {
      const int phase = traffic.phase();
      if (phase != kBetweenPhases) {
        const int64_t rss = it::ProcessMemoryKib(pid, it::MemoryFigure::kResident);
        auto& max = traffic.tally(static_cast<size_t>(phase)).server_rss_max_kib;
        max.store(std::max(max.load(), rss));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });
  auto measure = [&](size_t index) {
    const double server0 = CpuSeconds(pid);
    const double bench0 = CpuSeconds(::getpid());
    const auto t0 = Clock::now();
    traffic.SetPhase(static_cast<int>(index));
    std::this_thread::sleep_for(options.phase);
    traffic.SetPhase(kBetweenPhases);
    seconds[index] += std::chrono::duration<double>(Clock::now() - t0).count();
    server_cpu[index] += CpuSeconds(pid) - server0;
    bench_cpu[index] += CpuSeconds(::getpid()) - bench0;
  };

  traffic.Start();
  std::this_thread::sleep_for(options.warmup + options.settle);  // Honest warm-up.
  const size_t fds_before_attacks = it::OpenFdCount(pid);
  bool attacks_ran = true;
  for (int round = 1; round <= options.rounds && attacks_ran; ++round) {
    for (size_t a = 0; a < jobs.size() && attacks_ran; ++a) {
      const std::string name = *AttackName(jobs[a].key);
      std::cerr << "attack load: round " << round << "/" << options.rounds << ": quiet\n";
      measure(0);
      std::cerr << "attack load: round " << round << ": " << name << "\n";
      AttackProcess attacker(jobs[a], work_dir);
      attacks_ran = attacker.Start();
      if (attacks_ran) {
        std::this_thread::sleep_for(options.warmup);
        measure(1 + a);
      }
      summaries[a] += (summaries[a].empty() ? "" : "; ") + attacker.Finish();
      std::this_thread::sleep_for(options.settle);
      SettleDescriptors(pid, fds_before_attacks);
    }
  }
  traffic.Stop();
  sampling = false;
  sampler.join();

  auto fill = [&](size_t index, const std::string& name, const std::string& key, AttackPhase* out) {
    out->name = name;
    out->key = key;
    Summarize(traffic.tally(index), out);
    if (seconds[index] > 0) {
      out->server_cores = server_cpu[index] / seconds[index];
      out->bench_cores = bench_cpu[index] / seconds[index];
    }
  };
  fill(0, "quiet", "quiet", &result->quiet);
  for (size_t a = 0; a < jobs.size(); ++a) {
    AttackPhase phase;
    fill(1 + a, *AttackName(jobs[a].key), jobs[a].key, &phase);
    phase.send_p99_ratio = P99Ratio(phase.send_p99_ms, result->quiet.send_p99_ms);
    phase.login_p99_ratio = P99Ratio(phase.login_p99_ms, result->quiet.login_p99_ms);
    phase.ack_p99_ratio = P99Ratio(phase.ack_p99_ms, result->quiet.ack_p99_ms);
    phase.attack = summaries[a];
    phase.judged = jobs[a].key != "storm";
    result->attacks.push_back(std::move(phase));
  }
  result->honest_failures = traffic.all().Total() - traffic.all().Count(grpc::StatusCode::OK);
  result->honest_failure_codes = traffic.all().CodesString();
  std::error_code ignored;
  std::filesystem::remove_all(work_dir, ignored);
  return attacks_ran && static_cast<bool>(server.Stop());
}

}  // namespace securebase::bench
