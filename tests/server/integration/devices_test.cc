// Linked devices at the server (issue 12): AddDevice is authorised by a
// device binding record signed by the account's identity key, never by a
// token alone; RemoveDevice takes a device out at once. The adversaries: a
// caller holding a stolen token (or a removed device's old binding) trying
// to add a device, a removed device that keeps calling, and a removal racing
// sends in flight.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "securebase/crypto/keys.h"
#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subscription.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;

constexpr char kMismatchTrailer[] = "securebase-device-mismatch-bin";

class DevicesTest : public ServerSuite<DevicesTest> {
 public:
  static ServerOptions Options() {
    // Keep the per-account rate limit out of the in-flight race.
    return WithFlags({"--rate-limit-rps=100000", "--rate-limit-burst=100000"});
  }
};

std::set<uint32_t> ListedIds(const TestAccount& account, size_t by_index = 0) {
  v1::ListDevicesResponse listed;
  EXPECT_GRPC_OK(account.api().accounts->ListDevices(account.Context(by_index).get(), {}, &listed));
  std::set<uint32_t> ids;
  for (const auto& d : listed.devices()) ids.insert(d.device_id());
  return ids;
}

std::set<uint32_t> BundleIds(const TestAccount& asker, const TestAccount& owner) {
  v1::GetPreKeyBundlesResponse bundles;
  EXPECT_GRPC_OK(asker.GetPreKeyBundles(owner.user_id(), &bundles));
  std::set<uint32_t> ids;
  for (const auto& d : bundles.devices()) ids.insert(d.device_id());
  return ids;
}

TEST_F(DevicesTest, NewDeviceJoinsWithItsBindingAndNoToken) {
  auto a = NewClient();
  auto peer = NewTherapist();
  ASSERT_TRUE(a && peer);
  ASSERT_GRPC_OK(LinkAccounts(*peer, *a));
  uint32_t next = 0;
  ASSERT_GRPC_OK(a->NextDeviceId(&next));
  EXPECT_EQ(next, 2u);
  size_t second = 0;
  ASSERT_GRPC_OK(a->AddDevice(1, &second));  // user_id + binding, no token.
  EXPECT_EQ(a->device_id(second), 2u);
  EXPECT_EQ(ListedIds(*a), (std::set<uint32_t>{1, 2}));
  EXPECT_EQ(BundleIds(*peer, *a), (std::set<uint32_t>{1, 2}));
  ASSERT_GRPC_OK(a->NextDeviceId(&next));
  EXPECT_EQ(next, 3u);
}

