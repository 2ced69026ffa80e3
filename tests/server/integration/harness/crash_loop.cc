#include "tests/server/integration/harness/crash_loop.h"

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/test_account.h"
#include "tests/server/integration/harness/util.h"

namespace securebase::integration {
namespace {

using Clock = std::chrono::steady_clock;

// One logical send and what became of it. Owned by its sender thread until
// the threads are joined.
struct SendRecord {
  v1::SendRequest request;
  std::vector<std::string> ciphertexts;  // One per therapist device.
  int therapist = 0;
  int sender = 0;
  bool acknowledged = false;
  bool retried = false;
  int64_t server_timestamp_unix_ms = 0;  // From the OK answer.
  int64_t first_failure_unix_ms = 0;     // When the first attempt failed.
};

// The current server's stubs and a generation that moves on every restart,
// so senders can wait for the next server instead of spinning on a dead one.
class ApiSlot {
 public:
  void Publish(std::shared_ptr<Api> api) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      api_ = std::move(api);
      ++generation_;
    }
    cv_.notify_all();
  }
  std::shared_ptr<Api> Get(uint64_t* generation) const {
    std::lock_guard<std::mutex> lock(mu_);
    *generation = generation_;
    return api_;
  }
  // Returns once the generation is past `seen`, `timeout` passed or `stop`.
  void WaitPast(uint64_t seen, std::chrono::milliseconds timeout, const std::atomic<bool>& stop) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return generation_ > seen || stop.load(); });
  }
  void WakeAll() { cv_.notify_all(); }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<Api> api_;  // Guarded by mu_.
  uint64_t generation_ = 0;   // Guarded by mu_.
};

// Failure counts by code, shared by the senders.
class FailureCounter {
 public:
  void Add(grpc::StatusCode code) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[CodeName(code)];
  }
  std::map<std::string, int64_t> Counts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> counts_;  // Guarded by mu_.
};

grpc::Status SendOnce(Api& api, const TestAccount& client, const v1::SendRequest& request,
                      std::chrono::milliseconds deadline, v1::SendResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  context.AddMetadata("authorization", "Bearer " + client.token(0));
  return api.messages->Send(&context, request, response);
}

// A client message id unique in this run: a per-run prefix from the seeded
// RNG, the sender and its counter.
std::string ClientMessageId(uint64_t run_tag, int sender, uint32_t n) {
  std::string id(16, '\0');
  for (int i = 0; i < 8; ++i) id[i] = static_cast<char>(run_tag >> (8 * i));
  const uint32_t sender_bits = static_cast<uint32_t>(sender);
  for (int i = 0; i < 4; ++i) id[8 + i] = static_cast<char>(sender_bits >> (8 * i));
  for (int i = 0; i < 4; ++i) id[12 + i] = static_cast<char>(n >> (8 * i));
  return id;
}

// False once `pid` has exited (a zombie not reaped yet counts as exited).
// A server that died on its own (a crash, a sanitizer abort) before our
// SIGKILL would otherwise look like one more kill.
bool StillRunning(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return false;
  const char state = text[close + 2];
  return state != 'Z' && state != 'X';
}

::testing::AssertionResult DiedOnItsOwn(const ServerProcess& server, const std::string& when) {
  std::string err = server.StderrText();
  constexpr size_t kTail = 4000;
  if (err.size() > kTail) err = "...\n" + err.substr(err.size() - kTail);
  return ::testing::AssertionFailure()
         << "the server exited on its own " << when << "; its stderr ends:\n"
         << err;
}

std::chrono::microseconds Uniform(std::mt19937_64& rng, std::chrono::milliseconds lo,
                                  std::chrono::milliseconds hi) {
  int64_t a = std::chrono::duration_cast<std::chrono::microseconds>(lo).count();
  int64_t b = std::chrono::duration_cast<std::chrono::microseconds>(hi).count();
  if (b <= a) return std::chrono::microseconds(a);
  return std::chrono::microseconds(std::uniform_int_distribution<int64_t>(a, b)(rng));
}

}  // namespace

std::string CrashLoopReport::ToString() const {
  std::ostringstream out;
  out << "seed " << seed << "\ncycles " << cycles << "\nsends_attempted " << attempted
      << "\nacknowledged " << acknowledged << "\nretried " << retried << "\nretry_rpcs "
      << retry_rpcs << "\nretried_stored_before_kill " << retried_stored_before_kill
      << "\nunresolved " << unresolved << "\ndelivered " << delivered << "\npartial " << partial
      << "\nduplicates " << duplicates << "\nlost " << lost << "\nstrays " << strays
      << "\ntimestamp_mismatches " << timestamp_mismatches << "\n";
  for (const auto& [code, count] : failures_by_code) {
    out << "failed_rpcs[" << code << "] " << count << "\n";
  }
  if (!examples.empty()) out << "examples:\n" << examples;
  return out.str();
}

