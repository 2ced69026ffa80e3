#include "tests/server/integration/harness/test_account.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "securebase/crypto/device_binding.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/server_process.h"

namespace securebase::integration {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

crypto::RandomSource& Rng() { return crypto::SystemRandom(); }

grpc::Status HarnessError(const std::string& what) {
  return grpc::Status(grpc::StatusCode::UNKNOWN, "test harness: " + what);
}

}  // namespace

Api::Api(std::shared_ptr<grpc::Channel> ch)
    : channel(std::move(ch)),
      accounts(v1::Accounts::NewStub(channel)),
      keys(v1::Keys::NewStub(channel)),
      links(v1::Links::NewStub(channel)),
      messages(v1::Messages::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> MakeContext(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

std::unique_ptr<grpc::ClientContext> MakeContextWithAuthorization(const std::string& value) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kRpcTimeout);
  context->AddMetadata("authorization", value);
  return context;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  Rng().Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), n));
  return out;
}

std::string Hex(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const char* hi = std::strchr(kHexDigits, hex[i]);
    const char* lo = std::strchr(kHexDigits, hex[i + 1]);
    if (hex[i] == '\0' || hex[i + 1] == '\0' || hi == nullptr || lo == nullptr) return std::nullopt;
    out.push_back(static_cast<char>((hi - kHexDigits) << 4 | (lo - kHexDigits)));
  }
  return out;
}

