#include "server/src/app/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "securebase/crypto/random.h"
#include "server/src/admin/admin_ops.h"
#include "server/src/admin/admin_service.h"
#include "server/src/app/data_dir.h"
#include "server/src/app/fd_limit.h"
#include "server/src/app/grpc_log.h"
#include "server/src/common/log.h"
#include "server/src/service/accounts_service.h"
#include "server/src/service/keys_service.h"
#include "server/src/service/links_service.h"
#include "server/src/service/messages_service.h"
#include "server/src/service/provisioning_service.h"
#include "server/src/service/blobs_service.h"
#include "securebase/crypto/provisioning.h"
#include "server/src/service/request_limits.h"
#include "server/src/store/rocks_store.h"

namespace securebase::server {
namespace {

// Threads that run unary bodies (store work, synced writes). Enough that
// concurrent sends share fsyncs (group commit).
constexpr size_t kWorkThreads = 16;
// Calls waiting for a work thread beyond which new ones are refused
// (RESOURCE_EXHAUSTED "busy"): queueing more only makes everyone wait longer.
constexpr size_t kMaxQueuedCalls = 512;
// Register, GetChallenge and Authenticate get their own small pool, so a
// flood of them never queues in front of authenticated work.
constexpr size_t kAnonymousThreads = 2;
constexpr size_t kMaxQueuedAnonymousCalls = 64;
constexpr auto kDrainTimeout = std::chrono::seconds(10);
// After a stop the server chose (it cannot go on), restart soon.
constexpr auto kFatalDrainTimeout = std::chrono::seconds(2);

Result<std::string> ReadFile(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(std::string("cannot read ") + flag + " file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (buffer.str().empty()) return Status::InvalidArgument(std::string(flag) + " file " + path + " is empty");
  return buffer.str();
}

int Millis(uint32_t seconds) {
  return static_cast<int>(std::min<uint64_t>(uint64_t{seconds} * 1000, INT32_MAX));
}

// Every limit gRPC 1.51 honours in-process. (Its HPACK parser still takes
// header blocks of any size, quadratically: CVE-2023-33953. Production puts
// nginx in front for that; see deploy/nginx and docs/SERVER.md.)
void ApplyConnectionLimits(const Limits& limits, grpc::ServerBuilder& builder) {
  // Silent peers: the server pings, and a dead network is noticed in
  // keepalive + timeout instead of the kernel's two hours. Pings continue
  // on a connection that only has a quiet stream (no data sent).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Millis(limits.keepalive_seconds));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             Millis(limits.keepalive_timeout_seconds));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Idle connections, never-finished handshakes and half-sent requests.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             Millis(limits.connection_idle_seconds));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, Millis(limits.connection_age_seconds));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             Millis(limits.connection_age_grace_seconds));
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             Millis(limits.handshake_timeout_seconds));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             static_cast<int>(limits.max_streams_per_connection));
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE,
                             static_cast<int>(limits.max_metadata_bytes));
  // No request compression: a 31 KiB gzip frame inflated to 31 MiB. Only
  // identity is enabled (a compressed call is refused with UNIMPLEMENTED
  // before its message is read), and the decompressing filter is not even
  // in the stack.
  builder.AddChannelArgument(GRPC_COMPRESSION_CHANNEL_ENABLED_ALGORITHMS_BITSET, 1);
  builder.AddChannelArgument(GRPC_ARG_ENABLE_PER_MESSAGE_DECOMPRESSION, 0);
  // One memory budget for every connection's buffers; under pressure gRPC
  // stops accepting connections and reclaims memory from existing ones.
  grpc::ResourceQuota quota("securebase-server");
  quota.Resize(size_t{limits.memory_quota_mb} << 20);
  builder.SetResourceQuota(quota);
}

class ServerImpl final : public Server {
 public:
  ServerImpl(const ServeConfig& config, Clock& clock) : config_(config), clock_(clock) {}

  ~ServerImpl() override { Shutdown(); }

