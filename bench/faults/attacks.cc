#include "bench/faults/attacks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include "tests/server/integration/harness/raw_h2.h"
#include "tests/server/integration/harness/server_process.h"
#include "tests/server/integration/harness/subprocess.h"

namespace securebase::bench {
namespace {

using Clock = std::chrono::steady_clock;

// "10.<net>.<hi>.<lo>": address `index` of an attack's own /16.
std::string SourceAddress(int net, uint64_t index) {
  return "10." + std::to_string(net) + "." + std::to_string((index >> 8) & 0xff) + "." +
         std::to_string(index & 0xff);
}

// Sleeps `d` in short steps; false as soon as `stop` is set.
bool SleepWhileRunning(const std::function<bool()>& stop, std::chrono::milliseconds d) {
  const auto end = Clock::now() + d;
  while (!stop()) {
    const auto now = Clock::now();
    if (now >= end) return true;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(end - now, std::chrono::milliseconds(20)));
  }
  return false;
}

}  // namespace

std::unique_ptr<grpc::ClientContext> SourceContext(const std::string& source,
                                                   const std::string& token) {
  auto context = it::MakeContext(token);
  context->AddMetadata("x-real-ip", source);
  return context;
}

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  // TestChannelArguments() uses a subchannel pool local to the channel.
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   it::TestChannelArguments());
}

void Attack::Start() {
  stop_ = false;
  for (int t = 0; t < Threads(); ++t) threads_.emplace_back([this, t] { Run(t); });
}

void Attack::Stop() {
  if (threads_.empty()) return;
  stop_ = true;
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  Release();
}

std::string Attack::Summary() const { return answers_.CodesString(); }

RegistrationFlood::RegistrationFlood(const std::string& address, int sources, int threads,
                                     int requests)
    : api_(std::make_shared<it::Api>(OwnChannel(address))), sources_(sources), threads_(threads) {
  for (int i = 0; i < requests; ++i) {
    it::TestAccount account(api_, it::v1::ROLE_CLIENT, /*one_time_prekeys=*/100);
    requests_.push_back(account.MakeRegisterRequest());
  }
}

void RegistrationFlood::Run(int /*thread*/) {
  while (!stopping()) {
    // Past the prepared ones, identities repeat (ALREADY_EXISTS if admitted).
    const size_t k = next_.fetch_add(1);
    auto context = SourceContext(SourceAddress(66, k % static_cast<size_t>(sources_)));
    it::v1::RegisterResponse response;
    const auto start = Clock::now();
    grpc::Status status =
        api_->accounts->Register(context.get(), requests_[k % requests_.size()], &response);
    answers().Add(status.error_code(), Clock::now() - start);
  }
}

LoginLockout::LoginLockout(const std::string& address, std::vector<it::v1::DeviceAddress> victims,
                           int sources, int threads)
    : api_(std::make_shared<it::Api>(OwnChannel(address))),
      victims_(std::move(victims)),
      sources_(sources),
      threads_(threads) {}

void LoginLockout::Run(int /*thread*/) {
  while (!stopping()) {
    const uint64_t k = next_.fetch_add(1);
    const it::v1::DeviceAddress& victim = victims_[k % victims_.size()];
    const std::string source = SourceAddress(67, (k / 2) % static_cast<uint64_t>(sources_));
    it::v1::AuthenticateRequest junk;
    junk.set_user_id(victim.user_id());
    junk.set_device_id(victim.device_id());
    junk.set_signature(it::RandomBytes(64));
    if (k % 2 == 0) {
      // A real challenge for the victim's device, signed by someone who
      // cannot: what counts against a device.
      it::v1::GetChallengeRequest request;
      request.set_user_id(victim.user_id());
      request.set_device_id(victim.device_id());
      it::v1::GetChallengeResponse challenge;
      const auto start = Clock::now();
      grpc::Status status =
          api_->accounts->GetChallenge(SourceContext(source).get(), request, &challenge);
      answers().Add(status.error_code(), Clock::now() - start);
      if (!status.ok()) continue;
      junk.set_challenge(challenge.challenge());
    } else {
      junk.set_challenge(it::RandomBytes(32));
    }
    it::v1::AuthenticateResponse response;
    const auto start = Clock::now();
    grpc::Status status =
        api_->accounts->Authenticate(SourceContext(source).get(), junk, &response);
    answers().Add(status.error_code(), Clock::now() - start);
  }
}