::testing::AssertionResult RunCrashLoop(const CrashLoopOptions& options, CrashLoopReport* report) {
  *report = CrashLoopReport();
  uint64_t seed = options.seed;
  if (seed == 0) {
    std::random_device device;
    seed = (static_cast<uint64_t>(device()) << 32) | device();
  }
  report->seed = seed;
  std::ostringstream discard;
  std::ostream& log = options.log != nullptr ? *options.log : discard;
  log << "crash loop: seed " << seed << ", " << options.cycles << " cycles, " << options.clients
      << " senders" << std::endl;
  std::mt19937_64 rng(seed);
  const uint64_t run_tag = rng();

  if (options.therapists <= 0 || options.clients <= 0 || options.cycles < 0) {
    return ::testing::AssertionFailure() << "crash loop: bad options";
  }
  ServerProcess server(options.server);
  ::testing::AssertionResult started = server.Start();
  if (!started) return started;

  // Accounts, set up before the first kill.
  auto setup_api = std::make_shared<Api>(server.channel());
  std::vector<std::unique_ptr<TestAccount>> therapists;
  std::vector<std::unique_ptr<TestAccount>> clients;
  for (int t = 0; t < options.therapists; ++t) {
    therapists.push_back(TestAccount::Create(setup_api, v1::ROLE_THERAPIST, 1));
    if (!therapists.back()) return ::testing::AssertionFailure() << "therapist setup failed";
    for (int d = 1; d < options.therapist_devices; ++d) {
      grpc::Status added = therapists.back()->AddDevice(1);
      if (!added.ok()) return ::testing::AssertionFailure() << "AddDevice: " << StatusString(added);
    }
  }
  for (int c = 0; c < options.clients; ++c) {
    clients.push_back(TestAccount::Create(setup_api, v1::ROLE_CLIENT, 1));
    if (!clients.back()) return ::testing::AssertionFailure() << "client setup failed";
    grpc::Status linked = LinkAccounts(*therapists[c % options.therapists], *clients.back());
    if (!linked.ok()) {
      return ::testing::AssertionFailure() << "LinkAccounts: " << StatusString(linked);
    }
  }
  // The senders use the slot's stubs and the accounts' tokens only.
  for (auto& a : therapists) a->set_api(nullptr);
  for (auto& a : clients) a->set_api(nullptr);
  setup_api.reset();

  ApiSlot slot;
  slot.Publish(std::make_shared<Api>(server.channel()));
  std::atomic<bool> stop{false};
  std::atomic<int64_t> retry_rpcs{0};
  FailureCounter failures;
  std::vector<std::vector<SendRecord>> ledgers(options.clients);
  std::vector<std::thread> senders;
  for (int s = 0; s < options.clients; ++s) {
    senders.emplace_back([&, s] {
      const TestAccount& client = *clients[s];
      const int t = s % options.therapists;
      const TestAccount& therapist = *therapists[t];
      std::vector<SendRecord>& ledger = ledgers[s];
      bool pending = false;  // ledger.back() not answered OK yet.
      for (uint32_t n = 0; !stop.load();) {
        if (!pending) {
          SendRecord record;
          const std::string base =
              "crash-" + std::to_string(seed) + "-s" + std::to_string(s) + "-" + std::to_string(n);
          record.request = client.MakeSend(therapist, base);
          record.request.set_client_message_id(ClientMessageId(run_tag, s, n));
          for (const v1::DeviceAddress& device : therapist.RegisteredAddresses()) {
            record.ciphertexts.push_back(TargetCiphertext(base, device));
          }
          record.therapist = t;
          record.sender = s;
          ledger.push_back(std::move(record));
          pending = true;
          ++n;
        } else {
          ledger.back().retried = true;
          retry_rpcs.fetch_add(1);
        }
        uint64_t generation = 0;
        std::shared_ptr<Api> api = slot.Get(&generation);
        v1::SendResponse response;
        grpc::Status status =
            SendOnce(*api, client, ledger.back().request, options.send_deadline, &response);
        if (status.ok()) {
          ledger.back().acknowledged = true;
          ledger.back().server_timestamp_unix_ms = response.server_timestamp_unix_ms();
          pending = false;
          continue;
        }
        failures.Add(status.error_code());
        if (ledger.back().first_failure_unix_ms == 0) {
          ledger.back().first_failure_unix_ms = NowUnixMs();
        }
        // Most likely the server is gone: wait for the next one, but not
        // forever (the failure may have been transient).
        slot.WaitPast(generation, std::chrono::milliseconds(50), stop);
      }
    });
  }

  ::testing::AssertionResult outcome = ::testing::AssertionSuccess();
  for (int cycle = 1; cycle <= options.cycles; ++cycle) {
    std::this_thread::sleep_for(Uniform(rng, options.min_run, options.max_run));
    if (!StillRunning(server.pid())) {
      outcome = DiedOnItsOwn(server, "before kill " + std::to_string(cycle));
      break;
    }
    server.Kill();  // SIGKILL at whatever point the senders have reached.
    std::this_thread::sleep_for(Uniform(rng, std::chrono::milliseconds(0), options.max_down));
    outcome = server.Start();
    if (!outcome) {
      outcome << " (restart " << cycle << ")";
      break;
    }
    slot.Publish(std::make_shared<Api>(server.channel()));
    report->cycles = cycle;
    log << "crash loop: cycle " << cycle << " done" << std::endl;
  }
  if (outcome) std::this_thread::sleep_for(options.final_run);
  stop = true;
  slot.WakeAll();
  for (auto& thread : senders) thread.join();
  if (!outcome) return outcome;
  if (!StillRunning(server.pid())) return DiedOnItsOwn(server, "after the last restart");

  // Sends the senders left unanswered: retry them on the final server.
  uint64_t generation = 0;
  std::shared_ptr<Api> api = slot.Get(&generation);
  for (auto& ledger : ledgers) {
    for (SendRecord& record : ledger) {
      for (int attempt = 0; !record.acknowledged && attempt < 20; ++attempt) {
        record.retried = true;
        retry_rpcs.fetch_add(1);
        v1::SendResponse response;
        grpc::Status status = SendOnce(*api, *clients[record.sender], record.request,
                                       options.send_deadline, &response);
        if (status.ok()) {
          record.acknowledged = true;
          record.server_timestamp_unix_ms = response.server_timestamp_unix_ms();
        } else {
          failures.Add(status.error_code());
          if (record.first_failure_unix_ms == 0) record.first_failure_unix_ms = NowUnixMs();
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    }
  }

  // What the mailboxes hold: ciphertext -> server timestamps of its copies.
  std::unordered_map<std::string, std::vector<int64_t>> found;
  for (auto& therapist : therapists) {
    therapist->set_api(api);
    for (size_t d = 0; d < therapist->device_count(); ++d) {
      std::vector<v1::Envelope> envelopes;
      grpc::Status fetched = therapist->FetchAll(d, 0, &envelopes);
      if (!fetched.ok()) {
        therapist->set_api(nullptr);
        return ::testing::AssertionFailure() << "FetchAll: " << StatusString(fetched);
      }
      for (const v1::Envelope& e : envelopes) {
        found[e.ciphertext()].push_back(e.server_timestamp_unix_ms());
      }
    }
    therapist->set_api(nullptr);
  }

  int examples = 0;
  auto example = [&](const std::string& what, const std::string& ciphertext) {
    if (examples++ < 10) report->examples += what + ": " + ciphertext + "\n";
  };
  std::unordered_map<std::string, bool> known;
  for (const auto& ledger : ledgers) {
    for (const SendRecord& record : ledger) {
      ++report->attempted;
      if (record.acknowledged) ++report->acknowledged;
      if (!record.acknowledged) ++report->unresolved;
      if (record.retried) ++report->retried;
      if (record.retried && record.acknowledged && record.first_failure_unix_ms != 0 &&
          record.server_timestamp_unix_ms <= record.first_failure_unix_ms) {
        ++report->retried_stored_before_kill;
      }
      size_t present = 0;  // Ciphertexts of this send with at least one copy.
      for (const std::string& ciphertext : record.ciphertexts) {
        known.emplace(ciphertext, true);
        auto it = found.find(ciphertext);
        const size_t copies = it == found.end() ? 0 : it->second.size();
        if (copies > 0) ++present;
        if (copies > 1) {
          report->duplicates += static_cast<int64_t>(copies) - 1;
          example("duplicated x" + std::to_string(copies), ciphertext);
        }
        if (record.acknowledged && copies > 0) {
          for (int64_t ts : it->second) {
            if (ts != record.server_timestamp_unix_ms) {
              ++report->timestamp_mismatches;
              example("timestamp mismatch", ciphertext);
            }
          }
        }
      }
      if (present == record.ciphertexts.size()) ++report->delivered;
      if (present > 0 && present < record.ciphertexts.size()) {
        ++report->partial;
        example("partial", record.ciphertexts.front());
      }
      if (record.acknowledged && present < record.ciphertexts.size()) {
        ++report->lost;
        example("lost", record.ciphertexts.front());
      }
    }
  }
  for (const auto& [ciphertext, copies] : found) {
    if (!known.count(ciphertext)) {
      report->strays += static_cast<int64_t>(copies.size());
      example("stray", ciphertext);
    }
  }
  report->retry_rpcs = retry_rpcs.load();
  report->failures_by_code = failures.Counts();
  log << "crash loop report:\n" << report->ToString() << std::flush;
  return ::testing::AssertionSuccess();
}

}  // namespace securebase::integration
