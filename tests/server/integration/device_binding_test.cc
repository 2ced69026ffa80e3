// Device bindings and device-bound signed prekeys at the server: a device
// uploads its binding record (signed by the account's identity key) with a
// device-bound signed prekey; the server checks both against the calling
// device and hands the binding out, unchanged, with the device's bundle.
// Anything that does not bind exactly the caller is INVALID_ARGUMENT and
// changes nothing. The server stores the record opaquely otherwise: clients
// check it themselves (tests/client/e2e/device_list_test.cc).
#include "securebase/crypto/device_binding.h"

#include <gtest/gtest.h>

#include <string>

#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"
#include "tests/server/integration/harness/grpc_status.h"
#include "tests/server/integration/harness/server_suite.h"

namespace securebase::integration {
namespace {

class DeviceBindingTest : public ServerSuite<DeviceBindingTest> {};

crypto::DeviceAddress CryptoAddress(const TestAccount& account, size_t index) {
  return crypto::DeviceAddress{
      crypto::UserId::FromBytes(
          crypto::ByteSpan(reinterpret_cast<const uint8_t*>(account.user_id().data()),
                           account.user_id().size()))
          .value(),
      account.device_id(index)};
}

// `signer`'s binding record for `device` (of `account`) with its auth key.
std::string Binding(const crypto::IdentityKeyPair& signer, const TestAccount& account, size_t index,
                    const crypto::DeviceAddress& device) {
  crypto::DeviceBinding binding{device, account.device(index).auth.public_key(), 1'800'000'000};
  const crypto::Bytes record =
      crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(signer, binding));
  return std::string(record.begin(), record.end());
}

v1::SignedPreKey DeviceSignedPreKey(const crypto::IdentityKeyPair& signer,
                                    const crypto::DeviceAddress& device, uint32_t id) {
  crypto::SignedPreKey spk =
      crypto::SignedPreKey::GenerateForDevice(signer, device, id, crypto::SystemRandom());
  v1::SignedPreKey wire;
  wire.set_key_id(id);
  wire.set_public_key(KeyBytes(spk.key.public_key()));
  wire.set_signature(KeyBytes(spk.signature));
  return wire;
}

TEST_F(DeviceBindingTest, BindingAndDeviceBoundPreKeyAreStoredAndHandedOut) {
  auto a = NewClient();
  ASSERT_TRUE(a);
  const crypto::DeviceAddress device = CryptoAddress(*a, 0);
  v1::UploadPreKeysRequest request;
  *request.mutable_signed_prekey() = DeviceSignedPreKey(a->identity(), device, 50);
  request.set_device_binding(Binding(a->identity(), *a, 0, device));
  v1::UploadPreKeysResponse response;
  ASSERT_GRPC_OK(a->api().keys->UploadPreKeys(a->Context().get(), request, &response));
  EXPECT_EQ(response.one_time_prekey_count(), 5u);

  v1::GetPreKeyBundlesResponse bundles;
  ASSERT_GRPC_OK(a->GetPreKeyBundles(a->user_id(), &bundles));
  ASSERT_EQ(bundles.devices_size(), 1);
  EXPECT_EQ(bundles.devices(0).device_binding(), request.device_binding());
  EXPECT_EQ(bundles.devices(0).signed_prekey().key_id(), 50u);
  EXPECT_EQ(bundles.devices(0).signed_prekey().signature(), request.signed_prekey().signature());

  // A device added to the account comes with the binding AddDevice
  // required; a binding alone is an upload too, and replaces it.
  size_t second = 0;
  ASSERT_GRPC_OK(a->AddDevice(1, &second));
  ASSERT_GRPC_OK(a->GetPreKeyBundles(a->user_id(), &bundles));
  ASSERT_EQ(bundles.devices_size(), 2);
  EXPECT_EQ(bundles.devices(1).device_binding(),
            a->DeviceBinding(second, a->device_id(second)));
  v1::UploadPreKeysRequest only_binding;
  only_binding.set_device_binding(Binding(a->identity(), *a, second, CryptoAddress(*a, second)));
  ASSERT_GRPC_OK(a->api().keys->UploadPreKeys(a->Context(second).get(), only_binding, &response));
  EXPECT_EQ(response.one_time_prekey_count(), 0u);
  ASSERT_GRPC_OK(a->GetPreKeyBundles(a->user_id(), &bundles));
  ASSERT_EQ(bundles.devices_size(), 2);
  EXPECT_EQ(bundles.devices(1).device_binding(), only_binding.device_binding());
}

// Each upload that does not bind exactly the calling device is refused and
// changes nothing: another device's binding (a device replaying its sibling's),
// one signed by another identity key, garbage, a prekey signed for another
// device, and a valid binding in an upload refused for its one-time prekeys.
TEST_F(DeviceBindingTest, BindingsAndPreKeysForAnythingButTheCallerAreRefused) {
  auto a = NewClient();
  auto other = NewClient();
  ASSERT_TRUE(a && other);
  size_t second = 0;
  ASSERT_GRPC_OK(a->AddDevice(1, &second));
  const crypto::DeviceAddress first_device = CryptoAddress(*a, 0);
  const crypto::DeviceAddress second_device = CryptoAddress(*a, second);

  struct Case {
    const char* what;
    v1::UploadPreKeysRequest request;
  };
  std::vector<Case> cases(6);
  cases[0].what = "the other device's binding";
  cases[0].request.set_device_binding(Binding(a->identity(), *a, second, second_device));
  cases[1].what = "a binding naming this device with the other device's auth key";
  cases[1].request.set_device_binding(Binding(a->identity(), *a, second, first_device));
  cases[2].what = "a binding signed by another account's identity key";
  cases[2].request.set_device_binding(Binding(other->identity(), *a, 0, first_device));
  cases[3].what = "a binding that is not one";
  cases[3].request.set_device_binding(std::string(crypto::kDeviceBindingSize - 1, 'x'));
  cases[4].what = "a prekey signed for the other device";
  *cases[4].request.mutable_signed_prekey() = DeviceSignedPreKey(a->identity(), second_device, 60);
  cases[5].what = "a valid binding with a repeated one-time prekey id";
  cases[5].request.set_device_binding(Binding(a->identity(), *a, 0, first_device));
  *cases[5].request.add_one_time_prekeys() = a->NewOneTimePreKey(0);
  *cases[5].request.add_one_time_prekeys() = cases[5].request.one_time_prekeys(0);

  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    StoreSnapshot before;
    ASSERT_TRUE(Snapshot(&before));
    v1::UploadPreKeysResponse response;
    EXPECT_GRPC_CODE(a->api().keys->UploadPreKeys(a->Context().get(), c.request, &response),
                     grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(Unchanged(before));
  }
  // The first device never uploaded a binding; the second keeps the one
  // AddDevice stored.
  v1::GetPreKeyBundlesResponse bundles;
  ASSERT_GRPC_OK(a->GetPreKeyBundles(a->user_id(), &bundles));
  ASSERT_EQ(bundles.devices_size(), 2);
  EXPECT_TRUE(bundles.devices(0).device_binding().empty());
  EXPECT_EQ(bundles.devices(1).device_binding(),
            a->DeviceBinding(second, a->device_id(second)));
}

}  // namespace
}  // namespace securebase::integration