  Status Init() {
    std::shared_ptr<grpc::ServerCredentials> credentials;
    if (config_.insecure_loopback) {
      credentials = grpc::InsecureServerCredentials();
    } else {
      SBS_ASSIGN_OR_RETURN(std::string cert, ReadFile(config_.tls_cert, "--tls-cert"));
      SBS_ASSIGN_OR_RETURN(std::string key, ReadFile(config_.tls_key, "--tls-key"));
      grpc::SslServerCredentialsOptions ssl;
      ssl.pem_key_cert_pairs.push_back({key, cert});
      credentials = grpc::SslServerCredentials(ssl);
      std::fill(key.begin(), key.end(), '\0');
    }
    SBS_ASSIGN_OR_RETURN(HostPort listen, ParseHostPort(config_.listen));

    SBS_RETURN_IF_ERROR(EnsureDataDir(config_.data_dir));
    RocksStoreOptions store_options;
    store_options.path = DatabasePath(config_.data_dir);
    store_options.sync_writes = config_.sync_writes;
    store_options.max_open_files = MaxOpenTableFiles(CurrentFdLimit());
    SBS_ASSIGN_OR_RETURN(store_, RocksStore::Open(store_options, clock_));

    const Limits& limits = config_.limits;
    random_ = &crypto::SystemRandom();
    rate_limiter_ = std::make_unique<RateLimiter>(clock_, limits.rate_limit_rps, limits.rate_limit_burst);
    SBS_ASSIGN_OR_RETURN(trusted_proxies_, TrustedProxies::Parse(config_.trusted_proxies));
    anonymous_limits_ = std::make_unique<AnonymousLimits>(clock_, limits);
    const int64_t failure_window_ms = int64_t{limits.failed_login_window_seconds} * 1000;
    device_login_failures_ = std::make_unique<FailureBackoff>(clock_, limits.max_failed_logins,
                                                              failure_window_ms, failure_window_ms);
    challenges_ = std::make_unique<LoginChallenges>(clock_, *random_,
                                                    int64_t{limits.challenge_ttl_seconds} * 1000);
    delivery_ = std::make_unique<DeliveryRegistry>(StreamLimits{
        limits.max_streams_per_device, limits.max_streams_per_account, limits.max_streams});
    disk_ = std::make_unique<DiskSpace>(config_.data_dir, ReservePath(config_.data_dir),
                                        uint64_t{limits.min_free_disk_mb} << 20,
                                        uint64_t{limits.disk_reserve_mb} << 20);
    TendDisk();  // The reserve, before anything else can take the space.
    send_budget_ =
        std::make_unique<SendBudget>(clock_, uint64_t{limits.max_account_mb_per_day} << 20);
    work_ = std::make_unique<WorkQueue>(kWorkThreads, kMaxQueuedCalls);
    anonymous_work_ = std::make_unique<WorkQueue>(kAnonymousThreads, kMaxQueuedAnonymousCalls);
    context_ = std::make_unique<ServiceContext>(ServiceContext{
        *store_, clock_, *random_, config_.limits, config_.therapist_registration, *rate_limiter_,
        *anonymous_limits_, trusted_proxies_, *challenges_, *device_login_failures_, *delivery_,
        *work_, *anonymous_work_, *disk_, *send_budget_});
    accounts_ = std::make_unique<AccountsService>(*context_);
    keys_ = std::make_unique<KeysService>(*context_);
    links_ = std::make_unique<LinksService>(*context_);
    messages_ = std::make_unique<MessagesService>(*context_);
    ProvisioningLimits provisioning_limits;
    provisioning_limits.lifetime_ms = int64_t{limits.provisioning_slot_seconds} * 1000;
    provisioning_limits.max_slots = limits.max_provisioning_slots;
    provisioning_limits.opens_per_second_per_source = limits.provisioning_rps_per_source;
    provisioning_limits.open_burst_per_source = limits.provisioning_burst_per_source;
    provisioning_limits.max_message_bytes = crypto::kMaxProvisioningMessageSize;
    provisioning_slots_ = std::make_unique<ProvisioningSlots>(clock_, provisioning_limits);
    provisioning_ = std::make_unique<ProvisioningService>(*context_, *provisioning_slots_);
    blobs_ = std::make_unique<BlobsService>(*context_);

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    // Without this a second server could bind the same port (SO_REUSEPORT)
    // and silently take half the connections.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    ApplyConnectionLimits(limits, builder);
    std::string bind_host = listen.host.find(':') != std::string::npos ? "[" + listen.host + "]"
                                                                        : listen.host;
    builder.AddListeningPort(bind_host + ":" + std::to_string(listen.port), credentials, &port_);
    builder.RegisterService(accounts_.get());
    builder.RegisterService(keys_.get());
    builder.RegisterService(links_.get());
    builder.RegisterService(messages_.get());
    builder.RegisterService(provisioning_.get());
    builder.RegisterService(blobs_.get());
    // The largest legal Send; every other method has its own, much smaller
    // limit, checked before its body is parsed (request_limits.h).
    builder.SetMaxReceiveMessageSize(
        static_cast<int>(std::min<uint64_t>(MaxSendRequestBytes(limits), INT32_MAX)));
    grpc_server_ = builder.BuildAndStart();
    if (!grpc_server_ || port_ == 0) {
      return Status::Internal("cannot listen on " + config_.listen);
    }
    listening_ = bind_host + ":" + std::to_string(port_);
    SetListenerFailureHandler([this] { Stop(StopReason::kListenerFailed); });
    StartAdminSocket();

    sweeper_ = std::thread([this] { SweepLoop(); });
    monitor_ = std::thread([this] { MonitorLoop(); });
    Log(LogLevel::kInfo, "server_started",
        {{"listen", listening_},
         {"tls", config_.insecure_loopback ? "off" : "on"},
         {"sync_writes", config_.sync_writes ? "true" : "false"},
         {"fd_limit", std::to_string(CurrentFdLimit())},
         {"max_open_files", std::to_string(store_options.max_open_files)},
         {"therapist_registration",
          config_.therapist_registration == TherapistRegistration::kOpen ? "open" : "token"}});
    return Status::Ok();
  }