std::string ToString(crypto::ByteSpan bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

v1::DeviceAddress Address(const std::string& user_id, uint32_t device_id) {
  v1::DeviceAddress a;
  a.set_user_id(user_id);
  a.set_device_id(device_id);
  return a;
}

std::string AddressString(const v1::DeviceAddress& address) {
  return Hex(address.user_id()) + "/" + std::to_string(address.device_id());
}

std::string TargetCiphertext(const std::string& base, const v1::DeviceAddress& target) {
  return base + "@" + AddressString(target);
}

TestAccount::TestAccount(std::shared_ptr<Api> api, v1::Role role, int one_time_prekeys)
    : api_(std::move(api)), role_(role), identity_(crypto::IdentityKeyPair::Generate(Rng())) {
  GenerateDevice(one_time_prekeys);
}

std::unique_ptr<TestAccount> TestAccount::Create(std::shared_ptr<Api> api, v1::Role role,
                                                 int one_time_prekeys,
                                                 const std::string& registration_token) {
  auto account = std::make_unique<TestAccount>(std::move(api), role, one_time_prekeys);
  grpc::Status s = account->Register(registration_token);
  if (!s.ok()) {
    ADD_FAILURE() << "Register(" << v1::Role_Name(role) << ") -> " << StatusString(s);
    return nullptr;
  }
  s = account->Login(0);
  if (!s.ok()) {
    ADD_FAILURE() << "Login -> " << StatusString(s);
    return nullptr;
  }
  return account;
}

size_t TestAccount::GenerateDevice(int one_time_prekeys) {
  TestDevice device{
      .id = 0,
      .auth = crypto::DeviceAuthKeyPair::Generate(Rng()),
      .signed_prekey = crypto::SignedPreKey::Generate(identity_, 1, Rng()),
      .one_time_prekeys = {},
      .next_prekey_id = 2,
      .token = "",
  };
  devices_.push_back(std::move(device));
  size_t index = devices_.size() - 1;
  for (int i = 0; i < one_time_prekeys; ++i) {
    TestDevice& d = devices_[index];
    d.one_time_prekeys.push_back(crypto::OneTimePreKey::Generate(d.next_prekey_id++, Rng()));
  }
  return index;
}

v1::OneTimePreKey TestAccount::NewOneTimePreKey(size_t device_index) {
  TestDevice& d = devices_.at(device_index);
  d.one_time_prekeys.push_back(crypto::OneTimePreKey::Generate(d.next_prekey_id++, Rng()));
  v1::OneTimePreKey out;
  out.set_key_id(d.one_time_prekeys.back().id);
  out.set_public_key(KeyBytes(d.one_time_prekeys.back().key.public_key()));
  return out;
}

v1::SignedPreKey TestAccount::NewSignedPreKey(size_t device_index) {
  TestDevice& d = devices_.at(device_index);
  crypto::SignedPreKey spk = crypto::SignedPreKey::Generate(identity_, d.next_prekey_id++, Rng());
  v1::SignedPreKey out;
  out.set_key_id(spk.id);
  out.set_public_key(KeyBytes(spk.key.public_key()));
  out.set_signature(KeyBytes(spk.signature));
  d.signed_prekey = std::move(spk);
  return out;
}

v1::NewDevice TestAccount::NewDeviceProto(size_t device_index) const {
  const TestDevice& d = devices_.at(device_index);
  v1::NewDevice out;
  out.set_device_auth_key(KeyBytes(d.auth.public_key()));
  out.set_device_binding_signature(
      KeyBytes(crypto::SignDeviceBinding(identity_, d.auth.public_key())));
  v1::SignedPreKey* spk = out.mutable_signed_prekey();
  spk->set_key_id(d.signed_prekey.id);
  spk->set_public_key(KeyBytes(d.signed_prekey.key.public_key()));
  spk->set_signature(KeyBytes(d.signed_prekey.signature));
  for (const crypto::OneTimePreKey& k : d.one_time_prekeys) {
    v1::OneTimePreKey* p = out.add_one_time_prekeys();
    p->set_key_id(k.id);
    p->set_public_key(KeyBytes(k.key.public_key()));
  }
  return out;
}

v1::RegisterRequest TestAccount::MakeRegisterRequest(const std::string& registration_token) const {
  v1::RegisterRequest req;
  req.set_role(role_);
  req.set_identity_key(identity_key());
  *req.mutable_device() = NewDeviceProto(0);
  req.set_registration_token(registration_token);
  return req;
}

grpc::Status TestAccount::Register(const std::string& registration_token,
                                   v1::RegisterResponse* response) {
  v1::RegisterResponse local;
  if (response == nullptr) response = &local;
  auto ctx = MakeContext();
  grpc::Status s =
      api_->accounts->Register(ctx.get(), MakeRegisterRequest(registration_token), response);
  if (s.ok()) {
    user_id_ = response->user_id();
    devices_[0].id = response->device_id();
  }
  return s;
}

std::string TestAccount::DeviceBinding(size_t device_index, uint32_t device_id,
                                       const crypto::IdentityKeyPair* signer) const {
  crypto::DeviceBinding binding{
      crypto::DeviceAddress{
          crypto::UserId::FromBytes(
              crypto::ByteSpan(reinterpret_cast<const uint8_t*>(user_id_.data()), user_id_.size()))
              .value(),
          device_id},
      devices_.at(device_index).auth.public_key(), 1'800'000'000};
  return ToString(crypto::SerializeDeviceBinding(
      crypto::SignDeviceBindingRecord(signer != nullptr ? *signer : identity_, binding)));
}

v1::AddDeviceRequest TestAccount::MakeAddDeviceRequest(size_t device_index,
                                                       uint32_t device_id) const {
  v1::AddDeviceRequest req;
  *req.mutable_device() = NewDeviceProto(device_index);
  req.set_user_id(user_id_);
  req.set_device_binding(DeviceBinding(device_index, device_id));
  return req;
}

grpc::Status TestAccount::NextDeviceId(uint32_t* next) const {
  v1::ListDevicesResponse listed;
  auto ctx = Context(0);
  grpc::Status s = api_->accounts->ListDevices(ctx.get(), {}, &listed);
  if (s.ok()) *next = listed.next_device_id();
  return s;
}

grpc::Status TestAccount::AddDevice(int one_time_prekeys, size_t* index) {
  uint32_t next = 0;
  grpc::Status listed = NextDeviceId(&next);
  if (!listed.ok()) return listed;
  size_t i = GenerateDevice(one_time_prekeys);
  v1::AddDeviceRequest req = MakeAddDeviceRequest(i, next);
  v1::AddDeviceResponse resp;
  auto ctx = MakeContext();
  grpc::Status s = api_->accounts->AddDevice(ctx.get(), req, &resp);
  if (!s.ok()) {
    devices_.pop_back();
    return s;
  }
  devices_[i].id = resp.device_id();
  if (index != nullptr) *index = i;
  return Login(i);
}

grpc::Status TestAccount::RemoveDevice(size_t device_index, size_t by_index) {
  v1::RemoveDeviceRequest req;
  req.set_device_id(device_id(device_index));
  v1::RemoveDeviceResponse resp;
  auto ctx = Context(by_index);
  return api_->accounts->RemoveDevice(ctx.get(), req, &resp);
}

grpc::Status TestAccount::Login(size_t device_index, v1::AuthenticateResponse* response) {
  TestDevice& d = devices_.at(device_index);
  v1::GetChallengeRequest creq;
  creq.set_user_id(user_id_);
  creq.set_device_id(d.id);
  v1::GetChallengeResponse cresp;
  {
    auto ctx = MakeContext();
    grpc::Status s = api_->accounts->GetChallenge(ctx.get(), creq, &cresp);
    if (!s.ok()) return s;
  }
  const std::string& challenge = cresp.challenge();
  auto signature = d.auth.SignAuthChallenge(
      crypto::ByteSpan(reinterpret_cast<const uint8_t*>(challenge.data()), challenge.size()));
  if (!signature.ok()) {
    return HarnessError("cannot sign a challenge of " + std::to_string(challenge.size()) +
                        " bytes: " + signature.status().ToString());
  }
  v1::AuthenticateRequest areq;
  areq.set_user_id(user_id_);
  areq.set_device_id(d.id);
  areq.set_challenge(challenge);
  areq.set_signature(KeyBytes(*signature));
  v1::AuthenticateResponse local;
  if (response == nullptr) response = &local;
  auto ctx = MakeContext();
  grpc::Status s = api_->accounts->Authenticate(ctx.get(), areq, response);
  if (s.ok()) d.token = response->token();
  return s;
}

grpc::Status TestAccount::Logout(size_t device_index) {
  v1::LogoutResponse resp;
  auto ctx = Context(device_index);
  grpc::Status s = api_->accounts->Logout(ctx.get(), v1::LogoutRequest(), &resp);
  if (s.ok()) devices_.at(device_index).token.clear();
  return s;
}

grpc::Status TestAccount::UploadOneTimePreKeys(size_t device_index, int count,
                                               v1::UploadPreKeysResponse* response) {
  v1::UploadPreKeysRequest req;
  for (int i = 0; i < count; ++i) *req.add_one_time_prekeys() = NewOneTimePreKey(device_index);
  v1::UploadPreKeysResponse local;
  if (response == nullptr) response = &local;
  auto ctx = Context(device_index);
  return api_->keys->UploadPreKeys(ctx.get(), req, response);
}

std::vector<v1::DeviceAddress> TestAccount::RegisteredAddresses() const {
  std::vector<v1::DeviceAddress> out;
  for (const TestDevice& d : devices_) {
    if (d.id != 0) out.push_back(Address(user_id_, d.id));
  }
  return out;
}

v1::SendRequest TestAccount::MakeSend(const TestAccount& recipient, const std::string& base,
                                      size_t from_device) const {
  v1::SendRequest req;
  req.set_recipient_user_id(recipient.user_id());
  req.set_client_message_id(RandomBytes(16));
  auto add = [&](const v1::DeviceAddress& target) {
    v1::OutgoingCiphertext* c = req.add_ciphertexts();
    *c->mutable_recipient() = target;
    c->set_ciphertext(TargetCiphertext(base, target));
  };
  for (const v1::DeviceAddress& a : recipient.RegisteredAddresses()) add(a);
  if (&recipient != this) {
    for (size_t i = 0; i < devices_.size(); ++i) {
      if (i != from_device && devices_[i].id != 0) add(address(i));
    }
  }
  return req;
}

grpc::Status TestAccount::Send(const TestAccount& recipient, const std::string& base,
                               size_t from_device, v1::SendResponse* response) const {
  return SendRequest(MakeSend(recipient, base, from_device), from_device, response);
}

grpc::Status TestAccount::SendRequest(const v1::SendRequest& request, size_t from_device,
                                      v1::SendResponse* response) const {
  v1::SendResponse local;
  if (response == nullptr) response = &local;
  auto ctx = Context(from_device);
  return api_->messages->Send(ctx.get(), request, response);
}

grpc::Status TestAccount::Fetch(size_t device_index, uint64_t after_seq, uint32_t limit,
                                v1::FetchResponse* response) const {
  v1::FetchRequest req;
  req.set_after_seq(after_seq);
  req.set_limit(limit);
  auto ctx = Context(device_index);
  return api_->messages->Fetch(ctx.get(), req, response);
}

grpc::Status TestAccount::FetchAll(size_t device_index, uint64_t after_seq,
                                   std::vector<v1::Envelope>* envelopes) const {
  envelopes->clear();
  for (int page = 0; page < 100000; ++page) {
    v1::FetchResponse resp;
    grpc::Status s = Fetch(device_index, after_seq, 0, &resp);
    if (!s.ok()) return s;
    for (const v1::Envelope& e : resp.envelopes()) {
      if (e.seq() <= after_seq) return HarnessError("Fetch returned a seq not after the cursor");
      after_seq = e.seq();
      envelopes->push_back(e);
    }
    if (!resp.more()) return grpc::Status::OK;
    if (resp.envelopes().empty()) return HarnessError("Fetch said more=true with an empty page");
  }
  return HarnessError("Fetch never ended");
}

grpc::Status TestAccount::Acknowledge(size_t device_index, uint64_t up_to_seq,
                                      v1::AcknowledgeResponse* response) const {
  v1::AcknowledgeRequest req;
  req.set_up_to_seq(up_to_seq);
  v1::AcknowledgeResponse local;
  if (response == nullptr) response = &local;
  auto ctx = Context(device_index);
  return api_->messages->Acknowledge(ctx.get(), req, response);
}

grpc::Status TestAccount::ListLinks(v1::ListLinksResponse* response, size_t device_index) const {
  auto ctx = Context(device_index);
  return api_->links->ListLinks(ctx.get(), v1::ListLinksRequest(), response);
}

grpc::Status TestAccount::GetPreKeyBundles(const std::string& user_id,
                                           v1::GetPreKeyBundlesResponse* response,
                                           size_t device_index) const {
  v1::GetPreKeyBundlesRequest req;
  req.set_user_id(user_id);
  auto ctx = Context(device_index);
  return api_->keys->GetPreKeyBundles(ctx.get(), req, response);
}

grpc::Status TestAccount::GetPreKeyCount(size_t device_index, uint32_t* count) const {
  v1::GetPreKeyCountResponse resp;
  auto ctx = Context(device_index);
  grpc::Status s = api_->keys->GetPreKeyCount(ctx.get(), v1::GetPreKeyCountRequest(), &resp);
  if (s.ok()) *count = resp.one_time_prekey_count();
  return s;
}

std::unique_ptr<grpc::ClientContext> TestAccount::Context(size_t device_index) const {
  return MakeContext(devices_.at(device_index).token);
}

grpc::Status LinkAccounts(TestAccount& therapist, TestAccount& client,
                          const std::string& sealed_profile, v1::RedeemInviteResponse* response) {
  v1::CreateInviteRequest ireq;
  ireq.set_sealed_profile(sealed_profile);
  v1::CreateInviteResponse iresp;
  {
    auto ctx = therapist.Context();
    grpc::Status s = therapist.api().links->CreateInvite(ctx.get(), ireq, &iresp);
    if (!s.ok()) return s;
  }
  v1::RedeemInviteRequest rreq;
  rreq.set_invite_secret(iresp.invite_secret());
  v1::RedeemInviteResponse local;
  if (response == nullptr) response = &local;
  auto ctx = client.Context();
  return client.api().links->RedeemInvite(ctx.get(), rreq, response);
}

}  // namespace securebase::integration