TEST_F(DevicesTest, StolenTokenAddsNoDeviceWithoutTheIdentityKey) {
  auto victim = NewClient();
  ASSERT_TRUE(victim);
  // The thief holds the victim's token and makes its own device keys, but
  // signs with a key of its own: the server must refuse, whatever the token.
  TestAccount thief(api_, v1::ROLE_CLIENT, 1);
  uint32_t next = 0;
  ASSERT_GRPC_OK(victim->NextDeviceId(&next));
  size_t i = victim->GenerateDevice(1);
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  for (bool with_token : {true, false}) {
    v1::AddDeviceRequest req = victim->MakeAddDeviceRequest(i, next);
    req.set_device_binding(victim->DeviceBinding(i, next, &thief.identity()));
    if (with_token) req.clear_user_id();
    v1::AddDeviceResponse resp;
    auto ctx = with_token ? victim->Context(0) : MakeContext();
    grpc::Status s = api_->accounts->AddDevice(ctx.get(), req, &resp);
    EXPECT_GRPC_CODE(s, StatusCode::PERMISSION_DENIED);
    EXPECT_NE(s.error_message().find("identity key"), std::string::npos) << s.error_message();
    // No binding at all: what a token-only attacker has.
    req.clear_device_binding();
    EXPECT_GRPC_CODE(api_->accounts->AddDevice(
                         (with_token ? victim->Context(0) : MakeContext()).get(), req, &resp),
                     StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_TRUE(Unchanged(before));
  EXPECT_EQ(ListedIds(*victim), (std::set<uint32_t>{1}));
}

TEST_F(DevicesTest, RemovedDeviceCannotComeBackWithItsOldBinding) {
  auto a = NewClient();
  ASSERT_TRUE(a);
  uint32_t next = 0;
  ASSERT_GRPC_OK(a->NextDeviceId(&next));
  size_t i = a->GenerateDevice(1);
  const v1::AddDeviceRequest captured = a->MakeAddDeviceRequest(i, next);
  v1::AddDeviceResponse resp;
  ASSERT_GRPC_OK(api_->accounts->AddDevice(MakeContext().get(), captured, &resp));
  a->device(i).id = resp.device_id();
  ASSERT_GRPC_OK(a->RemoveDevice(i));
  // The thief of the lost device replays exactly what it sent once.
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  grpc::Status s = api_->accounts->AddDevice(MakeContext().get(), captured, &resp);
  EXPECT_GRPC_CODE(s, StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("already used"), std::string::npos) << s.error_message();
  EXPECT_TRUE(Unchanged(before));
  EXPECT_EQ(ListedIds(*a), (std::set<uint32_t>{1}));
  // Relinking (a new binding for a new id) works.
  size_t again = 0;
  ASSERT_GRPC_OK(a->AddDevice(1, &again));
  EXPECT_EQ(a->device_id(again), next + 1);
}

TEST_F(DevicesTest, DeviceLimitRefusesAndAddsNothing) {
  auto a = NewClient(0);
  ASSERT_TRUE(a);
  for (int i = 2; i <= 5; ++i) ASSERT_GRPC_OK(a->AddDevice(0));  // Default limit 5.
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  EXPECT_GRPC_CODE(a->AddDevice(1), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Unchanged(before));
  // A removed device frees its place.
  ASSERT_GRPC_OK(a->RemoveDevice(4));
  EXPECT_GRPC_OK(a->AddDevice(1));
  EXPECT_EQ(ListedIds(*a).size(), 5u);
}

TEST_F(DevicesTest, RemovedDeviceIsRefusedClearlyAndDisappearsForPeers) {
  auto a = NewClient();
  auto peer = NewTherapist();
  ASSERT_TRUE(a && peer);
  ASSERT_GRPC_OK(LinkAccounts(*peer, *a));
  size_t second = 0;
  ASSERT_GRPC_OK(a->AddDevice(2, &second));
  Subscription stream(*a, second, 0);
  // The stream is live once a send reaches it.
  ASSERT_GRPC_OK(peer->Send(*a, "before"));
  ASSERT_TRUE(stream.WaitForCount(1, std::chrono::seconds(10)));

  ASSERT_GRPC_OK(a->RemoveDevice(second));
  auto ended = stream.WaitForEnd(std::chrono::seconds(10));
  ASSERT_TRUE(ended.has_value()) << "the removed device's stream did not end";
  EXPECT_GRPC_CODE(*ended, StatusCode::PERMISSION_DENIED);

  // Every later call with its token: one clear answer.
  v1::FetchResponse fetched;
  grpc::Status s = a->Fetch(second, 0, 10, &fetched);
  EXPECT_GRPC_CODE(s, StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("removed from the account"), std::string::npos)
      << s.error_message();
  v1::ListDevicesResponse listed;
  EXPECT_GRPC_CODE(api_->accounts->ListDevices(a->Context(second).get(), {}, &listed),
                   StatusCode::PERMISSION_DENIED);
  // Logging in again does not work either (the device is gone).
  EXPECT_GRPC_CODE(a->Login(second), StatusCode::UNAUTHENTICATED);

  EXPECT_EQ(ListedIds(*a), (std::set<uint32_t>{1}));
  EXPECT_EQ(BundleIds(*peer, *a), (std::set<uint32_t>{1}));
}

TEST_F(DevicesTest, RemoveDeviceBadInput) {
  auto a = NewClient();
  auto b = NewClient();
  ASSERT_TRUE(a && b);
  size_t b2 = 0;
  ASSERT_GRPC_OK(b->AddDevice(1, &b2));
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  auto remove = [&](const TestAccount& by, uint32_t id) {
    v1::RemoveDeviceRequest req;
    req.set_device_id(id);
    v1::RemoveDeviceResponse resp;
    return api_->accounts->RemoveDevice(by.Context(0).get(), req, &resp);
  };
  EXPECT_GRPC_CODE(remove(*a, 0), StatusCode::INVALID_ARGUMENT);
  EXPECT_GRPC_CODE(remove(*a, 1), StatusCode::FAILED_PRECONDITION);  // Itself.
  EXPECT_GRPC_CODE(remove(*a, 7), StatusCode::NOT_FOUND);
  // Another account's device id 2 is not a's: a has none.
  EXPECT_GRPC_CODE(remove(*a, 2), StatusCode::NOT_FOUND);
  EXPECT_TRUE(Unchanged(before));
  EXPECT_EQ(ListedIds(*b), (std::set<uint32_t>{1, 2}));
}

// Sends from the therapist to every device of the client it believes
// exists, dropping the ones the server calls stale, while the client removes
// its third device. Every send the server accepted reaches the two devices
// that stay; the removed device can read nothing afterwards.
TEST_F(DevicesTest, RemoveWhileMessagesAreInFlight) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  size_t c1 = 0, c2 = 0;
  ASSERT_GRPC_OK(c->AddDevice(1, &c1));
  ASSERT_GRPC_OK(c->AddDevice(1, &c2));
  Subscription removed_stream(*c, c2, 0);

  constexpr int kMessages = 150;
  std::atomic<bool> removing{false};
  std::atomic<int> sent{0};
  std::atomic<bool> sender_done{false};
  std::vector<std::string> accepted;  // The sender's until it is joined.
  int stale_answers = 0;
  std::thread sender([&] {
    struct Done {
      std::atomic<bool>& flag;
      ~Done() { flag = true; }
    } done{sender_done};
    std::vector<v1::DeviceAddress> targets = {c->address(0), c->address(c1), c->address(c2)};
    for (int m = 0; m < kMessages; ++m) {
      const std::string base = "m" + std::to_string(m);
      for (int attempt = 0; attempt < 3; ++attempt) {
        v1::SendRequest req;
        req.set_client_message_id(RandomBytes(16));
        *req.mutable_recipient_user_id() = c->user_id();
        for (const auto& to : targets) {
          v1::OutgoingCiphertext* out = req.add_ciphertexts();
          *out->mutable_recipient() = to;
          out->set_ciphertext(TargetCiphertext(base, to));
        }
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + t->token(0));
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        v1::SendResponse resp;
        grpc::Status s = t->api().messages->Send(&ctx, req, &resp);
        if (s.ok()) {
          accepted.push_back(base);
          ++sent;
          break;
        }
        auto trailer = ctx.GetServerTrailingMetadata().find(kMismatchTrailer);
        ASSERT_TRUE(s.error_code() == StatusCode::FAILED_PRECONDITION &&
                    trailer != ctx.GetServerTrailingMetadata().end())
            << s.error_code() << " " << s.error_message();
        v1::DeviceMismatch mismatch;
        ASSERT_TRUE(mismatch.ParseFromArray(trailer->second.data(),
                                            static_cast<int>(trailer->second.size())));
        ASSERT_EQ(mismatch.stale_devices_size(), 1);
        EXPECT_EQ(mismatch.stale_devices(0).device_id(), c->device_id(c2));
        EXPECT_TRUE(removing.load()) << "a device was stale before it was removed";
        ++stale_answers;
        std::erase_if(targets, [&](const v1::DeviceAddress& a) {
          return a.device_id() == mismatch.stale_devices(0).device_id();
        });
      }
    }
  });
  // Remove about a third of the way in.
  while (sent.load() < kMessages / 3 && !sender_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  removing = true;
  ASSERT_GRPC_OK(c->RemoveDevice(c2));
  sender.join();
  EXPECT_EQ(accepted.size(), static_cast<size_t>(kMessages)) << "every message went out";
  EXPECT_EQ(stale_answers, 1) << "the sender learned of the removal once";

  for (size_t device : {size_t{0}, c1}) {
    std::vector<v1::Envelope> got;
    ASSERT_GRPC_OK(c->FetchAll(device, 0, &got));
    ASSERT_EQ(got.size(), accepted.size()) << "device " << c->device_id(device);
    for (size_t k = 0; k < got.size(); ++k) {
      EXPECT_EQ(got[k].ciphertext(), TargetCiphertext(accepted[k], c->address(device)));
    }
  }
  // The removed device: its stream ended, and it can fetch nothing.
  auto ended = removed_stream.WaitForEnd(std::chrono::seconds(10));
  ASSERT_TRUE(ended.has_value());
  const size_t streamed = removed_stream.ReceivedCount();
  EXPECT_LE(streamed, accepted.size());
  v1::FetchResponse fetched;
  EXPECT_GRPC_CODE(c->Fetch(c2, 0, 1000, &fetched), StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace securebase::integration
