// The services in-process over loopback gRPC: the happy paths end to end and
// a few refusals, with a fake clock. (Black-box tests of the binary live in
// tests/server/integration/.)
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "securebase/crypto/keys.h"
#include "securebase/v1/accounts.grpc.pb.h"
#include "securebase/v1/keys.grpc.pb.h"
#include "securebase/v1/links.grpc.pb.h"
#include "securebase/v1/messages.grpc.pb.h"
#include "server/src/app/server.h"
#include "server/src/common/secrets.h"
#include "tests/server/unit/temp_dir.h"

namespace securebase::server {
namespace {

std::string Str(crypto::ByteSpan span) { return std::string(span.begin(), span.end()); }

struct TestUser {
  crypto::IdentityKeyPair identity = crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
  crypto::DeviceAuthKeyPair device = crypto::DeviceAuthKeyPair::Generate(crypto::SystemRandom());
  std::string user_id;
  std::string token;
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServeConfig config;
    config.data_dir = dir_.path();
    config.listen = "127.0.0.1:0";
    config.insecure_loopback = true;
    config.therapist_registration = TherapistRegistration::kOpen;
    config.sync_writes = false;
    auto started = Server::Start(config, clock_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
    channel_ = grpc::CreateChannel(server_->listening_address(), grpc::InsecureChannelCredentials());
    accounts_ = v1::Accounts::NewStub(channel_);
    keys_ = v1::Keys::NewStub(channel_);
    links_ = v1::Links::NewStub(channel_);
    messages_ = v1::Messages::NewStub(channel_);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  v1::NewDevice MakeDevice(const TestUser& user, int prekeys) {
    v1::NewDevice device;
    device.set_device_auth_key(Str(user.device.public_key().span()));
    device.set_device_binding_signature(
        Str(crypto::SignDeviceBinding(user.identity, user.device.public_key()).span()));
    auto signed_prekey = crypto::SignedPreKey::Generate(user.identity, 1, crypto::SystemRandom());
    device.mutable_signed_prekey()->set_key_id(1);
    device.mutable_signed_prekey()->set_public_key(Str(signed_prekey.key.public_key().span()));
    device.mutable_signed_prekey()->set_signature(Str(signed_prekey.signature.span()));
    for (int i = 0; i < prekeys; ++i) {
      auto prekey = crypto::OneTimePreKey::Generate(100 + i, crypto::SystemRandom());
      auto* out = device.add_one_time_prekeys();
      out->set_key_id(100 + i);
      out->set_public_key(Str(prekey.key.public_key().span()));
    }
    return device;
  }

  void Register(TestUser& user, v1::Role role, int prekeys = 2) {
    grpc::ClientContext context;
    v1::RegisterRequest request;
    request.set_role(role);
    request.set_identity_key(Str(user.identity.public_key().span()));
    *request.mutable_device() = MakeDevice(user, prekeys);
    v1::RegisterResponse response;
    grpc::Status status = accounts_->Register(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    user.user_id = response.user_id();
    ASSERT_EQ(response.device_id(), 1u);
    Login(user);
  }

  void Login(TestUser& user) {
    grpc::ClientContext challenge_context;
    v1::GetChallengeRequest challenge_request;
    challenge_request.set_user_id(user.user_id);
    challenge_request.set_device_id(1);
    v1::GetChallengeResponse challenge;
    ASSERT_TRUE(accounts_->GetChallenge(&challenge_context, challenge_request, &challenge).ok());
    auto signature = user.device.SignAuthChallenge(
        crypto::ByteSpan(reinterpret_cast<const uint8_t*>(challenge.challenge().data()), 32));
    ASSERT_TRUE(signature.ok());
    grpc::ClientContext context;
    v1::AuthenticateRequest request;
    request.set_user_id(user.user_id);
    request.set_device_id(1);
    request.set_challenge(challenge.challenge());
    request.set_signature(Str(signature->span()));
    v1::AuthenticateResponse response;
    grpc::Status status = accounts_->Authenticate(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.token().size(), 64u);
    user.token = response.token();
    // The replayed challenge is refused.
    grpc::ClientContext replay_context;
    EXPECT_EQ(accounts_->Authenticate(&replay_context, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }

  static void Auth(grpc::ClientContext& context, const TestUser& user) {
    context.AddMetadata("authorization", "Bearer " + user.token);
  }

  void Link(TestUser& therapist, TestUser& client) {
    grpc::ClientContext create_context;
    Auth(create_context, therapist);
    v1::CreateInviteRequest create;
    create.set_sealed_profile("profile");
    v1::CreateInviteResponse invite;
    ASSERT_TRUE(links_->CreateInvite(&create_context, create, &invite).ok());
    ASSERT_EQ(invite.invite_secret().size(), 16u);
    grpc::ClientContext redeem_context;
    Auth(redeem_context, client);
    v1::RedeemInviteRequest redeem;
    redeem.set_invite_secret(invite.invite_secret());
    v1::RedeemInviteResponse redeemed;
    grpc::Status status = links_->RedeemInvite(&redeem_context, redeem, &redeemed);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(redeemed.sealed_profile(), "profile");
    EXPECT_EQ(redeemed.link().peer_user_id(), therapist.user_id);
  }

  grpc::Status Send(const TestUser& from, const TestUser& to, const std::string& message_id,
                    const std::string& ciphertext, grpc::ClientContext* context = nullptr) {
    grpc::ClientContext local;
    if (!context) context = &local;
    Auth(*context, from);
    v1::SendRequest request;
    request.set_recipient_user_id(to.user_id);
    request.set_client_message_id(message_id);
    auto* outgoing = request.add_ciphertexts();
    outgoing->mutable_recipient()->set_user_id(to.user_id);
    outgoing->mutable_recipient()->set_device_id(1);
    outgoing->set_ciphertext(ciphertext);
    v1::SendResponse response;
    return messages_->Send(context, request, &response);
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Keys::Stub> keys_;
  std::unique_ptr<v1::Links::Stub> links_;
  std::unique_ptr<v1::Messages::Stub> messages_;
};

TEST_F(ServiceTest, LinkSendFetchAcknowledge) {
  TestUser therapist, client;
  Register(therapist, v1::ROLE_THERAPIST);
  Register(client, v1::ROLE_CLIENT);

  // Not linked yet: no bundles, no sends.
  {
    grpc::ClientContext context;
    Auth(context, client);
    v1::GetPreKeyBundlesRequest request;
    request.set_user_id(therapist.user_id);
    v1::GetPreKeyBundlesResponse response;
    EXPECT_EQ(keys_->GetPreKeyBundles(&context, request, &response).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Send(client, therapist, std::string(16, '1'), "hi").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  Link(therapist, client);
  {
    grpc::ClientContext context;
    Auth(context, client);
    v1::GetPreKeyBundlesRequest request;
    request.set_user_id(therapist.user_id);
    v1::GetPreKeyBundlesResponse response;
    ASSERT_TRUE(keys_->GetPreKeyBundles(&context, request, &response).ok());
    ASSERT_EQ(response.devices_size(), 1);
    EXPECT_EQ(response.devices(0).one_time_prekey().key_id(), 100u);
    EXPECT_EQ(response.identity_key(), Str(therapist.identity.public_key().span()));
  }

  ASSERT_TRUE(Send(client, therapist, std::string(16, '1'), "ciphertext-1").ok());
  ASSERT_TRUE(Send(client, therapist, std::string(16, '1'), "ciphertext-1").ok());  // Retry.
  ASSERT_TRUE(Send(client, therapist, std::string(16, '2'), "ciphertext-2").ok());

  {
    grpc::ClientContext context;
    Auth(context, therapist);
    v1::AcknowledgeRequest request;
    request.set_up_to_seq(1);
    v1::AcknowledgeResponse response;
    ASSERT_TRUE(messages_->Acknowledge(&context, request, &response).ok());
    EXPECT_EQ(response.deleted(), 0u);  // Not given yet: nothing deleted.
    EXPECT_EQ(response.acknowledged_up_to_seq(), 0u);
  }
  {
    grpc::ClientContext context;
    Auth(context, therapist);
    v1::FetchRequest request;
    v1::FetchResponse response;
    ASSERT_TRUE(messages_->Fetch(&context, request, &response).ok());
    ASSERT_EQ(response.envelopes_size(), 2);  // The retry was stored once.
    EXPECT_EQ(response.envelopes(0).seq(), 1u);
    EXPECT_EQ(response.envelopes(0).ciphertext(), "ciphertext-1");
    EXPECT_EQ(response.envelopes(0).sender().user_id(), client.user_id);
    EXPECT_EQ(response.envelopes(0).sender().device_id(), 1u);
  }
  {
    grpc::ClientContext context;
    Auth(context, therapist);
    v1::AcknowledgeRequest request;
    request.set_up_to_seq(2);
    v1::AcknowledgeResponse response;
    ASSERT_TRUE(messages_->Acknowledge(&context, request, &response).ok());
    EXPECT_EQ(response.deleted(), 2u);
  }

  // Ending the link stops sends.
  {
    grpc::ClientContext context;
    Auth(context, therapist);
    v1::EndLinkRequest request;
    request.set_peer_user_id(client.user_id);
    v1::EndLinkResponse response;
    ASSERT_TRUE(links_->EndLink(&context, request, &response).ok());
  }
  EXPECT_EQ(Send(client, therapist, std::string(16, '3'), "x").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ServiceTest, SubscribeGetsStoredThenLiveEnvelopes) {
  TestUser therapist, client;
  Register(therapist, v1::ROLE_THERAPIST);
  Register(client, v1::ROLE_CLIENT);
  Link(therapist, client);
  ASSERT_TRUE(Send(client, therapist, std::string(16, '1'), "stored").ok());

  grpc::ClientContext context;
  Auth(context, therapist);
  v1::SubscribeRequest request;
  auto reader = messages_->Subscribe(&context, request);
  v1::Envelope envelope;
  ASSERT_TRUE(reader->Read(&envelope));
  EXPECT_EQ(envelope.seq(), 1u);
  EXPECT_EQ(envelope.ciphertext(), "stored");
  std::thread sender([&] {
    for (int i = 2; i <= 20; ++i) {
      ASSERT_TRUE(Send(client, therapist, std::string(15, 'm') + char(i), "live").ok());
    }
  });
  for (uint64_t seq = 2; seq <= 20; ++seq) {
    ASSERT_TRUE(reader->Read(&envelope));
    EXPECT_EQ(envelope.seq(), seq);
  }
  sender.join();
  context.TryCancel();
  while (reader->Read(&envelope)) {
  }
  reader->Finish().IgnoreError();
}

TEST_F(ServiceTest, ShutdownEndsOpenStreams) {
  TestUser client;
  Register(client, v1::ROLE_CLIENT);
  grpc::ClientContext context;
  Auth(context, client);
  auto reader = messages_->Subscribe(&context, v1::SubscribeRequest());
  // Wait until the stream is registered (nothing to read yet).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->Shutdown();
  v1::Envelope envelope;
  EXPECT_FALSE(reader->Read(&envelope));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  server_.reset();
}

TEST_F(ServiceTest, DeviceMismatchTrailerListsMissingAndStale) {
  TestUser therapist, client;
  Register(therapist, v1::ROLE_THERAPIST);
  Register(client, v1::ROLE_CLIENT);
  Link(therapist, client);
  grpc::ClientContext context;
  Auth(context, client);
  v1::SendRequest request;
  request.set_recipient_user_id(therapist.user_id);
  request.set_client_message_id(std::string(16, 'x'));
  auto* outgoing = request.add_ciphertexts();
  outgoing->mutable_recipient()->set_user_id(therapist.user_id);
  outgoing->mutable_recipient()->set_device_id(2);  // Does not exist; device 1 missing.
  outgoing->set_ciphertext("c");
  v1::SendResponse response;
  grpc::Status status = messages_->Send(&context, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  auto trailers = context.GetServerTrailingMetadata();
  auto found = trailers.find("securebase-device-mismatch-bin");
  ASSERT_NE(found, trailers.end());
  v1::DeviceMismatch mismatch;
  ASSERT_TRUE(mismatch.ParseFromString(std::string(found->second.data(), found->second.size())));
  ASSERT_EQ(mismatch.missing_devices_size(), 1);
  EXPECT_EQ(mismatch.missing_devices(0).device_id(), 1u);
  ASSERT_EQ(mismatch.stale_devices_size(), 1);
  EXPECT_EQ(mismatch.stale_devices(0).device_id(), 2u);
}

TEST_F(ServiceTest, TokensExpireAndLogoutRevokes) {
  TestUser client;
  Register(client, v1::ROLE_CLIENT);
  auto list = [&](const std::string& token) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    v1::ListDevicesResponse response;
    return accounts_->ListDevices(&context, v1::ListDevicesRequest(), &response).error_code();
  };
  EXPECT_EQ(list(client.token), grpc::StatusCode::OK);
  EXPECT_EQ(list(std::string(64, 'a')), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list("ABC"), grpc::StatusCode::UNAUTHENTICATED);
  {
    grpc::ClientContext context;
    Auth(context, client);
    v1::LogoutResponse response;
    ASSERT_TRUE(accounts_->Logout(&context, v1::LogoutRequest(), &response).ok());
  }
  EXPECT_EQ(list(client.token), grpc::StatusCode::UNAUTHENTICATED);
  Login(client);
  EXPECT_EQ(list(client.token), grpc::StatusCode::OK);
  clock_.AdvanceMs(86'400'000);
  EXPECT_EQ(list(client.token), grpc::StatusCode::UNAUTHENTICATED);
}

// A challenge the server did not issue is refused and says nothing about the
// device; a correct login always works (finding 7: no lockout).
TEST_F(ServiceTest, JunkLoginsDoNotLockTheDeviceOut) {
  TestUser client;
  Register(client, v1::ROLE_CLIENT);
  v1::AuthenticateRequest request;
  request.set_user_id(client.user_id);
  request.set_device_id(1);
  request.set_challenge(std::string(32, 'c'));
  request.set_signature(std::string(64, 's'));
  for (int i = 0; i < 10; ++i) {
    grpc::ClientContext context;
    v1::AuthenticateResponse response;
    EXPECT_EQ(accounts_->Authenticate(&context, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  client.token.clear();
  Login(client);
  EXPECT_FALSE(client.token.empty());
}

TEST_F(ServiceTest, RegisterRefusesBadSignatures) {
  TestUser user;
  v1::RegisterRequest request;
  request.set_role(v1::ROLE_CLIENT);
  request.set_identity_key(Str(user.identity.public_key().span()));
  *request.mutable_device() = MakeDevice(user, 0);
  request.mutable_device()->mutable_signed_prekey()->mutable_signature()->at(0) ^= 1;
  grpc::ClientContext context;
  v1::RegisterResponse response;
  grpc::Status status = accounts_->Register(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("signed_prekey"), std::string::npos);
}

}  // namespace
}  // namespace securebase::server
