// The server's reading of a new device's binding record (AddDevice): every
// input is refused with a clear status or accepted only when the identity
// key signed exactly this user id and auth key. Bounded inputs: every
// length, and every single-bit change of a valid record.
#include "server/src/service/device_admission.h"

#include <gtest/gtest.h>

#include <span>
#include <string>

#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/keys.h"
#include "securebase/crypto/random.h"

namespace securebase::server {
namespace {

struct Fixture {
  crypto::IdentityKeyPair identity = crypto::IdentityKeyPair::Generate(crypto::SystemRandom());
  crypto::DeviceAuthKeyPair auth = crypto::DeviceAuthKeyPair::Generate(crypto::SystemRandom());
  std::string user_id = std::string(16, '\x42');
  std::string identity_key = std::string(crypto::AsStringView(identity.public_key().span()));
  std::string auth_key = std::string(crypto::AsStringView(auth.public_key().span()));

  std::string Record(uint32_t device_id) const {
    crypto::DeviceBinding binding{
        crypto::DeviceAddress{crypto::UserId::FromBytes(crypto::AsBytes(user_id)).value(),
                              device_id},
        auth.public_key(), 1'800'000'000};
    crypto::Bytes bytes =
        crypto::SerializeDeviceBinding(crypto::SignDeviceBindingRecord(identity, binding));
    return std::string(bytes.begin(), bytes.end());
  }
};

TEST(DeviceAdmissionTest, AValidRecordNamesItsDeviceAndVerifies) {
  Fixture f;
  const std::string record = f.Record(7);
  auto claimed = ParseNewDeviceBinding(record, f.user_id, f.auth_key);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  EXPECT_EQ(claimed->device_id, 7u);
  EXPECT_TRUE(VerifyNewDeviceBinding(record, f.identity_key).ok());
  Fixture other;
  EXPECT_EQ(VerifyNewDeviceBinding(record, other.identity_key).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(
      ParseNewDeviceBinding(record, other.user_id.substr(1) + "x", f.auth_key).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNewDeviceBinding(record, f.user_id, other.auth_key).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNewDeviceBinding(f.Record(0), f.user_id, f.auth_key).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(DeviceAdmissionTest, EveryLengthOfJunkIsInvalidArgument) {
  Fixture f;
  for (size_t n = 0; n <= 300; ++n) {
    std::string junk(n, '\0');
    crypto::SystemRandom().Fill(
        std::span<uint8_t>(reinterpret_cast<uint8_t*>(junk.data()), junk.size()));
    if (!junk.empty()) junk[0] = 0x01;  // The version byte, so the length is what is tested.
    auto claimed = ParseNewDeviceBinding(junk, f.user_id, f.auth_key);
    EXPECT_FALSE(claimed.ok()) << n;
    EXPECT_EQ(claimed.status().code(), StatusCode::kInvalidArgument) << n;
    EXPECT_EQ(VerifyNewDeviceBinding(junk, f.identity_key).code(), StatusCode::kPermissionDenied);
  }
}

TEST(DeviceAdmissionTest, NoSingleBitChangeIsAccepted) {
  Fixture f;
  const std::string record = f.Record(3);
  for (size_t bit = 0; bit < record.size() * 8; ++bit) {
    std::string changed = record;
    changed[bit / 8] = static_cast<char>(changed[bit / 8] ^ (1 << (bit % 8)));
    auto claimed = ParseNewDeviceBinding(changed, f.user_id, f.auth_key);
    const bool verified = VerifyNewDeviceBinding(changed, f.identity_key).ok();
    EXPECT_FALSE(claimed.ok() && verified) << "bit " << bit << " accepted";
  }
}

}  // namespace
}  // namespace securebase::server
