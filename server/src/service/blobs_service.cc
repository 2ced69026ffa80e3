#include "server/src/service/blobs_service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <mutex>
#include <optional>

#include "securebase/crypto/secret.h"
#include "server/src/common/secrets.h"
#include "server/src/service/authenticator.h"
#include "server/src/service/call_source.h"
#include "server/src/service/grpc_status.h"
#include "server/src/service/request_limits.h"
#include "server/src/service/subscribe_reactor.h"
#include "server/src/service/unary.h"
#include "server/src/service/validation.h"

namespace securebase::server {
namespace {

constexpr Method kPut{"Blobs.PutBlob", kSmallRequestBytes + kBlobChunkSize};
constexpr Method kGet{"Blobs.GetBlob", kSmallRequestBytes};
constexpr size_t kCapabilitySize = 32;

BlobQuota QuotaOf(const Limits& limits) {
  return BlobQuota{uint64_t{limits.max_blob_mb} << 20, uint64_t{limits.max_account_blob_mb} << 20,
                   limits.max_blobs_per_account};
}

std::string CapabilityHash(const std::string& capability) {
  return HashSecret(SecretPurpose::kBlobReadCapability, capability);
}

// One upload: messages are read one at a time and each is stored (on the
// work queue) before the next read, so a fast sender holds one chunk here.
class PutReactor final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  PutReactor(ServiceContext& services, grpc::CallbackServerContext* context,
             grpc::ByteBuffer* response)
      : services_(services), context_(context), response_(response) {
    StartRead(&buffer_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client finished sending (or went away): answer with what is stored.
      if (!record_.has_value()) {
        return Done(Status::InvalidArgument("no PutBlobRequest was sent"));
      }
      v1::PutBlobResponse answer;
      answer.set_blob_id(blob_id_);
      answer.set_stored_size(record_->stored_size());
      answer.set_complete(record_->stored_size() == record_->total_size());
      bool own = false;
      if (!grpc::SerializationTraits<v1::PutBlobResponse>::Serialize(answer, response_, &own)
               .ok()) {
        return Done(Status::Internal("cannot serialize the answer"));
      }
      return Done(Status::Ok());
    }
    auto task = [this] {
      Status stored = Store();
      if (!stored.ok()) return Done(stored);
      StartRead(&buffer_);
    };
    switch (services_.work.TryPost(std::move(task))) {
      case WorkQueue::PostResult::kQueued:
        return;
      case WorkQueue::PostResult::kFull:
        return Done(Status::ResourceExhausted("the server is busy; retry later"));
      case WorkQueue::PostResult::kStopped:
        return Done(Status::Unavailable("server is shutting down"));
    }
  }

  void OnDone() override { delete this; }

