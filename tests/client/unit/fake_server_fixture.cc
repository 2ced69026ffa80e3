#include "tests/client/unit/fake_server_fixture.h"

#include <utility>

#include "client/src/device_address.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/random.h"
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
  Device& device = NewDevice(1, *identity_, &request.signed_prekey, &request.one_time_prekeys);
  std::unique_ptr<ServerApi> connection = server_.Connect();
  Result<Registration> registered = connection->Register(request);
  if (!registered.ok() || registered->device_id != 1) std::abort();  // The fake's contract.
  user_id_ = registered->user_id;
  // The identity store learns its own account id only now.
  device.identities = std::make_unique<securebase::testing::InMemoryIdentityStore>(
      crypto::IdentityKeyPair::FromSeed(identity_->ExportSeed().span()).value(),
      AddressOf(user_id_, 0).value().user_id);
  device.cipher = std::make_unique<crypto::SessionCipher>(
      *device.sessions, *device.prekeys, *device.identities, crypto::SystemRandom());
}

std::string BarePeer::user_id_hex() const { return crypto::ToHex(user_id_); }

BarePeer::Device& BarePeer::NewDevice(uint32_t id, const crypto::IdentityKeyPair& signer,
                                      SignedPreKeyWire* spk, std::vector<OneTimePreKeyWire>* otks) {
  Device& device = devices_[id];
  device.sessions = std::make_unique<securebase::testing::InMemorySessionStore>();
  device.prekeys = std::make_unique<securebase::testing::InMemoryPreKeyStore>();
  crypto::RandomSource& rng = crypto::SystemRandom();
  crypto::SignedPreKey signed_prekey =
      crypto::SignedPreKey::Generate(signer, next_prekey_id_++, rng);
  device.prekeys->AddSignedPreKey(signed_prekey);
  *spk = SignedPreKeyWire{signed_prekey.id,
                          std::string(AsStringView(signed_prekey.key.public_key().span())),
                          std::string(AsStringView(signed_prekey.signature.span()))};
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
                                                            *device.identities, rng);
  }
  return device;
}

uint32_t BarePeer::AddDevice(const crypto::IdentityKeyPair* signer) {
  SignedPreKeyWire spk;
  std::vector<OneTimePreKeyWire> otks;
  // Made under a placeholder id, then filed under the id the server gives.
  const uint32_t placeholder = 1000 + static_cast<uint32_t>(devices_.size());
  NewDevice(placeholder, signer != nullptr ? *signer : *identity_, &spk, &otks);
  const uint32_t id = server_.AddDevice(user_id_, spk, otks);
  auto node = devices_.extract(placeholder);
  node.key() = id;
  devices_.insert(std::move(node));
  return id;
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

void FakeServerTest::LinkBare(Client& therapist, const BarePeer& peer) {
  server_.LinkAccounts(Raw(therapist.user_id()), peer.user_id());
  auto synced = therapist.Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
}

std::string FakeServerTest::Raw(const std::string& hex) {
  return crypto::FromHex(hex).value_or("");
}

}  // namespace securebase::client::testing
