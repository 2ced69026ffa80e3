#include "server/src/service/subscribe_reactor.h"

#include "server/src/common/limits.h"
#include "server/src/service/grpc_status.h"

namespace securebase::server {
namespace {

class FailedReactor final : public grpc::ServerWriteReactor<v1::Envelope> {
 public:
  explicit FailedReactor(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::Envelope>* FailedSubscribe(const grpc::Status& status) {
  return new FailedReactor(status);
}

grpc::ServerWriteReactor<v1::Envelope>* StartSubscribe(ServiceContext& services,
                                                       const MailboxAddress& mailbox,
                                                       uint64_t after_seq) {
  auto reactor = std::make_shared<SubscribeReactor>(services, mailbox, after_seq);
  SubscribeReactor* raw = reactor.get();
  raw->self_ = reactor;
  Status registered = services.delivery.Register(mailbox, reactor);
  if (!registered.ok()) {
    raw->RequestFinish(ToGrpcStatus(registered));
  } else {
    // Initial metadata at once, even with nothing stored: the client learns
    // that the stream is registered, so everything stored from now on will
    // be pushed to it (a client can show "connected", a test can wait for it).
    raw->StartSendInitialMetadata();
    raw->Step();
  }
  return raw;
}

SubscribeReactor::SubscribeReactor(ServiceContext& services, MailboxAddress mailbox,
                                   uint64_t after_seq)
    : services_(services), mailbox_(std::move(mailbox)), cursor_(after_seq) {}

void SubscribeReactor::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = true;
  }
  Step();
}

void SubscribeReactor::Deliver(const v1::Envelope& envelope) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t last = buffer_.empty() ? cursor_ : buffer_.back().seq();
    // Exactly the next envelope and nothing unread in the store before it:
    // push it as it is instead of reading it back. Anything else (a gap, one
    // already read, a full buffer) falls back to reading from the store.
    if (!dirty_ && envelope.seq() == last + 1 && buffer_.size() < kStreamReadBatch) {
      buffer_.push_back(envelope);
    } else if (envelope.seq() > last) {
      dirty_ = true;
    }
  }
  Step();
}

void SubscribeReactor::Shutdown() {
  RequestFinish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
}

void SubscribeReactor::OnWriteDone(bool ok) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    write_in_flight_ = false;
    if (!ok && !finish_requested_) {
      finish_requested_ = true;
      finish_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "stream write failed");
    }
  }
  Step();
}

void SubscribeReactor::OnCancel() {
  RequestFinish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
}

void SubscribeReactor::RequestFinish(grpc::Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!finish_requested_) {
      finish_requested_ = true;
      finish_status_ = std::move(status);
    }
  }
  Step();
}

SubscribeReactor::Action SubscribeReactor::NextLocked() {
  if (done_ || finished_ || write_in_flight_) return Action::kNone;
  if (finish_requested_) {
    finished_ = true;
    return Action::kFinish;
  }
  if (buffer_.empty() && dirty_) {
    dirty_ = false;
    auto page = services_.store.ReadMailbox(mailbox_, cursor_, kStreamReadBatch,
                                            kMaxFetchResponseBytes);
    if (!page.ok()) {
      finished_ = true;
      finish_status_ = ToGrpcStatus(page.status());
      return Action::kFinish;
    }
    for (auto& stored : page->envelopes) {
      v1::Envelope envelope;
      envelope.set_seq(stored.seq);
      *envelope.mutable_sender() = std::move(*stored.record.mutable_sender());
      envelope.set_server_timestamp_unix_ms(stored.record.server_timestamp_unix_ms());
      envelope.set_ciphertext(std::move(*stored.record.mutable_ciphertext()));
      buffer_.push_back(std::move(envelope));
    }
    if (page->more) dirty_ = true;
  }
  if (buffer_.empty()) return Action::kNone;
  current_ = std::move(buffer_.front());
  buffer_.pop_front();
  cursor_ = current_.seq();
  services_.delivery.MarkGiven(mailbox_, cursor_);
  write_in_flight_ = true;
  return Action::kWrite;
}

void SubscribeReactor::Step() {
  Action action;
  grpc::Status status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    action = NextLocked();
    if (action == Action::kFinish) status = finish_status_;
  }
  // gRPC calls outside mu_: a reaction may run on another thread at once.
  if (action == Action::kWrite) {
    StartWrite(&current_);
  } else if (action == Action::kFinish) {
    Finish(status);
  }
}

void SubscribeReactor::OnDone() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  services_.delivery.Unregister(mailbox_, this);
  std::shared_ptr<SubscribeReactor> self = std::move(self_);
  // `this` may be freed when `self` goes out of scope: nothing after this.
}

}  // namespace securebase::server
