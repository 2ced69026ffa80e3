// Finding 3: a server's link list never makes a contact, on either side.
//
// LookAlikeTherapistLinkedByTheServerIsNoContact: the server links its own
//   "Dr. Rivera" account to a client that never redeemed its invite (a proxy
//   redeems it with the client's token as it goes by) and writes to the
//   client from it. The client accepts contacts only from invites it redeemed:
//   the look-alike is no contact, nothing it writes is shown, and "Dr.
//   Rivera" still names the real therapist only.
// TherapistAcceptsANewClientOnlyWithItsInviteProof: the server redeems a
//   therapist's invite for an account of its own (it sees the invite secret)
//   and introduces it, without a proof and with a forged one. The therapist
//   accepts neither; the client who really holds an invite code is accepted,
//   and verified (its key is pinned by the proof, as the therapist's is by the
//   code).
// LegacyInviteCodesAreRefusedBeforeTheyAreRedeemed: a code of the format
//   before mutual pinning decodes, and is refused with a clear message before
//   it is redeemed, so the therapist's invite is not used up.
#include <optional>

#include "client/src/invite_code.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/invite_proof.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/session_cipher.h"
#include "securebase/v1/content.pb.h"
#include "tests/client/e2e/e2e_support.h"
#include "tests/client/e2e/mitm_proxy.h"
#include "tests/client/e2e/raw_peer.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/test_account.h"
#include "tests/testing/in_memory_stores.h"

namespace securebase::e2e {
namespace {

namespace content = ::securebase::content::v1;
namespace testing = ::securebase::testing;

// A raw account's first device writing to one device of a peer, with
// crypto's session cipher: what a server-made account can do.
class RawWriter {
 public:
  explicit RawWriter(it::TestAccount& account)
      : account_(account),
        identities_(
            crypto::IdentityKeyPair::FromSeed(account.identity().ExportSeed().span()).value(),
            UserIdOf(account.user_id())),
        cipher_(sessions_, prekeys_, identities_, AddressOf(account, 0), crypto::SystemRandom()) {}

  // Sends `message` to every device of `peer` (raw user id), starting the
  // session from the peer's bundle.
  ::testing::AssertionResult Send(const std::string& peer, const content::Content& message) {
    v1::GetPreKeyBundlesResponse bundles;
    grpc::Status s = account_.GetPreKeyBundles(peer, &bundles);
    if (!s.ok()) return ::testing::AssertionFailure() << "bundles: " << it::StatusString(s);
    v1::SendRequest send;
    send.set_recipient_user_id(peer);
    send.set_client_message_id(crypto::FromHex(RandomHex(16)).value());
    auto encrypted =
        EncryptToEveryDevice(cipher_, peer, bundles, message.SerializeAsString(), send);
    if (!encrypted) return encrypted;
    s = account_.SendRequest(send);
    if (!s.ok()) return ::testing::AssertionFailure() << "send: " << it::StatusString(s);
    return ::testing::AssertionSuccess();
  }

 private:
  it::TestAccount& account_;
  testing::InMemorySessionStore sessions_;
  testing::InMemoryPreKeyStore prekeys_;
  testing::InMemoryIdentityStore identities_;
  crypto::SessionCipher cipher_;
};

content::Content Profile(const std::string& name) {
  content::Content c;
  c.set_message_id(crypto::FromHex(RandomHex(16)).value());
  c.mutable_profile()->set_display_name(name);
  return c;
}

content::Content Text(const std::string& body) {
  content::Content c;
  c.set_message_id(crypto::FromHex(RandomHex(16)).value());
  c.mutable_text()->set_body(body);
  return c;
}

class MutualPinningTest : public ProxiedE2eTest {
 protected:
  void SetUp() override {
    ProxiedE2eTest::SetUp();
    if (HasFatalFailure()) return;
    api_ = std::make_shared<it::Api>(server().channel());
  }

