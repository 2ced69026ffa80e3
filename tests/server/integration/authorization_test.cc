// Who may do what: tokens (missing, malformed, expired, revoked), challenges
// (replayed, expired, for another device), mailboxes, links, invites,
// therapist registration. (Failed logins: login_attack_test.cc.)
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "securebase/v1/provisioning.grpc.pb.h"
#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subprocess.h"
#include "tests/server/integration/harness/subscription.h"
#include "tests/server/integration/harness/util.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;
using std::chrono::milliseconds;
using ContextFactory = std::function<std::unique_ptr<grpc::ClientContext>()>;

crypto::ByteSpan Span(const std::string& s) {
  return crypto::ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Calls every RPC that needs a token with contexts from `make_context` and
// otherwise valid requests (`therapist` and `client` are linked; requests
// are made as `client` would). Returns (name, status) for each.
std::vector<std::pair<std::string, grpc::Status>> CallEveryAuthenticatedRpc(
    Api& api, TestAccount& therapist, TestAccount& client, const ContextFactory& make_context) {
  std::vector<std::pair<std::string, grpc::Status>> out;
  {
    size_t i = client.GenerateDevice(1);
    v1::AddDeviceRequest req;
    *req.mutable_device() = client.NewDeviceProto(i);
    v1::AddDeviceResponse r;
    out.emplace_back("AddDevice", api.accounts->AddDevice(make_context().get(), req, &r));
  }
  {
    v1::ListDevicesResponse r;
    out.emplace_back("ListDevices", api.accounts->ListDevices(make_context().get(), {}, &r));
  }
  {
    v1::UploadPreKeysRequest req;
    *req.add_one_time_prekeys() = client.NewOneTimePreKey(0);
    v1::UploadPreKeysResponse r;
    out.emplace_back("UploadPreKeys", api.keys->UploadPreKeys(make_context().get(), req, &r));
  }
  {
    v1::GetPreKeyCountResponse r;
    out.emplace_back("GetPreKeyCount", api.keys->GetPreKeyCount(make_context().get(), {}, &r));
  }
  {
    v1::GetPreKeyBundlesRequest req;
    req.set_user_id(therapist.user_id());
    v1::GetPreKeyBundlesResponse r;
    out.emplace_back("GetPreKeyBundles", api.keys->GetPreKeyBundles(make_context().get(), req, &r));
  }
  {
    v1::CreateInviteResponse r;
    out.emplace_back("CreateInvite", api.links->CreateInvite(make_context().get(), {}, &r));
  }
  {
    v1::RedeemInviteRequest req;
    req.set_invite_secret(RandomBytes(16));
    v1::RedeemInviteResponse r;
    out.emplace_back("RedeemInvite", api.links->RedeemInvite(make_context().get(), req, &r));
  }
  {
    v1::ListLinksResponse r;
    out.emplace_back("ListLinks", api.links->ListLinks(make_context().get(), {}, &r));
  }
  {
    v1::EndLinkRequest req;
    req.set_peer_user_id(therapist.user_id());
    v1::EndLinkResponse r;
    out.emplace_back("EndLink", api.links->EndLink(make_context().get(), req, &r));
  }
  {
    v1::SendRequest req = client.MakeSend(therapist, "unauthorized");
    v1::SendResponse r;
    out.emplace_back("Send", api.messages->Send(make_context().get(), req, &r));
  }
  {
    v1::FetchResponse r;
    out.emplace_back("Fetch", api.messages->Fetch(make_context().get(), {}, &r));
  }
  {
    v1::AcknowledgeRequest req;
    req.set_up_to_seq(1);
    v1::AcknowledgeResponse r;
    out.emplace_back("Acknowledge", api.messages->Acknowledge(make_context().get(), req, &r));
  }
  {
    auto ctx = make_context();
    // A stream the server wrongly accepts would wait for envelopes: give up
    // sooner than kRpcTimeout (and fail: DEADLINE_EXCEEDED).
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    v1::SubscribeRequest req;
    auto reader = api.messages->Subscribe(ctx.get(), req);
    v1::Envelope e;
    bool got = reader->Read(&e);
    grpc::Status s =
        got ? grpc::Status(StatusCode::OK, "Subscribe delivered an envelope") : reader->Finish();
    if (got) {
      ctx->TryCancel();
      reader->Finish();
    }
    out.emplace_back("Subscribe", s);
  }
  {
    v1::RemoveDeviceRequest req;
    req.set_device_id(2);
    v1::RemoveDeviceResponse r;
    out.emplace_back("RemoveDevice", api.accounts->RemoveDevice(make_context().get(), req, &r));
  }
  {
    v1::DepositProvisioningRequest req;
    req.set_channel_id(std::string(16, 'c'));
    req.set_message("sealed");
    v1::DepositProvisioningResponse r;
    auto provisioning = v1::Provisioning::NewStub(api.channel);
    out.emplace_back("DepositProvisioning",
                     provisioning->DepositProvisioning(make_context().get(), req, &r));
  }
  {
    v1::LogoutResponse r;
    out.emplace_back("Logout", api.accounts->Logout(make_context().get(), {}, &r));
  }
  return out;
}

class AuthorizationTest : public ServerSuite<AuthorizationTest> {
 protected:
  void ExpectAllUnauthenticated(const ContextFactory& make_context, const std::string& what) {
    auto t = NewTherapist();
    auto c = NewClient();
    ASSERT_TRUE(t && c);
    ASSERT_GRPC_OK(LinkAccounts(*t, *c));
    StoreSnapshot before;
    ASSERT_TRUE(Snapshot(&before));
    for (const auto& [rpc, status] : CallEveryAuthenticatedRpc(*api_, *t, *c, make_context)) {
      EXPECT_TRUE(HasCode(status, StatusCode::UNAUTHENTICATED)) << what << ": " << rpc;
    }
    EXPECT_TRUE(Unchanged(before)) << what;
  }
};

TEST_F(AuthorizationTest, NoToken) {
  ExpectAllUnauthenticated([] { return MakeContext(); }, "no authorization header");
}

TEST_F(AuthorizationTest, MalformedTokens) {
  auto a = NewClient();
  ASSERT_TRUE(a);
  const std::string valid = a->token(0);
  const std::vector<std::string> headers = {
      "",
      "Bearer",
      "Bearer ",
      valid,                            // No scheme.
      "Basic " + valid,                 // Another scheme.
      "Bearer " + valid.substr(0, 63),  // Too short.
      "Bearer " + valid + "0",          // Too long.
      "Bearer " + std::string(64, 'g'),
      "Bearer " + Hex(RandomBytes(32)),  // Well formed, never issued.
  };
  for (const std::string& h : headers) {
    ExpectAllUnauthenticated([h] { return MakeContextWithAuthorization(h); },
                             "authorization: '" + h + "'");
  }
}

TEST_F(AuthorizationTest, RevokedTokenAfterLogout) {
  auto a = NewClient();
  ASSERT_TRUE(a);
  const std::string token = a->token(0);
  ASSERT_GRPC_OK(a->Logout(0));
  ExpectAllUnauthenticated([token] { return MakeContext(token); }, "revoked token");
}

TEST_F(AuthorizationTest, ReplayedChallenge) {
  TestAccount a(api_, v1::ROLE_CLIENT, 1);
  ASSERT_GRPC_OK(a.Register());
  v1::GetChallengeRequest creq;
  creq.set_user_id(a.user_id());
  creq.set_device_id(a.device_id(0));
  v1::GetChallengeResponse c;
  ASSERT_GRPC_OK(api_->accounts->GetChallenge(MakeContext().get(), creq, &c));
  auto sig = a.device(0).auth.SignAuthChallenge(Span(c.challenge()));
  ASSERT_TRUE(sig.ok());
  v1::AuthenticateRequest req;
  req.set_user_id(a.user_id());
  req.set_device_id(a.device_id(0));
  req.set_challenge(c.challenge());
  req.set_signature(KeyBytes(*sig));
  v1::AuthenticateResponse first;
  ASSERT_GRPC_OK(api_->accounts->Authenticate(MakeContext().get(), req, &first));
  v1::AuthenticateResponse second;
  EXPECT_GRPC_CODE(api_->accounts->Authenticate(MakeContext().get(), req, &second),
                   StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(second.token(), "");
  // The first token still works.
  v1::ListDevicesResponse devices;
  EXPECT_GRPC_OK(api_->accounts->ListDevices(MakeContext(first.token()).get(), {}, &devices));
}

TEST_F(AuthorizationTest, ChallengeForAnotherDevice) {
  auto a = NewClient();
  auto b = NewClient();
  ASSERT_TRUE(a && b);
  size_t second = 0;
  ASSERT_GRPC_OK(a->AddDevice(1, &second));

  auto challenge_for = [&](const TestAccount& acct, size_t device) {
    v1::GetChallengeRequest creq;
    creq.set_user_id(acct.user_id());
    creq.set_device_id(acct.device_id(device));
    v1::GetChallengeResponse c;
    EXPECT_GRPC_OK(api_->accounts->GetChallenge(MakeContext().get(), creq, &c));
    return c.challenge();
  };
  auto authenticate = [&](const TestAccount& as, size_t as_device, const std::string& challenge,
                          const TestAccount& signer, size_t signer_device) {
    auto sig = signer.device(signer_device).auth.SignAuthChallenge(Span(challenge));
    EXPECT_TRUE(sig.ok());
    v1::AuthenticateRequest req;
    req.set_user_id(as.user_id());
    req.set_device_id(as.device_id(as_device));
    req.set_challenge(challenge);
    if (sig.ok()) req.set_signature(KeyBytes(*sig));
    v1::AuthenticateResponse r;
    return api_->accounts->Authenticate(MakeContext().get(), req, &r);
  };

  // Device 1's challenge, signed by device 2, presented as device 2.
  EXPECT_GRPC_CODE(authenticate(*a, second, challenge_for(*a, 0), *a, second),
                   StatusCode::UNAUTHENTICATED);
  // Device 1's challenge presented as device 1 but signed by device 2.
  EXPECT_GRPC_CODE(authenticate(*a, 0, challenge_for(*a, 0), *a, second),
                   StatusCode::UNAUTHENTICATED);
  // Another account's challenge, signed by and presented as this device.
  EXPECT_GRPC_CODE(authenticate(*a, 0, challenge_for(*b, 0), *a, 0), StatusCode::UNAUTHENTICATED);
  // Proper logins still work.
  EXPECT_GRPC_OK(a->Login(0));
  EXPECT_GRPC_OK(a->Login(second));
  EXPECT_GRPC_OK(b->Login(0));
}

TEST_F(AuthorizationTest, ADeviceOnlySeesItsOwnMailbox) {
  auto t = NewTherapist();
  auto c = NewClient();
  auto other = NewClient();
  ASSERT_TRUE(t && c && other);
  size_t second = 0;
  ASSERT_GRPC_OK(t->AddDevice(1, &second));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  ASSERT_GRPC_OK(LinkAccounts(*t, *other));
  ASSERT_GRPC_OK(c->Send(*t, "for-t"));
  ASSERT_GRPC_OK(other->Send(*t, "from-other"));

  Subscription sub(*t, 0, 0);
  ASSERT_TRUE(sub.WaitForCount(2, milliseconds(10000)));

  for (size_t d : {size_t{0}, second}) {
    std::vector<v1::Envelope> got;
    ASSERT_GRPC_OK(t->FetchAll(d, 0, &got));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].ciphertext(), TargetCiphertext("for-t", t->address(d)));
    EXPECT_EQ(got[1].ciphertext(), TargetCiphertext("from-other", t->address(d)));
  }
  for (const v1::Envelope& e : sub.Received()) {
    EXPECT_NE(e.ciphertext().find(AddressString(t->address(0))), std::string::npos);
  }
  // The senders' mailboxes hold nothing of the therapist's.
  for (const TestAccount* a : {c.get(), other.get()}) {
    std::vector<v1::Envelope> got;
    ASSERT_GRPC_OK(a->FetchAll(0, 0, &got));
    EXPECT_TRUE(got.empty());
  }
  // Acknowledging on device 1 leaves device 2's envelopes.
  std::vector<v1::Envelope> first;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &first));
  v1::AcknowledgeResponse ack;
  ASSERT_GRPC_OK(t->Acknowledge(0, first.back().seq(), &ack));
  EXPECT_EQ(ack.deleted(), 2u);
  std::vector<v1::Envelope> still;
  ASSERT_GRPC_OK(t->FetchAll(second, 0, &still));
  EXPECT_EQ(still.size(), 2u);
}

