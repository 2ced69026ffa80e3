#include "tests/server/integration/harness/subscription.h"

namespace securebase::integration {

Subscription::Subscription(const TestAccount& account, size_t device_index, uint64_t after_seq,
                           std::chrono::seconds lifetime) {
  context_.set_deadline(std::chrono::system_clock::now() + lifetime);
  if (!account.token(device_index).empty()) {
    context_.AddMetadata("authorization", "Bearer " + account.token(device_index));
  }
  v1::SubscribeRequest req;
  req.set_after_seq(after_seq);
  std::unique_ptr<grpc::ClientReader<v1::Envelope>> reader =
      account.api().messages->Subscribe(&context_, req);
  thread_ = std::thread(&Subscription::Run, this, std::move(reader));
}

Subscription::~Subscription() {
  context_.TryCancel();
  if (thread_.joinable()) thread_.join();
}

void Subscription::Run(std::unique_ptr<grpc::ClientReader<v1::Envelope>> reader) {
  v1::Envelope envelope;
  while (reader->Read(&envelope)) {
    std::lock_guard<std::mutex> lock(mu_);
    received_.push_back(envelope);
    cv_.notify_all();
  }
  grpc::Status status = reader->Finish();
  std::lock_guard<std::mutex> lock(mu_);
  status_ = status;
  ended_ = true;
  cv_.notify_all();
}

bool Subscription::WaitForCount(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return received_.size() >= count || ended_; });
  return received_.size() >= count;
}

std::optional<grpc::Status> Subscription::WaitForEnd(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return ended_; })) return std::nullopt;
  return status_;
}

grpc::Status Subscription::Cancel() {
  context_.TryCancel();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

std::vector<v1::Envelope> Subscription::Received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

size_t Subscription::ReceivedCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_.size();
}

bool Subscription::ended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ended_;
}

}  // namespace securebase::integration
