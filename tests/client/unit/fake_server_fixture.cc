#include "tests/client/unit/fake_server_fixture.h"

#include <utility>

#include "client/src/device_address.h"
#include "client/src/invite_code.h"
#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/invite_proof.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret_box.h"
#include "securebase/v1/content.pb.h"

namespace securebase::client::testing {

using crypto::AsStringView;

std::string Describe(const Status& status) { return status.ToString(); }

// --- BarePeer ------------------------------------------------------------------

BarePeer::BarePeer(FakeServer& server, Role role)
    : server_(server),
      identity_(std::make_unique<crypto::IdentityKeyPair>(
          crypto::IdentityKeyPair::Generate(crypto::SystemRandom()))) {
  RegisterRequest request;
  request.role = role;
  request.identity_key = std::string(AsStringView(identity_->public_key().span()));
  NewDevice(1, &request.one_time_prekeys);
  std::unique_ptr<ServerApi> connection = server_.Connect();
  Result<Registration> registered = connection->Register(request);
  if (!registered.ok() || registered->device_id != 1) std::abort();  // The fake's contract.
  user_id_ = registered->user_id;
  // The identity store and the device-bound keys need the account's id.
  Device& device = devices_.at(1);
  device.identities = std::make_unique<securebase::testing::InMemoryIdentityStore>(
      crypto::IdentityKeyPair::FromSeed(identity_->ExportSeed().span()).value(),
      AddressOf(user_id_, 0).value().user_id);
  device.cipher = std::make_unique<crypto::SessionCipher>(
      *device.sessions, *device.prekeys, *device.identities, AddressOf(user_id_, 1).value(),
      crypto::SystemRandom());
  PublishDeviceKeys(1, *identity_);
}

std::string BarePeer::user_id_hex() const { return crypto::ToHex(user_id_); }

BarePeer::Device& BarePeer::NewDevice(uint32_t id, std::vector<OneTimePreKeyWire>* otks) {
  Device& device = devices_[id];
  crypto::RandomSource& rng = crypto::SystemRandom();
  device.auth =
      std::make_unique<crypto::DeviceAuthKeyPair>(crypto::DeviceAuthKeyPair::Generate(rng));
  device.sessions = std::make_unique<securebase::testing::InMemorySessionStore>();
  device.prekeys = std::make_unique<securebase::testing::InMemoryPreKeyStore>();
  for (int i = 0; i < 3; ++i) {
    crypto::OneTimePreKey otk = crypto::OneTimePreKey::Generate(next_prekey_id_++, rng);
    device.prekeys->AddOneTimePreKey(otk);
    otks->push_back(
        OneTimePreKeyWire{otk.id, std::string(AsStringView(otk.key.public_key().span()))});
  }
  if (!user_id_.empty()) {
    device.identities = std::make_unique<securebase::testing::InMemoryIdentityStore>(
        crypto::IdentityKeyPair::FromSeed(identity_->ExportSeed().span()).value(),
        AddressOf(user_id_, 0).value().user_id);
    device.cipher = std::make_unique<crypto::SessionCipher>(*device.sessions, *device.prekeys,
                                                            *device.identities,
                                                            AddressOf(user_id_, id).value(), rng);
  }
  return device;
}

void BarePeer::PublishDeviceKeys(uint32_t id, const crypto::IdentityKeyPair& signer) {
  Device& device = devices_.at(id);
  const crypto::DeviceAddress address = AddressOf(user_id_, id).value();
  crypto::SignedPreKey spk = crypto::SignedPreKey::GenerateForDevice(
      signer, address, next_prekey_id_++, crypto::SystemRandom());
  device.prekeys->AddSignedPreKey(spk);
  PreKeyUpload upload;
  upload.signed_prekey =
      SignedPreKeyWire{spk.id, std::string(AsStringView(spk.key.public_key().span())),
                       std::string(AsStringView(spk.signature.span()))};
  const crypto::Bytes binding = crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(
      signer, crypto::DeviceBinding{address, device.auth->public_key(), 1'800'000'000}));
  upload.device_binding.assign(binding.begin(), binding.end());
  server_.SetDeviceKeys(user_id_, id, upload);
}

std::unique_ptr<ServerApi> BarePeer::Connection(uint32_t id) {
  std::unique_ptr<ServerApi> connection = server_.Connect();
  connection->SetDevice(user_id_, id, nullptr, "");
  return connection;
}

uint32_t BarePeer::AddDevice(const crypto::IdentityKeyPair* signer) {
  std::vector<OneTimePreKeyWire> otks;
  // Made under a placeholder id, then filed under the id the server gives.
  const uint32_t placeholder = 1000 + static_cast<uint32_t>(devices_.size());
  NewDevice(placeholder, &otks);
  const uint32_t id = server_.AddDevice(user_id_, SignedPreKeyWire{}, otks);
  auto node = devices_.extract(placeholder);
  node.key() = id;
  devices_.insert(std::move(node));
  Device& device = devices_.at(id);
  device.cipher = std::make_unique<crypto::SessionCipher>(
      *device.sessions, *device.prekeys, *device.identities, AddressOf(user_id_, id).value(),
      crypto::SystemRandom());
  PublishDeviceKeys(id, signer != nullptr ? *signer : *identity_);
  return id;
}

bool BarePeer::AcceptInvite(const std::string& code_text, const std::string& name) {
  std::optional<InviteCode> code = ParseInviteCode(code_text);
  if (!code) {
    ADD_FAILURE() << "the library's invite code does not parse: " << code_text;
    return false;
  }
  const crypto::InviteKeys keys =
      crypto::DeriveInviteKeys(crypto::InviteKey::FromBytes(code->invite_key.span()).value());
  std::unique_ptr<ServerApi> connection = Connection(1);
  Result<RedeemedInvite> redeemed = connection->RedeemInvite(code->invite_secret);
  Result<PreKeyBundles> bundles = redeemed.ok()
                                      ? connection->GetPreKeyBundles(redeemed->link.peer_user_id)
                                      : Result<PreKeyBundles>(redeemed.status());
  if (!bundles.ok() || bundles->devices.empty()) {
    ADD_FAILURE() << "redeem or fetch keys: " << Describe(bundles.status());
    return false;
  }
  const std::string& therapist = redeemed->link.peer_user_id;
  const auto therapist_key =
      crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(bundles->identity_key)).value();
  const DeviceBundle& device = bundles->devices.front();
  crypto::PreKeyBundle bundle;
  bundle.identity_key = therapist_key;
  bundle.signed_prekey_id = device.signed_prekey.key_id;
  bundle.signed_prekey =
      crypto::DhPublicKey::FromBytes(crypto::AsBytes(device.signed_prekey.public_key)).value();
  bundle.signed_prekey_signature =
      crypto::Signature::FromBytes(crypto::AsBytes(device.signed_prekey.signature)).value();
  const crypto::InviteProof proof = crypto::MakeInviteProof(
      keys.proof_key, crypto::InviteProofStatement{
                          AddressOf(therapist, 0).value().user_id, therapist_key,
                          AddressOf(user_id_, 0).value().user_id, identity_->public_key()});
  content::v1::Content content;
  content.set_message_id(std::string(16, 'P'));
  content.mutable_profile()->set_display_name(name);
  content.mutable_profile()->mutable_invite_proof()->set_invite_id(
      std::string(AsStringView(keys.invite_id.span())));
  content.mutable_profile()->mutable_invite_proof()->set_proof(
      std::string(reinterpret_cast<const char*>(proof.data()), proof.size()));
  const std::string plain = content.SerializeAsString();
  auto ciphertext = devices_.at(1).cipher->Encrypt(AddressOf(therapist, device.device_id).value(),
                                                   crypto::AsBytes(plain), &bundle);
  if (!ciphertext.ok()) {
    ADD_FAILURE() << "encrypt the introduction: " << ciphertext.status().ToString();
    return false;
  }
  SendRequest send;
  send.recipient_user_id = therapist;
  send.client_message_id = std::string(16, 'I');
  send.ciphertexts.push_back(
      OutgoingCiphertext{ServerDevice{therapist, device.device_id},
                         std::string(ciphertext->begin(), ciphertext->end())});
  Result<SendOutcome> sent = connection->Send(send);
  if (!sent.ok() || sent->mismatch) {
    ADD_FAILURE() << "send the introduction";
    return false;
  }
  return true;
}

std::string BarePeer::CreateInvite(const std::string& name) {
  crypto::RandomSource& rng = crypto::SystemRandom();
  const crypto::InviteKey invite_key = crypto::InviteKey::Generate(rng);
  const crypto::InviteKeys keys = crypto::DeriveInviteKeys(invite_key);
  content::v1::InviteProfile profile;
  profile.mutable_profile()->set_display_name(name);
  const std::string plain = profile.SerializeAsString();
  auto sealed = crypto::SealBox(keys.profile_key, "invite-profile", crypto::AsBytes(plain), rng);
  Result<std::string> secret =
      Connection(1)->CreateInvite(3600, std::string(sealed->begin(), sealed->end()));
  if (!secret.ok()) {
    ADD_FAILURE() << "create invite: " << Describe(secret.status());
    return "";
  }
  InviteCode code;
  code.invite_secret = *secret;
  code.invite_key = crypto::SecretBytes::CopyOf(invite_key.bytes());
  code.key_pin = KeyPin(identity_->public_key());
  return FormatInviteCode(code);
}

std::vector<std::string> BarePeer::Receive(uint32_t device_id) {
  Device& device = devices_.at(device_id);
  std::vector<std::string> contents;
  std::vector<Envelope> waiting = server_.Mailbox(user_id_, device_id);
  for (const Envelope& envelope : waiting) {
    auto plaintext = device.cipher->Decrypt(
        AddressOf(envelope.sender.user_id, envelope.sender.device_id).value(),
        crypto::AsBytes(envelope.ciphertext));
    contents.push_back(plaintext.ok() ? std::string(AsStringView(plaintext->plaintext.span()))
                                      : std::string());
  }
  // Acknowledged, as a device would: through a connection acting for it.
  if (!waiting.empty()) {
    std::unique_ptr<ServerApi> connection = server_.Connect();
    connection->SetDevice(user_id_, device_id, nullptr, "");
    if (!connection->Fetch(0, 100000).ok() || !connection->Acknowledge(waiting.back().seq).ok()) {
      std::abort();
    }
  }
  return contents;
}

std::vector<std::string> BarePeer::ReceiveTexts(uint32_t device) {
  std::vector<std::string> texts;
  for (const std::string& serialized : Receive(device)) {
    content::v1::Content content;
    if (content.ParseFromString(serialized) && content.has_text()) {
      texts.push_back(content.text().body());
    }
  }
  return texts;
}

// --- FakeServerTest --------------------------------------------------------------

ClientOptions FakeServerTest::Options(const std::string& name) {
  ClientOptions options;
  options.home = temp_.path() + "/" + name;
  options.passphrase_cost = PassphraseCost::kMinimumForTests;
  options.lock_timeout = std::chrono::milliseconds(5000);
  connections_.push_back(server_.Connect());
  options.server_api = connections_.back().get();
  options.clock = &clock_;
  options.faults = &faults_;
  // As an app that stays running: fast, and the per-call path is what the
  // e2e tests (CLI) run.
  options.vault_access = VaultAccess::kExclusive;
  return options;
}

std::unique_ptr<Client> FakeServerTest::Create(Role role, const std::string& name,
                                               const std::function<void(ClientOptions&)>& tweak) {
  ClientOptions options = Options(name);
  if (tweak) tweak(options);
  auto created = Client::Create(options, kPassphrase, role, name);
  if (!created.ok()) {
    ADD_FAILURE() << "Create " << name << ": " << Describe(created.status());
    return nullptr;
  }
  return std::move(created).value();
}

std::unique_ptr<Client> FakeServerTest::Reopen(const std::string& name,
                                               const std::function<void(ClientOptions&)>& tweak) {
  ClientOptions options = Options(name);
  if (tweak) tweak(options);
  auto opened = Client::Open(options, kPassphrase);
  if (!opened.ok()) {
    ADD_FAILURE() << "Open " << name << ": " << Describe(opened.status());
    return nullptr;
  }
  return std::move(opened).value();
}

void FakeServerTest::Link(Client& therapist, Client& client) {
  auto code = therapist.CreateInvite(std::chrono::hours(1));
  ASSERT_TRUE(code.ok()) << Describe(code);
  auto accepted = client.AcceptInvite(*code);
  ASSERT_TRUE(accepted.ok()) << Describe(accepted);
  auto synced = therapist.Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
}

void FakeServerTest::LinkBare(Client& therapist, BarePeer& peer) {
  auto code = therapist.CreateInvite(std::chrono::hours(1));
  ASSERT_TRUE(code.ok()) << Describe(code);
  ASSERT_TRUE(peer.AcceptInvite(*code, "Bare " + peer.user_id_hex().substr(0, 6)));
  auto synced = therapist.Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  ASSERT_TRUE(therapist.FindContact(peer.user_id_hex()).ok())
      << "the therapist did not accept the bare client's introduction";
}

std::string FakeServerTest::Raw(const std::string& hex) {
  return crypto::FromHex(hex).value_or("");
}

}  // namespace securebase::client::testing
