// Finding 4: device lists. Every device list a client encrypts by is checked
// against device bindings signed by the account's identity key, and a
// prekey's signature binds its device.
//
// ServerInventedDevicesAreRefused: a man-in-the-middle proxy adds devices to
//   every prekey bundle answer for the therapist: one under a copy of the real
//   device's signed prekey and binding (a replay as a "new device"), one under
//   keys of the server's own, one without any binding. The client never
//   encrypts to them, and its messages still go out to the real device (the
//   real server, which knows only that one, accepts them).
// OwnDevicesHoldSessions: the client's account gets a real second device (its
//   identity key signs the device's binding and prekey; the device is played
//   by the test with crypto's session cipher). The client's sends now also go
//   to that device as transcripts it decrypts, and what that device writes
//   reaches the client's first device and the therapist: sessions between one
//   account's devices work both ways.
#include <optional>

#include "client/src/account_store.h"
#include "client/src/vault.h"
#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/keys.h"
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

namespace records = ::securebase::client::records;
namespace content = ::securebase::content::v1;
namespace testing = ::securebase::testing;

std::string Str(crypto::ByteSpan bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

class DeviceListTest : public ProxiedE2eTest {};

TEST_F(DeviceListTest, ServerInventedDevicesAreRefusedAndSendsStillGoOut) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Devices", Through());
  auto client = Create(sc::Role::kClient, "Kai", Through());
  ASSERT_TRUE(therapist && client);
  const std::string therapist_id = crypto::FromHex(therapist->user_id()).value();
  const crypto::IdentityKeyPair server_key =
      crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
  int invented = 0;
  proxy_->OnBundles([&](const v1::GetPreKeyBundlesRequest& request,
                        v1::GetPreKeyBundlesResponse& response) {
    if (request.user_id() != therapist_id || response.devices_size() == 0) return;
    const v1::DeviceBundle real = response.devices(0);
    // 77: the real device's prekey and binding, replayed as another device.
    v1::DeviceBundle* replayed = response.add_devices();
    *replayed = real;
    replayed->set_device_id(77);
    // 78: a prekey and a binding of the server's own making.
    const crypto::DeviceAddress address78{UserIdOf(therapist_id), 78};
    crypto::SignedPreKey spk =
        crypto::SignedPreKey::GenerateForDevice(server_key, address78, 9, crypto::SystemRandom());
    v1::DeviceBundle* forged = response.add_devices();
    forged->set_device_id(78);
    forged->mutable_signed_prekey()->set_key_id(9);
    forged->mutable_signed_prekey()->set_public_key(Str(spk.key.public_key().span()));
    forged->mutable_signed_prekey()->set_signature(Str(spk.signature.span()));
    const crypto::DeviceAuthKeyPair auth =
        crypto::DeviceAuthKeyPair::Generate(crypto::SystemRandom());
    const crypto::Bytes binding = crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(
        server_key, crypto::DeviceBinding{address78, auth.public_key(), 1'800'000'000}));
    forged->set_device_binding(std::string(binding.begin(), binding.end()));
    // 79: no binding at all.
    v1::DeviceBundle* unbound = response.add_devices();
    *unbound = real;
    unbound->set_device_id(79);
    unbound->clear_device_binding();
    invented += 3;
  });

  // First contact (the introduction fetches the therapist's bundles), then
  // messages; each must go out.
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  EXPECT_GT(invented, 0) << "the proxy invented nothing: the test would prove nothing";
  std::vector<std::string> ids;
  for (const char* text : {"one", "two"}) {
    auto sent = client->SendText("Dr. Devices", text);
    ASSERT_SB_OK(sent);
    ids.push_back(*sent);
  }
  auto received = therapist->Sync();
  ASSERT_SB_OK(received);
  for (const std::string& id : ids) EXPECT_EQ(CountId(received->new_items, id), 1u);
  auto history = client->History("Dr. Devices");
  ASSERT_SB_OK(history);
  for (const auto& item : *history) EXPECT_NE(item.state, sc::DeliveryState::kQueued);

  // Not one ciphertext for an invented device ever left the client.
  for (const auto& send : proxy_->sends()) {
    for (const auto& c : send.request.ciphertexts()) {
      EXPECT_LT(c.recipient().device_id(), 77u) << "a ciphertext for an invented device";
    }
  }
}

// The client's account's second device, played by the test.
class SecondDevice {
 public:
  SecondDevice(std::shared_ptr<it::Api> api, const std::string& user_id,
               crypto::IdentityKeyPair identity)
      : api_(std::move(api)),
        user_id_(user_id),
        identity_(std::move(identity)),
        auth_(crypto::DeviceAuthKeyPair::Generate(crypto::SystemRandom())) {}

  // AddDevice with the first device's token, login, then the device-bound
  // prekey and binding. A failure names its step.
  ::testing::AssertionResult Register(const std::string& first_device_authorization) {
    crypto::RandomSource& rng = crypto::SystemRandom();
    v1::AddDeviceRequest add;
    v1::NewDevice* device = add.mutable_device();
    device->set_device_auth_key(Str(auth_.public_key().span()));
    device->set_device_binding_signature(
        Str(crypto::SignDeviceBinding(identity_, auth_.public_key()).span()));
    // AddDevice checks a v1 signature (the device id does not exist yet);
    // peers never use it.
    const crypto::SignedPreKey registration = crypto::SignedPreKey::Generate(identity_, 1, rng);
    device->mutable_signed_prekey()->set_key_id(1);
    device->mutable_signed_prekey()->set_public_key(Str(registration.key.public_key().span()));
    device->mutable_signed_prekey()->set_signature(Str(registration.signature.span()));
    // The binding names the device id the server will give (the account's
    // next one) and is signed by the identity key: the server adds no device
    // without it.
    v1::ListDevicesResponse listed;
    {
      grpc::ClientContext context;
      context.AddMetadata("authorization", first_device_authorization);
      grpc::Status s = api_->accounts->ListDevices(&context, {}, &listed);
      if (!s.ok()) return ::testing::AssertionFailure() << "ListDevices: " << it::StatusString(s);
    }
    const crypto::Bytes add_binding =
        crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(
            identity_,
            crypto::DeviceBinding{
                {UserIdOf(user_id_), listed.next_device_id()}, auth_.public_key(), 1'800'000'000}));
    add.set_device_binding(std::string(add_binding.begin(), add_binding.end()));
    v1::AddDeviceResponse added;
    {
      grpc::ClientContext context;
      context.AddMetadata("authorization", first_device_authorization);
      grpc::Status s = api_->accounts->AddDevice(&context, add, &added);
      if (!s.ok()) return ::testing::AssertionFailure() << "AddDevice: " << it::StatusString(s);
    }
    device_id_ = added.device_id();
    v1::GetChallengeRequest challenge_request;
    challenge_request.set_user_id(user_id_);
    challenge_request.set_device_id(device_id_);
    v1::GetChallengeResponse challenge;
    {
      auto context = it::MakeContext();
      grpc::Status s = api_->accounts->GetChallenge(context.get(), challenge_request, &challenge);
      if (!s.ok()) return ::testing::AssertionFailure() << "GetChallenge: " << it::StatusString(s);
    }
    v1::AuthenticateRequest login;
    login.set_user_id(user_id_);
    login.set_device_id(device_id_);
    login.set_challenge(challenge.challenge());
    login.set_signature(
        Str(auth_.SignAuthChallenge(crypto::AsBytes(challenge.challenge())).value().span()));
    v1::AuthenticateResponse token;
    {
      auto context = it::MakeContext();
      grpc::Status s = api_->accounts->Authenticate(context.get(), login, &token);
      if (!s.ok()) return ::testing::AssertionFailure() << "Authenticate: " << it::StatusString(s);
    }
    token_ = token.token();
    // Its crypto side: device-bound prekey, binding, a session cipher.
    address_ = crypto::DeviceAddress{UserIdOf(user_id_), device_id_};
    crypto::SignedPreKey spk = crypto::SignedPreKey::GenerateForDevice(identity_, address_, 5, rng);
    prekeys_.AddSignedPreKey(spk);
    v1::UploadPreKeysRequest upload;
    upload.mutable_signed_prekey()->set_key_id(5);
    upload.mutable_signed_prekey()->set_public_key(Str(spk.key.public_key().span()));
    upload.mutable_signed_prekey()->set_signature(Str(spk.signature.span()));
    const crypto::Bytes binding = crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(
        identity_, crypto::DeviceBinding{address_, auth_.public_key(), 1'800'000'000}));
    upload.set_device_binding(std::string(binding.begin(), binding.end()));
    v1::UploadPreKeysResponse uploaded;
    {
      auto context = it::MakeContext(token_);
      grpc::Status s = api_->keys->UploadPreKeys(context.get(), upload, &uploaded);
      if (!s.ok()) return ::testing::AssertionFailure() << "UploadPreKeys: " << it::StatusString(s);
    }
    identities_.emplace(crypto::IdentityKeyPair::FromSeed(identity_.ExportSeed().span()).value(),
                        UserIdOf(user_id_));
    cipher_.emplace(sessions_, prekeys_, *identities_, address_, crypto::SystemRandom());
    return ::testing::AssertionSuccess();
  }

  // Every waiting envelope, decrypted (acknowledged afterwards).
  std::vector<content::Content> Receive() {
    std::vector<content::Content> out;
    v1::FetchRequest request;
    v1::FetchResponse response;
    auto context = it::MakeContext(token_);
    grpc::Status s = api_->messages->Fetch(context.get(), request, &response);
    EXPECT_TRUE(s.ok()) << it::StatusString(s);
    for (const auto& envelope : response.envelopes()) {
      auto plain = cipher_->Decrypt(crypto::DeviceAddress{UserIdOf(envelope.sender().user_id()),
                                                          envelope.sender().device_id()},
                                    crypto::AsBytes(envelope.ciphertext()));
      EXPECT_TRUE(plain.ok()) << plain.status().ToString();
      if (!plain.ok()) continue;
      content::Content c;
      EXPECT_TRUE(
          c.ParseFromArray(plain->plaintext.data(), static_cast<int>(plain->plaintext.size())));
      out.push_back(std::move(c));
    }
    if (response.envelopes_size() > 0) {
      v1::AcknowledgeRequest ack;
      ack.set_up_to_seq(response.envelopes(response.envelopes_size() - 1).seq());
      v1::AcknowledgeResponse acked;
      auto ack_context = it::MakeContext(token_);
      EXPECT_TRUE(api_->messages->Acknowledge(ack_context.get(), ack, &acked).ok());
    }
    return out;
  }

  // Writes `text` to `peer` (raw user id) as this device: to every device of
  // the peer (first contact from its bundle) and, as a transcript, to the
  // account's first device.
  ::testing::AssertionResult SendText(const std::string& peer, const std::string& text) {
    v1::GetPreKeyBundlesRequest request;
    request.set_user_id(peer);
    v1::GetPreKeyBundlesResponse bundles;
    {
      auto context = it::MakeContext(token_);
      grpc::Status s = api_->keys->GetPreKeyBundles(context.get(), request, &bundles);
      if (!s.ok()) return ::testing::AssertionFailure() << "bundles: " << it::StatusString(s);
    }
    content::Content message;
    message.set_message_id(crypto::FromHex(RandomHex(16)).value());
    message.mutable_text()->set_body(text);
    content::Content transcript = message;
    transcript.set_sent_to_user_id(peer);
    v1::SendRequest send;
    send.set_recipient_user_id(peer);
    send.set_client_message_id(crypto::FromHex(RandomHex(16)).value());
    auto to_peer = EncryptToEveryDevice(*cipher_, peer, bundles, message.SerializeAsString(), send);
    if (!to_peer) return to_peer;
    const std::string plain = transcript.SerializeAsString();
    auto to_first =
        cipher_->Encrypt(crypto::DeviceAddress{UserIdOf(user_id_), 1}, crypto::AsBytes(plain));
    if (!to_first.ok()) {
      return ::testing::AssertionFailure()
             << "encrypt to the first device: " << to_first.status().ToString();
    }
    AddCiphertext(send, user_id_, 1, *to_first);
    v1::SendResponse sent;
    auto context = it::MakeContext(token_);
    grpc::Status s = api_->messages->Send(context.get(), send, &sent);
    if (!s.ok()) return ::testing::AssertionFailure() << "send: " << it::StatusString(s);
    last_id_ = crypto::ToHex(message.message_id());
    return ::testing::AssertionSuccess();
  }

  uint32_t device_id() const { return device_id_; }
  const std::string& last_id() const { return last_id_; }

 private:
  std::shared_ptr<it::Api> api_;
  std::string user_id_;
  crypto::IdentityKeyPair identity_;
  crypto::DeviceAuthKeyPair auth_;
  uint32_t device_id_ = 0;
  std::string token_;
  crypto::DeviceAddress address_;
  testing::InMemorySessionStore sessions_;
  testing::InMemoryPreKeyStore prekeys_;
  std::optional<testing::InMemoryIdentityStore> identities_;
  std::optional<crypto::SessionCipher> cipher_;
  std::string last_id_;
};

TEST_F(DeviceListTest, OwnDevicesHoldSessionsWithEachOther) {
  auto therapist = Create(sc::Role::kTherapist, "Dr. Devices", Through());
  auto client = Create(sc::Role::kClient, "Kai", Through());
  ASSERT_TRUE(therapist && client);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *client));
  const std::string client_id = crypto::FromHex(client->user_id()).value();
  const std::string therapist_id = crypto::FromHex(therapist->user_id()).value();
  std::string client_token;
  for (const auto& send : proxy_->sends()) {
    if (send.request.recipient_user_id() == therapist_id) client_token = send.authorization;
  }
  ASSERT_FALSE(client_token.empty());

  // The identity key is in the client's vault (a real app would provision
  // the new device through a linking code; the test reads it directly).
  client.reset();
  std::optional<crypto::IdentityKeyPair> identity;
  {
    auto vault = sc::Vault::Open(Home("Kai"), kPassphrase, std::chrono::seconds(10));
    ASSERT_SB_OK(vault);
    ASSERT_SB_OK((*vault)->Transact([&](sc::VaultTransaction& txn) -> sc::Status {
      sc::AccountStore store(txn);
      SB_ASSIGN_OR_RETURN(records::Account account, store.LoadExisting());
      auto key = crypto::IdentityKeyPair::FromSeed(crypto::AsBytes(account.identity_seed()));
      if (key.ok()) identity.emplace(std::move(key).value());
      sc::WipeSeeds(account);
      return sc::Status::Ok();
    }));
  }
  ASSERT_TRUE(identity.has_value());
  client = Reopen("Kai", Through());
  ASSERT_TRUE(client);
  SecondDevice tablet(std::make_shared<it::Api>(server().channel()), client_id,
                      std::move(*identity));
  ASSERT_TRUE(tablet.Register(client_token));

  // The first device learns of the second from the server's answer, checks
  // its binding, and encrypts a transcript to it: a session with its own
  // account's device.
  auto sent = client->SendText("Dr. Devices", "written on my phone");
  ASSERT_SB_OK(sent);
  std::vector<content::Content> copies = tablet.Receive();
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(crypto::ToHex(copies[0].message_id()), *sent);
  EXPECT_EQ(copies[0].text().body(), "written on my phone");
  EXPECT_EQ(copies[0].sent_to_user_id(), therapist_id);
  auto got = therapist->Sync();
  ASSERT_SB_OK(got);
  EXPECT_EQ(CountId(got->new_items, *sent), 1u) << DescribeHistory(got->new_items);

  // The second device writes: the therapist reads it from the client, and the
  // first device files the transcript in the conversation.
  ASSERT_TRUE(tablet.SendText(therapist_id, "written on my tablet"));
  auto at_therapist = therapist->Sync();
  ASSERT_SB_OK(at_therapist);
  ASSERT_EQ(CountId(at_therapist->new_items, tablet.last_id()), 1u)
      << DescribeHistory(at_therapist->new_items);
  EXPECT_EQ(at_therapist->new_items.back().sender_device_id, tablet.device_id());
  auto synced = client->Sync();
  ASSERT_SB_OK(synced);
  auto history = client->History("Dr. Devices");
  ASSERT_SB_OK(history);
  const sc::HistoryItem* copy = FindId(*history, tablet.last_id());
  ASSERT_NE(copy, nullptr) << DescribeHistory(*history);
  EXPECT_EQ(copy->direction, sc::Direction::kOutgoing);
  EXPECT_TRUE(ContentEquals(sc::TextMessage{"written on my tablet", ""}, copy->content));
  // And the first device's next message reaches both again, on the sessions
  // they now hold.
  // (Its delivered receipts reach the second device too; only texts count.)
  auto again = client->SendText("Dr. Devices", "and once more");
  ASSERT_SB_OK(again);
  std::vector<std::string> texts;
  for (const content::Content& c : tablet.Receive()) {
    if (c.has_text()) texts.push_back(c.text().body());
  }
  EXPECT_EQ(texts, std::vector<std::string>{"and once more"});
}

}  // namespace
}  // namespace securebase::e2e