TEST_F(AuthorizationTest, UnlinkedSenderIsRefused) {
  auto t = NewTherapist();
  auto t2 = NewTherapist();
  auto c = NewClient();
  auto c2 = NewClient();
  ASSERT_TRUE(t && t2 && c && c2);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  ASSERT_GRPC_OK(LinkAccounts(*t, *c2));
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  // Never linked, either direction.
  EXPECT_GRPC_CODE(c->Send(*t2, "x"), StatusCode::PERMISSION_DENIED);
  EXPECT_GRPC_CODE(t2->Send(*c, "x"), StatusCode::PERMISSION_DENIED);
  // Two clients of the same therapist are not linked to each other.
  EXPECT_GRPC_CODE(c->Send(*c2, "x"), StatusCode::PERMISSION_DENIED);
  // Nor are two therapists.
  EXPECT_GRPC_CODE(t->Send(*t2, "x"), StatusCode::PERMISSION_DENIED);
  v1::GetPreKeyBundlesResponse bundles;
  EXPECT_GRPC_CODE(c->GetPreKeyBundles(t2->user_id(), &bundles), StatusCode::PERMISSION_DENIED);
  EXPECT_GRPC_CODE(c->GetPreKeyBundles(c2->user_id(), &bundles), StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Unchanged(before));
}

