// The four adversaries of the attack-under-load run (attack_load.h), from
// hardening issue 11, each running on its own threads between Start() and
// Stop() against a securebase-server on loopback. An attack counts what it
// was answered; it judges nothing: the honest traffic beside it does.
//
// The run starts each attack in a process of its own (AttackProcess), as an
// attacker's client runs on a machine of its own: in the measuring process,
// its calls would share gRPC's client threads with the honest clients.
//
// Source addresses: the server under attack trusts 127.0.0.1 as its proxy
// (--trusted-proxies=127.0.0.1), as production trusts nginx, so the source
// of a call is the `x-real-ip` header it carries. The floods claim many
// addresses of their own (a botnet), so that the per-source limits alone
// cannot stop them and the server-wide limits are reached.
//
// Thread-safety: Start(), Stop() and Summary() from one controlling thread.
#ifndef SECUREBASE_BENCH_FAULTS_ATTACKS_H_
#define SECUREBASE_BENCH_FAULTS_ATTACKS_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/faults/sampling.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::bench {

// A client context with the harness's deadline, `source` as its
// `x-real-ip` and, when `token` is not empty, a bearer token.
std::unique_ptr<grpc::ClientContext> SourceContext(const std::string& source,
                                                   const std::string& token = "");

// A channel of its own (its own TCP connection, not shared through gRPC's
// process-wide subchannel pool) to `address`.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address);

class Attack {
 public:
  // Each final class stops itself in its destructor (its threads use its
  // members).
  virtual ~Attack() = default;
  // Starts the attack's threads and returns.
  void Start();
  // Stops its threads and undoes what it holds (streams, connections).
  void Stop();
  // What the server answered the attack (status codes), and what it held.
  virtual std::string Summary() const;

 protected:
  // Runs on each of `threads` threads until stopping() is true.
  virtual int Threads() const = 0;
  virtual void Run(int thread) = 0;
  // Called by Stop() after the threads joined.
  virtual void Release() {}
  bool stopping() const { return stop_.load(); }
  Tally& answers() { return answers_; }
  const Tally& answers() const { return answers_; }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  Tally answers_;
};

// Register as fast as `threads` threads can, each call from the next of
// `sources` addresses, with prepared requests of 100 one-time prekeys each
// (the most a Register may carry), every one a new identity.
class RegistrationFlood final : public Attack {
 public:
  // Generates `requests` registrations' keys now (before any clock runs).
  RegistrationFlood(const std::string& address, int sources, int threads, int requests);
  ~RegistrationFlood() override { Stop(); }

 protected:
  int Threads() const override { return threads_; }
  void Run(int thread) override;

 private:
  std::shared_ptr<it::Api> api_;
  int sources_;
  int threads_;
  std::vector<it::v1::RegisterRequest> requests_;
  std::atomic<size_t> next_{0};
};

// Tries to lock honest devices out: for each victim (user id and device id,
// which an attacker may know), GetChallenge and Authenticate with a bad
// signature, and Authenticate with junk challenges, from `sources`
// addresses, as fast as `threads` threads can.
class LoginLockout final : public Attack {
 public:
  LoginLockout(const std::string& address, std::vector<it::v1::DeviceAddress> victims, int sources,
               int threads);
  ~LoginLockout() override { Stop(); }

 protected:
  int Threads() const override { return threads_; }
  void Run(int thread) override;

 private:
  std::shared_ptr<it::Api> api_;
  std::vector<it::v1::DeviceAddress> victims_;
  int sources_;
  int threads_;
  std::atomic<uint64_t> next_{0};
};

// A registered account as an attacker process knows it: its id, and its
// devices' ids and bearer tokens.
struct HolderAccount {
  std::string user_id;
  std::vector<std::pair<uint32_t, std::string>> devices;  // (id, token); [0] sends.
};

// Free accounts that hold Subscribe streams they never read (HTTP/2 window
// 64 KiB, so the server's writes stall), as many as the account limit
// allows, while sending large envelopes to their own devices so that every
// stream always has something the server would like to push.
class StreamHolder final : public Attack {
 public:
  // Device 0 of each account sends; the others hold `streams_per_device`
  // streams each.
  StreamHolder(const std::string& address, std::vector<HolderAccount> accounts,
               int streams_per_device, size_t envelope_bytes,
               std::chrono::milliseconds send_interval);
  ~StreamHolder() override { Stop(); }
  std::string Summary() const override;

