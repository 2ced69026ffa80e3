#include "tests/client/e2e/mitm_proxy.h"

#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <utility>

namespace securebase::e2e {
namespace {

constexpr std::chrono::seconds kUpstreamDeadline(20);
constexpr char kAuthorization[] = "authorization";

std::string ToString(grpc::string_ref ref) { return std::string(ref.data(), ref.size()); }

std::string AuthorizationOf(const grpc::ServerContext& server) {
  auto found = server.client_metadata().find(kAuthorization);
  return found == server.client_metadata().end() ? std::string() : ToString(found->second);
}

// A client context for the upstream call: the caller's bearer token and a
// deadline.
void Prepare(grpc::ClientContext& upstream, const std::string& authorization) {
  if (!authorization.empty()) upstream.AddMetadata(kAuthorization, authorization);
  upstream.set_deadline(std::chrono::system_clock::now() + kUpstreamDeadline);
}

// The server's trailers (a device mismatch travels in one) back to the caller.
void CopyTrailers(const grpc::ClientContext& upstream, grpc::ServerContext& server) {
  for (const auto& [key, value] : upstream.GetServerTrailingMetadata()) {
    server.AddTrailingMetadata(ToString(key), ToString(value));
  }
}

// Forwards one unary call.
template <typename Request, typename Response, typename Call>
grpc::Status Forward(grpc::ServerContext& server, const Request& request, Response* response,
                     Call call) {
  grpc::ClientContext upstream;
  Prepare(upstream, AuthorizationOf(server));
  grpc::Status status = call(&upstream, request, response);
  CopyTrailers(upstream, server);
  return status;
}

}  // namespace

struct MitmProxy::Hooks {
  mutable std::mutex mu;
  std::function<void(const v1::GetPreKeyBundlesRequest&, v1::GetPreKeyBundlesResponse&)> bundles;
  std::function<SendAction(const v1::SendRequest&)> send;
  std::function<void(const v1::FetchRequest&, v1::FetchResponse&)> fetch;
  std::function<void(v1::ListLinksResponse&)> links;
  std::vector<CapturedSend> sends;
  std::vector<std::string> invite_secrets;
  std::map<std::string, std::string> authorization;
  std::map<std::string, int> calls;
};

template <typename F>
F MitmProxy::Hook(F Hooks::*member) const {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  return (*hooks_).*member;
}

#define SB_MITM_FORWARD(Service, Method, stub)                                                   \
  grpc::Status Method(grpc::ServerContext* context, const v1::Method##Request* request,          \
                      v1::Method##Response* response) override {                                 \
    proxy_.Count(#Service "." #Method, *context);                                                \
    return Forward(*context, *request, response, [&](grpc::ClientContext* c, auto& q, auto* r) { \
      return proxy_.stub->Method(c, q, r);                                                       \
    });                                                                                          \
  }

class MitmProxy::AccountsService final : public v1::Accounts::Service {
 public:
  explicit AccountsService(MitmProxy& proxy) : proxy_(proxy) {}
  SB_MITM_FORWARD(Accounts, Register, accounts_)
  SB_MITM_FORWARD(Accounts, AddDevice, accounts_)
  SB_MITM_FORWARD(Accounts, GetChallenge, accounts_)
  SB_MITM_FORWARD(Accounts, Authenticate, accounts_)
  SB_MITM_FORWARD(Accounts, Logout, accounts_)
  SB_MITM_FORWARD(Accounts, ListDevices, accounts_)

 private:
  MitmProxy& proxy_;
};

class MitmProxy::KeysService final : public v1::Keys::Service {
 public:
  explicit KeysService(MitmProxy& proxy) : proxy_(proxy) {}
  SB_MITM_FORWARD(Keys, UploadPreKeys, keys_)
  SB_MITM_FORWARD(Keys, GetPreKeyCount, keys_)

  grpc::Status GetPreKeyBundles(grpc::ServerContext* context,
                                const v1::GetPreKeyBundlesRequest* request,
                                v1::GetPreKeyBundlesResponse* response) override {
    proxy_.Count("Keys.GetPreKeyBundles", *context);
    grpc::Status status = Forward(*context, *request, response, [&](auto* c, auto& q, auto* r) {
      return proxy_.keys_->GetPreKeyBundles(c, q, r);
    });
    auto hook = proxy_.Hook(&Hooks::bundles);
    if (status.ok() && hook) hook(*request, *response);
    return status;
  }

 private:
  MitmProxy& proxy_;
};

class MitmProxy::LinksService final : public v1::Links::Service {
 public:
  explicit LinksService(MitmProxy& proxy) : proxy_(proxy) {}
  SB_MITM_FORWARD(Links, RedeemInvite, links_)
  SB_MITM_FORWARD(Links, EndLink, links_)

  grpc::Status CreateInvite(grpc::ServerContext* context, const v1::CreateInviteRequest* request,
                            v1::CreateInviteResponse* response) override {
    proxy_.Count("Links.CreateInvite", *context);
    grpc::Status status = Forward(*context, *request, response, [&](auto* c, auto& q, auto* r) {
      return proxy_.links_->CreateInvite(c, q, r);
    });
    if (status.ok()) {
      std::lock_guard<std::mutex> lock(proxy_.hooks_->mu);
      proxy_.hooks_->invite_secrets.push_back(response->invite_secret());
    }
    return status;
  }

  grpc::Status ListLinks(grpc::ServerContext* context, const v1::ListLinksRequest* request,
                         v1::ListLinksResponse* response) override {
    proxy_.Count("Links.ListLinks", *context);
    grpc::Status status = Forward(*context, *request, response, [&](auto* c, auto& q, auto* r) {
      return proxy_.links_->ListLinks(c, q, r);
    });
    auto hook = proxy_.Hook(&Hooks::links);
    if (status.ok() && hook) hook(*response);
    return status;
  }

 private:
  MitmProxy& proxy_;
};

class MitmProxy::MessagesService final : public v1::Messages::Service {
 public:
  explicit MessagesService(MitmProxy& proxy) : proxy_(proxy) {}
  SB_MITM_FORWARD(Messages, Acknowledge, messages_)

  grpc::Status Send(grpc::ServerContext* context, const v1::SendRequest* request,
                    v1::SendResponse* response) override {
    proxy_.Count("Messages.Send", *context);
    SendAction action = SendAction::kForward;
    if (auto hook = proxy_.Hook(&Hooks::send)) action = hook(*request);
    {
      std::lock_guard<std::mutex> lock(proxy_.hooks_->mu);
      proxy_.hooks_->sends.push_back(
          CapturedSend{*request, AuthorizationOf(*context), action == SendAction::kForward});
    }
    if (action == SendAction::kSwallow) {
      response->set_server_timestamp_unix_ms(
          std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count());
      return grpc::Status::OK;
    }
    return Forward(*context, *request, response,
                   [&](auto* c, auto& q, auto* r) { return proxy_.messages_->Send(c, q, r); });
  }

  grpc::Status Fetch(grpc::ServerContext* context, const v1::FetchRequest* request,
                     v1::FetchResponse* response) override {
    proxy_.Count("Messages.Fetch", *context);
    grpc::Status status = Forward(*context, *request, response, [&](auto* c, auto& q, auto* r) {
      return proxy_.messages_->Fetch(c, q, r);
    });
    auto hook = proxy_.Hook(&Hooks::fetch);
    if (status.ok() && hook) hook(*request, *response);
    return status;
  }

  // Live delivery, relayed as it comes; ends when either side does.
  grpc::Status Subscribe(grpc::ServerContext* context, const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::Envelope>* writer) override {
    proxy_.Count("Messages.Subscribe", *context);
    grpc::ClientContext upstream;
    Prepare(upstream, AuthorizationOf(*context));
    upstream.set_deadline(std::chrono::system_clock::time_point::max());
    std::unique_ptr<grpc::ClientReader<v1::Envelope>> reader =
        proxy_.messages_->Subscribe(&upstream, *request);
    std::atomic<bool> done{false};
    std::thread watcher([&] {
      while (!done.load()) {
        if (context->IsCancelled()) {
          upstream.TryCancel();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    reader->WaitForInitialMetadata();
    for (const auto& [key, value] : upstream.GetServerInitialMetadata()) {
      context->AddInitialMetadata(ToString(key), ToString(value));
    }
    writer->SendInitialMetadata();
    v1::Envelope envelope;
    while (reader->Read(&envelope)) {
      if (!writer->Write(envelope)) {
        upstream.TryCancel();
        break;
      }
    }
    grpc::Status status = reader->Finish();
    done = true;
    watcher.join();
    return status;
  }

 private:
  MitmProxy& proxy_;
};

#undef SB_MITM_FORWARD

MitmProxy::MitmProxy(std::shared_ptr<grpc::Channel> upstream)
    : upstream_(std::move(upstream)),
      accounts_(v1::Accounts::NewStub(upstream_)),
      keys_(v1::Keys::NewStub(upstream_)),
      links_(v1::Links::NewStub(upstream_)),
      messages_(v1::Messages::NewStub(upstream_)),
      hooks_(std::make_unique<Hooks>()),
      accounts_service_(std::make_unique<AccountsService>(*this)),
      keys_service_(std::make_unique<KeysService>(*this)),
      links_service_(std::make_unique<LinksService>(*this)),
      messages_service_(std::make_unique<MessagesService>(*this)) {}

MitmProxy::~MitmProxy() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

bool MitmProxy::Start() {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(accounts_service_.get());
  builder.RegisterService(keys_service_.get());
  builder.RegisterService(links_service_.get());
  builder.RegisterService(messages_service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) return false;
  address_ = "127.0.0.1:" + std::to_string(port);
  return true;
}

void MitmProxy::OnBundles(
    std::function<void(const v1::GetPreKeyBundlesRequest&, v1::GetPreKeyBundlesResponse&)> hook) {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  hooks_->bundles = std::move(hook);
}

void MitmProxy::OnSend(std::function<SendAction(const v1::SendRequest&)> hook) {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  hooks_->send = std::move(hook);
}

void MitmProxy::OnFetch(std::function<void(const v1::FetchRequest&, v1::FetchResponse&)> hook) {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  hooks_->fetch = std::move(hook);
}

std::vector<MitmProxy::CapturedSend> MitmProxy::sends() const {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  return hooks_->sends;
}

grpc::Status MitmProxy::SendAs(const std::string& authorization, const v1::SendRequest& request,
                               v1::SendResponse* response) {
  v1::SendResponse ignored;
  grpc::ClientContext context;
  Prepare(context, authorization);
  return messages_->Send(&context, request, response != nullptr ? response : &ignored);
}

grpc::Status MitmProxy::GetPreKeyBundlesAs(const std::string& authorization,
                                           const std::string& user_id,
                                           v1::GetPreKeyBundlesResponse* response) {
  v1::GetPreKeyBundlesRequest request;
  request.set_user_id(user_id);
  grpc::ClientContext context;
  Prepare(context, authorization);
  return keys_->GetPreKeyBundles(&context, request, response);
}

int MitmProxy::calls(const std::string& method) const {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  auto found = hooks_->calls.find(method);
  return found == hooks_->calls.end() ? 0 : found->second;
}

void MitmProxy::Count(const std::string& method, const grpc::ServerContext& context) {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  ++hooks_->calls[method];
  const std::string authorization = AuthorizationOf(context);
  if (!authorization.empty()) hooks_->authorization[method] = authorization;
}

void MitmProxy::OnListLinks(std::function<void(v1::ListLinksResponse&)> hook) {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  hooks_->links = std::move(hook);
}

std::vector<std::string> MitmProxy::invite_secrets() const {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  return hooks_->invite_secrets;
}

std::string MitmProxy::last_authorization(const std::string& method) const {
  std::lock_guard<std::mutex> lock(hooks_->mu);
  auto found = hooks_->authorization.find(method);
  return found == hooks_->authorization.end() ? std::string() : found->second;
}

void ProxiedE2eTest::SetUp() {
  E2eTest::SetUp();
  if (HasFatalFailure()) return;
  proxy_ = std::make_unique<MitmProxy>(server().channel());
  ASSERT_TRUE(proxy_->Start()) << "the proxy did not start";
}

std::function<void(client::ClientOptions&)> ProxiedE2eTest::Through() {
  return [this](client::ClientOptions& o) { o.server_address = proxy_->address(); };
}

}  // namespace securebase::e2e