TEST_F(AuthorizationTest, EndedLinkRefusesSendsBothWays) {
  for (bool therapist_ends : {false, true}) {
    SCOPED_TRACE(therapist_ends ? "ended by the therapist" : "ended by the client");
    auto t = NewTherapist();
    auto c = NewClient();
    ASSERT_TRUE(t && c);
    ASSERT_GRPC_OK(LinkAccounts(*t, *c));
    ASSERT_GRPC_OK(c->Send(*t, "before"));
    ASSERT_GRPC_OK(t->Send(*c, "before"));

    TestAccount& ender = therapist_ends ? *t : *c;
    TestAccount& peer = therapist_ends ? *c : *t;
    v1::EndLinkRequest req;
    req.set_peer_user_id(peer.user_id());
    v1::EndLinkResponse r;
    ASSERT_GRPC_OK(api_->links->EndLink(ender.Context().get(), req, &r));

    StoreSnapshot before;
    ASSERT_TRUE(Snapshot(&before));
    EXPECT_GRPC_CODE(c->Send(*t, "after"), StatusCode::PERMISSION_DENIED);
    EXPECT_GRPC_CODE(t->Send(*c, "after"), StatusCode::PERMISSION_DENIED);
    v1::GetPreKeyBundlesResponse bundles;
    EXPECT_GRPC_CODE(c->GetPreKeyBundles(t->user_id(), &bundles), StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(Unchanged(before));

    // A new invite links them again.
    ASSERT_GRPC_OK(LinkAccounts(*t, *c));
    EXPECT_GRPC_OK(c->Send(*t, "relinked"));
  }
}

TEST_F(AuthorizationTest, OnlyTherapistsInviteAndOnlyClientsRedeem) {
  auto t = NewTherapist();
  auto t2 = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && t2 && c);
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  v1::CreateInviteResponse invite;
  EXPECT_GRPC_CODE(api_->links->CreateInvite(c->Context().get(), {}, &invite),
                   StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Unchanged(before));
  ASSERT_GRPC_OK(api_->links->CreateInvite(t->Context().get(), {}, &invite));
  v1::RedeemInviteRequest req;
  req.set_invite_secret(invite.invite_secret());
  v1::RedeemInviteResponse r;
  EXPECT_GRPC_CODE(api_->links->RedeemInvite(t2->Context().get(), req, &r),
                   StatusCode::PERMISSION_DENIED);
  EXPECT_GRPC_CODE(api_->links->RedeemInvite(t->Context().get(), req, &r),
                   StatusCode::PERMISSION_DENIED);
  EXPECT_GRPC_OK(api_->links->RedeemInvite(c->Context().get(), req, &r));
}

