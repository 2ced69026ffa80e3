#include "tests/client/e2e/raw_peer.h"

#include <optional>

#include "client/src/invite_code.h"
#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/random.h"
#include "securebase/crypto/secret_box.h"
#include "securebase/v1/content.pb.h"
#include "tests/server/integration/harness/grpc_status.h"

namespace securebase::e2e {

namespace it = ::securebase::integration;

crypto::DeviceAddress AddressOf(const it::TestAccount& account, size_t device_index) {
  const std::string& id = account.user_id();
  return crypto::DeviceAddress{
      crypto::UserId::FromBytes(
          crypto::ByteSpan(reinterpret_cast<const uint8_t*>(id.data()), id.size()))
          .value(),
      account.device_id(device_index)};
}

std::string DeviceBindingFor(const it::TestAccount& account, size_t device_index,
                             const crypto::IdentityKeyPair* signer) {
  const crypto::DeviceBinding binding{AddressOf(account, device_index),
                                      account.device(device_index).auth.public_key(),
                                      1'800'000'000};
  const crypto::Bytes record = crypto::SerializeDeviceBinding(
      crypto::SignDeviceBindingRecord(signer != nullptr ? *signer : account.identity(), binding));
  return std::string(record.begin(), record.end());
}

::testing::AssertionResult PublishDeviceKeys(it::TestAccount& account, size_t device_index,
                                             const crypto::IdentityKeyPair* signer) {
  const crypto::IdentityKeyPair& key = signer != nullptr ? *signer : account.identity();
  it::TestDevice& device = account.device(device_index);
  crypto::SignedPreKey spk = crypto::SignedPreKey::GenerateForDevice(
      key, AddressOf(account, device_index), device.next_prekey_id++, crypto::SystemRandom());
  v1::UploadPreKeysRequest request;
  request.mutable_signed_prekey()->set_key_id(spk.id);
  request.mutable_signed_prekey()->set_public_key(it::KeyBytes(spk.key.public_key()));
  request.mutable_signed_prekey()->set_signature(it::KeyBytes(spk.signature));
  request.set_device_binding(DeviceBindingFor(account, device_index, signer));
  v1::UploadPreKeysResponse response;
  auto context = account.Context(device_index);
  grpc::Status status = account.api().keys->UploadPreKeys(context.get(), request, &response);
  if (!status.ok()) {
    return ::testing::AssertionFailure() << "upload device keys: " << it::StatusString(status);
  }
  device.signed_prekey = std::move(spk);
  return ::testing::AssertionSuccess();
}

crypto::PreKeyBundle BundleOf(const v1::GetPreKeyBundlesResponse& bundles,
                              const v1::DeviceBundle& device) {
  crypto::PreKeyBundle bundle;
  bundle.identity_key =
      crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(bundles.identity_key())).value();
  bundle.signed_prekey_id = device.signed_prekey().key_id();
  bundle.signed_prekey =
      crypto::DhPublicKey::FromBytes(crypto::AsBytes(device.signed_prekey().public_key())).value();
  bundle.signed_prekey_signature =
      crypto::Signature::FromBytes(crypto::AsBytes(device.signed_prekey().signature())).value();
  if (device.has_one_time_prekey()) {
    bundle.one_time_prekey = crypto::OneTimePreKeyPublic{
        device.one_time_prekey().key_id(),
        crypto::DhPublicKey::FromBytes(crypto::AsBytes(device.one_time_prekey().public_key()))
            .value()};
  }
  return bundle;
}

void AddCiphertext(v1::SendRequest& send, const std::string& user, uint32_t device,
                   const crypto::Bytes& ciphertext) {
  v1::OutgoingCiphertext* c = send.add_ciphertexts();
  c->mutable_recipient()->set_user_id(user);
  c->mutable_recipient()->set_device_id(device);
  c->set_ciphertext(std::string(ciphertext.begin(), ciphertext.end()));
}

::testing::AssertionResult EncryptToEveryDevice(crypto::SessionCipher& cipher,
                                                const std::string& peer,
                                                const v1::GetPreKeyBundlesResponse& bundles,
                                                const std::string& plain, v1::SendRequest& send) {
  const crypto::UserId user = crypto::UserId::FromBytes(crypto::AsBytes(peer)).value();
  for (const auto& device : bundles.devices()) {
    const crypto::PreKeyBundle bundle = BundleOf(bundles, device);
    auto ciphertext = cipher.Encrypt(crypto::DeviceAddress{user, device.device_id()},
                                     crypto::AsBytes(plain), &bundle);
    if (!ciphertext.ok()) {
      return ::testing::AssertionFailure() << "encrypt to device " << device.device_id() << ": "
                                           << ciphertext.status().ToString();
    }
    AddCiphertext(send, peer, device.device_id(), *ciphertext);
  }
  return ::testing::AssertionSuccess();
}

std::string RawTherapistInvite(it::TestAccount& therapist, const std::string& name,
                               std::optional<crypto::InviteKeys>* keys) {
  crypto::RandomSource& rng = crypto::SystemRandom();
  const crypto::InviteKey invite_key = crypto::InviteKey::Generate(rng);
  crypto::InviteKeys derived = crypto::DeriveInviteKeys(invite_key);
  content::v1::InviteProfile profile;
  profile.mutable_profile()->set_display_name(name);
  const std::string plain = profile.SerializeAsString();
  auto sealed = crypto::SealBox(
      derived.profile_key, "invite-profile",
      crypto::ByteSpan(reinterpret_cast<const uint8_t*>(plain.data()), plain.size()), rng);
  if (!sealed.ok()) {
    ADD_FAILURE() << "seal";
    return "";
  }
  v1::CreateInviteRequest request;
  request.set_expires_in_seconds(3600);
  request.set_sealed_profile(std::string(sealed->begin(), sealed->end()));
  v1::CreateInviteResponse response;
  auto context = therapist.Context();
  grpc::Status s = therapist.api().links->CreateInvite(context.get(), request, &response);
  if (!s.ok()) {
    ADD_FAILURE() << "create invite: " << it::StatusString(s);
    return "";
  }
  client::InviteCode code;
  code.invite_secret = response.invite_secret();
  code.invite_key = crypto::SecretBytes::CopyOf(invite_key.bytes());
  code.key_pin = client::KeyPin(therapist.identity().public_key());
  if (keys != nullptr) keys->emplace(std::move(derived));
  return client::FormatInviteCode(code);
}

}  // namespace securebase::e2e