StreamHolder::StreamHolder(const std::string& address, std::vector<HolderAccount> accounts,
                           int streams_per_device, size_t envelope_bytes,
                           std::chrono::milliseconds send_interval)
    : accounts_(std::move(accounts)),
      sender_(std::make_shared<it::Api>(OwnChannel(address))),
      streams_per_device_(streams_per_device),
      envelope_bytes_(envelope_bytes),
      send_interval_(send_interval) {
  for (size_t a = 0; a < accounts_.size(); ++a) {
    // HTTP/2's initial 64 KiB window, no BDP probing: a stream that is not
    // read stops the server's writes soon.
    grpc::ChannelArguments args = it::TestChannelArguments();
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    stubs_.push_back(it::v1::Messages::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args)));
  }
}

void StreamHolder::OpenStreams() {
  for (size_t a = 0; a < accounts_.size() && !stopping(); ++a) {
    const HolderAccount& account = accounts_[a];
    for (size_t device = 1; device < account.devices.size(); ++device) {
      for (int s = 0; s < streams_per_device_; ++s) {
        UnreadStream stream;
        stream.context = it::MakeContext(account.devices[device].second);
        stream.context->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
        stream.reader = stubs_[a]->Subscribe(stream.context.get(), it::v1::SubscribeRequest());
        stream.reader->WaitForInitialMetadata();
        streams_.push_back(std::move(stream));
        ++streams_opened_;
      }
    }
  }
}

void StreamHolder::Run(int /*thread*/) {
  OpenStreams();
  const std::string filler(envelope_bytes_, 'h');
  auto stop = [this] { return stopping(); };
  for (uint64_t n = 0; !stopping(); ++n) {
    for (const HolderAccount& account : accounts_) {
      // To every other device of its own: the streams it holds.
      it::v1::SendRequest send;
      send.set_recipient_user_id(account.user_id);
      send.set_client_message_id(it::RandomBytes(16));
      for (size_t device = 1; device < account.devices.size(); ++device) {
        it::v1::OutgoingCiphertext* c = send.add_ciphertexts();
        *c->mutable_recipient() = it::Address(account.user_id, account.devices[device].first);
        c->set_ciphertext(filler + std::to_string(n));
      }
      it::v1::SendResponse response;
      const auto start = Clock::now();
      grpc::Status status = sender_->messages->Send(
          it::MakeContext(account.devices[0].second).get(), send, &response);
      answers().Add(status.error_code(), Clock::now() - start);
    }
    if (!SleepWhileRunning(stop, send_interval_)) break;
  }
}

void StreamHolder::Release() {
  for (UnreadStream& stream : streams_) stream.context->TryCancel();
  for (UnreadStream& stream : streams_) (void)stream.reader->Finish();
  streams_.clear();
}

std::string StreamHolder::Summary() const {
  return std::to_string(streams_opened_) + " streams held; sends: " + Attack::Summary();
}

IdleConnectionFlood::IdleConnectionFlood(int port, int connections, int connects_per_second)
    : port_(port), connections_(connections), connects_per_second_(connects_per_second) {}

void IdleConnectionFlood::Run(int /*thread*/) {
  // fd -> the HTTP/2 connection (null for a bare TCP connection).
  std::map<int, std::unique_ptr<it::RawH2Connection>> open;
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  auto watch = [&](int fd) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = fd;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
  };
  auto open_one = [&](bool h2) {
    int fd = -1;
    std::unique_ptr<it::RawH2Connection> connection;
    if (h2) {
      connection = it::RawH2Connection::Connect(port_, /*tls=*/false);
      if (connection && connection->SendPreface()) fd = connection->fd();
    } else {
      fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(port_));
      if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        fd = -1;
      }
    }
    if (fd < 0) {
      connect_failures_.fetch_add(1);
      return false;
    }
    watch(fd);
    open.emplace(fd, std::move(connection));
    opened_.fetch_add(1);
    return true;
  };
  std::vector<epoll_event> events(1024);
  uint64_t n = 0;
  const auto start = Clock::now();
  while (!stopping()) {
    // Connects allowed so far at the attack's rate (all at once without one).
    const double allowed =
        connects_per_second_ > 0
            ? connects_per_second_ * std::chrono::duration<double>(Clock::now() - start).count()
            : 1e18;
    // Top up in slices, so that what the server sends is answered meanwhile.
    for (int i = 0; i < 256 && static_cast<int>(open.size()) < connections_ &&
                    static_cast<double>(n) < allowed && !stopping();
         ++i) {
      if (!open_one(++n % 2 == 0)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        break;
      }
    }
    peak_open_.store(std::max<int64_t>(peak_open_.load(), static_cast<int64_t>(open.size())));
    const int ready = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 20);
    for (int i = 0; i < ready; ++i) {
      const int fd = events[static_cast<size_t>(i)].data.fd;
      auto found = open.find(fd);
      if (found == open.end()) continue;
      bool alive;
      if (found->second) {
        alive = found->second->ReadAvailable();
      } else {
        char buffer[4096];
        const ssize_t got = ::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
        alive = got > 0 || (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
      }
      if (alive) continue;
      ::epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
      if (!found->second) ::close(fd);
      open.erase(found);  // Closes an HTTP/2 connection's socket.
      closed_by_server_.fetch_add(1);
    }
  }
  for (auto& [fd, connection] : open) {
    if (!connection) ::close(fd);
  }
  open.clear();
  ::close(epoll);
}