TEST_F(AuthorizationTest, UsedInviteIsNotFound) {
  auto t = NewTherapist();
  auto c1 = NewClient();
  auto c2 = NewClient();
  ASSERT_TRUE(t && c1 && c2);
  v1::CreateInviteResponse invite;
  ASSERT_GRPC_OK(api_->links->CreateInvite(t->Context().get(), {}, &invite));
  v1::RedeemInviteRequest req;
  req.set_invite_secret(invite.invite_secret());
  v1::RedeemInviteResponse r;
  ASSERT_GRPC_OK(api_->links->RedeemInvite(c1->Context().get(), req, &r));
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  EXPECT_GRPC_CODE(api_->links->RedeemInvite(c2->Context().get(), req, &r), StatusCode::NOT_FOUND);
  EXPECT_TRUE(Unchanged(before));
}

TEST_F(AuthorizationTest, ExpiredInviteIsNotFound) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  v1::CreateInviteRequest ireq;
  ireq.set_expires_in_seconds(1);
  v1::CreateInviteResponse invite;
  const int64_t t0 = NowUnixMs();
  ASSERT_GRPC_OK(api_->links->CreateInvite(t->Context().get(), ireq, &invite));
  EXPECT_LE(invite.expires_at_unix_ms(), NowUnixMs() + 1000 + kClockSlackMs);
  EXPECT_GE(invite.expires_at_unix_ms(), t0 + 1000 - kClockSlackMs);
  SleepUntilPast(invite.expires_at_unix_ms(), milliseconds(1100));  // Expiry under test.
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  v1::RedeemInviteRequest req;
  req.set_invite_secret(invite.invite_secret());
  v1::RedeemInviteResponse r;
  EXPECT_GRPC_CODE(api_->links->RedeemInvite(c->Context().get(), req, &r), StatusCode::NOT_FOUND);
  EXPECT_TRUE(Unchanged(before));
}