  std::string listening_address() const override { return listening_; }
  int port() const override { return port_; }

  StopReason WaitForStop() override {
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait(lock, [this] { return stop_reason_.has_value(); });
    return *stop_reason_;
  }

  void RequestStop() override { Stop(StopReason::kRequested); }

  void Shutdown() override {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    if (stopped_) return;
    stopped_ = true;
    SetListenerFailureHandler({});
    auto start = std::chrono::steady_clock::now();
    if (grpc_server_) {
      if (auto* health = grpc_server_->GetHealthCheckService()) health->SetServingStatus(false);
      delivery_->ShutdownAll();
      provisioning_slots_->Shutdown();
      bool fatal;
      {
        std::lock_guard<std::mutex> stop_lock(stop_mu_);
        fatal = stop_reason_.has_value() && *stop_reason_ != StopReason::kRequested;
      }
      grpc_server_->Shutdown(std::chrono::system_clock::now() +
                             (fatal ? kFatalDrainTimeout : kDrainTimeout));
      grpc_server_->Wait();
    }
    if (admin_server_) {
      admin_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
      admin_server_->Wait();
      std::error_code ec;
      std::filesystem::remove(AdminSocketPath(config_.data_dir), ec);
    }
    if (work_) work_->Stop();
    if (anonymous_work_) anonymous_work_->Stop();
    {
      std::lock_guard<std::mutex> sweep_lock(sweep_mu_);
      sweep_stop_ = true;
    }
    sweep_cv_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    if (monitor_.joinable()) monitor_.join();
    grpc_server_.reset();
    admin_server_.reset();
    store_.reset();  // Flushes the WAL and closes RocksDB.
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start).count();
    if (port_ != 0) Log(LogLevel::kInfo, "server_stopped", {{"drain_ms", std::to_string(ms)}});
  }

 private:
  void StartAdminSocket() {
    std::string path = AdminSocketPath(config_.data_dir);
    if (path.size() >= 100) {
      Log(LogLevel::kWarning, "admin_socket_disabled", {{"reason", "data dir path too long for a unix socket"}});
      return;
    }
    std::error_code ec;
    // We hold the database lock, so a socket file left here is stale.
    std::filesystem::remove(path, ec);
    admin_ops_ = std::make_unique<AdminOps>(*store_, clock_, *random_);
    admin_service_ = std::make_unique<AdminService>(*admin_ops_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + path, grpc::InsecureServerCredentials());
    builder.RegisterService(admin_service_.get());
    mode_t old_mask = ::umask(0077);  // The socket is created 0600.
    admin_server_ = builder.BuildAndStart();
    ::umask(old_mask);
    if (!admin_server_) {
      Log(LogLevel::kWarning, "admin_socket_disabled", {{"reason", "cannot listen on the admin socket"}});
      return;
    }
    ::chmod(path.c_str(), 0600);
  }

  // The first reason wins; wakes WaitForStop(). Never blocks (it may run on
  // a gRPC thread).
  void Stop(StopReason reason) {
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      if (stop_reason_.has_value()) return;
      stop_reason_ = reason;
    }
    if (reason != StopReason::kRequested) {
      Log(LogLevel::kError, "server_cannot_go_on",
          {{"reason", StopReasonName(reason)}, {"action", "shutting down to be restarted"}});
    }
    stop_cv_.notify_all();
  }

  void SetServing(bool serving) {
    if (auto* health = grpc_server_->GetHealthCheckService()) health->SetServingStatus(serving);
  }

  // Once a second: can the store write? While it cannot, health says
  // NOT_SERVING; if it stays so, the server stops (to be restarted).
  void CheckStorage(std::chrono::steady_clock::time_point now) {
    Status writable = store_->CheckWritable();
    if (writable.ok()) {
      if (storage_failed_since_.has_value()) {
        storage_failed_since_.reset();
        Log(LogLevel::kInfo, "storage_recovered");
        SetServing(true);
      }
      return;
    }
    if (!storage_failed_since_.has_value()) {
      storage_failed_since_ = now;
      Log(LogLevel::kError, "storage_failed", {{"health", "not_serving"}});
      SetServing(false);
    }
    if (now - *storage_failed_since_ >=
        std::chrono::seconds(config_.storage_failure_exit_seconds)) {
      Stop(StopReason::kStorageFailed);
    }
  }

  // Once a second: the disk reserve and the growth threshold.
  void TendDisk() {
    switch (disk_->Tend()) {
      case DiskSpace::Change::kNone:
        return;
      case DiskSpace::Change::kReserveReleased:
        Log(LogLevel::kError, "disk_reserve_released",
            {{"reserve_mb", std::to_string(config_.limits.disk_reserve_mb)},
             {"why", "the disk is nearly full; acknowledgements and logins use the reserve"}});
        return;
      case DiskSpace::Change::kReserveRestored:
        Log(LogLevel::kInfo, "disk_reserve_restored");
        return;
      case DiskSpace::Change::kGrowthStopped:
        Log(LogLevel::kError, "disk_low",
            {{"min_free_mb", std::to_string(config_.limits.min_free_disk_mb)},
             {"action", "refusing sends and registrations until space is freed"}});
        return;
      case DiskSpace::Change::kGrowthResumed:
        Log(LogLevel::kInfo, "disk_ok");
        return;
    }
  }

  // Once a second: storage, streams whose client stopped reading,
  // acknowledgements that waited long enough for a stream write; once a
  // minute the limiters forget what they no longer need.
  void MonitorLoop() {
    const auto stall = std::chrono::seconds(config_.limits.stream_write_timeout_seconds);
    constexpr auto kPruneInterval = std::chrono::seconds(60);
    auto last_prune = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(sweep_mu_);
    while (!sweep_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return sweep_stop_; })) {
      lock.unlock();
      const auto now = std::chrono::steady_clock::now();
      TendDisk();
      CheckStorage(now);
      size_t ended = delivery_->EndStalled(now, stall);
      if (ended > 0) Log(LogLevel::kInfo, "streams_stalled", {{"ended", std::to_string(ended)}});
      delivery_->ExpireAckWaiters(now, kAckWaitForWrite);
      provisioning_slots_->ExpireSlots();
      if (now - last_prune >= kPruneInterval) {
        // What unauthenticated callers made the limiters remember.
        last_prune = now;
        rate_limiter_->Prune();
        anonymous_limits_->Prune();
        device_login_failures_->Prune();
        challenges_->Prune();
        send_budget_->Prune();
      }
      lock.lock();
    }
  }

  void SweepLoop() {
    const auto interval = std::chrono::seconds(config_.sweep_interval_seconds);
    const int64_t retention_ms = int64_t{config_.limits.retention_days} * 86400 * 1000;
    const int64_t audit_retention_ms = int64_t{config_.limits.audit_retention_days} * 86400 * 1000;
    std::unique_lock<std::mutex> lock(sweep_mu_);
    for (;;) {
      lock.unlock();
      auto start = std::chrono::steady_clock::now();
      auto counts = store_->Sweep(retention_ms, audit_retention_ms);
      // Expired history archives and unfinished uploads, in bounded rounds.
      constexpr uint32_t kBlobSweepBatch = 256;
      for (int round = 0; round < 64; ++round) {
        auto blobs = store_->SweepBlobs(clock_.NowUnixMs(), kBlobSweepBatch);
        if (!blobs.ok() || *blobs < kBlobSweepBatch) break;
      }
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start).count();
      if (counts.ok()) {
        Log(LogLevel::kInfo, "sweep",
            {{"envelopes", std::to_string(counts->envelopes)},
             {"idempotency", std::to_string(counts->idempotency)},
             {"invites", std::to_string(counts->invites)},
             {"tokens", std::to_string(counts->tokens)},
             {"registration_tokens", std::to_string(counts->registration_tokens)},
             {"audit", std::to_string(counts->audit)},
             {"duration_ms", std::to_string(ms)}});
      } else {
        Log(LogLevel::kError, "sweep_failed", {{"code", StatusCodeName(counts.status().code())}});
      }
      lock.lock();
      if (sweep_cv_.wait_for(lock, interval, [this] { return sweep_stop_; })) return;
    }
  }

  ServeConfig config_;
  Clock& clock_;
  crypto::RandomSource* random_ = nullptr;
  std::unique_ptr<RocksStore> store_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  TrustedProxies trusted_proxies_;
  std::unique_ptr<AnonymousLimits> anonymous_limits_;
  std::unique_ptr<FailureBackoff> device_login_failures_;
  std::unique_ptr<LoginChallenges> challenges_;
  std::unique_ptr<DeliveryRegistry> delivery_;
  std::unique_ptr<DiskSpace> disk_;
  std::unique_ptr<SendBudget> send_budget_;
  std::unique_ptr<WorkQueue> work_;
  std::unique_ptr<WorkQueue> anonymous_work_;
  std::unique_ptr<ServiceContext> context_;
  std::unique_ptr<AccountsService> accounts_;
  std::unique_ptr<KeysService> keys_;
  std::unique_ptr<LinksService> links_;
  std::unique_ptr<MessagesService> messages_;
  std::unique_ptr<ProvisioningSlots> provisioning_slots_;
  std::unique_ptr<ProvisioningService> provisioning_;
  std::unique_ptr<BlobsService> blobs_;
  std::unique_ptr<AdminOps> admin_ops_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<grpc::Server> admin_server_;
  int port_ = 0;
  std::string listening_;

  std::thread sweeper_;
  std::thread monitor_;
  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool sweep_stop_ = false;  // Guarded by sweep_mu_.

  std::mutex shutdown_mu_;
  bool stopped_ = false;  // Guarded by shutdown_mu_.

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::optional<StopReason> stop_reason_;  // Guarded by stop_mu_.
  // When storage writes started failing (the monitor thread only).
  std::optional<std::chrono::steady_clock::time_point> storage_failed_since_;
};

}  // namespace

const char* StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kRequested:
      return "requested";
    case StopReason::kStorageFailed:
      return "storage_failed";
    case StopReason::kListenerFailed:
      return "listener_failed";
  }
  return "unknown";
}

Result<std::unique_ptr<Server>> Server::Start(const ServeConfig& config, Clock& clock) {
  RouteGrpcLogsThroughOurs();
  auto server = std::make_unique<ServerImpl>(config, clock);
  Status status = server->Init();
  if (!status.ok()) {
    server->Shutdown();
    return status;
  }
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace securebase::server