std::string IdleConnectionFlood::Summary() const {
  return std::to_string(opened_.load()) + " connections opened (at most " +
         std::to_string(peak_open_.load()) + " at once), " +
         std::to_string(closed_by_server_.load()) + " closed by the server, " +
         std::to_string(connect_failures_.load()) + " connects failed";
}

}  // namespace securebase::bench

namespace securebase::bench {

std::string AttackJob::ToText() const {
  std::ostringstream out;
  out << "key " << key << "\naddress " << address << "\nport " << port << "\nseconds " << seconds
      << "\nnice " << nice << "\nsources " << sources << "\nthreads " << threads << "\nrequests "
      << requests << "\nstreams_per_device " << streams_per_device << "\nenvelope_bytes "
      << envelope_bytes << "\nsend_interval_ms " << send_interval_ms << "\nconnections "
      << connections << "\nconnects_per_second " << connects_per_second << "\n";
  for (const it::v1::DeviceAddress& victim : victims) {
    out << "victim " << it::Hex(victim.user_id()) << " " << victim.device_id() << "\n";
  }
  for (const HolderAccount& holder : holders) {
    out << "holder " << it::Hex(holder.user_id);
    for (const auto& [id, token] : holder.devices) out << " " << id << ":" << token;
    out << "\n";
  }
  return out.str();
}

bool AttackJob::Parse(const std::string& text, AttackJob* job, std::string* error) {
  *job = AttackJob();
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    bool ok = true;
    if (name == "key") {
      ok = static_cast<bool>(fields >> job->key);
    } else if (name == "address") {
      ok = static_cast<bool>(fields >> job->address);
    } else if (name == "port") {
      ok = static_cast<bool>(fields >> job->port);
    } else if (name == "seconds") {
      ok = static_cast<bool>(fields >> job->seconds);
    } else if (name == "nice") {
      ok = static_cast<bool>(fields >> job->nice);
    } else if (name == "sources") {
      ok = static_cast<bool>(fields >> job->sources);
    } else if (name == "threads") {
      ok = static_cast<bool>(fields >> job->threads);
    } else if (name == "requests") {
      ok = static_cast<bool>(fields >> job->requests);
    } else if (name == "streams_per_device") {
      ok = static_cast<bool>(fields >> job->streams_per_device);
    } else if (name == "envelope_bytes") {
      ok = static_cast<bool>(fields >> job->envelope_bytes);
    } else if (name == "send_interval_ms") {
      ok = static_cast<bool>(fields >> job->send_interval_ms);
    } else if (name == "connections") {
      ok = static_cast<bool>(fields >> job->connections);
    } else if (name == "connects_per_second") {
      ok = static_cast<bool>(fields >> job->connects_per_second);
    } else if (name == "victim") {
      std::string user;
      uint32_t device = 0;
      ok = static_cast<bool>(fields >> user >> device);
      std::optional<std::string> id = it::FromHex(user);
      ok = ok && id.has_value();
      if (ok) job->victims.push_back(it::Address(*id, device));
    } else if (name == "holder") {
      std::string user;
      ok = static_cast<bool>(fields >> user);
      std::optional<std::string> id = it::FromHex(user);
      ok = ok && id.has_value();
      HolderAccount holder;
      if (ok) holder.user_id = *id;
      for (std::string device; ok && fields >> device;) {
        const size_t colon = device.find(':');
        ok = colon != std::string::npos && colon > 0;
        if (ok) {
          holder.devices.emplace_back(static_cast<uint32_t>(std::stoul(device.substr(0, colon))),
                                      device.substr(colon + 1));
        }
      }
      ok = ok && !holder.devices.empty();
      if (ok) job->holders.push_back(std::move(holder));
    } else if (!name.empty()) {
      ok = false;
    }
    if (!ok) {
      *error = "bad line in the attack job: " + line;
      return false;
    }
  }
  if (job->key.empty() || job->address.empty() || job->seconds <= 0) {
    *error = "the attack job needs key, address and seconds";
    return false;
  }
  return true;
}