// --- Time-limited credentials ------------------------------------------------

class ShortTtlTest : public ServerSuite<ShortTtlTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--token-ttl-seconds=1", "--challenge-ttl-seconds=1"});
  }
};

TEST_F(ShortTtlTest, ExpiredTokenIsUnauthenticated) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  v1::AuthenticateResponse login;
  const int64_t t0 = NowUnixMs();
  ASSERT_GRPC_OK(c->Login(0, &login));
  EXPECT_GE(login.expires_at_unix_ms(), t0 + 1000 - kClockSlackMs);
  EXPECT_LE(login.expires_at_unix_ms(), NowUnixMs() + 1000 + kClockSlackMs);
  const std::string token = login.token();

  SleepUntilPast(login.expires_at_unix_ms(), milliseconds(1100));  // Expiry under test.
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  for (const auto& [rpc, status] :
       CallEveryAuthenticatedRpc(*api_, *t, *c, [token] { return MakeContext(token); })) {
    EXPECT_TRUE(HasCode(status, StatusCode::UNAUTHENTICATED)) << rpc;
  }
  EXPECT_TRUE(Unchanged(before));
  // Logging in again gives a working token.
  ASSERT_GRPC_OK(c->Login(0));
  v1::ListDevicesResponse devices;
  EXPECT_GRPC_OK(api_->accounts->ListDevices(c->Context().get(), {}, &devices));
}