 private:
  Status Store() {
    v1::PutBlobRequest request;
    SBS_RETURN_IF_ERROR(ParseRequest(kPut, buffer_, request));
    buffer_.Clear();
    if (!caller_.has_value()) {
      SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, *context_));
      caller_ = std::move(caller);
      SBS_RETURN_IF_ERROR(request.resume_blob_id().empty() ? Create(request) : Resume(request));
    } else if (request.kind() != v1::BLOB_KIND_UNSPECIFIED || request.total_size() != 0 ||
               !request.resume_blob_id().empty()) {
      return Status::InvalidArgument(
          "kind, total_size and resume_blob_id go in the first message only");
    }
    if (request.data().empty()) return Status::Ok();
    SBS_RETURN_IF_ERROR(CheckRoomToGrow(services_));
    SBS_ASSIGN_OR_RETURN(v1::BlobRecord after,
                         services_.store.AppendBlobChunk(blob_id_, caller_->user_id,
                                                         record_->stored_size(), request.data(),
                                                         /*sync=*/false));
    record_ = std::move(after);
    return Status::Ok();
  }

  Status Create(const v1::PutBlobRequest& request) {
    if (request.kind() != v1::BLOB_KIND_HISTORY_TRANSFER &&
        request.kind() != v1::BLOB_KIND_BACKUP) {
      return Status::InvalidArgument("kind must be BLOB_KIND_HISTORY_TRANSFER or BLOB_KIND_BACKUP");
    }
    if (request.total_size() == 0) return Status::InvalidArgument("total_size must be at least 1");
    if (request.offset() != 0) return Status::InvalidArgument("offset is for resuming only");
    v1::BlobRecord record;
    record.set_owner_user_id(caller_->user_id);
    record.set_kind(request.kind());
    record.set_total_size(request.total_size());
    const int64_t now = services_.clock.NowUnixMs();
    record.set_created_at_unix_ms(now);
    // Until complete every blob expires; a complete backup then stays.
    record.set_expires_at_unix_ms(now + int64_t{services_.limits.blob_transfer_seconds} * 1000);
    if (!request.read_capability().empty()) {
      SBS_RETURN_IF_ERROR(CheckSize("read_capability", request.read_capability(), kCapabilitySize));
      record.set_read_capability_hash(CapabilityHash(request.read_capability()));
    }
    SBS_RETURN_IF_ERROR(CheckRoomToGrow(services_));
    // The account's daily byte budget (the hardening's), charged for the
    // declared size at once.
    if (!services_.send_budget.Allows(caller_->user_id, request.total_size())) {
      return Status::ResourceExhausted(
          "this account stored its daily maximum; retry after midnight UTC");
    }
    blob_id_ = RandomBytes(services_.random, kBlobIdSize);
    SBS_RETURN_IF_ERROR(services_.store.CreateBlob(blob_id_, record, QuotaOf(services_.limits)));
    services_.send_budget.Charge(caller_->user_id, request.total_size());
    record_ = std::move(record);
    return Status::Ok();
  }

  Status Resume(const v1::PutBlobRequest& request) {
    SBS_RETURN_IF_ERROR(CheckSize("resume_blob_id", request.resume_blob_id(), kBlobIdSize));
    auto record = services_.store.GetBlobRecord(request.resume_blob_id());
    if (!record.ok() || record->owner_user_id() != caller_->user_id) {
      if (!record.ok() && !record.status().IsNotFound()) return record.status();
      return Status::NotFound("no such blob of this account (or it expired)");
    }
    if (record->stored_size() == record->total_size()) {
      return Status::FailedPrecondition("the blob is complete already");
    }
    if (request.offset() != record->stored_size()) {
      return Status::InvalidArgument("offset must be the stored size (" +
                                     std::to_string(record->stored_size()) + ")");
    }
    blob_id_ = request.resume_blob_id();
    record_ = std::move(*record);
    return Status::Ok();
  }

  void Done(const Status& status) {
    LogRpcOutcome(kPut.name, status, started_);
    Finish(ToGrpcStatus(status));
  }

  ServiceContext& services_;
  grpc::CallbackServerContext* const context_;
  grpc::ByteBuffer* const response_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // Touched by one step at a time (a read completes, then its task runs).
  grpc::ByteBuffer buffer_;
  std::optional<Caller> caller_;
  std::string blob_id_;
  std::optional<v1::BlobRecord> record_;
};

// One download: a chunk is read from the store for each write, so a slow
// reader holds one chunk here.
class GetReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  GetReactor(ServiceContext& services, std::string blob_id, v1::BlobRecord record, uint64_t offset)
      : services_(services),
        blob_id_(std::move(blob_id)),
        record_(std::move(record)),
        offset_(offset) {
    WriteNext(/*first=*/true);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the reader went away"));
    if (offset_ >= record_.total_size()) return Finish(grpc::Status::OK);
    WriteNext(/*first=*/false);
  }
  void OnDone() override { delete this; }

 private:
  void WriteNext(bool first) {
    v1::GetBlobResponse message;
    if (first) {
      message.set_total_size(record_.total_size());
      message.set_kind(record_.kind());
    }
    if (offset_ < record_.total_size()) {
      const uint64_t chunk_start = offset_ - offset_ % kBlobChunkSize;
      auto chunk = services_.store.ReadBlobChunk(blob_id_, chunk_start);
      if (!chunk.ok()) {
        // Deleted (or expired and swept) while being read.
        return Finish(ToGrpcStatus(chunk.status().IsNotFound()
                                       ? Status::NotFound("the blob was deleted")
                                       : chunk.status()));
      }
      message.set_data(chunk->substr(offset_ - chunk_start));
      offset_ = chunk_start + chunk->size();
    }
    buffer_.Clear();
    bool own = false;
    if (!grpc::SerializationTraits<v1::GetBlobResponse>::Serialize(message, &buffer_, &own).ok()) {
      return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize"));
    }
    StartWrite(&buffer_);
  }

  ServiceContext& services_;
  const std::string blob_id_;
  const v1::BlobRecord record_;
  uint64_t offset_;
  grpc::ByteBuffer buffer_;
};

