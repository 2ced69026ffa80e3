// The accounts, ciphertexts and streams the load generator drives the real
// server with: a practice of therapists, each linked to its clients, all
// registered and logged in through the wire API with real keys; real Double
// Ratchet ciphertexts prepared up front (so the generator's crypto does not
// compete with the server for the cores while measuring); and Subscribe
// streams that record when each ciphertext arrived.
#ifndef SECUREBASE_BENCH_LOAD_WORKLOAD_H_
#define SECUREBASE_BENCH_LOAD_WORKLOAD_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "securebase/v1/messages.grpc.pb.h"
#include "tests/server/integration/harness/test_account.h"

namespace securebase::bench {

namespace v1 = ::securebase::v1;
using integration::Api;
using integration::TestAccount;

// Therapist t's clients are clients[t], clients[t + therapists], ...
struct Practice {
  std::vector<std::unique_ptr<TestAccount>> therapists;
  std::vector<std::unique_ptr<TestAccount>> clients;
  const TestAccount& TherapistOf(size_t client) const {
    return *therapists[client % therapists.size()];
  }
};

// Registers and logs in `therapists` therapists and `clients` clients
// (single-device accounts with `one_time_prekeys` one-time prekeys) and links
// each client to its therapist. Uses `threads` threads. Empty on success,
// otherwise what failed.
std::string BuildPractice(const std::shared_ptr<Api>& api, size_t therapists, size_t clients,
                          size_t threads, int one_time_prekeys, Practice* practice);

// Registers and logs in `count` unlinked client accounts (for idle streams)
// and keeps only their session tokens: each account's keys live in
// sodium_malloc'd pages with guard pages, and 10,000 accounts' worth of them
// would exhaust the process's memory mappings (vm.max_map_count).
std::string RegisterAccounts(const std::shared_ptr<Api>& api, size_t count, size_t threads,
                             std::vector<std::string>* tokens);

// Real ratchet messages from every client to its therapist: one session per
// pair (X3DH, first message accepted and answered, so the rest are ordinary
// ratchet messages, not initial ones), then `per_client` messages of
// `plaintext_bytes` each.
class CiphertextPool {
 public:
  std::string Prepare(const Practice& practice, size_t per_client, size_t plaintext_bytes);

  // Message i of client c (i taken modulo per_client), and its global index.
  uint32_t IndexOf(size_t client, uint64_t i) const {
    return static_cast<uint32_t>(client * per_client_ + i % per_client_);
  }
  const std::string& at(uint32_t index) const { return ciphertexts_[index]; }
  // The global index of a delivered ciphertext (found by its final 16 bytes,
  // the body's authentication tag); -1 if it is not one of ours.
  int64_t Find(const std::string& ciphertext) const;
  size_t size() const { return ciphertexts_.size(); }
  // Size of an ordinary message (they are all the same size).
  size_t ciphertext_bytes() const { return ciphertexts_.empty() ? 0 : ciphertexts_[0].size(); }

 private:
  size_t per_client_ = 0;
  std::vector<std::string> ciphertexts_;
  std::unordered_map<std::string, uint32_t> by_tag_;
};

// One Messages.Subscribe stream on the callback API. `on_envelope` runs on a
// gRPC thread for every envelope, in order.
class Listener final : public grpc::ClientReadReactor<v1::Envelope> {
 public:
  using OnEnvelope = std::function<void(const v1::Envelope&)>;
  Listener(v1::Messages::Stub& stub, const std::string& token, uint64_t after_seq,
           OnEnvelope on_envelope);
  ~Listener() override;

  // True once the server sent initial metadata (the stream is registered).
  bool WaitReady(std::chrono::milliseconds timeout);
  bool ready() const { return ready_.load(); }
  // Cancels the stream and waits until gRPC is done with it.
  void Cancel();
  uint64_t last_seq() const { return last_seq_.load(); }
  bool done() const;
  grpc::Status status() const;

  void OnReadInitialMetadataDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  grpc::ClientContext context_;
  v1::SubscribeRequest request_;
  v1::Envelope envelope_;
  OnEnvelope on_envelope_;
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> last_seq_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // Guarded by mu_.
  grpc::Status status_;
};

// `count` channels to `address`, each its own connection.
std::vector<std::shared_ptr<grpc::Channel>> OpenChannels(const std::string& address, size_t count);

// The "authorization: Bearer <token>" value.
std::string Bearer(const std::string& token);

}  // namespace securebase::bench

#endif  // SECUREBASE_BENCH_LOAD_WORKLOAD_H_