std::optional<std::string> AttackName(const std::string& key) {
  if (key == "register") return "registration flood";
  if (key == "login") return "login lockout";
  if (key == "streams") return "never-reading streams";
  if (key == "idle") return "idle-connection flood";
  if (key == "storm") return "connection storm";
  return std::nullopt;
}

std::unique_ptr<Attack> MakeAttack(const AttackJob& job) {
  if (job.key == "register") {
    return std::make_unique<RegistrationFlood>(job.address, job.sources, job.threads, job.requests);
  }
  if (job.key == "login") {
    return std::make_unique<LoginLockout>(job.address, job.victims, job.sources, job.threads);
  }
  if (job.key == "streams") {
    return std::make_unique<StreamHolder>(job.address, job.holders, job.streams_per_device,
                                          job.envelope_bytes,
                                          std::chrono::milliseconds(job.send_interval_ms));
  }
  if (job.key == "idle") {
    return std::make_unique<IdleConnectionFlood>(job.port, job.connections,
                                                 job.connects_per_second);
  }
  if (job.key == "storm")
    return std::make_unique<IdleConnectionFlood>(job.port, job.connections, 0);
  return nullptr;
}

int RunAttackerProcess(const std::string& job_file, const std::string& ready_file) {
  AttackJob job;
  std::string error;
  if (!AttackJob::Parse(it::ReadFileOrEmpty(job_file), &job, &error)) {
    std::cerr << "attacker: " << error << "\n";
    return 2;
  }
  // Before any thread exists: they inherit it.
  if (job.nice != 0) (void)::setpriority(PRIO_PROCESS, 0, job.nice);
  std::unique_ptr<Attack> attack = MakeAttack(job);
  if (!attack) {
    std::cerr << "attacker: no attack '" << job.key << "'\n";
    return 2;
  }
  attack->Start();
  std::ofstream(ready_file) << "started\n";
  std::this_thread::sleep_for(std::chrono::seconds(job.seconds));
  attack->Stop();
  std::cout << attack->Summary() << std::endl;
  return 0;
}

AttackProcess::AttackProcess(AttackJob job, std::string work_dir)
    : job_(std::move(job)),
      job_file_(work_dir + "/" + job_.key + ".job"),
      ready_file_(work_dir + "/" + job_.key + ".ready") {}

AttackProcess::~AttackProcess() {
  if (runner_.joinable()) runner_.join();
}

bool AttackProcess::Start() {
  std::error_code ignored;
  std::filesystem::remove(ready_file_, ignored);
  std::ofstream(job_file_) << job_.ToText();
  runner_ = std::thread([this] {
    it::CommandResult result;
    const std::vector<std::string> argv = {"/proc/self/exe", "--attacker", job_file_, ready_file_};
    ::testing::AssertionResult ran =
        it::RunCommand(argv, std::chrono::seconds(job_.seconds + 120), &result);
    if (!ran) {
      summary_ = "not started: " + std::string(ran.message());
    } else if (result.exit_code != 0) {
      summary_ = "the attacker process failed (exit " + std::to_string(result.exit_code) +
                 "): " + result.stderr_text;
    } else {
      summary_ = result.stdout_text;
      while (!summary_.empty() && summary_.back() == '\n') summary_.pop_back();
    }
  });
  const auto give_up = Clock::now() + std::chrono::minutes(1);
  while (!std::filesystem::exists(ready_file_)) {
    if (Clock::now() > give_up) {
      std::cerr << "attack load: the " << job_.key << " attacker did not start\n";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::string AttackProcess::Finish() {
  if (runner_.joinable()) runner_.join();
  return summary_;
}

}  // namespace securebase::bench
