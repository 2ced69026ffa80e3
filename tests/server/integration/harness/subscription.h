// A Messages.Subscribe stream read on its own thread, collecting envelopes.
// Methods may be called from any thread.
#ifndef SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SUBSCRIPTION_H_
#define SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SUBSCRIPTION_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/test_account.h"

namespace securebase::integration {

class Subscription {
 public:
  // Opens Subscribe(after_seq) for the account's device. The stream's
  // deadline is `lifetime` (so a forgotten stream cannot hang a test).
  Subscription(const TestAccount& account, size_t device_index, uint64_t after_seq,
               std::chrono::seconds lifetime = std::chrono::seconds(120));
  // Cancels and joins.
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Waits until at least `count` envelopes arrived or the stream ended, up to
  // `timeout`. True when `count` arrived.
  bool WaitForCount(size_t count, std::chrono::milliseconds timeout);
  // Waits until the stream ended, up to `timeout`; its status if it did.
  std::optional<grpc::Status> WaitForEnd(std::chrono::milliseconds timeout);
  // Cancels the call (client side) and waits for the reader to finish.
  grpc::Status Cancel();

  std::vector<v1::Envelope> Received() const;
  size_t ReceivedCount() const;
  bool ended() const;

 private:
  void Run(std::unique_ptr<grpc::ClientReader<v1::Envelope>> reader);

  grpc::ClientContext context_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::Envelope> received_;
  bool ended_ = false;
  grpc::Status status_;
  std::thread thread_;
};

}  // namespace securebase::integration

#endif  // SECUREBASE_TESTS_SERVER_INTEGRATION_HARNESS_SUBSCRIPTION_H_