 protected:
  int Threads() const override { return 1; }
  void Run(int thread) override;
  void Release() override;

 private:
  struct UnreadStream {
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientReader<it::v1::Envelope>> reader;
  };
  void OpenStreams();

  std::vector<HolderAccount> accounts_;
  std::vector<std::unique_ptr<it::v1::Messages::Stub>> stubs_;  // One connection per account.
  std::shared_ptr<it::Api> sender_;                             // Its own connection.
  int streams_per_device_;
  size_t envelope_bytes_;
  std::chrono::milliseconds send_interval_;
  std::vector<UnreadStream> streams_;  // Only the attack's thread, then Release().
  int64_t streams_opened_ = 0;
};

// Idle connections, as many as `connections`: half of them plain TCP that
// never send a byte, half HTTP/2 connections that complete the preface and
// answer the server's SETTINGS and PINGs but never start a call. Whatever
// the server closes is opened again. New connections at most
// `connects_per_second` (0: as fast as connect() returns, a storm).
class IdleConnectionFlood final : public Attack {
 public:
  IdleConnectionFlood(int port, int connections, int connects_per_second);
  ~IdleConnectionFlood() override { Stop(); }
  std::string Summary() const override;

 protected:
  int Threads() const override { return 1; }
  void Run(int thread) override;

 private:
  int port_;
  int connections_;
  int connects_per_second_;
  std::atomic<int64_t> opened_{0};
  std::atomic<int64_t> closed_by_server_{0};
  std::atomic<int64_t> connect_failures_{0};
  std::atomic<int64_t> peak_open_{0};
};

// One attack as its own process runs it: which, against what, with what
// it needs, for how long. Travels as a text file, one `name value...` per
// line.
struct AttackJob {
  std::string key;  // "register", "login", "streams", "idle", "storm".
  std::string address;
  int port = 0;
  int seconds = 0;  // The attack runs this long, then stops and reports.
  int nice = 0;     // The attacker process's nice value.
  int sources = 0;  // register, login.
  int threads = 0;
  int requests = 0;                            // register: fresh identities.
  std::vector<it::v1::DeviceAddress> victims;  // login.
  std::vector<HolderAccount> holders;          // streams.
  int streams_per_device = 0;
  size_t envelope_bytes = 0;
  int send_interval_ms = 0;
  int connections = 0;          // idle, storm.
  int connects_per_second = 0;  // idle.

  std::string ToText() const;
  // False (with the reason in `*error`) on a malformed job.
  static bool Parse(const std::string& text, AttackJob* job, std::string* error);
};

// What an attack's key ("register", "login", "streams", "idle", "storm") names, for
// people ("registration flood", ...); nullopt for an unknown key.
std::optional<std::string> AttackName(const std::string& key);

// The attack a job describes (it prepares what it needs, e.g. keys, here);
// null for an unknown key.
std::unique_ptr<Attack> MakeAttack(const AttackJob& job);

// main() of an attacker process: `securebase_faults --attacker JOB READY`
// runs the job's attack, creates the file READY once it started, stops it
// after the job's seconds and prints its Summary() on stdout. Exit status 0,
// or 2 for a bad job.
int RunAttackerProcess(const std::string& job_file, const std::string& ready_file);

// The parent's side: starts `securebase_faults --attacker` (this program,
// /proc/self/exe) on a job, returns once the attack runs; Finish() waits
// for it to end and returns its summary.
class AttackProcess {
 public:
  AttackProcess(AttackJob job, std::string work_dir);
  ~AttackProcess();
  AttackProcess(const AttackProcess&) = delete;
  AttackProcess& operator=(const AttackProcess&) = delete;

  // False (with the reason on stderr) if it did not start within a minute.
  bool Start();
  // The attack's summary, or what went wrong.
  std::string Finish();

 private:
  AttackJob job_;
  std::string job_file_;
  std::string ready_file_;
  std::thread runner_;
  std::string summary_;  // Written by runner_, read after it joined.
};

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_FAULTS_ATTACKS_H_
