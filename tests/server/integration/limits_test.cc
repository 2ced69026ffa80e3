// Limits at their default values, and the per-account request rate limit:
// each refused with RESOURCE_EXHAUSTED and a message, changing nothing.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/integration/harness/server_suite.h"
#include "tests/server/integration/harness/subscription.h"

namespace securebase::integration {
namespace {

using grpc::StatusCode;
using std::chrono::milliseconds;

class DefaultLimitsTest : public ServerSuite<DefaultLimitsTest> {};

TEST_F(DefaultLimitsTest, EnvelopeSizeLimitIs256KiB) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  v1::SendRequest req = c->MakeSend(*t, "");
  req.mutable_ciphertexts(0)->set_ciphertext(std::string(262145, 'x'));
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  EXPECT_GRPC_CODE(c->SendRequest(req), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Unchanged(before));
  req.set_client_message_id(RandomBytes(16));
  req.mutable_ciphertexts(0)->set_ciphertext(std::string(262144, 'y'));
  ASSERT_GRPC_OK(c->SendRequest(req));
  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ciphertext(), std::string(262144, 'y'));
}

TEST_F(DefaultLimitsTest, DevicesPerAccount) {
  auto a = NewClient(0);
  ASSERT_TRUE(a);
  for (int i = 2; i <= 5; ++i) ASSERT_GRPC_OK(a->AddDevice(0)) << "device " << i;
  uint32_t next = 0;
  ASSERT_GRPC_OK(a->NextDeviceId(&next));
  v1::AddDeviceRequest req = a->MakeAddDeviceRequest(a->GenerateDevice(0), next);
  req.clear_user_id();  // With the token, as an existing device would.
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  v1::AddDeviceResponse resp;
  EXPECT_GRPC_CODE(api_->accounts->AddDevice(a->Context().get(), req, &resp),
                   StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Unchanged(before));
}

TEST_F(DefaultLimitsTest, OutstandingInvites) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  std::vector<std::string> secrets;
  for (int i = 0; i < 20; ++i) {
    v1::CreateInviteResponse r;
    ASSERT_GRPC_OK(api_->links->CreateInvite(t->Context().get(), {}, &r)) << "invite " << i;
    secrets.push_back(r.invite_secret());
  }
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  v1::CreateInviteResponse r;
  EXPECT_GRPC_CODE(api_->links->CreateInvite(t->Context().get(), {}, &r),
                   StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Unchanged(before));
  // A redeemed invite is no longer outstanding.
  v1::RedeemInviteRequest req;
  req.set_invite_secret(secrets[0]);
  v1::RedeemInviteResponse redeemed;
  ASSERT_GRPC_OK(api_->links->RedeemInvite(c->Context().get(), req, &redeemed));
  EXPECT_GRPC_OK(api_->links->CreateInvite(t->Context().get(), {}, &r));
}

TEST_F(DefaultLimitsTest, PreKeysPerUploadAndPerDevice) {
  auto a = NewClient(0);
  ASSERT_TRUE(a);
  v1::UploadPreKeysRequest too_many;
  for (int i = 0; i < 101; ++i) *too_many.add_one_time_prekeys() = a->NewOneTimePreKey(0);
  StoreSnapshot before;
  ASSERT_TRUE(Snapshot(&before));
  v1::UploadPreKeysResponse up;
  EXPECT_GRPC_CODE(api_->keys->UploadPreKeys(a->Context().get(), too_many, &up),
                   StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Unchanged(before));
  for (int batch = 0; batch < 10; ++batch) {
    ASSERT_GRPC_OK(a->UploadOneTimePreKeys(0, 100, &up)) << "batch " << batch;
  }
  EXPECT_EQ(up.one_time_prekey_count(), 1000u);
  ASSERT_TRUE(Snapshot(&before));
  EXPECT_GRPC_CODE(a->UploadOneTimePreKeys(0, 1, &up), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Unchanged(before));
}

TEST_F(DefaultLimitsTest, StreamsPerDeviceAndTheirRelease) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  ASSERT_GRPC_OK(c->Send(*t, "s"));
  std::vector<std::unique_ptr<Subscription>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(std::make_unique<Subscription>(*t, 0, 0));
    // Receiving the stored envelope proves the stream is open on the server.
    ASSERT_TRUE(open.back()->WaitForCount(1, milliseconds(10000))) << "stream " << i;
  }
  {
    // A fifth replaces the oldest (stream_attack_test.cc has the details).
    Subscription fifth(*t, 0, 0);
    EXPECT_TRUE(fifth.WaitForCount(1, milliseconds(10000)));
    auto status = open.front()->WaitForEnd(milliseconds(10000));
    ASSERT_TRUE(status.has_value()) << "the oldest stream was not replaced";
    EXPECT_TRUE(HasCode(*status, StatusCode::RESOURCE_EXHAUSTED));
    open.erase(open.begin());
  }
  // Another device of the same account has its own allowance.
  size_t second = 0;
  ASSERT_GRPC_OK(t->AddDevice(0, &second));
  ASSERT_GRPC_OK(c->Send(*t, "s2"));
  Subscription other_device(*t, second, 0);
  EXPECT_TRUE(other_device.WaitForCount(1, milliseconds(10000)));

  // Closing a stream frees its slot. The server notices the cancellation
  // asynchronously, so a new stream may be refused for a short while.
  open.back()->Cancel();
  open.pop_back();
  bool reopened = false;
  for (int attempt = 0; attempt < 50 && !reopened; ++attempt) {
    auto again = std::make_unique<Subscription>(*t, 0, 0);
    if (again->WaitForCount(1, milliseconds(5000))) {
      reopened = true;
      open.push_back(std::move(again));
    } else {
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
  EXPECT_TRUE(reopened) << "the slot of a cancelled stream was never released";
}

class RateLimitTest : public ServerSuite<RateLimitTest> {
 public:
  static ServerOptions Options() {
    return WithFlags({"--rate-limit-rps=1", "--rate-limit-burst=5"});
  }
};

TEST_F(RateLimitTest, RequestsBeyondTheBucketAreRefusedAndStoreNothing) {
  auto t = NewTherapist();
  auto c = NewClient();
  ASSERT_TRUE(t && c);
  ASSERT_GRPC_OK(LinkAccounts(*t, *c));
  std::set<std::string> accepted;
  int refused = 0;
  for (int i = 0; i < 15; ++i) {
    const std::string base = "rate-" + std::to_string(i);
    grpc::Status s = c->Send(*t, base);
    if (s.ok()) {
      accepted.insert(TargetCiphertext(base, t->address(0)));
    } else {
      EXPECT_TRUE(HasCode(s, StatusCode::RESOURCE_EXHAUSTED)) << "send " << i;
      ++refused;
    }
  }
  EXPECT_GE(refused, 5) << "15 sends in a burst of 5 at 1/s";
  EXPECT_GE(accepted.size(), 1u);
  // The limit is per account: the therapist is not affected.
  std::vector<v1::Envelope> got;
  ASSERT_GRPC_OK(t->FetchAll(0, 0, &got));
  std::set<std::string> stored;
  for (const auto& e : got) stored.insert(e.ciphertext());
  EXPECT_EQ(stored, accepted) << "exactly the accepted sends are stored";
  EXPECT_EQ(got.size(), accepted.size());
}

}  // namespace
}  // namespace securebase::integration