// Who may read: the owner account's devices, or whoever holds the blob's
// read capability (checked by looking its hash up: no secret is compared).
Result<v1::BlobRecord> AuthorizeRead(ServiceContext& services,
                                     const grpc::CallbackServerContext& context,
                                     const v1::GetBlobRequest& request) {
  SBS_RETURN_IF_ERROR(CheckSize("blob_id", request.blob_id(), kBlobIdSize));
  const Status not_found = Status::NotFound("no such blob (or not yours to read)");
  std::optional<Caller> caller;
  if (request.read_capability().empty() || context.client_metadata().count("authorization") != 0) {
    SBS_ASSIGN_OR_RETURN(Caller authenticated, AuthenticateCall(services, context));
    caller = std::move(authenticated);
  } else {
    // A device restoring a backup has no token yet: bounded like logins.
    SBS_RETURN_IF_ERROR(
        services.anonymous_limits.AdmitLogin(CallSource(context, services.trusted_proxies)));
  }
  auto record = services.store.GetBlobRecord(request.blob_id());
  if (!record.ok()) return record.status().IsNotFound() ? not_found : record.status();
  bool allowed = caller.has_value() && caller->user_id == record->owner_user_id();
  if (!allowed && !request.read_capability().empty()) {
    SBS_RETURN_IF_ERROR(CheckSize("read_capability", request.read_capability(), kCapabilitySize));
    auto named = services.store.FindBlobByCapability(CapabilityHash(request.read_capability()));
    allowed = named.ok() && *named == request.blob_id();
  }
  if (!allowed) return not_found;
  if (record->stored_size() != record->total_size()) return not_found;  // Not complete yet.
  if (request.offset() > record->total_size()) {
    return Status::OutOfRange("offset is beyond the blob's " +
                              std::to_string(record->total_size()) + " bytes");
  }
  return record;
}

}  // namespace

grpc::ServerReadReactor<grpc::ByteBuffer>* BlobsService::PutBlob(
    grpc::CallbackServerContext* context, grpc::ByteBuffer* response) {
  return new PutReactor(services_, context, response);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* BlobsService::GetBlob(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  const auto started = std::chrono::steady_clock::now();
  v1::GetBlobRequest request;
  Status parsed = ParseRequest(kGet, *raw_request, request);
  Result<v1::BlobRecord> record =
      parsed.ok() ? AuthorizeRead(services_, *context, request) : Result<v1::BlobRecord>(parsed);
  if (!record.ok()) {
    LogRpcOutcome(kGet.name, record.status(), started);
    return FailedSubscribe(ToGrpcStatus(record.status()));
  }
  return new GetReactor(services_, request.blob_id(), std::move(*record), request.offset());
}

grpc::ServerUnaryReactor* BlobsService::GetBlobInfo(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetBlobInfoRequest, v1::GetBlobInfoResponse>(
      context, request, response, {"Blobs.GetBlobInfo", kSmallRequestBytes},
      [=, this](const auto& req, auto& resp, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish),
                  [this, context, &req, &resp]() -> Status {
                    SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, *context));
                    std::string blob_id = req.blob_id();
                    std::optional<v1::BlobRecord> found;
                    if (blob_id.empty()) {
                      if (req.kind() != v1::BLOB_KIND_BACKUP) {
                        return Status::InvalidArgument(
                            "blob_id is empty (only with kind BLOB_KIND_BACKUP)");
                      }
                      SBS_ASSIGN_OR_RETURN(auto owned, services_.store.ListBlobs(caller.user_id));
                      for (auto& [id, record] : owned) {  // The newest complete backup.
                        if (record.kind() == v1::BLOB_KIND_BACKUP &&
                            record.stored_size() == record.total_size()) {
                          blob_id = id;
                          found = record;
                        }
                      }
                      if (!found.has_value())
                        return Status::NotFound("the account has no backup on the server");
                    } else {
                      SBS_RETURN_IF_ERROR(CheckSize("blob_id", blob_id, kBlobIdSize));
                      auto record = services_.store.GetBlobRecord(blob_id);
                      if (!record.ok() || record->owner_user_id() != caller.user_id) {
                        if (!record.ok() && !record.status().IsNotFound()) return record.status();
                        return Status::NotFound("no such blob of this account");
                      }
                      found = std::move(*record);
                    }
                    resp.set_blob_id(blob_id);
                    resp.set_kind(found->kind());
                    resp.set_total_size(found->total_size());
                    resp.set_stored_size(found->stored_size());
                    resp.set_complete(found->stored_size() == found->total_size());
                    resp.set_created_at_unix_ms(found->created_at_unix_ms());
                    resp.set_expires_at_unix_ms(found->expires_at_unix_ms());
                    return Status::Ok();
                  });
      });
}

grpc::ServerUnaryReactor* BlobsService::DeleteBlob(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) {
  return ServeUnary<v1::DeleteBlobRequest, v1::DeleteBlobResponse>(
      context, request, response, {"Blobs.DeleteBlob", kSmallRequestBytes},
      [=, this](const auto& req, auto&, UnaryFinish finish) {
        PostUnary(services_.work, context, std::move(finish), [this, context, &req]() -> Status {
          SBS_ASSIGN_OR_RETURN(Caller caller, AuthenticateCall(services_, *context));
          SBS_RETURN_IF_ERROR(CheckSize("blob_id", req.blob_id(), kBlobIdSize));
          // Deletes always work, also when the disk is low.
          return services_.store.DeleteBlob(req.blob_id(), caller.user_id);
        });
      });
}

}  // namespace securebase::server