TEST_F(ShortTtlTest, ExpiredChallengeIsUnauthenticated) {
  TestAccount a(api_, v1::ROLE_CLIENT, 1);
  ASSERT_GRPC_OK(a.Register());
  v1::GetChallengeRequest creq;
  creq.set_user_id(a.user_id());
  creq.set_device_id(a.device_id(0));
  v1::GetChallengeResponse c;
  ASSERT_GRPC_OK(api_->accounts->GetChallenge(MakeContext().get(), creq, &c));
  EXPECT_LE(c.expires_at_unix_ms(), NowUnixMs() + 1000 + kClockSlackMs);
  SleepUntilPast(c.expires_at_unix_ms(), milliseconds(1100));  // Expiry under test.
  auto sig = a.device(0).auth.SignAuthChallenge(Span(c.challenge()));
  ASSERT_TRUE(sig.ok());
  v1::AuthenticateRequest req;
  req.set_user_id(a.user_id());
  req.set_device_id(a.device_id(0));
  req.set_challenge(c.challenge());
  req.set_signature(KeyBytes(*sig));
  v1::AuthenticateResponse r;
  EXPECT_GRPC_CODE(api_->accounts->Authenticate(MakeContext().get(), req, &r),
                   StatusCode::UNAUTHENTICATED);
}

// --- Therapist registration by token ----------------------------------------

class TokenRegistrationTest : public ServerSuite<TokenRegistrationTest> {
 public:
  static ServerOptions Options() {
    ServerOptions options;
    options.therapist_registration = "token";
    return options;
  }

 protected:
  // Runs the admin command against the running server's data dir.
  std::string IssueToken() {
    CommandResult r;
    EXPECT_TRUE(
        RunCommand({ServerBinary(), "issue-therapist-token", "--data-dir", server_->data_dir()},
                   std::chrono::seconds(30), &r));
    EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
    std::string token = r.stdout_text;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    EXPECT_FALSE(token.empty());
    EXPECT_EQ(token.find('\n'), std::string::npos) << "the token alone on stdout: " << token;
    return token;
  }
};

TEST_F(TokenRegistrationTest, TherapistNeedsAValidUnusedToken) {
  auto register_therapist = [&](const std::string& token) {
    TestAccount t(api_, v1::ROLE_THERAPIST, 1);
    return t.Register(token);
  };
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  EXPECT_GRPC_CODE(register_therapist(""), StatusCode::PERMISSION_DENIED);
  EXPECT_GRPC_CODE(register_therapist("not-a-token"), StatusCode::PERMISSION_DENIED);
  EXPECT_GRPC_CODE(register_therapist(Hex(RandomBytes(32))), StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Unchanged(before));

  const std::string token = IssueToken();
  ASSERT_FALSE(token.empty());
  EXPECT_GRPC_CODE(register_therapist(token + "x"), StatusCode::PERMISSION_DENIED);
  TestAccount therapist(api_, v1::ROLE_THERAPIST, 1);
  ASSERT_GRPC_OK(therapist.Register(token));
  ASSERT_GRPC_OK(therapist.Login(0));
  v1::CreateInviteResponse invite;
  EXPECT_GRPC_OK(api_->links->CreateInvite(therapist.Context().get(), {}, &invite));

  // Single use.
  ASSERT_TRUE(Snapshot(&before));
  EXPECT_GRPC_CODE(register_therapist(token), StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Unchanged(before));

  // Each issued token is distinct and works once.
  const std::string second = IssueToken();
  EXPECT_NE(second, token);
  EXPECT_GRPC_OK(register_therapist(second));
}

TEST_F(TokenRegistrationTest, ClientsNeedNoToken) {
  TestAccount c(api_, v1::ROLE_CLIENT, 1);
  EXPECT_GRPC_OK(c.Register());
  // A token given by a client is ignored (and stays usable).
  const std::string token = IssueToken();
  TestAccount c2(api_, v1::ROLE_CLIENT, 1);
  EXPECT_GRPC_OK(c2.Register(token));
  TestAccount t(api_, v1::ROLE_THERAPIST, 1);
  EXPECT_GRPC_OK(t.Register(token));
}

}  // namespace
}  // namespace securebase::integration
