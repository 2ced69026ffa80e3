#include "server/src/service/subscribe_reactor.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include "server/src/common/limits.h"
#include "server/src/service/authenticator.h"
#include "server/src/service/grpc_status.h"
#include "server/src/service/wire_envelope.h"

namespace securebase::server {
namespace {

class FailedReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit FailedReactor(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

grpc::Status EndStatus(EndReason reason) {
  switch (reason) {
    case EndReason::kShutdown:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down");
    case EndReason::kReplaced:
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "replaced by a newer stream of this device (the oldest gives way when "
                          "a device opens more than the limit)");
    case EndReason::kStalled:
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          "the client did not read this stream for too long");
    case EndReason::kRemoved:
      return ToGrpcStatus(DeviceRemovedStatus());
  }
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream ended");
}

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* FailedSubscribe(const grpc::Status& status) {
  return new FailedReactor(status);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* StartSubscribe(ServiceContext& services,
                                                           grpc::CallbackServerContext* context,
                                                           const MailboxAddress& mailbox,
                                                           uint64_t after_seq) {
  auto reactor = std::make_shared<SubscribeReactor>(services, context, mailbox, after_seq);
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

SubscribeReactor::SubscribeReactor(ServiceContext& services, grpc::CallbackServerContext* context,
                                   MailboxAddress mailbox, uint64_t after_seq)
    : services_(services),
      context_(context),
      mailbox_(std::move(mailbox)),
      cursor_(after_seq),
      written_(after_seq) {}

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
    // Idle, nothing unread in the store before it, and exactly the next one:
    // write it as it is instead of reading it back. Otherwise keep nothing
    // (the store has it): a client that does not read costs no memory here.
    if (!dirty_ && !write_in_flight_ && buffer_.empty() && !finish_requested_ &&
        envelope.seq() == cursor_ + 1) {
      buffer_.push_back(envelope);
    } else if (envelope.seq() > cursor_) {
      dirty_ = true;
    }
  }
  Step();
}

void SubscribeReactor::End(EndReason reason) {
  bool cancel = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!finish_requested_) {
      finish_requested_ = true;
      finish_status_ = EndStatus(reason);
    }
    // A write that never completes (a client that stopped reading, a dead
    // network) would hold the stream forever: cancel the call. At shutdown
    // the server's drain deadline does that, and a reading client still
    // gets UNAVAILABLE once its write completes.
    cancel = reason != EndReason::kShutdown && write_in_flight_ && !done_;
  }
  if (cancel) context_->TryCancel();
  Step();
}

std::optional<std::chrono::steady_clock::time_point> SubscribeReactor::WriteStartedAt() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!write_in_flight_ || done_) return std::nullopt;
  return write_started_;
}

void SubscribeReactor::OnWriteDone(bool ok) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    write_in_flight_ = false;
    if (ok) written_ = current_seq_;
    current_.Clear();
    if (!ok && !finish_requested_) {
      finish_requested_ = true;
      finish_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "stream write failed");
    }
  }
  // Given only now that the transport took it; before the next write starts.
  services_.delivery.FinishedWrite(mailbox_, this, ok);
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
    auto page = services_.store.ReadMailbox(mailbox_, cursor_, kStreamReadBatch, kStreamReadBytes);
    if (!page.ok()) {
      finished_ = true;
      finish_status_ = ToGrpcStatus(page.status());
      return Action::kFinish;
    }
    for (auto& stored : page->envelopes) buffer_.push_back(ToWireEnvelope(std::move(stored)));
    if (page->more) dirty_ = true;
  }
  if (buffer_.empty()) return Action::kNone;
  current_seq_ = buffer_.front().seq();
  bool own_buffer = false;
  grpc::Status serialized =
      grpc::SerializationTraits<v1::Envelope>::Serialize(buffer_.front(), &current_, &own_buffer);
  buffer_.pop_front();
  if (!serialized.ok()) {
    finished_ = true;
    finish_status_ = grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize an envelope");
    return Action::kFinish;
  }
  services_.delivery.StartedWrite(mailbox_, this, written_, current_seq_);
  cursor_ = current_seq_;
  write_in_flight_ = true;
  write_started_ = std::chrono::steady_clock::now();
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
