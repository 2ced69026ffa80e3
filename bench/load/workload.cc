#include "bench/load/workload.h"

#include <thread>

#include "securebase/crypto/random.h"
#include "securebase/crypto/session.h"
#include "securebase/crypto/x3dh.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/server_process.h"

namespace securebase::bench {
namespace {

constexpr size_t kTagBytes = 16;

std::string RegisterAndLogin(TestAccount& account) {
  grpc::Status status = account.Register();
  if (!status.ok()) return "Register: " + integration::StatusString(status);
  status = account.Login(0);
  if (!status.ok()) return "Login: " + integration::StatusString(status);
  return "";
}

// Runs work(i) for i in [0, count) on `threads` threads; the first error wins.
std::string ParallelFor(size_t count, size_t threads,
                        const std::function<std::string(size_t)>& work) {
  std::mutex mu;
  std::string first_error;
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (size_t t = 0; t < std::max<size_t>(threads, 1); ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < count; i = next++) {
        std::string error = work(i);
        if (!error.empty()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.empty()) first_error = error;
          return;
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return first_error;
}

}  // namespace

std::string BuildPractice(const std::shared_ptr<Api>& api, size_t therapists, size_t clients,
                          size_t threads, int one_time_prekeys, Practice* practice) {
  practice->therapists.resize(therapists);
  practice->clients.resize(clients);
  // One worker per therapist at a time: a TestAccount is driven by one thread.
  return ParallelFor(therapists, threads, [&](size_t t) -> std::string {
    auto therapist = std::make_unique<TestAccount>(api, v1::ROLE_THERAPIST, one_time_prekeys);
    std::string error = RegisterAndLogin(*therapist);
    if (!error.empty()) return "therapist " + error;
    for (size_t c = t; c < clients; c += therapists) {
      auto client = std::make_unique<TestAccount>(api, v1::ROLE_CLIENT, one_time_prekeys);
      error = RegisterAndLogin(*client);
      if (!error.empty()) return "client " + error;
      grpc::Status linked = integration::LinkAccounts(*therapist, *client);
      if (!linked.ok()) return "LinkAccounts: " + integration::StatusString(linked);
      practice->clients[c] = std::move(client);
    }
    practice->therapists[t] = std::move(therapist);
    return "";
  });
}

std::string RegisterAccounts(const std::shared_ptr<Api>& api, size_t count, size_t threads,
                             std::vector<std::string>* tokens) {
  tokens->resize(count);
  return ParallelFor(count, threads, [&](size_t i) -> std::string {
    TestAccount account(api, v1::ROLE_CLIENT, /*one_time_prekeys=*/1);
    std::string error = RegisterAndLogin(account);
    if (!error.empty()) return error;
    (*tokens)[i] = account.token(0);
    return "";
  });
}

std::string CiphertextPool::Prepare(const Practice& practice, size_t per_client,
                                    size_t plaintext_bytes) {
  crypto::RandomSource& rng = crypto::SystemRandom();
  per_client_ = per_client;
  ciphertexts_.clear();
  ciphertexts_.reserve(practice.clients.size() * per_client);
  std::vector<uint8_t> plaintext(plaintext_bytes);
  rng.Fill(std::span<uint8_t>(plaintext));
  for (size_t c = 0; c < practice.clients.size(); ++c) {
    const TestAccount& client = *practice.clients[c];
    const TestAccount& therapist = practice.TherapistOf(c);
    const auto& signed_prekey = therapist.device(0).signed_prekey;
    crypto::PreKeyBundle bundle =
        crypto::MakePreKeyBundle(therapist.identity(), signed_prekey, nullptr);
    auto session = crypto::Session::Initiate(client.identity(), bundle, rng);
    if (!session.ok()) return "Initiate: " + session.status().ToString();
    auto first = session->Encrypt(crypto::ByteSpan(plaintext.data(), 16), rng);
    if (!first.ok()) return "Encrypt: " + first.status().ToString();
    auto accepted = crypto::Session::Accept(therapist.identity(), signed_prekey, nullptr,
                                            crypto::ByteSpan(first->data(), first->size()), rng);
    if (!accepted.ok()) return "Accept: " + accepted.status().ToString();
    auto reply = accepted->session.Encrypt(crypto::ByteSpan(plaintext.data(), 16), rng);
    if (!reply.ok()) return "Encrypt reply: " + reply.status().ToString();
    auto read = session->Decrypt(crypto::ByteSpan(reply->data(), reply->size()), rng);
    if (!read.ok()) return "Decrypt reply: " + read.status().ToString();
    for (size_t i = 0; i < per_client; ++i) {
      auto message = session->Encrypt(crypto::ByteSpan(plaintext.data(), plaintext.size()), rng);
      if (!message.ok()) return "Encrypt: " + message.status().ToString();
      std::string bytes(message->begin(), message->end());
      by_tag_.emplace(bytes.substr(bytes.size() - kTagBytes),
                      static_cast<uint32_t>(ciphertexts_.size()));
      ciphertexts_.push_back(std::move(bytes));
    }
  }
  return "";
}

int64_t CiphertextPool::Find(const std::string& ciphertext) const {
  if (ciphertext.size() < kTagBytes) return -1;
  auto found = by_tag_.find(ciphertext.substr(ciphertext.size() - kTagBytes));
  return found == by_tag_.end() ? -1 : static_cast<int64_t>(found->second);
}

Listener::Listener(v1::Messages::Stub& stub, const std::string& token, uint64_t after_seq,
                   OnEnvelope on_envelope)
    : on_envelope_(std::move(on_envelope)) {
  context_.AddMetadata("authorization", Bearer(token));
  request_.set_after_seq(after_seq);
  stub.async()->Subscribe(&context_, &request_, this);
  StartRead(&envelope_);
  StartCall();
}

Listener::~Listener() { Cancel(); }

bool Listener::WaitReady(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return ready_.load() || done_; }) && ready_.load();
}

void Listener::Cancel() {
  context_.TryCancel();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return done_; });
}

bool Listener::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

grpc::Status Listener::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void Listener::OnReadInitialMetadataDone(bool ok) {
  if (!ok) return;
  std::lock_guard<std::mutex> lock(mu_);
  ready_ = true;
  cv_.notify_all();
}

void Listener::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows.
  if (on_envelope_) on_envelope_(envelope_);
  last_seq_ = envelope_.seq();
  StartRead(&envelope_);
}

void Listener::OnDone(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  status_ = status;
  cv_.notify_all();
}

std::vector<std::shared_ptr<grpc::Channel>> OpenChannels(const std::string& address,
                                                         size_t count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (size_t i = 0; i < count; ++i) {
    channels.push_back(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                                 integration::TestChannelArguments()));
  }
  return channels;
}

std::string Bearer(const std::string& token) { return "Bearer " + token; }

}  // namespace securebase::bench
