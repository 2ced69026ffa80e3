// This device's signed prekeys over time (client/src/prekey_rotation.h) on the
// fake server, with the injected clock: a new account publishes a
// device-bound signed prekey with its device binding; sync makes a new one
// weekly (not before); RotateSignedPreKey makes one on demand (kept and
// published later when the server is unreachable); a replaced key still
// accepts first messages made from an old bundle during the grace period,
// and no longer after it.
#include <gtest/gtest.h>

#include "securebase/crypto/device_binding.h"
#include "securebase/crypto/encoding.h"
#include "securebase/crypto/limits.h"
#include "securebase/crypto/x3dh.h"
#include "tests/client/unit/fake_server_fixture.h"

namespace securebase::client::testing {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000LL;

class PreKeyRotationTest : public FakeServerTest {
 protected:
  // The signed prekey the server hands out for `user` (hex), device 1.
  SignedPreKeyWire Published(const std::string& user) {
    auto bundles = Bundles(user);
    EXPECT_EQ(bundles.devices.size(), 1u);
    return bundles.devices.empty() ? SignedPreKeyWire{} : bundles.devices[0].signed_prekey;
  }

  PreKeyBundles Bundles(const std::string& user) {
    std::unique_ptr<ServerApi> connection = server_.Connect();
    connection->SetDevice(Raw(user), 1, nullptr, "");  // The account's own view.
    auto bundles = connection->GetPreKeyBundles(Raw(user));
    EXPECT_TRUE(bundles.ok()) << Describe(bundles);
    return bundles.ok() ? *bundles : PreKeyBundles{};
  }

  // The server hands out `spk` again for `user`'s device 1 (as a bundle
  // fetched before a rotation would still carry it).
  void ServeOld(const std::string& user, const SignedPreKeyWire& spk) {
    PreKeyUpload old;
    old.signed_prekey = spk;
    server_.SetDeviceKeys(Raw(user), 1, old);
  }
};

TEST_F(PreKeyRotationTest, NewAccountPublishesADeviceBoundPreKeyAndItsBinding) {
  auto therapist = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist);
  const PreKeyBundles bundles = Bundles(therapist->user_id());
  ASSERT_EQ(bundles.devices.size(), 1u);
  const auto identity =
      crypto::IdentityPublicKey::FromBytes(crypto::AsBytes(bundles.identity_key)).value();
  const crypto::DeviceAddress device{
      crypto::UserId::FromBytes(crypto::AsBytes(Raw(therapist->user_id()))).value(), 1};
  const DeviceBundle& published = bundles.devices[0];
  EXPECT_TRUE(
      crypto::VerifyDeviceSignedPreKey(
          identity, device, published.signed_prekey.key_id,
          crypto::DhPublicKey::FromBytes(crypto::AsBytes(published.signed_prekey.public_key))
              .value(),
          crypto::Signature::FromBytes(crypto::AsBytes(published.signed_prekey.signature)).value())
          .ok())
      << "the published signed prekey is not device-bound";
  auto binding =
      crypto::ParseAndVerifyDeviceBinding(identity, crypto::AsBytes(published.device_binding));
  ASSERT_TRUE(binding.ok()) << "no valid device binding published";
  EXPECT_EQ(binding->device, device);
}

TEST_F(PreKeyRotationTest, SyncRotatesWeeklyAndAReplacedKeyLivesOnlyForTheGracePeriod) {
  auto therapist = Create(Role::kTherapist, "T");
  ASSERT_TRUE(therapist);
  const SignedPreKeyWire first = Published(therapist->user_id());
  clock_.Set(clock_.NowUnixMs() + 3 * kDayMs);
  ASSERT_TRUE(therapist->Sync().ok());
  EXPECT_EQ(Published(therapist->user_id()).key_id, first.key_id) << "rotated before a week";
  clock_.Set(clock_.NowUnixMs() + 5 * kDayMs);
  ASSERT_TRUE(therapist->Sync().ok());
  const SignedPreKeyWire second = Published(therapist->user_id());
  EXPECT_NE(second.key_id, first.key_id) << "not rotated after eight days";
  EXPECT_NE(second.public_key, first.public_key);

  // Within the grace period, a first message made from the old bundle still
  // starts a session (a client's introduction).
  ServeOld(therapist->user_id(), first);
  auto early = Create(Role::kClient, "Early");
  ASSERT_TRUE(early);
  ASSERT_NO_FATAL_FAILURE(Link(*therapist, *early));
  EXPECT_TRUE(therapist->FindContact(early->user_id()).ok())
      << "a first message made with the replaced key was refused within the grace period";

  // Past it, the old private key (and its replay cache) is gone.
  clock_.Set(clock_.NowUnixMs() + static_cast<int64_t>(crypto::kSignedPreKeyGraceSeconds) * 1000);
  ASSERT_TRUE(therapist->Sync().ok());
  ServeOld(therapist->user_id(), first);
  auto late = Create(Role::kClient, "Late");
  ASSERT_TRUE(late);
  auto code = therapist->CreateInvite(std::chrono::hours(1));
  ASSERT_TRUE(code.ok());
  ServeOld(therapist->user_id(), first);  // CreateInvite may have published a newer one.
  ASSERT_TRUE(late->AcceptInvite(*code).ok());
  auto synced = therapist->Sync();
  ASSERT_TRUE(synced.ok()) << Describe(synced);
  EXPECT_FALSE(therapist->FindContact(late->user_id()).ok())
      << "a first message made with a key deleted after its grace period was accepted";
}

TEST_F(PreKeyRotationTest, RotationOnDemandIsPublishedNowOrAtTheNextSync) {
  auto client = Create(Role::kClient, "C");
  ASSERT_TRUE(client);
  const SignedPreKeyWire first = Published(client->user_id());
  ASSERT_TRUE(client->RotateSignedPreKey().ok());
  const SignedPreKeyWire second = Published(client->user_id());
  EXPECT_NE(second.key_id, first.key_id);

  server_.SetReachable(false);
  auto offline = client->RotateSignedPreKey();
  EXPECT_EQ(offline.code(), ErrorCode::kUnavailable) << offline.ToString();
  server_.SetReachable(true);
  EXPECT_EQ(Published(client->user_id()).key_id, second.key_id);
  ASSERT_TRUE(client->Sync().ok());
  const SignedPreKeyWire third = Published(client->user_id());
  EXPECT_NE(third.key_id, second.key_id) << "the key made offline was not published later";
  EXPECT_NE(third.key_id, first.key_id);
}

}  // namespace
}  // namespace securebase::client::testing
