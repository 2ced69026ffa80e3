#include "server/src/app/admin_commands.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include "securebase/v1/admin.grpc.pb.h"
#include "server/src/admin/admin_ops.h"
#include "server/src/app/data_dir.h"
#include "server/src/common/secrets.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {
namespace {

// The four operations, either on an open store or over the admin socket.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Status IssueTherapistToken(const v1::IssueTherapistTokenRequest& request,
                                     v1::IssueTherapistTokenResponse& response) = 0;
  virtual Status Backup(const v1::BackupRequest& request) = 0;
  virtual Status ListAudit(const v1::ListAuditRequest& request, v1::ListAuditResponse& response) = 0;
  virtual Status Stats(const v1::StatsRequest& request, v1::StatsResponse& response) = 0;
};

class DirectBackend final : public Backend {
 public:
  explicit DirectBackend(std::unique_ptr<RocksStore> store)
      : store_(std::move(store)), ops_(*store_, SystemClock(), crypto::SystemRandom()) {}
  Status IssueTherapistToken(const v1::IssueTherapistTokenRequest& request,
                             v1::IssueTherapistTokenResponse& response) override {
    return ops_.IssueTherapistToken(request, response);
  }
  Status Backup(const v1::BackupRequest& request) override { return ops_.Backup(request); }
  Status ListAudit(const v1::ListAuditRequest& request, v1::ListAuditResponse& response) override {
    return ops_.ListAudit(request, response);
  }
  Status Stats(const v1::StatsRequest& request, v1::StatsResponse& response) override {
    return ops_.Stats(request, response);
  }

 private:
  std::unique_ptr<RocksStore> store_;
  AdminOps ops_;
};

Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return Status::Ok();
  StatusCode code = StatusCode::kInternal;
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT: code = StatusCode::kInvalidArgument; break;
    case grpc::StatusCode::NOT_FOUND: code = StatusCode::kNotFound; break;
    case grpc::StatusCode::FAILED_PRECONDITION: code = StatusCode::kFailedPrecondition; break;
    case grpc::StatusCode::UNAVAILABLE: code = StatusCode::kUnavailable; break;
    default: break;
  }
  return Status(code, "running server: " + status.error_message());
}

class SocketBackend final : public Backend {
 public:
  explicit SocketBackend(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::Admin::NewStub(channel)) {}
  Status IssueTherapistToken(const v1::IssueTherapistTokenRequest& request,
                             v1::IssueTherapistTokenResponse& response) override {
    grpc::ClientContext context;
    return FromGrpc(stub_->IssueTherapistToken(&context, request, &response));
  }
  Status Backup(const v1::BackupRequest& request) override {
    grpc::ClientContext context;
    v1::BackupResponse response;
    return FromGrpc(stub_->Backup(&context, request, &response));
  }
  Status ListAudit(const v1::ListAuditRequest& request, v1::ListAuditResponse& response) override {
    grpc::ClientContext context;
    return FromGrpc(stub_->ListAudit(&context, request, &response));
  }
  Status Stats(const v1::StatsRequest& request, v1::StatsResponse& response) override {
    grpc::ClientContext context;
    return FromGrpc(stub_->Stats(&context, request, &response));
  }

 private:
  std::unique_ptr<v1::Admin::Stub> stub_;
};

Result<std::unique_ptr<Backend>> OpenBackend(const std::string& data_dir, bool create) {
  if (!create && !std::filesystem::is_directory(data_dir)) {
    return Status::NotFound("no data dir at " + data_dir);
  }
  // Creates a missing one, and refuses one that others can read.
  SBS_RETURN_IF_ERROR(EnsureDataDir(data_dir));
  RocksStoreOptions options;
  options.path = DatabasePath(data_dir);
  options.create_if_missing = create;
  auto store = RocksStore::Open(options, SystemClock());
  if (store.ok()) return std::unique_ptr<Backend>(new DirectBackend(std::move(store).value()));
  if (store.status().code() != StatusCode::kUnavailable) return store.status();

  // A running server holds the database: use its admin socket.
  std::string socket = AdminSocketPath(data_dir);
  auto channel = grpc::CreateChannel("unix:" + socket, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    return Status::Unavailable("the database is in use and the running server's admin socket " +
                               socket + " does not answer");
  }
  return std::unique_ptr<Backend>(new SocketBackend(channel));
}

std::string FormatTime(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &tm);
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03dZ", static_cast<int>(unix_ms % 1000));
  return std::string(buffer) + millis;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

void PrintAudit(const v1::AuditRecord& record, bool json) {
  if (json) {
    std::cout << "{\"time_unix_ms\":" << record.time_unix_ms()
              << ",\"time\":" << JsonString(FormatTime(record.time_unix_ms()))
              << ",\"event\":" << JsonString(record.event())
              << ",\"user_id\":" << JsonString(ToHex(record.user_id()))
              << ",\"device_id\":" << record.device_id()
              << ",\"peer_user_id\":" << JsonString(ToHex(record.peer_user_id()))
              << ",\"detail\":" << JsonString(record.detail()) << "}\n";
    return;
  }
  std::cout << FormatTime(record.time_unix_ms()) << " event=" << record.event();
  if (!record.user_id().empty()) std::cout << " user=" << ToHex(record.user_id());
  if (record.device_id() != 0) std::cout << " device=" << record.device_id();
  if (!record.peer_user_id().empty()) std::cout << " peer=" << ToHex(record.peer_user_id());
  if (!record.detail().empty()) std::cout << " " << record.detail();
  std::cout << "\n";
}

Status Run(Command command, const AdminConfig& config) {
  bool create = command == Command::kIssueTherapistToken;
  SBS_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenBackend(config.data_dir, create));
  switch (command) {
    case Command::kIssueTherapistToken: {
      v1::IssueTherapistTokenRequest request;
      request.set_expires_hours(config.expires_hours);
      v1::IssueTherapistTokenResponse response;
      SBS_RETURN_IF_ERROR(backend->IssueTherapistToken(request, response));
      std::cout << response.token() << std::endl;
      return Status::Ok();
    }
    case Command::kBackup: {
      v1::BackupRequest request;
      request.set_to_dir(std::filesystem::absolute(config.to).lexically_normal().string());
      SBS_RETURN_IF_ERROR(backend->Backup(request));
      std::cout << "backup written to " << request.to_dir() << " (start a server with --data-dir "
                << request.to_dir() << ")" << std::endl;
      return Status::Ok();
    }
    case Command::kAudit: {
      v1::ListAuditRequest request;
      for (;;) {
        v1::ListAuditResponse response;
        SBS_RETURN_IF_ERROR(backend->ListAudit(request, response));
        for (const auto& record : response.records()) PrintAudit(record, config.json);
        if (response.next_key().empty()) break;
        request.set_after_key(response.next_key());
      }
      std::cout.flush();
      return Status::Ok();
    }
    case Command::kStats: {
      v1::StatsRequest request;
      request.set_compact(config.compact);
      v1::StatsResponse response;
      SBS_RETURN_IF_ERROR(backend->Stats(request, response));
      for (const auto& count : response.counts()) {
        std::cout << count.kind() << " " << count.count() << "\n";
      }
      std::cout << "disk_bytes " << response.disk_bytes() << "\n";
      std::cout << "sst_bytes " << response.sst_bytes() << std::endl;
      return Status::Ok();
    }
    default:
      return Status::InvalidArgument("not an admin command");
  }
}

}  // namespace

int RunAdminCommand(Command command, const AdminConfig& config) {
  Status status = Run(command, config);
  if (!status.ok()) {
    std::cerr << "securebase-server: " << status.message() << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace securebase::server