  std::shared_ptr<it::Api> api_;
};

TEST_F(MutualPinningTest, LookAlikeTherapistLinkedByTheServerIsNoContact) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Rivera", Through());
  auto client = Create(sc::Role::kClient, "Sam", Through());
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  const std::string client_id = crypto::FromHex(client->user_id()).value();
  std::string client_token;
  for (const auto& send : proxy_->sends()) {
    if (send.request.recipient_user_id() == crypto::FromHex(therapist->user_id()).value()) {
      client_token = send.authorization;
    }
  }
  ASSERT_FALSE(client_token.empty());

  // The server's look-alike, linked to the client with the client's token.
  auto look_alike = it::TestAccount::Create(api_, v1::ROLE_THERAPIST, 5);
  ASSERT_TRUE(look_alike);
  ASSERT_TRUE(PublishDeviceKeys(*look_alike, 0));
  const std::string secret = [&] {
    v1::CreateInviteRequest request;
    request.set_expires_in_seconds(3600);
    v1::CreateInviteResponse response;
    auto context = look_alike->Context();
    EXPECT_TRUE(api_->links->CreateInvite(context.get(), request, &response).ok());
    return response.invite_secret();
  }();
  {
    v1::RedeemInviteRequest redeem;
    redeem.set_invite_secret(secret);
    v1::RedeemInviteResponse redeemed;
    grpc::ClientContext context;
    context.AddMetadata("authorization", client_token);
    ASSERT_GRPC_OK(api_->links->RedeemInvite(&context, redeem, &redeemed));
  }
  v1::ListLinksResponse links;
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", client_token);
    ASSERT_GRPC_OK(api_->links->ListLinks(&context, v1::ListLinksRequest(), &links));
  }
  ASSERT_EQ(links.links_size(), 2) << "the server lists the look-alike as the client's therapist";

  RawWriter writer(*look_alike);
  ASSERT_TRUE(writer.Send(client_id, Profile("Dr. Rivera")));
  const content::Content lure = Text("I have a new number, please write to me here");
  ASSERT_TRUE(writer.Send(client_id, lure));

  auto synced = client->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_TRUE(synced->new_items.empty()) << DescribeHistory(synced->new_items);
  bool warned = false;
  for (const std::string& w : synced->warnings)
    warned |= w.find("not a contact") != std::string::npos;
  EXPECT_TRUE(warned);
  auto contacts = client->Contacts();
  ASSERT_SB_OK(contacts);
  ASSERT_EQ(contacts->size(), 1u) << "a server-asserted link made a contact";
  EXPECT_EQ(contacts->at(0).user_id, therapist->user_id());
  auto found = client->FindContact("Dr. Rivera");
  ASSERT_SB_OK(found) << "the name must still name the real therapist only";
  EXPECT_EQ(found->user_id, therapist->user_id());
  EXPECT_EQ(sc::ContactLabel(*found), "Dr. Rivera (verified)");
  auto history = client->History("Dr. Rivera");
  ASSERT_SB_OK(history);
  EXPECT_EQ(CountId(*history, crypto::ToHex(lure.message_id())), 0u);
}

