// A malicious server for the client end-to-end tests: a gRPC service on
// loopback that speaks the four SecureBase services (Accounts, Keys, Links,
// Messages), forwards every call to the real securebase-server with the
// caller's bearer token, and lets a test tamper on the way: rewrite an
// answer, swallow a send (answer OK, store nothing), hold it to release
// later, and issue calls of its own with a token it saw go by. Clients under
// test connect to address() instead of the server's.
//
// Everything the real server checks still holds (a tampered request is
// checked by it); what the proxy can do is exactly what a server operator
// can do to the clients.
//
// Thread-safety: every method may be called from any thread; hooks run on
// gRPC's threads, one call at a time per hook.
#ifndef SECUREBASE_TESTS_CLIENT_E2E_MITM_PROXY_H_
#define SECUREBASE_TESTS_CLIENT_E2E_MITM_PROXY_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "securebase/v1/accounts.grpc.pb.h"
#include "securebase/v1/keys.grpc.pb.h"
#include "securebase/v1/links.grpc.pb.h"
#include "securebase/v1/messages.grpc.pb.h"
#include "tests/client/e2e/e2e_support.h"

namespace securebase::e2e {

class MitmProxy {
 public:
  // What to do with a Send on its way to the server.
  enum class SendAction {
    kForward,  // Forward it (the default).
    kSwallow,  // Answer OK without forwarding: the message is lost in the server.
  };
  struct CapturedSend {
    v1::SendRequest request;
    std::string authorization;  // The "authorization" header it came with.
    bool forwarded = false;
  };

  // Forwards to `upstream` (the real server's channel).
  explicit MitmProxy(std::shared_ptr<grpc::Channel> upstream);
  ~MitmProxy();
  MitmProxy(const MitmProxy&) = delete;
  MitmProxy& operator=(const MitmProxy&) = delete;

  // Listens on 127.0.0.1 (a free port). False if it cannot.
  bool Start();
  const std::string& address() const { return address_; }

  // --- tampering hooks (null: pass through)
  // Rewrites a GetPreKeyBundles answer (called only when the server answered OK).
  void OnBundles(
      std::function<void(const v1::GetPreKeyBundlesRequest&, v1::GetPreKeyBundlesResponse&)> hook);
  // Decides each Send; every Send is captured either way.
  void OnSend(std::function<SendAction(const v1::SendRequest&)> hook);
  // Rewrites a Fetch answer (called only when the server answered OK).
  void OnFetch(std::function<void(const v1::FetchRequest&, v1::FetchResponse&)> hook);
  // Rewrites a ListLinks answer (called only when the server answered OK).
  void OnListLinks(std::function<void(v1::ListLinksResponse&)> hook);

  // --- what went by, and calls of the proxy's own
  std::vector<CapturedSend> sends() const;
  // The invite secrets of every CreateInvite answer that went by (the server
  // knows them anyway).
  std::vector<std::string> invite_secrets() const;
  // The last "authorization" header seen from each caller, by method name.
  std::string last_authorization(const std::string& method) const;
  // Sends `request` to the real server under `authorization` (a header that
  // went by), as the device it belongs to.
  grpc::Status SendAs(const std::string& authorization, const v1::SendRequest& request,
                      v1::SendResponse* response = nullptr);
  // Fetches `user_id`'s bundles from the real server as the device whose
  // `authorization` header went by.
  grpc::Status GetPreKeyBundlesAs(const std::string& authorization, const std::string& user_id,
                                  v1::GetPreKeyBundlesResponse* response);
  // Calls made per method name ("Keys.GetPreKeyBundles", ...).
  int calls(const std::string& method) const;

 private:
  class AccountsService;
  class KeysService;
  class LinksService;
  class MessagesService;
  struct Hooks;

  void Count(const std::string& method, const grpc::ServerContext& context);
  // A copy of a hook, taken under the lock (hooks run without it, so they
  // may call the proxy).
  template <typename F>
  F Hook(F Hooks::*member) const;

  std::shared_ptr<grpc::Channel> upstream_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Keys::Stub> keys_;
  std::unique_ptr<v1::Links::Stub> links_;
  std::unique_ptr<v1::Messages::Stub> messages_;
  std::unique_ptr<Hooks> hooks_;
  std::unique_ptr<AccountsService> accounts_service_;
  std::unique_ptr<KeysService> keys_service_;
  std::unique_ptr<LinksService> links_service_;
  std::unique_ptr<MessagesService> messages_service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

// The e2e fixture with a MitmProxy in front of the test's server: clients
// created with Through() talk to the proxy.
class ProxiedE2eTest : public E2eTest {
 protected:
  void SetUp() override;
  // For Create/Reopen: the client connects to the proxy.
  std::function<void(client::ClientOptions&)> Through();

  std::unique_ptr<MitmProxy> proxy_;
};

}  // namespace securebase::e2e

#endif  // SECUREBASE_TESTS_CLIENT_E2E_MITM_PROXY_H_