TEST_F(MutualPinningTest, TherapistAcceptsANewClientOnlyWithItsInviteProof) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Rivera", Through());
  ASSERT_TRUE(therapist);
  const std::string therapist_id = crypto::FromHex(therapist->user_id()).value();
  auto code = therapist->CreateInvite(std::chrono::hours(1));
  ASSERT_SB_OK(code);
  ASSERT_EQ(proxy_->invite_secrets().size(), 1u);

  // The server redeems the invite for an account of its own and introduces
  // it: first without a proof, then with a forged one.
  auto puppet = it::TestAccount::Create(api_, v1::ROLE_CLIENT, 5);
  ASSERT_TRUE(puppet);
  ASSERT_TRUE(PublishDeviceKeys(*puppet, 0));
  {
    v1::RedeemInviteRequest redeem;
    redeem.set_invite_secret(proxy_->invite_secrets().back());
    v1::RedeemInviteResponse redeemed;
    auto context = puppet->Context();
    ASSERT_GRPC_OK(api_->links->RedeemInvite(context.get(), redeem, &redeemed));
  }
  RawWriter writer(*puppet);
  ASSERT_TRUE(writer.Send(therapist_id, Profile("Sam")));
  content::Content forged = Profile("Sam");
  forged.mutable_profile()->mutable_invite_proof()->set_invite_id(std::string(16, 'i'));
  forged.mutable_profile()->mutable_invite_proof()->set_proof(std::string(32, 'p'));
  // A new session (the writer's first one is used up by the refusal).
  RawWriter second_writer(*puppet);
  ASSERT_TRUE(second_writer.Send(therapist_id, forged));
  const content::Content lure = Text("hello, it's me, Sam");
  RawWriter third_writer(*puppet);
  ASSERT_TRUE(third_writer.Send(therapist_id, lure));

  auto synced = therapist->Sync();
  ASSERT_SB_OK(synced);
  EXPECT_EQ(synced->envelopes, 3u);
  EXPECT_TRUE(synced->new_items.empty()) << DescribeHistory(synced->new_items);
  auto contacts = therapist->Contacts();
  ASSERT_SB_OK(contacts);
  EXPECT_TRUE(contacts->empty()) << "the therapist accepted a client without an invite proof";
  EXPECT_FALSE(therapist->FindContact(crypto::ToHex(puppet->user_id())).ok());

  // The client who really holds a code is accepted, verified.
  auto client = Create(sc::Role::kClient, "Sam", Through());
  ASSERT_TRUE(client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  auto accepted = therapist->FindContact(client->user_id());
  ASSERT_SB_OK(accepted);
  EXPECT_TRUE(accepted->verified) << "the proof pins the client's key";
  EXPECT_EQ(sc::ContactLabel(*accepted), "Sam (verified)");
  contacts = therapist->Contacts();
  ASSERT_SB_OK(contacts);
  EXPECT_EQ(contacts->size(), 1u);
}

TEST_F(MutualPinningTest, LegacyInviteCodesAreRefusedBeforeTheyAreRedeemed) {
  auto raw_therapist = it::TestAccount::Create(api_, v1::ROLE_THERAPIST, 5);
  ASSERT_TRUE(raw_therapist);
  ASSERT_TRUE(PublishDeviceKeys(*raw_therapist, 0));
  v1::CreateInviteRequest request;
  request.set_expires_in_seconds(3600);
  v1::CreateInviteResponse response;
  auto context = raw_therapist->Context();
  ASSERT_GRPC_OK(api_->links->CreateInvite(context.get(), request, &response));
  sc::InviteCode legacy;
  legacy.version = sc::kLegacyInviteCodeVersion;
  legacy.invite_secret = response.invite_secret();
  legacy.invite_key = crypto::SecretBytes(32);
  legacy.key_pin = sc::KeyPin(raw_therapist->identity().public_key());
  const std::string text = sc::FormatInviteCode(legacy);
  ASSERT_EQ(text.rfind("sb1-", 0), 0u);

  auto client = Create(sc::Role::kClient, "Sam");
  ASSERT_TRUE(client);
  auto refused = client->AcceptInvite(text);
  ASSERT_TRUE(HasCode(refused, sc::ErrorCode::kInvalidInvite));
  EXPECT_NE(refused.status().message().find("earlier version"), std::string::npos)
      << refused.status().message();
  auto contacts = client->Contacts();
  ASSERT_SB_OK(contacts);
  EXPECT_TRUE(contacts->empty());
  // Not used up: the same invite secret in a current code still links.
  sc::InviteCode current;
  current.invite_secret = response.invite_secret();
  current.invite_key =
      crypto::SecretBytes::CopyOf(crypto::InviteKey::Generate(crypto::SystemRandom()).bytes());
  current.key_pin = legacy.key_pin;
  auto linked = client->AcceptInvite(sc::FormatInviteCode(current));
  ASSERT_SB_OK(linked);
  EXPECT_TRUE(linked->verified);
}

}  // namespace
}  // namespace securebase::e2e
